//! What a session store reports when it fails: [`StoreError`], naming the place it is about with a
//! [`StoreLocation`] (a file, an OS keyring entry, or a place in a store of your own), so every
//! store reports the same cases with the same variants.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use appwrite_transport::BoxError;

use super::ProfileKey;

/// The place a [`StoreError`] is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreLocation {
    /// A file or folder ([`FileStore`](crate::FileStore)).
    File(PathBuf),
    /// An entry in the OS credential store (`KeyringStore`): the service (the app's name) and the
    /// user (account) name it is kept under.
    Keyring {
        /// The service name.
        service: String,
        /// The user (account) name: the profile's key.
        user: String,
    },
    /// A place in a store of your own, named as that store names it.
    Custom(String),
}

impl StoreLocation {
    /// The path, when the location is a file or folder.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::File(path) => Some(path),
            Self::Keyring { .. } | Self::Custom(_) => None,
        }
    }

    pub(crate) fn file(path: &Path) -> Self {
        Self::File(path.to_owned())
    }
}

impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            // Debug quoting: a name with control characters cannot drive a terminal.
            Self::Keyring { service, user } => {
                write!(f, "the OS keyring entry {user:?} of service {service:?}")
            }
            Self::Custom(name) => write!(f, "{name:?}"),
        }
    }
}

/// A session store failed. Messages name the place ([`StoreLocation`]), never its content.
///
/// Every store reports the same case with the same variant: a corrupt file and a corrupt keyring
/// entry are both [`StoreError::Corrupt`]; [`location`](Self::location) says where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store (a file or its folder) could not be read.
    #[error("could not read {location}")]
    Read {
        /// Where.
        location: StoreLocation,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The store (a file, its folder or lock file) could not be written.
    #[error("could not write {location}")]
    Write {
        /// Where.
        location: StoreLocation,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The cross-process lock on the store could not be taken.
    #[error("could not lock {location}")]
    Lock {
        /// The lock (a [`FileStore`](crate::FileStore)'s lock file).
        location: StoreLocation,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Another process held the store's lock for longer than the
    /// [lock timeout](crate::FileStore::lock_timeout) (10 s unless set): nothing was changed. Close
    /// the other instance of the app, or try again.
    #[error(
        "another process holds the session store (its lock {location} was not released within {waited:?}): nothing was changed; close the other instance or try again"
    )]
    Busy {
        /// The lock.
        location: StoreLocation,
        /// How long the store waited.
        waited: Duration,
    },
    /// The store's folder, file or lock file is not one this user can trust: another user's, one
    /// other users can write to, a symbolic link, a pipe or a device. Nothing in it was used, and it
    /// was left as it is; the message says what to do.
    #[error("{location} {reason}")]
    Untrusted {
        /// The folder or file.
        location: StoreLocation,
        /// What is wrong with it and how to fix it.
        reason: String,
    },
    /// The store is larger than a session store ever is (1 MiB): it was not read, and was left as
    /// it is. (A change that would make it that large fails with [`StoreError::Write`].)
    #[error(
        "{location} is larger than a session store may be ({limit} bytes); it was left untouched: remove it"
    )]
    TooLarge {
        /// Where.
        location: StoreLocation,
        /// The size limit in bytes.
        limit: u64,
    },
    /// What is kept is not a session store this program can read. It is left as it is: remove it
    /// (the user will have to sign in again) or restore it from a backup.
    #[error("{location} is corrupt ({detail}); it was left untouched: fix or remove it")]
    Corrupt {
        /// Where.
        location: StoreLocation,
        /// What is wrong, without quoting the content.
        detail: String,
    },
    /// What is kept was written by a newer program in a format this one does not understand. It is
    /// left as it is.
    #[error(
        "{location} has format version {found}, newer than the supported version {supported}; it was left untouched: upgrade this program"
    )]
    UnsupportedVersion {
        /// Where.
        location: StoreLocation,
        /// The version found.
        found: u64,
        /// The newest version this crate reads.
        supported: u32,
    },
    /// The entry found for a profile says it holds another profile's session (another endpoint,
    /// project or profile name). It was not used, and was left as it is; signing in again
    /// replaces it.
    #[error(
        "{location} holds the session of {found:?}, not of the profile asked for; it was not used and was left untouched: sign in again to replace it"
    )]
    Mismatch {
        /// Where.
        location: StoreLocation,
        /// The profile the entry says it belongs to (boxed: errors stay small).
        found: Box<ProfileKey>,
    },
    /// The store could not be reached, so nothing was read or kept: on Linux, no Secret Service
    /// (GNOME Keyring, `KWallet`) answers on the user's D-Bus session bus, or the keyring is locked.
    #[error("{location} could not be reached: {detail}")]
    Unavailable {
        /// Where.
        location: StoreLocation,
        /// What the platform said, and what to do.
        detail: String,
    },
    /// The store took the session but does not keep it where it can be found again (a fresh
    /// lookup did not give it back). The save failed, and what it may have left was removed.
    #[error(
        "the session store did not keep {location} ({detail}): the session was not saved, and the user would have to sign in again on the next run"
    )]
    Refused {
        /// Where.
        location: StoreLocation,
        /// What went wrong.
        detail: String,
    },
    /// The platform has no per-user data folder (no home directory), so
    /// [`FileStore::for_app`](crate::FileStore::for_app) cannot pick a path.
    #[error("no per-user data folder was found for this platform; give the session store a path")]
    NoDataDir,
    /// An app name that cannot be used as a folder name.
    #[error("invalid app name for the session store: {0}")]
    InvalidAppName(&'static str),
    /// The blocking task running a store operation failed (panicked or was cancelled).
    #[error("the session store task did not finish")]
    Task(#[source] BoxError),
    /// A failure inside a custom [`SessionStore`](super::SessionStore) that no other variant fits.
    #[error("the session store failed")]
    Other(#[source] BoxError),
}

impl StoreError {
    /// The place the error is about, when it is about one.
    pub fn location(&self) -> Option<&StoreLocation> {
        match self {
            Self::Read { location, .. }
            | Self::Write { location, .. }
            | Self::Lock { location, .. }
            | Self::Busy { location, .. }
            | Self::Untrusted { location, .. }
            | Self::TooLarge { location, .. }
            | Self::Corrupt { location, .. }
            | Self::UnsupportedVersion { location, .. }
            | Self::Mismatch { location, .. }
            | Self::Unavailable { location, .. }
            | Self::Refused { location, .. } => Some(location),
            Self::NoDataDir | Self::InvalidAppName(_) | Self::Task(_) | Self::Other(_) => None,
        }
    }
}
