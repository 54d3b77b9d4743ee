//! `Token` and `Jwt`: what the token endpoints return.

use serde::Deserialize;

use crate::serde_util::{null_as_default, tolerant};
use crate::{Datetime, JwtSecret, TokenId, TokenSecret, UserId};

/// A login token (`POST /users/{userId}/tokens`, `POST /account/tokens/*`): exchange `user_id` +
/// `secret` for a session with `Account::create_session`.
///
/// `Debug` never shows the secret.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Token {
    /// Token id.
    #[serde(rename = "$id")]
    pub id: TokenId,
    /// When the token was created.
    #[serde(
        rename = "$createdAt",
        default,
        deserialize_with = "tolerant::created_at"
    )]
    pub created_at: Datetime,
    /// The user the token logs in.
    pub user_id: UserId,
    /// The secret to hand to the user. Appwrite sends `""` to callers without an API key.
    pub secret: TokenSecret,
    /// When the token stops being accepted.
    pub expire: Datetime,
    /// Security phrase of email and magic-URL tokens created with `phrase: true`, else `""`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub phrase: String,
}

impl Token {
    /// A token, to build one in a test: `phrase` and `created_at` are empty; set the public
    /// fields you need after.
    ///
    /// ```
    /// use appwrite_models::{Datetime, Token};
    ///
    /// let token = Token::new("t1", "user-42", "a1b2c3", Datetime::now());
    /// assert_eq!(token.secret.expose_secret(), "a1b2c3");
    /// ```
    pub fn new(
        id: impl Into<TokenId>,
        user_id: impl Into<UserId>,
        secret: impl Into<TokenSecret>,
        expire: Datetime,
    ) -> Self {
        Self {
            id: id.into(),
            created_at: Datetime::default(),
            user_id: user_id.into(),
            secret: secret.into(),
            expire,
            phrase: String::new(),
        }
    }
}

/// A JSON Web Token (`POST /account/jwts`, `POST /users/{userId}/jwts`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Jwt {
    /// The token, for the `X-Appwrite-JWT` header.
    pub jwt: JwtSecret,
}

impl Jwt {
    /// A JWT, to build one in a test.
    pub fn new(jwt: impl Into<JwtSecret>) -> Self {
        Self { jwt: jwt.into() }
    }
}
