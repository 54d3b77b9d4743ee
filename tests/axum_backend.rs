//! `examples/axum_backend.rs` against the emulator: a login code minted for an email, the app's
//! JWT accepted by the `AuthUser` extractor, and the 401 JSON for everything else.

// Set-up helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../examples/axum_backend.rs"]
mod axum_backend;

use std::time::Duration;

use appwrite_emulator::Emulator;
use appwrite_server::{JwtCache, Users};
use axum_backend::{AppState, app_jwt, serve};
use serde_json::Value;
use tokio::sync::mpsc;

const PROJECT: &str = "axum";
const KEY: &str = "axum-key";

async fn get_json(
    http: &appwrite_server::reqwest::Client,
    url: String,
    jwt: Option<&str>,
) -> (u16, Value) {
    let mut request = http.get(url);
    if let Some(jwt) = jwt {
        request = request.bearer_auth(jwt);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (
        status,
        serde_json::from_str(&answer.text().await.unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn the_axum_backend_knows_who_is_calling() {
    let emulator = Emulator::builder()
        .project(PROJECT)
        .api_key(KEY)
        .start()
        .await
        .expect("the emulator starts");
    let server = appwrite_server::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .api_key(KEY)
        .build()
        .unwrap();
    let users = Users::new(&server).with_jwt_cache(JwtCache::new(100));
    let (mailer, mut inbox) = mpsc::unbounded_channel();
    let backend = serve(AppState {
        users: users.clone(),
        mailer,
    })
    .await
    .unwrap();
    let http = appwrite_server::reqwest::Client::new();

    // The backend mints a code for a new email, and again for the same user.
    let answer = http
        .post(format!("{backend}/login-code"))
        .header("content-type", "application/json")
        .body(r#"{"email":"Ada@Example.com"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 202);
    let code = inbox.recv().await.unwrap();
    let user = users
        .find_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code.user_id, user.id.as_str());

    // The app redeems it, gets a JWT, and the protected route knows who it is.
    let jwt = app_jwt(emulator.endpoint(), PROJECT, &code).await.unwrap();
    let (status, me) = get_json(&http, format!("{backend}/me"), Some(&jwt)).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["userId"], user.id.as_str());
    assert_eq!(me["email"], "ada@example.com");
    assert!(me["sessionId"].as_str().is_some_and(|s| !s.is_empty()));

    // No token, a junk token: 401 with a JSON body.
    let (status, body) = get_json(&http, format!("{backend}/me"), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, body) = get_json(&http, format!("{backend}/me"), Some("not.a.jwt")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );

    // A blocked user gets no new code.
    users.block(user.id.clone()).await.unwrap();
    let answer = http
        .post(format!("{backend}/login-code"))
        .header("content-type", "application/json")
        .body(r#"{"email":"ada@example.com"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 403);
    assert!(inbox.try_recv().is_err());

    // Once the JWT expires (emulator clock; the cache is bypassed by a fresh service) it is refused.
    emulator.advance_time(Duration::from_secs(16 * 60));
    users.unblock(user.id.clone()).await.unwrap();
    let fresh = serve(AppState {
        users: Users::new(&server),
        mailer: mpsc::unbounded_channel().0,
    })
    .await
    .unwrap();
    let (status, _) = get_json(&http, format!("{fresh}/me"), Some(&jwt)).await;
    assert_eq!(status, 401);
}
