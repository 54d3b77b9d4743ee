//! A hostile review of the emulator as a dev server (issue 16, section 3): rate-limit keys a
//! client cannot pick, OAuth2 tokens that neither pile up nor outlive their use, redirect targets
//! checked as they are followed, magic links from the configured address, and a state file
//! another user could have planted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_emulator::{Emulator, EmulatorBuilder};
use common::{Env, KEY, PROJECT, send};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn builder() -> EmulatorBuilder {
    Emulator::builder().project(PROJECT).api_key(KEY)
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `{url}` of a limit key is the emulator's configured host: rotating `Host` or
/// `X-Forwarded-Host` no longer buys a fresh counter (10 email codes per hour per address,
/// account.php `createEmailToken`). Behind `trust_proxy`, `X-Forwarded-Host` counts.
#[tokio::test]
async fn rate_limit_keys_ignore_the_hosts_a_client_sends() {
    let env = Env::start().await;
    let email_token = |host: String| {
        env.guest(Method::POST, "/account/tokens/email")
            .header("Host", host.clone())
            .header("X-Forwarded-Host", host)
            .json(&json!({"userId": "unique()", "email": "ada@example.com"}))
    };
    for i in 0..10 {
        let (status, _, body) = send(email_token(format!("h{i}.example"))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, headers, body) = send(email_token("h10.example".to_owned())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(headers["x-ratelimit-remaining"], "0");

    let env = Env::with(builder().trust_proxy(true)).await;
    let forwarded = |host: &str| {
        env.guest(Method::POST, "/account/tokens/email")
            .header("X-Forwarded-Host", host)
            .json(&json!({"userId": "unique()", "email": "ada@example.com"}))
    };
    for _ in 0..10 {
        assert_eq!(send(forwarded("a.example")).await.0, StatusCode::CREATED);
    }
    assert_eq!(
        send(forwarded("a.example")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(send(forwarded("b.example")).await.0, StatusCode::CREATED);
}

/// account.php builds the default magic link from `$platform['consoleHostname']`, a setting: the
/// emulator uses its public URL (default: where it listens), never `Host` or, without
/// `trust_proxy`, `X-Forwarded-Host`.
#[tokio::test]
async fn magic_links_point_to_the_configured_address() {
    let magic_url = |env: &Env| {
        env.guest(Method::POST, "/account/tokens/magic-url")
            .header("Host", "evil.example")
            .header("X-Forwarded-Host", "evil.example")
            .json(&json!({"userId": "unique()", "email": "ada@example.com"}))
    };
    let env = Env::start().await;
    assert_eq!(send(magic_url(&env)).await.0, StatusCode::CREATED);
    let link = env.emu.outbox()[0].url.clone().unwrap();
    let expected = format!("http://{}/console/auth/magic-url?", env.emu.local_addr());
    assert!(link.starts_with(&expected), "{link}");

    let env = Env::with(builder().public_url("https://appwrite.test/v1")).await;
    assert_eq!(send(magic_url(&env)).await.0, StatusCode::CREATED);
    let link = env.emu.outbox()[0].url.clone().unwrap();
    assert!(
        link.starts_with("https://appwrite.test/console/auth/magic-url?userId="),
        "{link}"
    );

    let env = Env::with(builder().trust_proxy(true)).await;
    assert_eq!(send(magic_url(&env)).await.0, StatusCode::CREATED);
    let link = env.emu.outbox()[0].url.clone().unwrap();
    assert!(
        link.starts_with("http://evil.example/console/auth/magic-url?"),
        "{link}"
    );

    let error = builder().public_url("ftp://x").start().await.unwrap_err();
    assert!(error.to_string().contains("invalid public URL"), "{error}");
}

/// `http://evil.example\@localhost/cb` is `localhost` to PHP's `parse_url` but `evil.example` to
/// a browser (and to `url::Url`): the emulator judges the host it would redirect to, so the URL
/// is refused wherever a redirect target is taken, and no secret leaves for `evil.example`.
#[tokio::test]
async fn a_success_url_is_checked_as_it_is_followed() {
    let env = Env::with(builder().oauth2_auto_approve(true)).await;
    let http = no_redirects();
    let tricky = r"http://evil.example\@localhost/cb";
    assert!(!env.emu.is_registered_platform(tricky));
    assert!(env.emu.is_registered_platform("http://localhost/cb"));

    let start = reqwest::Url::parse_with_params(
        &env.url("/account/tokens/oauth2/mock"),
        &[("project", PROJECT), ("success", tricky)],
    )
    .unwrap();
    let response = http.get(start).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());

    // A redirect route called directly with a crafted state is refused the same way.
    let state = json!({"success": tricky, "failure": "", "token": true}).to_string();
    let finish = reqwest::Url::parse_with_params(
        &env.url("/account/sessions/oauth2/mock/redirect"),
        &[
            ("project", PROJECT),
            ("code", "ada@example.com"),
            ("state", state.as_str()),
        ],
    )
    .unwrap();
    let response = http.get(finish).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());

    let (status, _, body) = send(
        env.guest(Method::POST, "/account/tokens/magic-url")
            .json(&json!({"userId": "unique()", "email": "ada@example.com", "url": tricky})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(env.emu.outbox().is_empty());
}

/// The redirect route with a crafted state, as a guest could call it: one OAuth2 token each.
fn direct_finish(env: &Env) -> reqwest::Url {
    let state = json!({"success": "http://localhost/cb", "failure": "", "token": true}).to_string();
    reqwest::Url::parse_with_params(
        &env.url("/account/sessions/oauth2/mock/redirect"),
        &[
            ("project", PROJECT),
            ("code", "ada@example.com"),
            ("state", state.as_str()),
        ],
    )
    .unwrap()
}

/// account.php: both OAuth2 routes have `abuse-limit` 50 and `abuse-key` `ip:{ip}` (one counter
/// per IP for the two), with the `X-RateLimit-*` headers.
#[tokio::test]
async fn the_oauth2_routes_allow_50_per_hour_per_ip() {
    let env = Env::with(builder().oauth2_auto_approve(true)).await;
    let http = no_redirects();
    let start = reqwest::Url::parse_with_params(
        &env.url("/account/tokens/oauth2/mock"),
        &[("project", PROJECT), ("success", "http://localhost/cb")],
    )
    .unwrap();
    for i in 0..50u32 {
        let url = if i % 2 == 0 {
            start.clone()
        } else {
            direct_finish(&env)
        };
        let response = http.get(url).send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::MOVED_PERMANENTLY,
            "request {i}"
        );
        assert_eq!(response.headers()["x-ratelimit-limit"], "50");
        assert_eq!(
            response.headers()["x-ratelimit-remaining"],
            (49 - i).to_string().as_str()
        );
    }
    for url in [start.clone(), direct_finish(&env)] {
        let response = http.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().get("location").is_none());
    }
    env.emu.advance_time(Duration::from_secs(3600));
    let response = http.get(start).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
}

/// An OAuth2 token is only usable inside its 60-second JWT, so the emulator lets it expire
/// then; and one user holds at most 1,000 unexpired tokens, so a guest cannot fill the memory.
#[tokio::test]
async fn oauth2_tokens_expire_with_their_jwt_and_are_capped_per_user() {
    let env = Env::with(builder().rate_limit(false)).await;
    let http = no_redirects();
    for i in 0..1000 {
        let response = http.get(direct_finish(&env)).send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::MOVED_PERMANENTLY,
            "token {i}"
        );
    }
    let response = http.get(direct_finish(&env)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = response.text().await.unwrap();
    assert!(page.contains("unexpired tokens"), "{page}");

    env.emu.advance_time(Duration::from_secs(61));
    let response = http.get(direct_finish(&env)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
}

/// The message a refused state file gives (the error's source).
async fn refusal(path: &std::path::Path) -> String {
    let error = builder().state_file(path).start().await.unwrap_err();
    assert!(
        matches!(error, appwrite_emulator::StartError::State(_)),
        "{error:?}"
    );
    std::error::Error::source(&error).unwrap().to_string()
}

/// `--state FILE` checks what appwrite-client's `FileStore` checks (its store/trust.rs): a file
/// of another user's, a file or folder others can write, a link, or a shared folder such as
/// `/tmp` is refused, with the fix in the message.
#[cfg(unix)]
#[tokio::test]
async fn a_state_file_another_user_could_have_written_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let env = Env::with(builder().state_file(&path)).await;
    env.signed_in_user("u1").await;
    env.emu.shutdown().await;
    assert_eq!(
        Env::with(builder().state_file(&path))
            .await
            .emu
            .user_count(),
        1
    );

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o620)).unwrap();
    let message = refusal(&path).await;
    assert!(
        message.contains("can be written by other users"),
        "{message}"
    );
    assert!(message.contains("chmod go-w"), "{message}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();

    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let message = refusal(&link).await;
    assert!(message.contains("symbolic link"), "{message}");

    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let message = refusal(&path).await;
    assert!(message.contains("private folder"), "{message}");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let message = refusal(&path).await;
    assert!(message.contains("shared folder"), "{message}");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();

    // A file of another user's (the test runs as root in CI, which may give it away).
    match std::os::unix::fs::chown(&path, Some(65534), Some(65534)) {
        Ok(()) => {
            let message = refusal(&path).await;
            assert!(
                message.contains("belongs to another user (uid 65534"),
                "{message}"
            );
            assert!(message.contains("remove it"), "{message}");
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            eprintln!("not root: the other-owner case is not exercised");
        }
        Err(e) => panic!("chown: {e}"),
    }
}
