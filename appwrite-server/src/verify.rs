//! "Who is calling?": [`Users::verify_jwt`] and its answer [`VerifiedUser`]; the opt-in cache is
//! [`JwtCache`].

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use appwrite_models::protocol::DecodeError;
use appwrite_models::{SessionId, User};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::future::ResponseFuture;
use crate::jwt_cache::{CacheKey, JwtCache, Now};
use crate::users::Users;

/// The user a JWT belongs to, as Appwrite confirmed it, from [`Users::verify_jwt`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerifiedUser {
    /// The user (check [`labels`](User::labels), [`email_verification`](User::email_verification),
    /// … for what the caller may do).
    pub user: User,
    /// The session the JWT was made from; `None` for a JWT minted with an API key for a user
    /// that had no session.
    pub session_id: Option<SessionId>,
    /// When the JWT expires (its `exp` claim), if it says.
    pub expires_at: Option<SystemTime>,
}

/// The claims read from a JWT's payload. The signature is not checked here: Appwrite checks it,
/// and these are used only after Appwrite accepted the token.
#[derive(Clone, Deserialize)]
struct Claims {
    #[serde(rename = "userId", default)]
    user_id: String,
    #[serde(rename = "sessionId", default)]
    session_id: String,
    #[serde(default)]
    exp: Option<u64>,
}

impl Claims {
    /// The payload of `jwt`, if it is a JWT at all.
    fn read(jwt: &str) -> Option<Self> {
        let payload = jwt.trim().split('.').nth(1)?;
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn expires_at(&self) -> Option<SystemTime> {
        self.exp
            .and_then(|exp| UNIX_EPOCH.checked_add(Duration::from_secs(exp)))
    }
}

impl Users {
    /// Who is calling: checks a JWT with Appwrite (`GET /account` sent with `X-Appwrite-JWT` and
    /// without the API key) and resolves to its [`VerifiedUser`].
    ///
    /// Pass the token as your backend reads it, e.g. from `Authorization: Bearer <jwt>`.
    ///
    /// - An invalid, expired or revoked token (or its session deleted) gives an error that
    ///   [`is_unauthorized()`](crate::Error::is_unauthorized) (401).
    /// - A blocked user gives one that [`is_forbidden()`](crate::Error::is_forbidden) (403,
    ///   `user_blocked`).
    /// - No answer from Appwrite gives one that [`is_transport()`](crate::Error::is_transport):
    ///   a reason to answer 503, not 401.
    ///
    /// With a [`JwtCache`] ([`with_jwt_cache`](Self::with_jwt_cache)), a token verified before
    /// is answered from memory until the cache's `max_age` or the token's `exp`, whichever
    /// comes first.
    ///
    /// ```no_run
    /// # async fn run(users: appwrite_server::Users, bearer: &str) -> Result<(), appwrite_server::Error> {
    /// match users.verify_jwt(bearer).await {
    ///     Ok(caller) => println!("called by {}", caller.user.id),
    ///     Err(e) if e.is_unauthorized() || e.is_forbidden() => println!("answer 401"),
    ///     Err(e) => return Err(e), // Appwrite unreachable: answer 503
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn verify_jwt(&self, jwt: impl Into<String>) -> ResponseFuture<VerifiedUser> {
        let jwt = jwt.into();
        let cache = self.jwt_cache.clone().map(|cache| {
            let key = CacheKey::of(&jwt);
            (cache, key)
        });
        if let Some(hit) = cache.as_ref().and_then(|(c, key)| c.get(key, Now::read())) {
            return ResponseFuture::ready(Ok(hit));
        }
        let claims = Claims::read(&jwt);
        let account = self.client.as_user(Credential::jwt(jwt)).account();
        let ask = move || {
            let account = account.clone();
            let claims = claims.clone();
            async move { verified(account.get().await?, claims) }
        };
        match cache {
            Some((cache, key)) => ResponseFuture::new(cache.verify(key, ask)),
            None => ResponseFuture::new(ask()),
        }
    }

    /// The cache [`verify_jwt`](Self::verify_jwt) uses, if one was set: clear it after blocking
    /// a user or deleting sessions.
    pub fn jwt_cache(&self) -> Option<&JwtCache> {
        self.jwt_cache.as_deref()
    }

    /// This service with `cache` for [`verify_jwt`](Self::verify_jwt); clones of the returned
    /// `Users` share it.
    pub fn with_jwt_cache(mut self, cache: JwtCache) -> Self {
        self.jwt_cache = Some(Arc::new(cache));
        self
    }
}

/// The answer for a user Appwrite returned for a token with `claims`.
fn verified(user: User, claims: Option<Claims>) -> Result<VerifiedUser> {
    let Some(claims) = claims else {
        // Appwrite accepted something that is not one of its JWTs: nothing to vouch for.
        return Err(Error::Decode(DecodeError::new(
            200,
            "appwrite accepted the token but it is not a readable JWT",
        )));
    };
    if claims.user_id != user.id.as_str() {
        return Err(Error::Decode(DecodeError::new(
            200,
            "the token's userId is not the user appwrite returned",
        )));
    }
    Ok(VerifiedUser {
        expires_at: claims.expires_at(),
        session_id: (!claims.session_id.is_empty()).then(|| SessionId::new(claims.session_id)),
        user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_read_from_the_payload() {
        let payload =
            URL_SAFE_NO_PAD.encode(br#"{"userId":"u1","sessionId":"s1","exp":4102444800}"#);
        let claims = Claims::read(&format!("eyJhbGciOiJSUzI1NiJ9.{payload}.sig")).unwrap();
        assert_eq!(
            (claims.user_id.as_str(), claims.session_id.as_str()),
            ("u1", "s1")
        );
        assert_eq!(
            claims.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(4_102_444_800))
        );
        assert!(Claims::read("not a jwt").is_none());
        assert!(Claims::read("a.!!!.c").is_none());
    }
}
