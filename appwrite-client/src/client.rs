//! [`Client`] and its builder: configuration, the request path that attaches the stored session
//! and reacts to what the server says about it, and the session's life cycle.

use std::fmt;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use appwrite_models::SessionCredential;
use appwrite_models::credential::{self, CredentialUpdate};
use appwrite_models::headers::Platform;
use appwrite_models::{ErrorType, Session, SessionId};
use appwrite_transport::reqwest::Method;
use appwrite_transport::reqwest::header::{COOKIE, HeaderName, HeaderValue, ORIGIN};
use appwrite_transport::{
    ConfigError, FixedHeader, HttpConfig, InvalidInput, Request, RequestError, Response, Transport,
    header_value,
};
use serde::de::DeserializeOwned;
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::session::{AuthState, HeldSession, RestoreOutcome, SessionState, SignOutReason};
use crate::store::memory::MemoryStore;
use crate::store::{ProfileKey, SessionStore, StoreError, StoredSession};

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
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) transport: Transport,
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) key: ProfileKey,
    pub(crate) mode: CredentialMode,
    pub(crate) auto_extend: Option<f64>,
    pub(crate) state: SessionState,
    /// Serialises sign-in and sign-out, so two of them never interleave (and never leak a session).
    pub(crate) auth: tokio::sync::Mutex<()>,
    /// Held while an automatic extension runs; holds when a failed one may be tried again.
    pub(crate) extending: tokio::sync::Mutex<Option<Instant>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint())
            .field("project", &self.project())
            .field("profile", &self.inner.key.profile())
            .field("credential_mode", &self.inner.mode)
            .field("store", &self.inner.store)
            .field("auth_state", &*self.inner.state.subscribe().borrow())
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
    appwrite_transport::http_config_setters! {
        sdk = "appwrite-rust-client",
        secret = "the session",
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

        let (session, reason) = match store.load(&key)? {
            Some(session) if session.is_expired_at(SystemTime::now()) => {
                // Signed out either way: a store that cannot forget (a read-only disk) must not
                // stop the app from starting.
                if let Err(error) = store.clear(&key) {
                    tracing::warn!(error = %error, "could not clear the expired session from the store");
                }
                (None, SignOutReason::Expired)
            }
            session => (session, SignOutReason::NoSession),
        };
        let session = session
            .map(|stored| Arc::new(HeldSession::new(stored, self.mode, transport.project())));
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                store,
                key,
                mode: self.mode,
                auto_extend: self.auto_extend,
                state: SessionState::new(session, reason),
                auth: tokio::sync::Mutex::new(()),
                extending: tokio::sync::Mutex::new(None),
            }),
        })
    }
}

