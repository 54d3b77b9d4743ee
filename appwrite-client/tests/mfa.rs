//! Multi-factor authentication against a stub answering Appwrite 1.9.6's shapes: each MFA call's
//! request and decoded answer, and what a refusal for a missing second factor, a passed challenge
//! or a wrong code does to the held session, its store entry and the auth state.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_client::{
    Account, AuthState, AuthenticatorType, Factor, FileStore, MemoryStore, ProfileKey,
    RestoreOutcome, SessionStore,
};
use common::*;
use wiremock::{MockServer, ResponseTemplate};

const CHALLENGE_ID: &str = "bb8ea5c16897e";
const OTP: &str = "481516";

fn more_factors() -> ResponseTemplate {
    error_json(
        401,
        "user_more_factors_required",
        "More factors are required to complete the sign in process.",
    )
}

/// A stub where sign-in works and `GET /account` wants a second factor.
async fn mfa_user() -> MockServer {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    mount(&server, "GET", "/v1/account", more_factors()).await;
    server
}

fn challenge_json() -> String {
    format!(
        r#"{{"$id":"{CHALLENGE_ID}","$createdAt":"2024-10-15T06:38:00.000+00:00","userId":"{USER}","expire":"2024-10-15T07:38:00.000+00:00"}}"#
    )
}

/// The session as `PUT /account/mfa/challenges` answers it: `mfaUpdatedAt` in the database
/// format, because it is set in memory (MFA/Challenges/Update.php).
fn two_factor_session(second: &str) -> String {
    session_json(SESSION_ID, in_days(300))
        .replace(
            r#""factors":["token"]"#,
            &format!(r#""factors":["token","{second}"]"#),
        )
        .replace(
            r#""mfaUpdatedAt":"""#,
            r#""mfaUpdatedAt":"2024-10-15 06:38:00.123""#,
        )
}

fn body(request: &wiremock::Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).unwrap()
}

fn key(server: &MockServer) -> ProfileKey {
    ProfileKey::new(format!("{}/v1", server.uri()), PROJECT, None)
}

#[tokio::test]
async fn a_session_refused_for_a_second_factor_is_kept_and_says_so() {
    let server = mfa_user().await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();
    assert!(
        !client.needs_second_factor(),
        "unknown until the server says"
    );

    let error = account.get().await.unwrap_err();
    assert!(error.is_more_factors_required());
    assert!(error.is_unauthorized() && !error.is_challenge_required());
    assert!(
        error.to_string().contains("update_mfa_challenge"),
        "the hint says what to do: {error}"
    );
    assert!(client.is_signed_in(), "the session is kept");
    assert!(client.needs_second_factor());
    let state = client.auth_state().borrow().clone();
    assert!(state.needs_second_factor() && state.is_signed_in());
    assert_eq!(
        state.user_id().map(appwrite_client::UserId::as_str),
        Some(USER)
    );
    let saved = store.load(&key(&server)).unwrap().unwrap();
    assert!(saved.second_factor_required);
    assert_eq!(saved.factors, ["token"]);
}

