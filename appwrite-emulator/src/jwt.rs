//! JWTs as Appwrite issues them (ahc/jwt, HS256): account JWTs (claims `userId`, `sessionId` and
//! `exp`) and the OAuth2 token flow's wrapped secret (claims `secret`, `provider` and `exp`).

use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::{Deserialize, Serialize};

/// The emulator's signing key, random per instance.
pub(crate) struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtKeys([redacted])")
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Claims {
    #[serde(rename = "userId", default)]
    pub user_id: String,
    #[serde(rename = "sessionId", default)]
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
}

/// The OAuth2 token flow's `secret` query parameter: the token secret and its provider.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct TokenSecretClaims {
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
}

/// How long the wrapped OAuth2 token secret is accepted (account.php: `new JWT(..., 60, 0)`).
pub(crate) const TOKEN_SECRET_MAX_AGE_S: i64 = 60;

/// adhocore/jwt 1.1.4's constructor refuses a max age below 1 (`JWTException`, not an Appwrite
/// exception), which app/controllers/general.php answers as 500 `general_unknown`,
/// `Server Error`. Both JWT routes accept `duration` 0 (`Range(0, 3600)`) and then fail here.
pub(crate) fn check_max_age(duration_s: u64) -> Result<(), crate::error::ApiError> {
    if duration_s >= 1 {
        return Ok(());
    }
    Err(crate::error::ApiError::with_message(
        appwrite_models::ErrorType::GeneralUnknown,
        "Server Error",
    ))
}

impl JwtKeys {
    pub(crate) fn generate() -> Result<Self, getrandom::Error> {
        let mut secret = [0u8; 64];
        getrandom::fill(&mut secret)?;
        Ok(Self {
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
        })
    }

