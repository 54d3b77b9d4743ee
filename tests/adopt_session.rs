//! `Client::adopt_session` end to end: a backend mints a session with its API key
//! (`Users::create_session`) and the app takes it over, over real HTTP against the emulator.

// Set-up helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used)]

use std::time::Duration;

use appwrite_client::{Account, MemoryStore, SessionStore};
use appwrite_emulator::Emulator;
use appwrite_server::Users;

const PROJECT: &str = "adopt";
const KEY: &str = "adopt-key";

async fn emulator() -> Emulator {
    Emulator::builder()
        .project(PROJECT)
        .api_key(KEY)
        .start()
        .await
        .expect("the emulator starts")
}

async fn backend(emulator: &Emulator) -> Users {
    let client = appwrite_server::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .api_key(KEY)
        .build()
        .expect("server client");
    let users = Users::new(&client);
    users.create("ada").await.expect("user ada");
    users.create("bob").await.expect("user bob");
    users
}

fn app(emulator: &Emulator, store: &MemoryStore) -> appwrite_client::Client {
    appwrite_client::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .session_store(store.clone())
        .build()
        .expect("client app")
}

#[tokio::test]
async fn a_backend_session_is_adopted_stored_and_restored() {
    let emulator = emulator().await;
    let users = backend(&emulator).await;
    let minted = users.create_session("ada").await.unwrap();
    let credential = minted.secret.expose_secret().to_owned();

    let store = MemoryStore::new();
    let client = app(&emulator, &store);
    let session = client.adopt_session(credential.clone()).await.unwrap();
    assert_eq!(session.id, minted.id);
    assert_eq!(session.user_id.as_str(), "ada");
    assert!(
        session.secret.expose_secret().is_empty(),
        "the credential stays in the store"
    );
    assert!(client.is_signed_in());
    let stored = store.load(client.profile_key()).unwrap().unwrap();
    assert_eq!(stored.credential.expose_secret(), credential);
    assert_eq!(stored.session_id, minted.id);
    assert_eq!(
        Account::new(&client).get().await.unwrap().id.as_str(),
        "ada"
    );

    // A restart restores it; logout revokes it on the server.
    let restarted = app(&emulator, &store);
    assert!(restarted.is_signed_in());
    Account::new(&restarted)
        .delete_session("current")
        .await
        .unwrap();
    assert_eq!(emulator.session_count("ada"), Some(0));
}

#[tokio::test]
async fn adopting_replaces_the_held_session_and_revokes_it() {
    let emulator = emulator().await;
    let users = backend(&emulator).await;
    let store = MemoryStore::new();
    let client = app(&emulator, &store);
    let first = users.create_session("ada").await.unwrap();
    client.adopt_session(first.secret).await.unwrap();

    // Adopting the same session again keeps it (and does not revoke it).
    let again = users.list_sessions("ada").await.unwrap();
    assert_eq!(again.total, 1);
    let same = users.create_session("bob").await.unwrap();
    let bob_credential = same.secret.expose_secret().to_owned();
    client.adopt_session(bob_credential.clone()).await.unwrap();
    assert_eq!(
        Account::new(&client).get().await.unwrap().id.as_str(),
        "bob"
    );
    assert_eq!(
        emulator.session_count("ada"),
        Some(0),
        "the replaced session is revoked"
    );
    client.adopt_session(bob_credential).await.unwrap();
    assert_eq!(
        emulator.session_count("bob"),
        Some(1),
        "the same session is kept"
    );
    assert!(client.is_signed_in());
}

#[tokio::test]
async fn a_credential_that_cannot_be_sent_is_refused_before_anything_changes() {
    let emulator = emulator().await;
    let users = backend(&emulator).await;
    let store = MemoryStore::new();
    let client = app(&emulator, &store);
    let held = users.create_session("ada").await.unwrap();
    client.adopt_session(held.secret).await.unwrap();

    for bad in [
        "two\nlines".to_owned(),
        "é".to_owned(),
        "a".repeat(16 * 1024 + 1),
    ] {
        let error = client.adopt_session(bad.clone()).await.unwrap_err();
        assert!(error.is_invalid_input(), "{error:?}");
        assert!(
            !error.to_string().contains(&bad),
            "the credential is not in the message"
        );
    }
    assert!(client.is_signed_in(), "the held session is kept");
    assert_eq!(emulator.session_count("ada"), Some(1));
    assert_eq!(
        Account::new(&client).get().await.unwrap().id.as_str(),
        "ada"
    );
}

