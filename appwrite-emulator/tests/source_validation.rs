//! Validation as Appwrite 1.9.6's source does it (issue 16, section 2): emails, scope errors and
//! the queries of `GET /v1/users`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_emulator::Emulator;
use common::{Env, KEY, PROJECT, expect_error, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// utopia-php/emails `Validator\Email`: PHP's `FILTER_VALIDATE_EMAIL`, which refuses an empty
/// dot-separated piece in the local part and a host name of one label.
#[tokio::test]
async fn emails_are_validated_like_php() {
    let env = Env::start().await;
    for email in ["a..b@example.com", "a.@example.com", "ada@localhost"] {
        let body = expect_error(
            env.admin(Method::POST, "/users")
                .json(&json!({"userId": "unique()", "email": email})),
            400,
            "general_argument_invalid",
        )
        .await;
        assert_eq!(
            body["message"],
            "Invalid `email` param: Value must be a valid email address"
        );
        expect_error(
            env.guest(Method::POST, "/account/tokens/email")
                .json(&json!({"userId": "unique()", "email": email})),
            400,
            "general_argument_invalid",
        )
        .await;
    }
    let (status, _, body) = send(
        env.admin(Method::POST, "/users")
            .json(&json!({"userId": "unique()", "email": "o'hara+x@mail.example.org"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// app/controllers/shared/api.php step 9: the message lists the route's whole `scope` label, as
/// `json_encode` writes it; any one of them is enough (users.php `listSessions` has
/// `['users.read', 'sessions.read']`).
#[tokio::test]
async fn scope_errors_list_all_of_the_routes_scopes() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .api_key_with_scopes("writer", ["users.write"])
            .api_key_with_scopes("session-reader", ["sessions.read"]),
    )
    .await;
    env.create_user("u1").await;
    let with_key = |key: &str, method: Method, path: &str| {
        env.guest(method, path).header("X-Appwrite-Key", key)
    };
    let body = expect_error(
        with_key("writer", Method::GET, "/users/u1/sessions"),
        401,
        "general_unauthorized_scope",
    )
    .await;
    let message = body["message"].as_str().unwrap();
    assert!(
        message
            .ends_with(r#"(role: applications) missing scopes (["users.read","sessions.read"])"#),
        "{message}"
    );
    let (status, _, list) = send(with_key(
        "session-reader",
        Method::GET,
        "/users/u1/sessions",
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let body = expect_error(
        with_key("session-reader", Method::DELETE, "/users/u1/sessions"),
        401,
        "general_unauthorized_scope",
    )
    .await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .ends_with(r#"missing scopes (["users.write","sessions.write"])"#),
        "{body}"
    );
}

async fn list(env: &Env, query: &Value) -> (StatusCode, Value) {
    let url =
        reqwest::Url::parse_with_params(&env.url("/users"), &[("queries[]", query.to_string())])
            .unwrap();
    let (status, _, body) = send(
        env.http
            .get(url)
            .header("X-Appwrite-Project", PROJECT)
            .header("X-Appwrite-Key", KEY),
    )
    .await;
    (status, body)
}

/// src/Appwrite/Utopia/Database/Validator/Queries/Base.php adds `$id`, `$createdAt`,
/// `$updatedAt` and `$sequence` to `Queries\Users`' attributes; utopia-php/database 6.0.0's
/// `Filter` refuses `equal` on an array attribute, and its `Limit` has no upper bound.
#[tokio::test]
async fn user_queries_as_utopia_database_validates_them() {
    let env = Env::start().await;
    let first = env.create_user("u1").await;
    env.create_user("u2").await;

    let (status, body) = list(
        &env,
        &json!({"method": "equal", "attribute": "$id", "values": ["u2"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 1);
    assert_eq!(body["users"][0]["$id"], "u2");
    for attribute in ["$createdAt", "$updatedAt"] {
        let query =
            json!({"method": "equal", "attribute": attribute, "values": [first[attribute]]});
        let (status, body) = list(&env, &query).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body["users"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["$id"] == "u1"),
            "{attribute}: {body}"
        );
    }

    let (status, body) = list(
        &env,
        &json!({"method": "equal", "attribute": "labels", "values": ["vip"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["type"], "general_argument_invalid");
    assert_eq!(
        body["message"],
        r#"Invalid `queries` param: Invalid query: Cannot query equal on attribute "labels" because it is an array."#
    );

    let (status, body) = list(&env, &json!({"method": "limit", "values": [100_000]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["users"].as_array().unwrap().len(), 2);

    let (status, body) = list(
        &env,
        &json!({"method": "equal", "attribute": "accessedAt", "values": ["x"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
