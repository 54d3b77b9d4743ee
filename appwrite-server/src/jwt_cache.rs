//! [`JwtCache`]: `verify_jwt` answers kept for a while, and one request for concurrent misses.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use appwrite_models::ApiError;
use sha2::{Digest as _, Sha256};
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::verify::VerifiedUser;

/// A SHA-256 of a token: the cache never holds the token itself.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey([u8; 32]);

impl CacheKey {
    pub(crate) fn of(jwt: &str) -> Self {
        Self(Sha256::digest(jwt.trim().as_bytes()).into())
    }
}

/// The clocks at one moment: the wall clock for the token's `exp`, the monotonic one for
/// `max_age` (a wall clock stepped back must not stretch it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Now {
    pub(crate) wall: SystemTime,
    pub(crate) mono: Instant,
}

impl Now {
    pub(crate) fn read() -> Self {
        Self {
            wall: SystemTime::now(),
            mono: Instant::now(),
        }
    }
}

struct Entry {
    verified: VerifiedUser,
    /// The token's `exp`, on the wall clock.
    expires_at: SystemTime,
    /// When the answer goes stale on the monotonic clock: `max_age` from the insert, or sooner
    /// if `exp` comes sooner. `None`: beyond what an `Instant` can hold (`max_age(Duration::MAX)`).
    stale_at: Option<Instant>,
}

impl Entry {
    fn is_fresh(&self, now: Now) -> bool {
        self.expires_at > now.wall && self.stale_at.is_none_or(|at| at > now.mono)
    }

    /// Ordered by what goes stale first; `None` last.
    fn stale_order(&self) -> (bool, Option<Instant>) {
        (self.stale_at.is_none(), self.stale_at)
    }
}

/// How a request for one token ended, as its followers get it.
#[derive(Clone)]
enum Landing {
    /// Not yet.
    Pending,
    Verified(VerifiedUser),
    /// Appwrite's answer: the same for every caller with this token.
    Refused(ApiError),
    /// No answer from Appwrite (or one that could not be read): each follower asks on its own.
    Failed,
}

#[derive(Default)]
struct State {
    entries: HashMap<CacheKey, Entry>,
    /// The requests under way, by token; the id tells a flight from a later one for the token.
    flights: HashMap<CacheKey, (u64, watch::Receiver<Landing>)>,
    next_flight: u64,
}

/// A bounded, in-memory cache of [`Users::verify_jwt`](crate::Users::verify_jwt) answers, so a
/// busy backend does not ask Appwrite on every request. Opt in with
/// [`Users::with_jwt_cache`](crate::Users::with_jwt_cache).
///
/// Entries are keyed by a SHA-256 of the token (the token itself is not kept) and live until
/// [`max_age`](Self::max_age) (default 60 s, on the monotonic clock, so a wall clock stepped back
/// cannot stretch it) or the token's `exp`, whichever comes first, never longer. Only successes
/// are cached.
///
/// Concurrent calls for a token not in the cache share one request (single flight): 100 requests
/// arriving at once with a fresh token send one `GET /account`, and all get its answer (an
/// Appwrite error too). Should the call making that request be dropped, another one of them makes
/// it; should it get no answer from Appwrite, each of them asks on its own.
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
    state: Mutex<State>,
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
    /// A cache that holds at most `capacity` tokens (0 caches nothing; concurrent calls still
    /// share a request).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            max_age: Duration::from_secs(60),
            state: Mutex::new(State::default()),
        }
    }

    /// How long an answer is reused at most (default 60 s); the token's `exp` may cut it shorter.
    /// Any duration is accepted: one too long for the clock to add means "until `exp`".
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How many answers are held now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no answer is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every answer (after blocking a user or deleting sessions, say).
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned state is still consistent: every change is one insert or remove.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn get(&self, key: &CacheKey, now: Now) -> Option<VerifiedUser> {
        let mut state = self.lock();
        match state.entries.get(key) {
            Some(entry) if entry.is_fresh(now) => Some(entry.verified.clone()),
            Some(_) => {
                state.entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub(crate) fn insert(&self, key: CacheKey, verified: &VerifiedUser, now: Now) {
        // A token without `exp` is never cached: nothing bounds how long it stays valid.
        let Some(expires_at) = verified.expires_at else {
            return;
        };
        let Ok(left) = expires_at.duration_since(now.wall) else {
            return;
        };
        if left.is_zero() || self.capacity == 0 {
            return;
        }
        let stale_at = now.mono.checked_add(self.max_age.min(left));
        let mut state = self.lock();
        let entries = &mut state.entries;
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, entry| entry.is_fresh(now));
            if entries.len() >= self.capacity {
                // Still full: drop the answer that would have gone stale first.
                let first = entries
                    .iter()
                    .min_by_key(|(_, entry)| entry.stale_order())
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
                expires_at,
                stale_at,
            },
        );
    }

    /// The answer for `key`: from the cache, from a request under way, or from `ask`, made here
    /// once for every concurrent caller.
    pub(crate) async fn verify<F>(
        self: Arc<Self>,
        key: CacheKey,
        ask: impl Fn() -> F,
    ) -> Result<VerifiedUser>
    where
        F: std::future::Future<Output = Result<VerifiedUser>>,
    {
        loop {
            let mut follow = match self.join(&key) {
                Join::Hit(verified) => return Ok(*verified),
                Join::Lead(flight) => return flight.run(ask()).await,
                Join::Follow(follow) => follow,
            };
            let landing = follow
                .wait_for(|landing| !matches!(landing, Landing::Pending))
                .await
                .map(|landing| landing.clone());
            match landing {
                Ok(Landing::Verified(verified)) => return Ok(verified),
                Ok(Landing::Refused(api)) => return Err(Error::Api(api)),
                Ok(Landing::Failed) => return ask().await,
                // The call making the request was dropped: the next one in makes it again.
                Ok(Landing::Pending) | Err(_) => {}
            }
        }
    }

    fn join(self: &Arc<Self>, key: &CacheKey) -> Join {
        if let Some(hit) = self.get(key, Now::read()) {
            return Join::Hit(Box::new(hit));
        }
        let mut state = self.lock();
        if let Some((_, follow)) = state.flights.get(key) {
            if follow.has_changed().is_ok() {
                return Join::Follow(follow.clone());
            }
        }
        let (landing, follow) = watch::channel(Landing::Pending);
        let id = state.next_flight;
        state.next_flight = id.wrapping_add(1);
        state.flights.insert(key.clone(), (id, follow));
        Join::Lead(Flight {
            cache: Arc::clone(self),
            key: key.clone(),
            id,
            landing,
        })
    }
}

