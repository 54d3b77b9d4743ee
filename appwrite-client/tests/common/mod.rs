//! Fixtures shaped like what Appwrite really sends (protocol notes §2): a `Session` body with
//! `secret: ""`, two `Set-Cookie` headers with `expires`/`path`/`httponly`(/`samesite`), URL-encoded
//! values, and `X-Fallback-Cookies` JSON.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime};

use appwrite_client::models::credential;
use appwrite_client::models::time::{OffsetDateTime, format_description};
use appwrite_client::{
    Client, ClientBuilder, Datetime, ProfileKey, RetryPolicy, SessionCredential, SessionStore,
    StoredSession,
};
use wiremock::matchers::{method, path};

#[cfg(feature = "loopback-login")]
pub mod loopback;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const PROJECT: &str = "demo";
pub const USER: &str = "user-42";
pub const SESSION_ID: &str = "6530b3f4a1b2c3d4e5f6";
pub const TOKEN_SECRET: &str = "5be1f0d7";

/// The session's own secret (256 hex, as Appwrite generates it).
pub const SECRET: &str = "042896dc1966b8a6214e5383aba5b8b931cfa049d17aafa37eb8a77c859b95dadba0082ec68e72d47fa926dcc91fb9b00961ceb4342554a0c2aa567144a5a6d3042896dc1966b8a6214e5383aba5b8b931cfa049d17aafa37eb8a77c859b95dadba0082ec68e72d47fa926dcc91fb9b00961ceb4342554a0c2aa567144a5a6d3";
/// A second session's secret, for replacement tests.
pub const SECRET_2: &str = "dfd5922f5aa9441e95d21ed58bb9f2209a004912a1232e89f75f725bd37f3d4a8c09b37123eb0d9dcec63788149e576b1614ed481ad002512d0a47a09cbf59fcdfd5922f5aa9441e95d21ed58bb9f2209a004912a1232e89f75f725bd37f3d4a8c09b37123eb0d9dcec63788149e576b1614ed481ad002512d0a47a09cbf59fc";

/// The encoded credential, `base64({"id":…,"secret":…})`, padded with `=`.
pub fn credential() -> String {
    credential::encode(USER, SECRET)
}

pub fn credential_2() -> String {
    credential::encode(USER, SECRET_2)
}

