//! The settings both SDKs' builders share, and how they become a [`Transport`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::SecretString;

use appwrite_models::headers::{LOCALE_HEADER, Platform, every_byte};
use appwrite_models::protocol::MAX_RESPONSE_BYTES;

use crate::error::{BoxError, ConfigError};
use crate::retry::RetryPolicy;
use crate::transport::{Inner, Transport};

/// Default time allowed to open a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed between two reads of a response.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit on one whole attempt, from sending to the last byte of the body: a server that
/// trickles a byte every few seconds cannot hold a call past it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The limit on one whole attempt.
#[derive(Clone, Copy, Debug, Default)]
enum AttemptTimeout {
    #[default]
    Default,
    Set(Duration),
    Off,
}

impl AttemptTimeout {
    fn get(self) -> Option<Duration> {
        match self {
            Self::Default => Some(DEFAULT_TIMEOUT),
            Self::Set(limit) => Some(limit),
            Self::Off => None,
        }
    }
}

/// Connection settings shared by both SDKs' client builders. Setters never fail; [`build`]
/// checks everything.
///
/// [`build`]: HttpConfig::build
#[derive(Clone, Default)]
pub struct HttpConfig {
    endpoint: Option<String>,
    project: Option<String>,
    locale: Option<String>,
    user_agent: Option<String>,
    self_signed: bool,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    timeout: AttemptTimeout,
    http_client: Option<reqwest::Client>,
    proxies: Vec<reqwest::Proxy>,
    no_proxy: bool,
    retry: RetryPolicy,
    max_response_bytes: Option<usize>,
    /// The variables [`from_env`](Self::from_env) found no endpoint and no project in.
    missing_env: [Option<&'static str>; 2],
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("endpoint", &self.endpoint)
            .field("project", &self.project)
            .field("locale", &self.locale)
            .field("self_signed", &self.self_signed)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("timeout", &self.timeout.get())
            .field("custom_http_client", &self.http_client.is_some())
            // A proxy URL may hold a password: only say how many there are.
            .field("proxies", &self.proxies.len())
            .field("no_proxy", &self.no_proxy)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// A header an SDK adds to every request, checked at build time.
#[derive(Debug)]
pub struct FixedHeader {
    /// The setting's name, for error messages (`api_key`, `origin`).
    pub setting: &'static str,
    /// Header name.
    pub name: HeaderName,
    /// Header value; for a sensitive header, it is also redacted from error messages.
    pub value: SecretString,
    /// Whether the value is a secret.
    pub sensitive: bool,
}

impl HttpConfig {
    /// The API endpoint, e.g. `https://cloud.appwrite.io/v1`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The project id (`X-Appwrite-Project`).
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.project = Some(project.into());
        self
    }

    /// The locale for Appwrite's messages (`X-Appwrite-Locale`), e.g. `en` or `de`.
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = Some(locale.into());
        self
    }

    /// Replaces the default `user-agent`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Accepts self-signed and otherwise invalid TLS certificates. Only for a development server.
    pub fn self_signed(mut self, accept: bool) -> Self {
        self.self_signed = accept;
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed between two reads of a response (default 30 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// A limit on each whole attempt, from sending to the last byte of the body (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = AttemptTimeout::Set(timeout);
        self
    }

    /// Removes the limit on each whole attempt: only the connect and read timeouts then bound a
    /// call, and a server that trickles its answer can hold it for as long as it keeps sending.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = AttemptTimeout::Off;
        self
    }

