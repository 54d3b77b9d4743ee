//! Appwrite's abuse limit (utopia-php/abuse `TimeLimit`): fixed windows aligned to multiples of
//! the period, counted per key.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use http::{HeaderMap, HeaderName, HeaderValue};

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub limit: u32,
    /// `X-RateLimit-Remaining`: how many more requests fit after this one.
    pub remaining: u32,
    /// `X-RateLimit-Reset`: when the window ends, in Unix seconds.
    pub reset: i64,
    pub exceeded: bool,
    /// The limiter holds its cap of keys and refused a new one.
    pub full: bool,
}

impl Decision {
    /// The three `X-RateLimit-*` headers Appwrite sends on every limited route.
    pub(crate) fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::with_capacity(3);
        headers.insert(
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderValue::from(self.limit),
        );
        headers.insert(
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderValue::from(self.remaining),
        );
        headers.insert(
            HeaderName::from_static("x-ratelimit-reset"),
            HeaderValue::from(self.reset),
        );
        headers
    }
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    /// key → (window start, hits in that window)
    windows: Mutex<HashMap<String, (i64, u32)>>,
    /// The most keys kept; a new key beyond it is refused (memory stays bounded).
    cap: usize,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::with_cap(usize::MAX)
    }
}

impl RateLimiter {
    pub(crate) fn with_cap(cap: usize) -> Self {
        Self {
            windows: Mutex::new(HashMap::new()),
            cap,
        }
    }

    /// The most keys this limiter keeps.
    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    /// Counts a request against `key`. `enforce` false (API keys, limits turned off) only reports.
    pub(crate) fn hit(
        &self,
        key: &str,
        now_s: i64,
        limit: u32,
        period_s: i64,
        enforce: bool,
    ) -> Decision {
        let window = now_s.div_euclid(period_s) * period_s;
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let count = match windows.get(key) {
            Some(&(start, count)) if start == window => count,
            _ => 0,
        };
        // `remaining()` is read before the hit and counts this request (TimeLimit::remaining).
        let mut decision = Decision {
            limit,
            remaining: limit.saturating_sub(count + 1),
            reset: window + period_s,
            exceeded: false,
            full: false,
        };
        if enforce {
            if count >= limit {
                decision.exceeded = true;
            } else {
                if windows.len() >= self.cap && !windows.contains_key(key) {
                    // Windows of other periods may still be running; only ended ones can go.
                    windows.retain(|_, (start, _)| *start == window);
                    if windows.len() >= self.cap {
                        decision.exceeded = true;
                        decision.full = true;
                        return decision;
                    }
                }
                windows.insert(key.to_owned(), (window, count + 1));
            }
        }
        decision
    }

    /// Forgets the count for `key` (`abuse-reset`).
    pub(crate) fn reset(&self, key: &str) {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    /// Forgets every count.
    pub(crate) fn clear(&self) {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_per_window_then_exceeded_then_new_window() {
        let limiter = RateLimiter::default();
        let now = 7_200 + 10;
        for i in 0..10 {
            let d = limiter.hit("k", now, 10, 3600, true);
            assert!(!d.exceeded);
            assert_eq!(d.remaining, 9 - i);
            assert_eq!(d.reset, 10_800);
        }
        let d = limiter.hit("k", now, 10, 3600, true);
        assert!(d.exceeded);
        assert_eq!(d.remaining, 0);
        assert!(!limiter.hit("other", now, 10, 3600, true).exceeded);
        assert!(!limiter.hit("k", 10_800, 10, 3600, true).exceeded);
    }

    #[test]
    fn a_full_limiter_refuses_new_keys() {
        let limiter = RateLimiter::with_cap(2);
        assert!(!limiter.hit("a", 0, 10, 3600, true).exceeded);
        assert!(!limiter.hit("b", 0, 10, 3600, true).exceeded);
        let refused = limiter.hit("c", 0, 10, 3600, true);
        assert!(refused.exceeded && refused.full);
        assert!(
            !limiter.hit("a", 0, 10, 3600, true).exceeded,
            "known keys still count"
        );
        assert!(
            !limiter.hit("c", 3600, 10, 3600, true).exceeded,
            "ended windows make room"
        );
    }

    #[test]
    fn reporting_only_and_reset() {
        let limiter = RateLimiter::default();
        for _ in 0..20 {
            assert!(!limiter.hit("k", 0, 10, 3600, false).exceeded);
        }
        for _ in 0..10 {
            limiter.hit("k", 0, 10, 3600, true);
        }
        assert!(limiter.hit("k", 0, 10, 3600, true).exceeded);
        limiter.reset("k");
        assert_eq!(limiter.hit("k", 0, 10, 3600, true).remaining, 9);
    }
}
