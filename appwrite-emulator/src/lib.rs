//! An in-memory, Appwrite-compatible server for the users, tokens and sessions endpoints, for
//! tests and local development.
//!
//! ```
//! use appwrite_emulator::Emulator;
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::builder()
//!     .project("demo")
//!     .api_key("dev-key")
//!     .start()
//!     .await?;
//!
//! // Any HTTP client works; the official SDKs too.
//! let response = reqwest::Client::new()
//!     .post(format!("{}/users/user-42/tokens", emulator.endpoint()))
//!     .header("X-Appwrite-Project", "demo")
//!     .header("X-Appwrite-Key", "dev-key")
//!     .json(&serde_json::json!({}))
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 404); // no such user yet
//! let error: serde_json::Value = response.json().await?;
//! assert_eq!(error["type"], "user_not_found");
//!
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! It speaks Appwrite 1.9.6's wire protocol for what a custom-token login needs:
//!
//! - users with an API key: create, get, list, delete, block (`status`), update (name, email,
//!   phone, password, labels, preferences, verification flags), custom tokens, server sessions,
//!   JWTs;
//! - the account of a session: get, list/get/extend/delete sessions, JWTs, and
//!   `POST /v1/account/sessions/token` with Appwrite's `Set-Cookie` and `X-Fallback-Cookies`
//!   headers, with Appwrite's per-route rate limits;
//! - registered platforms ([`EmulatorBuilder::platform`]): CORS for browsers, the `Origin` check
//!   and the allowed magic-URL redirects;
//! - email, magic-URL and phone tokens, whose secrets go to an [outbox](Emulator::outbox)
//!   instead of being sent;
//! - the OAuth2 token login with a mock provider (`mock`), its consent page or auto-approval;
//! - MFA: the factor gate for sessions, TOTP authenticators on the emulator's clock, email and
//!   phone challenge codes in the outbox, recovery codes, and the users MFA routes;
//! - authentication by cookie, `X-Appwrite-Session`, `X-Fallback-Cookies` or `X-Appwrite-JWT`,
//!   API keys with scopes, and Appwrite's error bodies and codes.
//!
//! Every route the SDKs call is served at its path in `appwrite_models::protocol::routes`, and
//! parameters are checked with the rules of `appwrite_models::protocol::rules`, answering
//! Appwrite's own error messages.
//!
//! Controls for tools in other languages (`GET /v1/emulator/outbox`, `POST /v1/emulator/clock`,
//! `POST /v1/emulator/reset`) need an API key with `users.write`.
//!
//! Time is the emulator's own: [`Emulator::advance_time`] expires tokens, sessions and JWTs
//! without waiting. The crate's README lists what is not emulated.
//!
//! The same server runs as a binary:
//! `cargo run -p appwrite-emulator -- --port 8080 --project demo --api-key dev-key`.

// docs.rs builds with every feature and `--cfg docsrs`: each feature-gated item is labelled
// with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod auth;
mod clock;
mod config;
mod cookies;
mod crypto;
mod emulator;
mod error;
mod error_page;
mod extract;
mod jwt;
mod mfa;
mod outbox;
mod params;
mod persist;
mod platform;
mod random;
mod ratelimit;
mod records;
mod routes;
mod state;
mod store;
mod trust;
mod wire;

pub use config::DEFAULT_OAUTH2_IDENTITY;
pub use emulator::{Emulator, EmulatorBuilder, FULL_SCOPES, StartError};
pub use outbox::{OutboxKind, OutboxMessage};
