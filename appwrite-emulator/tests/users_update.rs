//! The user update routes over HTTP: Appwrite 1.9.6's validation, errors and effects.

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, expect_error, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn patch(env: &Env, path: &str, body: Value) -> Value {
    let (status, _, answer) = send(env.admin(Method::PATCH, path).json(&body)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    answer
}

#[tokio::test]
async fn name_email_phone_and_verification_are_updated() {
    let env = Env::start().await;
    env.create_user("u1").await;

    let user = patch(&env, "/users/u1/name", json!({"name": "Ada"})).await;
    assert_eq!(user["name"], "Ada");
    let user = patch(&env, "/users/u1/name", json!({"name": ""})).await;
    assert_eq!(user["name"], "");

    let user = patch(&env, "/users/u1/email", json!({"email": "Ada@Example.com"})).await;
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["emailVerification"], false);
    assert_eq!(user["targets"][0]["identifier"], "ada@example.com");
    assert_eq!(user["targets"][0]["providerType"], "email");

    let user = patch(
        &env,
        "/users/u1/verification",
        json!({"emailVerification": true}),
    )
    .await;
    assert_eq!(user["emailVerification"], true);
    // A new address is unverified again, and its target follows.
    let user = patch(&env, "/users/u1/email", json!({"email": "ada@example.org"})).await;
    assert_eq!(user["emailVerification"], false);
    assert_eq!(user["targets"].as_array().unwrap().len(), 1);
    assert_eq!(user["targets"][0]["identifier"], "ada@example.org");

    let user = patch(&env, "/users/u1/phone", json!({"number": "+14155550100"})).await;
    assert_eq!(user["phone"], "+14155550100");
    let user = patch(
        &env,
        "/users/u1/verification/phone",
        json!({"phoneVerification": true}),
    )
    .await;
    assert_eq!(user["phoneVerification"], true);
    assert_eq!(user["targets"].as_array().unwrap().len(), 2);

    // Empty removes the value and its target.
    let user = patch(&env, "/users/u1/phone", json!({"number": ""})).await;
    assert_eq!(user["phone"], "");
    assert_eq!(user["targets"].as_array().unwrap().len(), 1);
    let user = patch(&env, "/users/u1/email", json!({"email": ""})).await;
    assert_eq!(user["email"], "");
    assert!(user["targets"].as_array().unwrap().is_empty());

    // The old address is free for someone else.
    let (status, _, body) = send(
        env.admin(Method::POST, "/users")
            .json(&json!({"userId": "u2", "email": "ada@example.org"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_taken_email_or_phone_is_a_target_conflict() {
    let env = Env::start().await;
    env.create_user("u1").await;
    patch(&env, "/users/u1/email", json!({"email": "a@example.com"})).await;
    patch(&env, "/users/u1/phone", json!({"number": "+14155550100"})).await;
    env.create_user("u2").await;
    for (path, body) in [
        ("/users/u2/email", json!({"email": "A@example.com"})),
        ("/users/u2/phone", json!({"number": "+14155550100"})),
        // Appwrite's target lookup does not exclude the user itself.
        ("/users/u1/email", json!({"email": "a@example.com"})),
    ] {
        expect_error(
            env.admin(Method::PATCH, path).json(&body),
            409,
            "user_target_already_exists",
        )
        .await;
    }
}

#[tokio::test]
async fn invalid_parameters_are_refused_like_appwrite() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let cases = [
        (
            "/users/u1/name",
            json!({}),
            "Param \"name\" is not optional.",
        ),
        (
            "/users/u1/name",
            json!({"name": "x".repeat(129)}),
            "Invalid `name` param: Value must be a valid string and no longer than 128 chars",
        ),
        (
            "/users/u1/email",
            json!({"email": "nope"}),
            "Invalid `email` param: Value must be a valid email address",
        ),
        (
            "/users/u1/phone",
            json!({"number": "12345"}),
            "Invalid `number` param: Phone number must start with a '+' can have a maximum of fifteen digits.",
        ),
        (
            "/users/u1/password",
            json!({"password": "short"}),
            "Invalid `password` param: Password must be between 8 and 256 characters long.",
        ),
        (
            "/users/u1/prefs",
            json!({"prefs": [1, 2]}),
            "Invalid `prefs` param: Value must be a valid object.",
        ),
        (
            "/users/u1/verification",
            json!({"emailVerification": "maybe"}),
            "Invalid `emailVerification` param: Value must be a valid boolean",
        ),
    ];
    for (path, body, message) in cases {
        let answer = expect_error(
            env.admin(Method::PATCH, path).json(&body),
            400,
            "general_argument_invalid",
        )
        .await;
        assert_eq!(answer["message"], message, "{path}");
    }
    let answer = expect_error(
        env.admin(Method::PUT, "/users/u1/labels")
            .json(&json!({"labels": ["with-dash"]})),
        400,
        "general_argument_invalid",
    )
    .await;
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "Invalid `labels` param: Value must a valid array no longer than 1000 items"
        ),
        "{message}"
    );
    expect_error(
        env.admin(Method::PATCH, "/users/nobody/name")
            .json(&json!({"name": "x"})),
        404,
        "user_not_found",
    )
    .await;
    // The scope is checked before anything else.
    expect_error(
        env.guest(Method::PATCH, "/users/u1/name")
            .json(&json!({"name": "x"})),
        401,
        "general_unauthorized_scope",
    )
    .await;
}

#[tokio::test]
async fn labels_prefs_and_password_are_stored() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let (status, _, user) = send(
        env.admin(Method::PUT, "/users/u1/labels")
            .json(&json!({"labels": ["admin", "beta", "admin"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["labels"], json!(["admin", "beta"]));

    let prefs = json!({"theme": "dark", "n": 1});
    let stored = patch(&env, "/users/u1/prefs", json!({ "prefs": prefs })).await;
    assert_eq!(stored, prefs);
    let (_, _, read) = send(env.admin(Method::GET, "/users/u1/prefs")).await;
    assert_eq!(read, prefs);
    let (_, _, user) = send(env.admin(Method::GET, "/users/u1")).await;
    assert_eq!(user["prefs"], prefs);
    assert_eq!(user["labels"], json!(["admin", "beta"]));

    assert_eq!(user["passwordUpdate"], "");
    let user = patch(
        &env,
        "/users/u1/password",
        json!({"password": "correct horse"}),
    )
    .await;
    assert_ne!(user["passwordUpdate"], "");
    assert!(user["password"].as_str().is_some_and(|p| !p.is_empty()));
    let user = patch(&env, "/users/u1/password", json!({"password": ""})).await;
    assert_eq!(user["password"], "", "{user}");
}

#[tokio::test]
async fn account_prefs_are_the_signed_in_users() {
    let env = Env::start().await;
    let credential = env.signed_in_user("u1").await;
    patch(&env, "/users/u1/prefs", json!({"prefs": {"lang": "de"}})).await;
    let (status, _, prefs) = send(env.session(Method::GET, "/account/prefs", &credential)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(prefs, json!({"lang": "de"}));
    expect_error(
        env.guest(Method::GET, "/account/prefs"),
        401,
        "general_unauthorized_scope",
    )
    .await;
}

/// Appwrite's `Password` validator counts bytes (`strlen`), not characters: `éééé` is 8 bytes in
/// 4 characters and passes; 129 `é` are 258 bytes in 129 characters and do not.
#[tokio::test]
async fn password_length_is_counted_in_bytes() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let user = patch(&env, "/users/u1/password", json!({"password": "éééé"})).await;
    assert_ne!(user["passwordUpdate"], "");
    let (status, _, created) = send(
        env.admin(Method::POST, "/users")
            .json(&json!({"userId": "u2", "password": "éééé"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    for password in ["ééé", &"é".repeat(129)] {
        expect_error(
            env.admin(Method::PATCH, "/users/u1/password")
                .json(&json!({ "password": password })),
            400,
            "general_argument_invalid",
        )
        .await;
    }
}
