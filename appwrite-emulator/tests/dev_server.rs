//! The emulator as a local dev server: safe defaults (no trusted proxy header, bounded memory,
//! body read timeout, keyed controls, loopback warning) and conveniences (request log, HTTP
//! controls, state file).

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use appwrite_emulator::Emulator;
use common::{Env, KEY, PROJECT, expect_error, send};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn builder() -> appwrite_emulator::EmulatorBuilder {
    Emulator::builder().project(PROJECT).api_key(KEY)
}

#[tokio::test]
async fn x_forwarded_for_counts_only_behind_a_trusted_proxy() {
    for (trust, expected_ip) in [(false, "127.0.0.1"), (true, "203.0.113.7")] {
        let env = Env::with(builder().trust_proxy(trust)).await;
        env.create_user("u1").await;
        let secret = env.token("u1").await;
        let (status, _, session) = send(
            env.guest(Method::POST, "/account/sessions/token")
                .header("x-forwarded-for", "203.0.113.7")
                .json(&json!({"userId": "u1", "secret": secret})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(session["ip"], expected_ip, "trust_proxy({trust})");
    }
}

#[tokio::test]
async fn memory_caps_refuse_with_clear_errors() {
    let env = Env::with(builder().max_users(2).max_outbox(1)).await;
    env.create_user("u1").await;
    env.create_user("u2").await;
    let body = expect_error(
        env.admin(Method::POST, "/users")
            .json(&json!({"userId": "u3"})),
        400,
        "user_count_exceeded",
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("--max-users"),
        "{body}"
    );
    env.emu.reset();
    let email = |to: &str| {
        env.admin(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "unique()", "email": to}))
    };
    let (status, _, _) = send(email("a@example.com")).await;
    assert_eq!(status, StatusCode::CREATED);
    let body = expect_error(email("b@example.com"), 500, "general_server_error").await;
    assert!(
        body["message"].as_str().unwrap().contains("--max-outbox"),
        "{body}"
    );
    assert_eq!(env.emu.outbox().len(), 1);

    let env = Env::with(builder().max_rate_limit_keys(1)).await;
    env.create_user("u1").await;
    let redeem = |user: &str| {
        env.guest(Method::POST, "/account/sessions/token")
            .json(&json!({"userId": user, "secret": "wrong0"}))
    };
    expect_error(redeem("u1"), 401, "user_invalid_token").await;
    let body = expect_error(redeem("u2"), 429, "general_rate_limit_exceeded").await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("--max-rate-limit-keys"),
        "{body}"
    );
}

#[tokio::test]
async fn a_half_sent_body_gets_408() {
    let env = Env::with(builder().body_read_timeout(Duration::from_millis(200))).await;
    let mut stream = tokio::net::TcpStream::connect(env.emu.local_addr())
        .await
        .unwrap();
    let head = format!(
        "POST /v1/users HTTP/1.1\r\nhost: localhost\r\nx-appwrite-project: {PROJECT}\r\nx-appwrite-key: {KEY}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"userId\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    // Bounded wait: the emulator must answer long before this.
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut answer))
        .await
        .expect("the emulator answers a stalled body")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..read]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert_eq!(env.emu.user_count(), 0);
}

