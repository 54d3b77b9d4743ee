//! `POST /v1/account/sessions/token` and the account session endpoints over HTTP.

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_emulator::Emulator;
use appwrite_models::credential::{self, CredentialUpdate};
use common::{Env, KEY, PROJECT, expect_error, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A wire datetime, or one in the database format `Y-m-d H:i:s.v` (UTC) that
/// `PATCH /v1/account/sessions/{id}` answers for `expire`.
fn parse_time(v: &Value) -> std::time::SystemTime {
    let text = v.as_str().unwrap();
    let iso = match text.split_once(' ') {
        Some((date, time)) => format!("{date}T{time}+00:00"),
        None => text.to_owned(),
    };
    appwrite_models::Datetime::parse(&iso)
        .unwrap()
        .to_system_time()
        .unwrap()
}

#[tokio::test]
async fn client_login_sets_both_cookies_and_the_fallback_header() {
    let env = Env::start().await;
    // A 3-character id makes the base64 credential end in `==`, which cookies URL-encode.
    env.create_user("u-1").await;
    let secret = env.token("u-1").await;
    let login = env.redeem("u-1", &secret).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.body);

    let body = &login.body;
    assert_eq!(
        body["secret"], "",
        "clients never see the credential in the body"
    );
    assert_eq!(body["userId"], "u-1");
    assert_eq!(body["current"], true);
    assert_eq!(body["provider"], "token");
    assert_eq!(body["factors"], json!(["token"]));
    assert_eq!(body["providerAccessTokenExpiry"], "");
    assert_eq!(body["mfaUpdatedAt"], "");
    assert_eq!(body["countryCode"], "--");
    let lifetime = parse_time(&body["expire"])
        .duration_since(parse_time(&body["$createdAt"]))
        .unwrap();
    assert_eq!(lifetime, Duration::from_secs(31_536_000));

    // X-Fallback-Cookies: {"a_session_demo":"<credential>"}
    let raw = login.headers["x-fallback-cookies"]
        .to_str()
        .unwrap()
        .to_owned();
    let encoded = login.fallback_credential();
    assert_eq!(raw, format!(r#"{{"a_session_{PROJECT}":"{encoded}"}}"#));
    assert!(encoded.ends_with("=="), "{encoded}");
    let decoded = credential::decode(&encoded).unwrap();
    assert_eq!(decoded.user_id, "u-1");
    assert_eq!(decoded.expose_secret().len(), 256);

    // Both cookies, legacy first, value URL-encoded like Swoole, expiring with the session.
    let cookies = login.set_cookies();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let url_encoded = encoded.replace('=', "%3D");
    let max_age = 31_536_000;
    assert!(cookies[0].starts_with(&format!("a_session_demo_legacy={url_encoded}; expires=")));
    assert!(
        cookies[0].ends_with(&format!("; Max-Age={max_age}; path=/; httponly")),
        "{}",
        cookies[0]
    );
    assert!(cookies[1].starts_with(&format!("a_session_demo={url_encoded}; expires=")));
    assert!(
        cookies[1].ends_with(&format!(
            "; Max-Age={max_age}; path=/; httponly; samesite=None"
        )),
        "{}",
        cookies[1]
    );
    assert!(!cookies[1].contains("domain="), "no domain for 127.0.0.1");
    let parsed = cookie::Cookie::parse(cookies[1].as_str()).unwrap();
    assert_eq!(parsed.value(), url_encoded);
    assert_eq!(parsed.http_only(), Some(true));
    assert_eq!(parsed.same_site(), Some(cookie::SameSite::None));
    let expires = parsed.expires_datetime().unwrap();
    let expected = parse_time(&body["expire"]);
    let diff = std::time::SystemTime::from(expires)
        .duration_since(expected)
        .unwrap_or_else(|e| e.duration());
    assert!(
        diff < Duration::from_secs(1),
        "cookie expiry {expires} vs {expected:?}"
    );

    // The shared client-side parser takes the cookie first.
    match credential::from_response(PROJECT, &login.headers, None, env.emu.now()) {
        CredentialUpdate::Set { credential, .. } => {
            assert_eq!(credential.expose_secret(), url_encoded);
        }
        other => panic!("{other:?}"),
    }

    // Each way of sending the credential back works.
    let cookie_header = format!("a_session_demo={url_encoded}");
    let legacy_header = format!("a_session_demo_legacy={url_encoded}");
    let requests = [
        env.guest(Method::GET, "/account")
            .header("cookie", &cookie_header),
        env.guest(Method::GET, "/account")
            .header("cookie", &legacy_header),
        env.session(Method::GET, "/account", &encoded),
        env.guest(Method::GET, "/account")
            .header("x-fallback-cookies", &raw),
    ];
    for request in requests {
        let (status, _, me) = send(request).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["$id"], "u-1");
    }
}

#[tokio::test]
async fn api_key_login_returns_the_credential_in_the_body() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let secret = env.token("u1").await;
    let (status, headers, session) = send(
        env.admin(Method::POST, "/account/sessions/token")
            .json(&json!({"userId": "u1", "secret": secret})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let encoded = session["secret"].as_str().unwrap();
    assert_eq!(credential::decode(encoded).unwrap().user_id, "u1");
    assert_eq!(headers.get_all("set-cookie").iter().count(), 2);
    let (status, _, me) = send(env.session(Method::GET, "/account", encoded)).await;
    assert_eq!((status, me["$id"].clone()), (StatusCode::OK, json!("u1")));
}

#[tokio::test]
async fn tokens_are_single_use_and_expire_on_the_emulator_clock() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let secret = env.token("u1").await;
    assert_eq!(env.redeem("u1", &secret).await.status, StatusCode::CREATED);
    let reused = env.redeem("u1", &secret).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reused.body["type"], "user_invalid_token");

    let wrong = env.redeem("u1", "ffffff").await;
    assert_eq!(wrong.body["type"], "user_invalid_token");
    let nobody = env.redeem("nobody", &secret).await;
    assert_eq!(nobody.body["type"], "user_invalid_token");

    let stale = env.token("u1").await;
    env.emu.advance_time(Duration::from_secs(901));
    let expired = env.redeem("u1", &stale).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.body["type"], "user_invalid_token");
    // An expire of 60..=31536000 seconds is honoured too.
    let (_, _, long) = send(
        env.admin(Method::POST, "/users/u1/tokens")
            .json(&json!({"expire": 3600})),
    )
    .await;
    env.emu.advance_time(Duration::from_secs(3599));
    let ok = env.redeem("u1", long["secret"].as_str().unwrap()).await;
    assert_eq!(ok.status, StatusCode::CREATED);
}

