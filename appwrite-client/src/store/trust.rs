//! What [`FileStore`](crate::FileStore) checks before it uses a path it did not make: the folder
//! is the user's and private, the store file and the lock file are the user's regular files
//! (never a link followed, never a pipe or a device opened for reading), and reads are capped.
//!
//! On Unix every check applies. Elsewhere (Windows) there are no owners or modes to compare:
//! links are refused and only regular files are used; the folder's ACL is trusted as it is.

use std::fs::{self, File, Metadata};
use std::io::{self, Read as _};
use std::path::Path;

use super::{StoreError, StoreLocation};

/// The largest store file read or written: a document of a few sessions is a few kilobytes.
pub(crate) const MAX_FILE_SIZE: u64 = 1024 * 1024;

fn untrusted(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Untrusted {
        location: StoreLocation::file(path),
        reason: reason.into(),
    }
}

/// Checks the store's folder: `Ok(false)` when it does not exist yet. A folder of the user's that
/// other users can write to is made private (`0700`) with a warning; a folder of another user's,
/// or a shared one (sticky, like `/tmp`), is refused.
pub(crate) fn check_dir(dir: &Path) -> Result<bool, StoreError> {
    let meta = match fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(StoreError::Read {
                location: StoreLocation::file(dir),
                source,
            });
        }
    };
    if !meta.is_dir() {
        return Err(untrusted(
            dir,
            "is not a folder: give the session store a path inside a folder",
        ));
    }
    platform::check_dir(dir, &meta)?;
    Ok(true)
}

/// The store file's bytes, or `None` when there is no file. The file is opened without
/// following a link and must be a regular file of the user's; other users must not be able to
/// write it. One readable by others is made `0600` with a warning.
pub(crate) fn read_store_file(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    let read_error = |source| StoreError::Read {
        location: StoreLocation::file(path),
        source,
    };
    // Look before opening: a pipe or a device is never opened (opening one can block or have
    // effects), a link is named as such.
    match fs::symlink_metadata(path) {
        Ok(meta) => check_kind(path, &meta)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(read_error(source)),
    }
    let file = match platform::open(path, false) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(explain_open_error(path, source, read_error)),
    };
    // Check what was opened, not only what was looked at: the path may have been swapped since.
    let meta = file.metadata().map_err(read_error)?;
    check_kind(path, &meta)?;
    platform::check_store_file(path, &file, &meta)?;
    if meta.len() > MAX_FILE_SIZE {
        return Err(too_large(path));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large(path)); // it grew while being read
    }
    Ok(Some(bytes))
}

/// Opens (creating it, mode `0600`) the lock file: never through a link, and it must be a
/// regular file of the user's.
pub(crate) fn open_lock_file(path: &Path) -> Result<File, StoreError> {
    let lock_error = |source| StoreError::Lock {
        location: StoreLocation::file(path),
        source,
    };
    match fs::symlink_metadata(path) {
        Ok(meta) => check_kind(path, &meta)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => return Err(lock_error(source)),
    }
    let file = platform::open(path, true).map_err(|e| explain_open_error(path, e, lock_error))?;
    let meta = file.metadata().map_err(lock_error)?;
    check_kind(path, &meta)?;
    platform::check_owner(path, &meta)?;
    Ok(file)
}

pub(crate) fn too_large(path: &Path) -> StoreError {
    StoreError::TooLarge {
        location: StoreLocation::file(path),
        limit: MAX_FILE_SIZE,
    }
}

/// An open that failed because the path became a link or a special file is reported as that.
fn explain_open_error(
    path: &Path,
    error: io::Error,
    otherwise: impl FnOnce(io::Error) -> StoreError,
) -> StoreError {
    match fs::symlink_metadata(path) {
        Ok(meta) => match check_kind(path, &meta) {
            Err(untrusted) => untrusted,
            Ok(()) => otherwise(error),
        },
        Err(_) => otherwise(error),
    }
}

/// Refuses anything but a regular file, saying what it is.
fn check_kind(path: &Path, meta: &Metadata) -> Result<(), StoreError> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let reason = if kind.is_symlink() {
        "is a symbolic link, and the session store never follows links: replace it with the file itself, or give the store the file's real path"
    } else if kind.is_dir() {
        "is a folder, not a file: give the session store the path of a file"
    } else {
        platform::special_file(kind)
    };
    Err(untrusted(path, reason))
}

#[cfg(unix)]
mod platform {
    use std::fs::{self, File, FileType, Metadata};
    use std::io;
    use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
    use std::path::Path;

    use rustix::fs::{Mode, OFlags};

    use super::{StoreError, untrusted};

    /// The fix for a folder that cannot be trusted.
    const PRIVATE_FOLDER: &str = "keep the session store in a private folder of your own, such as the one FileStore::for_app picks";

