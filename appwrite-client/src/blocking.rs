//! A blocking API for simple command-line apps, in the style of `reqwest::blocking`: the same
//! client settings, the same [`Account`](crate::Account) methods and options, each call ending
//! in `.send()` instead of `.await`. Sessions are kept, restored and signed out exactly as with
//! the async client.
//!
//! The blocking client drives a private tokio runtime on a thread of its own, shared by its
//! clones and the services made from it; each `send()` hands the call to that thread and waits
//! for the answer. The runtime keeps running between calls, so a connection the server closed
//! while the app was idle is dropped from the pool, not reused. The thread ends when the last
//! clone is dropped.
//!
//! Calls work from any thread: the main one, threads of your own, `tokio::task::spawn_blocking`.
//! In async code (a `#[tokio::main]` function, a task) use the async API: a blocking call there
//! works, but holds the runtime's thread for the whole call.
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
//!     .build()?;                                // restores a saved session
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
    Session, SessionCredential, SessionId, SessionList, Token, TokenSecret, User, UserId,
};
use appwrite_transport::BlockingRuntime;

use tokio::sync::watch;

use crate::client::CredentialMode;
use crate::error::{Error, Result};
use crate::future::ResponseFuture;
use crate::requests::{CreateEmailToken, CreateJwt, CreateMagicUrlToken};
use crate::session::{AuthState, RestoreOutcome};
use crate::store::{ProfileKey, SessionStore};

appwrite_transport::blocking_pending!(Error);

appwrite_transport::blocking_builder! {
    // With the connection settings the macro adds (`endpoint`, `project`, the timeouts, …):
    impl ClientBuilder {
        fn session_store(store: impl SessionStore);
        fn profile(name: impl Into<String>);
        fn origin(origin: impl Into<String>);
        fn credential_mode(mode: CredentialMode);
        fn auto_extend(share: f64);
    }
}

/// A blocking [`crate::Client`]: the same settings and session handling, and a private runtime
/// on its own thread to run calls on.
///
/// Cheap to clone (the async client and the runtime are both behind an `Arc`); clones share the
/// session and the runtime, whose thread ends with the last clone. `Send + Sync`. `Debug` never
/// shows the credential.
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
    runtime: BlockingRuntime,
}

impl Client {
    /// A builder for a blocking client: the settings of [`crate::ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        crate::Client::builder().into()
    }

    /// A blocking client configured from the environment, as [`crate::Client::from_env`].
    pub fn from_env() -> Result<Self> {
        crate::Client::builder_from_env().build_blocking()
    }

    /// A builder started from the environment, as [`crate::Client::builder_from_env`].
    pub fn builder_from_env() -> ClientBuilder {
        crate::Client::builder_from_env().into()
    }

    /// The API endpoint, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        self.inner.endpoint()
    }

    /// How the session credential is sent.
    pub fn credential_mode(&self) -> CredentialMode {
        self.inner.credential_mode()
    }

    /// The current [`AuthState`], updated on sign-in, extension and sign-out (see
    /// [`crate::Client::auth_state`]); read it with `borrow()`.
    pub fn auth_state(&self) -> watch::Receiver<AuthState> {
        self.inner.auth_state()
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
