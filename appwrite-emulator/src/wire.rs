//! Models as Appwrite emits them: every key present, in Appwrite's order, `""`/`[]`/`{}` rather than
//! `null` except where Appwrite's model allows `null`.

use appwrite_models::{Datetime, ErrorType};
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::clock::{Millis, datetime, db_datetime};
use crate::crypto::hex;
use crate::error::{ApiError, JSON_CONTENT_TYPE};
use crate::records::{SessionRecord, TargetRecord, UserRecord};

/// PHP `version_compare($a, $b, '<')` for plain dotted versions.
pub(crate) fn version_lt(a: &str, b: &str) -> bool {
    fn parts(v: &str) -> impl Iterator<Item = u64> + '_ {
        v.split(['.', '-', '+']).map(|p| p.parse().unwrap_or(0))
    }
    let (a, b): (Vec<u64>, Vec<u64>) = (parts(a).collect(), parts(b).collect());
    let len = a.len().max(b.len());
    for i in 0..len {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x < y;
        }
    }
    false
}

/// JSON as PHP's `json_encode` writes it with `JSON_UNESCAPED_UNICODE`: slashes escaped as `\/`.
/// A `/` can only occur inside a JSON string, so escaping every one is exact.
pub(crate) fn php_json<T: Serialize + ?Sized>(body: &T) -> serde_json::Result<Vec<u8>> {
    let plain = serde_json::to_vec(body)?;
    if !plain.contains(&b'/') {
        return Ok(plain);
    }
    let mut out = Vec::with_capacity(plain.len() + 16);
    for b in plain {
        if b == b'/' {
            out.push(b'\\');
        }
        out.push(b);
    }
    Ok(out)
}

/// A JSON answer with Appwrite's content type.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match php_json(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response
                .headers_mut()
                .insert(CONTENT_TYPE, JSON_CONTENT_TYPE);
            response
        }
        Err(_) => ApiError::new(ErrorType::GeneralServerError).into_response(),
    }
}

/// A 204 with a non-JSON content type, as Swoole sends it: some SDKs read the header
/// unconditionally and others try to parse JSON bodies.
pub(crate) fn no_content() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    response
}

/// `User` (API-key routes) or `Account` (the same without the password fields).
#[derive(Debug)]
pub(crate) struct UserOut<'a> {
    pub user: &'a UserRecord,
    /// Render the `Account` model.
    pub account: bool,
    /// Drop the 1.9 `impersonator*` fields (response format below 1.9.0).
    pub legacy: bool,
    /// Set when this request itself recorded the user's access: the old `$updatedAt` to answer.
    /// Appwrite sets `accessedAt` on the request's user document in memory (`DateTime::now()`,
    /// database format) and writes it without reading it back (app/controllers/shared/api.php,
    /// step 6), so that request answers `accessedAt` as `Y-m-d H:i:s.v` and the old `$updatedAt`.
    pub fresh_access: Option<Millis>,
}

impl Serialize for UserOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let u = self.user;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("$id", &u.id)?;
        map.serialize_entry("$createdAt", &datetime(u.created_at))?;
        let updated_at = self.fresh_access.unwrap_or(u.updated_at);
        map.serialize_entry("$updatedAt", &datetime(updated_at))?;
        map.serialize_entry("name", &u.name)?;
        if !self.account {
            // The emulator keeps a SHA-256 of the password; Appwrite's `hash` names the algorithm.
            map.serialize_entry("password", &u.password_hash)?;
            map.serialize_entry("hash", "sha")?;
            map.serialize_entry(
                "hashOptions",
                &serde_json::json!({"type": "sha", "version": "sha256"}),
            )?;
        }
        map.serialize_entry("registration", &datetime(u.created_at))?;
        map.serialize_entry("status", &u.status)?;
        map.serialize_entry("labels", &u.labels)?;
        map.serialize_entry(
            "passwordUpdate",
            &u.password_update.map_or(Datetime::UNSET, datetime),
        )?;
        map.serialize_entry("email", u.email.as_deref().unwrap_or(""))?;
        map.serialize_entry("phone", u.phone.as_deref().unwrap_or(""))?;
        map.serialize_entry("emailVerification", &u.email_verification)?;
        // The emulator does no email analysis: Appwrite's own fallback is `null` for all five.
        for key in [
            "emailCanonical",
            "emailIsFree",
            "emailIsDisposable",
            "emailIsCorporate",
            "emailIsCanonical",
        ] {
            map.serialize_entry(key, &())?;
        }
        map.serialize_entry("phoneVerification", &u.phone_verification)?;
        map.serialize_entry("mfa", &u.mfa.enabled)?;
        map.serialize_entry("prefs", &u.prefs)?;
        let targets: Vec<_> = u
            .targets
            .iter()
            .map(|t| TargetOut { t, user_id: &u.id })
            .collect();
        map.serialize_entry("targets", &targets)?;
        match (self.fresh_access, u.accessed_at) {
            (Some(_), Some(at)) => map.serialize_entry("accessedAt", &db_datetime(at))?,
            _ => map.serialize_entry(
                "accessedAt",
                &u.accessed_at.map_or(Datetime::UNSET, datetime),
            )?,
        }
        if !self.legacy {
            map.serialize_entry("impersonator", &false)?;
            map.serialize_entry("impersonatorUserId", &())?;
        }
        map.end()
    }
}

