//! A blocking API for simple command-line apps, in the style of `reqwest::blocking`: the same
//! client settings, the same [`Account`](crate::Account) methods and options, each call ending
//! in `.send()` instead of `.await`. Sessions are kept, restored and signed out exactly as with
//! the async client.
//!
//! The blocking client owns a private current-thread tokio runtime, shared by its clones and the
//! services made from it, and each `send()` runs the request on it.
//!
//! **Do not call it from inside an async runtime** (a `#[tokio::main]` function, a task,
//! `spawn_blocking`): blocking there would stall the runtime's thread. Such a call sends nothing
//! and fails with [`Error::Blocking`] ([`is_inside_runtime()`](Error::is_inside_runtime)); use the
//! async API there.
//!
//! ```no_run
//! # fn run() -> appwrite_client::Result<()> {
//! use appwrite_client::blocking::{Account, Client};
//! use appwrite_client::FileStore;
//!
//! let client = Client::builder()
//!     .endpoint("https://appwrite.example.com/v1")
//!     .project("my-project")
//!     .session_store(FileStore::for_app("my-app")?)
//!     .build_blocking()?;                       // restores a saved session
//! let account = Account::new(&client);
//! if !client.is_signed_in() {
//!     account.create_session("user-42", "a1b2c3").send()?;
//! }
//! let me = account.get().send()?;
//! # let _ = me;
//! # Ok(())
//! # }
//! ```

use std::time::Duration;

use appwrite_models::{
    AuthenticatorType, ChallengeId, Factor, MfaChallenge, MfaFactors, MfaRecoveryCodes, MfaType,
    Session, SessionCredential, SessionId, SessionList, Token, TokenSecret, User, UserId,
};
use appwrite_transport::BlockingRuntime;

use crate::error::{Error, Result};
use crate::future::ResponseFuture;
use crate::requests::{CreateEmailToken, CreateJwt, CreateMagicUrlToken};
use crate::session::RestoreOutcome;
use crate::store::ProfileKey;

appwrite_transport::blocking_pending!(Error);

/// A blocking [`crate::Client`]: the same settings and session handling, and a private runtime
/// to run calls on.
///
/// Cheap to clone (the async client and the runtime are both behind an `Arc`); clones share the
/// session. `Send + Sync`. `Debug` never shows the credential.
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
    runtime: BlockingRuntime,
}

impl Client {
    /// The async client's builder; finish it with
    /// [`build_blocking`](crate::ClientBuilder::build_blocking).
    pub fn builder() -> crate::ClientBuilder {
        crate::Client::builder()
    }

    /// A blocking client configured from the environment, as [`crate::Client::from_env`].
    pub fn from_env() -> Result<Self> {
        crate::Client::builder_from_env().build_blocking()
    }

    /// Pairs a freshly built async client with a new runtime.
    pub(crate) fn new(inner: crate::Client) -> Result<Self> {
        Ok(Self {
            inner,
            runtime: BlockingRuntime::new()?,
        })
    }

    /// Whether a session is held (see [`crate::Client::is_signed_in`]).
    pub fn is_signed_in(&self) -> bool {
        self.inner.is_signed_in()
    }

    /// Whether the held session waits for a second factor (see
    /// [`crate::Client::needs_second_factor`]).
    pub fn needs_second_factor(&self) -> bool {
        self.inner.needs_second_factor()
    }

    /// The project id.
    pub fn project(&self) -> &str {
        self.inner.project()
    }

    /// The key the session is stored under (endpoint, project, profile).
    pub fn profile_key(&self) -> &ProfileKey {
        self.inner.profile_key()
    }
}

appwrite_transport::blocking_calls! {
    impl Client {
        fn validate() -> ResponseFuture<RestoreOutcome>;
        fn adopt_session(credential: impl Into<SessionCredential>) -> ResponseFuture<Session>;
    }
}

/// The blocking [`Account`](crate::Account) service: the same methods, each returning a
/// [`Pending`] call that takes the same options and is sent with [`send`](Pending::send).
#[derive(Clone, Debug)]
pub struct Account {
    inner: crate::Account,
    runtime: BlockingRuntime,
}

impl Account {
    /// The account service of `client`.
    pub fn new(client: &Client) -> Self {
        Self {
            inner: crate::Account::new(&client.inner),
            runtime: client.runtime.clone(),
        }
    }

    /// [`Account::oauth2_token_url`](crate::Account::oauth2_token_url): builds a URL, sends
    /// nothing.
    pub fn oauth2_token_url(
        &self,
        provider: &str,
        success: &str,
        failure: &str,
        scopes: &[&str],
    ) -> Result<String> {
        self.inner
            .oauth2_token_url(provider, success, failure, scopes)
    }
}

appwrite_transport::blocking_calls! {
    impl Account {
        fn create_session(
            user_id: impl Into<UserId>,
            secret: impl Into<TokenSecret>
        ) -> ResponseFuture<Session>;
        fn get() -> ResponseFuture<User>;
        fn get_session(session_id: impl Into<SessionId>) -> ResponseFuture<Session>;
        fn list_sessions() -> ResponseFuture<SessionList>;
        fn update_session(session_id: impl Into<SessionId>) -> ResponseFuture<Session>;
        fn delete_session(session_id: impl Into<SessionId>) -> ResponseFuture<()>;
        fn delete_sessions() -> ResponseFuture<()>;
        fn create_jwt() -> CreateJwt;
        fn create_email_token(user_id: impl Into<UserId>, email: impl Into<String>) -> CreateEmailToken;
        fn create_magic_url_token(
            user_id: impl Into<UserId>,
            email: impl Into<String>
        ) -> CreateMagicUrlToken;
        fn create_phone_token(user_id: impl Into<UserId>, phone: impl Into<String>) -> ResponseFuture<Token>;
    }
}

// Multi-factor authentication (see `crate::mfa`).
appwrite_transport::blocking_calls! {
    impl Account {
        fn create_mfa_challenge(factor: Factor) -> ResponseFuture<MfaChallenge>;
        fn update_mfa_challenge(
            challenge_id: impl Into<ChallengeId>,
            otp: impl Into<String>
        ) -> ResponseFuture<Session>;
        fn list_mfa_factors() -> ResponseFuture<MfaFactors>;
        fn create_mfa_authenticator(kind: AuthenticatorType) -> ResponseFuture<MfaType>;
        fn update_mfa_authenticator(
            kind: AuthenticatorType,
            otp: impl Into<String>
        ) -> ResponseFuture<User>;
        fn delete_mfa_authenticator(kind: AuthenticatorType) -> ResponseFuture<()>;
        fn create_mfa_recovery_codes() -> ResponseFuture<MfaRecoveryCodes>;
        fn get_mfa_recovery_codes() -> ResponseFuture<MfaRecoveryCodes>;
        fn update_mfa_recovery_codes() -> ResponseFuture<MfaRecoveryCodes>;
        fn update_mfa(mfa: bool) -> ResponseFuture<User>;
    }
}

appwrite_transport::pending_setters! {
    CreateJwt {
        fn duration(duration: Duration);
    }
    CreateEmailToken {
        fn phrase(phrase: bool);
    }
    CreateMagicUrlToken {
        fn url(url: impl Into<String>);
        fn phrase(phrase: bool);
    }
}
