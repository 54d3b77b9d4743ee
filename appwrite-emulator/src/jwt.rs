//! JWTs as Appwrite issues them (ahc/jwt, HS256): account JWTs (claims `userId`, `sessionId` and
//! `exp`) and the OAuth2 token flow's wrapped secret (claims `secret`, `provider` and `exp`).

use std::fmt;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
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

impl JwtKeys {
    pub(crate) fn generate() -> Result<Self, getrandom::Error> {
        let mut secret = [0u8; 64];
        getrandom::fill(&mut secret)?;
        Ok(Self {
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
        })
    }

    /// Signs a JWT valid for `duration_s` seconds from `now_s` (ahc/jwt sets `exp` = now + maxAge,
    /// so a duration of 0 gives a token that is already expired).
    pub(crate) fn issue(
        &self,
        user_id: &str,
        session_id: &str,
        now_s: i64,
        duration_s: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            user_id: user_id.to_owned(),
            session_id: session_id.to_owned(),
            exp: Some(now_s.saturating_add(duration_s)),
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
        self.decode::<TokenSecretClaims>(token, now_s, |c| c.exp)
            .ok()
    }

    /// Checks the signature and, against emulator time, `exp` (failing once `now >= exp`, as
    /// ahc/jwt does). The error is ahc/jwt's message.
    pub(crate) fn verify(&self, token: &str, now_s: i64) -> Result<Claims, &'static str> {
        self.decode::<Claims>(token, now_s, |c| c.exp)
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        now_s: i64,
        exp: impl Fn(&T) -> Option<i64>,
    ) -> Result<T, &'static str> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below against the emulator's clock, not the system clock.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<T>(token, &self.decoding, &validation).map_err(|e| {
            match e.kind() {
                ErrorKind::InvalidSignature => "Invalid token: Signature failed",
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    "Invalid token: Unsupported algorithm"
                }
                _ => "Invalid token: Corrupt header or payload",
            }
        })?;
        if exp(&data.claims).is_some_and(|exp| now_s >= exp) {
            return Err("Invalid token: Expired");
        }
        Ok(data.claims)
    }
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
        assert!(keys.verify("garbage", 0).is_err());
        let zero = keys.issue("u1", "", 1_000, 0).unwrap();
        assert!(keys.verify(&zero, 1_000).is_err());
    }
}