struct TargetOut<'a> {
    t: &'a TargetRecord,
    user_id: &'a str,
}

impl Serialize for TargetOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(9))?;
        map.serialize_entry("$id", &self.t.id)?;
        map.serialize_entry("$createdAt", &datetime(self.t.created_at))?;
        map.serialize_entry("$updatedAt", &datetime(self.t.created_at))?;
        map.serialize_entry("name", "")?;
        map.serialize_entry("userId", self.user_id)?;
        map.serialize_entry("providerId", &())?;
        map.serialize_entry("providerType", self.t.provider_type)?;
        map.serialize_entry("identifier", &self.t.identifier)?;
        map.serialize_entry("expired", &false)?;
        map.end()
    }
}

/// `{total, users}`.
#[derive(Debug, Serialize)]
pub(crate) struct UserListOut<'a> {
    pub total: usize,
    pub users: Vec<UserOut<'a>>,
}

/// The `Session` model.
#[derive(Debug, Serialize)]
pub(crate) struct SessionOut<'a> {
    #[serde(rename = "$id")]
    id: &'a str,
    #[serde(rename = "$createdAt")]
    created_at: Datetime,
    #[serde(rename = "$updatedAt")]
    updated_at: Datetime,
    #[serde(rename = "userId")]
    user_id: &'a str,
    expire: Stamp,
    provider: &'a str,
    #[serde(rename = "providerUid")]
    provider_uid: &'a str,
    #[serde(rename = "providerAccessToken")]
    provider_access_token: &'a str,
    #[serde(rename = "providerAccessTokenExpiry")]
    provider_access_token_expiry: &'a str,
    #[serde(rename = "providerRefreshToken")]
    provider_refresh_token: &'a str,
    ip: &'a str,
    #[serde(rename = "osCode")]
    os_code: &'a str,
    #[serde(rename = "osName")]
    os_name: &'a str,
    #[serde(rename = "osVersion")]
    os_version: &'a str,
    #[serde(rename = "clientType")]
    client_type: &'a str,
    #[serde(rename = "clientCode")]
    client_code: &'a str,
    #[serde(rename = "clientName")]
    client_name: &'a str,
    #[serde(rename = "clientVersion")]
    client_version: &'a str,
    #[serde(rename = "clientEngine")]
    client_engine: &'a str,
    #[serde(rename = "clientEngineVersion")]
    client_engine_version: &'a str,
    #[serde(rename = "deviceName")]
    device_name: &'a str,
    #[serde(rename = "deviceBrand")]
    device_brand: &'a str,
    #[serde(rename = "deviceModel")]
    device_model: &'a str,
    #[serde(rename = "countryCode")]
    country_code: &'a str,
    #[serde(rename = "countryName")]
    country_name: &'a str,
    current: bool,
    factors: Vec<&'static str>,
    secret: std::borrow::Cow<'a, str>,
    #[serde(rename = "mfaUpdatedAt")]
    mfa_updated_at: String,
}

/// How a session's `secret` field is rendered.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SessionSecret<'a> {
    /// `""`: the caller may not see it (every session caller).
    Hidden,
    /// The stored SHA-256, which Appwrite shows to API keys when listing sessions.
    Hash,
    /// The encoded credential, right after creation for API keys.
    Credential(&'a str),
}

