//! `create_token` and `create_jwt`: credentials minted for a user.

use std::future::IntoFuture;
use std::time::Duration;

use appwrite_models::protocol::limits;
use appwrite_models::protocol::routes;
use appwrite_models::{Jwt, SessionId, Token, UserId};
use appwrite_transport::{InvalidInput, Request};
use serde::Serialize;

use crate::client::Client;
use crate::error::Result;
use crate::future::ResponseFuture;

/// A request for a login token, from [`Users::create_token`](crate::Users::create_token). Await it.
///
/// ```no_run
/// use std::time::Duration;
///
/// # async fn run(users: appwrite_server::Users) -> Result<(), appwrite_server::Error> {
/// let token = users
///     .create_token("user-42")
///     .length(8)
///     .expire(Duration::from_secs(10 * 60))
///     .await?;
/// println!("token for {} expires at {}", token.user_id, token.expire);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateToken {
    client: Client,
    user_id: UserId,
    length: Option<u32>,
    expire: Option<Duration>,
}

impl CreateToken {
    pub(crate) fn new(client: Client, user_id: UserId) -> Self {
        Self {
            client,
            user_id,
            length: None,
            expire: None,
        }
    }

    /// The secret's length in hex characters, 4 to 128 (Appwrite's default is 6). A value out of
    /// range fails when awaited, before anything is sent.
    pub fn length(mut self, length: u32) -> Self {
        self.length = Some(length);
        self
    }

    /// How long the token stays valid, one minute to one year in whole seconds (Appwrite's
    /// default is 15 minutes). A value out of range or with a fraction of a second fails when
    /// awaited, before anything is sent.
    pub fn expire(mut self, expire: Duration) -> Self {
        self.expire = Some(expire);
        self
    }

    /// The request this builder sends, built without sending it (to check its body in a test);
    /// an argument Appwrite would refuse is an error here. Await the builder to send it.
    pub fn request(&self) -> Result<Request, InvalidInput> {
        #[derive(Serialize)]
        struct Body {
            #[serde(skip_serializing_if = "Option::is_none")]
            length: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            expire: Option<u64>,
        }
        let length = self
            .length
            .map(|length| limits::in_range("length", length.into(), &limits::TOKEN_LENGTH))
            .transpose()?;
        let expire = self
            .expire
            .map(|expire| limits::whole_seconds_in("expire", expire, &limits::TOKEN_EXPIRE_SECS))
            .transpose()?;
        Request::to(routes::users::CREATE_TOKEN, [self.user_id.as_str()])
            .json(&Body { length, expire })
            .checked()
    }
}

impl IntoFuture for CreateToken {
    type Output = Result<Token>;
    type IntoFuture = ResponseFuture<Token>;

    fn into_future(self) -> Self::IntoFuture {
        self.client.try_json(self.request())
    }
}

/// A request for a JSON Web Token, from [`Users::create_jwt`](crate::Users::create_jwt). Await it.
///
/// ```no_run
/// use std::time::Duration;
///
/// # async fn run(users: appwrite_server::Users) -> Result<(), appwrite_server::Error> {
/// let jwt = users.create_jwt("user-42").duration(Duration::from_secs(300)).await?;
/// // Send it as `X-Appwrite-JWT` to act as the user.
/// # let _ = jwt;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateJwt {
    client: Client,
    user_id: UserId,
    session_id: Option<SessionId>,
    duration: Option<Duration>,
}

impl CreateJwt {
    pub(crate) fn new(client: Client, user_id: UserId) -> Self {
        Self {
            client,
            user_id,
            session_id: None,
            duration: None,
        }
    }

    /// The session the token is tied to; `"recent"` names the user's newest one. Without it the
    /// token is tied to no session and keeps working after the user signs out (Appwrite 1.9.6's
    /// `sessionId` default is `""`, users.php `createJWT`).
    pub fn session_id(mut self, session_id: impl Into<SessionId>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }

    /// How long the token stays valid, one second to one hour in whole seconds (Appwrite's
    /// default is 15 minutes). A value out of range or with a fraction of a second fails when
    /// awaited, before anything is sent.
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }

    /// The request this builder sends, built without sending it (to check its body in a test);
    /// an argument Appwrite would refuse is an error here. Await the builder to send it.
    pub fn request(&self) -> Result<Request, InvalidInput> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "sessionId", skip_serializing_if = "Option::is_none")]
            session_id: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            duration: Option<u64>,
        }
        let duration = self
            .duration
            .map(|duration| {
                limits::whole_seconds_in("duration", duration, &limits::JWT_DURATION_SENT_SECS)
            })
            .transpose()?;
        Request::to(routes::users::CREATE_JWT, [self.user_id.as_str()])
            .json(&Body {
                session_id: self.session_id.as_ref().map(SessionId::as_str),
                duration,
            })
            .checked()
    }
}

impl IntoFuture for CreateJwt {
    type Output = Result<Jwt>;
    type IntoFuture = ResponseFuture<Jwt>;

    fn into_future(self) -> Self::IntoFuture {
        self.client.try_json(self.request())
    }
}
