//! Appwrite server SDK for custom-token login: mint login tokens and manage users with an API key.
//!
//! Your backend proves who a user is in its own way (a password, a captcha, an external identity
//! provider, a code sent by SMS), then asks Appwrite for a short-lived **custom token** for that
//! user and hands its secret over. The user's app exchanges user id + secret for a session
//! (`appwrite-client`'s `Account::create_session`).
//!
//! ```no_run
//! use std::time::Duration;
//!
//! # fn send_by_sms(_user_id: &str, _secret: &str) {}
//! # async fn run(key: String) -> Result<(), appwrite_server::Error> {
//! let client = appwrite_server::Client::builder()
//!     .endpoint("https://appwrite.example.com/v1")
//!     .project("my-project")
//!     .api_key(key)                     // never printed by Debug
//!     .build()?;                        // setters never fail; build() validates
//! let users = appwrite_server::Users::new(&client);
//! let token = users.create_token("user-42").await?;                        // defaults
//! let token = users.create_token("user-42").length(8).expire(Duration::from_secs(600)).await?;
//! send_by_sms(token.user_id.as_str(), token.secret.expose_secret());
//! # Ok(())
//! # }
//! ```
//!
//! # The client
//!
//! [`Client::builder()`] takes the endpoint, project and API key (or [`Client::from_env()`]
//! reads `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID` and `APPWRITE_API_KEY`), plus optional
//! locale, timeouts per phase, user agent, retry policy and your own `reqwest::Client`. Build it
//! once and clone it freely: it is an `Arc` inside and never changes.
//!
//! Every request carries `X-Appwrite-Project`, `X-Appwrite-Key` (marked sensitive), a pinned
//! `X-Appwrite-Response-Format` and the `x-sdk-*` headers, and no `Origin`. Redirects are not
//! followed, so the API key never travels to another host.
//!
//! # Users
//!
//! [`Users`] covers the custom-token flow: [`create_token`](Users::create_token),
//! [`get_or_create`](Users::get_or_create), [`create`](Users::create), [`get`](Users::get),
//! [`list`](Users::list), [`delete`](Users::delete), [`update_status`](Users::update_status)
//! (block, unblock), and the server-side session tools [`create_session`](Users::create_session),
//! [`list_sessions`](Users::list_sessions), [`delete_session`](Users::delete_session),
//! [`delete_sessions`](Users::delete_sessions) and [`create_jwt`](Users::create_jwt). For the users
//! themselves: [`block`](Users::block), [`unblock`](Users::unblock),
//! [`update_name`](Users::update_name), [`update_email`](Users::update_email),
//! [`update_phone`](Users::update_phone), [`update_password`](Users::update_password),
//! [`update_prefs`](Users::update_prefs), [`get_prefs`](Users::get_prefs),
//! [`update_labels`](Users::update_labels), the verification flags, and the email-keyed
//! [`find_by_email`](Users::find_by_email) and
//! [`get_or_create_by_email`](Users::get_or_create_by_email). Requests with optional parameters are
//! `#[must_use]` builders ([`requests`]) that are awaited directly, and whose `request()` shows
//! what would be sent without sending it; every call returns a [`ResponseFuture`], `Send +
//! 'static`.
//!
//! # Who is calling?
//!
//! [`Users::verify_jwt`] checks a JWT a user's app sent you (`Authorization: Bearer <jwt>`) with
//! Appwrite and resolves to a [`VerifiedUser`]; a [`JwtCache`] spares Appwrite a call for a token
//! seen before, never past its `exp`. [`Client::as_user`] with a [`Credential`] acts as the user
//! (its JWT or session, never the API key) through an [`Account`] service.
//!
//! ```no_run
//! # async fn run(client: appwrite_server::Client, bearer: &str) -> Result<(), appwrite_server::Error> {
//! use appwrite_server::{JwtCache, Users};
//!
//! let users = Users::new(&client).with_jwt_cache(JwtCache::new(10_000));
//! let caller = users.verify_jwt(bearer).await?; // 401: is_unauthorized(); blocked: is_forbidden()
//! println!("{} via session {:?}", caller.user.id, caller.session_id);
//! # Ok(())
//! # }
//! ```
//!
//! # Errors and retries
//!
//! [`Error`] answers [`is_not_found()`](Error::is_not_found),
//! [`is_unauthorized()`](Error::is_unauthorized), [`is_rate_limited()`](Error::is_rate_limited),
//! [`retry_after()`](Error::retry_after), [`is_timeout()`](Error::is_timeout),
//! [`is_connect()`](Error::is_connect) and more. Arguments Appwrite would refuse (a token length
//! of 2) fail before anything is sent.
//!
//! Failed requests are retried a bounded number of times with backoff, honouring `Retry-After`
//! and `X-RateLimit-Reset` ([`RetryPolicy`]): idempotent requests after timeouts, resets, 429 and
//! 502–504; a `POST` (a token, a user, a session) only when it surely did not reach the server or
//! was refused unprocessed and asked for again (429 or 503 with `Retry-After`; Appwrite's
//! `X-RateLimit-Reset` alone never replays one), so a retry never mints a second token.
//!
//! # Security
//!
//! - The API key, token secrets, session credentials and JWTs are newtypes whose `Debug` is
//!   redacted; read them with `expose_secret()`, and only to send them where they belong.
//! - Error messages never contain the key, a secret, a response body or a URL query.
//! - Each request is traced with a `tracing` span (method, route template, status, latency) and a
//!   `debug` event per attempt under the target `appwrite_server`
//!   (`RUST_LOG=appwrite_server=debug`), never with a header value or an id; retries and an
//!   `X-Appwrite-Warning` are logged as warnings.
//! - [`ClientBuilder::self_signed`] is for development servers only.
//!
//! # Features
//!
//! - `rustls` (default): TLS through rustls.
//! - `native-tls`: TLS through the platform's library.
//! - `http2`: HTTP/2 support.
//! - `blocking`: `appwrite_server::blocking`, the same API without `async` for simple command-line
//!   tools.

