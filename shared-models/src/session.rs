//! `Session` and `SessionList`.

use serde::Deserialize;

use crate::serde_util::null_as_default;
use crate::{Datetime, ProviderToken, SessionCredential, SessionId, UserId};

/// A login session (`POST /account/sessions/token`, `GET /account/sessions/{id}`, …).
///
/// `Debug` never shows `secret` or the provider tokens.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct Session {
    /// Session id.
    #[serde(rename = "$id")]
    pub id: SessionId,
    /// When the session was created.
    #[serde(rename = "$createdAt", default, deserialize_with = "null_as_default")]
    pub created_at: Datetime,
    /// When the session was last updated.
    #[serde(rename = "$updatedAt", default, deserialize_with = "null_as_default")]
    pub updated_at: Datetime,
    /// The user the session belongs to.
    #[serde(rename = "userId")]
    pub user_id: UserId,
    /// When the session ends.
    pub expire: Datetime,
    /// How the session was created: `token`, `server`, `email`, `magic-url`, `phone` or an OAuth2 provider.
    #[serde(default, deserialize_with = "null_as_default")]
    pub provider: String,
    /// The user's id at the OAuth2 provider.
    #[serde(rename = "providerUid", default, deserialize_with = "null_as_default")]
    pub provider_uid: String,
    /// OAuth2 access token, `""` for other providers.
    #[serde(
        rename = "providerAccessToken",
        default,
        deserialize_with = "null_as_default"
    )]
    pub provider_access_token: ProviderToken,
    /// When the OAuth2 access token expires.
    #[serde(
        rename = "providerAccessTokenExpiry",
        default,
        deserialize_with = "null_as_default"
    )]
    pub provider_access_token_expiry: Datetime,
    /// OAuth2 refresh token, `""` for other providers.
    #[serde(
        rename = "providerRefreshToken",
        default,
        deserialize_with = "null_as_default"
    )]
    pub provider_refresh_token: ProviderToken,
    /// IP address the session was created from.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ip: String,
    /// Operating system code name.
    #[serde(rename = "osCode", default, deserialize_with = "null_as_default")]
    pub os_code: String,
    /// Operating system name.
    #[serde(rename = "osName", default, deserialize_with = "null_as_default")]
    pub os_name: String,
    /// Operating system version.
    #[serde(rename = "osVersion", default, deserialize_with = "null_as_default")]
    pub os_version: String,
    /// Client type.
    #[serde(rename = "clientType", default, deserialize_with = "null_as_default")]
    pub client_type: String,
    /// Client code name.
    #[serde(rename = "clientCode", default, deserialize_with = "null_as_default")]
    pub client_code: String,
    /// Client name.
    #[serde(rename = "clientName", default, deserialize_with = "null_as_default")]
    pub client_name: String,
    /// Client version.
    #[serde(
        rename = "clientVersion",
        default,
        deserialize_with = "null_as_default"
    )]
    pub client_version: String,
    /// Client engine name.
    #[serde(rename = "clientEngine", default, deserialize_with = "null_as_default")]
    pub client_engine: String,
    /// Client engine version.
    #[serde(
        rename = "clientEngineVersion",
        default,
        deserialize_with = "null_as_default"
    )]
    pub client_engine_version: String,
    /// Device name.
    #[serde(rename = "deviceName", default, deserialize_with = "null_as_default")]
    pub device_name: String,
    /// Device brand.
    #[serde(rename = "deviceBrand", default, deserialize_with = "null_as_default")]
    pub device_brand: String,
    /// Device model.
    #[serde(rename = "deviceModel", default, deserialize_with = "null_as_default")]
    pub device_model: String,
    /// Country code (ISO 3166-1 alpha-2, lower case), `--` when unknown.
    #[serde(rename = "countryCode", default, deserialize_with = "null_as_default")]
    pub country_code: String,
    /// Country name.
    #[serde(rename = "countryName", default, deserialize_with = "null_as_default")]
    pub country_name: String,
    /// Whether this is the session the request was made with.
    #[serde(default, deserialize_with = "null_as_default")]
    pub current: bool,
    /// Authentication factors the session has passed (`token`, `email`, `phone`, `totp`, …).
    #[serde(default, deserialize_with = "null_as_default")]
    pub factors: Vec<String>,
    /// The session credential: `""` unless the request was made with an API key. A client gets it from
    /// the `Set-Cookie` / `X-Fallback-Cookies` response headers instead.
    #[serde(default, deserialize_with = "null_as_default")]
    pub secret: SessionCredential,
    /// When the session last passed multi-factor authentication.
    #[serde(rename = "mfaUpdatedAt", default, deserialize_with = "null_as_default")]
    pub mfa_updated_at: Datetime,
}

/// A page of sessions (`GET /account/sessions`, `GET /users/{userId}/sessions`).
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct SessionList {
    /// How many sessions there are in all.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: u64,
    /// The sessions.
    pub sessions: Vec<Session>,
}
