//! The builders' `request()`: what would be sent, checked without a server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use appwrite_server::requests::Request;
use appwrite_server::reqwest::Method;
use appwrite_server::{Client, Query, Users};
use serde_json::json;

/// A client pointed at a port nothing listens on: nothing here is sent.
fn users() -> Users {
    let client = Client::builder()
        .endpoint("http://127.0.0.1:9/v1")
        .project("p")
        .api_key("k")
        .build()
        .unwrap();
    Users::new(&client)
}

fn body(request: &Request) -> serde_json::Value {
    serde_json::from_slice(request.body().unwrap().unwrap()).unwrap()
}

#[test]
fn create_token_request_carries_the_checked_arguments() {
    let request = users()
        .create_token("user/42")
        .length(8)
        .expire(Duration::from_secs(600))
        .request()
        .unwrap();
    assert_eq!(request.method(), Method::POST);
    assert_eq!(request.route(), "/users/{userId}/tokens");
    assert_eq!(request.path().unwrap(), "/users/user%2F42/tokens");
    assert!(!request.is_idempotent());
    assert_eq!(body(&request), json!({"length": 8, "expire": 600}));

    let defaults = users().create_token("user-42").request().unwrap();
    assert_eq!(body(&defaults), json!({}));

    let refused = users()
        .create_token("user-42")
        .length(3)
        .request()
        .unwrap_err();
    assert_eq!(refused.message(), "length must be between 4 and 128, got 3");
    assert!(users().create_token("..").request().is_err());
}

#[test]
fn create_jwt_and_create_user_requests() {
    let jwt = users()
        .create_jwt("user-42")
        .session_id("s1")
        .duration(Duration::from_secs(60))
        .request()
        .unwrap();
    assert_eq!(jwt.path().unwrap(), "/users/user-42/jwts");
    assert_eq!(body(&jwt), json!({"sessionId": "s1", "duration": 60}));
    assert!(
        users()
            .create_jwt("user-42")
            .duration(Duration::ZERO)
            .request()
            .is_err()
    );

    let user = users()
        .create("user-42")
        .email("ada@example.com")
        .password("correct horse")
        .request()
        .unwrap();
    assert_eq!(user.path().unwrap(), "/users");
    assert_eq!(
        body(&user),
        json!({"userId": "user-42", "email": "ada@example.com", "password": "correct horse"})
    );
    // The request's Debug shows where it goes, never the body.
    assert!(!format!("{user:?}").contains("correct horse"));
}

#[test]
fn list_request_carries_its_queries() {
    let request = users()
        .list()
        .query(Query::limit(10))
        .search("ada")
        .total(false)
        .request()
        .unwrap();
    assert_eq!(request.method(), Method::GET);
    assert!(request.is_idempotent());
    assert!(request.body().unwrap().is_none());
    let pairs: Vec<(&str, &str)> = request
        .query_pairs()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("queries[]", r#"{"method":"limit","values":[10]}"#),
            ("search", "ada"),
            ("total", "false")
        ]
    );
}
