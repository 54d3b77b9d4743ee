//! Bad input gets Appwrite's errors and never stops the server; starting and stopping.

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use appwrite_emulator::{Emulator, StartError};
use common::{Env, KEY, PROJECT, expect_error, expect_error_page, send};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn malformed_bodies_and_missing_parameters() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let login = || env.guest(Method::POST, "/account/sessions/token");
    let cases = [
        // Broken JSON counts as no parameters, as in Appwrite.
        (
            login()
                .header("content-type", "application/json")
                .body("{\"userId\": "),
            r#"Param "userId" is not optional."#,
        ),
        (
            login()
                .header("content-type", "application/json")
                .body("[1, 2]"),
            r#"Param "userId" is not optional."#,
        ),
        (
            login()
                .header("content-type", "text/plain")
                .body(r#"{"userId":"u1","secret":"abc"}"#),
            r#"Param "userId" is not optional."#,
        ),
        (
            login().body(r#"{"userId":"u1","secret":"abc"}"#),
            r#"Param "userId" is not optional."#,
        ),
        (
            login().json(&json!({"userId": "u1"})),
            r#"Param "secret" is not optional."#,
        ),
        (
            login().json(&json!({"userId": "u1", "secret": ""})),
            "Invalid `secret` param: Value must be a valid string and at least 1 chars and no longer than 256 chars",
        ),
        (
            login().json(&json!({"userId": "u1", "secret": "a".repeat(257)})),
            "Invalid `secret` param: ",
        ),
        (
            login().json(&json!({"userId": 42, "secret": "abc"})),
            "Invalid `userId` param: ",
        ),
        (
            login().json(&json!({"userId": "-bad", "secret": "abc"})),
            "Invalid `userId` param: ",
        ),
        (
            login().json(&json!({"userId": null, "secret": "abc"})),
            "Invalid `userId` param: ",
        ),
    ];
    for (request, message) in cases {
        let error = expect_error(request, 400, "general_argument_invalid").await;
        assert!(
            error["message"].as_str().unwrap().starts_with(message),
            "{error}"
        );
        env.assert_alive().await;
    }
    // A form body is read like Swoole reads it.
    let (status, _, token) = send(
        env.admin(Method::POST, "/users/u1/tokens")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("length=8"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(token["secret"].as_str().unwrap().len(), 8);
}

#[tokio::test]
async fn what_the_official_sdks_send_is_accepted() {
    let env = Env::start().await;
    let credential = env.signed_in_user("u1").await;
    // GET with an empty content-type (Python), response formats newer than the server.
    for format in ["1.9.5", "2.3.0", "2.5.0", "1.8.0"] {
        let (status, headers, me) = send(
            env.session(Method::GET, "/account", &credential)
                .header("content-type", "")
                .header("accept", "*/*")
                .header("x-appwrite-response-format", format)
                .header("x-sdk-name", "Python"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let newer = format.starts_with('2');
        assert_eq!(
            headers.contains_key("x-appwrite-warning"),
            newer,
            "{format}"
        );
        // Below 1.9.0 the impersonator fields are dropped, as Appwrite's V21 filter does.
        assert_eq!(
            me.get("impersonator").is_some(),
            format != "1.8.0",
            "{format}"
        );
    }
    // DELETE with a `{}` body.
    let (status, _, _) = send(
        env.session(Method::DELETE, "/account/sessions/current", &credential)
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_an_appwrite_error() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .max_body_bytes(1024),
    )
    .await;
    let big = json!({"userId": "u1", "name": "x".repeat(2048)});
    let error = expect_error(
        env.admin(Method::POST, "/users").json(&big),
        413,
        "general_argument_invalid",
    )
    .await;
    assert!(error["message"].as_str().unwrap().contains("1024"));
    env.assert_alive().await;

    // Without a Content-Length (chunked), the limit still holds.
    let chunk = " ".repeat(1000);
    let request = format!(
        "POST /v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Appwrite-Project: {PROJECT}\r\n\
         X-Appwrite-Key: {KEY}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         3e8\r\n{chunk}\r\n3e8\r\n{chunk}\r\n0\r\n\r\n"
    );
    let response = raw_http(env.emu.local_addr(), request.as_bytes()).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(
        response.contains(r#""type":"general_argument_invalid""#),
        "{response}"
    );
    env.assert_alive().await;
    assert_eq!(env.emu.user_count(), 0);
}

/// Sends raw bytes and reads the whole answer (the request must ask to close the connection).
async fn raw_http(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before reading everything; a failed write is fine then.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn garbage_on_the_wire_does_not_stop_the_server() {
    let env = Env::start().await;
    let answer = raw_http(env.emu.local_addr(), b"NOT HTTP AT ALL\r\n\r\n").await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
    let answer = raw_http(
        env.emu.local_addr(),
        b"GET /v1/users/%FF%FE HTTP/1.1\r\nHost: x\r\nX-Appwrite-Project: demo\r\nX-Appwrite-Key: dev-key\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("general_argument_invalid"), "{answer}");
    env.assert_alive().await;
}

#[tokio::test]
async fn a_clock_moved_to_the_end_of_time_does_not_crash_a_handler() {
    let env = Env::start().await;
    env.create_user("u1").await;
    env.emu.advance_time(std::time::Duration::MAX);
    for (path, body) in [
        (
            "/account/tokens/email",
            json!({"userId": "u2", "email": "u2@example.com"}),
        ),
        (
            "/account/tokens/magic-url",
            json!({"userId": "u3", "email": "u3@example.com"}),
        ),
        (
            "/account/tokens/phone",
            json!({"userId": "u4", "phone": "+14155550123"}),
        ),
        ("/users/u1/tokens", json!({})),
    ] {
        let (status, _, body) = send(env.admin(Method::POST, path).json(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {body}");
    }
    let (login, _) = env.login("u1").await;
    assert_eq!(login.status, StatusCode::CREATED);
    let (status, _, outbox) = send(env.admin(Method::GET, "/emulator/outbox")).await;
    assert_eq!(status, StatusCode::OK, "{outbox}");
    assert_eq!(outbox["total"], 3);
    env.assert_alive().await;
}

/// Unmatched requests go to utopia-php/http's wildcard route, whose path is `''`, so
/// app/controllers/general.php answers them with its HTML error page (error.phtml), whatever the
/// path: inside `/v1` too.
#[tokio::test]
async fn unknown_routes_and_methods() {
    let env = Env::start().await;
    let message = expect_error_page(
        env.guest(Method::GET, "/nope"),
        404,
        "general_route_not_found",
    )
    .await;
    assert_eq!(message, "The page you're looking for doesn't exist.");
    expect_error_page(
        env.guest(Method::PUT, "/account"),
        404,
        "general_route_not_found",
    )
    .await;
    let outside_v1 = env.url("/nope").replace("/v1/nope", "/users/u1");
    expect_error_page(env.http.get(outside_v1), 404, "general_route_not_found").await;
    let message = expect_error_page(
        env.http
            .get(env.url("/nope"))
            .header("x-appwrite-project", "other"),
        404,
        "project_not_found",
    )
    .await;
    assert!(
        message.starts_with("Project with the requested ID could not be found"),
        "{message}"
    );
    env.assert_alive().await;
}

#[tokio::test]
async fn start_errors_and_shutdown() {
    assert!(matches!(
        Emulator::builder().project("_bad").start().await,
        Err(StartError::InvalidProject(_))
    ));
    assert!(matches!(
        Emulator::builder().api_key("").start().await,
        Err(StartError::EmptyApiKey)
    ));
    let first = Emulator::builder().start().await.unwrap();
    let port = first.local_addr().port();
    assert_eq!(first.endpoint(), format!("http://127.0.0.1:{port}/v1"));
    assert_eq!(first.project(), "demo");
    assert!(matches!(
        Emulator::builder().port(port).start().await,
        Err(StartError::Bind { .. })
    ));

    let url = format!("{}/health/version", first.endpoint());
    let client = reqwest::Client::new();
    assert_eq!(
        client.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    first.shutdown().await;
    assert!(
        client.get(&url).send().await.is_err(),
        "server still answering after shutdown"
    );
    // The port is free again.
    let again = Emulator::builder().port(port).start().await.unwrap();
    drop(again);
}

#[test]
fn public_types_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Emulator>();
    assert_send_sync::<appwrite_emulator::EmulatorBuilder>();
    assert_send_sync::<appwrite_emulator::OutboxMessage>();
    assert_send_sync::<StartError>();
}

#[test]
fn the_binary_prints_its_endpoint_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_appwrite-emulator"))
        .args(["--port", "0", "--project", "bin-test", "--api-key", "k1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no endpoint in {line:?}"))
        .to_owned();
    assert!(endpoint.ends_with("/v1"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, _, body) = runtime.block_on(send(
        reqwest::Client::new()
            .post(format!("{endpoint}/users"))
            .header("x-appwrite-project", "bin-test")
            .header("x-appwrite-key", "k1")
            .json(&json!({"userId": "unique()"})),
    ));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
