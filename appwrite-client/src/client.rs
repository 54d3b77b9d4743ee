//! [`Client`]: the request path that attaches the held session and hands what the server says
//! about it to [`Sessions`]. Its builder is in `builder.rs`.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use appwrite_models::credential::{self, CredentialUpdate};
use appwrite_models::protocol::routes;
use appwrite_models::{ErrorType, Session, SessionId};
use appwrite_transport::{InvalidInput, Request, RequestError, Response, Transport};
use serde::de::DeserializeOwned;
use tokio::sync::watch;

use crate::builder::ClientBuilder;
use crate::error::{Error, Result};
use crate::future::ResponseFuture;
use crate::session::{AuthState, RestoreOutcome, SignOutReason};
use crate::sessions::{HeldSession, Sessions};
use crate::store::{ProfileKey, StoredSession};

/// How the session credential is sent with each request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialMode {
    /// `X-Appwrite-Session: <credential>` (the default). Works for every project id: Appwrite
    /// lower-cases cookie names when it sets them but reads them case-sensitively, so cookie auth
    /// breaks for project ids with capitals.
    #[default]
    SessionHeader,
    /// `Cookie: a_session_<project>=<credential as received>`, as a browser would send it.
    Cookie,
}

/// A connection to one Appwrite project, holding at most one signed-in session.
///
/// Built once with [`Client::builder`]; cheap to clone (an `Arc` inside). Clones share the
/// session: signing in or out through one is seen by all. Use it through
/// [`Account`](crate::Account).
///
/// ```no_run
/// # async fn run() -> appwrite_client::Result<()> {
/// use appwrite_client::{Account, Client, FileStore};
///
/// let client = Client::builder()
///     .endpoint("https://appwrite.example.com/v1")
///     .project("my-project")
///     .session_store(FileStore::for_app("my-app")?)
///     .build()?;                                   // restores a saved session
/// if !client.is_signed_in() {
///     Account::new(&client).create_session("user-42", "a1b2c3").await?;
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) transport: Transport,
    pub(crate) sessions: Arc<Sessions>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint())
            .field("project", &self.project())
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

/// Whether a request is sent with the stored session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    /// No credential (sign-in and token requests).
    Guest,
    /// The stored session, if there is one.
    Session,
}

