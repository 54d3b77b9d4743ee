//! [`ClientBuilder`]: the client's settings, checked once by [`build`](ClientBuilder::build),
//! which restores the saved session.

use std::sync::Arc;
use std::time::Duration;

use appwrite_models::headers::Platform;
use appwrite_transport::reqwest::header::ORIGIN;
use appwrite_transport::{FixedHeader, HttpConfig, InvalidInput, RetryPolicy, reqwest};

use crate::client::{Client, CredentialMode};
use crate::error::Result;
use crate::sessions::Sessions;
use crate::store::memory::MemoryStore;
use crate::store::{ProfileKey, SessionStore};

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
    /// Fails with [`Error::Config`](crate::Error::Config) (missing or invalid endpoint or project, bad header value),
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) (profile name, `auto_extend` share) or [`Error::SessionStore`](crate::Error::SessionStore) (an
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
