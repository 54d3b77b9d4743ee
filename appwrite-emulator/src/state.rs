//! The emulator's in-memory state: configuration, users with their tokens and sessions, and
//! the outbox. Everything a request changes sits behind one short-held mutex.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::{Clock, Millis};
use crate::crypto::Hash;
use crate::outbox::OutboxMessage;
use crate::platform::Platforms;
use crate::ratelimit::RateLimiter;

/// The most unexpired tokens one user holds.
pub(crate) const MAX_LIVE_TOKENS: usize = 1000;

/// The most sessions one user holds, whatever `max_sessions` says (memory stays bounded; a
/// 1.9.6 project keeps every session).
pub(crate) const MAX_HELD_SESSIONS: usize = 10_000;

/// A user holds [`MAX_HELD_SESSIONS`] sessions.
#[derive(Debug)]
pub(crate) struct TooManySessions;

impl From<TooManySessions> for crate::error::ApiError {
    fn from(_: TooManySessions) -> Self {
        Self::with_message(
            appwrite_models::ErrorType::GeneralRateLimitExceeded,
            format!(
                "This user holds the emulator's maximum of {MAX_HELD_SESSIONS} sessions. Delete some (DELETE /v1/users/{{userId}}/sessions) or cap them (--max-sessions)."
            ),
        )
    }
}

/// A user holds [`MAX_LIVE_TOKENS`] unexpired tokens.
#[derive(Debug)]
pub(crate) struct TooManyTokens;

impl From<TooManyTokens> for crate::error::ApiError {
    fn from(_: TooManyTokens) -> Self {
        Self::with_message(
            appwrite_models::ErrorType::GeneralRateLimitExceeded,
            format!(
                "This user holds the emulator's maximum of {MAX_LIVE_TOKENS} unexpired tokens. Redeem them, let them expire or delete the user."
            ),
        )
    }
}

/// What a caller configured with the builder, fixed for the emulator's life.
pub(crate) struct Config {
    pub project: String,
    /// API key → its scopes.
    pub keys: HashMap<String, Arc<HashSet<String>>>,
    pub session_duration: Duration,
    pub rate_limit: bool,
    pub max_body_bytes: usize,
    /// The mock OAuth2 provider signs in at once, without its consent page.
    pub oauth2_auto_approve: bool,
    /// The identity (email) the mock OAuth2 provider signs in by default.
    pub oauth2_identity: String,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// Registered platform hosts: allowed `Origin`s and redirect targets.
    pub platforms: Platforms,
    /// Take the client address from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// `false`: answer like a server without SMTP and SMS providers.
    pub messaging: bool,
    pub limits: Limits,
    /// The project's `auths.maxSessions`: 0 (a 1.9.6 project's default) keeps every session.
    pub max_sessions: usize,
    /// The emulator's origin as configured (`public_url`, else the listening address).
    pub public_url: url::Url,
}

/// Caps that keep the emulator's memory bounded.
#[derive(Debug, Clone, Copy)]
#[allow(clippy::struct_field_names)] // each is the maximum of something
pub(crate) struct Limits {
    pub max_users: usize,
    pub max_outbox: usize,
    pub max_rate_limit_keys: usize,
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
            .field("oauth2_auto_approve", &self.oauth2_auto_approve)
            .field("oauth2_identity", &self.oauth2_identity)
            .field("body_timeout", &self.body_timeout)
            .field("platforms", &self.platforms)
            .field("trust_proxy", &self.trust_proxy)
            .field("messaging", &self.messaging)
            .field("limits", &self.limits)
            .field("max_sessions", &self.max_sessions)
            .field("public_url", &self.public_url.as_str())
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
    pub(crate) fn replace_store(&self, mut store: Store) {
        store.max_users = self.config.limits.max_users;
        for user in store.users.values_mut() {
            user.session_by_hash = user
                .sessions
                .values()
                .map(|s| (s.secret_hash, s.id.clone()))
                .collect();
        }
        *self.store() = store;
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

/// A provider, factor or target kind: one of a few fixed names. (An alias, so that serde does
/// not take the `'static` reference for a borrow from the input.)
pub(crate) type Name = &'static str;

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

/// What kind of token a secret belongs to; it decides the session's provider and factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum TokenKind {
    /// `POST /users/{id}/tokens` (`TOKEN_TYPE_GENERIC`).
    Generic,
    /// Email OTP (`TOKEN_TYPE_EMAIL`).
    Email,
    /// Magic URL (`TOKEN_TYPE_MAGIC_URL`).
    MagicUrl,
    /// Phone OTP (`TOKEN_TYPE_PHONE`).
    Phone,
    /// OAuth2 token flow (`TOKEN_TYPE_OAUTH2`); redeemed only with the JWT that names its provider.
    OAuth2,
}

impl TokenKind {
    /// The session's `provider` (account.php `$createSession`: email OTP falls under `token`).
    pub(crate) fn provider(self) -> &'static str {
        match self {
            Self::Generic | Self::Email => "token",
            Self::MagicUrl => "magic-url",
            Self::Phone => "phone",
            // The only provider the emulator enables.
            Self::OAuth2 => crate::routes::MOCK_PROVIDER,
        }
    }

