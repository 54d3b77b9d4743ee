//! The records the store keeps: users with their tokens, sessions and targets, and the caps on
//! how many of them one user holds.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::crypto::Hash;

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

/// A provider, factor or target kind: one of a few fixed names. (An alias, so that serde does
/// not take the `'static` reference for a borrow from the input.)
pub(crate) type Name = &'static str;

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
