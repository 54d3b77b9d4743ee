//! The settings both SDKs' builders share, and how they become a [`Transport`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::SecretString;

use appwrite_models::headers::{Platform, sdk_headers};
use appwrite_models::protocol::{Endpoint, MAX_RESPONSE_BYTES};

use crate::error::{BoxError, ConfigError};
use crate::retry::RetryPolicy;
use crate::transport::{Inner, Transport};

/// Default time allowed to open a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed between two reads of a response.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

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
    timeout: Option<Duration>,
    http_client: Option<reqwest::Client>,
    retry: RetryPolicy,
    max_response_bytes: Option<usize>,
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
            .field("timeout", &self.timeout)
            .field("custom_http_client", &self.http_client.is_some())
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

    /// A limit on each whole attempt, from sending to the last byte (none by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Uses this `reqwest::Client` as it is, instead of building one. Its own settings then apply:
    /// the timeout, self-signed and redirect settings here are not used, so build it with
    /// `redirect(reqwest::redirect::Policy::none())` to keep credentials from following a redirect.
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
        let endpoint = Endpoint::parse(&endpoint).map_err(ConfigError::Endpoint)?;
        let project = self.project.ok_or(ConfigError::Missing("project"))?;
        if project.is_empty() {
            return Err(ConfigError::Missing("project"));
        }

        let mut headers = sdk_headers(platform, sdk_version);
        headers.insert(
            HeaderName::from_static("x-appwrite-project"),
            header_value("project", &project, false)?,
        );
        if let Some(locale) = &self.locale {
            headers.insert(
                HeaderName::from_static("x-appwrite-locale"),
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
                redact.push(header.value);
            }
        }

        let http = match self.http_client {
            Some(client) => client,
            None => build_http_client(
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT),
                self.self_signed,
            )?,
        };

        Ok(Transport {
            inner: Arc::new(Inner {
                http,
                endpoint,
                project,
                headers,
                retry: self.retry,
                timeout: self.timeout,
                max_response_bytes: self.max_response_bytes.unwrap_or(MAX_RESPONSE_BYTES),
                redact,
                platform,
            }),
        })
    }
}

/// A header value that is visible ASCII only, so it can be neither split into two headers nor
/// re-encoded by a proxy; sensitive values are marked so `Debug` of the request hides them.
pub fn header_value(
    setting: &'static str,
    value: &str,
    sensitive: bool,
) -> Result<HeaderValue, ConfigError> {
    if value.is_empty() || !value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(ConfigError::InvalidHeaderValue(setting));
    }
    let mut header =
        HeaderValue::from_str(value).map_err(|_| ConfigError::InvalidHeaderValue(setting))?;
    header.set_sensitive(sensitive);
    Ok(header)
}

fn build_http_client(
    connect: Duration,
    read: Duration,
    self_signed: bool,
) -> Result<reqwest::Client, ConfigError> {
    let builder = reqwest::Client::builder()
        .connect_timeout(connect)
        .read_timeout(read)
        // A redirect would carry the API key or session to wherever it points.
        .redirect(reqwest::redirect::Policy::none());
    let builder = accept_invalid_certs(builder, self_signed)?;
    builder
        .build()
        .map_err(|e| ConfigError::HttpClient(Box::new(e) as BoxError))
}

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