#[tokio::test]
async fn control_routes_need_a_users_write_key() {
    let env = Env::with(builder().api_key_with_scopes("reader", ["users.read"])).await;
    for (method, path) in [
        (Method::GET, "/emulator/outbox"),
        (Method::POST, "/emulator/clock"),
        (Method::POST, "/emulator/reset"),
    ] {
        expect_error(
            env.guest(method.clone(), path),
            401,
            "general_unauthorized_scope",
        )
        .await;
        expect_error(
            env.guest(method.clone(), path)
                .header("x-appwrite-key", "reader"),
            401,
            "general_unauthorized_scope",
        )
        .await;
    }

    env.create_user("u1").await;
    let secret = env.token("u1").await;
    let (status, _, body) = send(
        env.admin(Method::POST, "/emulator/clock")
            .json(&json!({"seconds": 901})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["now"].as_str().unwrap().starts_with("20"));
    // The default token lives 900 s: the clock moved past it.
    assert_eq!(
        env.redeem("u1", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );

    send(
        env.guest(Method::POST, "/account/tokens/email")
            .json(&json!({"userId": "unique()", "email": "a@example.com"})),
    )
    .await;
    let (status, _, outbox) = send(env.admin(Method::GET, "/emulator/outbox")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outbox["total"], 1);
    let (status, _, _) = send(env.admin(Method::POST, "/emulator/reset")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(env.emu.user_count(), 0);
    assert!(env.emu.outbox().is_empty());
}

#[tokio::test]
async fn the_state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let env = Env::with(builder().state_file(&path)).await;
    let credential = env.signed_in_user("u1").await;
    env.emu.advance_time(Duration::from_secs(3600));
    let ahead = env.emu.now();
    env.emu.shutdown().await;
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(!saved.contains(&credential), "no secret is written");

    let env = Env::with(builder().state_file(&path)).await;
    assert_eq!(env.emu.user_count(), 1);
    assert!(env.emu.now() >= ahead, "the clock offset is kept");
    let (status, _, me) = send(env.session(Method::GET, "/account", &credential)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["$id"], "u1");
    drop(env);

    std::fs::write(&path, "{not json").unwrap();
    let error = builder().state_file(&path).start().await.unwrap_err();
    assert!(
        matches!(error, appwrite_emulator::StartError::State(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_state_file_is_saved_periodically_while_running() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let env = Env::with(
        builder()
            .state_file(&path)
            .state_save_interval(Duration::from_millis(50)),
    )
    .await;
    env.signed_in_user("u1").await;
    // Still running: only the periodic save can write the file. Bounded: 200 looks, 25 ms apart.
    let mut saved = String::new();
    for _ in 0..200 {
        saved = std::fs::read_to_string(&path).unwrap_or_default();
        if saved.contains("\"u1\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        saved.contains("\"u1\""),
        "the running emulator never saved: {saved}"
    );
    assert_eq!(env.emu.user_count(), 1);
}

/// Starts the binary with `args` and returns its endpoint and its stderr.
fn spawn(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_appwrite-emulator"))
        .args(["--port", "0", "--project", PROJECT, "--api-key", KEY])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no endpoint in {line:?}"))
        .to_owned();
    (child, endpoint)
}

fn stop(mut child: std::process::Child) -> String {
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_binary_logs_requests_warns_off_loopback_and_can_be_quiet() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let probe = |endpoint: &str| {
        let url = format!("{endpoint}/health/version").replace("0.0.0.0", "127.0.0.1");
        runtime.block_on(send(reqwest::Client::new().get(url))).0
    };

    let (child, endpoint) = spawn(&["--host", "0.0.0.0"]);
    assert_eq!(probe(&endpoint), StatusCode::OK);
    let stderr = stop(child);
    assert!(stderr.contains("not a loopback address"), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("/v1/health/version"))
        .unwrap_or_else(|| panic!("no request line in {stderr}"));
    assert!(
        line.contains("GET") && line.contains("status=200"),
        "{line}"
    );

    let (child, endpoint) = spawn(&["--quiet"]);
    assert_eq!(probe(&endpoint), StatusCode::OK);
    let stderr = stop(child);
    assert!(!stderr.contains("/v1/health/version"), "{stderr}");
    assert!(!stderr.contains("loopback"), "{stderr}");
}

/// The builder's `Debug` (its `Config`'s) shows the settings but never an API key.
#[test]
fn builder_debug_never_shows_an_api_key() {
    let builder = appwrite_emulator::Emulator::builder()
        .project("debug-check")
        .api_key("builder-secret-key");
    let printed = format!("{builder:?}");
    assert!(printed.contains("debug-check"), "{printed}");
    assert!(!printed.contains("builder-secret-key"), "{printed}");
}
