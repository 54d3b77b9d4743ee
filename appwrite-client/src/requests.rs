//! Requests with optional parameters: builders that are awaited directly.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use appwrite_models::protocol::limits;
use appwrite_models::{Jwt, Token, UserId};
use appwrite_transport::reqwest::Method;
use appwrite_transport::{InvalidInput, Request};
use serde::Serialize;

use crate::account::Account;
use crate::client::Auth;
use crate::error::Result;

/// The future a request builder turns into when awaited: boxed, `Send` and `'static`, so it can
/// be spawned.
pub type ResponseFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'static>>;

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
#[derive(Debug)]
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

    /// How long the token is valid: 1 to 3600 seconds, whole seconds (default 900 s). Checked
    /// before sending.
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }

    async fn send(self) -> Result<Jwt> {
        let duration = self
            .duration
            .map(|d| limits::whole_seconds_in("duration", d, &limits::JWT_DURATION_SENT_SECS))
            .transpose()
            .map_err(InvalidInput::from)?;
        let request = Request::new(Method::POST, "/account/jwts", []).json(&JwtBody { duration });
        self.account.client.send_json(request, Auth::Session).await
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
    /// Sends the body to `POST {route}` (`/account/tokens/email`, say), without the held session.
    async fn send(&self, account: &Account, route: &'static str) -> Result<Token> {
        let request = Request::new(Method::POST, route, []).json(self);
        account.client.send_json(request, Auth::Guest).await
    }
}

/// `POST /account/tokens/email`: sends a sign-in code by email. From
/// [`Account::create_email_token`]; await it.
#[derive(Debug)]
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

    async fn send(self) -> Result<Token> {
        let body = EmailTokenBody {
            user_id: self.user_id.as_str(),
            email: &self.email,
            url: None,
            phrase: self.phrase,
        };
        body.send(&self.account, "/account/tokens/email").await
    }
}

/// `POST /account/tokens/magic-url`: sends a sign-in link by email. From
/// [`Account::create_magic_url_token`]; await it.
#[derive(Debug)]
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

    async fn send(self) -> Result<Token> {
        let body = EmailTokenBody {
            user_id: self.user_id.as_str(),
            email: &self.email,
            url: self.url.as_deref(),
            phrase: self.phrase,
        };
        body.send(&self.account, "/account/tokens/magic-url").await
    }
}

/// Awaiting a request builder runs its `async fn send(self)`.
macro_rules! into_future_via_send {
    ($($builder:ty => $output:ty),+ $(,)?) => {$(
        impl IntoFuture for $builder {
            type Output = Result<$output>;
            type IntoFuture = ResponseFuture<$output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    )+};
}

into_future_via_send! {
    CreateJwt => Jwt,
    CreateEmailToken => Token,
    CreateMagicUrlToken => Token,
}
