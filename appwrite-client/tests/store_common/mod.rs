//! Helpers for the `FileStore` tests on a real file system: the profile key, a client built on a
//! store, captured `tracing` output, and a second real user (uid 65534) to plant files.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use appwrite_client::{Client, FileStore, ProfileKey, StoreError};

pub const ENDPOINT: &str = "https://appwrite.example.com/v1";

pub fn key(project: &str) -> ProfileKey {
    ProfileKey::new(ENDPOINT, project, None)
}

/// Builds a client for [`ENDPOINT`] and `project` on `store`, as an app does at start-up.
pub fn build(project: &str, store: FileStore) -> appwrite_client::Result<Client> {
    Client::builder()
        .endpoint(ENDPOINT)
        .project(project)
        .session_store(store)
        .build()
}

/// The store error inside a client error.
pub fn store_error(error: &appwrite_client::Error) -> &StoreError {
    match error {
        appwrite_client::Error::SessionStore(inner) => inner,
        other => panic!("expected a session store error, got {other:?}"),
    }
}

/// Asserts `error` is [`StoreError::Untrusted`] naming `path`, and its message holds `says`.
pub fn assert_untrusted(error: &StoreError, path: &Path, says: &str) {
    assert!(
        matches!(error, StoreError::Untrusted { location, .. } if location.path() == Some(path)),
        "expected Untrusted for {}, got {error:?}",
        path.display()
    );
    let message = error.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "the message names the path: {message}"
    );
    assert!(message.contains(says), "expected {says:?} in: {message}");
}

/// The file names in `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// What `tracing` printed while `run` ran (INFO and above).
pub fn with_logs<T>(run: impl FnOnce() -> T) -> (T, String) {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, run);
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    (out, text)
}

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(unix)]
#[allow(unused_imports)] // not every test file uses them
pub use unix::*;

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::PermissionsExt as _;
    use std::os::unix::process::CommandExt as _;
    use std::path::Path;
    use std::process::Command;

    use super::PathBuf;

    /// The second user: `nobody` on most systems.
    pub const OTHER_UID: u32 = 65534;
    pub const OTHER_GID: u32 = 65534;

    pub fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    }

    pub fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    pub fn is_root() -> bool {
        rustix::process::geteuid().is_root()
    }

    /// Whether this process can play a second user; when it cannot, says so on stderr, so the
    /// skipped case is visible rather than a silent pass.
    pub fn can_act_as_other_user(test: &str) -> bool {
        if is_root() {
            return true;
        }
        eprintln!(
            "note: {test}: SKIPPED, it needs root to act as a second user (uid {OTHER_UID}); the CI runs it as root"
        );
        false
    }

    /// Runs `script` in `/bin/sh` as uid/gid 65534, with `args` as `$1`, `$2`, …; it must succeed.
    pub fn as_other_user(script: &str, args: &[&std::ffi::OsStr]) {
        let output = Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .args(args)
            .uid(OTHER_UID)
            .gid(OTHER_GID)
            .env_clear()
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "as uid {OTHER_UID}: {script}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// A scratch folder of this user's that others may enter (`0755`), so the second user can
    /// reach a folder inside it that was left open to them.
    pub fn playground() -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        set_mode(root.path(), 0o755);
        let path = root.path().to_owned();
        (root, path)
    }
}
