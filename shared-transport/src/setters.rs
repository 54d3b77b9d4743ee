//! [`http_config_setters!`]: the connection setters both SDKs' client builders share.

/// Defines the connection setters of an SDK's `ClientBuilder`, each forwarding to the
/// builder's field `http: HttpConfig`: `endpoint`, `project`, `locale`, `user_agent`,
/// `self_signed`, `connect_timeout`, `read_timeout`, `timeout`, `http_client`, `retry_policy` and
/// `max_response_bytes`.
///
/// Call it inside the builder's `impl` block; the setters that differ between the SDKs (an API
/// key, a session store, an `Origin`, …) stay hand-written beside it. `sdk` is the default
/// user agent's product name and `secret` names what a TLS or redirect mistake would expose, both
/// only for the generated docs. The docs link to `crate::RetryPolicy`, so the calling crate
/// re-exports [`RetryPolicy`](crate::RetryPolicy) at its root.
///
/// ```
/// use appwrite_transport::HttpConfig;
///
/// /// A client builder.
/// #[derive(Debug, Default)]
/// pub struct ClientBuilder {
///     http: HttpConfig,
/// }
///
/// impl ClientBuilder {
///     appwrite_transport::http_config_setters! {
///         sdk = "appwrite-rust-example",
///         secret = "the API key",
///     }
/// }
///
/// let builder = ClientBuilder::default()
///     .endpoint("https://appwrite.example.com/v1")
///     .project("demo")
///     .read_timeout(std::time::Duration::from_secs(5));
/// assert!(builder.http.has_endpoint() && builder.http.has_project());
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! http_config_setters {
    (sdk = $sdk:literal, secret = $secret:literal $(,)?) => {
        /// The API endpoint, including the version path: `https://cloud.appwrite.io/v1` or
        /// `https://appwrite.example.com/v1`. Required.
        pub fn endpoint(
            mut self,
            endpoint: impl ::core::convert::Into<::std::string::String>,
        ) -> Self {
            self.http = self.http.endpoint(endpoint);
            self
        }

        /// The project id, sent as `X-Appwrite-Project`. Required.
        pub fn project(
            mut self,
            project: impl ::core::convert::Into<::std::string::String>,
        ) -> Self {
            self.http = self.http.project(project);
            self
        }

        /// The locale of Appwrite's messages (`X-Appwrite-Locale`), e.g. `en` or `de`.
        pub fn locale(
            mut self,
            locale: impl ::core::convert::Into<::std::string::String>,
        ) -> Self {
            self.http = self.http.locale(locale);
            self
        }

        #[doc = concat!(
            "Replaces the default `user-agent` (`", $sdk, "/<version> (<os>; <arch>)`)."
        )]
        pub fn user_agent(
            mut self,
            user_agent: impl ::core::convert::Into<::std::string::String>,
        ) -> Self {
            self.http = self.http.user_agent(user_agent);
            self
        }

        #[doc = concat!(
            "Accepts self-signed and otherwise invalid TLS certificates. Off by default; turn it ",
            "on only for a development server, never in production: anyone between you and the ",
            "server could then read ", $secret, "."
        )]
        pub fn self_signed(mut self, accept: bool) -> Self {
            self.http = self.http.self_signed(accept);
            self
        }

        /// Time allowed to open a connection, TCP and TLS (default 10 s).
        pub fn connect_timeout(mut self, timeout: ::core::time::Duration) -> Self {
            self.http = self.http.connect_timeout(timeout);
            self
        }

        /// Time allowed between two reads of a response (default 30 s).
        pub fn read_timeout(mut self, timeout: ::core::time::Duration) -> Self {
            self.http = self.http.read_timeout(timeout);
            self
        }

        /// A limit on each whole attempt, from sending to the last byte of the body (default
        /// 60 s), so a server that trickles its answer cannot hold a call.
        pub fn timeout(mut self, timeout: ::core::time::Duration) -> Self {
            self.http = self.http.timeout(timeout);
            self
        }

        /// Removes the limit on each whole attempt: only the connect and read timeouts then
        /// bound a call.
        pub fn no_timeout(mut self) -> Self {
            self.http = self.http.no_timeout();
            self
        }

        /// Sends requests through `proxy` (add several for different schemes). Without one, the
        /// standard `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` variables are
        /// honoured.
        pub fn proxy(mut self, proxy: $crate::reqwest::Proxy) -> Self {
            self.http = self.http.proxy(proxy);
            self
        }

        /// Ignores the proxy environment variables: connect directly unless
        /// [`proxy`](Self::proxy) says otherwise.
        pub fn no_proxy(mut self) -> Self {
            self.http = self.http.no_proxy();
            self
        }

        #[doc = concat!(
            "Uses this `reqwest::Client` as it is (for custom root certificates, …) ",
            "instead of building one. Its own settings then apply: the connect and read timeouts, ",
            "proxies and `self_signed` set here are not used (the attempt `timeout` still is). ",
            "Build it with `redirect(reqwest::redirect::Policy::none())`: a redirect it follows ",
            "is refused once seen, but by then ", $secret, " went to the other host. Build it ",
            "without a cookie store too (the SDK attaches its credentials itself)."
        )]
        pub fn http_client(mut self, client: $crate::reqwest::Client) -> Self {
            self.http = self.http.http_client(client);
            self
        }

        /// When failed requests are tried again (see [`RetryPolicy`](crate::RetryPolicy)). On
        /// by default: bounded retries for idempotent requests and for 429/503, honouring
        /// `Retry-After`; a `POST` that may have reached the server is never sent again.
        /// [`RetryPolicy::disabled()`](crate::RetryPolicy::disabled) turns retries off.
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.http = self.http.retry_policy(policy);
            self
        }

        /// The largest response body read (default 4 MiB, far above any Appwrite answer); a
        /// longer one fails the request with a transport error.
        pub fn max_response_bytes(mut self, limit: usize) -> Self {
            self.http = self.http.max_response_bytes(limit);
            self
        }
    };
}