/// As Swoole's `cookie()` sends it: URL-encoded (`=` → `%3D`).
pub fn url_encoded(credential: &str) -> String {
    credential
        .replace('%', "%25")
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

pub fn wire_datetime(at: SystemTime) -> String {
    Datetime::from(at).to_string()
}

/// An HTTP date for a cookie's `expires`.
pub fn cookie_date(at: SystemTime) -> String {
    let format = format_description::parse(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT",
    )
    .unwrap();
    OffsetDateTime::from(at).format(&format).unwrap()
}

pub fn in_days(days: u64) -> SystemTime {
    SystemTime::now() + Duration::from_secs(days * 86_400)
}

pub fn days_ago(days: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(days * 86_400)
}

/// A `Session` as a client (no API key) receives it: every key present, `secret` empty.
pub fn session_json(id: &str, expire: SystemTime) -> String {
    let created = wire_datetime(SystemTime::now());
    let expire = wire_datetime(expire);
    format!(
        r#"{{"$id":"{id}","$createdAt":"{created}","$updatedAt":"{created}","userId":"{USER}","expire":"{expire}","provider":"token","providerUid":"","providerAccessToken":"","providerAccessTokenExpiry":"","providerRefreshToken":"","ip":"172.18.0.1","osCode":"","osName":"","osVersion":"","clientType":"","clientCode":"","clientName":"","clientVersion":"","clientEngine":"","clientEngineVersion":"","deviceName":"","deviceBrand":"","deviceModel":"","countryCode":"--","countryName":"Unknown","current":true,"factors":["token"],"secret":"","mfaUpdatedAt":""}}"#
    )
}

pub fn user_json() -> String {
    r#"{"$id":"user-42","$createdAt":"2024-10-15T06:38:00.000+00:00","$updatedAt":"2024-10-15T06:38:00.000+00:00","name":"Ada","registration":"2024-10-15T06:38:00.000+00:00","status":true,"labels":[],"passwordUpdate":"","email":"ada@example.com","phone":"","emailVerification":false,"phoneVerification":false,"mfa":false,"prefs":{},"targets":[],"accessedAt":"2024-10-15T06:38:00.000+00:00"}"#.to_owned()
}

pub fn json(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/json; charset=UTF-8")
}

pub fn error_json(status: u16, kind: &str, message: &str) -> ResponseTemplate {
    json(
        status,
        format!(r#"{{"message":"{message}","code":{status},"type":"{kind}","version":"1.9.6"}}"#),
    )
}

/// 401 for a request that went out as a guest (no session, or one the server does not accept).
pub fn guest_401() -> ResponseTemplate {
    error_json(
        401,
        "general_unauthorized_scope",
        "User (role: guests) missing scopes ([\\\"account\\\"])",
    )
}

/// Where `create_session`'s answer carries the credential.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    /// Both cookies and the fallback header, URL-encoded cookies: what Appwrite sends.
    Everything,
    CookiePlain,
    CookieUrlEncoded,
    LegacyOnly,
    Fallback,
    Body,
    Nothing,
}

/// The 201 answer to `POST /account/sessions/token` carrying `credential` as `source` says.
pub fn session_created(source: Source, credential: &str, expire: SystemTime) -> ResponseTemplate {
    let expires = cookie_date(expire);
    let encoded = url_encoded(credential);
    let cookie = |name: &str, value: &str, samesite: bool| {
        let mut c = format!("{name}={value}; expires={expires}; path=/; httponly");
        if samesite {
            c.push_str("; samesite=None");
        }
        c
    };
    let fallback = format!(
        r#"{{"a_session_{PROJECT}":"{}"}}"#,
        credential.replace('/', "\\/")
    );
    let mut body = session_json(SESSION_ID, expire);
    let mut t = ResponseTemplate::new(201).insert_header("x-debug-fallback", "true");
    match source {
        Source::Everything => {
            t = t
                .append_header(
                    "set-cookie",
                    cookie(&format!("a_session_{PROJECT}_legacy"), &encoded, false),
                )
                .append_header(
                    "set-cookie",
                    cookie(&format!("a_session_{PROJECT}"), &encoded, true),
                )
                .insert_header("x-fallback-cookies", fallback);
        }
        Source::CookiePlain => {
            t = t.append_header(
                "set-cookie",
                cookie(&format!("a_session_{PROJECT}"), credential, true),
            );
        }
        Source::CookieUrlEncoded => {
            t = t.append_header(
                "set-cookie",
                cookie(&format!("a_session_{PROJECT}"), &encoded, true),
            );
        }
        Source::LegacyOnly => {
            t = t.append_header(
                "set-cookie",
                cookie(&format!("a_session_{PROJECT}_legacy"), &encoded, false),
            );
        }
        Source::Fallback => t = t.insert_header("x-fallback-cookies", fallback),
        Source::Body => {
            body = body.replace(r#""secret":"""#, &format!(r#""secret":"{credential}""#));
        }
        Source::Nothing => {}
    }
    t.set_body_raw(body, "application/json; charset=UTF-8")
}

/// What Appwrite answers a logout of the current session with: 204, both cookies expired, and
/// `X-Fallback-Cookies: []`.
pub fn logged_out() -> ResponseTemplate {
    let past = cookie_date(SystemTime::now() - Duration::from_secs(3600));
    ResponseTemplate::new(204)
        .append_header(
            "set-cookie",
            format!("a_session_{PROJECT}_legacy=deleted; expires={past}; path=/; httponly"),
        )
        .append_header(
            "set-cookie",
            format!("a_session_{PROJECT}=deleted; expires={past}; path=/; httponly; samesite=None"),
        )
        .insert_header("x-fallback-cookies", "[]")
}

/// A session as the store keeps it: this user and session, with `credential`, until `expire`.
pub fn stored(credential: &str, expire: SystemTime) -> StoredSession {
    StoredSession::new(
        SessionCredential::new(credential),
        USER,
        SESSION_ID,
        Datetime::from(expire),
        "token",
    )
}

/// The credential `store` keeps for `key` (there must be one).
pub fn saved_credential(store: &impl SessionStore, key: &ProfileKey) -> String {
    store
        .load(key)
        .unwrap()
        .unwrap()
        .credential
        .expose_secret()
        .to_owned()
}

/// Saves [`credential`] for `first` and [`credential_2`] for `second`.
pub fn save_both(store: &impl SessionStore, first: &ProfileKey, second: &ProfileKey) {
    store
        .save(first, &stored(&credential(), in_days(300)))
        .unwrap();
    store
        .save(second, &stored(&credential_2(), in_days(300)))
        .unwrap();
}

/// Project `demo#work`, and project `demo` with profile `work` (once the same key string): `store`
/// keeps a session for each, and clearing the first leaves the second.
pub fn assert_look_alike_keys_keep_their_own_sessions(store: &impl SessionStore) {
    let hash_project = ProfileKey::new("https://appwrite.example.com/v1", "demo#work", None);
    let profile = ProfileKey::new(
        "https://appwrite.example.com/v1",
        "demo",
        Some("work".to_owned()),
    );
    assert_ne!(hash_project.as_string(), profile.as_string());
    save_both(store, &hash_project, &profile);
    assert_eq!(saved_credential(store, &hash_project), credential());
    assert_eq!(saved_credential(store, &profile), credential_2());
    store.clear(&hash_project).unwrap();
    assert!(store.load(&hash_project).unwrap().is_none());
    assert_eq!(saved_credential(store, &profile), credential_2());
    store.clear(&profile).unwrap();
}

/// Answers `verb route` with `response`, for any headers and body.
pub async fn mount(server: &MockServer, verb: &str, route: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Answers `GET /account` with the user fixture.
pub async fn mount_account(server: &MockServer) {
    mount(server, "GET", "/v1/account", json(200, user_json())).await;
}

/// Answers sign-in as Appwrite does (both cookies and the fallback header) with [`credential`],
/// for a session valid a year.
pub async fn mount_default_login(server: &MockServer) {
    mount_login(
        server,
        session_created(Source::Everything, &credential(), in_days(365)),
    )
    .await;
}

pub async fn mount_login(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/v1/account/sessions/token"))
        .respond_with(response)
        .mount(server)
        .await;
}

pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .endpoint(format!("{}/v1", server.uri()))
        .project(PROJECT)
        .retry_policy(RetryPolicy::disabled())
}

pub fn client_with(server: &MockServer, store: impl SessionStore) -> Client {
    builder(server).session_store(store).build().unwrap()
}

/// The requests the server received on `method path`.
pub async fn received(server: &MockServer, verb: &str, route: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == route)
        .collect()
}

pub fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).map(|v| v.to_str().unwrap())
}

/// An endpoint where nothing listens: every request fails to connect.
pub fn dead_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/v1")
}
