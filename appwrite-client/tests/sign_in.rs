//! Signing in: where the credential comes from, how it is sent back, and the other account calls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_client::{Account, CredentialMode, Error, MemoryStore, SessionStore};
use common::*;
use wiremock::matchers::{body_json, header as header_is, method, path};
use wiremock::{Mock, MockServer};

/// Signs in with `source`, then calls `GET /account`; returns the session header sent with it.
async fn sign_in_and_get(source: Source, credential: &str) -> (String, MemoryStore) {
    let server = MockServer::start().await;
    mount_login(&server, session_created(source, credential, in_days(365))).await;
    mount_account(&server).await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    let account = Account::new(&client);

    let session = account.create_session(USER, TOKEN_SECRET).await.unwrap();
    assert_eq!(session.id, SESSION_ID);
    if !matches!(source, Source::Body) {
        assert!(session.secret.is_empty(), "a client gets secret \"\"");
    }
    let user = account.get().await.unwrap();
    assert_eq!(user.id, USER);

    let login = &received(&server, "POST", "/v1/account/sessions/token").await[0];
    let body: serde_json::Value = serde_json::from_slice(&login.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"userId": USER, "secret": TOKEN_SECRET})
    );
    assert_eq!(header(login, "x-sdk-platform"), Some("client"));
    assert_eq!(header(login, "x-appwrite-project"), Some(PROJECT));
    assert_eq!(header(login, "x-appwrite-session"), None);
    assert!(header(login, "origin").is_none());

    let get = &received(&server, "GET", "/v1/account").await[0];
    assert!(header(get, "cookie").is_none());
    (header(get, "x-appwrite-session").unwrap().to_owned(), store)
}

#[tokio::test]
async fn credential_from_what_appwrite_really_sends() {
    let (sent, store) = sign_in_and_get(Source::Everything, &credential()).await;
    // The cookie's URL encoding is undone for the header Appwrite base64-decodes strictly.
    assert_eq!(sent, credential());
    assert_eq!(store.len(), 1, "saved before create_session returned");
}

#[tokio::test]
async fn credential_from_a_plain_cookie() {
    let (sent, _) = sign_in_and_get(Source::CookiePlain, &credential()).await;
    assert_eq!(sent, credential());
}

#[tokio::test]
async fn credential_from_a_url_encoded_cookie() {
    let (sent, _) = sign_in_and_get(Source::CookieUrlEncoded, &credential()).await;
    assert_eq!(sent, credential());
}

#[tokio::test]
async fn credential_from_the_legacy_cookie() {
    let (sent, _) = sign_in_and_get(Source::LegacyOnly, &credential()).await;
    assert_eq!(sent, credential());
}

#[tokio::test]
async fn credential_from_the_fallback_header_with_escaped_slashes() {
    // Appwrite's own credentials are base64 of ASCII JSON and never hold '/', but PHP's
    // json_encode escapes any '/' as "\/": a value holding one must come back unescaped.
    let odd = "eyJpZCI6InVzZXItNDIi/fQ==";
    let (sent, _) = sign_in_and_get(Source::Fallback, odd).await;
    assert_eq!(sent, odd);
    let (sent, _) = sign_in_and_get(Source::Fallback, &credential()).await;
    assert_eq!(sent, credential());
}

#[tokio::test]
async fn credential_from_the_body_secret() {
    let (sent, _) = sign_in_and_get(Source::Body, &credential()).await;
    assert_eq!(sent, credential());
}

#[tokio::test]
async fn no_credential_anywhere_is_an_error_not_a_sign_in() {
    let server = MockServer::start().await;
    mount_login(&server, session_created(Source::Nothing, "", in_days(365))).await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    let error = Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::MissingCredential), "{error:?}");
    assert!(
        error.to_string().contains("no session credential"),
        "{error}"
    );
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
}

#[tokio::test]
async fn cookie_mode_sends_the_cookie_as_received() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    mount(
        &server,
        "GET",
        "/v1/account/sessions",
        json(
            200,
            format!(
                r#"{{"total":1,"sessions":[{}]}}"#,
                session_json(SESSION_ID, in_days(365))
            ),
        ),
    )
    .await;
    let client = builder(&server)
        .credential_mode(CredentialMode::Cookie)
        .build()
        .unwrap();
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();
    let list = account.list_sessions().await.unwrap();
    assert_eq!(list.total, 1);

    let request = &received(&server, "GET", "/v1/account/sessions").await[0];
    assert_eq!(
        header(request, "cookie"),
        Some(format!("a_session_{PROJECT}={}", url_encoded(&credential())).as_str())
    );
    assert_eq!(header(request, "x-appwrite-session"), None);
}

