//! Details where the emulator answers as Appwrite 1.9.6 does, each checked against Appwrite's
//! source (named per test).

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_emulator::Emulator;
use common::{Env, KEY, PROJECT, expect_error, send};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn all(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The code of the newest outbox message.
fn last_secret(env: &Env) -> String {
    env.emu.outbox().last().unwrap().secret.clone()
}

// app/init/resources/request.php `user` and utopia-php/auth `Store::decode`:
// `base64_decode($value, true)` of the raw header, no URL-decoding.
#[tokio::test]
async fn header_credentials_are_strict_base64_of_the_raw_value() {
    let env = Env::start().await;
    // This id makes the encoded JSON's length not a multiple of 3, so the base64 is padded.
    let credential = env.signed_in_user("u12").await;
    assert!(credential.ends_with('='), "{credential}");
    let get = |value: &str| env.session(Method::GET, "/account", value);
    let (status, _, _) = send(get(&credential)).await;
    assert_eq!(status, StatusCode::OK);
    let unpadded = credential.trim_end_matches('=');
    let (status, _, body) = send(get(unpadded)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "unpadded base64 is accepted: {body}"
    );
    let url_encoded = credential.replace('=', "%3D");
    env.expect_refused(&url_encoded).await;

    let fallback = |value: &str| {
        env.guest(Method::GET, "/account").header(
            "x-fallback-cookies",
            json!({ format!("a_session_{PROJECT}"): value }).to_string(),
        )
    };
    let (status, _, _) = send(fallback(unpadded)).await;
    assert_eq!(status, StatusCode::OK);
    expect_error(fallback(&url_encoded), 401, "general_unauthorized_scope").await;
}

// app/controllers/api/account.php: `PUT /v1/account/sessions/magic-url` and `/phone` run
// `$createSession`; the `POST`s are aliases of the token routes.
#[tokio::test]
async fn deprecated_session_routes_create_sessions_and_their_posts_create_tokens() {
    let env = Env::start().await;
    let (status, _, token) = send(
        env.guest(Method::POST, "/account/sessions/magic-url")
            .json(&json!({"userId": "m1", "email": "m1@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    assert_eq!(token["userId"], "m1");
    assert_eq!(token["secret"], "");
    let secret = last_secret(&env);
    assert_eq!(secret.len(), 64, "a magic-URL secret");

    let (status, headers, session) = send(
        env.guest(Method::PUT, "/account/sessions/magic-url")
            .json(&json!({"userId": "m1", "secret": secret})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    assert_eq!(session["provider"], "magic-url");
    assert_eq!(all(&headers, "set-cookie").len(), 2);
    assert!(headers.contains_key("x-fallback-cookies"));
    assert_eq!(headers["x-ratelimit-limit"], "10");

    let (status, _, _) = send(
        env.guest(Method::POST, "/account/sessions/phone")
            .json(&json!({"userId": "p1", "phone": "+16175550100"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let code = last_secret(&env);
    let (status, _, session) = send(
        env.guest(Method::PUT, "/account/sessions/phone")
            .json(&json!({"userId": "p1", "secret": code})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    assert_eq!(session["provider"], "phone");

    // 10 attempts per hour per IP and user id; unlike the token route, this route's label has no
    // `abuse-reset`, so the successful login above still counts: 9 more, then 429.
    for _ in 0..9 {
        let (status, _, _) = send(
            env.guest(Method::PUT, "/account/sessions/phone")
                .json(&json!({"userId": "p1", "secret": "000000"})),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    expect_error(
        env.guest(Method::PUT, "/account/sessions/phone")
            .json(&json!({"userId": "p1", "secret": "000000"})),
        429,
        "general_rate_limit_exceeded",
    )
    .await;
}

// app/controllers/api/users.php (`password` validated whenever sent; `PasswordStrength`
// description), app/controllers/shared/api.php (step 6, `accessedAt`), utopia-php/database
// (an update that changes nothing keeps `$updatedAt`).
#[tokio::test]
async fn user_password_access_and_update_times() {
    let env = Env::start().await;
    let body = expect_error(
        env.admin(Method::POST, "/users")
            .json(&json!({"userId": "u1", "password": ""})),
        400,
        "general_argument_invalid",
    )
    .await;
    assert_eq!(
        body["message"],
        "Invalid `password` param: Password must be between 8 and 256 characters long."
    );

    let created = env.create_user("u1").await;
    assert_eq!(created["accessedAt"], "");
    env.emu.advance_time(Duration::from_secs(5));
    let (_, _, same) = send(
        env.admin(Method::PATCH, "/users/u1/status")
            .json(&json!({"status": true})),
    )
    .await;
    assert_eq!(same["$updatedAt"], created["$updatedAt"], "nothing changed");
    let (_, _, blocked) = send(
        env.admin(Method::PATCH, "/users/u1/status")
            .json(&json!({"status": false})),
    )
    .await;
    assert_ne!(blocked["$updatedAt"], created["$updatedAt"]);
    send(
        env.admin(Method::PATCH, "/users/u1/status")
            .json(&json!({"status": true})),
    )
    .await;

    let (_, credential) = env.login("u1").await;
    let (_, _, user) = send(env.admin(Method::GET, "/users/u1")).await;
    assert_eq!(
        user["accessedAt"], "",
        "redeeming a token is not authenticated"
    );
    let (_, _, account) = send(env.session(Method::GET, "/account", &credential)).await;
    assert!(
        account["accessedAt"].as_str().unwrap().starts_with("20"),
        "{account}"
    );
}

// app/controllers/api/account.php `POST /v1/account/jwts`: `Range(0, 3600)` (0 is refused later,
// see tests/source_answers.rs), and ahc/jwt sets `exp` = now + duration. The messages are ahc/jwt's
// (ValidatesJWT.php).
#[tokio::test]
async fn jwt_expiry_and_jwt_errors() {
    let env = Env::start().await;
    let credential = env.signed_in_user("u1").await;
    let (status, _, body) = send(
        env.session(Method::POST, "/account/jwts", &credential)
            .json(&json!({"duration": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    env.emu.advance_time(std::time::Duration::from_secs(2));
    let with_jwt = |jwt: &str| {
        env.guest(Method::GET, "/account")
            .header("x-appwrite-jwt", jwt)
    };
    let expired = expect_error(
        with_jwt(body["jwt"].as_str().unwrap()),
        401,
        "user_jwt_invalid",
    )
    .await;
    assert_eq!(
        expired["message"],
        "Failed to verify JWT. Invalid token: Expired"
    );
    let body = expect_error(
        env.session(Method::POST, "/account/jwts", &credential)
            .json(&json!({"duration": -1})),
        400,
        "general_argument_invalid",
    )
    .await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("between 0 and 3,600"),
        "{body}"
    );

    for (jwt, message) in [
        ("garbage", "Invalid token: Incomplete segments"),
        ("a.b.c", "JSON failed: Syntax error"),
        (
            "eyJ0eXAiOiJKV1QifQ.e30.x",
            "Invalid token: Missing header algo",
        ),
        (
            "eyJhbGciOiJub25lIn0.e30.x",
            "Invalid token: Unsupported header algo",
        ),
        (
            "eyJhbGciOiJIUzI1NiJ9.e30.x",
            "Invalid token: Signature failed",
        ),
    ] {
        let body = expect_error(with_jwt(jwt), 401, "user_jwt_invalid").await;
        assert_eq!(body["message"], format!("Failed to verify JWT. {message}"));
    }
}

// app/controllers/api/account.php labels and app/controllers/shared/api.php (the abuse hook).
#[tokio::test]
async fn token_session_and_jwt_routes_have_appwrites_limits() {
    let env = Env::start().await;
    let email = |address: &str| {
        env.guest(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "unique()", "email": address}))
    };
    for i in 0..10 {
        let (status, headers, body) = send(email("a@example.com")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(headers["x-ratelimit-limit"], "10");
        assert_eq!(headers["x-ratelimit-remaining"], (9 - i).to_string());
    }
    expect_error(email("a@example.com"), 429, "general_rate_limit_exceeded").await;
    // The second key counts per IP: another address from the same client is refused too.
    expect_error(email("b@example.com"), 429, "general_rate_limit_exceeded").await;
    // API keys are never limited, but see the headers.
    let (status, headers, _) = send(
        env.admin(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "unique()", "email": "a@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(headers.contains_key("x-ratelimit-remaining"));

    let (status, headers, _) = send(
        env.guest(Method::POST, "/account/tokens/magic-url")
            .json(&json!({"userId": "unique()", "email": "c@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["x-ratelimit-limit"], "60");

    let credential = env.signed_in_user("u1").await;
    let (_, headers, _) = send(
        env.session(Method::POST, "/account/jwts", &credential)
            .json(&json!({})),
    )
    .await;
    assert_eq!(headers["x-ratelimit-limit"], "120");
    let reset: i64 = headers["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(reset % 60, 0, "a 60-second window");
    for _ in 0..10 {
        let (status, _, _) =
            send(env.session(Method::PATCH, "/account/sessions/current", &credential)).await;
        assert_eq!(status, StatusCode::OK);
    }
    expect_error(
        env.session(Method::PATCH, "/account/sessions/current", &credential),
        429,
        "general_rate_limit_exceeded",
    )
    .await;
    let (_, headers, _) =
        send(env.session(Method::DELETE, "/account/sessions/current", &credential)).await;
    assert_eq!(headers["x-ratelimit-limit"], "100");
}

// app/controllers/general.php (CORS, `Server`, the origin check), app/init/resources/request.php
// (`allowedHostnames`), src/Appwrite/Network/Validator/Origin.php and Redirect.php,
// app/config/cors.php.
#[tokio::test]
async fn platforms_decide_origins_cors_and_redirects() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .platform("app.test"),
    )
    .await;
    let version = || env.guest(Method::GET, "/account");
    let body = expect_error(
        version().header("origin", "https://evil.test"),
        403,
        "general_unknown_origin",
    )
    .await;
    assert_eq!(
        body["message"],
        "Invalid Origin. Register your new client (evil.test) as a new Web platform on your project console dashboard"
    );
    // A key skips the check.
    let (status, _, _) = send(
        env.admin(Method::GET, "/users")
            .header("origin", "https://evil.test"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for origin in [
        "http://localhost:5173",
        "https://app.test",
        "http://127.0.0.1:3000",
    ] {
        let (status, headers, _) = send(version().header("origin", origin)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a guest, but not refused");
        assert_eq!(headers["access-control-allow-origin"], origin);
        assert_eq!(headers["access-control-allow-credentials"], "true");
        assert!(
            headers["access-control-expose-headers"]
                .to_str()
                .unwrap()
                .contains("X-Fallback-Cookies")
        );
    }
    let (status, headers, _) = send(
        env.http
            .request(Method::OPTIONS, env.url("/account/sessions/token"))
            .header("origin", "https://app.test")
            .header("access-control-request-method", "POST"),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["access-control-allow-origin"], "https://app.test");
    assert!(
        headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("X-Appwrite-Project")
    );
    assert_eq!(headers["server"], "Appwrite");

    let body = expect_error(
        env.guest(Method::POST, "/account/tokens/magic-url")
            .json(&json!({
                "userId": "unique()", "email": "m@example.com", "url": "https://evil.test/login"
            })),
        400,
        "general_argument_invalid",
    )
    .await;
    assert_eq!(
        body["message"],
        "Invalid `url` param: Invalid URI. Register your new client (evil.test) as a new Web platform on your project console dashboard"
    );
    assert!(env.emu.is_registered_platform("https://app.test/cb"));
    assert!(
        env.emu
            .is_registered_platform("appwrite-callback-demo://cb")
    );
    assert!(!env.emu.is_registered_platform("https://evil.test/cb"));
}

// app/controllers/api/account.php: `_APP_SMTP_HOST` empty → `GENERAL_SMTP_DISABLED`, no phone
// provider → `GENERAL_PHONE_DISABLED`.
#[tokio::test]
async fn without_messaging_token_routes_answer_503() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .messaging(false),
    )
    .await;
    for path in ["/account/tokens/email", "/account/tokens/magic-url"] {
        let body = expect_error(
            env.guest(Method::POST, path)
                .json(&json!({"userId": "unique()", "email": "a@example.com"})),
            503,
            "general_smtp_disabled",
        )
        .await;
        assert_eq!(body["message"], "SMTP disabled");
    }
    let body = expect_error(
        env.guest(Method::POST, "/account/tokens/phone")
            .json(&json!({"userId": "unique()", "phone": "+16175550100"})),
        503,
        "general_phone_disabled",
    )
    .await;
    assert_eq!(body["message"], "Phone provider not configured");
    assert!(env.emu.outbox().is_empty());
}

// src/Appwrite/Utopia/Response/Model/Error.php (key order), src/Appwrite/Utopia/Response.php
// (`json_encode` without `JSON_UNESCAPED_SLASHES`), app/controllers/general.php (`Server`,
// `X-Content-Type-Options`), app/init/resources/request.php (`X-Debug-Fallback`),
// app/controllers/api/account.php (`deleteSessions`, `updateSession`), utopia-php/auth `Phrase`.
#[tokio::test]
async fn smaller_wire_details() {
    let env = Env::start().await;
    let response = env.guest(Method::GET, "/account").send().await.unwrap();
    let headers = response.headers().clone();
    let raw = response.text().await.unwrap();
    assert!(raw.starts_with(r#"{"message":"#), "{raw}");
    assert!(
        raw.ends_with(r#","code":401,"type":"general_unauthorized_scope","version":"1.9.6"}"#),
        "{raw}"
    );
    assert_eq!(headers["server"], "Appwrite");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let speed: f64 = headers["x-debug-speed"].to_str().unwrap().parse().unwrap();
    assert!(speed >= 0.0);
    assert_eq!(all(&headers, "x-debug-fallback"), ["false", "true"]);

    let response = env
        .admin(Method::POST, "/users")
        .json(&json!({"userId": "u1", "name": "a/b"}))
        .send()
        .await
        .unwrap();
    let raw = response.text().await.unwrap();
    assert!(raw.contains(r#""name":"a\/b""#), "{raw}");

    let credential = env.login("u1").await.1;
    env.login("u1").await;
    env.login("u1").await;
    let (_, headers, _) = send(env.session(Method::GET, "/account", &credential)).await;
    assert_eq!(all(&headers, "x-debug-fallback"), ["false"]);
    let (_, _, patched) =
        send(env.session(Method::PATCH, "/account/sessions/current", &credential)).await;
    assert_eq!(
        patched["countryName"], "",
        "the stored document, not the read model"
    );
    let (_, _, read) =
        send(env.session(Method::GET, "/account/sessions/current", &credential)).await;
    assert_eq!(read["countryName"], "Unknown");
    let (status, headers, _) =
        send(env.session(Method::DELETE, "/account/sessions", &credential)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        all(&headers, "x-fallback-cookies"),
        ["[]", "[]", "[]"],
        "one per deleted session"
    );

    let (_, _, token) = send(
        env.guest(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "unique()", "email": "p@example.com", "phrase": true})),
    )
    .await;
    let phrase = token["phrase"].as_str().unwrap();
    let (adjective, noun) = phrase.split_once(' ').unwrap();
    assert!(
        adjective.starts_with(|c: char| c.is_ascii_uppercase()),
        "{phrase}"
    );
    assert!(noun.chars().all(|c| c.is_ascii_lowercase()), "{phrase}");
    let _: &Value = &token;
}
