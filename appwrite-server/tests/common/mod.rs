//! Shared test helpers: fixtures, a client pointed at a mock server, and the header checks.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use appwrite_server::{Client, ClientBuilder, RetryPolicy, Users};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The API key every test client uses; no output may ever contain it.
pub const KEY: &str = "standard_4f7c2a9e1b3d5f8a0c6e2b4d9f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a";
/// The project id every test client uses.
pub const PROJECT: &str = "demo-project";

/// A JWT shaped like Appwrite's, for user `user-42` and session `s-1`, expiring at `exp` (Unix
/// seconds). Its signature is not one: these tests' servers are mocks.
pub fn jwt(exp: u64) -> String {
    use base64::Engine as _;
    let part =
        |value: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
    format!(
        "{}.{}.c2lnbmF0dXJl",
        part(serde_json::json!({"typ": "JWT", "alg": "HS256"})),
        part(serde_json::json!({"userId": "user-42", "sessionId": "s-1", "exp": exp}))
    )
}

/// An hour from now, in Unix seconds.
pub fn in_an_hour() -> u64 {
    (SystemTime::now() + Duration::from_secs(3600))
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The text of `tests/fixtures/<name>`.
pub fn fixture_text(name: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name]
        .iter()
        .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `tests/fixtures/<name>` as JSON.
pub fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).unwrap()
}

/// A string field of a fixture, for comparing decoded values and for the redaction tests.
pub fn fixture_str(name: &str, field: &str) -> String {
    fixture(name)[field]
        .as_str()
        .unwrap_or_else(|| panic!("{name} has no string {field}"))
        .to_owned()
}

/// A JSON response as Appwrite sends it.
pub fn json_response(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(fixture_text(name), "application/json; charset=UTF-8")
}

/// A builder for `server` with fast retries (the retry tests set their own policy).
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .endpoint(format!("{}/v1", server.uri()))
        .project(PROJECT)
        .api_key(KEY)
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
}

/// A client for `server`.
pub fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}

/// The Users service of a client for `server`.
pub fn users(server: &MockServer) -> Users {
    Users::new(&client(server))
}

/// Every header a server-SDK request must carry, and no `Origin`.
pub fn assert_server_headers(request: &wiremock::Request) {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .unwrap_or_else(|| panic!("missing header {name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("x-appwrite-project"), PROJECT);
    assert_eq!(header("x-appwrite-key"), KEY);
    assert_eq!(
        header("x-appwrite-response-format"),
        appwrite_server::models::headers::RESPONSE_FORMAT
    );
    assert_eq!(header("x-sdk-name"), "Rust");
    assert_eq!(header("x-sdk-platform"), "server");
    assert_eq!(header("x-sdk-language"), "rust");
    assert_eq!(header("x-sdk-version"), env!("CARGO_PKG_VERSION"));
    assert!(
        header("user-agent").starts_with(&format!(
            "appwrite-rust-server/{} (",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        header("user-agent")
    );
    assert_eq!(header("accept"), "application/json");
    assert_eq!(header("content-type"), "application/json");
    assert!(request.headers.get("origin").is_none());
    assert!(request.headers.get("x-appwrite-session").is_none());
    assert!(request.headers.get("cookie").is_none());
}

/// The one request `server` received, after checking its headers.
pub async fn single_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    let request = requests.remove(0);
    assert_server_headers(&request);
    request
}

/// The JSON body of a request.
pub fn body_json(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// Answers `verb route` with `response`, for any headers and body.
pub async fn mount(server: &MockServer, verb: &str, route: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

/// The JSON bodies of the requests `server` received, in order, after checking each one's
/// headers.
pub async fn request_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .inspect(|r| assert_server_headers(r))
        .map(body_json)
        .collect()
}
