//! Projects, API keys, scopes, credential precedence and blocked users over HTTP.

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_emulator::Emulator;
use appwrite_models::credential;
use common::{Env, KEY, PROJECT, expect_error, send};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn project_and_key_errors() {
    let env = Env::start().await;
    let no_project = env.http.get(env.url("/account"));
    expect_error(no_project, 404, "project_not_found").await;
    let wrong = env
        .http
        .get(env.url("/users"))
        .header("x-appwrite-project", "other");
    expect_error(wrong, 404, "project_not_found").await;
    let key_without_project = env
        .http
        .get(env.url("/users"))
        .header("x-appwrite-key", KEY);
    expect_error(key_without_project, 403, "project_id_missing").await;
    let unknown_key = env
        .guest(Method::GET, "/users")
        .header("x-appwrite-key", "nope");
    expect_error(unknown_key, 401, "user_unauthorized").await;
    // A `project` query parameter selects the project, but a key still needs the header.
    expect_error(
        env.http
            .get(env.url("/users?project=demo"))
            .header("x-appwrite-key", KEY),
        403,
        "project_id_missing",
    )
    .await;
    let credential = env.signed_in_user("u1").await;
    let (status, _, me) = send(
        env.http
            .get(env.url("/account?project=demo"))
            .header("x-appwrite-session", &credential),
    )
    .await;
    assert_eq!((status, me["$id"].clone()), (StatusCode::OK, json!("u1")));
    // Header names are case-insensitive.
    let (status, _, _) = send(
        env.http
            .get(env.url("/users"))
            .header("X-APPWRITE-PROJECT", PROJECT)
            .header("x-appwrite-KEY", KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn guests_and_keys_lack_the_account_scope() {
    let env = Env::start().await;
    let error = expect_error(
        env.guest(Method::GET, "/account"),
        401,
        "general_unauthorized_scope",
    )
    .await;
    assert_eq!(
        error["message"],
        r#"User (role: guests) missing scopes (["account"])"#
    );
    let error = expect_error(
        env.admin(Method::GET, "/account"),
        401,
        "general_unauthorized_scope",
    )
    .await;
    assert_eq!(
        error["message"],
        r#"app.demo@service.127.0.0.1 (role: applications) missing scopes (["account"])"#
    );
    // Even a key plus a valid session cannot use account routes.
    let credential = env.signed_in_user("u1").await;
    expect_error(
        env.admin(Method::GET, "/account")
            .header("x-appwrite-session", &credential),
        401,
        "general_unauthorized_scope",
    )
    .await;
    // And a session cannot use the users routes.
    let error = expect_error(
        env.session(Method::GET, "/users", &credential),
        401,
        "general_unauthorized_scope",
    )
    .await;
    assert_eq!(
        error["message"],
        r#"User (role: users) missing scopes (["users.read"])"#
    );
}

#[tokio::test]
async fn key_scopes_are_enforced() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .api_key_with_scopes("reader", ["users.read"])
            .api_key_with_scopes("sessions-only", ["sessions.write"]),
    )
    .await;
    env.create_user("u1").await;
    let reader = |m: Method, p: &str| env.guest(m, p).header("x-appwrite-key", "reader");
    let (status, _, _) = send(reader(Method::GET, "/users/u1")).await;
    assert_eq!(status, StatusCode::OK);
    let error = expect_error(
        reader(Method::POST, "/users/u1/tokens").json(&json!({})),
        401,
        "general_unauthorized_scope",
    )
    .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .ends_with(r#"missing scopes (["users.write"])"#)
    );
    expect_error(
        reader(Method::POST, "/account/sessions/token")
            .json(&json!({"userId": "u1", "secret": "x"})),
        401,
        "general_unauthorized_scope",
    )
    .await;
    // `users.createSession` accepts either users.write or sessions.write, from a key.
    let (status, _, _) = send(
        env.guest(Method::POST, "/users/u1/sessions")
            .header("x-appwrite-key", "sessions-only"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    expect_error(
        env.guest(Method::POST, "/users/u1/sessions"),
        401,
        "general_unauthorized_scope",
    )
    .await;
}

#[tokio::test]
async fn credential_precedence_and_invalid_credentials() {
    let env = Env::start().await;
    env.create_user("alice").await;
    env.create_user("bob").await;
    let (_, alice) = env.login("alice").await;
    let (_, bob) = env.login("bob").await;
    let me = |request| async {
        let (status, _, body) = send(request).await;
        (status, body["$id"].as_str().unwrap_or("").to_owned())
    };
    let cookie = |c: &str| format!("a_session_{PROJECT}={}", c.replace('=', "%3D"));
    let legacy = |c: &str| format!("a_session_{PROJECT}_legacy={}", c.replace('=', "%3D"));
    let fallback = |c: &str| json!({ format!("a_session_{PROJECT}"): c }).to_string();

    // The cookie beats the legacy cookie, which beats X-Appwrite-Session, which beats the fallback.
    let request = env
        .guest(Method::GET, "/account")
        .header("cookie", format!("{}; {}", legacy(&bob), cookie(&alice)))
        .header("x-appwrite-session", &bob)
        .header("x-fallback-cookies", fallback(&bob));
    assert_eq!(me(request).await, (StatusCode::OK, "alice".to_owned()));
    let request = env
        .guest(Method::GET, "/account")
        .header("cookie", legacy(&alice))
        .header("x-appwrite-session", &bob);
    assert_eq!(me(request).await, (StatusCode::OK, "alice".to_owned()));
    let request = env
        .session(Method::GET, "/account", &alice)
        .header("x-fallback-cookies", fallback(&bob));
    assert_eq!(me(request).await, (StatusCode::OK, "alice".to_owned()));

    // A cookie that does not decode is skipped; one that decodes but is wrong means guest.
    let request = env
        .session(Method::GET, "/account", &bob)
        .header("cookie", format!("a_session_{PROJECT}=garbage"));
    assert_eq!(me(request).await, (StatusCode::OK, "bob".to_owned()));
    let forged = credential::encode("alice", &"0".repeat(256));
    let request = env
        .session(Method::GET, "/account", &bob)
        .header("cookie", cookie(&forged));
    assert_eq!(me(request).await.0, StatusCode::UNAUTHORIZED);

    // Fallback `[]`, garbage or another project's key: guest, not an error about the header.
    for value in ["[]", "not json", r#"{"a_session_other":"x"}"#, "{}"] {
        expect_error(
            env.guest(Method::GET, "/account")
                .header("x-fallback-cookies", value),
            401,
            "general_unauthorized_scope",
        )
        .await;
    }
    expect_error(
        env.guest(Method::GET, "/account")
            .header("x-appwrite-session", "%%%"),
        401,
        "general_unauthorized_scope",
    )
    .await;
}

#[tokio::test]
async fn blocked_users_are_refused_until_unblocked() {
    let env = Env::start().await;
    let credential = env.signed_in_user("u1").await;
    let block = |status: bool| {
        env.admin(Method::PATCH, "/users/u1/status")
            .json(&json!({ "status": status }))
    };
    send(block(false)).await;
    expect_error(
        env.session(Method::GET, "/account", &credential),
        403,
        "user_blocked",
    )
    .await;
    // A blocked user can still redeem a token (Appwrite checks on later requests).
    let secret = env.token("u1").await;
    let login = env.redeem("u1", &secret).await;
    assert_eq!(login.status, StatusCode::CREATED);
    send(block(true)).await;
    let (status, _, _) = send(env.session(Method::GET, "/account", &credential)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn deleted_users_lose_their_sessions() {
    let env = Env::start().await;
    let credential = env.signed_in_user("u1").await;
    send(env.admin(Method::DELETE, "/users/u1")).await;
    env.expect_refused(&credential).await;
    // Recreating the id does not revive old sessions.
    env.create_user("u1").await;
    env.expect_refused(&credential).await;
}