#[tokio::test]
async fn sessions_expire_and_can_be_extended() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .session_duration(Duration::from_secs(60)),
    )
    .await;
    env.create_user("u1").await;
    let (login, credential) = env.login("u1").await;
    let first_expire = parse_time(&login.body["expire"]);
    assert!(login.set_cookies()[0].contains("; Max-Age=60;"));

    env.emu.advance_time(Duration::from_secs(50));
    let (status, headers, extended) =
        send(env.session(Method::PATCH, "/account/sessions/current", &credential)).await;
    assert_eq!(status, StatusCode::OK, "{extended}");
    assert!(
        headers.get("set-cookie").is_none(),
        "extending sends no cookies"
    );
    assert!(parse_time(&extended["expire"]) > first_expire);

    env.emu.advance_time(Duration::from_secs(50));
    let (status, _, _) = send(env.session(Method::GET, "/account", &credential)).await;
    assert_eq!(status, StatusCode::OK, "extended session still valid");

    env.emu.advance_time(Duration::from_secs(11));
    // An expired session is silently a guest.
    let error = env.expect_refused(&credential).await;
    assert_eq!(
        error["message"],
        r#"User (role: guests) missing scopes (["account"])"#
    );
}

#[tokio::test]
async fn account_sessions_get_list_and_logout() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let (first, first_credential) = env.login("u1").await;
    let (second, credential) = env.login("u1").await;

    let (_, _, list) = send(env.session(Method::GET, "/account/sessions", &credential)).await;
    assert_eq!(list["total"], 2);
    let current: Vec<_> = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["$id"].clone(), s["current"].clone(), s["secret"].clone()))
        .collect();
    assert_eq!(
        current,
        vec![
            (json!(first.session_id()), json!(false), json!("")),
            (json!(second.session_id()), json!(true), json!("")),
        ]
    );

    let (_, _, got) =
        send(env.session(Method::GET, "/account/sessions/current", &credential)).await;
    assert_eq!(got["$id"], second.session_id());
    assert_eq!(got["current"], true);
    let path = format!("/account/sessions/{}", first.session_id());
    let (_, _, other) = send(env.session(Method::GET, &path, &credential)).await;
    assert_eq!(other["current"], false);
    expect_error(
        env.session(Method::GET, "/account/sessions/nothere", &credential),
        404,
        "user_session_not_found",
    )
    .await;

    // Deleting another session clears nothing on this client.
    let (status, headers, _) = send(
        env.session(Method::DELETE, &path, &credential)
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(headers.get("set-cookie").is_none());
    assert!(headers.get("x-fallback-cookies").is_none());
    env.expect_refused(&first_credential).await;

    // Deleting the current one expires both cookies and clears the fallback.
    let (status, headers, _) = send(
        env.session(Method::DELETE, "/account/sessions/current", &credential)
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["content-type"], "text/html; charset=UTF-8");
    assert_eq!(headers["x-fallback-cookies"], "[]");
    let cookies: Vec<_> = headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        cookies,
        [
            "a_session_demo_legacy=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/; httponly",
            "a_session_demo=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/; httponly; samesite=None",
        ]
    );
    assert!(matches!(
        credential::from_response(PROJECT, &headers, None, env.emu.now()),
        CredentialUpdate::Cleared
    ));
    env.expect_refused(&credential).await;
}

