//! `FileStore` trusts nothing it did not make (Unix): folders, files and lock files of another
//! user's (played by uid 65534 when the tests run as root), files and folders others can write,
//! symbolic links, pipes and devices, on a real file system.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod store_common;

use std::ffi::OsStr;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use appwrite_client::{FileStore, SessionStore, StoreError};
use common::{PROJECT, credential, credential_2, in_days, stored};
use store_common::*;

/// A store document holding one session for [`PROJECT`], as someone else might write it.
fn document_for(user_id: &str, credential: &str) -> String {
    let name = key(PROJECT).as_string();
    format!(
        r#"{{"version":1,"current":"{name}","profiles":{{"{name}":{{"endpoint":"{ENDPOINT}","project":"{PROJECT}","session":{{"credential":"{credential}","user_id":"{user_id}","session_id":"planted-session","expire":"2099-01-01T00:00:00.000+00:00","provider":"token"}}}}}}}}"#
    )
}

/// Runs `op` on another thread and waits for it at most a minute: a hang fails the test instead
/// of stalling the suite.
fn within_a_minute<T: Send + 'static>(op: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(op());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the store hung on a special file")
}

fn save_one(store: &FileStore) -> Result<(), StoreError> {
    store.save(&key(PROJECT), &stored(&credential(), in_days(300)))
}

#[test]
fn a_folder_other_users_can_write_is_made_private_and_the_change_logged() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("careless");
    std::fs::create_dir(&folder).unwrap();
    set_mode(&folder, 0o777);
    let file = folder.join("sessions.json");
    let store = FileStore::new(&file);

    let (saved, logs) = with_logs(|| save_one(&store));
    saved.unwrap();
    assert_eq!(mode(&folder), 0o700);
    assert!(logs.contains("made private (0700)"), "{logs}");
    assert!(logs.contains(&folder.display().to_string()), "{logs}");

    // On a read too: a folder opened up later is closed again before the file is trusted.
    set_mode(&folder, 0o770);
    let (loaded, logs) = with_logs(|| store.load(&key(PROJECT)));
    assert!(loaded.unwrap().is_some());
    assert_eq!(mode(&folder), 0o700);
    assert!(logs.contains("made private (0700)"), "{logs}");
}

#[test]
fn a_shared_sticky_folder_like_tmp_is_refused_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    set_mode(&shared, 0o1777);
    let store = FileStore::new(shared.join("sessions.json"));

    let error = save_one(&store).unwrap_err();
    assert_untrusted(&error, &shared, "shared folder");
    assert!(error.to_string().contains("FileStore::for_app"), "{error}");
    let error = store.load(&key(PROJECT)).unwrap_err();
    assert_untrusted(&error, &shared, "shared folder");
    assert_eq!(mode(&shared), 0o1777, "not changed");
    assert!(names_in(&shared).is_empty(), "nothing written");
}

#[test]
fn a_folder_of_another_user_is_refused_naming_the_path_and_the_fix() {
    if !can_act_as_other_user("a_folder_of_another_user_is_refused_naming_the_path_and_the_fix") {
        return;
    }
    let (_root, root) = playground();
    let open = root.join("open");
    std::fs::create_dir(&open).unwrap();
    set_mode(&open, 0o1777);
    let theirs = open.join("theirs");
    as_other_user("mkdir -m 700 \"$1\"", &[theirs.as_os_str()]);
    let store = FileStore::new(theirs.join("sessions.json"));

    for error in [
        store.load(&key(PROJECT)).unwrap_err(),
        save_one(&store).unwrap_err(),
        store.clear(&key(PROJECT)).unwrap_err(),
    ] {
        assert_untrusted(&error, &theirs, "belongs to another user (uid 65534");
        assert!(error.to_string().contains("folder of your own"), "{error}");
    }
    assert!(names_in(&theirs).is_empty(), "nothing written there");
    assert_eq!(mode(&theirs), 0o700, "their folder is not changed");
}

#[test]
fn a_file_planted_by_another_user_never_signs_the_user_in() {
    if !can_act_as_other_user("a_file_planted_by_another_user_never_signs_the_user_in") {
        return;
    }
    // The user's folder was left open to everyone; another user drops in a store holding their
    // own session, hoping the app signs in to their account.
    let (_root, root) = playground();
    let folder = root.join("app");
    std::fs::create_dir(&folder).unwrap();
    set_mode(&folder, 0o777);
    let file = folder.join("sessions.json");
    let planted = document_for("attacker", &credential_2());
    as_other_user(
        "umask 077; printf '%s' \"$2\" > \"$1\"",
        &[file.as_os_str(), OsStr::new(&planted)],
    );

    let error = build(PROJECT, FileStore::new(&file)).unwrap_err();
    assert_untrusted(
        store_error(&error),
        &file,
        "belongs to another user (uid 65534",
    );
    assert!(
        store_error(&error)
            .to_string()
            .contains("nothing in it is used: remove it")
    );
    assert_eq!(mode(&folder), 0o700, "the folder was closed first");

    // Nothing reads it, nothing writes over it: it stays for the user to inspect and remove.
    let store = FileStore::new(&file);
    assert!(store.load(&key(PROJECT)).is_err());
    assert!(store.profiles().is_err());
    assert!(save_one(&store).is_err());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), planted);

    // Once removed, the user signs in as usual.
    std::fs::remove_file(&file).unwrap();
    save_one(&store).unwrap();
    assert!(
        build(PROJECT, FileStore::new(&file))
            .unwrap()
            .auth_state()
            .borrow()
            .is_signed_in()
    );
}

