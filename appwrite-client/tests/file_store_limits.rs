//! `FileStore` bounds: reads capped at 1 MiB, an empty file, leftover temporary files, a bounded
//! lock wait, and a start-up that cannot clear an expired session.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod store_common;

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::time::Duration;

use appwrite_client::{
    Datetime, FileStore, SessionCredential, SessionStore, SignOutReason, StoreError, StoredSession,
};
use common::{PROJECT, USER, credential, days_ago, in_days, stored};
use store_common::*;

const MIB: u64 = 1024 * 1024;

/// A valid, empty document padded with spaces to exactly `len` bytes.
fn padded_document(len: u64) -> Vec<u8> {
    let mut bytes = br#"{"version":1}"#.to_vec();
    bytes.resize(usize::try_from(len).unwrap(), b' ');
    bytes
}

fn save_one(store: &FileStore) -> Result<(), StoreError> {
    store.save(&key(PROJECT), &stored(&credential(), in_days(300)))
}

fn assert_too_large(error: &StoreError, file: &Path) {
    assert!(
        matches!(error, StoreError::TooLarge { location, limit: MIB } if location.path() == Some(file)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains(&file.display().to_string()),
        "{error}"
    );
}

#[test]
fn a_file_over_1_mib_is_an_error_naming_it_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let store = FileStore::new(&file);

    // Exactly at the limit is still read.
    std::fs::write(&file, padded_document(MIB)).unwrap();
    assert!(store.load(&key(PROJECT)).unwrap().is_none());

    let too_big = padded_document(MIB + 1);
    std::fs::write(&file, &too_big).unwrap();
    assert_too_large(&store.load(&key(PROJECT)).unwrap_err(), &file);
    assert_too_large(&save_one(&store).unwrap_err(), &file);
    let error = build(PROJECT, FileStore::new(&file)).unwrap_err();
    assert_too_large(store_error(&error), &file);
    assert_eq!(std::fs::read(&file).unwrap(), too_big, "never overwritten");

    // A huge (sparse) file is refused without reading or allocating it.
    File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_len(64 * 1024 * MIB)
        .unwrap();
    assert_too_large(&store.load(&key(PROJECT)).unwrap_err(), &file);
}

#[test]
fn a_change_that_would_pass_1_mib_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let store = FileStore::new(&file);
    save_one(&store).unwrap();
    let before = std::fs::read(&file).unwrap();

    let huge = StoredSession::new(
        SessionCredential::new(credential()),
        USER,
        "session",
        Datetime::from(in_days(300)),
        "x".repeat(usize::try_from(MIB).unwrap()),
    );
    let error = store.save(&key("other"), &huge).unwrap_err();
    assert!(matches!(error, StoreError::Write { .. }), "{error:?}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert!(store.load(&key(PROJECT)).unwrap().is_some());
}

#[test]
fn an_empty_file_reads_as_a_store_without_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    File::create(&file).unwrap();
    let store = FileStore::new(&file);

    assert!(store.load(&key(PROJECT)).unwrap().is_none());
    assert!(store.profiles().unwrap().is_empty());
    assert_eq!(store.current().unwrap(), None);
    store.clear(&key(PROJECT)).unwrap();
    let client = build(PROJECT, FileStore::new(&file)).unwrap();
    assert_eq!(
        client.auth_state().borrow().sign_out_reason(),
        Some(SignOutReason::NoSession)
    );

    save_one(&store).unwrap();
    assert_eq!(
        store
            .load(&key(PROJECT))
            .unwrap()
            .unwrap()
            .credential
            .expose_secret(),
        credential()
    );
}

