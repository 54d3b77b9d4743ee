//! Where the client stands, as the app sees it: [`AuthState`] and its [`SignOutReason`], and what
//! [`Client::validate`](crate::Client::validate) found ([`RestoreOutcome`]).

use appwrite_models::{Datetime, Session, SessionId, UserId};

use crate::error::Error;
use crate::store::StoredSession;

/// Whether the client is signed in, as published by
/// [`Client::auth_state`](crate::Client::auth_state).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthState {
    /// No session: requests go out as a guest.
    SignedOut {
        /// How the client got here.
        reason: SignOutReason,
    },
    /// A session is held and sent with every account request.
    SignedIn {
        /// The signed-in user.
        user_id: UserId,
        /// The session's id.
        session_id: SessionId,
        /// When the session ends, as far as the client knows (extending it moves this).
        expire: Datetime,
    },
    /// A session is held, but Appwrite refused it for lack of a second factor (the user has
    /// multi-factor authentication on, `user_more_factors_required`): only the MFA calls work
    /// until one is proven. Pass a challenge ([`Account::create_mfa_challenge`], then
    /// [`Account::update_mfa_challenge`]) to move to [`SignedIn`](Self::SignedIn). Not an error:
    /// the session is kept, across restarts too.
    ///
    /// [`Account::create_mfa_challenge`]: crate::Account::create_mfa_challenge
    /// [`Account::update_mfa_challenge`]: crate::Account::update_mfa_challenge
    SecondFactorRequired {
        /// The signed-in user.
        user_id: UserId,
        /// The session's id.
        session_id: SessionId,
        /// When the session ends, as far as the client knows.
        expire: Datetime,
    },
}

impl AuthState {
    /// Whether a session is held (one waiting for its second factor too: see
    /// [`needs_second_factor`](Self::needs_second_factor)).
    pub fn is_signed_in(&self) -> bool {
        !matches!(self, Self::SignedOut { .. })
    }

    /// Whether the held session waits for a second factor
    /// ([`SecondFactorRequired`](Self::SecondFactorRequired)).
    pub fn needs_second_factor(&self) -> bool {
        matches!(self, Self::SecondFactorRequired { .. })
    }

    /// The signed-in user, if any.
    pub fn user_id(&self) -> Option<&UserId> {
        match self {
            Self::SignedIn { user_id, .. } | Self::SecondFactorRequired { user_id, .. } => {
                Some(user_id)
            }
            Self::SignedOut { .. } => None,
        }
    }

    /// Why the client holds no session, when it holds none.
    pub fn sign_out_reason(&self) -> Option<SignOutReason> {
        match self {
            Self::SignedOut { reason } => Some(*reason),
            Self::SignedIn { .. } | Self::SecondFactorRequired { .. } => None,
        }
    }

    pub(crate) fn of(session: &StoredSession) -> Self {
        let (user_id, session_id, expire) = (
            session.user_id.clone(),
            session.session_id.clone(),
            session.expire,
        );
        if session.second_factor_required {
            Self::SecondFactorRequired {
                user_id,
                session_id,
                expire,
            }
        } else {
            Self::SignedIn {
                user_id,
                session_id,
                expire,
            }
        }
    }
}

/// Why the client holds no session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignOutReason {
    /// No session was stored when the client was built, and none was created since.
    NoSession,
    /// The app logged out: `delete_session("current")` or `delete_sessions()`.
    LoggedOut,
    /// The session's expiry passed: found locally (at build or before a request), or the server
    /// refused the session after its expiry.
    Expired,
    /// The server refused the session (401) before its expiry: it was deleted elsewhere (another
    /// device, the console, a server SDK) or the user's sessions were reset. Also a session the
    /// server can never take: a 431 (its credential is too big), or a credential that no header
    /// can carry (found by `validate()` in a store file from an older version).
    Revoked,
    /// A response cleared the session (`X-Fallback-Cookies: []`, an expired session cookie).
    Cleared,
    /// `create_session` revoked the previous session to replace it with a new one.
    Replaced,
}

/// What [`Client::validate`](crate::Client::validate) found out about the stored session.
#[derive(Debug)]
#[non_exhaustive]
pub enum RestoreOutcome {
    /// The server accepts the session: here it is, as the server sees it.
    Restored(Box<Session>),
    /// No session is stored: sign in.
    NoSession,
    /// The session has expired; it was forgotten. Sign in again.
    Expired,
    /// The server no longer accepts the session (401, 431), or it could never be sent; it was
    /// forgotten. Sign in again.
    Revoked,
    /// The server keeps the session but refuses it until a second factor is proven
    /// (`user_more_factors_required`); the session is kept and
    /// [`AuthState::SecondFactorRequired`] published. Pass a challenge.
    SecondFactorRequired,
    /// The server could not be reached (timeout, refused connection, …). The session is kept:
    /// the app may carry on offline and call `validate()` again later.
    Offline(Error),
}
