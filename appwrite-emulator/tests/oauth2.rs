//! The OAuth2 token flow with the mock provider, one redirect at a time over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_emulator::Emulator;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Env, KEY, PROJECT, expect_error, expect_error_page, send};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

const SUCCESS: &str = "http://127.0.0.1:9/done?state=abc";
const FAILURE: &str = "http://localhost:9/failed";

/// A client that does not follow redirects, so each hop can be checked.
fn stepper() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// GETs `url` and returns the 301's `Location`.
async fn hop(http: &reqwest::Client, url: &str) -> String {
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY, "{url}");
    assert_eq!(
        response.headers()["cache-control"],
        "no-store, no-cache, must-revalidate, max-age=0"
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn query(url: &str) -> Vec<(String, String)> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn param(url: &str, name: &str) -> Option<String> {
    query(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn start_url(env: &Env, provider: &str, success: &str, failure: &str) -> String {
    let mut url = Url::parse(&env.url(&format!("/account/tokens/oauth2/{provider}"))).unwrap();
    url.query_pairs_mut()
        .append_pair("project", PROJECT)
        .append_pair("success", success)
        .append_pair("failure", failure)
        .append_pair("scopes[]", "profile");
    url.into()
}

/// Follows the flow from the token route to the provider and returns the provider URL.
async fn to_provider(env: &Env, http: &reqwest::Client) -> String {
    let provider = hop(http, &start_url(env, "mock", SUCCESS, FAILURE)).await;
    assert!(
        provider.starts_with(&env.url("/mock/tests/general/oauth2?")),
        "{provider}"
    );
    assert_eq!(param(&provider, "scope").as_deref(), Some("email profile"));
    let state: Value = serde_json::from_str(&param(&provider, "state").unwrap()).unwrap();
    assert_eq!(state["success"], SUCCESS);
    assert_eq!(state["failure"], FAILURE);
    assert_eq!(state["token"], true);
    provider
}

/// From the provider's callback URL to the app: callback → redirect route → success/failure.
async fn back_to_app(http: &reqwest::Client, callback: &str) -> String {
    let redirect = hop(http, callback).await;
    assert!(
        redirect.contains("/v1/account/sessions/oauth2/mock/redirect?"),
        "{redirect}"
    );
    assert_eq!(param(&redirect, "project").as_deref(), Some(PROJECT));
    hop(http, &redirect).await
}

#[tokio::test]
async fn auto_approve_signs_in_the_default_identity_with_a_single_use_token() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .oauth2_auto_approve(true),
    )
    .await;
    let http = stepper();
    let provider = to_provider(&env, &http).await;
    let callback = hop(&http, &provider).await;
    let app = back_to_app(&http, &callback).await;

    assert!(app.starts_with("http://127.0.0.1:9/done?"), "{app}");
    assert_eq!(param(&app, "state").as_deref(), Some("abc"), "kept");
    let user_id = param(&app, "userId").unwrap();
    let secret = param(&app, "secret").unwrap();
    assert_eq!(secret.split('.').count(), 3, "a JWT wrapping the secret");

    let login = env.redeem(&user_id, &secret).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.body);
    assert_eq!(login.body["provider"], "mock");
    assert_eq!(login.body["factors"][0], "email");
    let (_, _, user) = send(env.admin(Method::GET, &format!("/users/{user_id}"))).await;
    assert_eq!(user["email"], "mock-user@example.com");
    assert_eq!(user["emailVerification"], true);

    let again = env.redeem(&user_id, &secret).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.body["type"], "user_invalid_token");
}

#[tokio::test]
async fn consent_page_signs_in_the_given_identity_and_reuses_the_user() {
    let env = Env::start().await;
    let http = stepper();
    let provider = to_provider(&env, &http).await;
    let page = http.get(&provider).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("value=\"mock-user@example.com\""), "{html}");
    assert!(html.contains("name=\"code\""), "{html}");

    // What the form submits: the callback with the chosen email as the code.
    let mut callback = Url::parse(&param(&provider, "redirect_uri").unwrap()).unwrap();
    callback
        .query_pairs_mut()
        .append_pair("state", &param(&provider, "state").unwrap())
        .append_pair("code", "Ada@Example.com");
    let app = back_to_app(&http, callback.as_str()).await;
    let user_id = param(&app, "userId").unwrap();
    let (_, _, user) = send(env.admin(Method::GET, &format!("/users/{user_id}"))).await;
    assert_eq!(user["email"], "ada@example.com");

    // The same identity again is the same user.
    let app = back_to_app(&http, callback.as_str()).await;
    assert_eq!(param(&app, "userId").unwrap(), user_id);
    assert_eq!(env.emu.user_count(), 1);
}

