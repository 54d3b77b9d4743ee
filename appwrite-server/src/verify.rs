//! "Who is calling?": [`Users::verify_jwt`], its answer [`VerifiedUser`] and the opt-in
//! [`JwtCache`].

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use appwrite_models::protocol::DecodeError;
use appwrite_models::{SessionId, User};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::future::ResponseFuture;
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
#[derive(Deserialize)]
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
    /// - A token whose session still waits for its second factor (the user has multi-factor
    ///   authentication on) gives one that
    ///   [`is_more_factors_required()`](crate::Error::is_more_factors_required) (401, with a hint
    ///   saying the app must pass a challenge first).
    /// - No answer from Appwrite gives one that [`is_transport()`](crate::Error::is_transport):
    ///   a reason to answer 503, not 401.
    ///
    /// With a [`JwtCache`] ([`with_jwt_cache`](Self::with_jwt_cache)), a token verified before
    /// is answered from memory until the cache's `max_age` or the token's `exp`, whichever
    /// comes first. Only successes are cached: a refusal is asked again every time.
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
        let cache = self.jwt_cache.clone();
        let key = cache.as_ref().map(|_| CacheKey::of(&jwt));
        if let (Some(cache), Some(key)) = (&cache, &key) {
            if let Some(hit) = cache.get(key, SystemTime::now()) {
                return ResponseFuture::ready(Ok(hit));
            }
        }
        let claims = Claims::read(&jwt);
        let account = self.client.as_user(Credential::jwt(jwt)).account();
        ResponseFuture::new(async move {
            let user = account.get().await?;
            let verified = verified(user, claims)?;
            if let (Some(cache), Some(key)) = (cache, key) {
                cache.insert(key, &verified, SystemTime::now());
            }
            Ok(verified)
        })
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

/// A SHA-256 of a token: the cache never holds the token itself.
#[derive(Clone, PartialEq, Eq, Hash)]
struct CacheKey([u8; 32]);

impl CacheKey {
    fn of(jwt: &str) -> Self {
        Self(Sha256::digest(jwt.trim().as_bytes()).into())
    }
}

struct Entry {
    verified: VerifiedUser,
    valid_until: SystemTime,
}

/// A bounded, in-memory cache of [`Users::verify_jwt`] answers, so a busy backend does not ask
/// Appwrite on every request. Opt in with [`Users::with_jwt_cache`].
///
/// Entries are keyed by a SHA-256 of the token (the token itself is not kept) and live until
/// [`max_age`](Self::max_age) (default 60 s) or the token's `exp`, whichever comes first, never
/// longer. Only successes are cached.
///
/// The trade-off: within `max_age`, a token whose session was deleted or whose user was blocked
/// is still accepted. Keep `max_age` as short as your load allows.
///
/// ```
/// use std::time::Duration;
/// use appwrite_server::JwtCache;
///
/// let cache = JwtCache::new(10_000).max_age(Duration::from_secs(30));
/// # let _ = cache;
/// ```
pub struct JwtCache {
    capacity: usize,
    max_age: Duration,
    entries: Mutex<HashMap<CacheKey, Entry>>,
}

impl fmt::Debug for JwtCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtCache")
            .field("capacity", &self.capacity)
            .field("max_age", &self.max_age)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl JwtCache {
    /// A cache that holds at most `capacity` tokens (0 caches nothing).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            max_age: Duration::from_secs(60),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// How long an answer is reused at most (default 60 s); the token's `exp` may cut it shorter.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How many answers are held now.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no answer is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every answer (after blocking a user or deleting sessions, say).
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, Entry>> {
        // A poisoned map is still consistent: every change is one insert or remove.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, key: &CacheKey, now: SystemTime) -> Option<VerifiedUser> {
        let mut entries = self.lock();
        match entries.get(key) {
            Some(entry) if entry.valid_until > now => Some(entry.verified.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    fn insert(&self, key: CacheKey, verified: &VerifiedUser, now: SystemTime) {
        // A token without `exp` is never cached: nothing bounds how long it stays valid.
        let Some(expires_at) = verified.expires_at else {
            return;
        };
        let valid_until = expires_at.min(now + self.max_age);
        if valid_until <= now || self.capacity == 0 {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, entry| entry.valid_until > now);
            if entries.len() >= self.capacity {
                // Still full: drop the answer that would have expired first.
                let first = entries
                    .iter()
                    .min_by_key(|(_, entry)| entry.valid_until)
                    .map(|(key, _)| key.clone());
                if let Some(first) = first {
                    entries.remove(&first);
                }
            }
        }
        entries.insert(
            key,
            Entry {
                verified: verified.clone(),
                valid_until,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> User {
        serde_json::from_value(serde_json::json!({"$id": id})).unwrap()
    }

    fn answer(id: &str, expires_at: Option<SystemTime>) -> VerifiedUser {
        VerifiedUser {
            user: user(id),
            session_id: None,
            expires_at,
        }
    }

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

    #[test]
    fn entries_never_outlive_exp_or_max_age() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let cache = JwtCache::new(10).max_age(Duration::from_secs(60));
        let soon = CacheKey::of("soon");
        cache.insert(
            soon.clone(),
            &answer("u1", Some(now + Duration::from_secs(5))),
            now,
        );
        assert!(cache.get(&soon, now + Duration::from_secs(4)).is_some());
        assert!(
            cache.get(&soon, now + Duration::from_secs(5)).is_none(),
            "past exp"
        );
        let later = CacheKey::of("later");
        cache.insert(
            later.clone(),
            &answer("u1", Some(now + Duration::from_secs(3600))),
            now,
        );
        assert!(cache.get(&later, now + Duration::from_secs(59)).is_some());
        assert!(
            cache.get(&later, now + Duration::from_secs(60)).is_none(),
            "past max_age"
        );
        let expired = CacheKey::of("expired");
        cache.insert(
            expired.clone(),
            &answer("u1", Some(now - Duration::from_secs(1))),
            now,
        );
        let no_exp = CacheKey::of("no-exp");
        cache.insert(no_exp.clone(), &answer("u1", None), now);
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_is_bounded() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let cache = JwtCache::new(3);
        for i in 0..10u64 {
            let exp = now + Duration::from_secs(10 + i);
            cache.insert(CacheKey::of(&i.to_string()), &answer("u", Some(exp)), now);
            assert!(cache.len() <= 3);
        }
        // The newest answers stay; the ones that expire first went.
        assert!(cache.get(&CacheKey::of("9"), now).is_some());
        assert!(cache.get(&CacheKey::of("0"), now).is_none());
        assert!(JwtCache::new(0).is_empty());
    }
}
