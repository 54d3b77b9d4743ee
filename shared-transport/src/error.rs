//! The errors a request can end in, and the macro that gives each SDK its own `Error` enum with the
//! same variants and predicates.

use std::error::Error as StdError;
use std::fmt;

use appwrite_models::protocol::limits::OutOfRange;
pub use appwrite_models::protocol::{DecodeError, EndpointError};
pub use appwrite_models::{ApiError, ErrorType};

/// A boxed error source that is `Send + Sync`.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// The request never got an HTTP answer that could be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The server did not answer in time (connect or read timeout, or the total timeout).
    #[error("the request to appwrite timed out")]
    Timeout(#[source] BoxError),
    /// No connection could be made (refused, DNS failure, TLS handshake failure). The message
    /// names the host and port, and says so when an `https` endpoint was answered in plain HTTP.
    #[error("{}", crate::hints::connect_message(host, *plain_http))]
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

/// A value outside Appwrite's bounds ([`appwrite_models::protocol::limits`]).
impl From<OutOfRange> for InvalidInput {
    fn from(error: OutOfRange) -> Self {
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

/// Defines an SDK's `Error` enum: the shared variants (`Api`, `Transport`, `Decode`, `Config`,
/// `InvalidInput`), the SDK's own extra variants, conversions and the predicates
/// (`is_not_found()`, `is_unauthorized()`, `is_rate_limited()`, `retry_after()`, `is_timeout()`, …),
/// so both SDKs answer the same questions the same way without a second copy of the code.
#[macro_export]
macro_rules! sdk_error {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($extra:tt)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, thiserror::Error)]
        #[non_exhaustive]
        pub enum $name {
            /// Appwrite answered with an error status: see [`ApiError`]'s `status`, `error_type` and
            /// `message`.
            #[error(transparent)]
            Api($crate::ApiError),
            /// The request got no usable HTTP answer (timeout, refused connection, reset, redirect,
            /// oversized body).
            #[error(transparent)]
            Transport($crate::TransportError),
            /// A success status with a body that is not what the request returns.
            #[error(transparent)]
            Decode($crate::DecodeError),
            /// The client's settings are invalid.
            #[error(transparent)]
            Config($crate::ConfigError),
            /// An argument Appwrite would refuse, caught before sending (the message names the rule).
            #[error(transparent)]
            InvalidInput($crate::InvalidInput),
            $($extra)*
        }

        impl $name {
            /// The Appwrite error, if the server answered with one.
            pub fn api(&self) -> ::std::option::Option<&$crate::ApiError> {
                match self {
                    Self::Api(error) => Some(error),
                    _ => None,
                }
            }

            /// The HTTP status Appwrite answered with, if it did.
            pub fn status(&self) -> ::std::option::Option<u16> {
                self.api().map(|e| e.status)
            }

            /// Appwrite's error `type`, if the server answered with one.
            pub fn error_type(&self) -> ::std::option::Option<&$crate::ErrorType> {
                self.api().map(|e| &e.error_type)
            }

            /// 404: the user, session or route does not exist.
            pub fn is_not_found(&self) -> bool {
                self.api().is_some_and($crate::ApiError::is_not_found)
            }

            /// 401: missing, invalid or insufficient credentials (unknown key, missing scope, invalid
            /// or used token, expired or revoked session).
            pub fn is_unauthorized(&self) -> bool {
                self.api().is_some_and($crate::ApiError::is_unauthorized)
            }

            /// 403: authenticated but refused (blocked user, unknown origin, key of another project).
            pub fn is_forbidden(&self) -> bool {
                self.api().is_some_and($crate::ApiError::is_forbidden)
            }

            /// 409: it already exists.
            pub fn is_conflict(&self) -> bool {
                self.api().is_some_and($crate::ApiError::is_conflict)
            }

            /// 429: a rate limit was hit (after the retries the policy allows); see
            /// [`retry_after`](Self::retry_after).
            pub fn is_rate_limited(&self) -> bool {
                self.api().is_some_and($crate::ApiError::is_rate_limited)
            }

            /// How long the server asked to wait before trying again, if it said.
            pub fn retry_after(&self) -> ::std::option::Option<::std::time::Duration> {
                self.api().and_then($crate::ApiError::retry_after)
            }

            /// The server did not answer in time.
            ///
            /// Troubleshooting: check the endpoint is reachable and raise `read_timeout` if the
            /// server is merely slow.
            pub fn is_timeout(&self) -> bool {
                matches!(self, Self::Transport($crate::TransportError::Timeout(_)))
            }

            /// No connection could be made.
            ///
            /// Troubleshooting: check the endpoint's host and port, and that the server is running.
            pub fn is_connect(&self) -> bool {
                matches!(self, Self::Transport($crate::TransportError::Connect { .. }))
            }

            /// The request got no usable HTTP answer at all.
            pub fn is_transport(&self) -> bool {
                matches!(self, Self::Transport(_))
            }

            /// The response could not be decoded.
            pub fn is_decode(&self) -> bool {
                matches!(self, Self::Decode(_))
            }

            /// The client's settings are invalid.
            pub fn is_config(&self) -> bool {
                matches!(self, Self::Config(_))
            }

            /// An argument was refused before sending.
            pub fn is_invalid_input(&self) -> bool {
                matches!(self, Self::InvalidInput(_))
            }
        }

        impl ::std::convert::From<$crate::RequestError> for $name {
            fn from(error: $crate::RequestError) -> Self {
                match error {
                    $crate::RequestError::Api(e) => Self::Api(e),
                    $crate::RequestError::Transport(e) => Self::Transport(e),
                    $crate::RequestError::Decode(e) => Self::Decode(e),
                    $crate::RequestError::InvalidInput(e) => Self::InvalidInput(e),
                }
            }
        }

        impl ::std::convert::From<$crate::ConfigError> for $name {
            fn from(error: $crate::ConfigError) -> Self {
                Self::Config(error)
            }
        }

        impl ::std::convert::From<$crate::InvalidInput> for $name {
            fn from(error: $crate::InvalidInput) -> Self {
                Self::InvalidInput(error)
            }
        }
    };
}