impl Client {
    /// A builder for a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The API endpoint, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        self.transport.endpoint().as_str()
    }

    /// The project id.
    pub fn project(&self) -> &str {
        self.transport.project()
    }

    /// The key the session is stored under (endpoint, project, profile).
    pub fn profile_key(&self) -> &ProfileKey {
        self.sessions.key()
    }

    /// How the session credential is sent.
    pub fn credential_mode(&self) -> CredentialMode {
        self.sessions.mode()
    }

    /// Whether a session is held (locally: [`validate`](Self::validate) asks the server).
    pub fn is_signed_in(&self) -> bool {
        self.sessions.snapshot().session.is_some()
    }

    /// Whether the held session waits for a second factor: Appwrite refused it with
    /// `user_more_factors_required` and no challenge has been passed since (locally; the client
    /// learns it from the first refused request, or from [`validate`](Self::validate)). See
    /// [`AuthState::SecondFactorRequired`].
    pub fn needs_second_factor(&self) -> bool {
        self.sessions
            .snapshot()
            .session
            .is_some_and(|held| held.stored.second_factor_required)
    }

    /// A channel that holds the current [`AuthState`] and is updated on sign-in, extension and
    /// sign-out (with its [`SignOutReason`]). Cheap; call it as often as you like.
    ///
    /// ```no_run
    /// # async fn run(client: appwrite_client::Client) {
    /// let mut state = client.auth_state();
    /// tokio::spawn(async move {
    ///     while state.changed().await.is_ok() {
    ///         println!("now {:?}", *state.borrow());
    ///     }
    /// });
    /// # }
    /// ```
    pub fn auth_state(&self) -> watch::Receiver<AuthState> {
        self.sessions.subscribe()
    }

    /// Asks the server whether the held session is still good (`GET /account/sessions/current`).
    ///
    /// - [`RestoreOutcome::Restored`]: it is; the local expiry and factors are brought up to date.
    /// - [`RestoreOutcome::SecondFactorRequired`]: it is, but the user has multi-factor
    ///   authentication on and the session lacks its second factor; it is kept and
    ///   [`AuthState::SecondFactorRequired`] published.
    /// - [`RestoreOutcome::NoSession`]: nothing is held; no request is made.
    /// - [`RestoreOutcome::Expired`] / [`RestoreOutcome::Revoked`]: the expiry has passed, or the
    ///   server refused the session (401, or 431 for a credential too big to send), or its
    ///   credential cannot be sent at all (a store file from an older version); it is forgotten
    ///   (memory and store).
    /// - [`RestoreOutcome::Offline`]: no answer (timeout, refused connection, …); the session is
    ///   kept.
    ///
    /// Any other failure (a 5xx, a 403 for a blocked user, a store failure) is an `Err`, and the
    /// session is kept.
    pub fn validate(&self) -> ResponseFuture<RestoreOutcome> {
        let client = self.clone();
        ResponseFuture::new(async move { client.validate_now().await })
    }

    async fn validate_now(&self) -> Result<RestoreOutcome> {
        let snapshot = self.sessions.snapshot();
        let Some(held) = snapshot.session else {
            return Ok(RestoreOutcome::NoSession);
        };
        let generation = Some(snapshot.generation);
        if held.stored.is_expired_at(SystemTime::now()) {
            self.sessions
                .sign_out(None, SignOutReason::Expired, generation)
                .await?;
            return Ok(RestoreOutcome::Expired);
        }
        if !held.is_sendable() {
            // A credential no header can carry (an old file): the server can never take it.
            self.sessions
                .sign_out(None, SignOutReason::Revoked, generation)
                .await?;
            return Ok(RestoreOutcome::Revoked);
        }
        let request = Request::to(routes::account::GET_SESSION, ["current"]);
        match self.send_with(&request, Some(&held)).await {
            Ok(response) => {
                let current: Session = response.json()?;
                let stale = current.expire != held.stored.expire
                    || current.factors != held.stored.factors
                    || held.stored.second_factor_required;
                if current.id == held.stored.session_id && stale {
                    // Answered, so it passed Appwrite's factor check.
                    let updated = held.amended(|stored| {
                        stored.expire = current.expire;
                        stored.factors.clone_from(&current.factors);
                        stored.second_factor_required = false;
                    });
                    self.sessions.replace(snapshot.generation, updated).await?;
                }
                Ok(RestoreOutcome::Restored(Box::new(current)))
            }
            Err(error) if error.is_more_factors_required() => {
                if !held.stored.second_factor_required {
                    self.settle(snapshot.generation, &held, Settlement::SecondFactorRequired)
                        .await;
                }
                Ok(RestoreOutcome::SecondFactorRequired)
            }
            Err(error) if refuses_session(&error) => {
                let reason = refused_reason(&held.stored);
                self.sessions.sign_out(None, reason, generation).await?;
                Ok(match reason {
                    SignOutReason::Expired => RestoreOutcome::Expired,
                    _ => RestoreOutcome::Revoked,
                })
            }
            Err(error) if error.is_transport() => Ok(RestoreOutcome::Offline(error)),
            Err(error) => Err(error),
        }
    }

    /// Sends a request, with the held session when `auth` says so (extending it first when
    /// [`ClientBuilder::auto_extend`] says it is due), and applies what the answer says about the
    /// session: a new credential replaces it, a cleared one is forgotten, and a refusal of a
    /// request that carried it (revoked or expired on the server) forgets it.
    pub(crate) async fn send(&self, request: &Request, auth: Auth) -> Result<Response> {
        match auth {
            Auth::Guest => self.send_with(request, None).await,
            Auth::Session => {
                self.sessions
                    .extend_if_due(|| async {
                        crate::settle::extend(self, SessionId::current())
                            .await
                            .map(drop)
                    })
                    .await;
                self.send_once(request).await
            }
        }
    }

    /// [`send`](Self::send), then decodes the JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        request: &Request,
        auth: Auth,
    ) -> Result<T> {
        Ok(self.send(request, auth).await?.json()?)
    }

    /// A `'static` future for [`send_json`](Self::send_json): what the account calls return.
    pub(crate) fn json_future<T>(
        &self,
        request: std::result::Result<Request, InvalidInput>,
        auth: Auth,
    ) -> ResponseFuture<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        match request {
            Ok(request) => {
                let client = self.clone();
                ResponseFuture::new(async move { client.send_json(&request, auth).await })
            }
            Err(invalid) => ResponseFuture::ready(Err(invalid.into())),
        }
    }

    /// [`send`](Self::send) with the session, without the automatic extension (which itself
    /// uses this).
    pub(crate) async fn send_once(&self, request: &Request) -> Result<Response> {
        let carried = self.sessions.usable().await;
        // In a block, and boxed across the store write: a local that was borrowed stays in the
        // future's state until its scope ends, and the common path (nothing to change) should
        // not carry the answer's room in every request's future.
        let (generation, held, change, result) = {
            let result = self
                .send_with(request, carried.as_ref().map(|(_, held)| &**held))
                .await;
            let Some((generation, held)) = carried else {
                return result;
            };
            let Some(change) = self.settlement(&held, &result) else {
                return result;
            };
            (generation, held, change, Box::new(result))
        };
        self.settle(generation, &held, change).await;
        *result
    }

    /// What the answer to a request that carried `held` says must change about the session.
    fn settlement(&self, held: &HeldSession, result: &Result<Response>) -> Option<Settlement> {
        match result {
            Ok(response) => {
                let update = credential::from_response(
                    self.project(),
                    &response.headers,
                    None,
                    SystemTime::now(),
                );
                match update {
                    CredentialUpdate::Unchanged => None,
                    update => Some(Settlement::Apply(update)),
                }
            }
            Err(error) if refuses_session(error) => {
                Some(Settlement::Refused(refused_reason(&held.stored)))
            }
            Err(error)
                if error.is_more_factors_required() && !held.stored.second_factor_required =>
            {
                Some(Settlement::SecondFactorRequired)
            }
            Err(_) => None,
        }
    }

    async fn settle(&self, generation: u64, held: &HeldSession, change: Settlement) {
        match change {
            Settlement::Apply(update) => self.sessions.apply(generation, held, update).await,
            Settlement::Refused(reason) => {
                let forgotten = self.sessions.sign_out(None, reason, Some(generation)).await;
                if let Err(error) = forgotten {
                    tracing::warn!(error = %error, "could not clear the refused session from the store");
                }
            }
            Settlement::SecondFactorRequired => {
                let marked = held.amended(|stored| stored.second_factor_required = true);
                if let Err(error) = self.sessions.replace(generation, marked).await {
                    tracing::warn!(error = %error, "could not store that the session needs a second factor");
                }
            }
        }
    }

    /// Sends `request` with `session`'s credential (if any) and nothing else: no state changes.
    /// A credential that cannot be put in a header fails with the error found when it was held.
    pub(crate) async fn send_with(
        &self,
        request: &Request,
        session: Option<&HeldSession>,
    ) -> Result<Response> {
        let credential = session.map(HeldSession::header).transpose()?;
        match self.transport.send_carrying(request, credential).await {
            Ok(response) => Ok(response),
            Err(RequestError::Api(mut api)) => {
                if let Some(session) = session.map(|held| &held.stored) {
                    // A proxy or server that echoes a header must not put the session in a message.
                    api.redact(session.credential.expose_secret());
                    // As sent: URL encoding undone, and trimmed as the server reads it.
                    api.redact(credential::session_header_value(&session.credential).trim());
                }
                Err(Error::Api(api))
            }
            Err(other) => Err(other.into()),
        }
    }
}

