//! An axum backend that knows who is calling:
//!
//! - `POST /login-code` with `{"email": "..."}` makes sure the user exists
//!   (`get_or_create_by_email`), refuses a blocked one, mints a login token and hands its secret
//!   to a mailer (here an in-process channel standing in for email);
//! - `GET /me` is protected by the [`AuthUser`] extractor, which reads
//!   `Authorization: Bearer <jwt>` and verifies it with `Users::verify_jwt` (cached); a missing,
//!   invalid, expired or revoked token, or a blocked user, gets `401` with a JSON body.
//!
//! Then the app's side (`appwrite-client`) redeems the code for a session, asks Appwrite for a
//! JWT and calls `GET /me` with it.
//!
//! ```sh
//! RUST_LOG=appwrite_server=debug cargo run --example axum_backend
//! ```
//!
//! With `APPWRITE_ENDPOINT` unset it starts the embedded emulator; with `APPWRITE_ENDPOINT`,
//! `APPWRITE_PROJECT_ID` and `APPWRITE_API_KEY` set it uses that server. `tests/axum_backend.rs`
//! runs this file against the emulator.

use std::error::Error;
use std::time::Duration;

use appwrite_server::{JwtCache, TokenSecret, Users, VerifiedUser};
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

/// A login code on its way to the user: stands in for an email.
#[derive(Debug)]
pub struct LoginCode {
    /// Where it goes.
    pub email: String,
    /// The user it logs in.
    pub user_id: String,
    /// The code itself (the token's secret).
    pub secret: TokenSecret,
}

/// What the handlers share: the Users service (cheap to clone) and the mailer.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Appwrite's Users service, with a JWT cache.
    pub users: Users,
    /// Where login codes are sent.
    pub mailer: mpsc::UnboundedSender<LoginCode>,
}

/// The backend's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/login-code", post(login_code))
        .route("/me", get(me))
        .with_state(state)
}

/// A JSON error answer.
fn problem(status: StatusCode, error: &str, message: &str) -> Response {
    (status, Json(json!({ "error": error, "message": message }))).into_response()
}

/// An SDK error as an answer: Appwrite unreachable is our outage (503), not the caller's fault.
fn failed(error: &appwrite_server::Error) -> Response {
    if error.is_transport() {
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            &error.to_string(),
        )
    } else {
        problem(StatusCode::BAD_GATEWAY, "appwrite", &error.to_string())
    }
}

#[derive(Deserialize)]
struct LoginCodeRequest {
    email: String,
}

/// `POST /login-code`: mints a token for the email's user and mails its secret.
async fn login_code(
    State(state): State<AppState>,
    Json(request): Json<LoginCodeRequest>,
) -> Response {
    let user = match state.users.get_or_create_by_email(&request.email).await {
        Ok(user) => user,
        Err(e) if e.is_invalid_input() || e.status() == Some(400) => {
            return problem(StatusCode::BAD_REQUEST, "invalid_email", &e.to_string());
        }
        Err(e) => return failed(&e),
    };
    // Appwrite lets a blocked user redeem a token (its session is then refused): stop here.
    if !user.status {
        return problem(StatusCode::FORBIDDEN, "blocked", "this account is blocked");
    }
    let token = match state
        .users
        .create_token(user.id.clone())
        .expire(Duration::from_secs(600))
        .await
    {
        Ok(token) => token,
        Err(e) => return failed(&e),
    };
    let code = LoginCode {
        email: request.email,
        user_id: user.id.to_string(),
        secret: token.secret,
    };
    if state.mailer.send(code).is_err() {
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "mailer down",
        );
    }
    (
        StatusCode::ACCEPTED,
        Json(json!({ "userId": user.id.as_str() })),
    )
        .into_response()
}

