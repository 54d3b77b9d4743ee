//! [`MemoryStore`]: sessions kept in memory only.

use std::collections::HashMap;
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
    sessions: Arc<Mutex<HashMap<ProfileKey, StoredSession>>>,
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ProfileKey, StoredSession>> {
        // A panic elsewhere cannot leave a half-written map: every change is one insert or remove.
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let map = self.lock();
        let mut keys: Vec<&ProfileKey> = map.keys().collect();
        keys.sort();
        f.debug_struct("MemoryStore")
            .field("profiles", &keys)
            .finish()
    }
}

impl SessionStore for MemoryStore {
    fn load(&self, key: &ProfileKey) -> Result<Option<StoredSession>, StoreError> {
        Ok(self.lock().get(key).cloned())
    }

    fn save(&self, key: &ProfileKey, session: &StoredSession) -> Result<(), StoreError> {
        self.lock().insert(key.clone(), session.clone());
        Ok(())
    }

    fn clear(&self, key: &ProfileKey) -> Result<(), StoreError> {
        self.lock().remove(key);
        Ok(())
    }

    fn is_blocking(&self) -> bool {
        false
    }
}
