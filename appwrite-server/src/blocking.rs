//! A blocking API for simple command-line tools, in the style of `reqwest::blocking`: the same
//! client settings, services, methods and options, each call ending in `.send()` instead of
//! `.await`.
//!
//! The blocking client drives a private tokio runtime on a thread of its own, shared by its
//! clones and the services made from it; each `send()` hands the call to that thread and waits
//! for the answer. The runtime keeps running between calls, so a connection the server closed
//! while the tool was idle is dropped from the pool, not reused. The thread ends when the last
//! clone is dropped.
//!
//! Calls work from any thread: the main one, threads of your own, `tokio::task::spawn_blocking`.
//! In async code (a `#[tokio::main]` function, a task, an axum handler) use the async API: a
//! blocking call there works, but holds the runtime's thread for the whole call.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! # fn run() -> Result<(), appwrite_server::Error> {
//! let client = appwrite_server::blocking::Client::builder()
//!     .endpoint("https://appwrite.example.com/v1")
//!     .project("my-project")
//!     .api_key("standard_0123")
//!     .build()?;
//! let users = appwrite_server::blocking::Users::new(&client);
//! let token = users
//!     .create_token("user-42")
//!     .length(8)
//!     .expire(Duration::from_secs(600))
//!     .send()?;
//! # let _ = token;
//! # Ok(())
//! # }
//! ```

use std::time::Duration;

use appwrite_models::{ApiKey, Preferences, Session, SessionId, SessionList, User, UserId};
use appwrite_transport::BlockingRuntime;

use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::future::ResponseFuture;
use crate::jwt_cache::JwtCache;
use crate::requests::{
    CreateJwt, CreateToken, CreateUser, GetOrCreateByEmail, GetOrCreateUser, ListUsers,
};
use crate::verify::VerifiedUser;

appwrite_transport::blocking_pending!(Error);

appwrite_transport::blocking_builder! {
    // With the connection settings the macro adds (`endpoint`, `project`, the timeouts, …):
    impl ClientBuilder {
        fn api_key(key: impl Into<ApiKey>);
    }
}

/// A blocking [`crate::Client`]: the same settings, and a private runtime on its own thread to
/// run calls on.
///
/// Cheap to clone (the async client and the runtime are both behind an `Arc`), `Send + Sync`;
/// the runtime's thread ends with the last clone. `Debug` shows what the async client shows,
/// never the API key.
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

    /// The project id.
    pub fn project(&self) -> &str {
        self.inner.project()
    }

    /// Pairs a freshly built async client with a new runtime.
    pub(crate) fn new(inner: crate::Client) -> Result<Self> {
        Ok(Self {
            inner,
            runtime: BlockingRuntime::new()?,
        })
    }

    /// [`Client::as_user`](crate::Client::as_user): a client acting as one user (its JWT or
    /// session, never the API key), on this client's runtime.
    pub fn as_user(&self, credential: Credential) -> UserClient {
        UserClient {
            inner: self.inner.as_user(credential),
            runtime: self.runtime.clone(),
        }
    }
}

/// A blocking [`crate::UserClient`], from [`Client::as_user`]. `Debug` never shows the
/// credential.
#[derive(Clone, Debug)]
pub struct UserClient {
    inner: crate::UserClient,
    runtime: BlockingRuntime,
}

impl UserClient {
    /// The user's [`Account`].
    pub fn account(&self) -> Account {
        Account::new(self)
    }
}

/// The blocking [`Account`](crate::Account) service of a [`UserClient`]: the same methods,
/// each sent with [`send`](Pending::send).
#[derive(Clone, Debug)]
pub struct Account {
    inner: crate::Account,
    runtime: BlockingRuntime,
}

impl Account {
    /// The account service of `user`.
    pub fn new(user: &UserClient) -> Self {
        Self {
            inner: crate::Account::new(&user.inner),
            runtime: user.runtime.clone(),
        }
    }
}

appwrite_transport::blocking_calls! {
    impl Account {
        fn get() -> ResponseFuture<User>;
        fn get_session(session_id: impl Into<SessionId>) -> ResponseFuture<Session>;
        fn list_sessions() -> ResponseFuture<SessionList>;
        fn delete_session(session_id: impl Into<SessionId>) -> ResponseFuture<()>;
        fn get_prefs() -> ResponseFuture<Preferences>;
    }
}

/// The blocking [`Users`](crate::Users) service: the same methods, each returning a [`Pending`]
/// call that takes the same options and is sent with [`send`](Pending::send).
///
/// ```no_run
/// # fn run(client: appwrite_server::blocking::Client) -> Result<(), appwrite_server::Error> {
/// let users = appwrite_server::blocking::Users::new(&client);
/// let user = users.get_or_create("user-42").email("ada@example.com").send()?;
/// let sessions = users.list_sessions(user.id).send()?;
/// # let _ = sessions;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Users {
    inner: crate::Users,
    runtime: BlockingRuntime,
}

