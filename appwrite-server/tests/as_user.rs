//! Acting as a user and verifying JWTs: the credential header sent instead of the key, the
//! answers decoded, the errors told apart, and the cache.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::future::IntoFuture as _;
use std::time::{Duration, UNIX_EPOCH};

use appwrite_server::{Credential, JwtCache, Users};
use common::{PROJECT, client, fixture, in_an_hour, json_response, jwt, mount};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The requests `server` got: each carries the project and no key, no cookie.
async fn user_requests(server: &MockServer) -> Vec<wiremock::Request> {
    let requests = server.received_requests().await.unwrap();
    for request in &requests {
        assert!(request.headers.get("x-appwrite-key").is_none(), "key sent");
        assert!(request.headers.get("cookie").is_none());
        assert_eq!(request.headers["x-appwrite-project"], PROJECT);
        assert_eq!(request.headers["x-sdk-platform"], "server");
    }
    requests
}

#[tokio::test]
async fn verify_jwt_sends_the_jwt_without_the_key() {
    let server = MockServer::start().await;
    let exp = in_an_hour();
    let token = jwt(exp);
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .and(header("x-appwrite-jwt", token.as_str()))
        .respond_with(json_response(200, "user.json"))
        .expect(1)
        .mount(&server)
        .await;

    let verified = Users::new(&client(&server))
        .verify_jwt(format!("{token}\n"))
        .await
        .unwrap();

    assert_eq!(verified.user.id, "user-42");
    assert_eq!(verified.session_id.unwrap().as_str(), "s-1");
    assert_eq!(
        verified.expires_at,
        Some(UNIX_EPOCH + Duration::from_secs(exp))
    );
    let requests = user_requests(&server).await;
    assert_eq!(requests.len(), 1);
    assert!(requests[0].headers.get("x-appwrite-session").is_none());
}

#[tokio::test]
async fn verify_jwt_tells_invalid_blocked_and_unreachable_apart() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account",
        ResponseTemplate::new(401).set_body_json(json!({
            "message": "Failed to verify JWT. Expired token",
            "code": 401, "type": "user_jwt_invalid", "version": "1.9.6"
        })),
    )
    .await;
    let err = Users::new(&client(&server))
        .verify_jwt(jwt(in_an_hour()))
        .await
        .unwrap_err();
    assert!(err.is_unauthorized() && !err.is_forbidden(), "{err}");

    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account",
        ResponseTemplate::new(403).set_body_json(json!({
            "message": "The current user has been blocked.",
            "code": 403, "type": "user_blocked", "version": "1.9.6"
        })),
    )
    .await;
    let err = Users::new(&client(&server))
        .verify_jwt(jwt(in_an_hour()))
        .await
        .unwrap_err();
    assert!(err.is_forbidden() && !err.is_unauthorized(), "{err}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    let unreachable = appwrite_server::Client::builder()
        .endpoint(endpoint)
        .project(PROJECT)
        .api_key(common::KEY)
        .retry_policy(appwrite_server::RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = Users::new(&unreachable)
        .verify_jwt(jwt(in_an_hour()))
        .await
        .unwrap_err();
    assert!(err.is_transport() && !err.is_unauthorized(), "{err}");
}

#[tokio::test]
async fn a_jwt_echoed_in_an_error_is_redacted() {
    let server = MockServer::start().await;
    let token = jwt(in_an_hour());
    mount(
        &server,
        "GET",
        "/v1/account",
        ResponseTemplate::new(401).set_body_json(json!({
            "message": format!("bad token {token}"),
            "code": 401, "type": "user_jwt_invalid", "version": "1.9.6"
        })),
    )
    .await;
    let err = Users::new(&client(&server))
        .verify_jwt(token.clone())
        .await
        .unwrap_err();
    assert!(!err.to_string().contains(&token), "{err}");
    assert!(!format!("{err:?}").contains(&token));
    let user = client(&server).as_user(Credential::jwt(token.clone()));
    assert!(!format!("{user:?}").contains(&token));
}

#[tokio::test]
async fn the_cache_answers_a_known_token_without_asking_again() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account",
        json_response(200, "user.json"),
    )
    .await;
    let cached = Users::new(&client(&server)).with_jwt_cache(JwtCache::new(100));
    let token = jwt(in_an_hour());
    for _ in 0..3 {
        let verified = cached.clone().verify_jwt(token.as_str()).await.unwrap();
        assert_eq!(verified.user.id, "user-42");
    }
    assert_eq!(user_requests(&server).await.len(), 1);

    // Without the cache, every call asks Appwrite.
    let plain = Users::new(&client(&server));
    plain.verify_jwt(token.as_str()).await.unwrap();
    plain.verify_jwt(token.as_str()).await.unwrap();
    assert_eq!(user_requests(&server).await.len(), 3);
}

