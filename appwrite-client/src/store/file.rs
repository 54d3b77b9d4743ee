//! [`FileStore`]: sessions in a JSON file, private to the user, written atomically under a
//! cross-process lock.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::format::{ProfileEntry, parse_versioned};
use super::lock::{DEFAULT_LOCK_TIMEOUT, lock_within};
use super::trust::{self, MAX_FILE_SIZE};
use super::{ProfileKey, SessionStore, StoreError, StoreLocation, StoredSession};

/// The document format this crate writes and the newest it reads.
const VERSION: u32 = 1;
/// The file name [`FileStore::for_app`] uses inside the app's data folder.
const FILE_NAME: &str = "sessions.json";
/// Random characters in a temporary file's name, `.<file name>-XXXXXX.tmp`.
const TEMP_RANDOM_LEN: usize = 6;

/// Keeps sessions in a JSON file, so the user stays signed in across restarts.
///
/// - **One file, many profiles.** The file is a versioned document,
///   `{"version":1,"current":…,"profiles":{…}}`, holding one session per [`ProfileKey`] (endpoint,
///   project and optional profile name), so one app can stay signed in to several projects or
///   accounts. `current` names the profile saved last.
/// - **Private.** On Unix the file is created with mode `0600`, and a missing folder with `0700`.
/// - **Trusts nothing it did not make** (Unix). The folder must belong to the user: one other
///   users can write to is made `0700` (with a `tracing` warning), one of another user's or a
///   shared one like `/tmp` is refused. The file and the lock file are opened without following
///   links and must be regular files of the user's: a link, a pipe or a device is an error at once,
///   never followed, waited on or read. A file other users can write, or another user's, is refused
///   and never restored into a session (a planted file cannot sign the user in to someone else's
///   account); one they can read is made `0600` with a warning. Refusals are
///   [`StoreError::Untrusted`], naming the path and the fix. On Windows there are no owners or
///   modes to compare: links and special files are refused, the folder's ACL is trusted (the
///   per-user data folder of [`for_app`](Self::for_app) is private to the user by default).
/// - **Bounded.** Reads stop at 1 MiB (a larger file is [`StoreError::TooLarge`]); an empty file
///   reads as a store without sessions. The lock is waited for 10 s at most
///   ([`lock_timeout`](Self::lock_timeout)), then [`StoreError::Busy`].
/// - **Atomic.** Every change writes a temporary file in the same folder, flushes it to disk and
///   renames it over the old one (then flushes the folder), so a crash leaves the old file or the
///   new one, never half of each. Temporary files a crash left behind (`.<file name>-*.tmp`, each
///   holding every credential) are removed, under the lock, by the next change.
/// - **Safe across processes.** Changes take an exclusive lock on a sidecar file, `<file>.lock`,
///   for the whole read-modify-write, so two processes signing in or out at once neither corrupt
///   the file nor lose each other's profiles. Reads take no lock: a rename is atomic.
/// - **Never destroys what it cannot read.** A corrupt file, or one from a newer version of this
///   crate, is a [`StoreError::Corrupt`] / [`StoreError::UnsupportedVersion`] naming the path; the
///   file is left untouched.
///
/// Every method does blocking file I/O; the client calls them through
/// `tokio::task::spawn_blocking` (except in the synchronous
/// [`ClientBuilder::build`](crate::ClientBuilder::build)).
///
/// The file holds session credentials in plain text: whoever can read it can act as the user until
/// the sessions end. Keep it out of backups and synced folders you do not trust.
///
/// ```no_run
/// use appwrite_client::{Client, FileStore};
///
/// let store = FileStore::for_app("my-app")?;        // e.g. ~/.local/share/my-app/sessions.json
/// let client = Client::builder()
///     .endpoint("https://appwrite.example.com/v1")
///     .project("my-project")
///     .session_store(store)
///     .build()?;                                     // reads the file: blocking
/// # let _ = client;
/// # Ok::<(), appwrite_client::Error>(())
/// ```
#[derive(Clone)]
pub struct FileStore {
    path: PathBuf,
    lock_timeout: Duration,
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("path", &self.path)
            .field("lock_timeout", &self.lock_timeout)
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct Document {
    version: u32,
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, ProfileEntry>,
    /// Fields a newer minor revision may add: kept as they are.
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

impl Document {
    fn empty() -> Self {
        Self {
            version: VERSION,
            current: None,
            profiles: BTreeMap::new(),
            other: serde_json::Map::new(),
        }
    }
}

impl FileStore {
    /// A store in the file at `path`, chosen by the app. Nothing is read or created until the
    /// first use; the folder is created (mode `0700`) on the first save.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// How long a change waits for another process to release the store's lock before it fails
    /// with [`StoreError::Busy`] (10 s unless set; zero tries once).
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// A store at the per-user default location for `app`: `sessions.json` in the platform's data
    /// folder for the app (`$XDG_DATA_HOME/<app>` or `~/.local/share/<app>` on Linux,
    /// `~/Library/Application Support/<app>` on macOS, `%APPDATA%\<app>\data` on Windows).
    ///
    /// The folder name is the one the `directories` crate makes of `app`: on Linux it drops every
    /// space and lower-cases the rest, so `"My App"`, `"my app"` and `"myapp"` share one folder
    /// (and so one store); on macOS spaces become `-`. Give each app a name of its own that does not
    /// differ from another's only in case or spaces.
    ///
    /// Fails when `app` is empty or holds a path separator, when the folder name made of it is
    /// not one plain name (`" .. "` becomes `..` on Linux, which would put the store outside the
    /// data folder), or when the platform has no home folder.
    pub fn for_app(app: &str) -> Result<Self, StoreError> {
        if app.trim().is_empty() {
            return Err(StoreError::InvalidAppName("it is empty"));
        }
        if app.contains(['/', '\\']) {
            return Err(StoreError::InvalidAppName(
                "it must be a plain name, not a path",
            ));
        }
        let dirs = directories::ProjectDirs::from("", "", app).ok_or(StoreError::NoDataDir)?;
        // Check the name that is used, after the crate's trimming: exactly one plain component.
        let mut used = dirs.project_path().components();
        if !matches!(
            (used.next(), used.next()),
            (Some(std::path::Component::Normal(_)), None)
        ) {
            return Err(StoreError::InvalidAppName(
                "the folder name made of it is not a plain name (such as `.` or `..`)",
            ));
        }
        Ok(Self::new(dirs.data_dir().join(FILE_NAME)))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The profiles that have a saved session, in a stable order.
    pub fn profiles(&self) -> Result<Vec<ProfileKey>, StoreError> {
        Ok(self
            .read_document()?
            .map(|doc| doc.profiles.values().map(ProfileEntry::key).collect())
            .unwrap_or_default())
    }

    /// The profile saved last (and not cleared since), if any.
    pub fn current(&self) -> Result<Option<ProfileKey>, StoreError> {
        let Some(doc) = self.read_document()? else {
            return Ok(None);
        };
        Ok(doc
            .current
            .as_ref()
            .and_then(|current| doc.profiles.get(current))
            .map(ProfileEntry::key))
    }

    fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        }
    }

    fn lock_path(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// The document in the file: `None` when there is no folder or file, an empty one for an
    /// empty file (a store nothing was saved in yet).
    fn read_document(&self) -> Result<Option<Document>, StoreError> {
        if !trust::check_dir(self.dir())? {
            return Ok(None);
        }
        match trust::read_store_file(&self.path)? {
            None => Ok(None),
            Some(bytes) if bytes.is_empty() => Ok(Some(Document::empty())),
            Some(bytes) => parse(&self.path, &bytes).map(Some),
        }
    }

    /// Runs `change` on the document under the cross-process lock and writes the result if it
    /// says something changed.
    fn update(&self, change: impl FnOnce(&mut Document) -> bool) -> Result<(), StoreError> {
        if !trust::check_dir(self.dir())? {
            self.create_dir()?;
        }
        let _lock = self.lock()?;
        self.remove_leftover_temp_files();
        let mut doc = self.read_document()?.unwrap_or_else(Document::empty);
        if change(&mut doc) {
            self.write(&doc)?;
        }
        Ok(())
    }

    fn create_dir(&self) -> Result<(), StoreError> {
        let dir = self.dir();
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|source| StoreError::Write {
            location: StoreLocation::file(dir),
            source,
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // The umask may have taken bits away, never added any; make the folder exactly 0700.
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|source| {
                StoreError::Write {
                    location: StoreLocation::file(dir),
                    source,
                }
            })?;
        }
        // Someone else may have made it first: check it as any folder found.
        trust::check_dir(dir).map(drop)
    }

    /// Takes the exclusive lock on `<file>.lock`; it is released when the returned file is closed.
    fn lock(&self) -> Result<File, StoreError> {
        let path = self.lock_path();
        let file = trust::open_lock_file(&path)?;
        lock_within(&file, &path, self.lock_timeout)?;
        Ok(file)
    }

    /// The start of a temporary file's name: `.<file name>-`.
    fn temp_prefix(&self) -> OsString {
        let mut prefix = OsString::from(".");
        prefix.push(
            self.path
                .file_name()
                .unwrap_or_else(|| OsStr::new(FILE_NAME)),
        );
        prefix.push("-");
        prefix
    }

    /// Removes the temporary files an interrupted save left (each holds every credential). Called
    /// under the lock, so none of them is a save in progress. Failing to remove one is logged,
    /// not fatal: the save itself does not depend on it.
    fn remove_leftover_temp_files(&self) {
        let prefix = self.temp_prefix();
        let Ok(entries) = fs::read_dir(self.dir()) else {
            return;
        };
        for entry in entries.flatten() {
            if !is_temp_file_name(&entry.file_name(), &prefix) {
                continue;
            }
            let path = entry.path();
            match fs::remove_file(&path) {
                Ok(()) => tracing::info!(
                    path = %path.display(),
                    "removed a temporary file an interrupted save of the session store left"
                ),
                Err(error) => tracing::warn!(
                    path = %path.display(),
                    %error,
                    "could not remove a temporary file an interrupted save of the session store left"
                ),
            }
        }
    }

    /// Writes `doc` atomically: temporary file (0600) in the same folder, flush, rename, flush
    /// the folder.
    fn write(&self, doc: &Document) -> Result<(), StoreError> {
        let write_error = |source| StoreError::Write {
            location: StoreLocation::file(&self.path),
            source,
        };
        let mut json = serde_json::to_vec_pretty(doc)
            .map_err(|e| write_error(io::Error::new(io::ErrorKind::InvalidData, e)))?;
        json.push(b'\n');
        if json.len() as u64 > MAX_FILE_SIZE {
            // Never write a file that could not be read back.
            return Err(write_error(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the sessions would take more than {MAX_FILE_SIZE} bytes"),
            )));
        }
        let dir = self.dir();
        let prefix = self.temp_prefix();
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(&prefix)
            .suffix(".tmp")
            .rand_bytes(TEMP_RANDOM_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(fs::Permissions::from_mode(0o600));
        }
        let mut temp = builder.tempfile_in(dir).map_err(write_error)?;
        temp.write_all(&json).map_err(write_error)?;
        temp.as_file().sync_all().map_err(write_error)?;
        temp.persist(&self.path).map_err(|e| write_error(e.error))?;
        sync_dir(dir).map_err(write_error)
    }
}

