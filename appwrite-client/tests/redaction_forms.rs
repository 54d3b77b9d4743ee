//! A session credential echoed back in an error is redacted in the form it was sent (its URL
//! encoding undone for `X-Appwrite-Session`, as held in a `Cookie`) and in the forms a server or
//! proxy re-encodes it in: lower- and upper-cased, percent-encoded. The token secret too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_client::{Account, CredentialMode};
use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Every byte but letters and digits as `%XX`.
fn percent_encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b if b.is_ascii_alphanumeric() => char::from(b).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The forms of `value` a server may echo.
fn forms(value: &str) -> Vec<String> {
    let encoded = percent_encoded(value);
    vec![
        value.to_owned(),
        value.to_lowercase(),
        value.to_uppercase(),
        encoded.to_lowercase(),
        encoded,
    ]
}

/// Answers 403 with a message that quotes header `name`, as received, in every form.
struct Echo(&'static str);

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let sent = request.headers[self.0].to_str().unwrap();
        // In a cookie header, the value after `a_session_<project>=`.
        let sent = match self.0 {
            "cookie" => sent.split_once('=').unwrap().1,
            _ => sent,
        };
        ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "message": format!("refused {}: {}", self.0, forms(sent).join(" | ")),
            "code": 403, "type": "general_access_forbidden", "version": "1.9.6",
        }))
    }
}

fn assert_redacted(error: &appwrite_client::Error, secrets: &[&str]) {
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

async fn echo_errors(mode: CredentialMode, header: &'static str) {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .respond_with(Echo(header))
        .mount(&server)
        .await;
    let client = builder(&server).credential_mode(mode).build().unwrap();
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();
    let error = account.get().await.unwrap_err();
    assert!(error.is_forbidden(), "{error}");
    let held = url_encoded(&credential());
    assert_redacted(&error, &[&credential(), &held]);
}

#[tokio::test]
async fn the_session_header_is_redacted_in_every_form() {
    echo_errors(CredentialMode::SessionHeader, "x-appwrite-session").await;
}

#[tokio::test]
async fn the_session_cookie_is_redacted_in_every_form() {
    echo_errors(CredentialMode::Cookie, "cookie").await;
}

#[tokio::test]
async fn the_token_secret_is_redacted_in_every_form() {
    let server = MockServer::start().await;
    let secret = "5be1F0d7+=";
    mount_login(
        &server,
        error_json(
            401,
            "user_invalid_token",
            &format!("no token {}", forms(secret).join(" | ")),
        ),
    )
    .await;
    let client = builder(&server).build().unwrap();
    let error = Account::new(&client)
        .create_session(USER, secret)
        .await
        .unwrap_err();
    assert_redacted(&error, &[secret]);
}
