//! The JSON the shipped stores keep: one profile's entry (whose session it is, and the session),
//! and the versioned document around it, read without ever quoting its content in an error.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{ProfileKey, StoreError, StoreLocation, StoredSession};

/// One profile's session, with the profile it belongs to: a `FileStore` profile, and (with a
/// `version`) a `KeyringStore` entry. The owner is checked on every load, so an entry found under
/// one profile's name never signs another profile in.
#[derive(Serialize, Deserialize)]
pub(crate) struct ProfileEntry {
    endpoint: String,
    project: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    pub(crate) session: StoredSession,
    /// Fields a newer minor revision may add: kept as they are.
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

impl ProfileEntry {
    pub(crate) fn new(key: &ProfileKey, session: &StoredSession) -> Self {
        Self {
            endpoint: key.endpoint.clone(),
            project: key.project.clone(),
            profile: key.profile.clone(),
            session: session.clone(),
            other: serde_json::Map::new(),
        }
    }

    /// The profile the entry says it belongs to.
    pub(crate) fn key(&self) -> ProfileKey {
        ProfileKey {
            endpoint: self.endpoint.clone(),
            project: self.project.clone(),
            profile: self.profile.clone(),
        }
    }

    /// The session, when the entry belongs to `key`; [`StoreError::Mismatch`] when it says it is
    /// another profile's (a credential never goes to another endpoint, project or profile).
    pub(crate) fn into_session_for(
        self,
        key: &ProfileKey,
        location: impl FnOnce() -> StoreLocation,
    ) -> Result<StoredSession, StoreError> {
        let found = self.key();
        if found == *key {
            Ok(self.session)
        } else {
            Err(StoreError::Mismatch {
                location: location(),
                found: Box::new(found),
            })
        }
    }
}

/// Reads a document that has a `version` field: `supported` is read, a newer one is
/// [`StoreError::UnsupportedVersion`], anything else (not JSON, no or another version, a wrong
/// shape) is [`StoreError::Corrupt`]. Errors never quote the content.
pub(crate) fn parse_versioned<T: DeserializeOwned>(
    bytes: &[u8],
    supported: u32,
    location: &dyn Fn() -> StoreLocation,
) -> Result<T, StoreError> {
    #[derive(Deserialize)]
    struct Head {
        version: Option<serde_json::Value>,
    }
    let corrupt = |detail: String| StoreError::Corrupt {
        location: location(),
        detail,
    };
    let head: Head = serde_json::from_slice(bytes).map_err(|e| corrupt(describe(&e)))?;
    let version = head
        .version
        .ok_or_else(|| corrupt("it has no format version".to_owned()))?;
    match version.as_u64() {
        Some(found) if found > u64::from(supported) => Err(StoreError::UnsupportedVersion {
            location: location(),
            found,
            supported,
        }),
        Some(found) if found == u64::from(supported) => {
            serde_json::from_slice(bytes).map_err(|e| corrupt(describe(&e)))
        }
        _ => Err(corrupt(
            "its format version is not one this crate wrote".to_owned(),
        )),
    }
}

/// What is wrong with the JSON, with anything in double quotes dropped: a message like
/// "invalid type: string \"…\"" could otherwise quote a credential. Field names (in backticks) stay.
pub(crate) fn describe(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Eof => "it ends early",
        Category::Syntax => "it is not valid JSON",
        Category::Data => "it has an unexpected shape",
        Category::Io => "it could not be read",
    };
    let detail = appwrite_models::protocol::json_error_without_values(error);
    format!("{what}: {detail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_never_quotes_values() {
        let err = serde_json::from_str::<ProfileEntry>(
            r#"{"endpoint":"e","project":"p","session":{"credential":"c","user_id":"u","session_id":"s","expire":"SECRET-LOOKING"}}"#,
        )
        .err()
        .map(|e| describe(&e))
        .unwrap_or_default();
        assert!(err.contains("unexpected shape"), "{err}");
        assert!(!err.contains("SECRET-LOOKING"), "{err}");
    }
}
