//! Every argument Appwrite's rules refuse (`appwrite_models::protocol::rules`) is refused before
//! anything is sent, the same way wherever it is an argument; what Appwrite takes is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_server::{Error, Preferences};
use common::{json_response, mount, users};
use serde_json::json;
use wiremock::MockServer;

fn refused(result: Result<impl std::fmt::Debug, Error>, says: &str) {
    let err = result.unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert!(err.to_string().contains(says), "{err}");
}

#[tokio::test]
async fn refused_before_sending() {
    let server = MockServer::start().await;
    let users = users(&server);
    let long_name = "n".repeat(129);
    refused(
        users.create("u1").name(&long_name).await,
        "name must be at most 128",
    );
    refused(
        users.update_name("u1", &long_name).await,
        "name must be at most 128",
    );
    refused(
        users.get_or_create("u1").name(&long_name).await,
        "name must be at most 128",
    );
    refused(users.create("u1").phone("4155552671").await, "phone");
    refused(users.update_phone("u1", "+0123456").await, "phone");
    refused(
        users.create("u1").password("short").await,
        "password must be between 8 and 256",
    );
    refused(
        users.update_password("u1", "short").await,
        "password must be between 8 and 256",
    );
    refused(users.update_labels("u1", ["not-alnum"]).await, "each label");
    let big = Preferences::from(
        json!({ "blob": "x".repeat(65_536) })
            .as_object()
            .unwrap()
            .clone(),
    );
    refused(
        users.update_prefs("u1", big).await,
        "prefs must be at most 65535",
    );
    refused(
        users.list().queries(vec!["{}"; 101]).await,
        "at most 100 queries",
    );
    refused(users.list().query("q".repeat(4097)).await, "each query");
    refused(users.list().search("s".repeat(257)).await, "search");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn what_appwrite_takes_is_sent() {
    let server = MockServer::start().await;
    mount(
        &server,
        "PATCH",
        "/v1/users/u1/phone",
        json_response(200, "user.json"),
    )
    .await;
    mount(
        &server,
        "PATCH",
        "/v1/users/u1/password",
        json_response(200, "user.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/v1/users",
        json_response(200, "user_list.json"),
    )
    .await;
    let users = users(&server);
    // `""` removes a phone number or a password (`allowEmpty: true` in `users.php`).
    users.update_phone("u1", "").await.unwrap();
    users.update_password("u1", "").await.unwrap();
    users.update_phone("u1", "+14155552671").await.unwrap();
    // 8 bytes, as PHP's `strlen` counts: four two-byte letters.
    users.update_password("u1", "éééé").await.unwrap();
    users.list().queries(vec!["{}"; 100]).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}
