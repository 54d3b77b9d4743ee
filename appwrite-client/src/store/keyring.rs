//! [`KeyringStore`]: sessions kept in the operating system's credential store (the `keyring`
//! feature).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::format::{ProfileEntry, parse_versioned};
use super::{ProfileKey, SessionStore, StoreError, StoreLocation, StoredSession};

/// The format version of an entry; a newer one is refused when loading.
const FORMAT_VERSION: u32 = 1;

/// What to do where a Secret Service is needed and none answers.
const SECRET_SERVICE_HINT: &str = "on Linux and the BSDs the session is kept by the Secret Service (GNOME Keyring, KWallet) of the user's desktop session, reached over D-Bus: run the app in a desktop session with its keyring unlocked, or keep sessions in a FileStore";

/// Keeps each profile's session in the operating system's credential store, where other
/// desktop apps keep theirs: the macOS Keychain, the Windows Credential Manager, and on Linux
/// and the BSDs the Secret Service (GNOME Keyring, `KWallet`; reached over the user's D-Bus
/// session bus, through libdbus). The credential is then protected by the OS rather than by
/// file permissions, and outlives reboots.
///
/// One entry per [`ProfileKey`]: service `service` (your app's name), user (account) the key's
/// [`as_string`](ProfileKey::as_string), holding a [`FileStore`](crate::FileStore) profile's JSON
/// with a format version: `{"version":1,"endpoint":…,"project":…,"profile":…,"session":{…}}`.
/// The entry says whose session it is; an entry that names another endpoint, project or profile
/// is refused with [`StoreError::Mismatch`], a corrupt one or one in a newer format with
/// [`StoreError::Corrupt`] / [`StoreError::UnsupportedVersion`]; each is left as it is. Clearing
/// removes the entry.
///
/// **A save is kept, or it is an error.** After writing, the store reads the entry back through a
/// fresh lookup; a session it cannot find again is [`StoreError::Refused`] (and what the write
/// may have left is removed), never a success that signs the user out on the next run. Where no
/// credential store answers (on Linux: no D-Bus session bus, or no Secret Service on it, as on a
/// server or in a container) every call fails with [`StoreError::Unavailable`], which says so:
/// use a [`FileStore`](crate::FileStore) there. A locked keyring makes the desktop ask the user
/// to unlock it, and the call waits for that answer.
///
/// The kernel's keyutils is not used: its keys do not survive a reboot, and a process without a
/// session keyring of its own keeps them where the next run may not find them.
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

    /// Where `key`'s session is kept.
    pub fn location(&self, key: &ProfileKey) -> StoreLocation {
        StoreLocation::Keyring {
            service: self.service.clone(),
            user: key.as_string(),
        }
    }

    /// A fresh handle on `key`'s entry (nothing is read or written yet).
    fn entry(&self, key: &ProfileKey) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, &key.as_string())
            .map_err(|error| self.failed(key, &error))
    }

    /// A platform failure as a [`StoreError`], described without the entry's content.
    fn failed(&self, key: &ProfileKey, error: &keyring::Error) -> StoreError {
        let location = self.location(key);
        match error {
            keyring::Error::BadEncoding(_) => StoreError::Corrupt {
                location,
                detail: "it is not UTF-8".to_owned(),
            },
            keyring::Error::Ambiguous(found) => StoreError::Corrupt {
                location,
                detail: format!(
                    "{} entries match it; remove all but one with the keyring's own tool",
                    found.len()
                ),
            },
            keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
                StoreError::Unavailable {
                    location,
                    detail: format!("{error} ({SECRET_SERVICE_HINT})"),
                }
            }
            // NoEntry (where a lookup was not expected to miss), TooLong, Invalid, and what a
            // later version of the keyring crate adds.
            other => StoreError::Refused {
                location,
                detail: other.to_string(),
            },
        }
    }

    /// Reads `key`'s entry back through a fresh lookup: whether it holds exactly `text`.
    fn kept(&self, key: &ProfileKey, text: &str) -> Result<(), StoreError> {
        match self.entry(key)?.get_password() {
            Ok(found) if found == text => Ok(()),
            Ok(_) => Err(StoreError::Refused {
                location: self.location(key),
                detail: "a fresh lookup gave back another value".to_owned(),
            }),
            Err(keyring::Error::NoEntry) => Err(StoreError::Refused {
                location: self.location(key),
                detail: "a fresh lookup did not find it".to_owned(),
            }),
            Err(error) => Err(self.failed(key, &error)),
        }
    }

    /// Removes what a failed save may have left, as far as a fresh lookup can reach it.
    fn remove_after_failed_save(&self, key: &ProfileKey) {
        let Ok(entry) = self.entry(key) else { return };
        if let Err(error) = entry.delete_credential().or_else(|error| match error {
            keyring::Error::NoEntry => Ok(()),
            other => Err(other),
        }) {
            tracing::warn!(
                location = %self.location(key),
                error = %self.failed(key, &error),
                "could not remove what a failed save left in the OS keyring"
            );
        }
    }
}

impl fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringStore")
            .field("service", &self.service)
            .finish()
    }
}

/// What an entry holds: a format version and a `FileStore` profile.
#[derive(Serialize, Deserialize)]
struct Entry {
    version: u32,
    #[serde(flatten)]
    profile: ProfileEntry,
}

impl SessionStore for KeyringStore {
    fn load(&self, key: &ProfileKey) -> Result<Option<StoredSession>, StoreError> {
        let text = match self.entry(key)?.get_password() {
            Ok(text) => text,
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(error) => return Err(self.failed(key, &error)),
        };
        let location = || self.location(key);
        let entry: Entry = parse_versioned(text.as_bytes(), FORMAT_VERSION, &location)?;
        entry.profile.into_session_for(key, location).map(Some)
    }

    fn save(&self, key: &ProfileKey, session: &StoredSession) -> Result<(), StoreError> {
        let text = serde_json::to_string(&Entry {
            version: FORMAT_VERSION,
            profile: ProfileEntry::new(key, session),
        })
        .map_err(|error| StoreError::Write {
            location: self.location(key),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, error),
        })?;
        // A write that failed changed nothing (and the session saved before, if any, stays).
        self.entry(key)?
            .set_password(&text)
            .map_err(|error| self.failed(key, &error))?;
        let kept = self.kept(key, &text);
        if kept.is_err() {
            // Written but not found again: nothing of it may stay behind.
            self.remove_after_failed_save(key);
        }
        kept
    }

    fn clear(&self, key: &ProfileKey) -> Result<(), StoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(self.failed(key, &error)),
        }
    }
}