impl<'a> SessionOut<'a> {
    pub(crate) fn new(
        s: &'a SessionRecord,
        user_id: &'a str,
        current: bool,
        secret: SessionSecret<'a>,
    ) -> Self {
        Self {
            id: &s.id,
            created_at: datetime(s.created_at),
            updated_at: datetime(s.updated_at),
            user_id,
            expire: Stamp::Wire(datetime(s.expire)),
            provider: s.provider,
            provider_uid: "",
            provider_access_token: "",
            provider_access_token_expiry: "",
            provider_refresh_token: "",
            ip: &s.ip,
            os_code: "",
            os_name: "",
            os_version: "",
            client_type: "",
            client_code: "",
            client_name: "",
            client_version: "",
            client_engine: "",
            client_engine_version: "",
            device_name: "",
            device_brand: "",
            device_model: "",
            // No GeoIP database: Appwrite's answer for an unknown address.
            country_code: "--",
            country_name: "Unknown",
            current,
            factors: s.factors(),
            secret: match secret {
                SessionSecret::Hidden => "".into(),
                SessionSecret::Hash => hex(&s.secret_hash).into(),
                SessionSecret::Credential(c) => c.into(),
            },
            mfa_updated_at: s
                .mfa
                .updated_at
                .map(|ms| datetime(ms).to_string())
                .unwrap_or_default(),
        }
    }
}

impl SessionOut<'_> {
    /// The session as stored, without the fields only read routes fill in (`countryName`).
    pub(crate) fn stored(mut self) -> Self {
        self.country_name = "";
        self
    }

    /// The session as `PATCH /v1/account/sessions/{id}` answers it: Appwrite sets `expire` on the
    /// document it read (`DateTime::addSeconds`, database format) and answers that document
    /// after `updateDocument` without reading it back, so `$updatedAt` is the old one
    /// (app/controllers/api/account.php, `updateSession`).
    pub(crate) fn extended(mut self, old_updated_at: Millis, expire: Millis) -> Self {
        self.updated_at = datetime(old_updated_at);
        self.expire = Stamp::Db(db_datetime(expire));
        self
    }

    /// `mfaUpdatedAt` as it was just set in memory, in the database's format (`Y-m-d H:i:s.v`):
    /// what `PUT /v1/account/mfa/challenges` answers (MFA/Challenges/Update.php).
    pub(crate) fn mfa_updated_at_as_set(mut self, ms: Millis) -> Self {
        self.mfa_updated_at = db_datetime(ms);
        self
    }
}

/// A datetime as Appwrite answers it: read back from the database (the wire's ISO 8601), or
/// set in memory by the controller and answered as it is (Utopia's database format).
#[derive(Debug)]
enum Stamp {
    Wire(Datetime),
    Db(String),
}

impl Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Wire(at) => at.serialize(serializer),
            Self::Db(text) => serializer.serialize_str(text),
        }
    }
}

/// `{total, sessions}`.
#[derive(Debug, Serialize)]
pub(crate) struct SessionListOut<'a> {
    pub total: usize,
    pub sessions: Vec<SessionOut<'a>>,
}

/// The `Token` model.
#[derive(Debug, Serialize)]
pub(crate) struct TokenOut<'a> {
    #[serde(rename = "$id")]
    pub id: &'a str,
    #[serde(rename = "$createdAt")]
    pub created_at: Datetime,
    #[serde(rename = "userId")]
    pub user_id: &'a str,
    pub secret: &'a str,
    pub expire: Datetime,
    pub phrase: &'a str,
}

impl<'a> TokenOut<'a> {
    pub(crate) fn new(
        id: &'a str,
        user_id: &'a str,
        secret: &'a str,
        created_at: Millis,
        expire: Millis,
        phrase: &'a str,
    ) -> Self {
        Self {
            id,
            created_at: datetime(created_at),
            user_id,
            secret,
            expire: datetime(expire),
            phrase,
        }
    }
}

/// The `JWT` model.
#[derive(Debug, Serialize)]
pub(crate) struct JwtOut {
    pub jwt: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slashes_are_escaped_like_php() {
        let bytes = php_json(&serde_json::json!({"url": "http://a/b"})).unwrap();
        assert_eq!(bytes, br#"{"url":"http:\/\/a\/b"}"#);
    }

    #[test]
    fn versions_compare_like_php() {
        assert!(version_lt("1.8.0", "1.9.0"));
        assert!(!version_lt("1.9.0", "1.9.0"));
        assert!(!version_lt("2.5.0", "1.9.6"));
        assert!(version_lt("1.9.6", "2.5.0"));
        assert!(version_lt("1.9", "1.9.1"));
    }
}