#[tokio::test]
async fn an_expired_or_revoked_session_is_refused_and_the_held_one_kept() {
    let emulator = emulator().await;
    let users = backend(&emulator).await;
    let store = MemoryStore::new();
    let client = app(&emulator, &store);

    // Revoked by the backend before the app could adopt it.
    let revoked = users.create_session("bob").await.unwrap();
    users.delete_session("bob", revoked.id).await.unwrap();
    let error = client.adopt_session(revoked.secret).await.unwrap_err();
    assert!(error.is_unauthorized(), "{error:?}");
    assert!(!client.is_signed_in());
    assert!(store.load(client.profile_key()).unwrap().is_none());

    // Expired: the emulator's clock moves past the session's one-year lifetime.
    let held = users.create_session("ada").await.unwrap();
    client.adopt_session(held.secret).await.unwrap();
    let late = users.create_session("bob").await.unwrap();
    emulator.advance_time(Duration::from_secs(366 * 24 * 60 * 60));
    let error = client.adopt_session(late.secret).await.unwrap_err();
    assert!(error.is_unauthorized(), "{error:?}");
    let kept = store.load(client.profile_key()).unwrap().unwrap();
    assert_eq!(
        kept.user_id.as_str(),
        "ada",
        "a refused session changes nothing"
    );
}

/// The child half of `from_env_reads_the_environment_end_to_end`, run in a process of its own
/// with the environment that test sets (a test cannot change its own process's environment).
#[tokio::test]
#[ignore = "run by from_env_reads_the_environment_end_to_end in a child process"]
async fn from_env_child() {
    let Some(credential) = std::env::var_os("ADOPT_TEST_CREDENTIAL") else {
        panic!("run by from_env_reads_the_environment_end_to_end, not on its own");
    };
    if let Ok(name) = std::env::var("ADOPT_TEST_MISSING") {
        let error = appwrite_client::Client::from_env().unwrap_err();
        assert!(error.is_config(), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!("environment variable {name} is not set")
        );
    } else {
        let client = appwrite_client::Client::from_env().unwrap();
        client
            .adopt_session(credential.to_string_lossy().into_owned())
            .await
            .unwrap();
        assert_eq!(
            Account::new(&client).get().await.unwrap().id.as_str(),
            "ada"
        );
    }
}

/// Runs `from_env_child` in a child process with `vars` set (and the SDK's variables removed
/// first), and checks that it ran and passed.
#[allow(clippy::unwrap_used)]
async fn run_child(vars: Vec<(&'static str, String)>) {
    let output = tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args(["from_env_child", "--exact", "--ignored", "--test-threads=1"])
            .env_remove("APPWRITE_ENDPOINT")
            .env_remove("APPWRITE_PROJECT_ID");
        for (name, value) in vars {
            command.env(name, value);
        }
        command.output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_env_reads_the_environment_end_to_end() {
    let emulator = emulator().await;
    let users = backend(&emulator).await;
    let minted = users.create_session("ada").await.unwrap();
    let credential = minted.secret.expose_secret().to_owned();

    run_child(vec![
        ("APPWRITE_ENDPOINT", emulator.endpoint().to_owned()),
        ("APPWRITE_PROJECT_ID", format!("{PROJECT}\n")),
        ("ADOPT_TEST_CREDENTIAL", credential.clone()),
    ])
    .await;
    run_child(vec![
        ("APPWRITE_ENDPOINT", emulator.endpoint().to_owned()),
        ("ADOPT_TEST_CREDENTIAL", credential),
        ("ADOPT_TEST_MISSING", "APPWRITE_PROJECT_ID".to_owned()),
    ])
    .await;
}