#[tokio::test]
async fn the_cache_never_keeps_an_expired_token_or_a_failure() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account",
        json_response(200, "user.json"),
    )
    .await;
    let cached = Users::new(&client(&server)).with_jwt_cache(JwtCache::new(100));
    // Appwrite (here a mock) accepted it, but its `exp` has passed: not reused.
    let expired = jwt(1_000);
    cached.verify_jwt(expired.as_str()).await.unwrap();
    cached.verify_jwt(expired.as_str()).await.unwrap();
    assert_eq!(user_requests(&server).await.len(), 2);

    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account",
        ResponseTemplate::new(401).set_body_json(fixture("error_unauthorized_scope.json")),
    )
    .await;
    let cached = Users::new(&client(&server)).with_jwt_cache(JwtCache::new(100));
    let token = jwt(in_an_hour());
    assert!(cached.verify_jwt(token.as_str()).await.is_err());
    assert!(cached.verify_jwt(token.as_str()).await.is_err());
    assert_eq!(user_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn account_calls_carry_the_session_header() {
    let server = MockServer::start().await;
    let credential = "eyJpZCI6InVzZXItNDIiLCJzZWNyZXQiOiJhYmMifQ==";
    Mock::given(method("GET"))
        .and(path("/v1/account/sessions/current"))
        .and(header("x-appwrite-session", credential))
        .respond_with(json_response(200, "session.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/account/sessions"))
        .and(header("x-appwrite-session", credential))
        .respond_with(json_response(200, "session_list.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/account/prefs"))
        .and(header("x-appwrite-session", credential))
        .respond_with(json_response(200, "prefs.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v1/account/sessions/current"))
        .and(header("x-appwrite-session", credential))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .and(header("x-appwrite-session", credential))
        .respond_with(json_response(200, "user.json"))
        .expect(1)
        .mount(&server)
        .await;

    let account = client(&server)
        .as_user(Credential::session(credential))
        .account();
    assert_eq!(account.get().await.unwrap().id, "user-42");
    let session = account.get_session("current").await.unwrap();
    assert_eq!(session.user_id, "user-42");
    assert!(!account.list_sessions().await.unwrap().sessions.is_empty());
    assert_eq!(
        account.get_prefs().await.unwrap().get("theme"),
        Some(&json!("dark"))
    );
    account.delete_session("current").await.unwrap();
    let requests = user_requests(&server).await;
    assert_eq!(requests.len(), 5);
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("x-appwrite-jwt").is_none())
    );
}

#[tokio::test]
async fn a_credential_that_cannot_be_a_header_fails_before_sending() {
    let server = MockServer::start().await;
    let err = client(&server)
        .as_user(Credential::jwt("line\nbreak"))
        .account()
        .get()
        .await
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert!(!err.to_string().contains("line"), "{err}");
    let err = Users::new(&client(&server))
        .verify_jwt("")
        .await
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn the_new_types_are_shareable_and_every_future_is_send() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    fn sendable<T: Send + Unpin + 'static>(_: &T) {}
    fn sync<T: Send + Sync + 'static>() {}
    shareable::<Credential>();
    shareable::<appwrite_server::UserClient>();
    shareable::<appwrite_server::Account>();
    shareable::<appwrite_server::VerifiedUser>();
    shareable::<appwrite_server::requests::GetOrCreateByEmail>();
    sync::<JwtCache>();

    let client = appwrite_server::Client::builder()
        .endpoint("http://127.0.0.1:1/v1")
        .project(PROJECT)
        .api_key(common::KEY)
        .build()
        .unwrap();
    let users = Users::new(&client).with_jwt_cache(JwtCache::new(1));
    sendable(&users.verify_jwt("a.b.c"));
    sendable(&users.update_name("u", "n"));
    sendable(&users.update_email("u", "a@b.co"));
    sendable(&users.update_phone("u", "+1"));
    sendable(&users.update_password("u", "password"));
    sendable(&users.update_prefs("u", appwrite_server::Preferences::default()));
    sendable(&users.get_prefs("u"));
    sendable(&users.update_labels("u", ["a"]));
    sendable(&users.update_email_verification("u", true));
    sendable(&users.update_phone_verification("u", true));
    sendable(&users.block("u"));
    sendable(&users.unblock("u"));
    sendable(&users.find_by_email("a@b.co"));
    sendable(&users.get_or_create_by_email("a@b.co").into_future());
    let account = client.as_user(Credential::jwt("a.b.c")).account();
    sendable(&account.get());
    sendable(&account.get_session("current"));
    sendable(&account.list_sessions());
    sendable(&account.delete_session("current"));
    sendable(&account.get_prefs());
}
