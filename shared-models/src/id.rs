//! Ids: typed id strings, `ID::unique()` and Appwrite's custom-id rules.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The longest custom id Appwrite accepts on its SQL adapters (`MAX_UID_DEFAULT_LENGTH`).
pub const MAX_ID_LENGTH: usize = 36;

/// Why a string is not a valid Appwrite custom id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidId {
    /// The id is the empty string.
    #[error("id is empty")]
    Empty,
    /// The id is longer than [`MAX_ID_LENGTH`] characters.
    #[error("id is longer than {MAX_ID_LENGTH} characters")]
    TooLong,
    /// The id starts with `_`, `.` or `-`.
    #[error("id must not start with '_', '.' or '-'")]
    BadFirstChar,
    /// The id holds a character outside `[A-Za-z0-9._-]`.
    #[error("id may only contain a-z, A-Z, 0-9, '.', '_' and '-'")]
    BadChar,
}

/// Helpers for Appwrite ids, named after the official SDKs' `ID` class.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ID;

impl ID {
    /// A new id in the official SDKs' shape: 8 hex digits of Unix seconds, 5 hex digits of the
    /// sub-second part in microseconds, then 7 random hex digits (20 characters, a valid custom id).
    ///
    /// ```
    /// let id = appwrite_models::ID::unique();
    /// assert_eq!(id.len(), 20);
    /// assert!(appwrite_models::ID::validate_custom(&id).is_ok());
    /// ```
    pub fn unique() -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        format!(
            "{:08x}{:05x}{:07x}",
            now.as_secs(),
            now.subsec_micros(),
            random_u64() & 0x0fff_ffff
        )
    }

    /// Checks `id` against Appwrite's custom-id rules: 1 to 36 characters of `[A-Za-z0-9._-]`, not
    /// starting with `_`, `.` or `-`.
    pub fn validate_custom(id: &str) -> Result<(), InvalidId> {
        let first = id.chars().next().ok_or(InvalidId::Empty)?;
        if id.len() > MAX_ID_LENGTH {
            return Err(InvalidId::TooLong);
        }
        if matches!(first, '_' | '.' | '-') {
            return Err(InvalidId::BadFirstChar);
        }
        if !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(InvalidId::BadChar);
        }
        Ok(())
    }
}

/// 64 random-enough bits without a dependency: ids need to be unlikely to collide, not unguessable.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id string as it is; checking it is the server's job (or [`ID::validate_custom`]).
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                Self(id.clone())
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type! {
    /// A user's id (`$id` of a `User`, `userId` elsewhere).
    UserId
}

id_type! {
    /// A session's id. The literal `current` names the session a request is made with.
    SessionId
}

id_type! {
    /// A token's id (`$id` of a `Token`).
    TokenId
}

id_type! {
    /// A messaging target's id (`$id` of a `Target`).
    TargetId
}

id_type! {
    /// A multi-factor challenge's id (`$id` of an `MfaChallenge`).
    ChallengeId
}

impl SessionId {
    /// The session the request is authenticated with (`current`).
    pub fn current() -> Self {
        Self::new("current")
    }

    /// Whether this is the literal `current`.
    pub fn is_current(&self) -> bool {
        self.0 == "current"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_has_the_sdk_shape_and_differs() {
        let a = ID::unique();
        let b = ID::unique();
        assert_eq!(a.len(), 20);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
    }

    #[test]
    fn custom_id_rules() {
        assert_eq!(ID::validate_custom(""), Err(InvalidId::Empty));
        assert_eq!(ID::validate_custom("_x"), Err(InvalidId::BadFirstChar));
        assert_eq!(ID::validate_custom(".x"), Err(InvalidId::BadFirstChar));
        assert_eq!(ID::validate_custom("-x"), Err(InvalidId::BadFirstChar));
        assert_eq!(ID::validate_custom("a/b"), Err(InvalidId::BadChar));
        assert_eq!(ID::validate_custom("é"), Err(InvalidId::BadChar));
        assert_eq!(
            ID::validate_custom(&"a".repeat(37)),
            Err(InvalidId::TooLong)
        );
        assert!(ID::validate_custom(&"a".repeat(36)).is_ok());
        assert!(ID::validate_custom("user-42.b_c").is_ok());
    }
}
