//! A secret echoed back in an error is redacted in the form it was sent (an API key or JWT
//! trimmed, a session credential with its URL encoding undone) and in the forms a server or
//! proxy re-encodes it in: lower- and upper-cased, percent-encoded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_server::{Client, Credential, Users};
use common::PROJECT;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Every byte but letters and digits as `%XX` (`urlencode`-style with `+` for a space when
/// `plus`).
fn percent_encoded(value: &str, plus: bool) -> String {
    value
        .bytes()
        .map(|b| match b {
            b if b.is_ascii_alphanumeric() => char::from(b).to_string(),
            b' ' if plus => "+".to_owned(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The forms of `value` a server may echo.
fn forms(value: &str) -> Vec<String> {
    let encoded = percent_encoded(value, false);
    vec![
        value.to_owned(),
        value.to_lowercase(),
        value.to_uppercase(),
        encoded.clone(),
        encoded.to_lowercase(),
        percent_encoded(value, true),
    ]
}

/// Answers 401 with a message that quotes header `name`, as received, in every form.
struct Echo(&'static str);

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let sent = request.headers[self.0].to_str().unwrap();
        ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "message": format!("refused {}: {}", self.0, forms(sent).join(" | ")),
            "code": 401, "type": "user_unauthorized", "version": "1.9.6",
        }))
    }
}

async fn echoing(header: &'static str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Echo(header))
        .mount(&server)
        .await;
    server
}

/// The error holds none of the forms of any of `secrets`, and did get them all echoed.
fn assert_redacted(error: &appwrite_server::Error, secrets: &[&str]) {
    let display = error.to_string();
    let debug = format!("{error:?}");
    assert!(
        display.matches("[redacted]").count() >= forms("x").len(),
        "the echo did not arrive: {display}"
    );
    for secret in secrets {
        for form in forms(secret) {
            assert!(!display.contains(&form), "{form:?} in {display}");
            assert!(!debug.contains(&form), "{form:?} in {debug}");
        }
    }
}

fn client(server: &MockServer, key: &str) -> Client {
    Client::builder()
        .endpoint(format!("{}/v1", server.uri()))
        .project(PROJECT)
        .api_key(key)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_api_key_with_spaces_is_redacted_as_the_server_read_it() {
    let server = echoing("x-appwrite-key").await;
    let key = "standard_Ab+c/D=e";
    let error = Users::new(&client(&server, &format!("  {key} ")))
        .get("user-42")
        .await
        .unwrap_err();
    assert_redacted(&error, &[key]);
}

#[tokio::test]
async fn a_jwt_with_whitespace_is_redacted_as_sent() {
    let server = echoing("x-appwrite-jwt").await;
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiJ1In0.Sig_Nature-AbC";
    let client = client(&server, "standard_key");
    let error = Users::new(&client)
        .verify_jwt(format!("\n {jwt}\t\n"))
        .await
        .unwrap_err();
    assert_redacted(&error, &[jwt]);
    let error = client
        .as_user(Credential::jwt(format!(" {jwt} ")))
        .account()
        .get()
        .await
        .unwrap_err();
    assert_redacted(&error, &[jwt]);
}

#[tokio::test]
async fn a_session_credential_is_redacted_decoded_and_as_held() {
    let server = echoing("x-appwrite-session").await;
    // As the `a_session_<project>` cookie holds it: base64 with its `=` URL-encoded.
    let held = "eyJpZCI6InUiLCJzZWNyZXQiOiJhYmMifQ%3D%3D";
    let sent = "eyJpZCI6InUiLCJzZWNyZXQiOiJhYmMifQ==";
    let error = client(&server, "standard_key")
        .as_user(Credential::session(held))
        .account()
        .get()
        .await
        .unwrap_err();
    assert_eq!(
        server.received_requests().await.unwrap()[0].headers["x-appwrite-session"],
        sent
    );
    assert_redacted(&error, &[sent, held]);
}
