//! When a failed request is tried again, and how long to wait first.

use std::time::Duration;

use crate::error::TransportError;

/// Bounded retries with exponential backoff.
///
/// On by default: an idempotent request (GET, DELETE, …) is retried after a timeout, a reset
/// connection, a failed connect, 429, 502, 503 or 504; a `POST` only when it surely did not reach the
/// server (the connection failed) or the server refused it unprocessed (429, or 503 with
/// `Retry-After`), so a token or a session is never created twice. A wait the server asks for
/// (`Retry-After`, `X-RateLimit-Reset`) is honoured; if it is longer than
/// [`max_wait`](Self::max_wait) the error is returned at once, with
/// its `retry_after()`.
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

    /// Whether to retry after `attempt` tries (1-based) ended in a transport error.
    pub(crate) fn after_transport_error(
        &self,
        attempt: u32,
        idempotent: bool,
        error: &TransportError,
    ) -> Option<Duration> {
        if attempt > self.max_retries {
            return None;
        }
        let retryable = match error {
            TransportError::Connect(_) => true,
            TransportError::Timeout(_) | TransportError::Io(_) => idempotent,
            TransportError::Redirect { .. }
            | TransportError::RedirectFollowed
            | TransportError::BodyTooLarge { .. } => false,
        };
        retryable.then(|| self.backoff(attempt))
    }

    /// Whether to retry after `attempt` tries ended in `status`; `asked` is the wait the server
    /// asked for, if any.
    pub(crate) fn after_status(
        &self,
        attempt: u32,
        idempotent: bool,
        status: u16,
        asked: Option<Duration>,
    ) -> Option<Duration> {
        if attempt > self.max_retries {
            return None;
        }
        let retryable = match status {
            429 => true,
            503 => idempotent || asked.is_some(),
            502 | 504 => idempotent,
            _ => false,
        };
        if !retryable {
            return None;
        }
        match asked {
            Some(wait) if wait > self.max_wait => None,
            Some(wait) => Some(wait.max(self.backoff(attempt))),
            None => Some(self.backoff(attempt)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_never_replayed_once_they_may_have_arrived() {
        let p = RetryPolicy::default();
        let io = TransportError::Io("reset".into());
        let connect = TransportError::Connect("refused".into());
        assert!(p.after_transport_error(1, false, &io).is_none());
        assert!(p.after_transport_error(1, false, &connect).is_some());
        assert!(p.after_transport_error(1, true, &io).is_some());
        assert!(p.after_status(1, false, 500, None).is_none());
        assert!(p.after_status(1, false, 502, None).is_none());
        assert!(p.after_status(1, false, 429, None).is_some());
    }

    #[test]
    fn bounded_and_honours_waits() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.after_status(1, true, 503, None),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            p.after_status(2, true, 503, None),
            Some(Duration::from_millis(200))
        );
        assert_eq!(p.after_status(3, true, 503, None), None);
        assert_eq!(
            p.after_status(1, true, 429, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            p.after_status(1, true, 429, Some(Duration::from_secs(3600))),
            None
        );
        assert_eq!(
            RetryPolicy::disabled().after_status(1, true, 429, None),
            None
        );
    }
}
