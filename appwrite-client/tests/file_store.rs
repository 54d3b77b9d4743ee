//! `FileStore`: restarts, permissions, corrupt and newer files, profiles, concurrent writers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Barrier};

use appwrite_client::{
    Account, AuthState, Client, FileStore, ProfileKey, SessionStore, StoreError, StoreLocation,
};
use common::*;
use wiremock::MockServer;

fn key(project: &str, profile: Option<&str>) -> ProfileKey {
    ProfileKey::new(
        "https://appwrite.example.com/v1",
        project,
        profile.map(str::to_owned),
    )
}

#[tokio::test]
async fn a_session_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    mount_account(&server).await;

    {
        let client = client_with(&server, FileStore::new(&file));
        Account::new(&client)
            .create_session(USER, TOKEN_SECRET)
            .await
            .unwrap();
        assert!(file.exists(), "saved before create_session returned");
    }

    // A new process: a fresh client on the same file.
    let client = client_with(&server, FileStore::new(&file));
    match &*client.auth_state().borrow() {
        AuthState::SignedIn {
            user_id,
            session_id,
            ..
        } => {
            assert_eq!(user_id, USER);
            assert_eq!(session_id, SESSION_ID);
        }
        other => panic!("expected SignedIn, got {other:?}"),
    }
    Account::new(&client).get().await.unwrap();
    let get = &received(&server, "GET", "/v1/account").await[0];
    assert_eq!(
        header(get, "x-appwrite-session"),
        Some(credential().as_str())
    );

    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(doc["version"], 1);
    let name = client.profile_key().as_string();
    assert_eq!(doc["current"], name.as_str());
    let entry = &doc["profiles"][name.as_str()];
    assert_eq!(entry["project"], PROJECT);
    // Kept exactly as received: the cookie's URL encoding included.
    assert_eq!(
        entry["session"]["credential"],
        url_encoded(&credential()).as_str()
    );
    assert_eq!(entry["session"]["user_id"], USER);
    assert_eq!(entry["session"]["session_id"], SESSION_ID);
    assert_eq!(entry["session"]["provider"], "token");
    assert!(entry["session"]["expire"].as_str().unwrap().len() > 20);
    assert!(entry["session"]["saved_at"].as_str().unwrap().len() > 20);
}

#[cfg(unix)]
#[test]
fn the_file_is_0600_and_a_new_folder_0700() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("app").join("data");
    let file = folder.join("sessions.json");
    let store = FileStore::new(&file);
    store
        .save(&key(PROJECT, None), &stored(&credential(), in_days(300)))
        .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&folder.join("sessions.json.lock")), 0o600);

    // A file someone opened up is private again after the next write.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    store
        .save(&key("other", None), &stored(&credential(), in_days(300)))
        .unwrap();
    assert_eq!(mode(&file), 0o600);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn a_corrupt_file_is_a_clear_error_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let garbage = b"{\"version\":1,\"profiles\":{\"k\":{\"endpoint\":\"e\",\"project\":\"p\",\"session\":{\"credential\":\"SECRET-IN-FILE\"";
    std::fs::write(&file, garbage).unwrap();
    let store = FileStore::new(&file);

    let error = store.load(&key(PROJECT, None)).unwrap_err();
    assert!(
        matches!(&error, StoreError::Corrupt { location: StoreLocation::File(p), .. } if *p == file),
        "{error:?}"
    );
    assert_eq!(error.location(), Some(&StoreLocation::File(file.clone())));
    let message = error.to_string();
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(!message.contains("SECRET-IN-FILE"), "{message}");

    assert!(
        store
            .save(&key(PROJECT, None), &stored(&credential(), in_days(300)))
            .is_err()
    );
    assert!(store.clear(&key(PROJECT, None)).is_err());
    assert_eq!(std::fs::read(&file).unwrap(), garbage, "never overwritten");

    let error = Client::builder()
        .endpoint("https://appwrite.example.com/v1")
        .project(PROJECT)
        .session_store(store)
        .build()
        .unwrap_err();
    assert!(error.is_session_store(), "{error:?}");
    assert_eq!(std::fs::read(&file).unwrap(), garbage);

    for bad in [&b"[]"[..], b"{}", b"{\"version\":\"1\"}", b"\xff\xfe"] {
        std::fs::write(&file, bad).unwrap();
        let error = FileStore::new(&file).load(&key(PROJECT, None)).unwrap_err();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    }
}

#[test]
fn a_newer_format_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let future = br#"{"version":2,"accounts":[{"whatever":true}]}"#;
    std::fs::write(&file, future).unwrap();
    let store = FileStore::new(&file);
    let error = store.load(&key(PROJECT, None)).unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::UnsupportedVersion {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains(&file.display().to_string()));
    assert!(
        store
            .save(&key(PROJECT, None), &stored(&credential(), in_days(300)))
            .is_err()
    );
    assert_eq!(std::fs::read(&file).unwrap(), future);
}

