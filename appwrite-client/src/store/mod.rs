//! Where a signed-in session is kept between runs: the [`SessionStore`] trait, the data it keeps
//! ([`StoredSession`], keyed by [`ProfileKey`]) and its errors ([`StoreError`], naming a
//! [`StoreLocation`]).
//!
//! Two stores ship with the crate: [`MemoryStore`](crate::MemoryStore) (the default: the session
//! lives as long as the process) and [`FileStore`](crate::FileStore) (a JSON file, mode 0600, written
//! atomically under a cross-process lock); with the `keyring` feature, `KeyringStore` keeps
//! sessions in the OS credential store. Bring your own by implementing [`SessionStore`].

use std::fmt;

use appwrite_models::protocol::Endpoint;
use appwrite_models::{Datetime, Session, SessionCredential, SessionId, UserId};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod error;
pub(crate) mod file;
mod format;
#[cfg(feature = "keyring")]
pub(crate) mod keyring;
mod lock;
pub(crate) mod memory;
mod trust;

pub use error::{StoreError, StoreLocation};

/// Keeps signed-in sessions between runs, one per [`ProfileKey`].
///
/// The methods are synchronous. A store that touches the disk or another process says so with
/// [`is_blocking`](Self::is_blocking) (the default): the client then calls it through
/// `tokio::task::spawn_blocking`, so it never stalls the async runtime. The exception is
/// [`ClientBuilder::build`](crate::ClientBuilder::build), which is synchronous and calls
/// [`load`](Self::load) (and [`clear`](Self::clear) for a session whose expiry has passed)
/// directly.
///
/// Implementations must keep the credential secret: never print it in `Debug`, never write it where
/// other users can read it.
pub trait SessionStore: Send + Sync + fmt::Debug + 'static {
    /// The session saved for `key`, or `None` when there is none.
    fn load(&self, key: &ProfileKey) -> Result<Option<StoredSession>, StoreError>;

    /// Saves `session` for `key`, replacing any session saved for it; other keys are untouched.
    fn save(&self, key: &ProfileKey, session: &StoredSession) -> Result<(), StoreError>;

    /// Forgets the session saved for `key` (nothing happens when there is none).
    fn clear(&self, key: &ProfileKey) -> Result<(), StoreError>;

    /// Whether the methods may block (file or network I/O). `true` unless overridden; a store that
    /// only touches memory returns `false` and is called inline.
    fn is_blocking(&self) -> bool {
        true
    }
}

/// Which session a store entry is: the endpoint and project it belongs to, and an optional
/// profile name, so one app can stay signed in to two projects, or to two accounts of one project.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileKey {
    endpoint: String,
    project: String,
    profile: Option<String>,
}

impl ProfileKey {
    /// The key for `endpoint` (normalised as the client does: no trailing slash), `project` and
    /// an optional profile name.
    pub fn new(
        endpoint: impl AsRef<str>,
        project: impl Into<String>,
        profile: Option<String>,
    ) -> Self {
        let endpoint = endpoint.as_ref();
        let endpoint = Endpoint::parse(endpoint)
            .map_or_else(|_| endpoint.to_owned(), |e| e.as_str().to_owned());
        Self {
            endpoint,
            project: project.into(),
            profile,
        }
    }

    /// The key for an endpoint the client has already parsed (and so normalised).
    pub(crate) fn from_endpoint(
        endpoint: &Endpoint,
        project: impl Into<String>,
        profile: Option<String>,
    ) -> Self {
        Self {
            endpoint: endpoint.as_str().to_owned(),
            project: project.into(),
            profile,
        }
    }

