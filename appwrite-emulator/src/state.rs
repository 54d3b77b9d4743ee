//! The emulator's in-memory state: configuration, clock, users with their tokens and sessions, and
//! the outbox. Everything a request changes sits behind one short-held mutex.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use appwrite_models::Datetime;
use sha2::{Digest, Sha256};

use crate::outbox::OutboxMessage;
use crate::ratelimit::RateLimiter;

/// Milliseconds since the Unix epoch, in emulator time.
pub(crate) type Millis = i64;

/// A SHA-256 digest: how token and session secrets are kept.
pub(crate) type Hash = [u8; 32];

/// Appwrite keeps at most this many sessions per user (`APP_LIMIT_USER_SESSIONS_DEFAULT`); older
/// ones are deleted when an account session is created.
pub(crate) const MAX_SESSIONS: usize = 10;

/// What a caller configured with the builder, fixed for the emulator's life.
pub(crate) struct Config {
    pub project: String,
    /// API key → its scopes.
    pub keys: HashMap<String, Arc<HashSet<String>>>,
    pub session_duration: Duration,
    pub rate_limit: bool,
    pub max_body_bytes: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // API keys are credentials: never printed.
        f.debug_struct("Config")
            .field("project", &self.project)
            .field("keys", &self.keys.len())
            .field("session_duration", &self.session_duration)
            .field("rate_limit", &self.rate_limit)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    pub clock: Clock,
    store: Mutex<Store>,
    outbox: Mutex<Vec<OutboxMessage>>,
    pub limiter: RateLimiter,
    pub jwt: crate::jwt::JwtKeys,
}

impl Shared {
    pub(crate) fn new(config: Config) -> Result<Self, getrandom::Error> {
        Ok(Self {
            config,
            clock: Clock::default(),
            store: Mutex::new(Store::default()),
            outbox: Mutex::new(Vec::new()),
            limiter: RateLimiter::default(),
            jwt: crate::jwt::JwtKeys::generate()?,
        })
    }

    /// The store, locked. A poisoned lock is still usable: no handler panics while holding it, and
    /// every change is applied whole before the guard is dropped.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn push_outbox(&self, message: OutboxMessage) {
        self.outbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
    }

    pub(crate) fn outbox(&self) -> Vec<OutboxMessage> {
        self.outbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The emulator's clock: real time plus an offset moved by `advance_time`.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub(crate) fn now_ms(&self) -> Millis {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        real.saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    pub(crate) fn now(&self) -> SystemTime {
        system_time(self.now_ms())
    }

    pub(crate) fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        // fetch_update cannot fail with a closure that always returns Some.
        let _ = self
            .offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                Some(o.saturating_add(ms))
            });
    }
}

/// `ms` as Appwrite's wire datetime.
pub(crate) fn datetime(ms: Millis) -> Datetime {
    let nanos = i128::from(ms) * 1_000_000;
    appwrite_models::time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .map_or(Datetime::UNSET, Datetime::from)
}

/// The last millisecond of the year 9999: the end of Appwrite's datetime format, and a time every
/// platform's `SystemTime` can hold.
const LAST_WIRE_MS: Millis = 253_402_300_799_999;

