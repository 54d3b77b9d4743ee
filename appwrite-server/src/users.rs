//! The Users service: login tokens, users, their sessions and JWTs.

mod create;
mod email;
mod list;
mod token;
mod update;

use appwrite_models::protocol::routes;
use appwrite_models::{Session, SessionId, SessionList, User, UserId};
use appwrite_transport::Request;
use serde::Serialize;

use crate::client::Client;
use crate::future::ResponseFuture;

pub use create::{CreateUser, GetOrCreateUser};
pub use email::GetOrCreateByEmail;
pub use list::ListUsers;
pub use token::{CreateJwt, CreateToken};

/// Appwrite's Users service (`/v1/users`), called with the client's API key.
///
/// It holds a clone of the [`Client`], so it is cheap to clone, `Send + Sync + 'static`, and fits
/// in an axum state as it is. Every method returns a future that is `Send` and `'static`; the
/// ones with optional parameters return a `#[must_use]` builder that is awaited directly.
///
/// ```no_run
/// use std::time::Duration;
///
/// # async fn run(client: appwrite_server::Client) -> Result<(), appwrite_server::Error> {
/// let users = appwrite_server::Users::new(&client);
/// let user = users.get_or_create("user-42").email("ada@example.com").await?;
/// let token = users
///     .create_token(user.id)
///     .length(8)
///     .expire(Duration::from_secs(600))
///     .await?;
/// # let _ = token;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Users {
    pub(crate) client: Client,
    /// The opt-in cache of [`verify_jwt`](Self::verify_jwt) answers.
    pub(crate) jwt_cache: Option<std::sync::Arc<crate::jwt_cache::JwtCache>>,
}

impl Users {
    /// The Users service of `client`.
    pub fn new(client: &Client) -> Self {
        Self {
            client: client.clone(),
            jwt_cache: None,
        }
    }

    /// Creates a login token for a user: `POST /users/{userId}/tokens`, scope `users.write`.
    ///
    /// The [`Token`](appwrite_models::Token)'s `secret` (6 lowercase hex characters and valid for
    /// 15 minutes unless [`length`](CreateToken::length) and [`expire`](CreateToken::expire) say
    /// otherwise; single use) is what the user exchanges, with the user id, for a session. Hand it
    /// over a channel of your choice; never log it.
    ///
    /// The request is never sent twice once it may have reached the server, so a retry cannot
    /// mint a second token. A user that does not exist gives an error that
    /// [`is_not_found()`](crate::Error::is_not_found).
    pub fn create_token(&self, user_id: impl Into<UserId>) -> CreateToken {
        CreateToken::new(self.client.clone(), user_id.into())
    }

    /// Creates a user: `POST /users`, scope `users.write`. Pass [`ID::unique()`](crate::ID::unique)
    /// or your own id (up to 36 characters of `a-z`, `A-Z`, `0-9`, `.`, `_`, `-`, not starting
    /// with a symbol). An id, email or phone that is taken gives an error that
    /// [`is_conflict()`](crate::Error::is_conflict).
    pub fn create(&self, user_id: impl Into<UserId>) -> CreateUser {
        CreateUser::new(self.client.clone(), user_id.into())
    }

    /// Returns the user with this id, creating it (with the email, phone, name and password set
    /// on the builder) if there is none: the "make sure the user exists" step of a custom-token
    /// login.
    ///
    /// Safe against a concurrent call for the same id: `GET`, then on `user_not_found` a create,
    /// and if that meets a conflict because someone else created the user meanwhile, `GET` again.
    /// An existing user is returned as it is, even if its email or name differ.
    pub fn get_or_create(&self, user_id: impl Into<UserId>) -> GetOrCreateUser {
        GetOrCreateUser::new(self.client.clone(), user_id.into())
    }

    /// Returns a user: `GET /users/{userId}`, scope `users.read`.
    pub fn get(&self, user_id: impl Into<UserId>) -> ResponseFuture<User> {
        self.client.json(get_request(&user_id.into()))
    }