impl Users {
    /// The Users service of `client`.
    pub fn new(client: &Client) -> Self {
        Self {
            inner: crate::Users::new(&client.inner),
            runtime: client.runtime.clone(),
        }
    }

    /// [`Users::with_jwt_cache`](crate::Users::with_jwt_cache): caches
    /// [`verify_jwt`](Self::verify_jwt) answers.
    pub fn with_jwt_cache(mut self, cache: JwtCache) -> Self {
        self.inner = self.inner.with_jwt_cache(cache);
        self
    }

    /// [`Users::jwt_cache`](crate::Users::jwt_cache).
    pub fn jwt_cache(&self) -> Option<&JwtCache> {
        self.inner.jwt_cache()
    }
}

appwrite_transport::blocking_calls! {
    impl Users {
        fn create_token(user_id: impl Into<UserId>) -> CreateToken;
        fn create(user_id: impl Into<UserId>) -> CreateUser;
        fn get_or_create(user_id: impl Into<UserId>) -> GetOrCreateUser;
        fn get(user_id: impl Into<UserId>) -> ResponseFuture<User>;
        fn list() -> ListUsers;
        fn delete(user_id: impl Into<UserId>) -> ResponseFuture<()>;
        fn update_status(user_id: impl Into<UserId>, status: bool) -> ResponseFuture<User>;
        fn create_session(user_id: impl Into<UserId>) -> ResponseFuture<Session>;
        fn list_sessions(user_id: impl Into<UserId>) -> ResponseFuture<SessionList>;
        fn delete_session(
            user_id: impl Into<UserId>,
            session_id: impl Into<SessionId>
        ) -> ResponseFuture<()>;
        fn delete_sessions(user_id: impl Into<UserId>) -> ResponseFuture<()>;
        fn create_jwt(user_id: impl Into<UserId>) -> CreateJwt;
        fn update_name(user_id: impl Into<UserId>, name: impl Into<String>) -> ResponseFuture<User>;
        fn update_email(user_id: impl Into<UserId>, email: impl Into<String>) -> ResponseFuture<User>;
        fn update_phone(user_id: impl Into<UserId>, number: impl Into<String>) -> ResponseFuture<User>;
        fn update_password(
            user_id: impl Into<UserId>,
            password: impl Into<String>
        ) -> ResponseFuture<User>;
        fn update_prefs(
            user_id: impl Into<UserId>,
            prefs: impl Into<Preferences>
        ) -> ResponseFuture<Preferences>;
        fn get_prefs(user_id: impl Into<UserId>) -> ResponseFuture<Preferences>;
        fn update_labels(
            user_id: impl Into<UserId>,
            labels: impl IntoIterator<Item = impl Into<String>>
        ) -> ResponseFuture<User>;
        fn update_email_verification(user_id: impl Into<UserId>, verified: bool) -> ResponseFuture<User>;
        fn update_phone_verification(user_id: impl Into<UserId>, verified: bool) -> ResponseFuture<User>;
        fn block(user_id: impl Into<UserId>) -> ResponseFuture<User>;
        fn unblock(user_id: impl Into<UserId>) -> ResponseFuture<User>;
        fn find_by_email(email: impl Into<String>) -> ResponseFuture<Option<User>>;
        fn get_or_create_by_email(email: impl Into<String>) -> GetOrCreateByEmail;
        fn verify_jwt(jwt: impl Into<String>) -> ResponseFuture<VerifiedUser>;
    }
}

appwrite_transport::pending_setters! {
    CreateToken {
        fn length(length: u32);
        fn expire(expire: Duration);
    }
    CreateJwt {
        fn session_id(session_id: impl Into<SessionId>);
        fn duration(duration: Duration);
    }
    CreateUser {
        fn email(email: impl Into<String>);
        fn phone(phone: impl Into<String>);
        fn password(password: impl Into<String>);
        fn name(name: impl Into<String>);
    }
    GetOrCreateUser {
        fn email(email: impl Into<String>);
        fn phone(phone: impl Into<String>);
        fn password(password: impl Into<String>);
        fn name(name: impl Into<String>);
    }
    GetOrCreateByEmail {
        fn name(name: impl Into<String>);
        fn phone(phone: impl Into<String>);
        fn password(password: impl Into<String>);
    }
    ListUsers {
        fn query(query: impl Into<String>);
        fn queries(queries: impl IntoIterator<Item = impl Into<String>>);
        fn search(search: impl Into<String>);
        fn total(total: bool);
    }
}
