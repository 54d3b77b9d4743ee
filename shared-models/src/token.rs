//! `Token` and `Jwt`: what the token endpoints return.

use serde::Deserialize;

use crate::serde_util::null_as_default;
use crate::{Datetime, JwtSecret, TokenId, TokenSecret, UserId};

/// A login token (`POST /users/{userId}/tokens`, `POST /account/tokens/*`): exchange `user_id` +
/// `secret` for a session with `Account::create_session`.
///
/// `Debug` never shows the secret.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct Token {
    /// Token id.
    #[serde(rename = "$id")]
    pub id: TokenId,
    /// When the token was created.
    #[serde(rename = "$createdAt", default, deserialize_with = "null_as_default")]
    pub created_at: Datetime,
    /// The user the token logs in.
    #[serde(rename = "userId")]
    pub user_id: UserId,
    /// The secret to hand to the user. Appwrite sends `""` to callers without an API key.
    pub secret: TokenSecret,
    /// When the token stops being accepted.
    pub expire: Datetime,
    /// Security phrase of email and magic-URL tokens created with `phrase: true`, else `""`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub phrase: String,
}

/// A JSON Web Token (`POST /account/jwts`, `POST /users/{userId}/jwts`).
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct Jwt {
    /// The token, for the `X-Appwrite-JWT` header.
    pub jwt: JwtSecret,
}
