//! Appwrite client SDK for desktop and command-line apps: exchange a login token for a session,
//! keep it safely on disk, stay signed in across restarts, and know when it ends.
//!
//! A backend (with `appwrite-server` and an API key) mints a short-lived login token for a user
//! and hands its secret to the user. The app then signs in with it:
//!
//! ```no_run
//! # async fn run() -> appwrite_client::Result<()> {
//! # let path = std::path::PathBuf::from("sessions.json");
//! let client = appwrite_client::Client::builder()
//!     .endpoint("https://appwrite.example.com/v1")
//!     .project("my-project")
//!     .session_store(appwrite_client::FileStore::new(path))   // MemoryStore when not set
//!     .build()?;                                              // restores a saved session
//! let account = appwrite_client::Account::new(&client);
//! let session = account.create_session("user-42", "a1b2c3").await?;   // saved to the store
//! let me = account.get().await?;
//! account.delete_session("current").await?;                          // revoked, then forgotten
//! # let _ = (session, me);
//! # Ok(())
//! # }
//! ```
//!
//! # Sessions
//!
//! - **Where the credential comes from.** A client (no API key) gets `secret: ""` in the
//!   `Session` body; the credential arrives in `Set-Cookie: a_session_<project>` and in the
//!   `X-Fallback-Cookies` header. [`Account::create_session`] takes it from there (rules in
//!   [`appwrite_models::credential`]) and fails with [`Error::MissingCredential`] rather than
//!   pretend to be signed in.
//! - **How it is sent.** As `X-Appwrite-Session` by default, or as a `Cookie`
//!   ([`CredentialMode`]).
//! - **Where it is kept.** In a [`SessionStore`]: [`MemoryStore`] (default) or [`FileStore`]
//!   (JSON, mode 0600, atomic writes, cross-process lock, several profiles per file; on Unix it
//!   refuses folders and files it did not make).
//! - **When it ends.** Logout ([`Account::delete_session`] with `"current"`,
//!   [`Account::delete_sessions`]) revokes it on the server and then forgets it; a 401 (or 431)
//!   to a request that carried it forgets it (revoked or expired elsewhere); a session whose
//!   expiry has passed is dropped before it is sent.
//! - **What is accepted.** A sign-in answer must be a session for the user who signed in, with a
//!   credential that can be sent back (visible ASCII, at most 16 KiB); otherwise nothing is kept.
//! - **Cancellation.** Every call returns a `Send + 'static` [`ResponseFuture`]; dropping it
//!   part-way never splits the session in memory from the store. [`Client::auth_state`] publishes
//!   each change with its [`SignOutReason`]; [`Client::validate`] asks the server at start-up.
//!   Optionally, [`ClientBuilder::auto_extend`] slides the session's expiry forward.
//! - **A second factor.** For a user with multi-factor authentication on, Appwrite refuses a new
//!   session (`user_more_factors_required`, [`Error::is_more_factors_required`]) until a second
//!   factor is proven. The session is kept, not forgotten: the state becomes
//!   [`AuthState::SecondFactorRequired`] ([`Client::needs_second_factor`]) until
//!   [`Account::create_mfa_challenge`] and [`Account::update_mfa_challenge`] pass.
//!
//! # Security
//!
//! The credential is the only secret kept; `Debug` of every type here hides it, its request
//! header is marked sensitive, and no error message holds it. A [`FileStore`] file is readable by
//! its owner only, but the credential in it is not encrypted: whoever can read the file can act as
//! the user until the session ends.
//!
//! # Features
//!
//! `rustls` (default) or `native-tls` for TLS; `http2` for HTTP/2; `open-browser` lets
//! [`login`] start the system browser (off by default: the URL is printed instead); `keyring`
//! adds `KeyringStore`, which keeps sessions in the OS credential store (macOS Keychain, Windows
//! Credential Manager, the Secret Service on Linux); `blocking` adds `appwrite_client::blocking`, the
//! same API without `async` for simple command-line apps.

// docs.rs builds with every feature and `--cfg docsrs`: each feature-gated item is labelled
// with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod account;
mod adopt;
#[cfg(feature = "blocking")]
pub mod blocking;
mod builder;
mod client;
mod env;
mod error;
mod future;
#[cfg(feature = "loopback-login")]
pub mod login;
mod mfa;
mod session;
mod sessions;
mod settle;
mod store;

/// The request builders the [`Account`] methods with optional parameters return. Await one to
/// send it; its `request()` builds what it would send without sending it, to check a body in a
/// unit test.
///
/// ```
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = appwrite_client::Client::builder()
/// #     .endpoint("http://127.0.0.1:1/v1").project("p").build()?;
/// let account = appwrite_client::Account::new(&client);
/// let request = account.create_email_token("user-42", "a@example.com").phrase(true).request()?;
/// assert_eq!(request.path()?, "/account/tokens/email");
/// assert_eq!(
///     request.body()?,
///     Some(&br#"{"userId":"user-42","email":"a@example.com","phrase":true}"#[..])
/// );
/// # Ok(())
/// # }
/// ```
pub mod requests;

pub use account::Account;
pub use builder::ClientBuilder;
pub use client::{Client, CredentialMode};
pub use error::{Error, Result};
pub use future::ResponseFuture;
pub use session::{AuthState, RestoreOutcome, SignOutReason};
pub use store::file::FileStore;
#[cfg(feature = "keyring")]
pub use store::keyring::KeyringStore;
pub use store::memory::MemoryStore;
pub use store::{ProfileKey, SessionStore, StoreError, StoreLocation, StoredSession};

pub use appwrite_models::{
    ApiError, AuthenticatorType, ChallengeId, Datetime, ErrorType, Factor, ID, Jwt, JwtSecret,
    MfaChallenge, MfaFactors, MfaRecoveryCodes, MfaType, RecoveryCode, Session, SessionCredential,
    SessionId, SessionList, Token, TokenSecret, TotpSecret, User, UserId,
};
pub use appwrite_transport::{
    BoxError, ConfigError, DecodeError, InvalidInput, RetryPolicy, TransportError,
};

/// The protocol crate: models, the credential rules and the datetime format.
pub use appwrite_models as models;
/// The HTTP client crate, for [`ClientBuilder::http_client`].
pub use appwrite_transport::reqwest;
/// The async runtime's watch channel type returned by [`Client::auth_state`].
pub use tokio::sync::watch;

/// The README's code blocks, compiled as doctests (several use the loopback login).
#[cfg(all(doctest, feature = "loopback-login"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
