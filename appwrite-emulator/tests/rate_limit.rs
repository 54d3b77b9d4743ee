//! The 10-per-hour limit on `POST /v1/account/sessions/token`.

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, UNIX_EPOCH};

use appwrite_emulator::Emulator;
use common::{Env, KEY, PROJECT, send};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn header(headers: &HeaderMap, name: &str) -> i64 {
    headers[name].to_str().unwrap().parse().unwrap()
}

async fn attempt(
    env: &Env,
    ip: &str,
    user: &str,
    secret: &str,
) -> (StatusCode, HeaderMap, serde_json::Value) {
    send(
        env.guest(Method::POST, "/account/sessions/token")
            .header("x-forwarded-for", ip)
            .json(&json!({"userId": user, "secret": secret})),
    )
    .await
}

#[tokio::test]
async fn ten_failures_per_ip_and_user_then_429() {
    // The test picks client addresses with X-Forwarded-For, which only a trusted proxy may set.
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .trust_proxy(true),
    )
    .await;
    env.create_user("u1").await;
    let now = i64::try_from(env.emu.now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap();
    let (_, first, _) = attempt(&env, "10.0.0.9", "u1", "wrong0").await;
    // Windows are aligned to the hour: the reset is the end of the current hour.
    let window_end = header(&first, "x-ratelimit-reset");
    assert_eq!(window_end % 3600, 0);
    assert!(
        window_end > now && window_end - now <= 3600,
        "{window_end} vs {now}"
    );
    for i in 0..10 {
        let (status, headers, body) = attempt(&env, "10.0.0.1", "u1", "wrong0").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(header(&headers, "x-ratelimit-limit"), 10);
        assert_eq!(header(&headers, "x-ratelimit-remaining"), 9 - i);
        assert_eq!(header(&headers, "x-ratelimit-reset"), window_end);
    }
    let (status, headers, body) = attempt(&env, "10.0.0.1", "u1", "wrong0").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["type"], "general_rate_limit_exceeded");
    assert_eq!(body["code"], 429);
    assert_eq!(header(&headers, "x-ratelimit-remaining"), 0);
    assert_eq!(header(&headers, "x-ratelimit-reset"), window_end);

    // Even a right secret is refused now, and is not spent.
    let secret = env.token("u1").await;
    let (status, _, _) = attempt(&env, "10.0.0.1", "u1", &secret).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Another IP or another user id has its own budget.
    let (status, headers, _) = attempt(&env, "10.0.0.2", "u1", &secret).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(header(&headers, "x-ratelimit-remaining"), 9);
    let (status, _, _) = attempt(&env, "10.0.0.1", "u2", "wrong0").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // API keys are not limited, but see the headers.
    let secret = env.token("u1").await;
    let (status, headers, _) = send(
        env.admin(Method::POST, "/account/sessions/token")
            .header("x-forwarded-for", "10.0.0.1")
            .json(&json!({"userId": "u1", "secret": secret})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(header(&headers, "x-ratelimit-limit"), 10);

    // The next window starts afresh.
    env.emu.advance_time(Duration::from_secs(3600));
    let (status, headers, _) = attempt(&env, "10.0.0.1", "u1", "wrong0").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(header(&headers, "x-ratelimit-remaining"), 9);
}

#[tokio::test]
async fn a_successful_login_resets_the_count() {
    let env = Env::start().await;
    env.create_user("u1").await;
    for _ in 0..9 {
        attempt(&env, "10.0.0.1", "u1", "wrong0").await;
    }
    let secret = env.token("u1").await;
    let (status, headers, _) = attempt(&env, "10.0.0.1", "u1", &secret).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(header(&headers, "x-ratelimit-remaining"), 0);
    for i in 0..10 {
        let (status, headers, _) = attempt(&env, "10.0.0.1", "u1", "wrong0").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(header(&headers, "x-ratelimit-remaining"), 9 - i);
    }
}

#[tokio::test]
async fn the_limit_can_be_turned_off() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .rate_limit(false),
    )
    .await;
    env.create_user("u1").await;
    for _ in 0..15 {
        let (status, _, _) = attempt(&env, "10.0.0.1", "u1", "wrong0").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}