    /// Signs a JWT valid for `duration_s` seconds from `now_s` (ahc/jwt sets `exp` = now + maxAge;
    /// callers refuse 0 first with [`check_max_age`]).
    pub(crate) fn issue(
        &self,
        user_id: &str,
        session_id: &str,
        now_s: i64,
        duration_s: u64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            user_id: user_id.to_owned(),
            session_id: session_id.to_owned(),
            exp: Some(now_s.saturating_add_unsigned(duration_s)),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Wraps an OAuth2 token secret with its provider, valid 60 s from `now_s`.
    pub(crate) fn wrap_token_secret(
        &self,
        secret: &str,
        provider: &str,
        now_s: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = TokenSecretClaims {
            secret: secret.to_owned(),
            provider: provider.to_owned(),
            exp: Some(now_s.saturating_add(TOKEN_SECRET_MAX_AGE_S)),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The claims of a wrapped OAuth2 token secret, or `None` when `token` is not one this
    /// emulator signed or it has expired (Appwrite then uses the secret as it is).
    pub(crate) fn unwrap_token_secret(&self, token: &str, now_s: i64) -> Option<TokenSecretClaims> {
        let claims = self.verified_claims(token, now_s).ok()?;
        serde_json::from_value(claims).ok()
    }

    /// Checks an account JWT and returns its claims, failing with ahc/jwt's messages.
    pub(crate) fn verify(&self, token: &str, now_s: i64) -> Result<Claims, &'static str> {
        let claims = self.verified_claims(token, now_s)?;
        let number = |name: &str| claims.get(name).and_then(serde_json::Value::as_i64);
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        Ok(Claims {
            user_id: text("userId"),
            session_id: text("sessionId"),
            exp: number("exp"),
        })
    }

    /// Parses and checks a JWT as ahc/jwt 1.1 `JWT::decode` does with Appwrite's settings
    /// (HS256, `maxAge` 3600, no leeway), against emulator time, failing with its messages.
    fn verified_claims(&self, token: &str, now_s: i64) -> Result<serde_json::Value, &'static str> {
        const SYNTAX: &str = "JSON failed: Syntax error";
        const ALGORITHMS: &[&str] = &["HS256", "HS384", "HS512", "RS256", "RS384", "RS512"];
        if token.matches('.').count() < 2 {
            return Err("Invalid token: Incomplete segments");
        }
        let mut parts = token.splitn(3, '.');
        let (Some(header), Some(payload), Some(signature)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err("Invalid token: Incomplete segments");
        };
        let header: serde_json::Value = url_safe_json(header).ok_or(SYNTAX)?;
        match header.get("alg") {
            None | Some(serde_json::Value::Null | serde_json::Value::Bool(false)) => {
                return Err("Invalid token: Missing header algo");
            }
            Some(serde_json::Value::String(alg)) if alg.is_empty() || alg == "0" => {
                return Err("Invalid token: Missing header algo");
            }
            Some(serde_json::Value::String(alg)) if ALGORITHMS.contains(&alg.as_str()) => {}
            Some(_) => return Err("Invalid token: Unsupported header algo"),
        }
        // Appwrite configures no key ids, so any `kid` is unknown.
        if header.get("kid").is_some() {
            return Err("Invalid token: Unknown key ID");
        }
        // The signature is checked with the configured HS256, whatever the header names.
        let message = &token[..header_and_payload_len(token)];
        let signed = jsonwebtoken::crypto::verify(
            signature,
            message.as_bytes(),
            &self.decoding,
            Algorithm::HS256,
        )
        .unwrap_or(false);
        if !signed {
            return Err("Invalid token: Signature failed");
        }
        let claims: serde_json::Value = url_safe_json(payload).ok_or(SYNTAX)?;
        let number = |name: &str| claims.get(name).and_then(serde_json::Value::as_i64);
        if number("exp").is_some_and(|exp| now_s >= exp)
            || number("iat").is_some_and(|iat| now_s >= iat.saturating_add(3600))
        {
            return Err("Invalid token: Expired");
        }
        if number("nbf").is_some_and(|nbf| now_s <= nbf) {
            return Err("Invalid token: Not now");
        }
        Ok(claims)
    }
}

/// The length of `header.payload` in a token with at least two dots.
fn header_and_payload_len(token: &str) -> usize {
    let first = token.find('.').unwrap_or(0);
    token[first + 1..]
        .find('.')
        .map_or(token.len(), |second| first + 1 + second)
}

/// ahc/jwt `urlSafeDecode`: base64url (padding optional), then JSON.
fn url_safe_json(part: &str) -> Option<serde_json::Value> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = ENGINE.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_verify_expire_and_tamper() {
        let keys = JwtKeys::generate().unwrap();
        let jwt = keys.issue("u1", "s1", 1_000, 900).unwrap();
        let claims = keys.verify(&jwt, 1_899).unwrap();
        assert_eq!(
            (claims.user_id.as_str(), claims.session_id.as_str()),
            ("u1", "s1")
        );
        assert_eq!(
            keys.verify(&jwt, 1_900).unwrap_err(),
            "Invalid token: Expired"
        );
        let other = JwtKeys::generate().unwrap();
        assert_eq!(
            other.verify(&jwt, 1_000).unwrap_err(),
            "Invalid token: Signature failed"
        );
        assert_eq!(
            keys.verify("garbage", 0).unwrap_err(),
            "Invalid token: Incomplete segments"
        );
        assert_eq!(
            keys.verify("a.b.c", 0).unwrap_err(),
            "JSON failed: Syntax error"
        );
        // {"alg":"none"} and {"typ":"JWT"}
        assert_eq!(
            keys.verify("eyJhbGciOiJub25lIn0.e30.x", 0).unwrap_err(),
            "Invalid token: Unsupported header algo"
        );
        assert_eq!(
            keys.verify("eyJ0eXAiOiJKV1QifQ.e30.x", 0).unwrap_err(),
            "Invalid token: Missing header algo"
        );
        let zero = keys.issue("u1", "", 1_000, 0).unwrap();
        assert!(keys.verify(&zero, 1_000).is_err());
    }
}
