//! Text from a server or a login page cannot drive the terminal an error is printed on: control
//! characters in an Appwrite message or a refused sign-in are shown escaped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_client::Account;
#[cfg(feature = "loopback-login")]
use appwrite_client::login::LoginError;
use common::*;
use wiremock::MockServer;

/// Retitles the terminal, then fakes a line of the app's own.
const HOSTILE: &str = "denied\u{1b}]0;owned\u{7}\r\nSigned in as admin\u{1b}[2K";

fn assert_inert(shown: &str) {
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(
        shown.contains(r"\u{1b}]0;owned\u{7}\u{d}\u{a}Signed in as admin\u{1b}[2K"),
        "{shown}"
    );
}

#[tokio::test]
async fn an_api_error_message_is_shown_escaped() {
    let server = MockServer::start().await;
    mount_login(
        &server,
        json(
            401,
            serde_json::json!({
                "message": HOSTILE, "code": 401, "type": "user_invalid_token", "version": "1.9.6"
            })
            .to_string(),
        ),
    )
    .await;
    let client = builder(&server).build().unwrap();
    let error = Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap_err();
    assert_eq!(error.api().unwrap().message, HOSTILE, "kept as sent");
    assert_inert(&error.to_string());
}

#[cfg(feature = "loopback-login")]
#[test]
fn a_refused_sign_in_is_shown_escaped() {
    let error = LoginError::Refused {
        message: HOSTILE.to_owned(),
        error_type: None,
    };
    assert_inert(&error.to_string());
}
