//! `KeyringStore` against the real OS credential store: on Linux a Secret Service (GNOME Keyring)
//! on the D-Bus session bus. Compiled with the `keyring` feature (`cargo test --workspace` turns it
//! on through the root package's dev-dependency).
//!
//! `.ci/run` runs this file under `dbus-run-session` with an unlocked `gnome-keyring-daemon`
//! (`.ci/with-secret-service`) and `APPWRITE_CLIENT_KEYRING_TESTS=required`, so there a missing
//! Secret Service fails the tests. Elsewhere (no D-Bus session, no keyring daemon) the tests that
//! need one are skipped with a note on standard error; the "no Secret Service" test always runs.
//! Every entry a test makes is removed, even when it fails.
#![cfg(feature = "keyring")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use appwrite_client::{
    Account, AuthState, KeyringStore, ProfileKey, SessionStore, StoreError, StoreLocation,
};
use common::*;
use wiremock::MockServer;

/// Set by `.ci/run`: the Secret Service must be there.
const REQUIRED: &str = "APPWRITE_CLIENT_KEYRING_TESTS";
/// Set for a child process: the service whose session it loads.
const CHILD_LOADS: &str = "APPWRITE_CLIENT_KEYRING_CHILD_LOADS";
/// Set for a child process run without a D-Bus session.
const CHILD_WITHOUT_DBUS: &str = "APPWRITE_CLIENT_KEYRING_CHILD_WITHOUT_DBUS";
/// Set for a child process whose keyring crate uses its mock store.
const CHILD_FORGETS: &str = "APPWRITE_CLIENT_KEYRING_CHILD_FORGETS";
/// What a child prints once its checks passed (a filter that matched nothing prints nothing).
const CHILD_PASSED: &str = "KEYRING-CHILD-PASSED";

fn key(project: &str, profile: Option<&str>) -> ProfileKey {
    ProfileKey::new(
        "https://appwrite.example.com/v1",
        project,
        profile.map(str::to_owned),
    )
}

/// A service name no other run uses.
fn fresh_service() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("appwrite-client-test-{}-{nanos}", std::process::id())
}

/// One test at a time talks to the Secret Service (the keyring crate advises against
/// concurrent D-Bus calls).
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Clears the keys it was given when dropped, so a failing test leaves nothing behind.
struct Cleanup {
    store: KeyringStore,
    keys: Vec<ProfileKey>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for key in &self.keys {
            let _ = self.store.clear(key);
        }
    }
}

/// Whether a Secret Service answers here: a probe entry is saved and removed. Without one, a
/// note says why the test is skipped, or the test fails when `.ci/run` requires it.
fn secret_service_here() -> bool {
    let store = KeyringStore::new(fresh_service());
    let probe = key("probe", None);
    let _cleanup = Cleanup {
        store: store.clone(),
        keys: vec![probe.clone()],
    };
    match store.save(&probe, &stored(&credential(), in_days(1))) {
        Ok(()) => true,
        Err(error) if std::env::var_os(REQUIRED).is_some() => {
            panic!("{REQUIRED} is set but the keyring does not work: {error}")
        }
        Err(error @ StoreError::Unavailable { .. }) => {
            eprintln!(
                "NOTE: KeyringStore test skipped: no Secret Service answers here ({error}); .ci/run runs it under dbus-run-session with gnome-keyring"
            );
            false
        }
        Err(other) => panic!("the keyring store failed: {other}"),
    }
}

