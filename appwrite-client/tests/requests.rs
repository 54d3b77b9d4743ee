//! One request shape: every call returns the named `'static` [`ResponseFuture`], and every
//! builder under `appwrite_client::requests` builds its request without sending it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_client::requests::{CreateJwt, CreateMagicUrlToken, Request};
use appwrite_client::{Account, ResponseFuture, Session, User};
use common::*;
use wiremock::MockServer;

fn offline_account() -> Account {
    let client = appwrite_client::Client::builder()
        .endpoint("http://127.0.0.1:9/v1")
        .project(PROJECT)
        .build()
        .unwrap();
    Account::new(&client)
}

fn body(request: &Request) -> serde_json::Value {
    serde_json::from_slice(request.body().unwrap().unwrap()).unwrap()
}

#[tokio::test]
async fn futures_outlive_the_account_and_client_they_came_from() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    mount_account(&server).await;
    let client = builder(&server).build().unwrap();
    let sign_in: ResponseFuture<Session> = Account::new(&client).create_session(USER, TOKEN_SECRET);
    let client_2 = client.clone();
    drop(client);

    tokio::spawn(sign_in).await.unwrap().unwrap();
    let get: ResponseFuture<User> = Account::new(&client_2).get();
    drop(client_2);
    let user = tokio::spawn(get).await.unwrap().unwrap();
    assert_eq!(user.id, USER);
    let sent = &received(&server, "GET", "/v1/account").await[0];
    assert_eq!(
        header(sent, "x-appwrite-session"),
        Some(credential().as_str())
    );
}

#[test]
fn create_jwt_builds_its_request_without_sending() {
    let account = offline_account();
    let request = account
        .create_jwt()
        .duration(Duration::from_secs(600))
        .request()
        .unwrap();
    assert_eq!(request.method().as_str(), "POST");
    assert_eq!(request.path().unwrap(), "/account/jwts");
    assert_eq!(body(&request), serde_json::json!({"duration": 600}));
    let default: CreateJwt = account.create_jwt();
    assert_eq!(body(&default.request().unwrap()), serde_json::json!({}));
}

#[test]
fn a_jwt_duration_of_zero_or_with_a_fraction_is_refused_with_the_servers_message() {
    let account = offline_account();
    let refused = |duration| {
        account
            .create_jwt()
            .duration(duration)
            .request()
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refused(Duration::ZERO),
        "duration must be whole seconds between 1 and 3600, got 0s"
    );
    assert_eq!(
        refused(Duration::from_millis(1500)),
        "duration must be whole seconds between 1 and 3600, got 1.5s"
    );
    assert_eq!(
        refused(Duration::from_secs(3601)),
        "duration must be whole seconds between 1 and 3600, got 3601s"
    );
}

#[tokio::test]
async fn a_jwt_of_zero_seconds_is_refused_before_sending() {
    let server = MockServer::start().await;
    let account = Account::new(&builder(&server).build().unwrap());
    let error = account
        .create_jwt()
        .duration(Duration::ZERO)
        .await
        .unwrap_err();
    assert!(error.is_invalid_input(), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn token_builders_build_their_requests_without_sending() {
    let account = offline_account();
    let magic: CreateMagicUrlToken = account
        .create_magic_url_token(USER, "ada@example.com")
        .url("https://app.example.com/login")
        .phrase(true);
    let request = magic.request().unwrap();
    assert_eq!(request.path().unwrap(), "/account/tokens/magic-url");
    assert_eq!(
        body(&request),
        serde_json::json!({
            "userId": USER,
            "email": "ada@example.com",
            "url": "https://app.example.com/login",
            "phrase": true,
        })
    );
    let email = account
        .create_email_token(USER, "ada@example.com")
        .request()
        .unwrap();
    assert_eq!(email.path().unwrap(), "/account/tokens/email");
    assert_eq!(
        body(&email),
        serde_json::json!({"userId": USER, "email": "ada@example.com"})
    );
}
