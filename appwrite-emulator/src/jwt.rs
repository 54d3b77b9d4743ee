//! JWTs as Appwrite issues them (ahc/jwt, HS256): claims `userId`, `sessionId` and `exp`.

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

    /// Checks the signature and, against emulator time, `exp` (failing once `now >= exp`, as
    /// ahc/jwt does). The error is ahc/jwt's message.
    pub(crate) fn verify(&self, token: &str, now_s: i64) -> Result<Claims, &'static str> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below against the emulator's clock, not the system clock.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(
            |e| match e.kind() {
                ErrorKind::InvalidSignature => "Invalid token: Signature failed",
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    "Invalid token: Unsupported algorithm"
                }
                _ => "Invalid token: Corrupt header or payload",
            },
        )?;
        if data.claims.exp.is_some_and(|exp| now_s >= exp) {
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