    /// The API endpoint, e.g. `https://appwrite.example.com/v1`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The project id.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The profile name, if one was chosen.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// The key as one string: `<endpoint>#<project>`, then `#<profile>` when there is one, each
    /// part with `%` written `%25` and `#` written `%23`, so two different keys never give the
    /// same string (project `demo#work` is `…#demo%23work`, project `demo` with profile `work` is
    /// `…#demo#work`). Ids and profile names as Appwrite and
    /// [`ClientBuilder::profile`](crate::ClientBuilder::profile) allow them hold neither, so
    /// theirs read as written.
    pub fn as_string(&self) -> String {
        let mut out = String::with_capacity(self.endpoint.len() + self.project.len() + 2);
        push_escaped(&mut out, &self.endpoint);
        out.push('#');
        push_escaped(&mut out, &self.project);
        if let Some(profile) = &self.profile {
            out.push('#');
            push_escaped(&mut out, profile);
        }
        out
    }
}

/// Appends `part` with `%` and `#` percent-encoded, so `#` can separate the parts of a key.
fn push_escaped(out: &mut String, part: &str) {
    for c in part.chars() {
        match c {
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
}

impl fmt::Debug for ProfileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProfileKey({:?})", self.as_string())
    }
}

impl fmt::Display for ProfileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

/// A signed-in session as a store keeps it.
///
/// The credential is the only secret: `Debug` hides it, and it is read only through
/// [`SessionCredential::expose_secret`]. [`Serialize`] writes it **in plain text**, because keeping
/// it is what a store is for: write the output only where no other user can read it.
#[derive(Clone)]
#[non_exhaustive]
pub struct StoredSession {
    /// The session credential, exactly as the server sent it.
    pub credential: SessionCredential,
    /// The user the session belongs to.
    pub user_id: UserId,
    /// The session's id.
    pub session_id: SessionId,
    /// When the session ends, as far as the client knows (extending it moves this).
    pub expire: Datetime,
    /// How the session was created (`token`, `email`, `magic-url`, `phone`, …).
    pub provider: String,
    /// When the client last saved the session (sign-in or extension).
    pub saved_at: Datetime,
}

impl StoredSession {
    /// A stored session; `saved_at` is now.
    pub fn new(
        credential: SessionCredential,
        user_id: impl Into<UserId>,
        session_id: impl Into<SessionId>,
        expire: Datetime,
        provider: impl Into<String>,
    ) -> Self {
        Self {
            credential,
            user_id: user_id.into(),
            session_id: session_id.into(),
            expire,
            provider: provider.into(),
            saved_at: Datetime::now(),
        }
    }

    /// The stored form of a session Appwrite returned, with the credential its response carried.
    pub(crate) fn from_session(session: &Session, credential: SessionCredential) -> Self {
        Self::new(
            credential,
            session.user_id.clone(),
            session.id.clone(),
            session.expire,
            session.provider.clone(),
        )
    }

    /// Whether the session's expiry has passed at `now` (an unset expiry never passes).
    pub fn is_expired_at(&self, now: std::time::SystemTime) -> bool {
        self.expire.is_before(now)
    }
}

impl fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSession")
            .field("credential", &"[redacted]")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .field("expire", &self.expire)
            .field("provider", &self.provider)
            .field("saved_at", &self.saved_at)
            .finish()
    }
}

/// The serialized shape of a [`StoredSession`]; the only place the credential is written out.
#[derive(Serialize, Deserialize)]
struct StoredSessionWire<C> {
    credential: C,
    user_id: UserId,
    session_id: SessionId,
    expire: Datetime,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    saved_at: Datetime,
}

impl Serialize for StoredSession {
    /// Writes the credential in plain text (see the type's docs).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredSessionWire {
            credential: self.credential.expose_secret(),
            user_id: self.user_id.clone(),
            session_id: self.session_id.clone(),
            expire: self.expire,
            provider: self.provider.clone(),
            saved_at: self.saved_at,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for StoredSession {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = StoredSessionWire::<SessionCredential>::deserialize(deserializer)?;
        if wire.credential.is_empty() {
            return Err(serde::de::Error::custom("the credential is empty"));
        }
        Ok(Self {
            credential: wire.credential,
            user_id: wire.user_id,
            session_id: wire.session_id,
            expire: wire.expire,
            provider: wire.provider,
            saved_at: wire.saved_at,
        })
    }
}
