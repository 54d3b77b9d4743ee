//! Starting and stopping the emulator: [`EmulatorBuilder`] and the running [`Emulator`].

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use appwrite_models::ID;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::outbox::OutboxMessage;
use crate::persist;
use crate::state::Shared;

/// The scopes [`EmulatorBuilder::api_key`] grants.
pub const FULL_SCOPES: [&str; 3] = ["users.read", "users.write", "sessions.write"];

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
    /// The address could not be bound.
    #[error("could not listen on {host}:{port}")]
    Bind {
        /// The address asked for.
        host: IpAddr,
        /// The port asked for (0 for any free port).
        port: u16,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random source failed (needed for the JWT signing key).
    #[error("the operating system's random source failed")]
    Random,
    /// The state file could not be read, is not one the emulator wrote, or could have been
    /// planted by another user (the source says which, and the fix).
    #[error("the state file cannot be used")]
    State(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The public URL is not an `http` or `https` URL with a host.
    #[error(
        "invalid public URL {0:?}: give the emulator's address as browsers reach it, such as https://appwrite.test"
    )]
    InvalidPublicUrl(String),
}

/// Configures an [`Emulator`]; see [`Emulator::builder`]. Its `Debug` never shows the API keys.
#[derive(Clone, Debug)]
#[must_use]
pub struct EmulatorBuilder {
    /// What the running emulator is configured with.
    config: Config,
    /// What only starting it needs: where to listen, what to log and save, and the public URL
    /// as given (checked at start).
    host: IpAddr,
    port: u16,
    log_requests: bool,
    state_file: Option<PathBuf>,
    save_every: Duration,
    public_url: Option<String>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            config: Config::default(),
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            log_requests: false,
            state_file: None,
            save_every: Duration::from_secs(30),
            public_url: None,
        }
    }
}

