//! Client configuration: the builder, the environment, and the shared request path.

use std::fmt;
use std::time::Duration;

use appwrite_models::ApiKey;
use appwrite_models::headers::KEY_HEADER;
use appwrite_models::headers::Platform;
use appwrite_transport::reqwest::header::HeaderName;
use appwrite_transport::{
    ConfigError, FixedHeader, HttpConfig, InvalidInput, Request, RetryPolicy, Transport, env_value,
    reqwest,
};
use secrecy::SecretString;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::future::ResponseFuture;

/// `APPWRITE_ENDPOINT`: the API endpoint, e.g. `https://cloud.appwrite.io/v1`.
const ENV_ENDPOINT: &str = "APPWRITE_ENDPOINT";
/// `APPWRITE_PROJECT_ID`: the project id.
const ENV_PROJECT_ID: &str = "APPWRITE_PROJECT_ID";
/// `APPWRITE_API_KEY`: the API key.
const ENV_API_KEY: &str = "APPWRITE_API_KEY";
/// `APPWRITE_FUNCTION_API_ENDPOINT`: the endpoint the Appwrite Functions runtime provides, used
/// when [`ENV_ENDPOINT`] is not set.
const ENV_FUNCTION_ENDPOINT: &str = "APPWRITE_FUNCTION_API_ENDPOINT";
/// `APPWRITE_FUNCTION_PROJECT_ID`: the project id the Appwrite Functions runtime provides, used
/// when [`ENV_PROJECT_ID`] is not set.
const ENV_FUNCTION_PROJECT_ID: &str = "APPWRITE_FUNCTION_PROJECT_ID";

/// A configured connection to one Appwrite project, authenticated with an API key.
///
/// Build it once with [`Client::builder`] or [`Client::from_env`] and share it: it is cheap to
/// clone (an `Arc` inside), `Send + Sync`, and immutable, so clones all use the same settings and
/// no clone can change another. You do not need to wrap it in an `Arc`.
///
/// `Debug` shows the endpoint, project and retry policy, never the API key.
#[derive(Clone)]
pub struct Client {
    transport: Transport,
    /// The same connection without the API key, for [`Client::as_user`].
    pub(crate) user_transport: Transport,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint())
            .field("project", &self.project())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with nothing set. [`endpoint`](ClientBuilder::endpoint),
    /// [`project`](ClientBuilder::project) and [`api_key`](ClientBuilder::api_key) are required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `APPWRITE_ENDPOINT` (else the Functions
    /// runtime's `APPWRITE_FUNCTION_API_ENDPOINT`), `APPWRITE_PROJECT_ID` (else
    /// `APPWRITE_FUNCTION_PROJECT_ID`) and `APPWRITE_API_KEY`, with every other setting at its
    /// default.
    ///
    /// A variable that is missing or empty is an error that names it
    /// ([`ConfigError::MissingEnv`]); leading and trailing whitespace (a newline left by a secrets
    /// file) is trimmed. Use [`builder_from_env`](Self::builder_from_env) to change other settings.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), appwrite_server::Error> {
    /// let client = appwrite_server::Client::from_env()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::builder_from_env().build()
    }

    /// A builder holding what [`from_env`](Self::from_env) reads, to set further options on. A
    /// missing variable is reported by [`build`](ClientBuilder::build), unless the setting has
    /// been given explicitly by then.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// # fn run() -> Result<(), appwrite_server::Error> {
    /// let client = appwrite_server::Client::builder_from_env()
    ///     .read_timeout(Duration::from_secs(5))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder_from_env() -> ClientBuilder {
        ClientBuilder::from_lookup(|name| {
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        })
    }

    /// The endpoint requests go to, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        self.transport.endpoint().as_str()
    }

    /// The project id.
    pub fn project(&self) -> &str {
        self.transport.project()
    }

    /// Sends `request` and decodes the JSON answer.
    pub(crate) fn json<T>(&self, request: Request) -> ResponseFuture<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.transport.json_future(Ok(request))
    }

    /// [`json`](Self::json) for a request built from checked arguments: one that was refused
    /// fails at once, before anything is sent.
    pub(crate) fn try_json<T>(
        &self,
        request: std::result::Result<Request, InvalidInput>,
    ) -> ResponseFuture<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.transport.json_future(request)
    }

    /// Sends `request` whose answer has no body (204).
    pub(crate) fn empty(&self, request: Request) -> ResponseFuture<()> {
        self.transport.empty_future(request)
    }

    #[cfg(test)]
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }
}

