//! Helpers shared by the integration tests: a started emulator, a plain HTTP client, and the
//! requests every test needs.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use appwrite_emulator::{Emulator, EmulatorBuilder};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

pub const PROJECT: &str = "demo";
pub const KEY: &str = "dev-key";

pub struct Env {
    pub emu: Emulator,
    pub http: reqwest::Client,
}

/// What a key-less `POST /v1/account/sessions/token` gave back.
pub struct Login {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Login {
    /// The credential from `X-Fallback-Cookies`.
    pub fn fallback_credential(&self) -> String {
        let raw = self.headers["x-fallback-cookies"].to_str().unwrap();
        let json: Value = serde_json::from_str(raw).unwrap();
        json[format!("a_session_{PROJECT}")]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The `Set-Cookie` headers, as sent.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    pub fn session_id(&self) -> String {
        self.body["$id"].as_str().unwrap().to_owned()
    }
}

impl Env {
    pub async fn start() -> Self {
        Self::with(Emulator::builder().project(PROJECT).api_key(KEY)).await
    }

    pub async fn with(builder: EmulatorBuilder) -> Self {
        let emu = builder.start().await.expect("emulator starts");
        Self {
            emu,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.endpoint())
    }

    /// A request with the project header only.
    pub fn guest(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, self.url(path))
            .header("X-Appwrite-Project", PROJECT)
    }

    /// A request with the project and the full-scope API key.
    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.guest(method, path).header("X-Appwrite-Key", KEY)
    }

    /// A request authenticated with `X-Appwrite-Session`.
    pub fn session(&self, method: Method, path: &str, credential: &str) -> RequestBuilder {
        self.guest(method, path)
            .header("X-Appwrite-Session", credential)
    }

    pub async fn create_user(&self, id: &str) -> Value {
        let (status, _, body) = send(
            self.admin(Method::POST, "/users")
                .json(&json!({"userId": id, "name": "Test User"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// A fresh 6-character token secret for `user_id`.
    pub async fn token(&self, user_id: &str) -> String {
        let (status, _, body) = send(
            self.admin(Method::POST, &format!("/users/{user_id}/tokens"))
                .json(&json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["secret"].as_str().unwrap().to_owned()
    }

    /// Redeems `secret` without an API key.
    pub async fn redeem(&self, user_id: &str, secret: &str) -> Login {
        let (status, headers, body) = send(
            self.guest(Method::POST, "/account/sessions/token")
                .json(&json!({"userId": user_id, "secret": secret})),
        )
        .await;
        Login {
            status,
            headers,
            body,
        }
    }

    /// Creates a token and redeems it; returns the login and its credential.
    pub async fn login(&self, user_id: &str) -> (Login, String) {
        let secret = self.token(user_id).await;
        let login = self.redeem(user_id, &secret).await;
        assert_eq!(login.status, StatusCode::CREATED, "{}", login.body);
        let credential = login.fallback_credential();
        (login, credential)
    }

    /// Creates user `id` and signs it in; returns the session credential.
    pub async fn signed_in_user(&self, id: &str) -> String {
        self.create_user(id).await;
        self.login(id).await.1
    }

    /// Checks that `GET /account` with `credential` is refused as a guest's request (the
    /// session is gone or never was); returns the error body.
    pub async fn expect_refused(&self, credential: &str) -> Value {
        expect_error(
            self.session(Method::GET, "/account", credential),
            401,
            "general_unauthorized_scope",
        )
        .await
    }

    /// Fails the test unless the server still answers.
    pub async fn assert_alive(&self) {
        let (status, _, body) = send(self.http.get(self.url("/health/version"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["version"], "1.9.6");
    }
}

/// Sends and returns status, headers and the JSON body (`Value::Null` for an empty body).
pub async fn send(request: RequestBuilder) -> (StatusCode, HeaderMap, Value) {
    let response: Response = request.send().await.expect("request reaches the emulator");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("non-JSON body: {}", String::from_utf8_lossy(&bytes)))
    };
    (status, headers, body)
}

/// Sends, and checks Appwrite's error shape with this status and type; returns the body.
pub async fn expect_error(request: RequestBuilder, status: u16, error_type: &str) -> Value {
    let (actual, headers, body) = send(request).await;
    assert_eq!(actual.as_u16(), status, "{body}");
    assert_eq!(body["type"], error_type, "{body}");
    assert_eq!(body["code"], status, "{body}");
    assert_eq!(body["version"], "1.9.6");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        headers["content-type"], "application/json; charset=UTF-8",
        "error content type"
    );
    assert_eq!(
        headers["cache-control"],
        "no-cache, no-store, must-revalidate"
    );
    body
}

/// The `type` and message (the `<h1>`, unescaped) of Appwrite's HTML error page.
pub fn read_error_page(page: &str) -> (String, String) {
    let between = |open: &str, close: &str| {
        let start = page.find(open).map(|at| at + open.len())?;
        let len = page[start..].find(close)?;
        Some(page[start..start + len].to_owned())
    };
    let kind = between("<span class='type'>", "</span>").unwrap_or_default();
    let message = between("<h1>", "</h1>")
        .unwrap_or_default()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&amp;", "&");
    (kind, message)
}

/// The error type of an answer, from its JSON body or its HTML error page (`""` for neither).
pub async fn error_type(response: Response) -> String {
    let html = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
    let text = response.text().await.unwrap_or_default();
    if html {
        return read_error_page(&text).0;
    }
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|body| body["type"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Sends, and checks Appwrite's HTML error page (app/views/general/error.phtml) with this
/// status and type; returns the page's message.
pub async fn expect_error_page(request: RequestBuilder, status: u16, error_type: &str) -> String {
    let response = request.send().await.expect("request reaches the emulator");
    let headers = response.headers().clone();
    let actual = response.status().as_u16();
    let page = response.text().await.unwrap();
    assert_eq!(actual, status, "{page}");
    assert_eq!(headers["content-type"], "text/html; charset=UTF-8");
    assert_eq!(
        headers["cache-control"],
        "no-cache, no-store, must-revalidate"
    );
    let (kind, message) = read_error_page(&page);
    assert_eq!(kind, error_type, "{page}");
    assert!(!message.is_empty(), "{page}");
    message
}
