//! [`sdk_error!`]: each SDK's own `Error` enum with the same variants and predicates.

/// Defines an SDK's `Error` enum: the shared variants (`Api`, `Transport`, `Decode`, `Config`,
/// `InvalidInput`), the SDK's own extra variants, conversions and the predicates (`is_not_found()`,
/// `is_unauthorized()`, `is_rate_limited()`, `retry_after()`, `is_timeout()`, …), so both SDKs
/// answer the same questions the same way without a second copy of the code.
///
/// `Display` and `std::error::Error` are written out here, so the calling crate needs no
/// `thiserror`. Each extra variant is documented, carries `#[error("message")]` and is either a
/// unit variant or holds its cause as `(#[source] Type)`; the shared ones are transparent.
///
/// ```
/// appwrite_transport::sdk_error! {
///     /// An SDK's error.
///     pub enum Error {
///         /// The disk said no.
///         #[error("could not read the file")]
///         File(#[source] std::io::Error),
///         /// Nothing came back.
///         #[error("nothing came back")]
///         Nothing,
///     }
/// }
///
/// let error = Error::File(std::io::Error::other("disk on fire"));
/// assert_eq!(error.to_string(), "could not read the file");
/// assert_eq!(std::error::Error::source(&error).unwrap().to_string(), "disk on fire");
/// assert!(std::error::Error::source(&Error::Nothing).is_none());
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! sdk_error {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[doc = $doc:literal])*
                #[error($message:literal)]
                $variant:ident $( ( #[source] $source:ty ) )?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum $name {
            /// Appwrite answered with an error status: see [`ApiError`]'s `status`, `error_type`
            /// and `message`.
            Api($crate::ApiError),
            /// The request got no usable HTTP answer (timeout, refused connection, reset, redirect,
            /// oversized body).
            Transport($crate::TransportError),
            /// A success status with a body that is not what the request returns.
            Decode($crate::DecodeError),
            /// The client's settings are invalid.
            Config($crate::ConfigError),
            /// An argument Appwrite would refuse, caught before sending (the message names the
            /// rule).
            InvalidInput($crate::InvalidInput),
            /// A call of the `blocking` API could not run: its runtime could not start, or ended
            /// before the call was answered.
            Blocking($crate::BlockingError),
            $(
                $(#[doc = $doc])*
                $variant $( ($source) )?,
            )*
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    Self::Api(e) => ::std::fmt::Display::fmt(e, f),
                    Self::Transport(e) => ::std::fmt::Display::fmt(e, f),
                    Self::Decode(e) => ::std::fmt::Display::fmt(e, f),
                    Self::Config(e) => ::std::fmt::Display::fmt(e, f),
                    Self::InvalidInput(e) => ::std::fmt::Display::fmt(e, f),
                    Self::Blocking(e) => ::std::fmt::Display::fmt(e, f),
                    // `{ .. }` matches a unit and a tuple variant alike.
                    $( Self::$variant { .. } => f.write_str($message), )*
                }
            }
        }

        impl ::std::error::Error for $name {
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                // The shared variants are transparent: their source is their cause's.
                #[allow(unreachable_patterns)]
                match self {
                    Self::Api(e) => ::std::error::Error::source(e),
                    Self::Transport(e) => ::std::error::Error::source(e),
                    Self::Decode(e) => ::std::error::Error::source(e),
                    Self::Config(e) => ::std::error::Error::source(e),
                    Self::InvalidInput(e) => ::std::error::Error::source(e),
                    Self::Blocking(e) => ::std::error::Error::source(e),
                    $($(
                        Self::$variant { 0: source } => {
                            let source: &$source = source;
                            ::std::option::Option::Some(source)
                        }
                    )?)*
                    _ => ::std::option::Option::None,
                }
            }
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

            /// 401: missing, invalid or insufficient credentials (unknown key, missing scope,
            /// invalid or used token, expired or revoked session).
            pub fn is_unauthorized(&self) -> bool {
                self.api().is_some_and($crate::ApiError::is_unauthorized)
            }

            /// 401 `user_more_factors_required`: the session (or the JWT made from it) has one
            /// factor and the user has multi-factor authentication on; Appwrite refuses it
            /// everywhere but the MFA routes until a second factor is proven
            /// (`create_mfa_challenge`, then `update_mfa_challenge`). The session itself is good:
            /// keep it.
            pub fn is_more_factors_required(&self) -> bool {
                self.error_type() == ::std::option::Option::Some(&$crate::ErrorType::UserMoreFactorsRequired)
            }

            /// 401 `user_challenge_required`: the action (reading recovery codes, removing an
            /// authenticator, …) needs a second factor proven in the last 30 minutes
            /// (`MFA_RECENT_DURATION`); pass a challenge again first. The session itself is good.
            pub fn is_challenge_required(&self) -> bool {
                self.error_type() == ::std::option::Option::Some(&$crate::ErrorType::UserChallengeRequired)
            }

            /// 403: authenticated but refused (blocked user, unknown origin, key of another
            /// project).
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

            /// A blocking call's runtime ended before the call was answered (see
            /// [`BlockingError::RuntimeGone`]($crate::BlockingError::RuntimeGone)).
            pub fn is_runtime_gone(&self) -> bool {
                matches!(self, Self::Blocking($crate::BlockingError::RuntimeGone))
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

        impl ::std::convert::From<$crate::BlockingError> for $name {
            fn from(error: $crate::BlockingError) -> Self {
                Self::Blocking(error)
            }
        }

        impl ::std::convert::From<$crate::InvalidInput> for $name {
            fn from(error: $crate::InvalidInput) -> Self {
                Self::InvalidInput(error)
            }
        }
    };
}
