//! Requests with optional parameters: builders that are awaited directly.

use std::future::IntoFuture;
use std::time::Duration;

use appwrite_models::protocol::limits;
use appwrite_models::protocol::routes::{self, Route};
use appwrite_models::{Jwt, Token, UserId};
use appwrite_transport::InvalidInput;
use serde::Serialize;

pub use appwrite_transport::Request;

use crate::account::Account;
use crate::client::Auth;
use crate::error::Result;
use crate::future::ResponseFuture;

/// `POST /account/jwts`: a JSON Web Token for the held session. From
/// [`Account::create_jwt`]; await it.
///
/// ```no_run
/// # async fn run(account: appwrite_client::Account) -> appwrite_client::Result<()> {
/// use std::time::Duration;
///
/// let jwt = account.create_jwt().duration(Duration::from_secs(600)).await?;
/// send_to_backend(jwt.jwt.expose_secret());
/// # Ok(())
/// # }
/// # fn send_to_backend(_: &str) {}
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateJwt {
    account: Account,
    duration: Option<Duration>,
}

#[derive(Serialize)]
struct JwtBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<u64>,
}

impl CreateJwt {
    pub(crate) fn new(account: Account) -> Self {
        Self {
            account,
            duration: None,
        }
    }

    /// How long the token stays valid, one second to one hour in whole seconds (Appwrite's
    /// default is 15 minutes). A value out of range or with a fraction of a second (0 s, 0.5 s)
    /// fails when awaited, before anything is sent.
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }

    /// The request this builder sends, built without sending it (to check its body in a test);
    /// an argument Appwrite would refuse is an error here. Await the builder to send it.
    pub fn request(&self) -> Result<Request, InvalidInput> {
        let duration = self
            .duration
            .map(|d| limits::whole_seconds_in("duration", d, &limits::JWT_DURATION_SENT_SECS))
            .transpose()?;
        Request::to(routes::account::CREATE_JWT, [])
            .json(&JwtBody { duration })
            .checked()
    }
}

impl IntoFuture for CreateJwt {
    type Output = Result<Jwt>;
    type IntoFuture = ResponseFuture<Jwt>;

    fn into_future(self) -> Self::IntoFuture {
        self.account
            .client
            .json_future(self.request(), Auth::Session)
    }
}

#[derive(Serialize)]
struct EmailTokenBody<'a> {
    #[serde(rename = "userId")]
    user_id: &'a str,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phrase: Option<bool>,
}

impl EmailTokenBody<'_> {
    /// The request that sends this body to `route` (`POST /account/tokens/email`, say).
    fn request(&self, route: Route) -> Result<Request, InvalidInput> {
        Request::to(route, []).json(self).checked()
    }
}

/// `POST /account/tokens/email`: sends a sign-in code by email. From
/// [`Account::create_email_token`]; await it.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateEmailToken {
    account: Account,
    user_id: UserId,
    email: String,
    phrase: Option<bool>,
}

impl CreateEmailToken {
    pub(crate) fn new(account: Account, user_id: UserId, email: String) -> Self {
        Self {
            account,
            user_id,
            email,
            phrase: None,
        }
    }

    /// Also returns a security phrase (`Token::phrase`) that the email repeats, so the user can
    /// tell the email belongs to this sign-in (default `false`).
    pub fn phrase(mut self, phrase: bool) -> Self {
        self.phrase = Some(phrase);
        self
    }

    /// The request this builder sends, built without sending it (to check its body in a test).
    /// Await the builder to send it, without the held session.
    pub fn request(&self) -> Result<Request, InvalidInput> {
        EmailTokenBody {
            user_id: self.user_id.as_str(),
            email: &self.email,
            url: None,
            phrase: self.phrase,
        }
        .request(routes::account::CREATE_EMAIL_TOKEN)
    }
}

/// `POST /account/tokens/magic-url`: sends a sign-in link by email. From
/// [`Account::create_magic_url_token`]; await it.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateMagicUrlToken {
    account: Account,
    user_id: UserId,
    email: String,
    url: Option<String>,
    phrase: Option<bool>,
}

impl CreateMagicUrlToken {
    pub(crate) fn new(account: Account, user_id: UserId, email: String) -> Self {
        Self {
            account,
            user_id,
            email,
            url: None,
            phrase: None,
        }
    }

    /// Where the link points (your app's page that calls `create_session` with the link's
    /// `userId` and `secret`). Its host must be a platform registered in the project.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Also returns a security phrase that the email repeats (default `false`).
    pub fn phrase(mut self, phrase: bool) -> Self {
        self.phrase = Some(phrase);
        self
    }

    /// The request this builder sends, built without sending it (to check its body in a test).
    /// Await the builder to send it, without the held session.
    pub fn request(&self) -> Result<Request, InvalidInput> {
        EmailTokenBody {
            user_id: self.user_id.as_str(),
            email: &self.email,
            url: self.url.as_deref(),
            phrase: self.phrase,
        }
        .request(routes::account::CREATE_MAGIC_URL_TOKEN)
    }
}

/// Awaiting a token builder sends its request without the held session.
impl IntoFuture for CreateEmailToken {
    type Output = Result<Token>;
    type IntoFuture = ResponseFuture<Token>;

    fn into_future(self) -> Self::IntoFuture {
        self.account.client.json_future(self.request(), Auth::Guest)
    }
}

impl IntoFuture for CreateMagicUrlToken {
    type Output = Result<Token>;
    type IntoFuture = ResponseFuture<Token>;

    fn into_future(self) -> Self::IntoFuture {
        self.account.client.json_future(self.request(), Auth::Guest)
    }
}