#[test]
fn profiles_live_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("sessions.json"));
    assert!(store.profiles().unwrap().is_empty());
    assert_eq!(store.current().unwrap(), None);

    let a = key("project-a", None);
    let b = key("project-b", None);
    let work = key("project-a", Some("work"));
    store
        .save(&a, &stored(&credential(), in_days(300)))
        .unwrap();
    store
        .save(&b, &stored(&credential_2(), in_days(300)))
        .unwrap();
    store
        .save(&work, &stored(&credential_2(), in_days(300)))
        .unwrap();
    assert_eq!(store.profiles().unwrap().len(), 3);
    assert_eq!(store.current().unwrap(), Some(work.clone()));
    assert_eq!(
        store.load(&a).unwrap().unwrap().credential.expose_secret(),
        credential()
    );
    assert_eq!(
        store
            .load(&work)
            .unwrap()
            .unwrap()
            .credential
            .expose_secret(),
        credential_2()
    );

    store.clear(&work).unwrap();
    assert!(store.load(&work).unwrap().is_none());
    assert_eq!(store.current().unwrap(), None);
    assert!(store.load(&a).unwrap().is_some());
    assert!(store.load(&b).unwrap().is_some());
    // Another endpoint is another profile.
    let elsewhere = ProfileKey::new("https://other.example.com/v1", "project-a", None);
    assert!(store.load(&elsewhere).unwrap().is_none());
}

#[test]
fn fields_from_a_newer_revision_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    std::fs::write(
        &file,
        br#"{"version":1,"current":null,"profiles":{},"note":"keep me"}"#,
    )
    .unwrap();
    FileStore::new(&file)
        .save(&key(PROJECT, None), &stored(&credential(), in_days(300)))
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(doc["note"], "keep me");
}

#[test]
fn concurrent_writers_lose_nothing() {
    const WRITERS: usize = 8;
    const ROUNDS: usize = 25;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested").join("sessions.json");
    let barrier = Arc::new(Barrier::new(WRITERS));
    let threads: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let file = file.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                // Each writer has its own handle, as a separate process would.
                let store = FileStore::new(&file);
                let mine = key(&format!("project-{writer}"), None);
                let scratch = key(&format!("project-{writer}"), Some("scratch"));
                for round in 0..ROUNDS {
                    barrier.wait();
                    store
                        .save(
                            &mine,
                            &stored(&format!("credential-{writer}-{round}"), in_days(300)),
                        )
                        .unwrap();
                    store
                        .save(&scratch, &stored("scratch", in_days(300)))
                        .unwrap();
                    store.clear(&scratch).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let store = FileStore::new(&file);
    assert_eq!(
        store.profiles().unwrap().len(),
        WRITERS,
        "only the scratch profiles are gone"
    );
    for writer in 0..WRITERS {
        let saved = store
            .load(&key(&format!("project-{writer}"), None))
            .unwrap()
            .unwrap();
        assert_eq!(
            saved.credential.expose_secret(),
            format!("credential-{writer}-{}", ROUNDS - 1)
        );
    }
}

#[test]
fn for_app_uses_the_data_folder() {
    let Ok(store) = FileStore::for_app("appwrite-client-test") else {
        return; // no home folder on this machine
    };
    assert!(store.path().ends_with("sessions.json"));
    assert!(
        store
            .path()
            .to_string_lossy()
            .contains("appwrite-client-test")
    );
    assert!(matches!(
        FileStore::for_app(""),
        Err(StoreError::InvalidAppName(_))
    ));
    assert!(matches!(
        FileStore::for_app("a/b"),
        Err(StoreError::InvalidAppName(_))
    ));
}

/// The name checked is the folder name used: the `directories` crate drops spaces (on Linux), so
/// these would become `..` and put the store outside the data folder.
#[test]
fn for_app_refuses_names_that_become_dots() {
    for name in [".", "..", " .. ", ". .", "\t.\t.", " . ", "\t"] {
        let result = FileStore::for_app(name);
        assert!(
            matches!(result, Err(StoreError::InvalidAppName(_))),
            "{name:?} gave {result:?}"
        );
    }
    // A name with dots in it is still a plain name.
    if let Ok(store) = FileStore::for_app("my.app..v2") {
        assert_eq!(
            store.path().parent().unwrap().file_name().unwrap(),
            "my.app..v2"
        );
    }
}

/// Project `demo#work` and project `demo` with profile `work` are two profiles, each with its own
/// session, in a file as in any store.
#[test]
fn profile_keys_with_separators_in_them_never_share_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("sessions.json"));
    assert_look_alike_keys_keep_their_own_sessions(&store);
}

/// An entry kept under one profile's name that says it is another's is refused, not used and
/// not silently skipped.
#[test]
fn an_entry_that_names_another_profile_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let store = FileStore::new(&file);
    let mine = key(PROJECT, None);
    store
        .save(&mine, &stored(&credential(), in_days(300)))
        .unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    doc["profiles"][mine.as_string()]["project"] = "someone-else".into();
    let edited = serde_json::to_vec(&doc).unwrap();
    std::fs::write(&file, &edited).unwrap();

    let error = store.load(&mine).unwrap_err();
    match &error {
        StoreError::Mismatch { location, found } => {
            assert_eq!(location, &StoreLocation::File(file.clone()));
            assert_eq!(found.project(), "someone-else");
        }
        other => panic!("expected Mismatch, got {other:?}"),
    }
    assert!(!error.to_string().contains(&credential()), "{error}");
    assert_eq!(std::fs::read(&file).unwrap(), edited, "left untouched");
}
