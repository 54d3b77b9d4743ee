//! The errors a request can end in.

use std::error::Error as StdError;
use std::fmt;

use appwrite_models::protocol::rules::{Broken, OutOfRange};
pub use appwrite_models::protocol::{DecodeError, EndpointError};
pub use appwrite_models::{ApiError, ErrorType};

/// A boxed error source that is `Send + Sync`.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// The request never got an HTTP answer that could be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The server did not answer in time (connect or read timeout, or the total timeout). The
    /// message says when it was the connection that timed out.
    #[error("{}", crate::hints::timeout_message(.0.as_ref()))]
    Timeout(#[source] BoxError),
    /// No connection could be made (refused, DNS failure, TLS handshake failure). The message
    /// names the host and port and, when the cause says, why: the host name did not resolve, the
    /// connection was refused, the network is unreachable, the TLS handshake failed, or an
    /// `https` endpoint was answered in plain HTTP.
    #[error("{}", crate::hints::connect_message(host, *plain_http, source.as_ref()))]
    Connect {
        /// `host:port` that could not be reached.
        host: String,
        /// The TLS handshake got a plain-HTTP answer: the endpoint should be `http://`, or the
        /// server should speak TLS.
        plain_http: bool,
        /// What failed.
        #[source]
        source: BoxError,
    },
    /// The server answered with a redirect. It is not followed: the request's credentials must
    /// never go to another address.
    #[error(
        "appwrite answered {status} with a redirect, which is not followed (check the endpoint)"
    )]
    Redirect {
        /// The 3xx status.
        status: u16,
    },
    /// A client given with `http_client` followed a redirect away from the URL asked for. Its
    /// answer is refused, but the request, credentials included, did reach the other address:
    /// build that client with `redirect(reqwest::redirect::Policy::none())`.
    #[error(
        "the custom http client followed a redirect away from the endpoint; its answer was refused (build it with redirect::Policy::none())"
    )]
    RedirectFollowed,
    /// The response body was larger than any Appwrite response.
    #[error("the response body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The connection failed while sending or receiving (reset, closed early).
    #[error("the connection to appwrite failed")]
    Io(#[source] BoxError),
}

impl TransportError {
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        // The URL can carry ids and queries: keep it out of messages.
        let timeout = error.is_timeout();
        let connect = error.is_connect();
        let url = error.url().cloned();
        let error = error.without_url();
        let plain_http = connect
            && url.as_ref().is_some_and(|url| url.scheme() == "https")
            && crate::hints::answered_in_plain_http(&error);
        let source: BoxError = Box::new(error);
        if timeout {
            Self::Timeout(source)
        } else if connect {
            Self::Connect {
                host: url.as_ref().map(crate::hints::host_of).unwrap_or_default(),
                plain_http,
                source,
            }
        } else {
            Self::Io(source)
        }
    }
}

/// A client could not be built from its settings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required setting was not given.
    #[error("{0} is not set")]
    Missing(&'static str),
    /// An environment variable that `from_env` needs is not set.
    #[error("environment variable {0} is not set")]
    MissingEnv(&'static str),
    /// The endpoint is not an `http(s)://` URL.
    #[error("invalid endpoint")]
    Endpoint(#[source] EndpointError),
    /// A value cannot be sent in an HTTP header (control characters, newlines, non-ASCII). The value
    /// itself is not shown: it may be a secret.
    #[error(
        "{0} contains characters that cannot be sent in an HTTP header (only visible ASCII is allowed)"
    )]
    InvalidHeaderValue(&'static str),
    /// A setting needs a TLS backend and the crate was built without one.
    #[error("{0} needs a TLS backend: enable the `rustls` or `native-tls` feature")]
    NoTls(&'static str),
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client")]
    HttpClient(#[source] BoxError),
}

/// A call of an SDK's blocking API could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlockingError {
    /// The blocking client's runtime ended before the call's answer came: the call panicked on
    /// the runtime's thread, or the runtime was shut down. Whether the request reached the
    /// server is unknown.
    #[error("the blocking client's runtime ended before the call was answered")]
    RuntimeGone,
    /// The blocking client's own runtime (or its thread) could not be started.
    #[error("could not start the blocking client's runtime")]
    Runtime(#[source] std::io::Error),
}

/// An argument that Appwrite would refuse, caught before any request was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    message: String,
}

impl InvalidInput {
    /// An invalid-input error with a message that names the bound or rule.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A value outside Appwrite's bounds ([`appwrite_models::protocol::rules`]).
impl From<OutOfRange> for InvalidInput {
    fn from(error: OutOfRange) -> Self {
        Self::new(error.to_string())
    }
}

/// A value Appwrite's rules refuse ([`appwrite_models::protocol::rules`]).
impl From<Broken> for InvalidInput {
    fn from(error: Broken) -> Self {
        Self::new(error.to_string())
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for InvalidInput {}

/// What [`Transport`](crate::Transport) reports; each SDK turns it into its own `Error`.
#[derive(Debug)]
pub enum RequestError {
    /// Appwrite answered with an error status.
    Api(ApiError),
    /// No usable HTTP answer.
    Transport(TransportError),
    /// A success status with a body that is not what the request returns.
    Decode(DecodeError),
    /// Refused before sending.
    InvalidInput(InvalidInput),
}

impl From<TransportError> for RequestError {
    fn from(error: TransportError) -> Self {
        Self::Transport(error)
    }
}

impl From<DecodeError> for RequestError {
    fn from(error: DecodeError) -> Self {
        Self::Decode(error)
    }
}

impl From<InvalidInput> for RequestError {
    fn from(error: InvalidInput) -> Self {
        Self::InvalidInput(error)
    }
}
