//! The HTTP half shared by the `appwrite-server` and `appwrite-client` SDKs. Use the SDKs; the
//! SDKs pin this crate to one exact version, so its plumbing can change with them.
//!
//! Documented here are the types you meet through an SDK:
//!
//! - the errors inside both SDKs' `Error` enums: [`ApiError`], [`TransportError`],
//!   [`DecodeError`], [`ConfigError`], [`EndpointError`], [`InvalidInput`], [`BlockingError`]
//!   (and [`RequestError`], what a request ends in before an SDK names it);
//! - [`RetryPolicy`], set on either SDK's client builder; [`RetryPolicy::decide`] is the whole
//!   retry rule;
//! - [`ResponseFuture`], the future every call returns (each SDK names it with its own error);
//! - [`Request`], what a request builder's `request()` gives back, to check a body in a test.
//!
//! The rest is hidden from these docs, as the SDKs' plumbing: the settings and the building of
//! the `reqwest` client ([`HttpConfig`], fixed headers, the process-wide memo
//! of checked endpoints and header maps), sending with retries and reading bodies up to a limit
//! ([`Transport`], [`Response`]), the `tracing` span per
//! request, the runtime thread behind the `blocking` features (`BlockingRuntime`), and the
//! macros that give both SDKs the same `Error` enum and the same blocking builder setters.

// docs.rs builds with every feature and `--cfg docsrs`: each feature-gated item is labelled
// with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

#[cfg(feature = "blocking")]
mod blocking;
mod config;
mod error;
#[macro_use]
mod events;
mod future;
mod hints;
mod memo;
mod request;
mod retry;
mod sdk_error;
mod transport;

#[cfg(feature = "blocking")]
#[doc(hidden)]
pub use blocking::BlockingRuntime;
#[doc(hidden)]
pub use config::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, FixedHeader, HttpConfig, env_value, header_value,
};
pub use error::{
    ApiError, BlockingError, BoxError, ConfigError, DecodeError, EndpointError, ErrorType,
    InvalidInput, RequestError, TransportError,
};
pub use future::ResponseFuture;
pub use request::Request;
#[doc(hidden)]
pub use request::Response;
pub use retry::RetryPolicy;
#[doc(hidden)]
pub use transport::Transport;

/// The HTTP client crate, re-exported for the SDKs' `http_client` setters and [`Request::new`].
pub use reqwest;