    /// The session's single factor.
    pub(crate) fn factor(self) -> &'static str {
        match self {
            Self::Generic => "token",
            Self::Email | Self::MagicUrl | Self::OAuth2 => "email",
            Self::Phone => "phone",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    pub kind: TokenKind,
    pub expire: Millis,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SessionRecord {
    pub id: String,
    /// Creation order across the whole emulator, for "most recent" and oldest-first eviction.
    pub seq: u64,
    #[serde(with = "crate::persist::hex_hash")]
    pub secret_hash: Hash,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub expire: Millis,
    #[serde(deserialize_with = "crate::persist::known_name")]
    pub provider: Name,
    #[serde(deserialize_with = "crate::persist::known_name")]
    pub factor: Name,
    pub ip: String,
    /// Factors proven after creation and `mfaUpdatedAt` (see `mfa.rs`).
    #[serde(default)]
    pub mfa: crate::mfa::SessionMfa,
}

impl SessionRecord {
    /// Appwrite's `sessionVerify`/`sessionActive`: valid while `expire >= now`.
    pub(crate) fn is_active(&self, now: Millis) -> bool {
        self.expire >= now
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TargetRecord {
    pub id: String,
    pub created_at: Millis,
    #[serde(deserialize_with = "crate::persist::known_name")]
    pub provider_type: Name,
    pub identifier: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub id: String,
    pub seq: u64,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Unset until the user's first authenticated request.
    pub accessed_at: Option<Millis>,
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
    #[serde(with = "crate::persist::token_map")]
    pub tokens: HashMap<Hash, Vec<TokenRecord>>,
    pub token_count: usize,
    pub sessions: HashMap<String, SessionRecord>,
    /// Rebuilt from `sessions` when a state file is loaded.
    #[serde(skip)]
    pub session_by_hash: HashMap<Hash, String>,
    /// The `mfa` switch, authenticator, recovery codes and open challenges (see `mfa.rs`).
    #[serde(default)]
    pub mfa: crate::mfa::UserMfa,
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

    /// Refuses a new session when the user holds [`MAX_HELD_SESSIONS`].
    pub(crate) fn session_room(&self) -> Result<(), TooManySessions> {
        if self.sessions.len() >= MAX_HELD_SESSIONS {
            return Err(TooManySessions);
        }
        Ok(())
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

    /// Deletes the oldest sessions beyond `max` (the project's `maxSessions`; 0 is no cap), as
    /// the `session` shutdown hook of app/controllers/shared/api.php does.
    pub(crate) fn enforce_session_limit(&mut self, max: usize) {
        if max == 0 {
            return;
        }
        while self.sessions.len() > max {
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

    /// Stores a token, unless the user holds [`MAX_LIVE_TOKENS`] that have not expired (the
    /// emulator's memory stays bounded; Appwrite has no such cap).
    pub(crate) fn add_token(
        &mut self,
        hash: Hash,
        token: TokenRecord,
        now: Millis,
    ) -> Result<(), TooManyTokens> {
        // Tokens nobody redeems would pile up: drop the expired ones when the cap is reached.
        if self.token_count >= MAX_LIVE_TOKENS {
            self.tokens.retain(|_, list| {
                list.retain(|t| t.expire >= now);
                !list.is_empty()
            });
            self.token_count = self.tokens.values().map(Vec::len).sum();
        }
        if self.token_count >= MAX_LIVE_TOKENS {
            return Err(TooManyTokens);
        }
        self.tokens.entry(hash).or_default().push(token);
        self.token_count += 1;
        Ok(())
    }

    /// The kind of the token `redeem_token` would take, without taking it.
    pub(crate) fn live_token_kind(&self, hash: &Hash, now: Millis) -> Option<TokenKind> {
        self.tokens
            .get(hash)?
            .iter()
            .find(|t| t.expire >= now)
            .map(|t| t.kind)
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
    /// Set by the routes that create a user with `accessedAt` (the token and OAuth2 routes).
    pub accessed_at: Option<Millis>,
}

/// Users, with indexes by email and phone.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Store {
    pub users: HashMap<String, UserRecord>,
    /// Keyed by the lower-cased email: Appwrite's `MariaDB` tables compare case-insensitively, so
    /// `Query::equal('email', …)` finds `Ada@Example.com` for `ada@example.com`.
    emails: HashMap<String, String>,
    phones: HashMap<String, String>,
    seq: u64,
    /// Set from the configuration, not from a state file.
    #[serde(skip)]
    max_users: usize,
}

/// A user's email address or phone number, for [`Store::set_contact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Contact {
    Email,
    Phone,
}

/// Another user (or this one) already has the email address or phone number.
#[derive(Debug)]
pub(crate) struct Conflict;

impl Default for Store {
    fn default() -> Self {
        Self::with_cap(usize::MAX)
    }
}

/// Why a user could not be created.
#[derive(Debug)]
pub(crate) enum CreateUserError {
    /// The user id, email or phone is taken.
    Taken,
    /// The emulator holds its cap of users.
    Full(usize),
}

impl From<CreateUserError> for crate::error::ApiError {
    fn from(error: CreateUserError) -> Self {
        match error {
            CreateUserError::Taken => Self::new(appwrite_models::ErrorType::UserAlreadyExists),
            CreateUserError::Full(cap) => Self::with_message(
                appwrite_models::ErrorType::UserCountExceeded,
                format!(
                    "The emulator holds its maximum of {cap} users. Delete some, reset it (POST /v1/emulator/reset) or raise the cap (--max-users)."
                ),
            ),
        }
    }
}

impl Store {
    /// An empty store that holds at most `max_users` users.
    pub(crate) fn with_cap(max_users: usize) -> Self {
        Self {
            users: HashMap::new(),
            emails: HashMap::new(),
            phones: HashMap::new(),
            seq: 0,
            max_users,
        }
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<&str> {
        self.emails.get(&email.to_lowercase()).map(String::as_str)
    }

    pub(crate) fn user_by_phone(&self, phone: &str) -> Option<&str> {
        self.phones.get(phone).map(String::as_str)
    }

    /// Creates a user with email/phone targets, as Appwrite's `createUser` does.
    pub(crate) fn create_user(
        &mut self,
        new: NewUser,
        now: Millis,
    ) -> Result<&UserRecord, CreateUserError> {
        let taken = self.users.contains_key(&new.id)
            || new
                .email
                .as_ref()
                .is_some_and(|e| self.emails.contains_key(&e.to_lowercase()))
            || new
                .phone
                .as_ref()
                .is_some_and(|p| self.phones.contains_key(p));
        if taken {
            return Err(CreateUserError::Taken);
        }
        if self.users.len() >= self.max_users {
            return Err(CreateUserError::Full(self.max_users));
        }
        let mut targets = Vec::new();
        if let Some(email) = &new.email {
            self.emails.insert(email.to_lowercase(), new.id.clone());
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
            accessed_at: new.accessed_at,
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
            mfa: crate::mfa::UserMfa::default(),
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
        let key = |v: &str| match kind {
            Contact::Email => v.to_lowercase(),
            Contact::Phone => v.to_owned(),
        };
        if value.as_ref().is_some_and(|v| index.contains_key(&key(v))) {
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
            index.remove(&key(old));
        }
        let target = old.as_ref().and_then(|old| {
            user.targets
                .iter()
                .position(|t| t.provider_type == provider_type && &t.identifier == old)
        });
        match (value, target) {
            (Some(value), Some(at)) => {
                index.insert(key(&value), user.id.clone());
                user.targets[at].identifier = value;
            }
            (Some(value), None) => {
                index.insert(key(&value), user.id.clone());
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
            self.emails.remove(&email.to_lowercase());
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
    use crate::crypto::sha256;

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
        u.add_token(hash, token(100), 0).unwrap();
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
        for _ in 0..MAX_LIVE_TOKENS {
            u.add_token(hash, token(100), 0).unwrap();
        }
        assert!(u.add_token(hash, token(100), 0).is_err(), "capped");
        u.add_token(hash, token(200), 101)
            .expect("the expired ones make room");
        assert_eq!(u.token_count, 1);
    }

    fn session(i: usize, seq: u64) -> SessionRecord {
        SessionRecord {
            id: format!("s{i}"),
            seq,
            secret_hash: sha256(&i.to_string()),
            created_at: 0,
            updated_at: 0,
            expire: 10,
            provider: "token",
            factor: "token",
            ip: String::new(),
            mfa: crate::mfa::SessionMfa::default(),
        }
    }

    #[test]
    fn sessions_held_are_bounded() {
        let mut store = Store::default();
        user(&mut store, "u1");
        let u = store.users.get_mut("u1").unwrap();
        for i in 0..MAX_HELD_SESSIONS {
            assert!(u.session_room().is_ok());
            u.add_session(session(i, 0));
        }
        assert!(u.session_room().is_err());
        u.remove_session("s0");
        assert!(u.session_room().is_ok());
    }

    #[test]
    fn session_limit_drops_the_oldest() {
        let mut store = Store::default();
        user(&mut store, "u1");
        let seqs: Vec<u64> = (0..12).map(|_| store.next_seq()).collect();
        let u = store.users.get_mut("u1").unwrap();
        for (i, seq) in seqs.into_iter().enumerate() {
            u.add_session(session(i, seq));
        }
        u.enforce_session_limit(0);
        assert_eq!(u.sessions.len(), 12, "0 is no cap");
        u.enforce_session_limit(10);
        assert_eq!(u.sessions.len(), 10);
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
}
