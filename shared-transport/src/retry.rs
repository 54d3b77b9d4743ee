//! When a failed request is tried again, and how long to wait first.

use std::time::Duration;

use appwrite_models::WaitHeader;

#[cfg(test)]
use crate::error::InvalidInput;
use crate::error::{RequestError, TransportError};

/// Bounded retries with exponential backoff.
///
/// On by default: an idempotent request (GET, DELETE, …) is retried after a timeout, a reset
/// connection, a failed connect, 429, 502, 503 or 504; a `POST` only when it surely did not reach the
/// server (the connection failed) or the server refused it unprocessed and asked for it again
/// (429 or 503 with `Retry-After`), so a token or a session is never created twice. A wait the
/// server asks for (`Retry-After`, `X-RateLimit-Reset`) is honoured; if it is longer than
/// [`max_wait`](Self::max_wait) the error is returned at once, with its `retry_after()`.
/// [`decide`](Self::decide) is the whole rule.
///
/// ```
/// use std::time::Duration;
/// use appwrite_transport::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_retries(5).max_wait(Duration::from_secs(30));
/// let never = RetryPolicy::disabled();
/// # let _ = (patient, never);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_wait: Duration,
}

impl Default for RetryPolicy {
    /// Two retries, backoff from 100 ms up to 2 s, waits of up to 10 s honoured.
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            max_wait: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries at all: every error is returned as it happens.
    pub fn disabled() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a request is tried again at most (0 turns retries off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first backoff; each retry doubles it, up to [`max_backoff`](Self::max_backoff).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff between two tries.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest wait asked for by the server (`Retry-After`) that is still waited out; a longer
    /// one returns the error immediately.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The backoff before retry number `retry` (1-based).
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// Whether to try again after try number `attempt` (1-based) of a request ended in `error`,
    /// and after how long; `None` returns the error. This is the whole retry rule:
    ///
    /// - never past [`max_retries`](Self::max_retries), nor when the server asked for a wait
    ///   longer than [`max_wait`](Self::max_wait);
    /// - a failed connect: the request never left, so any request is tried again;
    /// - a timeout or a broken connection: it may have reached the server, so only an
    ///   `idempotent` one;
    /// - an answer of 429, 502, 503 or 504: an `idempotent` request is tried again; a `POST` only
    ///   after a 429 or 503 whose `Retry-After` asks for it (the server refused it unprocessed),
    ///   never on Appwrite's `X-RateLimit-Reset` alone, which every answer of a limited route
    ///   carries;
    /// - anything else (a redirect, an oversized body, a 4xx, a decode error, an argument refused
    ///   before sending) is returned at once.
    ///
    /// The wait is the server's, if it asked, but never shorter than the backoff.
    pub fn decide(&self, attempt: u32, idempotent: bool, error: &RequestError) -> Option<Duration> {
        if attempt > self.max_retries {
            return None;
        }
        let asked = match error {
            RequestError::Transport(transport) => {
                let retryable = match transport {
                    TransportError::Connect { .. } => true,
                    TransportError::Timeout(_) | TransportError::Io(_) => idempotent,
                    TransportError::Redirect { .. }
                    | TransportError::RedirectFollowed
                    | TransportError::BodyTooLarge { .. } => false,
                };
                return retryable.then(|| self.backoff(attempt));
            }
            RequestError::Api(api) => {
                let asked = api.server_wait;
                let retryable = if idempotent {
                    matches!(api.status, 429 | 502 | 503 | 504)
                } else {
                    matches!(api.status, 429 | 503)
                        && asked.is_some_and(|asked| asked.header == WaitHeader::RetryAfter)
                };
                if !retryable {
                    return None;
                }
                asked.map(|asked| asked.wait)
            }
            RequestError::Decode(_) | RequestError::InvalidInput(_) => return None,
        };
        match asked {
            Some(wait) if wait > self.max_wait => None,
            Some(wait) => Some(wait.max(self.backoff(attempt))),
            None => Some(self.backoff(attempt)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use appwrite_models::protocol::api_error;

    use super::*;

    /// The error for an answer of `status` with `headers`.
    fn answered(status: u16, headers: &[(&'static str, &str)]) -> RequestError {
        let mut map = reqwest::header::HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        RequestError::Api(api_error(status, &map, b"", SystemTime::now()))
    }

    fn in_an_hour() -> String {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap();
        (now.as_secs() + 3600).to_string()
    }

    fn soon() -> String {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap();
        (now.as_secs() + 1).to_string()
    }

    #[test]
    fn posts_are_never_replayed_once_they_may_have_arrived() {
        let p = RetryPolicy::default();
        let io = TransportError::Io("reset".into()).into();
        let timeout = TransportError::Timeout("slow".into()).into();
        let connect = TransportError::Connect {
            host: "localhost:1".into(),
            plain_http: false,
            source: "refused".into(),
        }
        .into();
        assert_eq!(p.decide(1, false, &io), None);
        assert_eq!(p.decide(1, false, &timeout), None);
        assert!(p.decide(1, false, &connect).is_some());
        assert!(p.decide(1, true, &io).is_some());
        for status in [500, 502, 503, 504] {
            assert_eq!(p.decide(1, false, &answered(status, &[])), None, "{status}");
        }
        assert!(
            p.decide(1, false, &answered(429, &[("retry-after", "1")]))
                .is_some()
        );
        assert!(
            p.decide(1, false, &answered(503, &[("retry-after", "1")]))
                .is_some()
        );
    }

    #[test]
    fn rate_limit_reset_alone_never_replays_a_post() {
        let p = RetryPolicy::default();
        let reset = soon();
        for status in [429, 503] {
            let error = answered(status, &[("x-ratelimit-reset", reset.as_str())]);
            assert_eq!(p.decide(1, false, &error), None, "{status}");
            assert!(p.decide(1, true, &error).is_some(), "{status}");
        }
        assert_eq!(p.decide(1, false, &answered(429, &[])), None);
    }

    #[test]
    fn a_rate_limit_reset_on_a_401_is_no_wait_and_no_retry() {
        let reset = in_an_hour();
        let error = answered(401, &[("x-ratelimit-reset", reset.as_str())]);
        let RequestError::Api(api) = &error else {
            unreachable!()
        };
        assert_eq!(api.retry_after(), None);
        assert_eq!(RetryPolicy::default().decide(1, true, &error), None);
    }

    #[test]
    fn never_retried_whatever_the_method() {
        let p = RetryPolicy::default();
        let never: [RequestError; 5] = [
            TransportError::Redirect { status: 307 }.into(),
            TransportError::BodyTooLarge { limit: 1 }.into(),
            answered(400, &[]),
            answered(500, &[]),
            InvalidInput::new("no").into(),
        ];
        for error in &never {
            assert_eq!(p.decide(1, true, error), None, "{error:?}");
        }
    }

    #[test]
    fn bounded_and_honours_waits() {
        let p = RetryPolicy::default();
        let unavailable = answered(503, &[]);
        assert_eq!(
            p.decide(1, true, &unavailable),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            p.decide(2, true, &unavailable),
            Some(Duration::from_millis(200))
        );
        assert_eq!(p.decide(3, true, &unavailable), None);
        assert_eq!(
            p.decide(1, true, &answered(429, &[("retry-after", "3")])),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            p.decide(1, true, &answered(429, &[("retry-after", "3600")])),
            None
        );
        assert_eq!(RetryPolicy::disabled().decide(1, true, &unavailable), None);
    }
}
