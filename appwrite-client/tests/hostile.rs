//! Answers a buggy or hostile server may give: a credential that cannot be sent back, a session
//! for another user, a 431 to a request carrying the session. None of them leaves the client
//! holding, or the store keeping, a session the client can never use.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_client::{Account, AuthState, Error, MemoryStore, RestoreOutcome, SignOutReason};
use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Signs in against an answer carrying `credential` as `source` says: the call must fail with a
/// decode error, and nothing may be held or saved.
async fn refused_sign_in(source: Source, credential: &str) {
    let server = MockServer::start().await;
    mount_login(&server, session_created(source, credential, in_days(365))).await;
    mount_account(&server).await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    let account = Account::new(&client);

    let error = account
        .create_session(USER, TOKEN_SECRET)
        .await
        .expect_err("a credential that cannot be sent back is refused");
    assert!(error.is_decode(), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("def"), "{error:?}");
    assert!(store.is_empty(), "nothing saved");
    assert!(!client.is_signed_in(), "nothing held");
    // No dead end: the client goes on as a guest.
    account.get().await.unwrap();
    let get = &received(&server, "GET", "/v1/account").await[0];
    assert!(header(get, "x-appwrite-session").is_none());
}

#[tokio::test]
async fn a_secret_with_a_newline_is_refused_at_sign_in() {
    // JSON escapes: the decoded secret holds the control character itself.
    refused_sign_in(Source::Body, r"abc\ndef").await;
}

#[tokio::test]
async fn a_secret_with_a_nul_is_refused_at_sign_in() {
    refused_sign_in(Source::Body, r"abc\u0000def").await;
}

#[tokio::test]
async fn a_non_ascii_secret_is_refused_at_sign_in() {
    refused_sign_in(Source::Body, "abcédef").await;
}

#[tokio::test]
async fn a_fallback_cookie_with_a_control_character_is_refused_at_sign_in() {
    refused_sign_in(Source::Fallback, r"abc\u0007def").await;
}

#[tokio::test]
async fn a_credential_longer_than_16_kib_is_refused_at_sign_in() {
    refused_sign_in(Source::Body, &"d".repeat(100 * 1024)).await;
}

#[tokio::test]
async fn a_credential_of_16_kib_is_accepted() {
    let server = MockServer::start().await;
    let long = "a".repeat(16 * 1024);
    mount_login(&server, session_created(Source::Body, &long, in_days(365))).await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap();
    assert!(client.is_signed_in());
    assert_eq!(store.len(), 1);
}

/// A client restored from a store holding a session whose credential cannot be put in a header
/// (a file from an older version, say).
fn client_with_unsendable_session(server: &MockServer) -> (appwrite_client::Client, MemoryStore) {
    let store = MemoryStore::new();
    let client = client_with(server, store.clone());
    let key = client.profile_key().clone();
    appwrite_client::SessionStore::save(&store, &key, &stored("bad\ncredential", in_days(30)))
        .unwrap();
    // Built again, it restores the session from the store, as at the next start.
    let client = client_with(server, store.clone());
    assert!(client.is_signed_in());
    (client, store)
}

#[tokio::test]
async fn logout_drops_a_restored_session_that_cannot_be_sent() {
    let server = MockServer::start().await;
    let (client, store) = client_with_unsendable_session(&server);
    let account = Account::new(&client);

    account.delete_session("current").await.unwrap();
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
    assert_eq!(
        *client.auth_state().borrow(),
        AuthState::SignedOut {
            reason: SignOutReason::LoggedOut
        }
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing could be sent"
    );
}

#[tokio::test]
async fn validate_forgets_a_restored_session_that_cannot_be_sent() {
    let server = MockServer::start().await;
    let (client, store) = client_with_unsendable_session(&server);

    let outcome = client.validate().await.unwrap();
    assert!(matches!(outcome, RestoreOutcome::Revoked), "{outcome:?}");
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_new_sign_in_replaces_a_restored_session_that_cannot_be_sent() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let (client, store) = client_with_unsendable_session(&server);

    Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap();
    assert!(client.is_signed_in());
    let key = client.profile_key().clone();
    let kept = appwrite_client::SessionStore::load(&store, &key)
        .unwrap()
        .unwrap();
    assert_eq!(kept.credential.expose_secret(), url_encoded(&credential()));
    assert!(
        received(&server, "DELETE", "/v1/account/sessions/current")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_session_for_another_user_is_an_error_and_is_neither_held_nor_saved() {
    let server = MockServer::start().await;
    let body = session_json(SESSION_ID, in_days(365)).replace(
        &format!(r#""userId":"{USER}""#),
        r#""userId":"someone-else""#,
    );
    let fallback = format!(r#"{{"a_session_{PROJECT}":"{}"}}"#, credential_2());
    mount_login(
        &server,
        ResponseTemplate::new(201)
            .insert_header("x-fallback-cookies", fallback)
            .set_body_raw(body, "application/json"),
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/current",
        logged_out(),
    )
    .await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());

    let error = Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .expect_err("a session for someone else is refused");
    assert!(error.is_decode(), "{error:?}");
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
    // Not kept, so not left behind on the server either.
    let revoke = &received(&server, "DELETE", "/v1/account/sessions/current").await[0];
    assert_eq!(
        header(revoke, "x-appwrite-session"),
        Some(credential_2().as_str())
    );
}

/// 431: the request's headers (the credential among them) are too big for the server.
fn too_large() -> ResponseTemplate {
    ResponseTemplate::new(431)
}

/// A client signed in with the default credential.
async fn signed_in(server: &MockServer) -> (appwrite_client::Client, MemoryStore) {
    mount_default_login(server).await;
    let store = MemoryStore::new();
    let client = client_with(server, store.clone());
    Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap();
    (client, store)
}

#[tokio::test]
async fn a_431_to_a_request_carrying_the_session_forgets_it() {
    let server = MockServer::start().await;
    let (client, store) = signed_in(&server).await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .respond_with(too_large())
        .mount(&server)
        .await;

    let error = Account::new(&client).get().await.unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.status == 431),
        "{error:?}"
    );
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
    assert_eq!(
        client.auth_state().borrow().sign_out_reason(),
        Some(SignOutReason::Revoked)
    );
}

#[tokio::test]
async fn validate_says_revoked_on_a_431() {
    let server = MockServer::start().await;
    let (client, store) = signed_in(&server).await;
    mount(&server, "GET", "/v1/account/sessions/current", too_large()).await;

    let outcome = client.validate().await.unwrap();
    assert!(matches!(outcome, RestoreOutcome::Revoked), "{outcome:?}");
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
}

#[tokio::test]
async fn logout_answered_with_431_still_logs_out() {
    let server = MockServer::start().await;
    let (client, store) = signed_in(&server).await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/current",
        too_large(),
    )
    .await;

    Account::new(&client)
        .delete_session("current")
        .await
        .unwrap();
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
}