#[test]
fn keyring_store_keeps_profiles_restores_and_clears() {
    let _serial = serial();
    if !secret_service_here() {
        return;
    }
    let store = KeyringStore::new(fresh_service());
    let a = key("project-a", None);
    let b = key("project-b", None);
    let work = key("project-a", Some("work"));
    let _cleanup = Cleanup {
        store: store.clone(),
        keys: vec![a.clone(), b.clone(), work.clone()],
    };
    assert!(store.load(&a).unwrap().is_none());
    save_both(&store, &a, &b);
    store
        .save(&work, &stored(&credential_2(), in_days(300)))
        .unwrap();
    let loaded = store.load(&a).unwrap().unwrap();
    assert_eq!(loaded.credential.expose_secret(), credential());
    assert_eq!(loaded.user_id.as_str(), USER);
    assert_eq!(loaded.session_id.as_str(), SESSION_ID);
    assert_eq!(saved_credential(&store, &work), credential_2());

    // Saving again replaces; clearing one profile leaves the others.
    store
        .save(&a, &stored(&credential_2(), in_days(300)))
        .unwrap();
    assert_eq!(saved_credential(&store, &a), credential_2());
    store.clear(&work).unwrap();
    store.clear(&work).unwrap(); // nothing there: still fine
    assert!(store.load(&work).unwrap().is_none());
    assert!(store.load(&b).unwrap().is_some());
    // Another service is another keychain: it sees nothing.
    assert!(
        KeyringStore::new(fresh_service())
            .load(&b)
            .unwrap()
            .is_none()
    );
    assert!(!format!("{store:?}").contains(&credential_2()));

    // What is kept: a FileStore profile's JSON, versioned, saying whose session it is.
    let raw = raw_entry(&store, &work.clone());
    assert!(raw.get_password().is_err(), "cleared");
    let doc: serde_json::Value =
        serde_json::from_str(&raw_entry(&store, &b).get_password().unwrap()).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["endpoint"], "https://appwrite.example.com/v1");
    assert_eq!(doc["project"], "project-b");
    assert!(doc.get("profile").is_none());
    assert_eq!(doc["session"]["credential"], credential_2().as_str());
    assert_eq!(doc["session"]["provider"], "token");
}

