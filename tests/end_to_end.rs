//! Both SDKs against the emulator over real HTTP on loopback: the custom-token flow from a backend
//! minting a token to an app logging in, restarting, and logging out.

// Set-up helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use appwrite_client::{
    Account, AuthState, ErrorType, FileStore, MemoryStore, RestoreOutcome, SignOutReason,
};
use appwrite_emulator::Emulator;
use appwrite_server::Users;

const PROJECT: &str = "e2e";
const KEY: &str = "e2e-key";

async fn emulator() -> Emulator {
    Emulator::builder()
        .project(PROJECT)
        .api_key(KEY)
        .start()
        .await
        .expect("the emulator starts")
}

fn server(emulator: &Emulator) -> Users {
    let client = appwrite_server::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .api_key(KEY)
        .build()
        .expect("server client");
    Users::new(&client)
}

fn app(emulator: &Emulator, store: FileStore) -> appwrite_client::Client {
    appwrite_client::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .session_store(store)
        .build()
        .expect("client app")
}

#[tokio::test]
async fn custom_token_login_restart_logout() {
    let emulator = emulator().await;
    let users = server(&emulator);

    // The backend ensures the user (twice: the second finds it) and mints a token.
    let created = users.get_or_create("alice").name("Alice").await.unwrap();
    let found = users.get_or_create("alice").name("ignored").await.unwrap();
    assert_eq!(created.id, found.id);
    assert_eq!(found.name, "Alice");
    let token = users.create_token("alice").await.unwrap();
    assert_eq!(token.secret.expose_secret().len(), 6);

    // The app logs in with a file store.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("session.json");
    let first = app(&emulator, FileStore::new(&path));
    let session = Account::new(&first)
        .create_session("alice", token.secret.expose_secret())
        .await
        .unwrap();
    assert_eq!(session.user_id, "alice");
    assert!(
        path.exists(),
        "the session is on disk before create_session returns"
    );

    // A restart: a second client on the same file restores it, and the server agrees.
    let second = app(&emulator, FileStore::new(&path));
    assert!(second.is_signed_in());
    match second.validate().await.unwrap() {
        RestoreOutcome::Restored(restored) => assert_eq!(restored.id, session.id),
        other => panic!("expected the session to be restored, got {other:?}"),
    }
    let account = Account::new(&second);
    assert_eq!(account.get().await.unwrap().id, "alice");

    // Logout revokes on the server, then forgets locally.
    account.delete_session("current").await.unwrap();
    assert!(!second.is_signed_in());
    assert_eq!(emulator.session_count("alice"), Some(0));
    assert!(account.get().await.unwrap_err().is_unauthorized());
    let third = app(&emulator, FileStore::new(&path));
    assert!(
        !third.is_signed_in(),
        "the file no longer holds the session"
    );

    // The used token is rejected.
    let reused = Account::new(&third)
        .create_session("alice", token.secret.expose_secret())
        .await
        .unwrap_err();
    assert!(reused.is_unauthorized(), "{reused}");
    assert_eq!(
        reused.error_type().map(ErrorType::as_str),
        Some("user_invalid_token")
    );
}

#[tokio::test]
async fn an_expired_token_is_rejected() {
    let emulator = emulator().await;
    let users = server(&emulator);
    users.get_or_create("bob").await.unwrap();
    let token = users
        .create_token("bob")
        .expire(Duration::from_secs(60))
        .await
        .unwrap();
    emulator.advance_time(Duration::from_secs(61));

    let client = appwrite_client::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .build()
        .unwrap();
    let error = Account::new(&client)
        .create_session("bob", token.secret.expose_secret())
        .await
        .unwrap_err();
    assert!(error.is_unauthorized(), "{error}");
    assert!(!client.is_signed_in());
}

#[tokio::test]
async fn a_session_revoked_by_the_backend_is_noticed_by_the_app() {
    let emulator = emulator().await;
    let users = server(&emulator);
    users.get_or_create("carol").await.unwrap();
    let token = users.create_token("carol").await.unwrap();

    let client = appwrite_client::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .session_store(MemoryStore::new())
        .build()
        .unwrap();
    let mut state = client.auth_state();
    let account = Account::new(&client);
    account
        .create_session("carol", token.secret.expose_secret())
        .await
        .unwrap();
    assert!(state.borrow_and_update().is_signed_in());

    // The backend revokes every session of the user.
    users.delete_sessions("carol").await.unwrap();

    assert!(matches!(
        client.validate().await.unwrap(),
        RestoreOutcome::Revoked
    ));
    assert!(!client.is_signed_in());
    assert!(state.has_changed().unwrap());
    assert_eq!(
        *state.borrow_and_update(),
        AuthState::SignedOut {
            reason: SignOutReason::Revoked
        }
    );
}

#[tokio::test]
async fn sixteen_concurrent_redemptions_of_one_token_give_one_session() {
    // The login rate limit (10 per hour per IP and user) would answer the last attempts with 429:
    // lift it so every attempt races for the token itself.
    let emulator = Emulator::builder()
        .project(PROJECT)
        .api_key(KEY)
        .rate_limit(false)
        .start()
        .await
        .unwrap();
    let users = server(&emulator);
    users.get_or_create("dave").await.unwrap();
    let token = users.create_token("dave").await.unwrap();
    let secret: Arc<str> = token.secret.expose_secret().into();
    let endpoint = emulator.endpoint().to_owned();

    let attempts = (0..16).map(|_| {
        let secret = Arc::clone(&secret);
        let endpoint = endpoint.clone();
        tokio::spawn(async move {
            let client = appwrite_client::Client::builder()
                .endpoint(endpoint)
                .project(PROJECT)
                .build()
                .unwrap();
            Account::new(&client).create_session("dave", &*secret).await
        })
    });
    let mut created = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => created += 1,
            Err(error) => assert_eq!(
                error.error_type().map(ErrorType::as_str),
                Some("user_invalid_token"),
                "a losing redemption finds the token gone: {error}"
            ),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(emulator.session_count("dave"), Some(1));
    assert_eq!(users.list_sessions("dave").await.unwrap().total, 1);
}
