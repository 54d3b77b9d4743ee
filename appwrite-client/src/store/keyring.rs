//! [`KeyringStore`]: sessions kept in the operating system's credential store (the `keyring`
//! feature).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{ProfileKey, SessionStore, StoreError, StoredSession};

/// The format version of an entry; a newer one is refused when loading.
const FORMAT_VERSION: u32 = 1;

/// Keeps each profile's session in the operating system's credential store: the macOS
/// Keychain, the Windows Credential Manager, or on Linux the kernel's keyutils (no daemon
/// needed; see below). The credential is then protected by the OS rather than by file
/// permissions.
///
/// One entry per [`ProfileKey`]: service `service` (your app's name), account the key's
/// [`as_string`](ProfileKey::as_string), holding the same JSON a [`FileStore`](crate::FileStore)
/// profile holds (`{"version":1,"session":{…}}`). Clearing removes the entry; a corrupt entry, or
/// one in a newer format, is an error and is left as it is.
///
/// **Linux.** Entries live in the user's session keyring and are linked to the persistent
/// keyring, so they outlive the session for a few days
/// (`/proc/sys/kernel/keys/persistent_keyring_expiry`) but not a reboot: the user signs in
/// again after one. A process must run in a session keyring of its own (a desktop or SSH login
/// gives it one through `pam_keyinit`); in containers or services that lack one, saving fails
/// with a [`KeyringError::Refused`] that says so; start the program under `keyctl session -`.
///
/// ```no_run
/// use appwrite_client::{Client, KeyringStore};
///
/// let client = Client::builder()
///     .endpoint("https://appwrite.example.com/v1")
///     .project("my-project")
///     .session_store(KeyringStore::new("my-app"))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), appwrite_client::Error>(())
/// ```
#[derive(Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// A store for `service`, usually the app's name. Two apps with different names never see
    /// each other's sessions.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The service name entries are kept under.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, key: &ProfileKey) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, &key.as_string()).map_err(|e| self.failed(&e))
    }

    fn failed(&self, error: &keyring::Error) -> StoreError {
        StoreError::Other(Box::new(KeyringError::Platform {
            service: self.service.clone(),
            detail: describe(error),
        }))
    }

    fn corrupt(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Other(Box::new(KeyringError::Corrupt {
            service: self.service.clone(),
            detail: detail.into(),
        }))
    }
}

impl fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringStore")
            .field("service", &self.service)
            .finish()
    }
}

/// What an entry holds.
#[derive(Serialize, Deserialize)]
struct Entry<S> {
    version: u64,
    session: S,
}

impl SessionStore for KeyringStore {
    fn load(&self, key: &ProfileKey) -> Result<Option<StoredSession>, StoreError> {
        let text = match self.entry(key)?.get_password() {
            Ok(text) => text,
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(error) => return Err(self.failed(&error)),
        };
        let version: Entry<serde::de::IgnoredAny> =
            serde_json::from_str(&text).map_err(|e| self.corrupt(json_problem(&e)))?;
        if version.version > u64::from(FORMAT_VERSION) {
            return Err(StoreError::Other(Box::new(
                KeyringError::UnsupportedVersion {
                    service: self.service.clone(),
                    found: version.version,
                    supported: FORMAT_VERSION,
                },
            )));
        }
        let entry: Entry<StoredSession> =
            serde_json::from_str(&text).map_err(|e| self.corrupt(json_problem(&e)))?;
        Ok(Some(entry.session))
    }

    fn save(&self, key: &ProfileKey, session: &StoredSession) -> Result<(), StoreError> {
        let text = serde_json::to_string(&Entry {
            version: u64::from(FORMAT_VERSION),
            session,
        })
        .map_err(|_| {
            StoreError::Other(Box::new(KeyringError::Platform {
                service: self.service.clone(),
                detail: "the session could not be encoded".to_owned(),
            }))
        })?;
        match self.entry(key)?.set_password(&text) {
            Ok(()) => Ok(()),
            // keyutils reports a refused link (no session keyring of our own) as "no entry".
            Err(keyring::Error::NoEntry) => {
                Err(StoreError::Other(Box::new(KeyringError::Refused {
                    service: self.service.clone(),
                })))
            }
            Err(error) => Err(self.failed(&error)),
        }
    }

    fn clear(&self, key: &ProfileKey) -> Result<(), StoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(self.failed(&error)),
        }
    }
}

/// `serde_json`'s error category, never its message (which may quote the content).
fn json_problem(error: &serde_json::Error) -> &'static str {
    match error.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "not a stored session",
        serde_json::error::Category::Eof => "truncated",
    }
}

/// A keyring failure, described without the entry's content.
fn describe(error: &keyring::Error) -> String {
    match error {
        keyring::Error::BadEncoding(_) => "the entry is not UTF-8".to_owned(),
        keyring::Error::Ambiguous(_) => "several entries match".to_owned(),
        keyring::Error::NoEntry => "no such entry".to_owned(),
        other => other.to_string(),
    }
}

/// Why a [`KeyringStore`] failed; the [`StoreError::Other`] source. Messages name the service,
/// never the stored content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyringError {
    /// The OS credential store failed or is not available.
    #[error("the OS keyring failed for {service:?}: {detail}")]
    Platform {
        /// The store's service name.
        service: String,
        /// What the platform said.
        detail: String,
    },
    /// The OS refused to keep the entry. On Linux: the process has no session keyring of its
    /// own (run it from a login session or under `keyctl session -`).
    #[error(
        "the OS keyring refused to keep the session for {service:?} (on Linux: the process needs a session keyring of its own; start it from a login session or under `keyctl session -`)"
    )]
    Refused {
        /// The store's service name.
        service: String,
    },
    /// The entry is not a stored session; it was left untouched.
    #[error(
        "the session kept in the OS keyring for {service:?} is corrupt ({detail}); it was left untouched: sign in again after removing it"
    )]
    Corrupt {
        /// The store's service name.
        service: String,
        /// What is wrong, without quoting the content.
        detail: String,
    },
    /// The entry was written by a newer program; it was left untouched.
    #[error(
        "the session kept in the OS keyring for {service:?} has format version {found}, newer than the supported version {supported}; it was left untouched: upgrade this program"
    )]
    UnsupportedVersion {
        /// The store's service name.
        service: String,
        /// The version in the entry.
        found: u64,
        /// The newest version this crate reads.
        supported: u32,
    },
}
