//! `KeyringStore` against the real OS credential store (on Linux: the kernel's keyutils, no
//! daemon). Compiled with the `keyring` feature: `cargo test -p appwrite-client --features
//! keyring`; `cargo test --workspace` turns it on (the root package's dev-dependency does).
//!
//! keyutils needs a session keyring of the process's own. CI containers often run without one;
//! the test then runs itself again inside a fresh anonymous session keyring (joined through
//! `python3`, since this crate forbids the `unsafe` a direct system call would need). Only when
//! the kernel refuses keyutils altogether is it skipped, with a note on standard error.
#![cfg(feature = "keyring")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use appwrite_client::{
    Account, AuthState, KeyringError, KeyringStore, ProfileKey, SessionStore, StoreError,
};
use common::*;
use wiremock::MockServer;

const CHILD: &str = "APPWRITE_CLIENT_KEYRING_TEST_CHILD";
const TEST_NAME: &str = "keyring_store_keeps_profiles_restores_and_clears";

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

/// Saves and clears a probe entry: whether the store works in this process.
fn usable_here() -> Result<(), StoreError> {
    let store = KeyringStore::new(fresh_service());
    let probe = key("probe", None);
    store.save(&probe, &stored(&credential(), in_days(1)))?;
    store.clear(&probe)
}

/// Runs this test again inside a new anonymous session keyring; `None` when that cannot be done.
#[cfg(target_os = "linux")]
fn rerun_in_session_keyring() -> Option<std::process::ExitStatus> {
    const JOIN_AND_EXEC: &str = "import ctypes, os, platform, sys\n\
        nr = {'x86_64': 250, 'aarch64': 219, 'i686': 288}.get(platform.machine())\n\
        if nr is None or ctypes.CDLL(None, use_errno=True).syscall(nr, 1, None) < 0: sys.exit(77)\n\
        os.execv(sys.argv[1], sys.argv[1:])\n";
    let exe = std::env::current_exe().ok()?;
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg(JOIN_AND_EXEC)
        .arg(&exe)
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .status()
        .ok()?;
    (status.code() != Some(77)).then_some(status)
}

#[cfg(not(target_os = "linux"))]
fn rerun_in_session_keyring() -> Option<std::process::ExitStatus> {
    None
}

#[test]
fn keyring_store_keeps_profiles_restores_and_clears() {
    match usable_here() {
        Ok(()) => {}
        Err(StoreError::Other(source))
            if matches!(
                source.downcast_ref::<KeyringError>(),
                Some(KeyringError::Refused { .. })
            ) && std::env::var_os(CHILD).is_none() =>
        {
            if let Some(status) = rerun_in_session_keyring() {
                assert!(status.success(), "the test failed in a session keyring");
            } else {
                eprintln!(
                    "NOTE: KeyringStore test skipped: this process has no session keyring and none could be joined (python3 missing?)"
                );
            }
            return;
        }
        Err(StoreError::Other(source))
            if matches!(
                source.downcast_ref::<KeyringError>(),
                Some(KeyringError::Platform { .. })
            ) =>
        {
            eprintln!(
                "NOTE: KeyringStore test skipped: the kernel refuses keyutils here: {source}"
            );
            return;
        }
        Err(other) => panic!("the keyring store failed: {other}"),
    }
    store_behaviour();
    client_restores_and_logs_out();
}

/// `load`/`save`/`clear` with profiles side by side, as `FileStore` does.
fn store_behaviour() {
    let store = KeyringStore::new(fresh_service());
    let a = key("project-a", None);
    let b = key("project-b", None);
    let work = key("project-a", Some("work"));
    assert!(store.load(&a).unwrap().is_none());
    store
        .save(&a, &stored(&credential(), in_days(300)))
        .unwrap();
    store
        .save(&b, &stored(&credential_2(), in_days(300)))
        .unwrap();
    store
        .save(&work, &stored(&credential_2(), in_days(300)))
        .unwrap();
    let loaded = store.load(&a).unwrap().unwrap();
    assert_eq!(loaded.credential.expose_secret(), credential());
    assert_eq!(loaded.user_id.as_str(), USER);
    assert_eq!(loaded.session_id.as_str(), SESSION_ID);
    assert_eq!(
        store
            .load(&work)
            .unwrap()
            .unwrap()
            .credential
            .expose_secret(),
        credential_2()
    );

    // Saving again replaces; clearing one profile leaves the others.
    store
        .save(&a, &stored(&credential_2(), in_days(300)))
        .unwrap();
    assert_eq!(
        store.load(&a).unwrap().unwrap().credential.expose_secret(),
        credential_2()
    );
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

    // What is kept: the FileStore profile's JSON, versioned.
    let raw = keyring::Entry::new(store.service(), &b.as_string())
        .unwrap()
        .get_password()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["session"]["credential"], credential_2().as_str());
    assert_eq!(doc["session"]["provider"], "token");

    // A corrupt entry or a newer format is an error that does not quote it, and is left alone.
    let entry = keyring::Entry::new(store.service(), &b.as_string()).unwrap();
    entry.set_password("{not json").unwrap();
    let error = store.load(&b).unwrap_err();
    assert!(
        error.source_text().contains("corrupt"),
        "{}",
        error.source_text()
    );
    assert!(!error.source_text().contains("not json"));
    assert_eq!(entry.get_password().unwrap(), "{not json");
    entry
        .set_password(r#"{"version":2,"session":{"credential":"x"}}"#)
        .unwrap();
    let error = store.load(&b).unwrap_err();
    assert!(
        error.source_text().contains("format version 2"),
        "{}",
        error.source_text()
    );

    for profile in [&a, &b] {
        store.clear(profile).unwrap();
    }
}

/// A client on a `KeyringStore` keeps its sign-in across a restart and forgets it on logout.
fn client_restores_and_logs_out() {
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

trait SourceText {
    fn source_text(&self) -> String;
}

impl SourceText for StoreError {
    /// The message with its causes.
    fn source_text(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}
