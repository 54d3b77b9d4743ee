//! Everything the handlers share: the configuration, the clock, the store, the outbox, the rate
//! limiter and the JWT key. Everything a request changes sits behind one short-held mutex.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::clock::Clock;
use crate::config::Config;
use crate::outbox::OutboxMessage;
use crate::ratelimit::RateLimiter;
use crate::store::Store;

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    /// The emulator's origin as configured (`public_url`, else the listening address).
    pub public_url: url::Url,
    pub clock: Clock,
    store: Mutex<Store>,
    outbox: Mutex<Vec<OutboxMessage>>,
    pub limiter: RateLimiter,
    pub jwt: crate::jwt::JwtKeys,
}

impl Shared {
    pub(crate) fn new(config: Config, public_url: url::Url) -> Result<Self, getrandom::Error> {
        Ok(Self {
            public_url,
            store: Mutex::new(Store::with_cap(config.limits.max_users)),
            limiter: RateLimiter::with_cap(config.limits.max_rate_limit_keys),
            config,
            clock: Clock::default(),
            outbox: Mutex::new(Vec::new()),
            jwt: crate::jwt::JwtKeys::generate()?,
        })
    }

    /// The store, locked. A poisoned lock is still usable: no handler panics while holding it, and
    /// every change is applied whole before the guard is dropped.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a message, or refuses when the outbox holds its cap.
    pub(crate) fn push_outbox(&self, message: OutboxMessage) -> Result<(), OutboxFull> {
        let mut outbox = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
        if outbox.len() >= self.config.limits.max_outbox {
            return Err(OutboxFull(self.config.limits.max_outbox));
        }
        outbox.push(message);
        Ok(())
    }

    pub(crate) fn outbox(&self) -> Vec<OutboxMessage> {
        self.outbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts a loaded store in place, under this emulator's user cap.
    pub(crate) fn replace_store(&self, store: Store) {
        *self.store() = store.restored(self.config.limits.max_users);
    }

    /// Forgets every user, token, session, message and rate-limit count; keeps the configuration,
    /// the clock and the JWT key.
    pub(crate) fn reset(&self) {
        *self.store() = Store::with_cap(self.config.limits.max_users);
        self.outbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.limiter.clear();
    }

    /// Whether `url` may be used as a redirect (magic-URL `url`, OAuth2 `success`/`failure`):
    /// its scheme is a web scheme and its host a registered platform, or it is one of the
    /// project's callback schemes, as Appwrite's `Redirect` validator decides.
    pub fn is_registered_platform(&self, url: &str) -> bool {
        self.config.platforms.check_url(url, true).is_ok()
    }

    /// The `Redirect` validator's refusal for `url`, as an Appwrite error for parameter `param`.
    pub(crate) fn check_redirect(
        &self,
        param: &str,
        url: &str,
    ) -> Result<(), crate::error::ApiError> {
        self.config
            .platforms
            .check_url(url, true)
            .map_err(|r| crate::error::ApiError::invalid_param(param, &r.0))
    }
}

/// The outbox holds its cap of messages.
#[derive(Debug)]
pub(crate) struct OutboxFull(pub usize);

impl From<OutboxFull> for crate::error::ApiError {
    fn from(full: OutboxFull) -> Self {
        Self::with_message(
            appwrite_models::ErrorType::GeneralServerError,
            format!(
                "The emulator outbox holds its maximum of {} messages. Read and clear it (POST /v1/emulator/reset) or raise the cap (--max-outbox).",
                full.0
            ),
        )
    }
}
