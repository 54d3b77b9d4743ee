//! Email, magic-URL and phone tokens, the outbox, and concurrent redemption.

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use appwrite_emulator::{Emulator, OutboxKind};
use common::{Env, KEY, PROJECT, expect_error, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn email_token_creates_the_user_and_logs_in() {
    let env = Env::start().await;
    let (status, _, token) = send(
        env.guest(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "new-user", "email": "New@Example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    assert_eq!(token["userId"], "new-user");
    assert_eq!(token["secret"], "", "clients do not see the code");
    assert_eq!(env.emu.user_count(), 1);

    let outbox = env.emu.outbox();
    assert_eq!(outbox.len(), 1);
    let message = &outbox[0];
    assert_eq!(message.kind, OutboxKind::Email);
    assert_eq!(message.to, "New@Example.com", "kept as typed");
    assert_eq!(message.user_id, "new-user");
    assert_eq!(message.secret.len(), 6);
    assert!(message.secret.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        message.expire.duration_since(message.sent_at).unwrap(),
        Duration::from_secs(900)
    );
    assert!(!format!("{message:?}").contains(&message.secret));

    // The same email (compared without case, as MariaDB does) later reuses the user, whatever
    // id is asked for.
    let (_, _, again) = send(
        env.guest(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "unique()", "email": "new@example.com", "phrase": true})),
    )
    .await;
    assert_eq!(again["userId"], "new-user");
    assert!(again["phrase"].as_str().unwrap().contains(' '));
    assert_eq!(env.emu.user_count(), 1);

    let login = env.redeem("new-user", &message.secret).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.body);
    assert_eq!(login.body["provider"], "token");
    assert_eq!(login.body["factors"], json!(["email"]));
    let (_, _, me) = send(env.session(Method::GET, "/account", &login.fallback_credential())).await;
    assert_eq!(me["emailVerification"], true);

    // The second code (with a phrase) is still valid; the first is spent.
    let second = &env.emu.outbox()[1];
    assert_eq!(second.phrase.as_deref(), again["phrase"].as_str());
    assert_eq!(
        env.redeem("new-user", &message.secret).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn magic_url_and_phone_tokens() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .platform("app.example.com"),
    )
    .await;
    let (status, _, _) = send(
        env.guest(Method::POST, "/account/tokens/magic-url")
            .json(&json!({
                "userId": "m1",
                "email": "m@example.com",
                "url": "https://app.example.com/verify?from=mail",
            })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = send(
        env.guest(Method::POST, "/account/tokens/phone")
            .json(&json!({"userId": "p1", "phone": "+16175551212"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let outbox = env.emu.outbox();
    let magic = &outbox[0];
    assert_eq!(magic.kind, OutboxKind::MagicUrl);
    assert_eq!(magic.secret.len(), 64);
    assert_eq!(
        magic.expire.duration_since(magic.sent_at).unwrap(),
        Duration::from_secs(3600)
    );
    let link = url::Url::parse(magic.url.as_deref().unwrap()).unwrap();
    assert_eq!(link.host_str(), Some("app.example.com"));
    let query: HashMap<_, _> = link.query_pairs().into_owned().collect();
    assert_eq!(query["from"], "mail");
    assert_eq!(query["userId"], "m1");
    assert_eq!(query["secret"], magic.secret);
    assert_eq!(query["project"], PROJECT);

    let phone = &outbox[1];
    assert_eq!(phone.kind, OutboxKind::Phone);
    assert_eq!(phone.to, "+16175551212");
    assert_eq!(phone.secret.len(), 6);

    let login = env.redeem("m1", &magic.secret).await;
    assert_eq!(login.body["provider"], "magic-url");
    assert_eq!(login.body["factors"], json!(["email"]));
    let login = env.redeem("p1", &phone.secret).await;
    assert_eq!(login.body["provider"], "phone");
    assert_eq!(login.body["factors"], json!(["phone"]));
    let (_, _, me) = send(env.session(Method::GET, "/account", &login.fallback_credential())).await;
    assert_eq!(me["phoneVerification"], true);
    assert_eq!(me["phone"], "+16175551212");

    // API keys see the secret: plain for email, wrapped in the session encoding for phone.
    let (_, _, email) = send(
        env.admin(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "m1", "email": "m@example.com"})),
    )
    .await;
    assert_eq!(email["secret"].as_str().unwrap().len(), 6);
    let (_, _, phone) = send(
        env.admin(Method::POST, "/account/tokens/phone")
            .json(&json!({"userId": "p1", "phone": "+16175551212"})),
    )
    .await;
    let decoded = appwrite_models::credential::decode(phone["secret"].as_str().unwrap()).unwrap();
    assert_eq!(decoded.user_id, "p1");
    assert_eq!(decoded.expose_secret().len(), 6);
}

#[tokio::test]
async fn token_errors_and_expiry() {
    let env = Env::start().await;
    env.create_user("taken").await;
    expect_error(
        env.guest(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "taken", "email": "fresh@example.com"})),
        409,
        "user_already_exists",
    )
    .await;
    expect_error(
        env.guest(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "x"})),
        400,
        "general_argument_invalid",
    )
    .await;
    expect_error(
        env.guest(Method::POST, "/account/tokens/phone")
            .json(&json!({"userId": "x", "phone": "555"})),
        400,
        "general_argument_invalid",
    )
    .await;
    expect_error(
        env.guest(Method::POST, "/account/tokens/magic-url")
            .json(&json!({"userId": "x", "email": "x@example.com", "url": "not a url"})),
        400,
        "general_argument_invalid",
    )
    .await;

    send(
        env.guest(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "late", "email": "late@example.com"})),
    )
    .await;
    let code = env.emu.outbox()[0].secret.clone();
    env.emu.advance_time(Duration::from_secs(15 * 60 + 1));
    let login = env.redeem("late", &code).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login.body["type"], "user_invalid_token");
}