    /// Sends requests through `proxy` (add several for different schemes). Without one, the
    /// standard `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` variables are honoured.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxies.push(proxy);
        self
    }

    /// Ignores the proxy environment variables: connect directly unless [`proxy`](Self::proxy)
    /// says otherwise.
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// Uses this `reqwest::Client` as it is, instead of building one. Its own settings then apply:
    /// the connect and read timeouts, proxies, self-signed and redirect settings here are not
    /// used (the attempt [`timeout`](Self::timeout) still is). A redirect it follows is refused
    /// once seen, but by then the credentials were sent to the other host: build it with
    /// `redirect(reqwest::redirect::Policy::none())`.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The retry policy (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body read (default 4 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Whether an endpoint has been set (even an empty or invalid one: [`build`](Self::build)
    /// checks it).
    pub fn has_endpoint(&self) -> bool {
        self.endpoint.is_some()
    }

    /// Endpoint and project read through `lookup` (the process environment, in an SDK's
    /// `from_env`): each from the first of its variables that holds more than whitespace,
    /// trimmed (a newline left by a secrets file). A setting found nowhere is remembered by the
    /// first of its names, for [`missing_env`](Self::missing_env).
    pub fn from_env(
        lookup: &dyn Fn(&str) -> Option<String>,
        endpoint: &[&'static str],
        project: &[&'static str],
    ) -> Self {
        let mut config = Self::default();
        match env_value(lookup, endpoint) {
            Some(value) => config = config.endpoint(value),
            None => config.missing_env[0] = endpoint.first().copied(),
        }
        match env_value(lookup, project) {
            Some(value) => config = config.project(value),
            None => config.missing_env[1] = project.first().copied(),
        }
        config
    }

    /// The variable [`from_env`](Self::from_env) missed for a setting that has not been given
    /// since, endpoint first: what `build()` reports as `ConfigError::MissingEnv`.
    pub fn missing_env(&self) -> Option<&'static str> {
        let [endpoint, project] = self.missing_env;
        endpoint
            .filter(|_| !self.has_endpoint())
            .or_else(|| project.filter(|_| !self.has_project()))
    }

    /// Whether a project id has been set (even an empty one: [`build`](Self::build) checks it).
    pub fn has_project(&self) -> bool {
        self.project.is_some()
    }

    /// Checks the settings and builds the transport: endpoint and project are required; the
    /// project and every fixed header must be visible ASCII.
    pub fn build(
        self,
        platform: Platform,
        sdk_version: &str,
        fixed: Vec<FixedHeader>,
    ) -> Result<Transport, ConfigError> {
        use secrecy::ExposeSecret as _;

        let endpoint = self.endpoint.ok_or(ConfigError::Missing("endpoint"))?;
        let endpoint = crate::memo::endpoint(endpoint.trim()).map_err(ConfigError::Endpoint)?;
        let project = self.project.ok_or(ConfigError::Missing("project"))?;
        if project.is_empty() {
            return Err(ConfigError::Missing("project"));
        }

        let mut headers = crate::memo::project_headers(
            platform,
            sdk_version,
            &header_value("project", &project, false)?,
        );
        if let Some(locale) = &self.locale {
            headers.insert(
                HeaderName::from_static(LOCALE_HEADER),
                header_value("locale", locale, false)?,
            );
        }
        if let Some(agent) = &self.user_agent {
            headers.insert(
                reqwest::header::USER_AGENT,
                header_value("user_agent", agent, false)?,
            );
        }
        let mut redact = Vec::new();
        for header in fixed {
            let value = header.value.expose_secret();
            headers.insert(
                header.name,
                header_value(header.setting, value, header.sensitive)?,
            );
            if header.sensitive {
                // As the server reads it: a header value's surrounding spaces are not part of it.
                redact.push(SecretString::from(value.trim()));
            }
        }

        let custom_client = self.http_client.is_some();
        let http = match self.http_client {
            Some(client) => client,
            None if endpoint.as_url().scheme() == "https" && !TLS_BUILT_IN => {
                // Caught here rather than surfacing at the first call as a connect error.
                return Err(ConfigError::NoTls("an https:// endpoint"));
            }
            None => build_http_client(ClientSettings {
                connect: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                read: self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT),
                self_signed: self.self_signed,
                proxies: self.proxies,
                no_proxy: self.no_proxy,
            })?,
        };

        Ok(Transport {
            inner: Arc::new(Inner {
                http,
                endpoint,
                project,
                headers,
                retry: self.retry,
                timeout: self.timeout.get(),
                custom_client,
                max_response_bytes: self.max_response_bytes.unwrap_or(MAX_RESPONSE_BYTES),
                redact,
                platform,
            }),
        })
    }
}

/// The first of `names` that `lookup` finds holding more than whitespace, trimmed.
pub fn env_value(lookup: &dyn Fn(&str) -> Option<String>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        lookup(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    })
}

/// A header value that is visible ASCII only, so it can be neither split into two headers nor
/// re-encoded by a proxy; sensitive values are marked so `Debug` of the request hides them.
pub fn header_value(
    setting: &'static str,
    value: &str,
    sensitive: bool,
) -> Result<HeaderValue, ConfigError> {
    if value.is_empty() || !every_byte(value.as_bytes(), |b| (b' '..=b'~').contains(&b)) {
        return Err(ConfigError::InvalidHeaderValue(setting));
    }
    let mut header =
        HeaderValue::from_str(value).map_err(|_| ConfigError::InvalidHeaderValue(setting))?;
    header.set_sensitive(sensitive);
    Ok(header)
}

/// What the `reqwest::Client` we build is made of.
struct ClientSettings {
    connect: Duration,
    read: Duration,
    self_signed: bool,
    proxies: Vec<reqwest::Proxy>,
    no_proxy: bool,
}

fn build_http_client(settings: ClientSettings) -> Result<reqwest::Client, ConfigError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(settings.connect)
        .read_timeout(settings.read)
        // A redirect would carry the API key or session to wherever it points.
        .redirect(reqwest::redirect::Policy::none());
    if settings.no_proxy {
        builder = builder.no_proxy();
    }
    for proxy in settings.proxies {
        builder = builder.proxy(proxy);
    }
    let builder = accept_invalid_certs(builder, settings.self_signed)?;
    builder
        .build()
        .map_err(|e| ConfigError::HttpClient(Box::new(e) as BoxError))
}

/// Whether this build has a TLS backend (the `rustls` or `native-tls` feature).
const TLS_BUILT_IN: bool = cfg!(any(feature = "rustls", feature = "native-tls"));

#[cfg(any(feature = "rustls", feature = "native-tls"))]
#[allow(clippy::unnecessary_wraps)] // fallible only without a TLS backend
fn accept_invalid_certs(
    builder: reqwest::ClientBuilder,
    self_signed: bool,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder.tls_danger_accept_invalid_certs(self_signed))
}

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
fn accept_invalid_certs(
    builder: reqwest::ClientBuilder,
    self_signed: bool,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    if self_signed {
        Err(ConfigError::NoTls("self_signed"))
    } else {
        Ok(builder)
    }
}