/// A change to the held session that an answer calls for.
enum Settlement {
    /// The answer carried a new credential, or cleared it.
    Apply(CredentialUpdate),
    /// The server refused the session, for this reason.
    Refused(SignOutReason),
    /// The server keeps the session but wants a second factor first.
    SecondFactorRequired,
}

/// Why the server refused a session: its expiry passed, or it was revoked.
fn refused_reason(session: &StoredSession) -> SignOutReason {
    if session.is_expired_at(SystemTime::now()) {
        SignOutReason::Expired
    } else {
        SignOutReason::Revoked
    }
}

/// Whether an answer to a request that carried the session says the server will not take it:
/// 401 (Appwrite treats an unknown, revoked or expired session as a guest, which the account
/// routes refuse), or 431 (the request's headers, the credential among them, are too big for the
/// server: that session can never be sent). Some 401 types instead say something else was wrong
/// while the session itself may be fine.
pub(crate) fn refuses_session(error: &Error) -> bool {
    let Error::Api(api) = error else {
        return false;
    };
    api.status == 431
        || (api.is_unauthorized()
            && !matches!(
                api.error_type,
                ErrorType::UserMoreFactorsRequired
                    | ErrorType::UserChallengeRequired
                    | ErrorType::UserSessionAlreadyExists
                    | ErrorType::UserInvalidToken
                    | ErrorType::UserInvalidCredentials
                    | ErrorType::UserJwtInvalid
                    | ErrorType::ProjectKeyExpired
                    | ErrorType::ApiKeyExpired
            ))
}
