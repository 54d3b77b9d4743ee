//! Where the client stands: [`AuthState`] and its [`SignOutReason`], what
//! [`Client::validate`](crate::Client::validate) found ([`RestoreOutcome`]), the in-memory session
//! shared by a client's clones, and the optional sliding extension.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use appwrite_models::{Datetime, Session, SessionId, UserId};
use appwrite_transport::reqwest::header::{HeaderName, HeaderValue};
use tokio::sync::watch;

use crate::client::{Client, CredentialMode, credential_header};
use crate::error::Error;
use crate::store::StoredSession;

/// How long a failed automatic extension waits before it is tried again.
const EXTEND_RETRY_AFTER: Duration = Duration::from_secs(60);

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
}

impl AuthState {
    /// Whether a session is held.
    pub fn is_signed_in(&self) -> bool {
        matches!(self, Self::SignedIn { .. })
    }

    /// The signed-in user, if any.
    pub fn user_id(&self) -> Option<&UserId> {
        match self {
            Self::SignedIn { user_id, .. } => Some(user_id),
            Self::SignedOut { .. } => None,
        }
    }

    /// Why the client holds no session, when it holds none.
    pub fn sign_out_reason(&self) -> Option<SignOutReason> {
        match self {
            Self::SignedOut { reason } => Some(*reason),
            Self::SignedIn { .. } => None,
        }
    }

    pub(crate) fn of(session: &StoredSession) -> Self {
        Self::SignedIn {
            user_id: session.user_id.clone(),
            session_id: session.session_id.clone(),
            expire: session.expire,
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
    /// device, the console, a server SDK) or the user's sessions were reset.
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
    /// The server no longer accepts the session (401); it was forgotten. Sign in again.
    Revoked,
    /// The server could not be reached (timeout, refused connection, …). The session is kept:
    /// the app may carry on offline and call `validate()` again later.
    Offline(Error),
}

/// A session the client holds, with the request header that carries its credential, made once
/// (percent-decoding or formatting the ~360-byte credential for every request is measurable).
pub(crate) struct HeldSession {
    pub(crate) stored: StoredSession,
    /// `None` when the credential cannot be sent in a header; every request with it then fails
    /// with the error [`credential_header`] gives.
    header: Option<(HeaderName, HeaderValue)>,
}

impl HeldSession {
    pub(crate) fn new(stored: StoredSession, mode: CredentialMode, project: &str) -> Self {
        let header = credential_header(mode, project, &stored.credential).ok();
        Self { stored, header }
    }

    /// The same credential (and so the same header) with other details changed by `amend`.
    pub(crate) fn amended(&self, amend: impl FnOnce(&mut StoredSession)) -> Arc<Self> {
        let mut stored = self.stored.clone();
        amend(&mut stored);
        debug_assert!(
            stored.credential.expose_secret() == self.stored.credential.expose_secret(),
            "amended() keeps the credential"
        );
        Arc::new(Self {
            stored,
            header: self.header.clone(),
        })
    }

    /// The header prepared for the credential, if it could be made.
    pub(crate) fn header(&self) -> Option<&(HeaderName, HeaderValue)> {
        self.header.as_ref()
    }
}

impl fmt::Debug for HeldSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The header holds the credential: only the (redacting) stored session is shown.
        f.debug_struct("HeldSession")
            .field("stored", &self.stored)
            .finish_non_exhaustive()
    }
}

/// The client's session and its generation (bumped on every change, so an answer to a request
/// made with an older session never changes a newer one), with the [`AuthState`] channel.
#[derive(Debug)]
pub(crate) struct SessionState {
    slot: Mutex<Slot>,
    tx: watch::Sender<AuthState>,
    /// Serialises changes: a store write and the memory update that goes with it.
    pub(crate) write: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Slot {
    session: Option<Arc<HeldSession>>,
    generation: u64,
}

/// The session as it was when a request started.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    pub(crate) generation: u64,
    /// Shared with the slot: taking a snapshot copies no credential.
    pub(crate) session: Option<Arc<HeldSession>>,
}

impl SessionState {
    pub(crate) fn new(session: Option<Arc<HeldSession>>, reason: SignOutReason) -> Self {
        let state = session
            .as_ref()
            .map_or(AuthState::SignedOut { reason }, |held| {
                AuthState::of(&held.stored)
            });
        Self {
            slot: Mutex::new(Slot {
                session,
                generation: 0,
            }),
            tx: watch::Sender::new(state),
            write: tokio::sync::Mutex::new(()),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        // Every change is a single assignment: a panic elsewhere cannot leave it half made.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        let slot = self.slot();
        Snapshot {
            generation: slot.generation,
            session: slot.session.clone(),
        }
    }

    /// Whether the session is still the one of generation `expected` (`None` matches any).
    pub(crate) fn is_generation(&self, expected: Option<u64>) -> bool {
        expected.is_none_or(|g| self.slot().generation == g)
    }

    /// Replaces the session in memory and publishes the new state. Forgetting when nothing is
    /// held changes nothing (the first reason stays).
    pub(crate) fn set(&self, session: Option<Arc<HeldSession>>, reason: SignOutReason) {
        let mut slot = self.slot();
        if session.is_none() && slot.session.is_none() {
            return;
        }
        let state = session
            .as_ref()
            .map_or(AuthState::SignedOut { reason }, |held| {
                AuthState::of(&held.stored)
            });
        slot.session = session;
        slot.generation += 1;
        // Published while the slot is locked, so states arrive in the order of the changes.
        self.tx.send_replace(state);
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<AuthState> {
        self.tx.subscribe()
    }
}

impl Client {
    /// Runs the optional sliding extension before a request: when less than the configured share
    /// of the session's lifetime is left, `PATCH /account/sessions/current` once. Concurrent
    /// requests do not wait for it (their credential is still valid); a failed extension is
    /// logged and not tried again for a minute.
    pub(crate) async fn maybe_extend(&self) {
        let Some(share) = self.inner.auto_extend else {
            return;
        };
        if !self.needs_extension(share) {
            return;
        }
        let Ok(mut retry_at) = self.inner.extending.try_lock() else {
            return; // another request is extending it right now
        };
        if retry_at.is_some_and(|at| Instant::now() < at) || !self.needs_extension(share) {
            return;
        }
        match self.patch_session(SessionId::current()).await {
            Ok(_) => *retry_at = None,
            Err(error) => {
                tracing::debug!(error = %error, "automatic session extension failed");
                *retry_at = Some(Instant::now() + EXTEND_RETRY_AFTER);
            }
        }
    }

    fn needs_extension(&self, share: f64) -> bool {
        let Some(held) = self.inner.state.snapshot().session else {
            return false;
        };
        let (Some(expire), Some(saved)) = (
            held.stored.expire.to_system_time(),
            held.stored.saved_at.to_system_time(),
        ) else {
            return false;
        };
        let now = SystemTime::now();
        let (Ok(lifetime), Ok(left)) = (expire.duration_since(saved), expire.duration_since(now))
        else {
            return false; // expired: dropped before the request instead
        };
        !left.is_zero() && left.as_secs_f64() < lifetime.as_secs_f64() * share
    }
}