#[tokio::test]
async fn passing_a_challenge_completes_the_sign_in_and_survives_a_restart() {
    let server = mfa_user().await;
    mount(
        &server,
        "POST",
        "/v1/account/mfa/challenges",
        json(201, challenge_json()),
    )
    .await;
    mount(
        &server,
        "PUT",
        "/v1/account/mfa/challenges",
        json(200, two_factor_session("totp")),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    {
        let client = client_with(&server, FileStore::new(&file));
        let account = Account::new(&client);
        account.create_session(USER, TOKEN_SECRET).await.unwrap();
        assert!(account.get().await.unwrap_err().is_more_factors_required());

        let challenge = account.create_mfa_challenge(Factor::Totp).await.unwrap();
        assert_eq!(challenge.id, CHALLENGE_ID);
        assert_eq!(challenge.user_id, USER);
        let session = account
            .update_mfa_challenge(challenge.id, OTP)
            .await
            .unwrap();
        assert_eq!(session.factors, ["token", "totp"]);
        assert!(session.has_factor(Factor::Totp) && session.is_multi_factor());
        assert_eq!(
            session.mfa_updated_at.to_string(),
            "2024-10-15T06:38:00.123+00:00"
        );
        assert!(!client.needs_second_factor());
        assert!(matches!(
            *client.auth_state().borrow(),
            AuthState::SignedIn { .. }
        ));

        let create = &received(&server, "POST", "/v1/account/mfa/challenges").await[0];
        assert_eq!(body(create), serde_json::json!({"factor": "totp"}));
        assert_eq!(
            header(create, "x-appwrite-session"),
            Some(credential().as_str())
        );
        let answer = &received(&server, "PUT", "/v1/account/mfa/challenges").await[0];
        assert_eq!(
            body(answer),
            serde_json::json!({"challengeId": CHALLENGE_ID, "otp": OTP})
        );
        assert_eq!(
            header(answer, "x-appwrite-session"),
            Some(credential().as_str())
        );
    }
    // A new process on the same file: fully signed in, with both factors.
    let client = client_with(&server, FileStore::new(&file));
    assert!(matches!(
        *client.auth_state().borrow(),
        AuthState::SignedIn { .. }
    ));
    let saved = FileStore::new(&file).load(&key(&server)).unwrap().unwrap();
    assert_eq!(saved.factors, ["token", "totp"]);
    assert!(!saved.second_factor_required);
}

#[tokio::test]
async fn a_restarted_client_still_knows_it_needs_a_second_factor() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    mount(
        &server,
        "GET",
        "/v1/account/sessions/current",
        more_factors(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    {
        let client = client_with(&server, FileStore::new(&file));
        Account::new(&client)
            .create_session(USER, TOKEN_SECRET)
            .await
            .unwrap();
        assert!(matches!(
            client.validate().await.unwrap(),
            RestoreOutcome::SecondFactorRequired
        ));
        assert!(client.is_signed_in() && client.needs_second_factor());
    }
    let client = client_with(&server, FileStore::new(&file));
    assert!(matches!(
        *client.auth_state().borrow(),
        AuthState::SecondFactorRequired { .. }
    ));
}

#[tokio::test]
async fn a_wrong_code_is_refused_and_the_session_stays_one_factor() {
    let server = mfa_user().await;
    // A server that echoes the code must not put it in our message.
    mount(
        &server,
        "PUT",
        "/v1/account/mfa/challenges",
        error_json(
            401,
            "user_invalid_token",
            &format!("Invalid token passed in the request: {OTP}"),
        ),
    )
    .await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();
    account.get().await.unwrap_err();

    let error = account
        .update_mfa_challenge(CHALLENGE_ID, OTP)
        .await
        .unwrap_err();
    assert!(error.is_unauthorized() && !error.is_more_factors_required());
    assert!(!error.to_string().contains(OTP));
    assert!(
        error.to_string().contains("the code is wrong"),
        "the hint is about the code, not a login token: {error}"
    );
    assert!(!format!("{error:?}").contains(OTP));
    assert!(client.is_signed_in() && client.needs_second_factor());
    let saved = store.load(&key(&server)).unwrap().unwrap();
    assert_eq!(saved.factors, ["token"]);
    assert!(saved.second_factor_required);
    // Never retried: a challenge answers once.
    assert_eq!(
        received(&server, "PUT", "/v1/account/mfa/challenges")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn recovery_codes_and_factors_use_appwrites_names() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    mount(
        &server,
        "GET",
        "/v1/account/mfa/factors",
        json(
            200,
            r#"{"totp":true,"phone":false,"email":true,"recoveryCode":true}"#.to_owned(),
        ),
    )
    .await;
    mount(
        &server,
        "POST",
        "/v1/account/mfa/challenges",
        json(201, challenge_json()),
    )
    .await;
    let codes = r#"{"recoveryCodes":["a3kf0s0cl2","s0co1as98s","9d2c1b0a7f","0f1e2d3c4b","5a6b7c8d9e","e9d8c7b6a5"]}"#;
    for verb in ["POST", "GET", "PATCH"] {
        let status = if verb == "POST" { 201 } else { 200 };
        mount(
            &server,
            verb,
            "/v1/account/mfa/recovery-codes",
            json(status, codes.to_owned()),
        )
        .await;
    }
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();

    let factors = account.list_mfa_factors().await.unwrap();
    assert_eq!(
        factors.available(),
        [Factor::Totp, Factor::Email, Factor::RecoveryCode]
    );
    account
        .create_mfa_challenge(Factor::RecoveryCode)
        .await
        .unwrap();
    let create = &received(&server, "POST", "/v1/account/mfa/challenges").await[0];
    // `Type::RECOVERY_CODE`: the only spelling MFA/Challenges/Update.php can prove.
    assert_eq!(body(create), serde_json::json!({"factor": "recoveryCode"}));

    for codes in [
        account.create_mfa_recovery_codes().await.unwrap(),
        account.get_mfa_recovery_codes().await.unwrap(),
        account.update_mfa_recovery_codes().await.unwrap(),
    ] {
        assert_eq!(codes.recovery_codes.len(), 6);
        assert_eq!(codes.recovery_codes[0].expose_secret(), "a3kf0s0cl2");
        assert!(!format!("{codes:?}").contains("a3kf0s0cl2"));
    }
    for verb in ["POST", "GET", "PATCH"] {
        let request = &received(&server, verb, "/v1/account/mfa/recovery-codes").await[0];
        assert_eq!(
            header(request, "x-appwrite-session"),
            Some(credential().as_str())
        );
    }
}

#[tokio::test]
async fn a_challenge_required_refusal_keeps_the_session() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    mount(
        &server,
        "GET",
        "/v1/account/mfa/recovery-codes",
        error_json(
            401,
            "user_challenge_required",
            "A recently successful challenge is required to complete this action. A challenge is considered recent for 5 minutes.",
        ),
    )
    .await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();
    let error = account.get_mfa_recovery_codes().await.unwrap_err();
    assert!(error.is_challenge_required());
    assert!(
        client.is_signed_in(),
        "a 401 that asks for a challenge is not a revocation"
    );
    assert!(!client.needs_second_factor());
}

#[tokio::test]
async fn authenticator_setup_records_the_factor_on_the_held_session() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    mount(
        &server,
        "POST",
        "/v1/account/mfa/authenticators/totp",
        json(
            200,
            format!(
                r#"{{"secret":"{secret}","uri":"otpauth://totp/demo:ada%40example.com?secret={secret}&issuer=demo"}}"#
            ),
        ),
    )
    .await;
    mount(
        &server,
        "PUT",
        "/v1/account/mfa/authenticators/totp",
        json(200, user_json()),
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/v1/account/mfa/authenticators/totp",
        ResponseTemplate::new(204),
    )
    .await;
    mount(
        &server,
        "PATCH",
        "/v1/account/mfa",
        json(200, user_json().replace(r#""mfa":false"#, r#""mfa":true"#)),
    )
    .await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();

    let kind = account
        .create_mfa_authenticator(AuthenticatorType::Totp)
        .await
        .unwrap();
    assert_eq!(kind.secret.expose_secret(), secret);
    assert!(kind.uri.expose_secret().starts_with("otpauth://totp/"));
    assert!(!format!("{kind:?}").contains(secret));

    let user = account
        .update_mfa_authenticator(AuthenticatorType::Totp, OTP)
        .await
        .unwrap();
    assert_eq!(user.id, USER);
    let verify = &received(&server, "PUT", "/v1/account/mfa/authenticators/totp").await[0];
    assert_eq!(body(verify), serde_json::json!({"otp": OTP}));
    // MFA/Authenticators/Update.php adds `totp` to the current session's factors.
    let saved = store.load(&key(&server)).unwrap().unwrap();
    assert_eq!(saved.factors, ["token", "totp"]);

    let user = account.update_mfa(true).await.unwrap();
    assert!(user.mfa);
    let patch = &received(&server, "PATCH", "/v1/account/mfa").await[0];
    assert_eq!(body(patch), serde_json::json!({"mfa": true}));

    account
        .delete_mfa_authenticator(AuthenticatorType::Totp)
        .await
        .unwrap();
    assert_eq!(
        received(&server, "DELETE", "/v1/account/mfa/authenticators/totp")
            .await
            .len(),
        1
    );
}