/// Settings for a [`Client`]. Setters never fail; [`build`](Self::build) checks everything.
///
/// `Debug` never shows the API key.
///
/// ```
/// use std::time::Duration;
/// use appwrite_server::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .endpoint("https://appwrite.example.com/v1")
///     .project("my-project")
///     .api_key("standard_0123")
///     .locale("de")
///     .connect_timeout(Duration::from_secs(3))
///     .read_timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().max_retries(4))
///     .build()?;
/// assert_eq!(client.project(), "my-project");
/// # Ok::<(), appwrite_server::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct ClientBuilder {
    http: HttpConfig,
    api_key: Option<ApiKey>,
    /// `APPWRITE_API_KEY`, when [`Client::builder_from_env`] found it unset.
    missing_api_key: Option<&'static str>,
}

impl ClientBuilder {
    /// Reads the environment through `lookup` (the process environment for
    /// [`Client::builder_from_env`]).
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut builder = Self {
            http: HttpConfig::from_env(
                &lookup,
                &[ENV_ENDPOINT, ENV_FUNCTION_ENDPOINT],
                &[ENV_PROJECT_ID, ENV_FUNCTION_PROJECT_ID],
            ),
            ..Self::default()
        };
        match env_value(&lookup, &[ENV_API_KEY]) {
            Some(key) => builder = builder.api_key(key),
            None => builder.missing_api_key = Some(ENV_API_KEY),
        }
        builder
    }

    /// The API endpoint, including the version path: `https://cloud.appwrite.io/v1` or
    /// `https://appwrite.example.com/v1`. Required; [`build`](Self::build) checks it is an
    /// `http://` or `https://` URL without a query, fragment or user info.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.http = self.http.endpoint(endpoint);
        self
    }

    /// The project id, sent as `X-Appwrite-Project`. Required.
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.http = self.http.project(project);
        self
    }

    /// The locale of Appwrite's messages (`X-Appwrite-Locale`), e.g. `en` or `de`.
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.http = self.http.locale(locale);
        self
    }

    /// Replaces the default `user-agent` (`appwrite-rust-server/<version> (<os>; <arch>)`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.http = self.http.user_agent(user_agent);
        self
    }

    /// Accepts self-signed and otherwise invalid TLS certificates. Off by default; turn it on only
    /// for a development server, never in production: anyone between you and the server could
    /// then read the API key.
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

    /// A limit on each whole attempt, from sending to the last byte of the body (default 60 s),
    /// so a server that trickles its answer cannot hold a call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    /// Removes the limit on each whole attempt: only the connect and read timeouts then bound a
    /// call.
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
    /// refused once seen, but by then the API key went to the other host. Build it without a
    /// cookie store too.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = self.http.http_client(client);
        self
    }

    /// When failed requests are tried again (see [`RetryPolicy`]). On by default: bounded retries
    /// for idempotent requests and for a 429 or 503 that asks for one with `Retry-After`; a
    /// `POST` that may have reached the server is never sent again.
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

    /// The API key, sent as `X-Appwrite-Key` (a header marked sensitive). Required. It needs the
    /// `users.read` and `users.write` scopes for [`Users`](crate::Users) (`sessions.write` too
    /// for sessions on Appwrite 1.9).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Fails with [`Error::Config`](crate::Error::Config) when the endpoint, project or API key is missing (or its
    /// environment variable was, see [`Client::builder_from_env`]), when the endpoint is not an
    /// `http://` or `https://` URL, or when the project, key, locale or user agent holds anything
    /// but visible ASCII (a newline, say). The key itself never appears in the error.
    pub fn build(self) -> Result<Client> {
        // A variable that was missing is reported only if the setting was not given since.
        let missing_key = self.missing_api_key.filter(|_| self.api_key.is_none());
        if let Some(name) = self.http.missing_env().or(missing_key) {
            return Err(ConfigError::MissingEnv(name).into());
        }
        let key = self
            .api_key
            .filter(|key| !key.is_empty())
            .ok_or(ConfigError::Missing("api_key"))?;
        let key_header = FixedHeader {
            setting: "api_key",
            name: HeaderName::from_static(KEY_HEADER),
            value: SecretString::from(key.expose_secret().to_owned()),
            sensitive: true,
        };
        let transport = self.http.build(
            Platform::Server,
            env!("CARGO_PKG_VERSION"),
            vec![key_header],
        )?;
        let user_transport = transport.without_default_header(KEY_HEADER);
        Ok(Client {
            transport,
            user_transport,
        })
    }

    /// Builds a [`blocking::Client`](crate::blocking::Client) with these settings and its own
    /// runtime. Its connections live on that runtime: do not hand it an
    /// [`http_client`](Self::http_client) that async code uses too.
    #[cfg(feature = "blocking")]
    pub fn build_blocking(self) -> Result<crate::blocking::Client> {
        crate::blocking::Client::new(self.build()?)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::error::Error;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    fn missing_env(builder: ClientBuilder) -> Option<&'static str> {
        match builder.build() {
            Err(Error::Config(ConfigError::MissingEnv(name))) => Some(name),
            Err(other) => panic!("unexpected error: {other}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn env_reads_the_three_variables() {
        let client = ClientBuilder::from_lookup(lookup(&[
            (ENV_ENDPOINT, "https://appwrite.example.com/v1"),
            (ENV_PROJECT_ID, "demo"),
            (ENV_API_KEY, "standard_env_key\n"),
        ]))
        .build()
        .unwrap();
        assert_eq!(client.endpoint(), "https://appwrite.example.com/v1");
        assert_eq!(client.project(), "demo");
        let key = &client.transport().default_headers()[KEY_HEADER];
        assert_eq!(key, "standard_env_key");
        assert!(key.is_sensitive());
    }

    #[test]
    fn env_falls_back_to_the_functions_runtime() {
        let client = ClientBuilder::from_lookup(lookup(&[
            (ENV_FUNCTION_ENDPOINT, "http://appwrite/v1"),
            (ENV_FUNCTION_PROJECT_ID, "fn-project"),
            (ENV_API_KEY, "k"),
        ]))
        .build()
        .unwrap();
        assert_eq!(client.endpoint(), "http://appwrite/v1");
        assert_eq!(client.project(), "fn-project");

        // The plain variables win over the runtime's.
        let client = ClientBuilder::from_lookup(lookup(&[
            (ENV_ENDPOINT, "http://mine/v1"),
            (ENV_FUNCTION_ENDPOINT, "http://appwrite/v1"),
            (ENV_PROJECT_ID, "mine"),
            (ENV_FUNCTION_PROJECT_ID, "fn-project"),
            (ENV_API_KEY, "k"),
        ]))
        .build()
        .unwrap();
        assert_eq!(client.endpoint(), "http://mine/v1");
        assert_eq!(client.project(), "mine");
    }

    #[test]
    fn a_missing_or_empty_variable_is_named() {
        let all = [
            (ENV_ENDPOINT, "http://x/v1"),
            (ENV_PROJECT_ID, "p"),
            (ENV_API_KEY, "k"),
        ];
        for (i, (name, _)) in all.iter().enumerate() {
            let mut vars = all.to_vec();
            vars.remove(i);
            assert_eq!(
                missing_env(ClientBuilder::from_lookup(lookup(&vars))),
                Some(*name)
            );
            vars.insert(i, (name, "  "));
            assert_eq!(
                missing_env(ClientBuilder::from_lookup(lookup(&vars))),
                Some(*name)
            );
        }
        let err = ClientBuilder::from_lookup(lookup(&[])).build().unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable APPWRITE_ENDPOINT is not set"
        );
    }

    #[test]
    fn an_explicit_setting_replaces_a_missing_variable() {
        let builder = ClientBuilder::from_lookup(lookup(&[(ENV_PROJECT_ID, "p")]))
            .endpoint("http://x/v1")
            .api_key("k");
        assert_eq!(missing_env(builder), None);
    }

    #[test]
    fn the_key_header_is_sensitive_and_the_platform_is_server() {
        let client = Client::builder()
            .endpoint("http://x/v1")
            .project("p")
            .api_key("k")
            .build()
            .unwrap();
        let headers = client.transport().default_headers();
        assert!(headers["x-appwrite-key"].is_sensitive());
        assert!(!headers["x-appwrite-project"].is_sensitive());
        assert_eq!(headers["x-sdk-platform"], "server");
        assert!(headers.get("origin").is_none());
    }
}
