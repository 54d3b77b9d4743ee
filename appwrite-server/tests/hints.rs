//! Errors that point at the fix: the host that could not be reached, plain HTTP on an https
//! endpoint, a missing `/v1`, a bad API key, and the wait of a 429.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_server::{Client, Credential, RetryPolicy, Users};
use common::{KEY, PROJECT, mount};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

fn client_at(endpoint: String) -> Client {
    Client::builder()
        .endpoint(endpoint)
        .project(PROJECT)
        .api_key(KEY)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

fn error_body(code: u16, kind: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({
        "message": message, "code": code, "type": kind, "version": "1.9.6"
    }))
}

#[tokio::test]
async fn a_connect_error_names_the_host_and_port() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let err = Users::new(&client_at(format!("http://{address}/v1")))
        .get("user-42")
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "could not connect to appwrite at {address}: the connection was refused (is the server running, on this port?)"
        )
    );
}

#[tokio::test]
async fn a_host_name_that_does_not_resolve_says_so() {
    // `.invalid` never resolves (RFC 6761).
    let err = Users::new(&client_at("http://appwrite.no-such-host.invalid/v1".into()))
        .get("user-42")
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err}");
    assert_eq!(
        err.to_string(),
        "could not connect to appwrite at appwrite.no-such-host.invalid:80: the host name could not be resolved (check it for typos, and the network's DNS)"
    );
}

#[tokio::test]
async fn an_https_endpoint_answered_in_plain_http_says_so() {
    let server = MockServer::start().await;
    let endpoint = server.uri().replace("http://", "https://");
    let err = Users::new(&client_at(format!("{endpoint}/v1")))
        .get("user-42")
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err}");
    let message = err.to_string();
    assert!(message.contains("answered in plain HTTP"), "{message}");
    assert!(message.contains("use an http:// endpoint"), "{message}");
}

#[tokio::test]
async fn route_not_found_without_v1_hints_at_the_endpoint() {
    let server = MockServer::start().await;
    let not_found = || {
        error_body(
            404,
            "general_route_not_found",
            "Route not found. Please ensure the endpoint is configured correctly.",
        )
    };
    mount(&server, "GET", "/users/user-42", not_found()).await;
    mount(&server, "GET", "/v1/users/user-42", not_found()).await;
    let err = Users::new(&client_at(server.uri()))
        .get("user-42")
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert!(
        err.to_string()
            .contains("(hint: the endpoint should end in /v1"),
        "{err}"
    );
    // With /v1 in place the route really is unknown: no hint.
    let err = Users::new(&client_at(format!("{}/v1", server.uri())))
        .get("user-42")
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("hint"), "{err}");
}

#[tokio::test]
async fn user_unauthorized_on_a_key_request_hints_at_the_key() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/user-42",
        error_body(
            401,
            "user_unauthorized",
            "The current user is not authorized to perform the requested action.",
        ),
    )
    .await;
    mount(
        &server,
        "GET",
        "/v1/account",
        error_body(
            401,
            "user_unauthorized",
            "The current user is not authorized to perform the requested action.",
        ),
    )
    .await;
    let client = client_at(format!("{}/v1", server.uri()));
    let err = Users::new(&client).get("user-42").await.unwrap_err();
    assert!(err.is_unauthorized());
    assert!(
        err.to_string().contains("(hint: check the API key"),
        "{err}"
    );
    assert!(!err.to_string().contains(KEY));
    // A request made as a user sends no key: the hint would mislead.
    let err = client
        .as_user(Credential::jwt("a.b.c"))
        .account()
        .get()
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("hint"), "{err}");
}

#[tokio::test]
async fn a_429_says_how_long_to_wait() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/user-42",
        error_body(429, "general_rate_limit_exceeded", "Rate limit for the current endpoint has been exceeded. Please try again after some time.")
            .insert_header("retry-after", "30"),
    )
    .await;
    let err = Users::new(&client_at(format!("{}/v1", server.uri())))
        .get("user-42")
        .await
        .unwrap_err();
    assert!(err.is_rate_limited());
    assert!(err.to_string().ends_with("(retry in 30s)"), "{err}");
}

#[tokio::test]
async fn an_unknown_key_made_guest_hints_at_the_key_but_a_missing_scope_does_not() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/user-42",
        error_body(
            401,
            "general_unauthorized_scope",
            r#"User (role: guests) missing scopes (["users.read"])"#,
        ),
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/v1/users/user-42",
        error_body(
            401,
            "general_unauthorized_scope",
            r#"app.demo-project@service.localhost (role: applications) missing scopes (["users.write"])"#,
        ),
    )
    .await;
    let users = Users::new(&client_at(format!("{}/v1", server.uri())));
    let err = users.get("user-42").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("(hint: the API key was not recognised"),
        "{err}"
    );
    let err = users.delete("user-42").await.unwrap_err();
    assert!(err.is_unauthorized());
    assert!(!err.to_string().contains("hint"), "{err}");
}
