//! The cross-process lock around a [`FileStore`](crate::FileStore) change, taken with a bounded
//! wait: a process that holds it forever (suspended, hung) must not hang every other one.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use super::{StoreError, StoreLocation};

/// How long [`FileStore`](crate::FileStore) waits for the lock unless told otherwise.
pub(crate) const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest pause between two tries: short enough to notice a release soon.
const MAX_PAUSE: Duration = Duration::from_millis(10);

/// Takes the exclusive lock on `file` (the lock file at `path`), trying until `timeout` has
/// passed; then [`StoreError::Busy`]. The lock is released when `file` is closed.
pub(crate) fn lock_within(file: &File, path: &Path, timeout: Duration) -> Result<(), StoreError> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match fs4::fs_std::FileExt::try_lock_exclusive(file) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(source) => {
                return Err(StoreError::Lock {
                    location: StoreLocation::file(path),
                    source,
                });
            }
        }
        let waited = start.elapsed();
        let Some(left) = timeout.checked_sub(waited).filter(|left| !left.is_zero()) else {
            return Err(StoreError::Busy {
                location: StoreLocation::file(path),
                waited: timeout,
            });
        };
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(MAX_PAUSE);
    }
}