enum Join {
    Hit(Box<VerifiedUser>),
    Follow(watch::Receiver<Landing>),
    Lead(Flight),
}

/// The request for one token, made by one caller for all; dropped unfinished, it leaves its
/// followers to try again.
struct Flight {
    cache: Arc<JwtCache>,
    key: CacheKey,
    id: u64,
    landing: watch::Sender<Landing>,
}

impl Flight {
    async fn run(
        self,
        ask: impl std::future::Future<Output = Result<VerifiedUser>>,
    ) -> Result<VerifiedUser> {
        let result = ask.await;
        let landing = match &result {
            Ok(verified) => {
                // Cached before the flight ends, so no caller comes in between and asks again.
                self.cache.insert(self.key.clone(), verified, Now::read());
                Landing::Verified(verified.clone())
            }
            Err(Error::Api(api)) => Landing::Refused(api.clone()),
            Err(_) => Landing::Failed,
        };
        self.landing.send_replace(landing);
        result
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        let mut state = self.cache.lock();
        if state
            .flights
            .get(&self.key)
            .is_some_and(|(id, _)| *id == self.id)
        {
            state.flights.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn answer(id: &str, expires_at: Option<SystemTime>) -> VerifiedUser {
        VerifiedUser {
            user: serde_json::from_value(serde_json::json!({"$id": id})).unwrap(),
            session_id: None,
            expires_at,
        }
    }

    fn start() -> Now {
        Now {
            wall: UNIX_EPOCH + Duration::from_secs(1_000_000),
            mono: Instant::now(),
        }
    }

    fn later(now: Now, wall: i64, mono: u64) -> Now {
        let step = Duration::from_secs(wall.unsigned_abs());
        Now {
            wall: if wall < 0 {
                now.wall - step
            } else {
                now.wall + step
            },
            mono: now.mono + Duration::from_secs(mono),
        }
    }

    #[test]
    fn entries_never_outlive_exp_or_max_age() {
        let now = start();
        let cache = JwtCache::new(10).max_age(Duration::from_secs(60));
        let soon = CacheKey::of("soon");
        cache.insert(
            soon.clone(),
            &answer("u1", Some(now.wall + Duration::from_secs(5))),
            now,
        );
        assert!(cache.get(&soon, later(now, 4, 4)).is_some());
        assert!(cache.get(&soon, later(now, 5, 5)).is_none(), "past exp");
        let later_key = CacheKey::of("later");
        let in_an_hour = Some(now.wall + Duration::from_secs(3600));
        cache.insert(later_key.clone(), &answer("u1", in_an_hour), now);
        assert!(cache.get(&later_key, later(now, 59, 59)).is_some());
        assert!(
            cache.get(&later_key, later(now, 60, 60)).is_none(),
            "past max_age"
        );
        let expired = CacheKey::of("expired");
        cache.insert(
            expired,
            &answer("u1", Some(now.wall - Duration::from_secs(1))),
            now,
        );
        cache.insert(CacheKey::of("no-exp"), &answer("u1", None), now);
        assert!(cache.is_empty());
    }

    #[test]
    fn a_wall_clock_stepped_back_does_not_stretch_max_age() {
        let now = start();
        let cache = JwtCache::new(10).max_age(Duration::from_secs(60));
        let key = CacheKey::of("token");
        let in_a_day = Some(now.wall + Duration::from_secs(86_400));
        cache.insert(key.clone(), &answer("u1", in_a_day), now);
        // 61 s went by, and meanwhile the wall clock was set back an hour.
        assert!(cache.get(&key, later(now, -3600 + 61, 61)).is_none());
    }

    #[test]
    fn the_longest_max_age_is_bounded_by_exp_and_never_overflows() {
        let now = start();
        let cache = JwtCache::new(10).max_age(Duration::MAX);
        let key = CacheKey::of("token");
        let far = now
            .wall
            .checked_add(Duration::from_secs(u64::from(u32::MAX)));
        cache.insert(key.clone(), &answer("u1", far), now);
        assert!(cache.get(&key, later(now, 3600, 3600)).is_some());
    }

    #[test]
    fn the_cache_is_bounded() {
        let now = start();
        let cache = JwtCache::new(3);
        for i in 0..10u64 {
            let exp = now.wall + Duration::from_secs(10 + i);
            cache.insert(CacheKey::of(&i.to_string()), &answer("u", Some(exp)), now);
            assert!(cache.len() <= 3);
        }
        // The newest answers stay; the ones that expire first went.
        assert!(cache.get(&CacheKey::of("9"), now).is_some());
        assert!(cache.get(&CacheKey::of("0"), now).is_none());
        assert!(JwtCache::new(0).is_empty());
    }
}
