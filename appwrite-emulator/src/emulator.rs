//! Starting and stopping the emulator: [`EmulatorBuilder`] and the running [`Emulator`].

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use appwrite_models::ID;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::outbox::OutboxMessage;
use crate::state::{Config, Shared};

/// The scopes [`EmulatorBuilder::api_key`] grants.
pub const FULL_SCOPES: [&str; 3] = ["users.read", "users.write", "sessions.write"];

/// Who the mock OAuth2 provider signs in unless told otherwise.
pub const DEFAULT_OAUTH2_IDENTITY: &str = "mock-user@example.com";

/// Appwrite's default session length (`auths.duration`): one year.
const DEFAULT_SESSION_DURATION: Duration = Duration::from_secs(31_536_000);

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The project id breaks Appwrite's id rules.
    #[error(
        "invalid project id {0:?}: use 1 to 36 characters of a-z, A-Z, 0-9, '.', '_' or '-', not starting with a special character"
    )]
    InvalidProject(String),
    /// An API key was empty.
    #[error("an API key must not be empty")]
    EmptyApiKey,
    /// The port could not be bound.
    #[error("could not listen on 127.0.0.1:{port}")]
    Bind {
        /// The port asked for (0 for any free port).
        port: u16,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random source failed (needed for the JWT signing key).
    #[error("the operating system's random source failed")]
    Random,
}

/// Configures an [`Emulator`]; see [`Emulator::builder`].
#[derive(Clone)]
#[must_use]
pub struct EmulatorBuilder {
    project: String,
    keys: Vec<(String, Vec<String>)>,
    session_duration: Duration,
    rate_limit: bool,
    port: u16,
    max_body_bytes: usize,
    oauth2_auto_approve: bool,
    oauth2_identity: String,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("project", &self.project)
            .field("api_keys", &self.keys.len())
            .field("session_duration", &self.session_duration)
            .field("rate_limit", &self.rate_limit)
            .field("port", &self.port)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("oauth2_auto_approve", &self.oauth2_auto_approve)
            .field("oauth2_identity", &self.oauth2_identity)
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            project: "demo".to_owned(),
            keys: Vec::new(),
            session_duration: DEFAULT_SESSION_DURATION,
            rate_limit: true,
            port: 0,
            max_body_bytes: 1024 * 1024,
            oauth2_auto_approve: false,
            oauth2_identity: DEFAULT_OAUTH2_IDENTITY.to_owned(),
        }
    }
}

impl EmulatorBuilder {
    /// The project id requests must name in `X-Appwrite-Project` (default `demo`).
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.project = project.into();
        self
    }

    /// Accepts `key` as an API key with the scopes `users.read`, `users.write` and
    /// `sessions.write`. May be called more than once.
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.api_key_with_scopes(key, FULL_SCOPES)
    }

    /// Accepts `key` as an API key with exactly these scopes, e.g. `["users.read"]`.
    pub fn api_key_with_scopes<S: Into<String>>(
        mut self,
        key: impl Into<String>,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.keys
            .push((key.into(), scopes.into_iter().map(Into::into).collect()));
        self
    }

    /// How long new sessions last (default 31,536,000 s, one year, as in Appwrite).
    pub fn session_duration(mut self, duration: Duration) -> Self {
        self.session_duration = duration;
        self
    }

    /// Whether `POST /v1/account/sessions/token` is limited to 10 requests per hour per IP and
    /// user id (default on, as in Appwrite). Requests with an API key are never limited.
    pub fn rate_limit(mut self, enabled: bool) -> Self {
        self.rate_limit = enabled;
        self
    }

    /// The port to listen on, on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The largest request body accepted (default 1 MiB); larger ones get a 413 error.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Whether the mock OAuth2 provider (`mock`) approves every sign-in at once, as the
    /// [identity](Self::oauth2_identity), instead of showing its consent page (default off).
    pub fn oauth2_auto_approve(mut self, enabled: bool) -> Self {
        self.oauth2_auto_approve = enabled;
        self
    }

    /// The email the mock OAuth2 provider signs in as (default `mock-user@example.com`): at once
    /// with [auto-approve](Self::oauth2_auto_approve), else as the consent page's suggestion.
    /// The user with this email is created on first sign-in.
    pub fn oauth2_identity(mut self, email: impl Into<String>) -> Self {
        self.oauth2_identity = email.into();
        self
    }

    /// Binds the port and starts serving on the current Tokio runtime. A multi-thread runtime
    /// lets the emulator and its clients run in parallel.
    pub async fn start(self) -> Result<Emulator, StartError> {
        if ID::validate_custom(&self.project).is_err() {
            return Err(StartError::InvalidProject(self.project));
        }
        let mut keys = HashMap::new();
        for (key, scopes) in self.keys {
            if key.is_empty() {
                return Err(StartError::EmptyApiKey);
            }
            keys.insert(key, Arc::new(scopes.into_iter().collect::<HashSet<_>>()));
        }
        let config = Config {
            project: self.project,
            keys,
            session_duration: self.session_duration,
            rate_limit: self.rate_limit,
            max_body_bytes: self.max_body_bytes,
            oauth2_auto_approve: self.oauth2_auto_approve,
            oauth2_identity: self.oauth2_identity,
        };
        let shared = Arc::new(Shared::new(config).map_err(|_| StartError::Random)?);
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))
            .await
            .map_err(|source| StartError::Bind {
                port: self.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            port: self.port,
            source,
        })?;
        let app = crate::routes::router(Arc::clone(&shared))
            .into_make_service_with_connect_info::<SocketAddr>();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                // A dropped sender means the handle is gone: stop as well.
                let _ = stopped.await;
            });
            // An accept-loop error cannot be reported anywhere useful; the handle sees the
            // server gone when requests fail.
            let _ = serve.await;
        });
        Ok(Emulator {
            endpoint: format!("http://{addr}/v1"),
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server (in-flight requests finish first); call
/// [`shutdown`](Self::shutdown) to wait until it has stopped.
pub struct Emulator {
    endpoint: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint)
            .field("project", &self.shared.config.project)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// A builder with Appwrite's defaults: project `demo`, no API keys, one-year sessions, rate
    /// limit on, any free port, 1 MiB bodies; the mock OAuth2 provider shows its consent page.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The API endpoint, `http://127.0.0.1:PORT/v1`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The project id.
    pub fn project(&self) -> &str {
        &self.shared.config.project
    }

    /// Moves the emulator's clock forward. Every expiry (tokens, sessions, JWTs, rate-limit
    /// windows) is judged by this clock, so tests can expire things without waiting.
    pub fn advance_time(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// The emulator's current time (real time plus every [`advance_time`](Self::advance_time)).
    pub fn now(&self) -> SystemTime {
        self.shared.clock.now()
    }

    /// Every email code, magic link and SMS code "sent" so far, oldest first.
    pub fn outbox(&self) -> Vec<OutboxMessage> {
        self.shared.outbox()
    }

    /// How many users exist.
    pub fn user_count(&self) -> usize {
        self.shared.store().users.len()
    }

    /// How many sessions `user_id` has (expired ones included until deleted), or `None` when
    /// the user does not exist.
    pub fn session_count(&self, user_id: &str) -> Option<usize> {
        self.shared
            .store()
            .users
            .get(user_id)
            .map(|u| u.sessions.len())
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the server.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
