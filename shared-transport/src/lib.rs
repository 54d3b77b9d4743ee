//! The HTTP half shared by the `appwrite-server` and `appwrite-client` SDKs: building the
//! `reqwest` client from [`HttpConfig`] (timeouts per phase, no redirects, optional self-signed
//! certificates, the SDK headers), sending a [`Request`] with a bounded [`RetryPolicy`] that never
//! replays a `POST` that may have reached the server, reading bodies up to a limit, a `tracing` span
//! per request (method, route template, status, latency; never a header value), and the error
//! variants and predicates both SDKs' `Error` enums share ([`sdk_error!`]), and the connection
//! setters both SDKs' client builders share ([`http_config_setters!`]).
//!
//! Use the SDKs; this crate is their plumbing.
//!
//! ```no_run
//! use appwrite_models::headers::Platform;
//! use appwrite_transport::{HttpConfig, Request, reqwest::Method};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = HttpConfig::default()
//!     .endpoint("http://127.0.0.1:8080/v1")
//!     .project("demo")
//!     .build(Platform::Client, "0.1.0", Vec::new())?;
//! let health: serde_json::Value = transport
//!     .send_json(Request::new(Method::GET, "/health/version", []))
//!     .await
//!     .map_err(|e| format!("{e:?}"))?;
//! # let _ = health;
//! # Ok(())
//! # }
//! ```

mod config;
mod error;
#[macro_use]
mod events;
mod future;
mod hints;
mod request;
mod retry;
mod setters;
mod transport;

pub use config::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, FixedHeader, HttpConfig, header_value,
};
pub use error::{
    ApiError, BoxError, ConfigError, DecodeError, EndpointError, ErrorType, InvalidInput,
    RequestError, TransportError,
};
pub use future::ResponseFuture;
pub use request::{Request, Response};
pub use retry::RetryPolicy;
pub use transport::Transport;

/// The HTTP client crate, re-exported for [`HttpConfig::http_client`] and [`Request::new`].
pub use reqwest;