    /// Lists users: `GET /users`, scope `users.read`; filter with
    /// [`query`](ListUsers::query) and [`search`](ListUsers::search).
    pub fn list(&self) -> ListUsers {
        ListUsers::new(self.client.clone())
    }

    /// Deletes a user and everything it owns: `DELETE /users/{userId}`, scope `users.write`.
    pub fn delete(&self, user_id: impl Into<UserId>) -> ResponseFuture<()> {
        let user_id = user_id.into();
        self.client
            .empty(Request::to(routes::users::DELETE, [user_id.as_str()]))
    }

    /// Blocks (`false`) or unblocks (`true`) a user: `PATCH /users/{userId}/status`, scope
    /// `users.write`. Requests made with a blocked user's sessions are refused with 403
    /// `user_blocked`; its sessions are not deleted.
    pub fn update_status(&self, user_id: impl Into<UserId>, status: bool) -> ResponseFuture<User> {
        #[derive(Serialize)]
        struct Body {
            status: bool,
        }
        let user_id = user_id.into();
        self.client.json(
            Request::to(routes::users::UPDATE_STATUS, [user_id.as_str()]).json(&Body { status }),
        )
    }

    /// Creates a session for a user on the server side: `POST /users/{userId}/sessions`, scope
    /// `users.write` (and `sessions.write` on Appwrite 1.9).
    ///
    /// The returned [`Session`]'s `secret` is the session credential: hand it to the app, whose
    /// `appwrite_client::Client::adopt_session` takes it over (or send it as
    /// `X-Appwrite-Session`) to act as that user. It is a secret; never log it.
    pub fn create_session(&self, user_id: impl Into<UserId>) -> ResponseFuture<Session> {
        let user_id = user_id.into();
        self.client.json(
            Request::to(routes::users::CREATE_SESSION, [user_id.as_str()])
                .json(&serde_json::Map::new()),
        )
    }

    /// Lists a user's sessions: `GET /users/{userId}/sessions`, scope `users.read`. Their
    /// `secret`s are empty.
    pub fn list_sessions(&self, user_id: impl Into<UserId>) -> ResponseFuture<SessionList> {
        let user_id = user_id.into();
        self.client.json(Request::to(
            routes::users::LIST_SESSIONS,
            [user_id.as_str()],
        ))
    }

    /// Deletes (logs out) one of a user's sessions: `DELETE /users/{userId}/sessions/{sessionId}`,
    /// scope `users.write`.
    pub fn delete_session(
        &self,
        user_id: impl Into<UserId>,
        session_id: impl Into<SessionId>,
    ) -> ResponseFuture<()> {
        let user_id = user_id.into();
        let session_id = session_id.into();
        self.client.empty(Request::to(
            routes::users::DELETE_SESSION,
            [user_id.as_str(), session_id.as_str()],
        ))
    }

    /// Deletes (logs out) all of a user's sessions: `DELETE /users/{userId}/sessions`, scope
    /// `users.write`.
    pub fn delete_sessions(&self, user_id: impl Into<UserId>) -> ResponseFuture<()> {
        let user_id = user_id.into();
        self.client.empty(Request::to(
            routes::users::DELETE_SESSIONS,
            [user_id.as_str()],
        ))
    }

    /// Creates a JSON Web Token that acts as the user: `POST /users/{userId}/jwts`, scope
    /// `users.write`. By default it is tied to no session (it outlives a sign-out; see
    /// [`CreateJwt::session_id`], `"recent"` for the newest session) and valid for 15 minutes.
    pub fn create_jwt(&self, user_id: impl Into<UserId>) -> CreateJwt {
        CreateJwt::new(self.client.clone(), user_id.into())
    }
}

/// `GET /users/{userId}`.
fn get_request(user_id: &UserId) -> Request {
    Request::to(routes::users::GET, [user_id.as_str()])
}