/// Whether `name` is `<prefix>` + the random part + `.tmp`, as [`FileStore::write`] names its
/// temporary files; exact, so another store's files in the same folder (`sessions.json-2`'s,
/// say) never match.
fn is_temp_file_name(name: &OsStr, prefix: &OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.strip_prefix(prefix.as_encoded_bytes())
        .and_then(|rest| rest.strip_suffix(b".tmp"))
        .is_some_and(|random| {
            random.len() == TEMP_RANDOM_LEN && random.iter().all(u8::is_ascii_alphanumeric)
        })
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
#[allow(clippy::unnecessary_wraps)] // a folder cannot be opened for syncing here
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Document, StoreError> {
    parse_versioned(bytes, VERSION, &|| StoreLocation::file(path))
}

impl SessionStore for FileStore {
    fn load(&self, key: &ProfileKey) -> Result<Option<StoredSession>, StoreError> {
        let Some(mut doc) = self.read_document()? else {
            return Ok(None);
        };
        // The fields must match too, not only the map key: a credential never goes to another
        // endpoint, project or profile.
        doc.profiles
            .remove(&key.as_string())
            .map(|entry| entry.into_session_for(key, || StoreLocation::file(&self.path)))
            .transpose()
    }

    fn save(&self, key: &ProfileKey, session: &StoredSession) -> Result<(), StoreError> {
        self.update(|doc| {
            let name = key.as_string();
            doc.profiles
                .insert(name.clone(), ProfileEntry::new(key, session));
            doc.current = Some(name);
            true
        })
    }

    fn clear(&self, key: &ProfileKey) -> Result<(), StoreError> {
        if self.read_document()?.is_none() {
            return Ok(()); // nothing saved: no folder, file or lock to make
        }
        self.update(|doc| {
            let name = key.as_string();
            let removed = doc.profiles.remove(&name).is_some();
            if doc.current.as_deref() == Some(name.as_str()) {
                doc.current = None;
                return true;
            }
            removed
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_key_string_is_unambiguous_for_valid_names() {
        let a = ProfileKey::new("https://x.example/v1/", "demo", None);
        let b = ProfileKey::new("https://x.example/v1", "demo", Some("work".into()));
        assert_eq!(a.as_string(), "https://x.example/v1#demo");
        assert_eq!(b.as_string(), "https://x.example/v1#demo#work");
    }
}
