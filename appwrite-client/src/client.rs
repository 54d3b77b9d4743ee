//! [`Client`] and its builder: configuration, and the request path that attaches the held session
//! and hands what the server says about it to [`Sessions`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use appwrite_models::credential::{self, CredentialUpdate};
use appwrite_models::headers::Platform;
use appwrite_models::protocol::routes;
use appwrite_models::{ErrorType, Session, SessionId};
use appwrite_transport::reqwest::header::ORIGIN;
use appwrite_transport::{
    FixedHeader, HttpConfig, InvalidInput, Request, RequestError, Response, RetryPolicy, Transport,
    reqwest,
};
use serde::de::DeserializeOwned;
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::future::ResponseFuture;
use crate::session::{AuthState, RestoreOutcome, SignOutReason};
use crate::sessions::{HeldSession, Sessions};
use crate::store::memory::MemoryStore;
use crate::store::{ProfileKey, SessionStore, StoredSession};

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

/// Builds a [`Client`]. Setters never fail; [`build`](Self::build) checks everything.
#[derive(Debug, Default)]
#[must_use = "a builder does nothing until build() is called"]
pub struct ClientBuilder {
    http: HttpConfig,
    store: Option<Arc<dyn SessionStore>>,
    profile: Option<String>,
    origin: Option<String>,
    mode: CredentialMode,
    auto_extend: Option<f64>,
}

impl ClientBuilder {
    /// A builder with these connection settings and nothing else set.
    pub(crate) fn with_http(http: HttpConfig) -> Self {
        Self {
            http,
            ..Self::default()
        }
    }