#[tokio::test]
async fn outbox_over_http_needs_a_key() {
    let env = Env::start().await;
    send(
        env.guest(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "u1", "email": "u1@example.com"})),
    )
    .await;
    let (status, _, body) = send(env.admin(Method::GET, "/emulator/outbox")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 1);
    let message = &body["messages"][0];
    assert_eq!(message["kind"], "email");
    assert_eq!(message["userId"], "u1");
    assert_eq!(message["to"], "u1@example.com");
    assert_eq!(message["secret"], env.emu.outbox()[0].secret.as_str());
    assert_eq!(message["url"], Value::Null);
    assert!(message["expire"].as_str().unwrap().ends_with("+00:00"));
    expect_error(
        env.guest(Method::GET, "/emulator/outbox"),
        401,
        "general_unauthorized_scope",
    )
    .await;
}

/// Sixteen clients redeem one secret at once: exactly one session comes out.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redemptions_create_exactly_one_session() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .trust_proxy(true),
    )
    .await;
    env.create_user("u1").await;
    let secret = env.token("u1").await;
    let url = env.url("/account/sessions/token");
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(16));
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (http, url, secret, barrier) = (
                env.http.clone(),
                url.clone(),
                secret.clone(),
                barrier.clone(),
            );
            tokio::spawn(async move {
                barrier.wait().await;
                // Distinct client addresses keep the rate limit out of the picture.
                let response = http
                    .post(url)
                    .header("x-appwrite-project", PROJECT)
                    .header("x-forwarded-for", format!("10.1.0.{i}"))
                    .json(&json!({"userId": "u1", "secret": secret}))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let body: Value = response.json().await.unwrap();
                (status, body["type"].as_str().unwrap_or("").to_owned())
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        let (status, error_type) = task.await.unwrap();
        if status == StatusCode::CREATED {
            created += 1;
        } else {
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(error_type, "user_invalid_token");
        }
    }
    assert_eq!(created, 1);
    assert_eq!(env.emu.session_count("u1"), Some(1));
}