#[test]
fn an_expired_session_the_store_cannot_clear_is_logged_and_the_client_builds_signed_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    FileStore::new(&file)
        .save(&key(PROJECT), &stored(&credential(), days_ago(1)))
        .unwrap();
    // The lock file cannot be opened any more, so every change fails while reads still work: a
    // folder a program may read but not change. (A folder without write permission does the
    // same for a user other than root.)
    let lock = dir.path().join("sessions.json.lock");
    std::fs::remove_file(&lock).unwrap();
    std::fs::create_dir(&lock).unwrap();
    let before = std::fs::read(&file).unwrap();
    assert!(
        FileStore::new(&file).clear(&key(PROJECT)).is_err(),
        "the store cannot change"
    );

    let (client, logs) = with_logs(|| build(PROJECT, FileStore::new(&file)));
    let client = client.unwrap();
    assert_eq!(
        client.auth_state().borrow().sign_out_reason(),
        Some(SignOutReason::Expired)
    );
    assert!(
        logs.contains("could not clear the expired session"),
        "{logs}"
    );
    assert!(!logs.contains(&credential()), "{logs}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn an_expired_session_on_a_folder_without_write_permission_still_builds_signed_out() {
    if is_root() {
        eprintln!(
            "note: an_expired_session_on_a_folder_without_write_permission_still_builds_signed_out: SKIPPED, root writes anyway (the lock-file case above runs as root)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("app");
    let file = folder.join("sessions.json");
    FileStore::new(&file)
        .save(&key(PROJECT), &stored(&credential(), days_ago(1)))
        .unwrap();
    std::fs::remove_file(folder.join("sessions.json.lock")).unwrap();
    set_mode(&folder, 0o500);

    let client = build(PROJECT, FileStore::new(&file));
    set_mode(&folder, 0o700);
    assert_eq!(
        client.unwrap().auth_state().borrow().sign_out_reason(),
        Some(SignOutReason::Expired)
    );
}

#[test]
fn temporary_files_a_crash_left_are_removed_by_the_next_save() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let store = FileStore::new(&file);
    save_one(&store).unwrap();
    // Left by saves killed before their rename; each holds every credential.
    let leftovers = [".sessions.json-a1B2c3.tmp", ".sessions.json-ZZZZZZ.tmp"];
    for name in leftovers {
        std::fs::write(dir.path().join(name), credential()).unwrap();
    }
    // Not this store's: another store's temporary file, and files that only look alike.
    let others = [
        ".sessions.json-2-a1B2c3.tmp",
        ".sessions.json-a1B2c.tmp",
        ".sessions.json-notes.txt",
        "sessions.json-a1B2c3.tmp",
    ];
    for name in others {
        std::fs::write(dir.path().join(name), "keep").unwrap();
    }

    let (saved, logs) = with_logs(|| save_one(&store));
    saved.unwrap();
    let mut expected: Vec<String> = others.iter().map(|&n| n.to_owned()).collect();
    expected.extend(["sessions.json".to_owned(), "sessions.json.lock".to_owned()]);
    expected.sort();
    assert_eq!(names_in(dir.path()), expected);
    assert!(logs.contains("removed a temporary file"), "{logs}");
}

/// Holds the store's lock as another process would (a second open file, its own lock).
fn hold_lock(file: &Path) -> File {
    let mut name = file.as_os_str().to_owned();
    name.push(".lock");
    let lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&name)
        .unwrap();
    assert!(fs4::fs_std::FileExt::try_lock_exclusive(&lock).unwrap());
    lock
}

fn assert_busy(error: &StoreError, file: &Path, waited: Duration) {
    let mut lock = file.as_os_str().to_owned();
    lock.push(".lock");
    assert!(
        matches!(error, StoreError::Busy { location, waited: w } if location.path() == Some(Path::new(&lock)) && *w == waited),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("another process holds the session store"),
        "{error}"
    );
}

#[test]
fn a_held_lock_is_a_busy_error_after_the_set_wait_never_an_endless_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let held = hold_lock(&file);

    let wait = Duration::from_millis(300);
    let store = FileStore::new(&file).lock_timeout(wait);
    assert_busy(&save_one(&store).unwrap_err(), &file, wait);
    let once = FileStore::new(&file).lock_timeout(Duration::ZERO);
    assert_busy(&save_one(&once).unwrap_err(), &file, Duration::ZERO);
    assert!(!file.exists(), "nothing written");
    // Reads take no lock.
    assert!(store.load(&key(PROJECT)).unwrap().is_none());

    drop(held);
    save_one(&store).unwrap();
    assert!(store.load(&key(PROJECT)).unwrap().is_some());
}

#[test]
fn the_default_lock_wait_is_ten_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let _held = hold_lock(&file);
    let store = FileStore::new(&file);
    assert!(
        format!("{store:?}").contains("lock_timeout: 10s"),
        "{store:?}"
    );
    assert_busy(
        &save_one(&store).unwrap_err(),
        &file,
        Duration::from_secs(10),
    );
}
