//! The `issue_token` example as a user runs it: the secret stays masked unless `--print-secret` is
//! given for a local endpoint, where it prints the client command that signs in with it; errors
//! are printed as their `Display`, never as a `Debug` dump.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{KEY, PROJECT, json_response, mount};
use wiremock::MockServer;

/// `target/<profile>/examples/issue_token`, built by `cargo test -p appwrite-server`.
fn issue_token() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir
        .join("examples")
        .join(format!("issue_token{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing", path.display());
    path
}

async fn run(endpoint: &str, args: &[&str]) -> Output {
    let mut command = Command::new(issue_token());
    command
        .env_clear()
        .env("APPWRITE_ENDPOINT", endpoint)
        .env("APPWRITE_PROJECT_ID", PROJECT)
        .env("APPWRITE_API_KEY", KEY)
        .args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

async fn appwrite() -> MockServer {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/user-42",
        json_response(200, "user.json"),
    )
    .await;
    mount(
        &server,
        "POST",
        "/v1/users/user-42/tokens",
        json_response(201, "token.json"),
    )
    .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_secret_on_a_local_endpoint_leads_into_the_client_login() {
    let server = appwrite().await;
    let endpoint = format!("{}/v1", server.uri());
    let output = run(&endpoint, &["--print-secret", "user-42"]).await;
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("secret:  c9e1f04b\n"), "{stdout}");
    assert!(
        stdout
            .contains("cargo run -p appwrite-client --example cli_login -- login user-42 c9e1f04b"),
        "{stdout}"
    );

    // Without the flag the secret stays masked.
    let output = run(&endpoint, &["user-42"]).await;
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("secret:  c9******"), "{stdout}");
    assert!(!stdout.contains("c9e1f04b"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_secret_is_refused_for_a_remote_endpoint() {
    let output = run(
        "https://appwrite.example.com/v1",
        &["--print-secret", "user-42"],
    )
    .await;
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: --print-secret is for a local emulator only"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_printed_as_display_with_their_causes() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/user-42",
        json_response(401, "error_unauthorized_scope.json"),
    )
    .await;
    let output = run(&format!("{}/v1", server.uri()), &["user-42"]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let line = stderr.lines().next().unwrap();
    assert!(line.starts_with("error: "), "{stderr}");
    assert!(line.contains("401"), "{stderr}");
    // Not `Error: Api(ApiError { status: 401, .. })`.
    assert!(!stderr.contains("Error: "), "{stderr}");
    assert!(!stderr.contains(" { "), "{stderr}");
}