/// The request header that carries `credential` in `mode`: `X-Appwrite-Session` with any URL
/// encoding undone, or `Cookie: a_session_<project>=<credential as received>`.
pub(crate) fn credential_header(
    mode: CredentialMode,
    project: &str,
    credential: &SessionCredential,
) -> std::result::Result<(HeaderName, HeaderValue), ConfigError> {
    let (name, value) = match mode {
        CredentialMode::SessionHeader => (
            HeaderName::from_static(credential::SESSION_HEADER),
            credential::session_header_value(credential),
        ),
        CredentialMode::Cookie => (COOKIE, credential::cookie_header_value(project, credential)),
    };
    Ok((name, header_value("session credential", &value, true)?))
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
        self.inner.transport.endpoint().as_str()
    }

    /// The project id.
    pub fn project(&self) -> &str {
        self.inner.transport.project()
    }

    /// The key the session is stored under (endpoint, project, profile).
    pub fn profile_key(&self) -> &ProfileKey {
        &self.inner.key
    }

    /// How the session credential is sent.
    pub fn credential_mode(&self) -> CredentialMode {
        self.inner.mode
    }

    /// Whether a session is held (locally: [`validate`](Self::validate) asks the server).
    pub fn is_signed_in(&self) -> bool {
        self.inner.state.snapshot().session.is_some()
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
        self.inner.state.subscribe()
    }

    /// Asks the server whether the stored session is still good (`GET /account/sessions/current`).
    ///
    /// - [`RestoreOutcome::Restored`]: it is; the local expiry is brought up to date.
    /// - [`RestoreOutcome::NoSession`]: nothing is stored; no request is made.
    /// - [`RestoreOutcome::Expired`] / [`RestoreOutcome::Revoked`]: the expiry has passed, or the
    ///   server answered 401; the session is forgotten (memory and store).
    /// - [`RestoreOutcome::Offline`]: no answer (timeout, refused connection, …); the session is
    ///   kept.
    ///
    /// Any other failure (a 5xx, a 403 for a blocked user, a store failure) is an `Err`, and the
    /// session is kept.
    pub async fn validate(&self) -> Result<RestoreOutcome> {
        let snapshot = self.inner.state.snapshot();
        let Some(held) = snapshot.session else {
            return Ok(RestoreOutcome::NoSession);
        };
        let generation = Some(snapshot.generation);
        if held.stored.is_expired_at(SystemTime::now()) {
            self.forget(generation, SignOutReason::Expired).await?;
            return Ok(RestoreOutcome::Expired);
        }
        let request = Request::new(Method::GET, "/account/sessions/{sessionId}", ["current"]);
        match self.send_with(request, Some(&held)).await {
            Ok(response) => {
                let current: Session = response.json()?;
                if current.id == held.stored.session_id && current.expire != held.stored.expire {
                    let updated = held.amended(|stored| stored.expire = current.expire);
                    self.remember(generation, updated).await?;
                }
                Ok(RestoreOutcome::Restored(Box::new(current)))
            }
            Err(error)
                if error.is_unauthorized()
                    && error.error_type().is_none_or(refusal_ends_session) =>
            {
                let reason = refused_reason(&held.stored);
                self.forget(generation, reason).await?;
                Ok(match reason {
                    SignOutReason::Expired => RestoreOutcome::Expired,
                    _ => RestoreOutcome::Revoked,
                })
            }
            Err(error) if error.is_transport() => Ok(RestoreOutcome::Offline(error)),
            Err(error) => Err(error),
        }
    }

    /// Same as [`validate`](Self::validate): restores confidence in a session loaded at start-up.
    pub async fn restore(&self) -> Result<RestoreOutcome> {
        self.validate().await
    }

    /// Sends a request, with the stored session when `auth` says so, and applies what the answer
    /// says about the session: a new credential replaces it, a cleared one is forgotten, and a 401
    /// to a request that carried it (revoked or expired on the server) forgets it.
    pub(crate) async fn send(&self, request: Request, auth: Auth) -> Result<Response> {
        if auth == Auth::Session {
            self.maybe_extend().await;
        }
        self.send_once(request, auth).await
    }

    /// [`send`](Self::send), then decodes the JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        request: Request,
        auth: Auth,
    ) -> Result<T> {
        Ok(self.send(request, auth).await?.json()?)
    }

    /// [`send`](Self::send) without the automatic extension (which itself uses this).
    pub(crate) async fn send_once(&self, request: Request, auth: Auth) -> Result<Response> {
        let carried = match auth {
            Auth::Guest => None,
            Auth::Session => self.usable_session().await,
        };
        let result = self
            .send_with(request, carried.as_ref().map(|(_, held)| &**held))
            .await;
        let Some((generation, held)) = carried else {
            return result;
        };
        match &result {
            Ok(response) => self.apply_update(generation, &held, response).await,
            Err(Error::Api(api))
                if api.is_unauthorized() && refusal_ends_session(&api.error_type) =>
            {
                if let Err(error) = self
                    .forget(Some(generation), refused_reason(&held.stored))
                    .await
                {
                    tracing::warn!(error = %error, "could not clear the refused session from the store");
                }
            }
            Err(_) => {}
        }
        result
    }

    /// The stored session and its generation, unless there is none; one whose expiry has passed
    /// is forgotten here instead of being sent.
    async fn usable_session(&self) -> Option<(u64, Arc<HeldSession>)> {
        let snapshot = self.inner.state.snapshot();
        let session = snapshot.session?;
        if session.stored.is_expired_at(SystemTime::now()) {
            if let Err(error) = self
                .forget(Some(snapshot.generation), SignOutReason::Expired)
                .await
            {
                tracing::warn!(error = %error, "could not clear the expired session from the store");
            }
            return None;
        }
        Some((snapshot.generation, session))
    }

    /// The session `stored`, ready to be held and sent: its credential header is made here, once.
    pub(crate) fn hold(&self, stored: StoredSession) -> Arc<HeldSession> {
        Arc::new(HeldSession::new(stored, self.inner.mode, self.project()))
    }

    /// Sends `request` with `session`'s credential (if any) and nothing else: no state changes.
    pub(crate) async fn send_with(
        &self,
        mut request: Request,
        session: Option<&HeldSession>,
    ) -> Result<Response> {
        if let Some(held) = session {
            let (name, value) = match held.header() {
                Some((name, value)) => (name.clone(), value.clone()),
                // The credential cannot be sent in a header: the same error as making it gives.
                None => {
                    credential_header(self.inner.mode, self.project(), &held.stored.credential)?
                }
            };
            request = request.header(name, value);
        }
        match self.inner.transport.send(request).await {
            Ok(response) => Ok(response),
            Err(RequestError::Api(mut api)) => {
                if let Some(session) = session.map(|held| &held.stored) {
                    // A proxy or server that echoes a header must not put the session in a message.
                    api.redact(session.credential.expose_secret());
                    api.redact(&credential::session_header_value(&session.credential));
                }
                Err(Error::Api(api))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Applies the credential a successful answer carries (rare outside sign-in and sign-out).
    async fn apply_update(&self, generation: u64, held: &HeldSession, response: &Response) {
        let update =
            credential::from_response(self.project(), &response.headers, None, SystemTime::now());
        let outcome = match update {
            CredentialUpdate::Set { credential, .. }
                if credential.expose_secret() != held.stored.credential.expose_secret() =>
            {
                let mut updated = held.stored.clone();
                updated.credential = credential;
                self.remember(Some(generation), self.hold(updated))
                    .await
                    .map(drop)
            }
            CredentialUpdate::Cleared => self
                .forget(Some(generation), SignOutReason::Cleared)
                .await
                .map(drop),
            _ => Ok(()),
        };
        if let Err(error) = outcome {
            tracing::warn!(error = %error, "could not store the session update");
        }
    }

    /// Saves `session` to the store, then holds it in memory, if the session is still of
    /// generation `expected` (`None`: whatever it is). `Ok(false)` when it was not.
    pub(crate) async fn remember(
        &self,
        expected: Option<u64>,
        session: Arc<HeldSession>,
    ) -> std::result::Result<bool, StoreError> {
        let _write = self.inner.state.write.lock().await;
        if !self.inner.state.is_generation(expected) {
            return Ok(false);
        }
        let saved = Arc::clone(&session);
        self.run_store(move |store, key| store.save(key, &saved.stored))
            .await?;
        self.inner
            .state
            .set(Some(session), SignOutReason::NoSession);
        Ok(true)
    }

    /// Forgets the session in memory, then in the store, if it is still of generation `expected`
    /// (`None`: whatever it is). Memory goes first: the session is no good any more, even when the
    /// store cannot be written.
    pub(crate) async fn forget(
        &self,
        expected: Option<u64>,
        reason: SignOutReason,
    ) -> std::result::Result<bool, StoreError> {
        let _write = self.inner.state.write.lock().await;
        if !self.inner.state.is_generation(expected) {
            return Ok(false);
        }
        self.inner.state.set(None, reason);
        self.run_store(SessionStore::clear).await?;
        Ok(true)
    }

    /// Runs a store operation on this client's store and key: inline when the store never
    /// blocks, else through `spawn_blocking`.
    async fn run_store(
        &self,
        operation: impl FnOnce(&dyn SessionStore, &ProfileKey) -> std::result::Result<(), StoreError>
        + Send
        + 'static,
    ) -> std::result::Result<(), StoreError> {
        if !self.inner.store.is_blocking() {
            return operation(&*self.inner.store, &self.inner.key);
        }
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || operation(&*inner.store, &inner.key))
            .await
            .map_err(|e| StoreError::Task(Box::new(e)))?
    }

    /// `PATCH /account/sessions/{id}`, without the automatic extension (it is one); when it is the
    /// held session, its new expiry is saved.
    pub(crate) async fn patch_session(&self, id: SessionId) -> Result<Session> {
        let generation = self.inner.state.snapshot().generation;
        let request = Request::new(
            Method::PATCH,
            "/account/sessions/{sessionId}",
            [id.as_str()],
        );
        let response = self.send_once(request, Auth::Session).await?;
        let session: Session = response.json()?;
        let held = self.inner.state.snapshot();
        if held.generation == generation {
            if let Some(current) = held.session.filter(|s| s.stored.session_id == session.id) {
                let updated = current.amended(|stored| {
                    stored.expire = session.expire;
                    stored.saved_at = appwrite_models::Datetime::now();
                });
                self.remember(Some(generation), updated).await?;
            }
        }
        Ok(session)
    }
}

/// Why the server refused a session: its expiry passed, or it was revoked.
fn refused_reason(session: &StoredSession) -> SignOutReason {
    if session.is_expired_at(SystemTime::now()) {
        SignOutReason::Expired
    } else {
        SignOutReason::Revoked
    }
}

/// Whether a 401 to a request that carried the session means the session is no good. Appwrite
/// treats an unknown, revoked or expired session as a guest, which the account routes refuse
/// (`general_unauthorized_scope`); these types instead say something else was wrong while the
/// session itself may be fine.
fn refusal_ends_session(error_type: &ErrorType) -> bool {
    !matches!(
        error_type,
        ErrorType::UserMoreFactorsRequired
            | ErrorType::UserSessionAlreadyExists
            | ErrorType::UserInvalidToken
            | ErrorType::UserInvalidCredentials
            | ErrorType::UserJwtInvalid
            | ErrorType::ProjectKeyExpired
            | ErrorType::ApiKeyExpired
    )
}