#[tokio::test]
async fn delete_all_sessions() {
    let env = Env::start().await;
    let other = env.signed_in_user("u1").await;
    let (_, credential) = env.login("u1").await;
    let (status, headers, _) =
        send(env.session(Method::DELETE, "/account/sessions", &credential)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["x-fallback-cookies"], "[]");
    assert_eq!(headers.get_all("set-cookie").iter().count(), 2);
    assert_eq!(env.emu.session_count("u1"), Some(0));
    for c in [&other, &credential] {
        env.expect_refused(c).await;
    }
}

#[tokio::test]
async fn same_site_origin_gets_no_fallback_and_remote_hosts_get_a_cookie_domain() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .platform("app.example.com")
            .platform("other.test"),
    )
    .await;
    env.create_user("u1").await;
    let login = |origin: Option<&'static str>, host: Option<&'static str>, https: bool| {
        let env = &env;
        async move {
            let secret = env.token("u1").await;
            let mut request = env
                .guest(Method::POST, "/account/sessions/token")
                .json(&json!({"userId": "u1", "secret": secret}));
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            if let Some(host) = host {
                request = request.header("x-forwarded-host", host);
            }
            if https {
                request = request.header("x-forwarded-proto", "https");
            }
            let (status, headers, body) = send(request).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            headers
        }
    };
    let same = login(
        Some("https://app.example.com"),
        Some("api.example.com"),
        true,
    )
    .await;
    assert!(same.get("x-fallback-cookies").is_none());
    let cookie = same
        .get_all("set-cookie")
        .iter()
        .nth(1)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.ends_with("; path=/; domain=.api.example.com; secure; httponly; samesite=None"),
        "{cookie}"
    );
    let cross = login(Some("https://other.test"), Some("api.example.com"), false).await;
    assert!(cross.get("x-fallback-cookies").is_some());
    let local = login(Some("http://localhost:3000"), Some("localhost:8080"), false).await;
    assert!(
        local.get("x-fallback-cookies").is_some(),
        "localhost is never same-site"
    );
    assert!(
        !local
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().contains("domain="))
    );
}

#[tokio::test]
async fn account_jwts() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let (login, credential) = env.login("u1").await;
    for path in ["/account/jwts", "/account/jwt"] {
        let (status, _, body) = send(
            env.session(Method::POST, path, &credential)
                .json(&json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["jwt"].as_str().unwrap().split('.').count(), 3);
    }
    let (_, _, body) = send(
        env.session(Method::POST, "/account/jwts", &credential)
            .json(&json!({"duration": 60})),
    )
    .await;
    let jwt = body["jwt"].as_str().unwrap().to_owned();
    let with_jwt = || {
        env.guest(Method::GET, "/account")
            .header("x-appwrite-jwt", &jwt)
    };
    let (status, _, me) = send(with_jwt()).await;
    assert_eq!((status, me["$id"].clone()), (StatusCode::OK, json!("u1")));

    // A JWT cannot mint JWTs, and cannot name `current`.
    expect_error(
        env.guest(Method::POST, "/account/jwts")
            .header("x-appwrite-jwt", &jwt)
            .json(&json!({})),
        403,
        "user_jwt_creation_denied",
    )
    .await;
    expect_error(
        env.guest(Method::GET, "/account/sessions/current")
            .header("x-appwrite-jwt", &jwt),
        404,
        "user_session_not_found",
    )
    .await;
    let path = format!("/account/sessions/{}", login.session_id());
    let (status, _, _) = send(env.guest(Method::GET, &path).header("x-appwrite-jwt", &jwt)).await;
    assert_eq!(status, StatusCode::OK);

    // JWT plus a session: refused.
    expect_error(
        env.session(Method::GET, "/account", &credential)
            .header("x-appwrite-jwt", &jwt),
        403,
        "user_jwt_and_cookie_set",
    )
    .await;
    expect_error(
        env.session(Method::POST, "/account/jwts", &credential)
            .json(&json!({"duration": 3601})),
        400,
        "general_argument_invalid",
    )
    .await;

    env.emu.advance_time(Duration::from_secs(60));
    let error = expect_error(with_jwt(), 401, "user_jwt_invalid").await;
    assert_eq!(
        error["message"],
        "Failed to verify JWT. Invalid token: Expired"
    );
    expect_error(
        env.guest(Method::GET, "/account")
            .header("x-appwrite-jwt", "a.b.c"),
        401,
        "user_jwt_invalid",
    )
    .await;
}

#[tokio::test]
async fn authenticated_requests_cannot_create_sessions() {
    let env = Env::start().await;
    let credential = env.signed_in_user("u1").await;
    let secret = env.token("u1").await;
    let error = expect_error(
        env.session(Method::POST, "/account/sessions/token", &credential)
            .json(&json!({"userId": "u1", "secret": secret})),
        401,
        "user_session_already_exists",
    )
    .await;
    assert_eq!(
        error["message"],
        "Creation of a session is prohibited when a session is active."
    );
    // The token was not spent by the refused request.
    assert_eq!(env.redeem("u1", &secret).await.status, StatusCode::CREATED);
}
