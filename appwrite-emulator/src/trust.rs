//! What `--state FILE` checks before it loads a file: the same checks as appwrite-client's
//! `FileStore` (appwrite-client/src/store/trust.rs). A state file signs its users' sessions in,
//! so one another user could have written (or swapped) is refused, with the fix in the message:
//! the folder must be ours and not writable by others, the file a regular file of ours (never a
//! link followed) that others cannot write.
//!
//! On Unix every check applies. Elsewhere there are no owners or modes to compare: links are
//! refused and only regular files are used.

use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};

/// Why a state file is not used.
#[derive(Debug, thiserror::Error)]
#[error("{path} {reason}")]
pub(crate) struct Untrusted {
    path: PathBuf,
    reason: String,
}

fn untrusted(path: &Path, reason: impl Into<String>) -> Untrusted {
    Untrusted {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// The fix for a folder that cannot be trusted.
const PRIVATE_FOLDER: &str = "keep the state file in a private folder of your own (mkdir -m 700 ~/.appwrite-emulator, then --state ~/.appwrite-emulator/state.json)";

/// Checks `path`'s folder, and the file when it exists. `Ok(())` for a missing file in a trusted
/// folder (a fresh start).
pub(crate) fn check_state_path(path: &Path) -> Result<(), Untrusted> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => platform::check_dir(dir, &meta)?,
        Ok(_) => return Err(untrusted(dir, "is not a folder")),
        // Reading or saving reports a missing or unreadable folder with the OS's words.
        Err(_) => return Ok(()),
    }
    match fs::symlink_metadata(path) {
        Ok(meta) => check_file(path, &meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(_) => Ok(()),
    }
}

/// A regular file of ours that others cannot write.
fn check_file(path: &Path, meta: &Metadata) -> Result<(), Untrusted> {
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(untrusted(
            path,
            "is a symbolic link, and the emulator never follows one to a state file: give --state the file's real path",
        ));
    }
    if !kind.is_file() {
        return Err(untrusted(
            path,
            "is not a regular file: give --state the path of a file",
        ));
    }
    platform::check_file(path, meta)
}

#[cfg(unix)]
mod platform {
    use std::fs::Metadata;
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    use std::path::Path;

    use super::{PRIVATE_FOLDER, Untrusted, untrusted};

    /// Group and others may write.
    const WRITABLE_BY_OTHERS: u32 = 0o022;
    const STICKY: u32 = 0o1000;

    fn check_owner(path: &Path, meta: &Metadata, fix: &str) -> Result<(), Untrusted> {
        let (owner, me) = (meta.uid(), rustix::process::geteuid().as_raw());
        if owner == me {
            return Ok(());
        }
        Err(untrusted(
            path,
            format!("belongs to another user (uid {owner}, the emulator runs as uid {me}): {fix}"),
        ))
    }

    pub(super) fn check_dir(dir: &Path, meta: &Metadata) -> Result<(), Untrusted> {
        check_owner(dir, meta, PRIVATE_FOLDER)?;
        let mode = meta.permissions().mode();
        if mode & WRITABLE_BY_OTHERS == 0 {
            return Ok(());
        }
        if mode & STICKY != 0 {
            return Err(untrusted(
                dir,
                format!("is a shared folder other users can write to: {PRIVATE_FOLDER}"),
            ));
        }
        Err(untrusted(
            dir,
            format!(
                "can be written by other users, who could swap the state file: run `chmod go-w` on it, or {PRIVATE_FOLDER}"
            ),
        ))
    }

    pub(super) fn check_file(path: &Path, meta: &Metadata) -> Result<(), Untrusted> {
        check_owner(
            path,
            meta,
            "it may have been planted to sign its users in, so it is not loaded: remove it, or start without --state",
        )?;
        if meta.permissions().mode() & WRITABLE_BY_OTHERS != 0 {
            return Err(untrusted(
                path,
                "can be written by other users, so its sessions cannot be trusted: run `chmod go-w` on it if you wrote it, else remove it",
            ));
        }
        Ok(())
    }
}

#[cfg(not(unix))]
mod platform {
    use std::fs::Metadata;
    use std::path::Path;

    use super::Untrusted;

    #[allow(clippy::unnecessary_wraps)] // the folder's ACL is trusted as it is
    pub(super) fn check_dir(_dir: &Path, _meta: &Metadata) -> Result<(), Untrusted> {
        Ok(())
    }

    #[allow(clippy::unnecessary_wraps)] // no owners or modes to compare here
    pub(super) fn check_file(_path: &Path, _meta: &Metadata) -> Result<(), Untrusted> {
        Ok(())
    }
}
