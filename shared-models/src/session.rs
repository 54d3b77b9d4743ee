//! `Session` and `SessionList`.

use serde::Deserialize;

use crate::serde_util::{null_as_default, tolerant};
use crate::{Datetime, Factor, ProviderToken, SessionCredential, SessionId, UserId};

/// A login session (`POST /account/sessions/token`, `GET /account/sessions/{id}`, …).
///
/// `Debug` never shows `secret` or the provider tokens.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Session {
    /// Session id.
    #[serde(rename = "$id")]
    pub id: SessionId,
    /// When the session was created.
    #[serde(
        rename = "$createdAt",
        default,
        deserialize_with = "tolerant::created_at"
    )]
    pub created_at: Datetime,
    /// When the session was last updated.
    #[serde(
        rename = "$updatedAt",
        default,
        deserialize_with = "tolerant::updated_at"
    )]
    pub updated_at: Datetime,
    /// The user the session belongs to.
    pub user_id: UserId,
    /// When the session ends.
    pub expire: Datetime,
    /// How the session was created: `token`, `server`, `email`, `magic-url`, `phone` or an OAuth2
    /// provider.
    #[serde(default, deserialize_with = "null_as_default")]
    pub provider: String,
    /// The user's id at the OAuth2 provider.
    #[serde(default, deserialize_with = "null_as_default")]
    pub provider_uid: String,
    /// OAuth2 access token, `""` for other providers.
    #[serde(default, deserialize_with = "null_as_default")]
    pub provider_access_token: ProviderToken,
    /// When the OAuth2 access token expires.
    #[serde(default, deserialize_with = "tolerant::provider_access_token_expiry")]
    pub provider_access_token_expiry: Datetime,
    /// OAuth2 refresh token, `""` for other providers.
    #[serde(default, deserialize_with = "null_as_default")]
    pub provider_refresh_token: ProviderToken,
    /// IP address the session was created from.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ip: String,
    /// Operating system code name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub os_code: String,
    /// Operating system name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub os_name: String,
    /// Operating system version.
    #[serde(default, deserialize_with = "null_as_default")]
    pub os_version: String,
    /// Client type.
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_type: String,
    /// Client code name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_code: String,
    /// Client name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_name: String,
    /// Client version.
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_version: String,
    /// Client engine name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_engine: String,
    /// Client engine version.
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_engine_version: String,
    /// Device name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub device_name: String,
    /// Device brand.
    #[serde(default, deserialize_with = "null_as_default")]
    pub device_brand: String,
    /// Device model.
    #[serde(default, deserialize_with = "null_as_default")]
    pub device_model: String,
    /// Country code (ISO 3166-1 alpha-2, lower case), `--` when unknown.
    #[serde(default, deserialize_with = "null_as_default")]
    pub country_code: String,
    /// Country name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub country_name: String,
    /// Whether this is the session the request was made with.
    #[serde(default, deserialize_with = "null_as_default")]
    pub current: bool,
    /// Authentication factors the session has passed, as Appwrite names them: the sign-in's
    /// (`token`, `email`, `phone`, `password`, …) then each second factor proven (`totp`, `email`,
    /// `phone`, `recoveryCode`; see [`Factor`]). Appwrite lets a user with MFA on use a session
    /// only once it has two (`app/controllers/shared/api.php`, "Validate MFA requirements").
    #[serde(default, deserialize_with = "null_as_default")]
    pub factors: Vec<String>,
    /// The session credential: `""` unless the request was made with an API key. A client gets it
    /// from the `Set-Cookie` / `X-Fallback-Cookies` response headers instead.
    #[serde(default, deserialize_with = "null_as_default")]
    pub secret: SessionCredential,
    /// When the session last passed a second factor; unset before. Appwrite's answer to
    /// `PUT /account/mfa/challenges` carries it in its database format (`2024-10-15 06:38:00.000`,
    /// `MFA/Challenges/Update.php`), other answers in the usual one.
    #[serde(default, deserialize_with = "tolerant::mfa_updated_at")]
    pub mfa_updated_at: Datetime,
}

impl Session {
    /// A session of `user_id` that ends at `expire`, every other field empty, to build one in a
    /// test: set the public fields you need after (`secret`, `current`, `provider`, …).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use appwrite_models::{Datetime, Session};
    ///
    /// let expire = Datetime::from(SystemTime::now() + Duration::from_secs(3600));
    /// let mut session = Session::new("s1", "user-42", expire);
    /// session.current = true;
    /// assert!(!session.expire.is_before(SystemTime::now()));
    /// ```
    pub fn new(id: impl Into<SessionId>, user_id: impl Into<UserId>, expire: Datetime) -> Self {
        Self {
            id: id.into(),
            created_at: Datetime::default(),
            updated_at: Datetime::default(),
            user_id: user_id.into(),
            expire,
            provider: String::new(),
            provider_uid: String::new(),
            provider_access_token: ProviderToken::default(),
            provider_access_token_expiry: Datetime::default(),
            provider_refresh_token: ProviderToken::default(),
            ip: String::new(),
            os_code: String::new(),
            os_name: String::new(),
            os_version: String::new(),
            client_type: String::new(),
            client_code: String::new(),
            client_name: String::new(),
            client_version: String::new(),
            client_engine: String::new(),
            client_engine_version: String::new(),
            device_name: String::new(),
            device_brand: String::new(),
            device_model: String::new(),
            country_code: String::new(),
            country_name: String::new(),
            current: false,
            factors: Vec::new(),
            secret: SessionCredential::default(),
            mfa_updated_at: Datetime::default(),
        }
    }
}

impl Session {
    /// Whether the session has proven `factor` (its `factors` name it).
    ///
    /// ```
    /// use appwrite_models::{Datetime, Factor, Session};
    /// let mut session = Session::new("s1", "user-42", Datetime::now());
    /// session.factors = vec!["token".to_owned(), "totp".to_owned()];
    /// assert!(session.has_factor(Factor::Totp) && !session.has_factor(Factor::Email));
    /// assert!(session.is_multi_factor());
    /// ```
    pub fn has_factor(&self, factor: Factor) -> bool {
        self.factors
            .iter()
            .any(|name| Factor::parse(name) == Some(factor))
    }

    /// Whether the session has two factors or more: what Appwrite asks of a session of a user with
    /// MFA on (`app/controllers/shared/api.php`, step 13, `count($factors) < $minimumFactors`).
    pub fn is_multi_factor(&self) -> bool {
        self.factors.len() >= 2
    }
}

impl SessionList {
    /// A page holding `sessions`, `total` being their count.
    pub fn new(sessions: Vec<Session>) -> Self {
        Self {
            total: sessions.len() as u64,
            sessions,
        }
    }
}

/// A page of sessions (`GET /account/sessions`, `GET /users/{userId}/sessions`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionList {
    /// How many sessions there are in all.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: u64,
    /// The sessions.
    pub sessions: Vec<Session>,
}