#[tokio::test]
async fn session_calls_send_the_session_and_decode() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let session_header = || header_is("x-appwrite-session", credential().as_str());
    Mock::given(method("GET"))
        .and(path("/v1/account/sessions/other-session"))
        .and(session_header())
        .respond_with(json(200, session_json("other-session", in_days(30))))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/account/jwts"))
        .and(session_header())
        .and(body_json(serde_json::json!({"duration": 600})))
        .respond_with(json(
            201,
            r#"{"jwt":"eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiJ1c2VyLTQyIn0.c2ln"}"#.into(),
        ))
        .mount(&server)
        .await;
    let client = builder(&server)
        .origin("appwrite-desktop://my-app")
        .build()
        .unwrap();
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();

    let other = account.get_session("other-session").await.unwrap();
    assert_eq!(other.id, "other-session");
    let jwt = account
        .create_jwt()
        .duration(Duration::from_secs(600))
        .await
        .unwrap();
    assert!(jwt.jwt.expose_secret().starts_with("eyJ"));
    let jwt_request = &received(&server, "POST", "/v1/account/jwts").await[0];
    assert_eq!(
        header(jwt_request, "origin"),
        Some("appwrite-desktop://my-app")
    );
}

#[tokio::test]
async fn jwt_duration_is_checked_before_sending() {
    let server = MockServer::start().await;
    let account = Account::new(&builder(&server).build().unwrap());
    let error = account
        .create_jwt()
        .duration(Duration::from_secs(3601))
        .await
        .unwrap_err();
    assert!(error.is_invalid_input(), "{error:?}");
    let error = account
        .create_jwt()
        .duration(Duration::from_millis(1500))
        .await
        .unwrap_err();
    assert!(error.is_invalid_input(), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn token_producers_send_their_parameters_without_the_session() {
    let server = MockServer::start().await;
    let token = |secret: &str| {
        json(
            201,
            format!(
                r#"{{"$id":"tok1","$createdAt":"2024-10-15T06:38:00.000+00:00","userId":"{USER}","secret":"{secret}","expire":"2024-10-15T06:53:00.000+00:00","phrase":"Golden Fox"}}"#
            ),
        )
    };
    Mock::given(method("POST"))
        .and(path("/v1/account/tokens/email"))
        .and(body_json(
            serde_json::json!({"userId": USER, "email": "ada@example.com", "phrase": true}),
        ))
        .respond_with(token(""))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/account/tokens/magic-url"))
        .and(body_json(serde_json::json!({"userId": USER, "email": "ada@example.com", "url": "https://app.example.com/login"})))
        .respond_with(token(""))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/account/tokens/phone"))
        .and(body_json(
            serde_json::json!({"userId": USER, "phone": "+14155550123"}),
        ))
        .respond_with(token(""))
        .mount(&server)
        .await;
    mount_default_login(&server).await;
    let client = builder(&server).build().unwrap();
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();

    let t = account
        .create_email_token(USER, "ada@example.com")
        .phrase(true)
        .await
        .unwrap();
    assert_eq!(t.phrase, "Golden Fox");
    account
        .create_magic_url_token(USER, "ada@example.com")
        .url("https://app.example.com/login")
        .await
        .unwrap();
    account
        .create_phone_token(USER, "+14155550123")
        .await
        .unwrap();
    for route in ["email", "magic-url", "phone"] {
        let request = &received(&server, "POST", &format!("/v1/account/tokens/{route}")).await[0];
        assert_eq!(header(request, "x-appwrite-session"), None, "{route}");
    }
}

#[tokio::test]
async fn a_bad_token_is_an_api_error_and_no_sign_in() {
    let server = MockServer::start().await;
    mount_login(
        &server,
        error_json(
            401,
            "user_invalid_token",
            "Invalid token passed in the request.",
        ),
    )
    .await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    let error = Account::new(&client)
        .create_session(USER, "wrong!")
        .await
        .unwrap_err();
    assert!(error.is_unauthorized());
    assert_eq!(
        error.error_type(),
        Some(&appwrite_client::ErrorType::UserInvalidToken)
    );
    assert!(store.load(client.profile_key()).unwrap().is_none());
}

#[test]
fn futures_and_handles_are_send_and_static() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_static_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_static_send_sync::<appwrite_client::Client>();
    assert_static_send_sync::<Account>();
    let client = appwrite_client::Client::builder()
        .endpoint("http://127.0.0.1:9/v1")
        .project(PROJECT)
        .build()
        .unwrap();
    let account = Account::new(&client);
    assert_send(&account.create_session(USER, TOKEN_SECRET));
    assert_send(&account.get());
    assert_send(&account.get_session("current"));
    assert_send(&account.list_sessions());
    assert_send(&account.update_session("current"));
    assert_send(&account.delete_session("current"));
    assert_send(&account.delete_sessions());
    assert_send(&account.create_phone_token(USER, "+1"));
    assert_send(&std::future::IntoFuture::into_future(account.create_jwt()));
    assert_send(&std::future::IntoFuture::into_future(
        account.create_email_token(USER, "a@b.c"),
    ));
    assert_send(&std::future::IntoFuture::into_future(
        account.create_magic_url_token(USER, "a@b.c"),
    ));
    assert_send(&client.validate());
}

#[tokio::test]
async fn a_body_over_max_response_bytes_is_a_transport_error() {
    let server = MockServer::start().await;
    mount_account(&server).await;
    let client = builder(&server).max_response_bytes(64).build().unwrap();

    let error = Account::new(&client).get().await.unwrap_err();

    assert!(
        matches!(
            error,
            Error::Transport(appwrite_client::TransportError::BodyTooLarge { limit: 64 })
        ),
        "{error:?}"
    );
    assert!(error.is_transport());
    assert_eq!(
        error.to_string(),
        "the response body is larger than 64 bytes"
    );
}
