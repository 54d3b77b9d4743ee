//! Answers written from Appwrite 1.9.6's source (issue 16, section 2): values a controller sets in
//! memory and answers in Utopia's database format, the users JWT route, JWT durations, deleting
//! another user's session by id, and the session cap.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_emulator::Emulator;
use base64::Engine as _;
use common::{Env, KEY, PROJECT, expect_error, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// `Y-m-d H:i:s.v`: utopia-php/database's `DateTime::now()` / `addSeconds()`.
fn is_db_format(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 23
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            _ => c.is_ascii_digit(),
        })
}

/// The database-format `text` as the wire's ISO 8601 (UTC).
fn db_as_wire(text: &str) -> String {
    format!("{}T{}+00:00", &text[..10], &text[11..])
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

/// app/controllers/shared/api.php step 6: the first authenticated request of a user in each
/// `APP_USER_ACCESS` (24 h) sets `accessedAt` on the in-memory user (`DateTime::now()`), writes
/// it without reading back, and that request's `GET /v1/account` answers the database format
/// with the old `$updatedAt`. The next request reads the stored (ISO) values.
#[tokio::test]
async fn first_access_of_the_day_is_answered_in_database_format() {
    let env = Env::start().await;
    let credential = env.signed_in_user("ada").await;
    let (_, _, before) = send(env.admin(Method::GET, "/users/ada")).await;
    assert_eq!(before["accessedAt"], "", "a user made by POST /v1/users");

    let (status, _, first) = send(env.session(Method::GET, "/account", &credential)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let accessed = text(&first["accessedAt"]).to_owned();
    assert!(is_db_format(&accessed), "{first}");
    assert_eq!(first["$updatedAt"], before["$updatedAt"], "old $updatedAt");

    let (_, _, second) = send(env.session(Method::GET, "/account", &credential)).await;
    assert_eq!(text(&second["accessedAt"]), db_as_wire(&accessed));
    assert_eq!(
        second["$updatedAt"], second["accessedAt"],
        "the access update"
    );

    // A day later the next request updates it again, also through a JWT (`verify_jwt`).
    env.emu.advance_time(Duration::from_secs(24 * 60 * 60 + 1));
    let jwt = user_jwt(&env, "ada", json!({"sessionId": "recent"})).await;
    let (status, _, third) = send(
        env.guest(Method::GET, "/account")
            .header("X-Appwrite-JWT", &jwt),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert!(is_db_format(text(&third["accessedAt"])), "{third}");
    assert_eq!(third["$updatedAt"], second["$updatedAt"]);
}

/// app/controllers/api/account.php `updateSession`: `expire` set in memory with
/// `DateTime::addSeconds` and answered without reading back; `$updatedAt` is the old one.
#[tokio::test]
async fn extending_a_session_answers_expire_in_database_format() {
    let env = Env::start().await;
    let credential = env.signed_in_user("ada").await;
    let (_, _, old) =
        send(env.session(Method::GET, "/account/sessions/current", &credential)).await;
    env.emu.advance_time(Duration::from_secs(60));

    let (status, _, patched) =
        send(env.session(Method::PATCH, "/account/sessions/current", &credential)).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let expire = text(&patched["expire"]).to_owned();
    assert!(is_db_format(&expire), "{patched}");
    assert_eq!(patched["$updatedAt"], old["$updatedAt"], "old $updatedAt");
    assert_ne!(db_as_wire(&expire), text(&old["expire"]), "extended");

    let (_, _, read) =
        send(env.session(Method::GET, "/account/sessions/current", &credential)).await;
    assert_eq!(text(&read["expire"]), db_as_wire(&expire));
    assert_ne!(
        read["$updatedAt"], old["$updatedAt"],
        "stored with a new $updatedAt"
    );
}

/// The email, magic-URL and phone token routes create a new user with `accessedAt`
/// (`DateTime::now()` in `createDocument`, read back: ISO), and the email route keeps the email
/// as typed (account.php `createEmailToken`, `'email' => $email`).
#[tokio::test]
async fn token_routes_create_users_with_accessed_at_and_the_email_as_typed() {
    let env = Env::start().await;
    for (path, body, id) in [
        (
            "/account/tokens/email",
            json!({"userId": "e1", "email": "Ada.Lovelace@Example.com"}),
            "e1",
        ),
        (
            "/account/tokens/magic-url",
            json!({"userId": "m1", "email": "m1@example.com"}),
            "m1",
        ),
        (
            "/account/tokens/phone",
            json!({"userId": "p1", "phone": "+15550100"}),
            "p1",
        ),
    ] {
        let (status, _, token) = send(env.guest(Method::POST, path).json(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {token}");
        let (_, _, user) = send(env.admin(Method::GET, &format!("/users/{id}"))).await;
        assert_eq!(user["accessedAt"], user["$createdAt"], "{path}: {user}");
    }
    let (_, _, user) = send(env.admin(Method::GET, "/users/e1")).await;
    assert_eq!(user["email"], "Ada.Lovelace@Example.com");
}

/// The claims of a JWT, unverified.
fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

async fn user_jwt(env: &Env, user_id: &str, body: Value) -> String {
    let (status, _, jwt) = send(
        env.admin(Method::POST, &format!("/users/{user_id}/jwts"))
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{jwt}");
    text(&jwt["jwt"]).to_owned()
}

/// app/controllers/api/users.php `createJWT`: `sessionId` defaults to `''`, and only the literal
/// `recent` picks the newest session; a JWT naming no session is tied to none
/// (app/init/resources/request.php: the session check runs only for a non-empty `sessionId`), so
/// it keeps working after every session is gone.
#[tokio::test]
async fn users_jwt_without_session_id_is_tied_to_no_session() {
    let env = Env::start().await;
    let credential = env.signed_in_user("ada").await;
    let (_, _, session) =
        send(env.session(Method::GET, "/account/sessions/current", &credential)).await;

    let unbound = user_jwt(&env, "ada", json!({})).await;
    assert_eq!(claims(&unbound)["sessionId"], "");
    let recent = user_jwt(&env, "ada", json!({"sessionId": "recent"})).await;
    assert_eq!(claims(&recent)["sessionId"], session["$id"]);
    let unknown = user_jwt(&env, "ada", json!({"sessionId": "nope"})).await;
    assert_eq!(claims(&unknown)["sessionId"], "");

    let (status, _, _) =
        send(env.session(Method::DELETE, "/account/sessions/current", &credential)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, me) = send(
        env.guest(Method::GET, "/account")
            .header("X-Appwrite-JWT", &unbound),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["$id"], "ada");
    expect_error(
        env.guest(Method::GET, "/account")
            .header("X-Appwrite-JWT", &recent),
        401,
        "general_unauthorized_scope",
    )
    .await;
}

/// adhocore/jwt 1.1.4 refuses a max age below 1 in its constructor (`JWTException`, not an
/// Appwrite exception): app/controllers/general.php turns it into 500 `general_unknown` with the
/// message `Server Error`. Both JWT routes accept 0 through `Range(0, 3600)` first.
#[tokio::test]
async fn jwt_duration_zero_is_a_server_error() {
    let env = Env::start().await;
    let credential = env.signed_in_user("ada").await;
    for request in [
        env.admin(Method::POST, "/users/ada/jwts")
            .json(&json!({"duration": 0})),
        env.session(Method::POST, "/account/jwts", &credential)
            .json(&json!({"duration": 0})),
    ] {
        let body = expect_error(request, 500, "general_unknown").await;
        assert_eq!(body["message"], "Server Error");
    }
    user_jwt(&env, "ada", json!({"duration": 1})).await;
}

/// app/controllers/api/users.php `deleteSession`: the user must exist, then the session is
/// looked up by id alone (`getDocument('sessions', $sessionId)`) and deleted.
#[tokio::test]
async fn deleting_a_session_through_another_user_deletes_it() {
    let env = Env::start().await;
    env.create_user("a").await;
    let b_credential = env.signed_in_user("b").await;
    let (_, _, b_session) =
        send(env.session(Method::GET, "/account/sessions/current", &b_credential)).await;
    let path = format!("/users/a/sessions/{}", text(&b_session["$id"]));
    let (status, _, _) = send(env.admin(Method::DELETE, &path)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(env.emu.session_count("b"), Some(0));
    env.expect_refused(&b_credential).await;
    expect_error(
        env.admin(Method::DELETE, &path),
        404,
        "user_session_not_found",
    )
    .await;
    expect_error(
        env.admin(Method::DELETE, "/users/nobody/sessions/x"),
        404,
        "user_not_found",
    )
    .await;
}

/// A project made on 1.9.6 has `maxSessions` 0 (Projects/Create.php) and the `session` shutdown
/// hook in app/controllers/shared/api.php returns at 0: no cap. `max_sessions(n)` turns one on.
#[tokio::test]
async fn sessions_are_not_capped_unless_asked() {
    let env = Env::start().await;
    env.create_user("ada").await;
    for _ in 0..12 {
        env.login("ada").await;
    }
    assert_eq!(env.emu.session_count("ada"), Some(12));

    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .max_sessions(3),
    )
    .await;
    env.create_user("ada").await;
    let (first, _) = env.login("ada").await;
    for _ in 0..4 {
        env.login("ada").await;
    }
    assert_eq!(env.emu.session_count("ada"), Some(3));
    let (_, _, list) = send(env.admin(Method::GET, "/users/ada/sessions")).await;
    assert!(
        list["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["$id"] != first.body["$id"]),
        "the oldest went"
    );
}