impl EmulatorBuilder {
    /// The project id requests must name in `X-Appwrite-Project` (default `demo`).
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.config.project = project.into();
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
        self.config.keys.insert(
            key.into(),
            Arc::new(scopes.into_iter().map(Into::into).collect()),
        );
        self
    }

    /// How long new sessions last (default 31,536,000 s, one year, as in Appwrite).
    pub fn session_duration(mut self, duration: Duration) -> Self {
        self.config.session_duration = duration;
        self
    }

    /// Whether Appwrite's per-route rate limits apply (default on): 10 logins per hour per IP and
    /// user id, 10 email or phone codes per hour per address and per IP, and the others Appwrite
    /// sets. Requests with an API key are never limited; the `X-RateLimit-*` headers are sent
    /// either way.
    pub fn rate_limit(mut self, enabled: bool) -> Self {
        self.config.rate_limit = enabled;
        self
    }

    /// The port to listen on (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to listen on (default 127.0.0.1). Anything but a loopback address makes the
    /// emulator, its API keys' powers and its outbox reachable from other machines.
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// Registers a platform host name (`localhost`, `app.example.com`, `*.example.com`): requests
    /// with an `Origin` on it are answered with CORS headers, and magic-URL (and OAuth2) redirects
    /// may point to it. `localhost` and `127.0.0.1` are registered from the start. A request
    /// without an API key from any other `Origin` gets 403 `general_unknown_origin`, as in
    /// Appwrite.
    pub fn platform(mut self, host: impl Into<String>) -> Self {
        self.config.platforms.add_host(&host.into());
        self
    }

    /// Whether the client address comes from `X-Forwarded-For`, and the public host (see
    /// [`public_url`](Self::public_url)) from `X-Forwarded-Host` and `X-Forwarded-Proto` (default
    /// off: the peer address and the configured host). Turn it on only behind a proxy you run, or
    /// anyone can pick the address and host rate limits count.
    pub fn trust_proxy(mut self, trust: bool) -> Self {
        self.config.trust_proxy = trust;
        self
    }

    /// Whether email and SMS "delivery" (to the outbox) is configured (default on). Off, email and
    /// magic-URL tokens answer 503 `general_smtp_disabled` and phone tokens 503
    /// `general_phone_disabled`, as a self-hosted Appwrite without SMTP or SMS provider does.
    pub fn messaging(mut self, enabled: bool) -> Self {
        self.config.messaging = enabled;
        self
    }

    /// The most users the emulator holds (default 100,000); creating more is refused with 400
    /// `user_count_exceeded`.
    pub fn max_users(mut self, max: usize) -> Self {
        self.config.limits.max_users = max;
        self
    }

    /// The most outbox messages kept (default 10,000); tokens that would add more are refused
    /// with a 500 saying so until the outbox is reset.
    pub fn max_outbox(mut self, max: usize) -> Self {
        self.config.limits.max_outbox = max;
        self
    }

    /// The most rate-limit keys counted at once (default 100,000); a request needing a new key
    /// beyond it gets a 429 saying so until a window ends.
    pub fn max_rate_limit_keys(mut self, max: usize) -> Self {
        self.config.limits.max_rate_limit_keys = max;
        self
    }

    /// The most sessions a user keeps (default 0: no cap, as a project made on Appwrite 1.9.6
    /// has `maxSessions` 0). With a cap, signing in beyond it deletes the user's oldest
    /// sessions, as Appwrite's `session` hook does for a project with `maxSessions` set.
    pub fn max_sessions(mut self, max: usize) -> Self {
        self.config.max_sessions = max;
        self
    }

    /// The emulator's address as browsers and mail readers reach it (default: the address it
    /// listens on, `http://127.0.0.1:PORT`), such as `https://appwrite.test` behind a proxy:
    /// magic-URL links without a `url` point there, and rate limits count per this host. Request
    /// headers (`Host`, `X-Forwarded-Host`) never choose it, except `X-Forwarded-Host` and
    /// `X-Forwarded-Proto` with [`trust_proxy`](Self::trust_proxy).
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// How long a request body may take to arrive (default 10 s); a slower one gets a 408.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.body_timeout = timeout;
        self
    }

    /// Keeps users, tokens, sessions and the clock offset in `path` (JSON; secret hashes only, but
    /// for MFA's TOTP secrets and recovery codes, which must be read back as they are):
    /// loaded at start when the file exists, saved atomically every 30 seconds and on shutdown
    /// (or drop). Without it, everything lives in memory only.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// How often the [`state_file`](Self::state_file) is saved while running (default 30 s).
    pub fn state_save_interval(mut self, every: Duration) -> Self {
        self.save_every = every;
        self
    }

    /// Logs one line per request (method, path, status, time) through `tracing` (default off;
    /// the binary turns it on unless `--quiet`).
    pub fn log_requests(mut self, enabled: bool) -> Self {
        self.log_requests = enabled;
        self
    }

    /// The largest request body accepted (default 1 MiB); larger ones get a 413 error.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.config.max_body_bytes = bytes;
        self
    }

    /// Whether the mock OAuth2 provider (`mock`) approves every sign-in at once, as the
    /// [identity](Self::oauth2_identity), instead of showing its consent page (default off).
    pub fn oauth2_auto_approve(mut self, enabled: bool) -> Self {
        self.config.oauth2_auto_approve = enabled;
        self
    }

    /// The email the mock OAuth2 provider signs in as (default `mock-user@example.com`): at once
    /// with [auto-approve](Self::oauth2_auto_approve), else as the consent page's suggestion.
    /// The user with this email is created on first sign-in.
    pub fn oauth2_identity(mut self, email: impl Into<String>) -> Self {
        self.config.oauth2_identity = email.into();
        self
    }

    /// Binds the port and starts serving on the current Tokio runtime. A multi-thread runtime
    /// lets the emulator and its clients run in parallel.
    pub async fn start(self) -> Result<Emulator, StartError> {
        if ID::validate_custom(&self.config.project).is_err() {
            return Err(StartError::InvalidProject(self.config.project));
        }
        if self.config.keys.contains_key("") {
            return Err(StartError::EmptyApiKey);
        }
        let public_url = match &self.public_url {
            Some(text) => Some(parse_public_url(text)?),
            None => None,
        };
        let bind_error = |source| StartError::Bind {
            host: self.host,
            port: self.port,
            source,
        };
        let listener = tokio::net::TcpListener::bind((self.host, self.port))
            .await
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let public_url = match public_url {
            Some(url) => url,
            None => parse_public_url(&format!("http://{addr}"))?,
        };
        let mut config = self.config;
        config.platforms.set_project(&config.project);
        let shared = Arc::new(Shared::new(config, public_url).map_err(|_| StartError::Random)?);
        if let Some(path) = &self.state_file {
            persist::load(&shared, path).map_err(|e| StartError::State(Box::new(e)))?;
        }
        let app = crate::routes::router(Arc::clone(&shared), self.log_requests)
            .into_make_service_with_connect_info::<SocketAddr>();
        let saver = self.state_file.clone().map(|path| {
            tokio::spawn(save_periodically(
                Arc::clone(&shared),
                path,
                self.save_every,
            ))
        });
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
            state_file: self.state_file,
            saver,
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
    state_file: Option<PathBuf>,
    saver: Option<JoinHandle<()>>,
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

    /// Forgets every user, token, session, outbox message and rate-limit count, as
    /// `POST /v1/emulator/reset` does; the configuration, the clock and the JWT key stay.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Whether `url` may be used as a redirect: its host is a registered platform (or its scheme
    /// is the project's `appwrite-callback-<project>` or `exp`), as Appwrite's `Redirect`
    /// validator decides for magic-URL and OAuth2 redirects. The host is the one `url::Url`
    /// parses, the one a browser follows (for `http://evil.example\@localhost/` that is
    /// `evil.example`, where Appwrite's `parse_url` sees `localhost`).
    pub fn is_registered_platform(&self, url: &str) -> bool {
        self.shared.is_registered_platform(url)
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
        self.save_state();
    }

    /// Saves the state file now, if there is one; a failure is logged, not fatal.
    fn save_state(&mut self) {
        if let Some(saver) = self.saver.take() {
            saver.abort();
        }
        if let Some(path) = self.state_file.take() {
            if let Err(error) = persist::save(&self.shared, &path) {
                tracing::warn!(error = %error, "appwrite-emulator: saving the state failed");
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.save_state();
    }
}

/// An `http`/`https` URL with a host, reduced to its origin (`scheme://host[:port]/`).
fn parse_public_url(text: &str) -> Result<url::Url, StartError> {
    let invalid = || StartError::InvalidPublicUrl(text.to_owned());
    let url = url::Url::parse(text).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid());
    }
    url::Url::parse(&url.origin().ascii_serialization()).map_err(|_| invalid())
}

async fn save_periodically(shared: Arc<Shared>, path: PathBuf, every: Duration) {
    // A zero period would make `interval` panic: save at most every millisecond.
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(1)));
    ticks.tick().await; // the first tick is immediate
    loop {
        ticks.tick().await;
        let (shared, path) = (Arc::clone(&shared), path.clone());
        let saved = tokio::task::spawn_blocking(move || persist::save(&shared, &path)).await;
        if let Ok(Err(error)) = saved {
            tracing::warn!(error = %error, "appwrite-emulator: saving the state failed");
        }
    }
}