/// `ms` as a `SystemTime`, clamped to the years 1970 to 9999.
pub(crate) fn system_time(ms: Millis) -> SystemTime {
    let ms = u64::try_from(ms.clamp(0, LAST_WIRE_MS)).unwrap_or(0);
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(duration: Duration) -> Millis {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// SHA-256 of a secret (Appwrite's `Sha` proof hash).
pub(crate) fn sha256(secret: &str) -> Hash {
    Sha256::digest(secret.as_bytes()).into()
}

/// Lower-case hex of some bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// What kind of token a secret belongs to; it decides the session's provider and factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `POST /users/{id}/tokens` (`TOKEN_TYPE_GENERIC`).
    Generic,
    /// Email OTP (`TOKEN_TYPE_EMAIL`).
    Email,
    /// Magic URL (`TOKEN_TYPE_MAGIC_URL`).
    MagicUrl,
    /// Phone OTP (`TOKEN_TYPE_PHONE`).
    Phone,
}

impl TokenKind {
    /// The session's `provider` (account.php `$createSession`: email OTP falls under `token`).
    pub(crate) fn provider(self) -> &'static str {
        match self {
            Self::Generic | Self::Email => "token",
            Self::MagicUrl => "magic-url",
            Self::Phone => "phone",
        }
    }

    /// The session's single factor.
    pub(crate) fn factor(self) -> &'static str {
        match self {
            Self::Generic => "token",
            Self::Email | Self::MagicUrl => "email",
            Self::Phone => "phone",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TokenRecord {
    pub kind: TokenKind,
    pub expire: Millis,
}

#[derive(Debug, Clone)]
pub(crate) struct SessionRecord {
    pub id: String,
    /// Creation order across the whole emulator, for "most recent" and oldest-first eviction.
    pub seq: u64,
    pub secret_hash: Hash,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub expire: Millis,
    pub provider: &'static str,
    pub factor: &'static str,
    pub ip: String,
}

impl SessionRecord {
    /// Appwrite's `sessionVerify`/`sessionActive`: valid while `expire >= now`.
    pub(crate) fn is_active(&self, now: Millis) -> bool {
        self.expire >= now
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TargetRecord {
    pub id: String,
    pub created_at: Millis,
    pub provider_type: &'static str,
    pub identifier: String,
}

#[derive(Debug, Clone)]
pub(crate) struct UserRecord {
    pub id: String,
    pub seq: u64,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub accessed_at: Millis,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Hex SHA-256 of the password, if one was set.
    pub password_hash: Option<String>,
    pub password_update: Option<Millis>,
    pub status: bool,
    pub email_verification: bool,
    pub phone_verification: bool,
    pub labels: Vec<String>,
    pub prefs: serde_json::Map<String, serde_json::Value>,
    pub targets: Vec<TargetRecord>,
    /// Token secret hash → tokens with that hash (short secrets can collide).
    pub tokens: HashMap<Hash, Vec<TokenRecord>>,
    pub token_count: usize,
    pub sessions: HashMap<String, SessionRecord>,
    pub session_by_hash: HashMap<Hash, String>,
}

impl UserRecord {
    /// The session `secret` belongs to, if it is still valid.
    pub(crate) fn verify_session(&self, secret_hash: &Hash, now: Millis) -> Option<&SessionRecord> {
        let id = self.session_by_hash.get(secret_hash)?;
        self.sessions.get(id).filter(|s| s.is_active(now))
    }

    /// The user's sessions, oldest first (Appwrite lists them in creation order).
    pub(crate) fn sessions_in_order(&self) -> Vec<&SessionRecord> {
        let mut sessions: Vec<_> = self.sessions.values().collect();
        sessions.sort_unstable_by_key(|s| s.seq);
        sessions
    }

    pub(crate) fn add_session(&mut self, session: SessionRecord) {
        self.session_by_hash
            .insert(session.secret_hash, session.id.clone());
        self.sessions.insert(session.id.clone(), session);
    }

    pub(crate) fn remove_session(&mut self, id: &str) -> Option<SessionRecord> {
        let session = self.sessions.remove(id)?;
        self.session_by_hash.remove(&session.secret_hash);
        Some(session)
    }

    pub(crate) fn clear_sessions(&mut self) -> Vec<SessionRecord> {
        self.session_by_hash.clear();
        let mut all: Vec<_> = self.sessions.drain().map(|(_, s)| s).collect();
        all.sort_unstable_by_key(|s| s.seq);
        all
    }

    /// Deletes the oldest sessions beyond [`MAX_SESSIONS`] (api.php's `session` shutdown hook).
    pub(crate) fn enforce_session_limit(&mut self) {
        while self.sessions.len() > MAX_SESSIONS {
            let Some(oldest) = self
                .sessions
                .values()
                .min_by_key(|s| s.seq)
                .map(|s| s.id.clone())
            else {
                return;
            };
            self.remove_session(&oldest);
        }
    }

    pub(crate) fn add_token(&mut self, hash: Hash, token: TokenRecord, now: Millis) {
        // Tokens nobody redeems would pile up under load; drop expired ones now and then.
        if self.token_count >= 1024 && self.token_count.is_power_of_two() {
            self.tokens.retain(|_, list| {
                list.retain(|t| t.expire >= now);
                !list.is_empty()
            });
            self.token_count = self.tokens.values().map(Vec::len).sum();
        }
        self.tokens.entry(hash).or_default().push(token);
        self.token_count += 1;
    }

    /// Appwrite's `tokenVerify` followed by the token's deletion: the first token with this
    /// secret that has not expired (`expire >= now`) is removed and returned.
    pub(crate) fn redeem_token(&mut self, hash: &Hash, now: Millis) -> Option<TokenRecord> {
        let list = self.tokens.get_mut(hash)?;
        let index = list.iter().position(|t| t.expire >= now)?;
        let token = list.remove(index);
        if list.is_empty() {
            self.tokens.remove(hash);
        }
        self.token_count = self.token_count.saturating_sub(1);
        Some(token)
    }

    /// The name scope errors use for this user: the email, else `User` (api.php).
    pub(crate) fn label(&self) -> String {
        self.email
            .clone()
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "User".to_owned())
    }
}

/// A new user's fields, before it gets its id and timestamps.
#[derive(Debug, Default)]
pub(crate) struct NewUser {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password_hash: Option<String>,
}

/// Users, with indexes by email and phone.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub users: HashMap<String, UserRecord>,
    emails: HashMap<String, String>,
    phones: HashMap<String, String>,
    seq: u64,
}

/// A user's email address or phone number, for [`Store::set_contact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Contact {
    Email,
    Phone,
}

/// The user id, email or phone is taken.
#[derive(Debug)]
pub(crate) struct Conflict;

impl Store {
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<&str> {
        self.emails.get(email).map(String::as_str)
    }

    pub(crate) fn user_by_phone(&self, phone: &str) -> Option<&str> {
        self.phones.get(phone).map(String::as_str)
    }

    /// Creates a user with email/phone targets, as Appwrite's `createUser` does.
    pub(crate) fn create_user(
        &mut self,
        new: NewUser,
        now: Millis,
    ) -> Result<&UserRecord, Conflict> {
        let taken = self.users.contains_key(&new.id)
            || new
                .email
                .as_ref()
                .is_some_and(|e| self.emails.contains_key(e))
            || new
                .phone
                .as_ref()
                .is_some_and(|p| self.phones.contains_key(p));
        if taken {
            return Err(Conflict);
        }
        let mut targets = Vec::new();
        if let Some(email) = &new.email {
            self.emails.insert(email.clone(), new.id.clone());
            targets.push(TargetRecord {
                id: appwrite_models::ID::unique(),
                created_at: now,
                provider_type: "email",
                identifier: email.clone(),
            });
        }
        if let Some(phone) = &new.phone {
            self.phones.insert(phone.clone(), new.id.clone());
            targets.push(TargetRecord {
                id: appwrite_models::ID::unique(),
                created_at: now,
                provider_type: "sms",
                identifier: phone.clone(),
            });
        }
        let seq = self.next_seq();
        let record = UserRecord {
            id: new.id.clone(),
            seq,
            created_at: now,
            updated_at: now,
            accessed_at: now,
            name: new.name,
            email: new.email,
            phone: new.phone,
            password_update: new.password_hash.as_ref().map(|_| now),
            password_hash: new.password_hash,
            status: true,
            email_verification: false,
            phone_verification: false,
            labels: Vec::new(),
            prefs: serde_json::Map::new(),
            targets,
            tokens: HashMap::new(),
            token_count: 0,
            sessions: HashMap::new(),
            session_by_hash: HashMap::new(),
        };
        Ok(self.users.entry(new.id).or_insert(record))
    }

    /// Sets or (with `None`) removes a user's email or phone, keeping the index and the user's
    /// messaging target in step (Appwrite's `updateEmail`/`updatePhone`). Fails with [`Conflict`]
    /// when any user, this one included, already has a target with that value.
    pub(crate) fn set_contact(
        &mut self,
        id: &str,
        kind: Contact,
        value: Option<String>,
        now: Millis,
    ) -> Result<Option<&mut UserRecord>, Conflict> {
        let index = match kind {
            Contact::Email => &mut self.emails,
            Contact::Phone => &mut self.phones,
        };
        if value.as_ref().is_some_and(|v| index.contains_key(v)) {
            return Err(Conflict);
        }
        let Some(user) = self.users.get_mut(id) else {
            return Ok(None);
        };
        let (field, provider_type) = match kind {
            Contact::Email => (&mut user.email, "email"),
            Contact::Phone => (&mut user.phone, "sms"),
        };
        let old = std::mem::replace(field, value.clone());
        if let Some(old) = &old {
            index.remove(old);
        }
        let target = old.as_ref().and_then(|old| {
            user.targets
                .iter()
                .position(|t| t.provider_type == provider_type && &t.identifier == old)
        });
        match (value, target) {
            (Some(value), Some(at)) => {
                index.insert(value.clone(), user.id.clone());
                user.targets[at].identifier = value;
            }
            (Some(value), None) => {
                index.insert(value.clone(), user.id.clone());
                user.targets.push(TargetRecord {
                    id: appwrite_models::ID::unique(),
                    created_at: now,
                    provider_type,
                    identifier: value,
                });
            }
            (None, Some(at)) => {
                user.targets.remove(at);
            }
            (None, None) => {}
        }
        match kind {
            Contact::Email => user.email_verification = false,
            Contact::Phone => user.phone_verification = false,
        }
        user.updated_at = now;
        Ok(Some(user))
    }

    pub(crate) fn delete_user(&mut self, id: &str) -> Option<UserRecord> {
        let user = self.users.remove(id)?;
        if let Some(email) = &user.email {
            self.emails.remove(email);
        }
        if let Some(phone) = &user.phone {
            self.phones.remove(phone);
        }
        Some(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(store: &mut Store, id: &str) {
        let new = NewUser {
            id: id.into(),
            email: Some(format!("{id}@example.com")),
            ..NewUser::default()
        };
        store.create_user(new, 0).unwrap();
    }

    #[test]
    fn tokens_are_single_use_and_expire() {
        let mut store = Store::default();
        user(&mut store, "u1");
        let u = store.users.get_mut("u1").unwrap();
        let hash = sha256("abc123");
        let token = |expire| TokenRecord {
            kind: TokenKind::Generic,
            expire,
        };
        u.add_token(hash, token(100), 0);
        assert!(
            u.redeem_token(&hash, 101).is_none(),
            "expired token accepted"
        );
        assert!(
            u.redeem_token(&hash, 100).is_some(),
            "expire == now is still valid"
        );
        assert!(u.redeem_token(&hash, 0).is_none(), "token reused");
        assert_eq!(u.token_count, 0);
    }

    #[test]
    fn session_limit_drops_the_oldest() {
        let mut store = Store::default();
        user(&mut store, "u1");
        let seqs: Vec<u64> = (0..12).map(|_| store.next_seq()).collect();
        let u = store.users.get_mut("u1").unwrap();
        for (i, seq) in seqs.into_iter().enumerate() {
            u.add_session(SessionRecord {
                id: format!("s{i}"),
                seq,
                secret_hash: sha256(&i.to_string()),
                created_at: 0,
                updated_at: 0,
                expire: 10,
                provider: "token",
                factor: "token",
                ip: String::new(),
            });
        }
        u.enforce_session_limit();
        assert_eq!(u.sessions.len(), MAX_SESSIONS);
        assert!(!u.sessions.contains_key("s0") && !u.sessions.contains_key("s1"));
        assert!(u.verify_session(&sha256("0"), 0).is_none());
        assert_eq!(u.verify_session(&sha256("11"), 10).unwrap().id, "s11");
        assert!(
            u.verify_session(&sha256("11"), 11).is_none(),
            "expired session verified"
        );
    }

    #[test]
    fn duplicates_conflict() {
        let mut store = Store::default();
        user(&mut store, "u1");
        let same_email = NewUser {
            id: "u2".into(),
            email: Some("u1@example.com".into()),
            ..NewUser::default()
        };
        assert!(store.create_user(same_email, 0).is_err());
        assert!(store.delete_user("u1").is_some());
        assert!(store.user_by_email("u1@example.com").is_none());
    }

    #[test]
    fn hex_and_datetime() {
        assert_eq!(hex(&[0x00, 0xab, 0x0f]), "00ab0f");
        assert_eq!(datetime(1_000).to_string(), "1970-01-01T00:00:01.000+00:00");
    }
}