#[tokio::test]
async fn cancel_goes_to_failure_with_appwrites_error_json() {
    let env = Env::start().await;
    let http = stepper();
    let provider = to_provider(&env, &http).await;
    let mut callback = Url::parse(&param(&provider, "redirect_uri").unwrap()).unwrap();
    callback
        .query_pairs_mut()
        .append_pair("state", &param(&provider, "state").unwrap())
        .append_pair("error", "access_denied");
    let app = back_to_app(&http, callback.as_str()).await;
    assert!(app.starts_with(FAILURE), "{app}");
    let error: Value = serde_json::from_str(&param(&app, "error").unwrap()).unwrap();
    assert_eq!(error["type"], "user_oauth2_provider_error");
    assert_eq!(error["code"], 424);
    assert_eq!(
        error["message"],
        "The Mock OAuth2 provider returned an error: access_denied"
    );
    assert!(param(&app, "secret").is_none());
    assert_eq!(env.emu.user_count(), 0);
}

#[tokio::test]
async fn refusals_before_any_redirect() {
    let env = Env::start().await;
    let http = stepper();
    let evil = start_url(&env, "mock", "https://evil.example/steal", FAILURE);
    // The OAuth2 routes carry account.php's `error` view label: their errors are HTML pages.
    let message = expect_error_page(http.get(evil), 400, "general_argument_invalid").await;
    assert_eq!(
        message,
        "Invalid `success` param: Invalid URI. Register your new client (evil.example) as a new Web platform on your project console dashboard"
    );
    let evil = start_url(&env, "mock", SUCCESS, "https://evil.example/x");
    expect_error_page(http.get(evil), 400, "general_argument_invalid").await;
    let unknown = start_url(&env, "nope", SUCCESS, FAILURE);
    expect_error_page(http.get(unknown), 400, "general_argument_invalid").await;
    let disabled = start_url(&env, "github", SUCCESS, FAILURE);
    expect_error_page(http.get(disabled), 412, "project_provider_disabled").await;
    let no_project = env.url("/account/tokens/oauth2/mock");
    expect_error_page(http.get(no_project), 404, "project_not_found").await;

    // The provider only sends the browser back to the emulator's own callback.
    let mut open = Url::parse(&env.url("/mock/tests/general/oauth2")).unwrap();
    open.query_pairs_mut()
        .append_pair("redirect_uri", "https://evil.example/cb")
        .append_pair("state", "{}");
    expect_error(http.get(open.as_str()), 400, "general_argument_invalid").await;

    // A forged state cannot point the redirect route elsewhere.
    let mut forged = Url::parse(&env.url("/account/sessions/oauth2/mock/redirect")).unwrap();
    forged
        .query_pairs_mut()
        .append_pair("project", PROJECT)
        .append_pair("code", "x@example.com")
        .append_pair(
            "state",
            r#"{"success":"https://evil.example/","failure":"","token":true}"#,
        );
    expect_error_page(
        http.get(forged.as_str()),
        400,
        "project_invalid_success_url",
    )
    .await;
}

#[tokio::test]
async fn the_wrapped_secret_expires_after_60_seconds_and_the_bare_secret_is_refused() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .oauth2_auto_approve(true)
            .rate_limit(false),
    )
    .await;
    let http = stepper();
    let provider = to_provider(&env, &http).await;
    let app = back_to_app(&http, &hop(&http, &provider).await).await;
    let user_id = param(&app, "userId").unwrap();
    let secret = param(&app, "secret").unwrap();

    // The JWT's payload holds the bare token secret; alone it is refused and the token kept.
    let payload = secret.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["provider"], "mock");
    let bare = claims["secret"].as_str().unwrap();
    assert_eq!(bare.len(), 64);
    let refused = env.redeem(&user_id, bare).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.body["type"], "user_invalid_token");
    assert_eq!(
        env.redeem(&user_id, &secret).await.status,
        StatusCode::CREATED
    );

    let app = back_to_app(&http, &hop(&http, &provider).await).await;
    let secret = param(&app, "secret").unwrap();
    env.emu.advance_time(std::time::Duration::from_secs(60));
    let late = env.redeem(&user_id, &secret).await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    assert_eq!(late.body["type"], "user_invalid_token");
}

#[test]
fn the_binarys_flags_auto_approve_as_the_given_identity() {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_appwrite-emulator"))
        .args(["--port", "0", "--project", PROJECT, "--api-key", KEY])
        .args([
            "--oauth2-auto-approve",
            "--oauth2-identity",
            "bin@example.com",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no endpoint in {line:?}"))
        .to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let email = runtime.block_on(async {
        let http = stepper();
        let mut url = Url::parse(&format!("{endpoint}/account/tokens/oauth2/mock")).unwrap();
        url.query_pairs_mut()
            .append_pair("project", PROJECT)
            .append_pair("success", SUCCESS);
        let mut at = url.to_string();
        // token route → provider → callback → redirect route → success
        for _ in 0..4 {
            at = hop(&http, &at).await;
        }
        assert!(at.starts_with("http://127.0.0.1:9/done?"), "{at}");
        let user_id = param(&at, "userId").unwrap();
        let (_, _, user) = send(
            http.get(format!("{endpoint}/users/{user_id}"))
                .header("x-appwrite-project", PROJECT)
                .header("x-appwrite-key", KEY),
        )
        .await;
        user["email"].as_str().unwrap().to_owned()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(email, "bin@example.com");
}
