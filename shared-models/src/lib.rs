//! Appwrite's custom-token and session protocol as data, shared by the `appwrite-server` and
//! `appwrite-client` SDKs and by `appwrite-emulator`. No I/O happens here.
//!
//! - Models: [`Token`], [`Session`], [`User`], [`UserList`], [`SessionList`], [`Jwt`],
//!   [`Preferences`], [`Target`]. They ignore fields they do not know and accept missing or `null`
//!   optional ones, so servers from Appwrite 1.5 to 1.9 decode; the fields that make an object what it
//!   is (every `$id`, a token's `userId`/`secret`/`expire`) are required.
//! - Ids: [`UserId`], [`SessionId`], [`TokenId`], [`ID::unique()`], [`ID::validate_custom`].
//! - Secrets: [`ApiKey`], [`TokenSecret`], [`SessionCredential`], [`JwtSecret`]: redacted in `Debug`,
//!   read only through `expose_secret()`.
//! - Errors: [`ErrorBody`], [`ErrorType`], [`ApiError`]; [`Printable`] shows a server's text
//!   with its control characters escaped.
//! - [`Datetime`]: Appwrite's `2020-10-15T06:38:00.000+00:00`, `""` as unset.
//! - [`credential`]: the session encoding and where responses carry it; [`headers`]: the SDK
//!   headers; [`protocol`]: endpoint URLs and response decoding.
//!
//! ```
//! use appwrite_models::Token;
//!
//! let body = r#"{"$id":"6530b3f4a1b2c","$createdAt":"2024-10-15T06:38:00.000+00:00",
//!     "userId":"user-42","secret":"a1b2c3","expire":"2024-10-15T06:53:00.000+00:00","phrase":""}"#;
//! let token: Token = serde_json::from_str(body)?;
//! assert_eq!(token.user_id, "user-42");
//! assert_eq!(token.secret.expose_secret(), "a1b2c3");
//! assert!(!format!("{token:?}").contains("a1b2c3"));
//! # Ok::<(), serde_json::Error>(())
//! ```

// docs.rs builds with every feature and `--cfg docsrs`: each feature-gated item is labelled
// with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

pub mod credential;
mod datetime;
mod error;
pub mod headers;
mod id;
pub mod protocol;
mod secret;
mod serde_util;
mod session;
mod set_cookie;
mod text;
mod token;
mod user;

pub use datetime::{Datetime, DatetimeError};
pub use error::{ApiError, ErrorBody, ErrorType, ServerWait, WaitHeader, retry_after};
pub use id::{ID, InvalidId, MAX_ID_LENGTH, SessionId, TargetId, TokenId, UserId};
pub use secret::{ApiKey, JwtSecret, ProviderToken, SessionCredential, TokenSecret};
pub use session::{Session, SessionList};
pub use text::Printable;
pub use token::{Jwt, Token};
pub use user::{Preferences, Target, User, UserList};

// Re-exported so users of the SDKs need not add these crates to name the types in our API.
pub use http;
pub use time;