// docs.rs builds with every feature and `--cfg docsrs`: each feature-gated item is labelled
// with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod account;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod credential;
mod error;
mod future;
mod jwt_cache;
mod query;
mod users;
mod verify;

/// The request builders the [`Users`] methods with optional parameters return. Await one to
/// send it; its `request()` builds what it would send without sending it, to check a body in a
/// unit test.
///
/// ```
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = appwrite_server::Client::builder()
/// #     .endpoint("http://127.0.0.1:1/v1").project("p").api_key("k").build()?;
/// let users = appwrite_server::Users::new(&client);
/// let request = users.create_token("user-42").length(8).request()?;
/// assert_eq!(request.path()?, "/users/user-42/tokens");
/// assert_eq!(request.body()?, Some(&br#"{"length":8}"#[..]));
/// assert!(users.create_token("user-42").length(2).request().is_err());
/// # Ok(())
/// # }
/// ```
pub mod requests {
    pub use crate::users::{
        CreateJwt, CreateToken, CreateUser, GetOrCreateByEmail, GetOrCreateUser, ListUsers,
    };
    pub use appwrite_transport::Request;
}

pub use account::{Account, UserClient};
pub use client::{Client, ClientBuilder};
pub use credential::Credential;
pub use error::{Error, Result};
pub use future::ResponseFuture;
pub use jwt_cache::JwtCache;
pub use query::{Query, QueryValue};
pub use users::Users;
pub use verify::VerifiedUser;

pub use appwrite_models::{
    ApiError, ApiKey, AuthenticatorType, Datetime, ErrorType, Factor, ID, Jwt, JwtSecret,
    MfaFactors, MfaRecoveryCodes, Preferences, RecoveryCode, Session, SessionCredential, SessionId,
    SessionList, Target, Token, TokenId, TokenSecret, User, UserId, UserList,
};
pub use appwrite_transport::{
    ConfigError, DecodeError, EndpointError, InvalidInput, RetryPolicy, TransportError,
};

/// The models crate, for what is not re-exported above (datetimes' `time` types, the session
/// credential helpers, the SDK headers).
pub use appwrite_models as models;
/// The HTTP client crate, for [`ClientBuilder::http_client`].
pub use appwrite_transport::reqwest;