/// A corrupt entry, or one in a newer format, is the same `StoreError` a file gives, naming the
/// keyring entry; it does not quote the entry and leaves it alone.
#[test]
fn a_corrupt_keyring_entry_is_store_error_corrupt_naming_the_entry() {
    let _serial = serial();
    if !secret_service_here() {
        return;
    }
    let store = KeyringStore::new(fresh_service());
    let b = key("project-b", None);
    let _cleanup = Cleanup {
        store: store.clone(),
        keys: vec![b.clone()],
    };
    let entry = raw_entry(&store, &b);
    entry.set_password("{not json SECRET-IN-ENTRY").unwrap();
    let expected = StoreLocation::Keyring {
        service: store.service().to_owned(),
        user: b.as_string(),
    };
    let error = store.load(&b).unwrap_err();
    assert!(
        matches!(&error, StoreError::Corrupt { location, .. } if *location == expected),
        "{error:?}"
    );
    assert_eq!(store.location(&b), expected);
    let message = error.to_string();
    assert!(message.contains(store.service()), "{message}");
    assert!(!message.contains("SECRET-IN-ENTRY"), "{message}");
    assert!(!format!("{error:?}").contains("SECRET-IN-ENTRY"));
    assert_eq!(entry.get_password().unwrap(), "{not json SECRET-IN-ENTRY");

    entry
        .set_password(r#"{"version":2,"session":{"credential":"x"}}"#)
        .unwrap();
    let error = store.load(&b).unwrap_err();
    assert!(
        matches!(&error, StoreError::UnsupportedVersion { location, found: 2, supported: 1 } if *location == expected),
        "{error:?}"
    );
}

/// Project `demo#work` and project `demo` with profile `work` are two entries; an entry that says
/// it is another profile's is refused.
#[test]
fn a_keyring_entry_belongs_to_one_project_and_profile() {
    let _serial = serial();
    if !secret_service_here() {
        return;
    }
    let store = KeyringStore::new(fresh_service());
    let hash_project = key("demo#work", None);
    let profile = key("demo", Some("work"));
    let _cleanup = Cleanup {
        store: store.clone(),
        keys: vec![hash_project.clone(), profile.clone()],
    };
    assert_look_alike_keys_keep_their_own_sessions(&store);
    save_both(&store, &hash_project, &profile);

    // The profile's entry rewritten to say it is the other project's: refused, left alone.
    let entry = raw_entry(&store, &profile);
    let mut doc: serde_json::Value = serde_json::from_str(&entry.get_password().unwrap()).unwrap();
    doc["project"] = "demo#work".into();
    doc.as_object_mut().unwrap().remove("profile");
    entry.set_password(&doc.to_string()).unwrap();
    let error = store.load(&profile).unwrap_err();
    match &error {
        StoreError::Mismatch { location, found } => {
            assert_eq!(*location, store.location(&profile));
            assert_eq!(**found, hash_project);
        }
        other => panic!("expected Mismatch, got {other:?}"),
    }
    assert!(!error.to_string().contains(&credential()));
    assert_eq!(saved_credential(&store, &hash_project), credential());
}

/// A session saved by one process is there for the next one (this test binary run again).
#[test]
fn a_session_saved_in_one_process_loads_in_the_next() {
    let _serial = serial();
    if !secret_service_here() {
        return;
    }
    let service = fresh_service();
    let store = KeyringStore::new(&service);
    let profile = key(PROJECT, Some("next-process"));
    let _cleanup = Cleanup {
        store: store.clone(),
        keys: vec![profile.clone()],
    };
    store
        .save(&profile, &stored(&credential(), in_days(300)))
        .unwrap();
    let output = run_child("child_loads_the_session_its_parent_saved", |command| {
        command.env(CHILD_LOADS, &service);
    });
    assert!(output.contains(CHILD_PASSED), "{output}");
}

/// Run by [`a_session_saved_in_one_process_loads_in_the_next`] in a new process; a no-op
/// otherwise.
#[test]
fn child_loads_the_session_its_parent_saved() {
    let Some(service) = std::env::var_os(CHILD_LOADS) else {
        return;
    };
    let store = KeyringStore::new(service.to_str().unwrap());
    let loaded = store
        .load(&key(PROJECT, Some("next-process")))
        .unwrap()
        .expect("the session saved by the parent process");
    assert_eq!(loaded.credential.expose_secret(), credential());
    println!("{CHILD_PASSED}");
}

/// Without a D-Bus session there is no Secret Service: saving is an error that says so, never a
/// success; and (when this machine has one) nothing was left in it.
#[test]
fn without_a_secret_service_save_is_an_error_and_leaves_nothing() {
    let _serial = serial();
    let service = fresh_service();
    let empty_runtime_dir = tempfile::tempdir().unwrap();
    let output = run_child("child_without_dbus_cannot_save", |command| {
        command
            .env(CHILD_WITHOUT_DBUS, &service)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            // libdbus also looks for `$XDG_RUNTIME_DIR/bus`.
            .env("XDG_RUNTIME_DIR", empty_runtime_dir.path());
    });
    assert!(output.contains(CHILD_PASSED), "{output}");
    if cfg!(target_os = "linux") && secret_service_here() {
        let store = KeyringStore::new(&service);
        let _cleanup = Cleanup {
            store: store.clone(),
            keys: vec![key(PROJECT, None)],
        };
        assert!(store.load(&key(PROJECT, None)).unwrap().is_none());
    }
}

/// Run by [`without_a_secret_service_save_is_an_error_and_leaves_nothing`] without a D-Bus
/// session; a no-op otherwise.
#[test]
fn child_without_dbus_cannot_save() {
    let Some(service) = std::env::var_os(CHILD_WITHOUT_DBUS) else {
        return;
    };
    if !cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    )) {
        println!("{CHILD_PASSED}"); // other platforms' stores need no D-Bus
        return;
    }
    let store = KeyringStore::new(service.to_str().unwrap());
    let profile = key(PROJECT, None);
    let error = store
        .save(&profile, &stored(&credential(), in_days(300)))
        .unwrap_err();
    match &error {
        StoreError::Unavailable { location, .. } => {
            assert_eq!(*location, store.location(&profile));
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("Secret Service"), "{message}");
    assert!(!message.contains(&credential()), "{message}");
    assert!(matches!(
        store.load(&profile),
        Err(StoreError::Unavailable { .. })
    ));
    println!("{CHILD_PASSED}");
}

