//! The users MFA endpoints (method, path, headers, body sent; Appwrite 1.9.6's answers decoded)
//! and `verify_jwt` for a session that lacks its second factor.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_server::{AuthenticatorType, Factor, JwtCache, Users};
use common::{
    assert_server_headers, body_json, client, in_an_hour, json_response, jwt, mount, users,
};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

const CODES: &str = r#"{"recoveryCodes":["a3kf0s0cl2","s0co1as98s","9d2c1b0a7f","0f1e2d3c4b","5a6b7c8d9e","e9d8c7b6a5"]}"#;

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json; charset=UTF-8")
}

async fn only(server: &MockServer, verb: &str, route: &str) -> wiremock::Request {
    let requests: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == route)
        .collect();
    assert_eq!(requests.len(), 1, "{verb} {route}");
    assert_server_headers(&requests[0]);
    requests.into_iter().next().unwrap()
}

#[tokio::test]
async fn each_mfa_call_sends_its_method_path_and_body() {
    let server = MockServer::start().await;
    let base = "/v1/users/user-42/mfa";
    mount(&server, "PATCH", base, json_response(200, "user.json")).await;
    mount(
        &server,
        "GET",
        &format!("{base}/factors"),
        json(
            200,
            r#"{"totp":true,"phone":false,"email":true,"recoveryCode":false}"#,
        ),
    )
    .await;
    mount(
        &server,
        "DELETE",
        &format!("{base}/authenticators/totp"),
        ResponseTemplate::new(204),
    )
    .await;
    // Appwrite's users routes create recovery codes with PATCH and regenerate them with PUT.
    for verb in ["PATCH", "GET", "PUT"] {
        mount(
            &server,
            verb,
            &format!("{base}/recovery-codes"),
            json(200, CODES),
        )
        .await;
    }
    let users = users(&server);

    let user = users.update_mfa("user-42", true).await.unwrap();
    assert_eq!(user.id, "user-42");
    assert_eq!(
        body_json(&only(&server, "PATCH", base).await),
        json!({"mfa": true})
    );

    let factors = users.list_mfa_factors("user-42").await.unwrap();
    assert!(factors.totp && factors.email && !factors.phone && !factors.recovery_code);
    assert_eq!(factors.available(), [Factor::Totp, Factor::Email]);
    only(&server, "GET", &format!("{base}/factors")).await;

    users
        .delete_mfa_authenticator("user-42", AuthenticatorType::Totp)
        .await
        .unwrap();
    only(&server, "DELETE", &format!("{base}/authenticators/totp")).await;

    let created = users.create_mfa_recovery_codes("user-42").await.unwrap();
    let read = users.get_mfa_recovery_codes("user-42").await.unwrap();
    let renewed = users.update_mfa_recovery_codes("user-42").await.unwrap();
    for codes in [created, read, renewed] {
        assert_eq!(codes.recovery_codes.len(), 6);
        assert_eq!(codes.recovery_codes[5].expose_secret(), "e9d8c7b6a5");
        assert!(!format!("{codes:?}").contains("e9d8c7b6a5"));
    }
    for verb in ["PATCH", "GET", "PUT"] {
        only(&server, verb, &format!("{base}/recovery-codes")).await;
    }
}

#[tokio::test]
async fn recovery_code_changes_are_never_sent_twice() {
    let server = MockServer::start().await;
    let route = "/v1/users/user-42/mfa/recovery-codes";
    for verb in ["PATCH", "PUT"] {
        mount(&server, verb, route, ResponseTemplate::new(503)).await;
    }
    let users = users(&server);
    assert!(users.create_mfa_recovery_codes("user-42").await.is_err());
    assert!(users.update_mfa_recovery_codes("user-42").await.is_err());
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2, "a 503 is retried for idempotent calls only");
}

#[tokio::test]
async fn mfa_errors_are_told_apart() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/users/user-42/mfa/authenticators/totp",
        json(404, r#"{"message":"Authenticator could not be found on the current user.","code":404,"type":"user_authenticator_not_found","version":"1.9.6"}"#),
    )
    .await;
    mount(
        &server,
        "PATCH",
        "/v1/users/user-42/mfa/recovery-codes",
        json(409, r#"{"message":"The current user already generated recovery codes and they can only be read once for security reasons.","code":409,"type":"user_recovery_codes_already_exists","version":"1.9.6"}"#),
    )
    .await;
    let users = users(&server);
    let err = users
        .delete_mfa_authenticator("user-42", AuthenticatorType::Totp)
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.error_type(),
        Some(&appwrite_server::ErrorType::UserAuthenticatorNotFound)
    );
    let err = users
        .create_mfa_recovery_codes("user-42")
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.error_type(),
        Some(&appwrite_server::ErrorType::UserRecoveryCodesAlreadyExists)
    );
}

#[tokio::test]
async fn verify_jwt_says_the_session_needs_a_second_factor_and_never_caches_it() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account",
        json(401, r#"{"message":"More factors are required to complete the sign in process.","code":401,"type":"user_more_factors_required","version":"1.9.6"}"#),
    )
    .await;
    let users = Users::new(&client(&server)).with_jwt_cache(JwtCache::new(100));
    let token = jwt(in_an_hour());
    for _ in 0..2 {
        let err = users.verify_jwt(token.as_str()).await.unwrap_err();
        assert!(err.is_more_factors_required() && err.is_unauthorized());
        let text = err.to_string();
        assert!(
            text.contains("hint:") && text.contains("update_mfa_challenge"),
            "{text}"
        );
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert!(users.jwt_cache().unwrap().is_empty());
}
