//! [`MemoryStore`]: sessions kept in memory only.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use super::{ProfileKey, SessionStore, StoreError, StoredSession};

/// Keeps sessions in memory: they last as long as the process. The client's default store.
///
/// Clones share the same sessions, so two clients given clones of one `MemoryStore` see each
/// other's sign-ins. It never blocks.
///
/// ```
/// use appwrite_client::{Client, MemoryStore};
///
/// let store = MemoryStore::new();
/// let client = Client::builder()
///     .endpoint("https://appwrite.example.com/v1")
///     .project("my-project")
///     .session_store(store.clone())
///     .build()?;
/// assert!(store.is_empty());
/// # let _ = client;
/// # Ok::<(), appwrite_client::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    /// A list, not a map: an app keeps a handful of profiles, and a list needs no hashing of
    /// the key (an endpoint and a project) on every sign-in and client build.
    sessions: Arc<Mutex<Vec<(ProfileKey, StoredSession)>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no session is kept.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// How many sessions are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(ProfileKey, StoredSession)>> {
        // A panic elsewhere cannot leave a half-written list: every change is one push, one
        // assignment of a finished clone or one removal.
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let map = self.lock();
        let mut keys: Vec<&ProfileKey> = map.iter().map(|(key, _)| key).collect();
        keys.sort();
        f.debug_struct("MemoryStore")
            .field("profiles", &keys)
            .finish()
    }
}

impl SessionStore for MemoryStore {
    fn load(&self, key: &ProfileKey) -> Result<Option<StoredSession>, StoreError> {
        let sessions = self.lock();
        Ok(sessions
            .iter()
            .find(|(held, _)| held == key)
            .map(|(_, session)| session.clone()))
    }

    fn save(&self, key: &ProfileKey, session: &StoredSession) -> Result<(), StoreError> {
        let mut sessions = self.lock();
        match sessions.iter_mut().find(|(held, _)| held == key) {
            Some((_, held)) => held.clone_from(session),
            None => sessions.push((key.clone(), session.clone())),
        }
        Ok(())
    }

    fn clear(&self, key: &ProfileKey) -> Result<(), StoreError> {
        self.lock().retain(|(held, _)| held != key);
        Ok(())
    }

    fn is_blocking(&self) -> bool {
        false
    }
}
