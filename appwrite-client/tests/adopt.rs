//! `Client::adopt_session` against answers the emulator cannot give: a server whose session has
//! expired by the client's clock. (The end-to-end tests are in the workspace's
//! `tests/adopt_session.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_client::MemoryStore;
use common::*;

#[tokio::test]
async fn a_session_expired_by_the_local_clock_is_refused() {
    let server = wiremock::MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account/sessions/current",
        json(200, session_json(SESSION_ID, days_ago(1))),
    )
    .await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());

    let error = client.adopt_session(credential()).await.unwrap_err();
    assert!(error.is_invalid_input(), "{error:?}");
    assert_eq!(error.to_string(), "the session has expired");
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
    // The check was made with the credential to adopt, as `X-Appwrite-Session`.
    let asked = &received(&server, "GET", "/v1/account/sessions/current").await[0];
    assert_eq!(
        header(asked, "x-appwrite-session"),
        Some(credential().as_str())
    );
}

#[tokio::test]
async fn a_live_session_is_held_with_the_servers_ids_and_expiry() {
    let server = wiremock::MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account/sessions/current",
        json(200, session_json(SESSION_ID, in_days(30))),
    )
    .await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());

    client.adopt_session(credential()).await.unwrap();
    assert!(client.is_signed_in());
    let stored = appwrite_client::SessionStore::load(&store, client.profile_key())
        .unwrap()
        .unwrap();
    assert_eq!(stored.session_id.as_str(), SESSION_ID);
    assert_eq!(stored.user_id.as_str(), USER);
    assert!(!stored.expire.is_unset());
}
