//! Answers in the shapes Appwrite 1.9.6 really sends, which our emulator did not: database-format
//! datetimes set in memory by a controller, and the HTML error page of a path outside `/v1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_server::Users;
use common::{client, fixture, in_an_hour, jwt, mount};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

/// `verify_jwt` is a `GET /v1/account` with the JWT: on the user's first authenticated request of
/// the day Appwrite answers `accessedAt` as set in memory, in the database format
/// (`app/controllers/shared/api.php`, "accessedAt").
#[tokio::test]
async fn verify_jwt_reads_the_first_answer_of_the_day() {
    let server = MockServer::start().await;
    let mut user = fixture("user.json");
    user["accessedAt"] = json!("2026-12-07 13:24:33.788");
    mount(
        &server,
        "GET",
        "/v1/account",
        ResponseTemplate::new(200).set_body_json(user),
    )
    .await;

    let verified = Users::new(&client(&server))
        .verify_jwt(jwt(in_an_hour()))
        .await
        .unwrap();
    assert_eq!(
        verified.user.accessed_at.to_string(),
        "2026-12-07T13:24:33.788+00:00"
    );
}

/// Without `/v1`, Appwrite answers a path it does not know with its HTML error page
/// (`app/controllers/general.php`, `error.phtml`): the hint still reaches the user.
#[tokio::test]
async fn an_html_error_page_for_a_missing_v1_still_hints_at_the_endpoint() {
    let server = MockServer::start().await;
    let page = "<html><body><div id=\"views-error\" class=\"content large-error\">\
        <h1>Route not found. Please ensure the endpoint is configured correctly.</h1>\
        <span class='type'>general_route_not_found</span></div></body></html>";
    let html = ResponseTemplate::new(404).set_body_raw(page, "text/html; charset=UTF-8");
    mount(&server, "GET", "/users/user-42", html).await;
    let client = appwrite_server::Client::builder()
        .endpoint(server.uri())
        .project(common::PROJECT)
        .api_key(common::KEY)
        .build()
        .unwrap();

    let err = Users::new(&client).get("user-42").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let message = err.to_string();
    assert!(message.contains("general_route_not_found"), "{message}");
    assert!(
        message.contains("(hint: the endpoint should end in /v1"),
        "{message}"
    );
}

/// A proxy's own 404 page (no Appwrite type) on an endpoint without `/v1` gets the hint too.
#[tokio::test]
async fn a_proxy_404_page_for_a_missing_v1_hints_at_the_endpoint() {
    let server = MockServer::start().await;
    let html = ResponseTemplate::new(404).set_body_raw("<h1>404 Not Found</h1>", "text/html");
    mount(&server, "GET", "/users/user-42", html).await;
    let client = appwrite_server::Client::builder()
        .endpoint(server.uri())
        .project(common::PROJECT)
        .api_key(common::KEY)
        .build()
        .unwrap();
    let err = Users::new(&client).get("user-42").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("(hint: the endpoint should end in /v1"),
        "{err}"
    );
}
