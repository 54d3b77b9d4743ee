//! No public type prints the session credential (or its secret half) in `Debug`, and no error
//! message holds it. The literals checked are the ones the fixtures send.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_client::{
    Account, Client, CredentialMode, Error, FileStore, MemoryStore, RestoreOutcome, SessionStore,
    StoreError, StoreLocation,
};
use common::*;
use wiremock::MockServer;

fn assert_hidden(what: &str, text: &str) {
    for secret in [
        credential(),
        url_encoded(&credential()),
        SECRET.to_owned(),
        TOKEN_SECRET.to_owned(),
    ] {
        assert!(!text.contains(&secret), "{what} shows a secret: {text}");
    }
}

#[tokio::test]
async fn debug_of_every_public_type_hides_the_credential() {
    let server = MockServer::start().await;
    // The body secret too, as an API-key caller would get it.
    mount_login(
        &server,
        session_created(Source::Body, &credential(), in_days(365)),
    )
    .await;
    mount(
        &server,
        "GET",
        "/v1/account/sessions/current",
        json(200, session_json(SESSION_ID, in_days(365))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file_store = FileStore::new(dir.path().join("sessions.json"));
    let memory = MemoryStore::new();

    let builder = builder(&server)
        .session_store(file_store.clone())
        .credential_mode(CredentialMode::Cookie);
    assert_hidden("ClientBuilder", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    let account = Account::new(&client);
    let session = account.create_session(USER, TOKEN_SECRET).await.unwrap();
    assert_eq!(
        session.secret.expose_secret(),
        credential(),
        "the fixture holds it"
    );

    let stored = file_store.load(client.profile_key()).unwrap().unwrap();
    assert_eq!(stored.credential.expose_secret(), credential());
    memory.save(client.profile_key(), &stored).unwrap();
    let in_memory_client = client_with(&server, memory.clone());

    let outcome = client.validate().await.unwrap();
    assert!(matches!(outcome, RestoreOutcome::Restored(_)));

    let texts = [
        ("Client", format!("{client:?}")),
        ("Client (memory)", format!("{in_memory_client:?}")),
        ("Account", format!("{account:?}")),
        ("Session", format!("{session:?}")),
        ("StoredSession", format!("{stored:?}")),
        ("SessionCredential", format!("{:?}", stored.credential)),
        ("FileStore", format!("{file_store:?}")),
        ("MemoryStore", format!("{memory:?}")),
        ("ProfileKey", format!("{:?}", client.profile_key())),
        ("AuthState", format!("{:?}", *client.auth_state().borrow())),
        ("RestoreOutcome", format!("{outcome:?}")),
        ("CreateJwt", format!("{:?}", account.create_jwt())),
        (
            "CreateEmailToken",
            format!("{:?}", account.create_email_token(USER, "ada@example.com")),
        ),
        (
            "CreateMagicUrlToken",
            format!(
                "{:?}",
                account.create_magic_url_token(USER, "ada@example.com")
            ),
        ),
        ("CredentialMode", format!("{:?}", client.credential_mode())),
    ];
    for (what, text) in &texts {
        assert_hidden(what, text);
    }
    // The check can fail: the plain serialisation does hold the credential.
    let json = serde_json::to_string(&stored).unwrap();
    assert!(json.contains(&credential()));
}

#[tokio::test]
async fn errors_never_carry_the_credential() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    // A proxy that echoes the request's headers in its error.
    mount(
        &server,
        "GET",
        "/v1/account",
        error_json(
            403,
            "general_access_forbidden",
            &format!("refused header x-appwrite-session: {}", credential()),
        ),
    )
    .await;
    let client = builder(&server).build().unwrap();
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();
    let error = account.get().await.unwrap_err();
    assert!(error.is_forbidden());
    assert_hidden("Error Display", &error.to_string());
    assert_hidden("Error Debug", &format!("{error:?}"));
    assert!(error.to_string().contains("[redacted]"), "{error}");

    let errors: Vec<Error> = vec![
        Error::MissingCredential,
        Error::from(StoreError::Corrupt {
            location: StoreLocation::File("/tmp/sessions.json".into()),
            detail: "it is not valid JSON".into(),
        }),
    ];
    for error in &errors {
        assert_hidden("Error", &format!("{error:?} {error}"));
    }
}

#[test]
fn store_errors_name_the_file_and_chain_their_cause() {
    let error = Error::from(StoreError::Read {
        location: StoreLocation::File("/home/ada/.local/share/app/sessions.json".into()),
        source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
    });
    assert!(error.is_session_store());
    assert_eq!(error.to_string(), "session store failed");
    let store = std::error::Error::source(&error).unwrap();
    assert!(
        store
            .to_string()
            .contains("/home/ada/.local/share/app/sessions.json")
    );
    assert!(std::error::Error::source(store).is_some());
    let _ = Client::builder();
}

#[tokio::test]
async fn a_sign_in_error_never_carries_the_token_secret() {
    let server = MockServer::start().await;
    // A proxy that echoes the request body in its error.
    mount_login(
        &server,
        error_json(
            401,
            "user_invalid_token",
            &format!("refused body secret={TOKEN_SECRET}"),
        ),
    )
    .await;
    let client = builder(&server).build().unwrap();

    let error = Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap_err();

    assert!(error.is_unauthorized(), "{error:?}");
    assert_hidden("Error Display", &error.to_string());
    assert_hidden("Error Debug", &format!("{error:?}"));
    assert!(error.to_string().contains("secret=[redacted]"), "{error}");
}