    /// The API endpoint, including the version path: `https://cloud.appwrite.io/v1` or
    /// `https://appwrite.example.com/v1`. Required; [`build`](Self::build) checks it is an
    /// `http://` or `https://` URL without a query, fragment or user info.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.http = self.http.endpoint(endpoint);
        self
    }

    /// The project id, sent as `X-Appwrite-Project`; also part of the key the session is stored
    /// under. Required.
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.http = self.http.project(project);
        self
    }

    /// The locale of Appwrite's messages (`X-Appwrite-Locale`), e.g. `en` or `de`.
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.http = self.http.locale(locale);
        self
    }

    /// Replaces the default `user-agent` (`appwrite-rust-client/<version> (<os>; <arch>)`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.http = self.http.user_agent(user_agent);
        self
    }

    /// Accepts self-signed and otherwise invalid TLS certificates. Off by default; turn it on only
    /// for a development server, never in production: anyone between the app and the server
    /// could then read the session credential and act as the user.
    pub fn self_signed(mut self, accept: bool) -> Self {
        self.http = self.http.self_signed(accept);
        self
    }

    /// Time allowed to open a connection, TCP and TLS (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.connect_timeout(timeout);
        self
    }

    /// Time allowed between two reads of a response (default 30 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.read_timeout(timeout);
        self
    }

    /// A limit on each whole attempt, from sending to the last byte of the body (default 60 s).
    /// A sign-in holds the client's sign-in lock while it waits, so this also bounds how long
    /// another sign-in or a logout can be kept waiting by a slow server.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    /// Removes the limit on each whole attempt: only the connect and read timeouts then bound a
    /// call, and a server that trickles its answer can hold it, and the sign-in lock, as long as
    /// it keeps sending.
    pub fn no_timeout(mut self) -> Self {
        self.http = self.http.no_timeout();
        self
    }

    /// Sends requests through `proxy` (add several for different schemes). Without one, the
    /// standard `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` variables are honoured.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.http = self.http.proxy(proxy);
        self
    }

    /// Ignores the proxy environment variables: connect directly unless [`proxy`](Self::proxy)
    /// says otherwise.
    pub fn no_proxy(mut self) -> Self {
        self.http = self.http.no_proxy();
        self
    }

    /// Uses this `reqwest::Client` as it is (for custom root certificates, …) instead of building
    /// one. Its own settings then apply: the connect and read timeouts, proxies and
    /// `self_signed` set here are not used (the attempt [`timeout`](Self::timeout) still is).
    /// Build it with `redirect(reqwest::redirect::Policy::none())`: a redirect it follows is
    /// refused once seen, but by then the session credential went to the other host. Build it
    /// without a cookie store too (the client sends the session itself, and a cookie store would
    /// send a revoked one again).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = self.http.http_client(client);
        self
    }

    /// When failed requests are tried again (see [`RetryPolicy`]). On by default: bounded retries
    /// for idempotent requests and for a 429 or 503 that asks for one with `Retry-After`; a
    /// `POST` that may have reached the server (a sign-in) is never sent again.
    /// [`RetryPolicy::disabled()`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.http = self.http.retry_policy(policy);
        self
    }

    /// The largest response body read (default 4 MiB, far above any Appwrite answer); a longer
    /// one fails the request with a transport error.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.http = self.http.max_response_bytes(limit);
        self
    }

    /// Where the session is kept between runs: [`FileStore`](crate::FileStore) to stay signed in
    /// across restarts, or your own [`SessionStore`]. A [`MemoryStore`] when not set.
    pub fn session_store(mut self, store: impl SessionStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// A profile name, so one app can keep several sessions for the same endpoint and project
    /// (two accounts, say). 1 to 64 characters of `A-Z a-z 0-9 . _ -`. None by default.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// An `Origin` header for every request, for projects that accept only registered platforms
    /// (Appwrite answers 403 `general_unknown_origin` to an origin it does not know). None by
    /// default, which Appwrite accepts from any client.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// How the session is sent: [`CredentialMode::SessionHeader`] (the default) or
    /// [`CredentialMode::Cookie`].
    pub fn credential_mode(mut self, mode: CredentialMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sliding sessions: before a request, when less than `share` (0 < share ≤ 1) of the
    /// session's lifetime is left, the session is extended once (`update_session("current")`).
    /// `0.5` extends a one-year session after six months. Off by default; Appwrite allows ten
    /// extensions an hour.
    pub fn auto_extend(mut self, share: f64) -> Self {
        self.auto_extend = Some(share);
        self
    }

    /// Checks the settings, builds the client and restores the session stored for this endpoint,
    /// project and profile. A session whose expiry has passed is dropped and cleared from the
    /// store (a failure to clear it is logged; the client still builds, signed out).
    ///
    /// This is synchronous: with a [`FileStore`](crate::FileStore) it reads the file on the
    /// calling thread (a small, local read). In async code that must never block, call it inside
    /// `tokio::task::spawn_blocking`.
    ///
    /// Fails with [`Error::Config`] (missing or invalid endpoint or project, bad header value),
    /// [`Error::InvalidInput`] (profile name, `auto_extend` share) or [`Error::SessionStore`] (an
    /// unreadable, corrupt or newer store file).
    pub fn build(self) -> Result<Client> {
        if let Some(name) = self.http.missing_env() {
            return Err(appwrite_transport::ConfigError::MissingEnv(name).into());
        }
        if let Some(profile) = &self.profile {
            check_profile_name(profile)?;
        }
        if let Some(share) = self.auto_extend {
            if !(share > 0.0 && share <= 1.0) {
                return Err(InvalidInput::new(
                    "auto_extend share must be greater than 0 and at most 1",
                )
                .into());
            }
        }
        let fixed = self
            .origin
            .map(|origin| FixedHeader {
                setting: "origin",
                name: ORIGIN,
                value: secrecy::SecretString::from(origin),
                sensitive: false,
            })
            .into_iter()
            .collect();
        let transport = self
            .http
            .build(Platform::Client, env!("CARGO_PKG_VERSION"), fixed)?;
        let key =
            ProfileKey::from_endpoint(transport.endpoint(), transport.project(), self.profile);
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(MemoryStore::new()) as Arc<dyn SessionStore>);
        let sessions =
            Sessions::restore(store, key, self.mode, transport.project(), self.auto_extend)?;
        Ok(Client {
            transport,
            sessions: Arc::new(sessions),
        })
    }

    /// Builds a [`blocking::Client`](crate::blocking::Client) with these settings (restoring the
    /// session as [`build`](Self::build) does) and its own runtime. Its connections live on that
    /// runtime: do not hand it an [`http_client`](Self::http_client) that async code uses too.
    #[cfg(feature = "blocking")]
    pub fn build_blocking(self) -> Result<crate::blocking::Client> {
        crate::blocking::Client::new(self.build()?)
    }
}

fn check_profile_name(name: &str) -> Result<()> {
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(InvalidInput::new(
            "profile name must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'",
        )
        .into())
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
    /// - [`RestoreOutcome::Restored`]: it is; the local expiry is brought up to date.
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
                if current.id == held.stored.session_id && current.expire != held.stored.expire {
                    let updated = held.amended(|stored| stored.expire = current.expire);
                    self.sessions.replace(snapshot.generation, updated).await?;
                }
                Ok(RestoreOutcome::Restored(Box::new(current)))
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
                        crate::account::extend(self, SessionId::current())
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
                    | ErrorType::UserSessionAlreadyExists
                    | ErrorType::UserInvalidToken
                    | ErrorType::UserInvalidCredentials
                    | ErrorType::UserJwtInvalid
                    | ErrorType::ProjectKeyExpired
                    | ErrorType::ApiKeyExpired
            ))
}
