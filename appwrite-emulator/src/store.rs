//! The store: users, indexed by email and phone, with the rules for creating them and changing
//! their contacts.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::records::{NewUser, TargetRecord, UserRecord};

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
    /// A store read from a state file, made ready for use: the cap from the configuration, and
    /// each user's session index (not saved) rebuilt.
    pub(crate) fn restored(mut self, max_users: usize) -> Self {
        self.max_users = max_users;
        for user in self.users.values_mut() {
            user.session_by_hash = user
                .sessions
                .values()
                .map(|s| (s.secret_hash, s.id.clone()))
                .collect();
        }
        self
    }

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
    use crate::records::{
        MAX_HELD_SESSIONS, MAX_LIVE_TOKENS, SessionRecord, TokenKind, TokenRecord,
    };

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