    /// Group and others may write.
    const WRITABLE_BY_OTHERS: u32 = 0o022;
    /// Group and others may do anything at all.
    const OPEN_TO_OTHERS: u32 = 0o077;
    const STICKY: u32 = 0o1000;

    /// Opens `path` without following a link at its end, and without blocking on a pipe.
    pub(super) fn open(path: &Path, create: bool) -> io::Result<File> {
        let mut flags = OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        flags |= if create {
            OFlags::RDWR | OFlags::CREATE
        } else {
            OFlags::RDONLY
        };
        let fd = rustix::fs::open(path, flags, Mode::RUSR | Mode::WUSR)?;
        Ok(File::from(fd))
    }

    pub(super) fn special_file(kind: FileType) -> &'static str {
        if kind.is_fifo() {
            "is a named pipe, not a file: remove it"
        } else if kind.is_char_device() || kind.is_block_device() {
            "is a device, not a file: give the session store the path of a file"
        } else if kind.is_socket() {
            "is a socket, not a file: remove it"
        } else {
            "is not a regular file: remove it"
        }
    }

    fn current_uid() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    /// Refuses a file or folder another user owns.
    pub(super) fn check_owner(path: &Path, meta: &Metadata) -> Result<(), StoreError> {
        let (owner, me) = (meta.uid(), current_uid());
        if owner == me {
            return Ok(());
        }
        let fix = if meta.is_dir() {
            PRIVATE_FOLDER
        } else {
            "it may have been planted, so nothing in it is used: remove it (and sign in again)"
        };
        Err(untrusted(
            path,
            format!("belongs to another user (uid {owner}, this process runs as uid {me}): {fix}"),
        ))
    }

    pub(super) fn check_dir(dir: &Path, meta: &Metadata) -> Result<(), StoreError> {
        check_owner(dir, meta)?;
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
        // Other users could have swapped the store file or planted a link: make it private now,
        // and the file checks catch anything they left.
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| {
            untrusted(
                dir,
                format!(
                    "can be written by other users and could not be made private ({e}): run `chmod 700` on it"
                ),
            )
        })?;
        tracing::warn!(
            path = %dir.display(),
            mode = format_args!("{:o}", mode & 0o7777),
            "the session store's folder was writable by other users; it was made private (0700)"
        );
        Ok(())
    }

    /// The opened store file: the user's, not writable by others (its sessions could be anyone's),
    /// and made private if others can read it.
    pub(super) fn check_store_file(
        path: &Path,
        file: &File,
        meta: &Metadata,
    ) -> Result<(), StoreError> {
        check_owner(path, meta)?;
        let mode = meta.permissions().mode();
        if mode & WRITABLE_BY_OTHERS != 0 {
            return Err(untrusted(
                path,
                "can be written by other users, so its sessions cannot be trusted: remove it (and sign in again)",
            ));
        }
        if mode & OPEN_TO_OTHERS != 0 {
            let mode = format_args!("{:o}", mode & 0o7777);
            match file.set_permissions(fs::Permissions::from_mode(0o600)) {
                Ok(()) => tracing::warn!(
                    path = %path.display(),
                    mode,
                    "the session store was readable by other users, who may have copied its sessions; it was made private (0600)"
                ),
                Err(error) => tracing::warn!(
                    path = %path.display(),
                    mode,
                    %error,
                    "the session store is readable by other users, who may have copied its sessions, and could not be made private: run `chmod 600` on it"
                ),
            }
        }
        Ok(())
    }
}

#[cfg(not(unix))]
mod platform {
    use std::fs::{File, FileType, Metadata, OpenOptions};
    use std::io;
    use std::path::Path;

    use super::StoreError;

    /// A plain open: the look before it refuses links (symbolic links and junctions alike).
    pub(super) fn open(path: &Path, create: bool) -> io::Result<File> {
        let mut options = OpenOptions::new();
        options.read(true);
        if create {
            options.write(true).create(true).truncate(false);
        }
        options.open(path)
    }

    pub(super) fn special_file(_kind: FileType) -> &'static str {
        "is not a regular file: remove it"
    }

    #[allow(clippy::unnecessary_wraps)] // no owners to compare here
    pub(super) fn check_owner(_path: &Path, _meta: &Metadata) -> Result<(), StoreError> {
        Ok(())
    }

    #[allow(clippy::unnecessary_wraps)] // the folder's ACL is trusted as it is
    pub(super) fn check_dir(_dir: &Path, _meta: &Metadata) -> Result<(), StoreError> {
        Ok(())
    }

    #[allow(clippy::unnecessary_wraps)] // no modes to check here
    pub(super) fn check_store_file(
        _path: &Path,
        _file: &File,
        _meta: &Metadata,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}
