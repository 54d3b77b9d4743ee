//! Answers in the shapes Appwrite 1.9.6 really sends, which our emulator did not: database-format
//! datetimes set in memory by a controller, and the HTML error page of a path outside `/v1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_client::{Account, AuthState, Client, MemoryStore, SessionStore as _};
use common::*;
use wiremock::{MockServer, ResponseTemplate};

/// `Y-m-d H:i:s.v`, as `Utopia\Database\DateTime::now()` / `addSeconds()` write it.
fn database_datetime(at: std::time::SystemTime) -> String {
    let iso = wire_datetime(at); // 2026-12-07T13:24:33.788+00:00
    iso[..23].replacen('T', " ", 1)
}

/// `GET /v1/account` on the first authenticated request of the user's day: `accessedAt` set in
/// memory (`app/controllers/shared/api.php`, "accessedAt").
#[tokio::test]
async fn get_reads_the_first_answer_of_the_day() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let now = std::time::SystemTime::now();
    let body = user_json().replace(
        r#""accessedAt":"2024-10-15T06:38:00.000+00:00""#,
        &format!(r#""accessedAt":"{}""#, database_datetime(now)),
    );
    assert!(body.contains(&database_datetime(now)));
    mount(&server, "GET", "/v1/account", json(200, body)).await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();

    let me = account.get().await.unwrap();
    assert_eq!(me.accessed_at.to_string(), wire_datetime(now));
}

/// `PATCH /v1/account/sessions/{id}` answers `expire` from `DateTime::addSeconds()` and the old
/// `$updatedAt` (`app/controllers/api/account.php`, updateSession).
#[tokio::test]
async fn update_session_reads_the_new_expiry_and_saves_it() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let extended = in_days(400);
    let body = session_json(SESSION_ID, extended).replace(
        &format!(r#""expire":"{}""#, wire_datetime(extended)),
        &format!(r#""expire":"{}""#, database_datetime(extended)),
    );
    assert!(body.contains(&database_datetime(extended)));
    mount(
        &server,
        "PATCH",
        "/v1/account/sessions/current",
        json(200, body),
    )
    .await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();

    let session = account.update_session("current").await.unwrap();
    assert_eq!(session.expire.to_string(), wire_datetime(extended));
    match &*client.auth_state().borrow() {
        AuthState::SignedIn { expire, .. } => {
            assert_eq!(expire.to_string(), wire_datetime(extended));
        }
        other => panic!("expected SignedIn, got {other:?}"),
    }
    let saved = store.load(client.profile_key()).unwrap().unwrap();
    assert_eq!(saved.expire.to_string(), wire_datetime(extended));
}

/// Without `/v1`, Appwrite answers a path it does not know with its HTML error page
/// (`app/controllers/general.php`, `error.phtml`): the hint still reaches the user.
#[tokio::test]
async fn an_html_error_page_for_a_missing_v1_still_hints_at_the_endpoint() {
    let server = MockServer::start().await;
    let page = "<!DOCTYPE html><html><body><div id=\"views-error\" class=\"content large-error\">\
        <h1>Route not found. Please ensure the endpoint is configured correctly and that the API \
        route is valid for this SDK version. Refer to the API docs for more details.</h1>\
        <div class=\"center\"><span class='type'>general_route_not_found</span></div></div>\
        </body></html>";
    let html = ResponseTemplate::new(404).set_body_raw(page, "text/html; charset=UTF-8");
    mount(&server, "POST", "/account/sessions/token", html).await;
    let client = Client::builder()
        .endpoint(server.uri())
        .project(PROJECT)
        .build()
        .unwrap();

    let err = Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let message = err.to_string();
    assert!(message.contains("general_route_not_found"), "{message}");
    assert!(
        message.contains("(hint: the endpoint should end in /v1"),
        "{message}"
    );
    assert!(!client.is_signed_in());
}