/// A credential store that takes a save but does not give it back to a fresh lookup (the keyring
/// crate's mock store keeps each entry handle's value to itself, as a kernel keyring the next
/// process cannot see does): the save is an error, never a success.
#[test]
fn a_store_that_does_not_keep_the_session_refuses_the_save() {
    let output = run_child("child_on_a_store_that_forgets", |command| {
        command.env(CHILD_FORGETS, "1");
    });
    assert!(output.contains(CHILD_PASSED), "{output}");
}

/// Run by [`a_store_that_does_not_keep_the_session_refuses_the_save`] in its own process (the
/// keyring crate's default store is process-wide); a no-op otherwise.
#[test]
fn child_on_a_store_that_forgets() {
    if std::env::var_os(CHILD_FORGETS).is_none() {
        return;
    }
    keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
    let store = KeyringStore::new(fresh_service());
    let profile = key(PROJECT, None);
    let error = store
        .save(&profile, &stored(&credential(), in_days(300)))
        .unwrap_err();
    match &error {
        StoreError::Refused { location, detail } => {
            assert_eq!(*location, store.location(&profile));
            assert!(detail.contains("did not find it"), "{detail}");
        }
        other => panic!("expected Refused, got {other:?}"),
    }
    assert!(!error.to_string().contains(&credential()), "{error}");
    println!("{CHILD_PASSED}");
}

/// A client on a `KeyringStore` keeps its sign-in across a restart and forgets it on logout.
#[test]
fn a_client_on_the_keyring_restores_and_logs_out() {
    let _serial = serial();
    if !secret_service_here() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let service = fresh_service();
        let server = MockServer::start().await;
        mount_default_login(&server).await;
        mount_account(&server).await;
        mount(
            &server,
            "DELETE",
            "/v1/account/sessions/current",
            logged_out(),
        )
        .await;

        let client = client_with(&server, KeyringStore::new(&service));
        let _cleanup = Cleanup {
            store: KeyringStore::new(&service),
            keys: vec![client.profile_key().clone()],
        };
        Account::new(&client)
            .create_session(USER, TOKEN_SECRET)
            .await
            .unwrap();

        // A restart.
        let client = client_with(&server, KeyringStore::new(&service));
        assert!(matches!(
            &*client.auth_state().borrow(),
            AuthState::SignedIn { user_id, .. } if user_id == USER
        ));
        Account::new(&client).get().await.unwrap();
        let get = &received(&server, "GET", "/v1/account").await[0];
        assert_eq!(
            header(get, "x-appwrite-session"),
            Some(credential().as_str())
        );

        Account::new(&client)
            .delete_session("current")
            .await
            .unwrap();
        let store = KeyringStore::new(&service);
        assert!(store.load(client.profile_key()).unwrap().is_none());
        let client = client_with(&server, KeyringStore::new(&service));
        assert!(!client.is_signed_in());
    });
}

/// The keyring crate's own handle on `key`'s entry, to read or plant raw content.
fn raw_entry(store: &KeyringStore, key: &ProfileKey) -> keyring::Entry {
    keyring::Entry::new(store.service(), &key.as_string()).unwrap()
}

/// Runs the one test `name` of this binary in a new process, set up by `env`; fails when it
/// fails, and gives back what it printed.
fn run_child(name: &str, env: impl FnOnce(&mut Command)) -> String {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([name, "--exact", "--nocapture", "--test-threads=1"]);
    env(&mut command);
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the child test failed: {text}");
    text
}