#[test]
fn a_lock_file_planted_by_another_user_is_refused() {
    if !can_act_as_other_user("a_lock_file_planted_by_another_user_is_refused") {
        return;
    }
    let (_root, root) = playground();
    let folder = root.join("app");
    std::fs::create_dir(&folder).unwrap();
    set_mode(&folder, 0o777);
    let file = folder.join("sessions.json");
    let lock = folder.join("sessions.json.lock");
    as_other_user("umask 022; : > \"$1\"", &[lock.as_os_str()]);

    let error = save_one(&FileStore::new(&file)).unwrap_err();
    assert_untrusted(&error, &lock, "belongs to another user (uid 65534");
    assert!(!file.exists(), "nothing saved");
}

#[test]
fn a_symbolic_link_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    // A real store elsewhere, reached through a link named like the store file.
    let real = dir.path().join("real.json");
    FileStore::new(&real)
        .save(&key(PROJECT), &stored(&credential(), in_days(300)))
        .unwrap();
    let before = std::fs::read(&real).unwrap();
    let folder = dir.path().join("app");
    std::fs::create_dir(&folder).unwrap();
    let file = folder.join("sessions.json");
    std::os::unix::fs::symlink(&real, &file).unwrap();
    let store = FileStore::new(&file);

    let error = store.load(&key(PROJECT)).unwrap_err();
    assert_untrusted(&error, &file, "symbolic link");
    assert_untrusted(&save_one(&store).unwrap_err(), &file, "symbolic link");
    let error = build(PROJECT, FileStore::new(&file)).unwrap_err();
    assert_untrusted(store_error(&error), &file, "symbolic link");
    assert_eq!(
        std::fs::read(&real).unwrap(),
        before,
        "the target is untouched"
    );

    // A dangling link is not followed to create its target either.
    let target = dir.path().join("created-through-the-link");
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&target, &file).unwrap();
    assert_untrusted(&save_one(&store).unwrap_err(), &file, "symbolic link");
    assert!(!target.exists());

    // Nor is a link in place of the lock file.
    std::fs::remove_file(&file).unwrap();
    let lock = folder.join("sessions.json.lock");
    std::fs::remove_file(&lock).unwrap();
    let lock_target = dir.path().join("lock-target");
    std::os::unix::fs::symlink(&lock_target, &lock).unwrap();
    assert_untrusted(&save_one(&store).unwrap_err(), &lock, "symbolic link");
    assert!(!lock_target.exists());
    assert!(!file.exists());
}

#[test]
fn a_named_pipe_is_an_error_at_once_never_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let mkfifo = |path: &Path| {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    };
    mkfifo(&file);
    // Nobody ever writes to the pipe: opening it for reading would wait forever.
    let store = FileStore::new(&file);
    let error = within_a_minute(move || store.load(&key(PROJECT)).unwrap_err());
    assert_untrusted(&error, &file, "named pipe");
    let store = FileStore::new(&file);
    let error = within_a_minute(move || save_one(&store).unwrap_err());
    assert_untrusted(&error, &file, "named pipe");
    let error = within_a_minute({
        let file = file.clone();
        move || build(PROJECT, FileStore::new(file)).unwrap_err()
    });
    assert_untrusted(store_error(&error), &file, "named pipe");

    // A pipe in place of the lock file.
    std::fs::remove_file(&file).unwrap();
    let lock = dir.path().join("sessions.json.lock");
    std::fs::remove_file(&lock).unwrap(); // made by the save above, which then met the pipe
    mkfifo(&lock);
    let store = FileStore::new(&file);
    let error = within_a_minute(move || save_one(&store).unwrap_err());
    assert_untrusted(&error, &lock, "named pipe");
}

#[test]
fn a_device_is_an_error_at_once_never_read() {
    if !is_root() {
        eprintln!(
            "note: a_device_is_an_error_at_once_never_read: SKIPPED, making a device node needs root; the CI runs it as root"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    // Like /dev/zero: endless bytes, the allocation loop a plain read would fall into.
    let made = std::process::Command::new("mknod")
        .arg(&file)
        .args(["c", "1", "5"])
        .status()
        .unwrap();
    if !made.success() {
        eprintln!(
            "note: a_device_is_an_error_at_once_never_read: SKIPPED, this container may not make device nodes"
        );
        return;
    }
    let store = FileStore::new(&file);
    let error = within_a_minute(move || store.load(&key(PROJECT)).unwrap_err());
    assert_untrusted(&error, &file, "is a device");
    let store = FileStore::new(&file);
    let error = within_a_minute(move || save_one(&store).unwrap_err());
    assert_untrusted(&error, &file, "is a device");
}

#[test]
fn a_store_file_others_can_write_is_refused_never_restored() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    save_one(&FileStore::new(&file)).unwrap();
    set_mode(&file, 0o666);
    let before = std::fs::read(&file).unwrap();

    let error = build(PROJECT, FileStore::new(&file)).unwrap_err();
    assert_untrusted(store_error(&error), &file, "can be written by other users");
    assert!(store_error(&error).to_string().contains("remove it"));
    let store = FileStore::new(&file);
    assert!(save_one(&store).is_err());
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(mode(&file), 0o666, "left for the user to inspect");
}

#[test]
fn a_store_file_others_can_read_is_made_private_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    save_one(&FileStore::new(&file)).unwrap();
    set_mode(&file, 0o644);

    let (client, logs) = with_logs(|| build(PROJECT, FileStore::new(&file)));
    assert!(client.unwrap().auth_state().borrow().is_signed_in());
    assert_eq!(mode(&file), 0o600);
    assert!(logs.contains("readable by other users"), "{logs}");
    assert!(logs.contains(&file.display().to_string()), "{logs}");
    assert!(
        !logs.contains(&credential()),
        "the log never holds the credential"
    );
}