/// The caller, verified: extract it in a handler to require a valid JWT.
#[derive(Debug)]
pub struct AuthUser(pub VerifiedUser);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let unauthorized =
            |message: &str| problem(StatusCode::UNAUTHORIZED, "unauthorized", message);
        let Some(jwt) = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
        else {
            return Err(unauthorized("send Authorization: Bearer <jwt>"));
        };
        match state.users.verify_jwt(jwt).await {
            Ok(caller) => Ok(Self(caller)),
            Err(e) if e.is_unauthorized() || e.is_forbidden() || e.is_invalid_input() => {
                Err(unauthorized("the token is invalid, expired or revoked"))
            }
            Err(e) => Err(failed(&e)),
        }
    }
}

/// `GET /me`: who is calling.
async fn me(AuthUser(caller): AuthUser) -> Json<serde_json::Value> {
    Json(json!({
        "userId": caller.user.id.as_str(),
        "email": caller.user.email,
        "sessionId": caller.session_id.as_ref().map(appwrite_server::SessionId::as_str),
    }))
}

/// The backend on a free loopback port; returns its base URL.
pub async fn serve(state: AppState) -> Result<String, Box<dyn Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    Ok(url)
}

/// The app's side: redeems `code` for a session with `appwrite-client` and gets a JWT.
pub async fn app_jwt(
    endpoint: &str,
    project: &str,
    code: &LoginCode,
) -> Result<String, Box<dyn Error>> {
    let app = appwrite_client::Client::builder()
        .endpoint(endpoint)
        .project(project)
        .build()?;
    let account = appwrite_client::Account::new(&app);
    account
        .create_session(code.user_id.as_str(), code.secret.expose_secret())
        .await?;
    let jwt = account.create_jwt().await?;
    Ok(jwt.jwt.expose_secret().to_owned())
}

#[allow(dead_code)] // the test includes this file for its functions, not for `main`
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let Err(error) = run().await else {
        return std::process::ExitCode::SUCCESS;
    };
    // The error and its causes as text (`Display`), on one line.
    let first: &(dyn Error + 'static) = &*error;
    let chain = std::iter::successors(Some(first), |&error| error.source());
    let text: Vec<String> = chain.map(ToString::to_string).collect();
    eprintln!("error: {}", text.join(": "));
    std::process::ExitCode::FAILURE
}

#[allow(dead_code)]
async fn run() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let (server, _emulator) = if std::env::var_os("APPWRITE_ENDPOINT").is_some() {
        (appwrite_server::Client::from_env()?, None)
    } else {
        let emulator = appwrite_emulator::Emulator::builder()
            .project("demo")
            .api_key("dev-key")
            .start()
            .await?;
        let server = appwrite_server::Client::builder()
            .endpoint(emulator.endpoint())
            .project("demo")
            .api_key("dev-key")
            .build()?;
        (server, Some(emulator))
    };
    let users =
        Users::new(&server).with_jwt_cache(JwtCache::new(10_000).max_age(Duration::from_secs(30)));
    let (mailer, mut inbox) = mpsc::unbounded_channel();
    let backend = serve(AppState { users, mailer }).await?;
    println!("backend:  {backend}");

    let http = appwrite_server::reqwest::Client::new();
    let answer = http
        .post(format!("{backend}/login-code"))
        .header("content-type", "application/json")
        .body(r#"{"email":"ada@example.com"}"#)
        .send()
        .await?;
    println!("POST /login-code -> {}", answer.status());
    let code = inbox.recv().await.ok_or("no login code was mailed")?;
    println!(
        "mailed:   a code to {} for user {}",
        code.email, code.user_id
    );

    let jwt = app_jwt(server.endpoint(), server.project(), &code).await?;
    let me = http
        .get(format!("{backend}/me"))
        .bearer_auth(&jwt)
        .send()
        .await?;
    println!(
        "GET /me with the JWT -> {} {}",
        me.status(),
        me.text().await?
    );
    let anonymous = http.get(format!("{backend}/me")).send().await?;
    println!(
        "GET /me without      -> {} {}",
        anonymous.status(),
        anonymous.text().await?
    );
    Ok(())
}
