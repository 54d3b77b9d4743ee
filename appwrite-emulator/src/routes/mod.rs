//! The HTTP routes, and what every answer gets on its way out.

mod account;
mod emulator;
mod sessions;
mod tokens;
mod users;
mod users_update;

use std::sync::Arc;

use appwrite_models::ErrorType;
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use http::header::CONTENT_TYPE;
use http::{HeaderName, HeaderValue, StatusCode};
use tower_http::limit::RequestBodyLimitLayer;

use crate::error::{ApiError, SERVER_VERSION};
use crate::state::Shared;
use crate::wire;

/// All routes under `/v1`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let limit = shared.config.max_body_bytes;
    Router::new()
        .route("/v1/users", post(users::create).get(users::list))
        .route("/v1/users/{user_id}", get(users::get).delete(users::delete))
        .route("/v1/users/{user_id}/status", patch(users::update_status))
        .route("/v1/users/{user_id}/tokens", post(users::create_token))
        .route(
            "/v1/users/{user_id}/sessions",
            post(users::create_session)
                .get(users::list_sessions)
                .delete(users::delete_sessions),
        )
        .route(
            "/v1/users/{user_id}/sessions/{session_id}",
            axum::routing::delete(users::delete_session),
        )
        .route("/v1/users/{user_id}/jwts", post(users::create_jwt))
        .route("/v1/account", get(account::get))
        .route(
            "/v1/account/sessions",
            get(account::list_sessions).delete(account::delete_sessions),
        )
        .route("/v1/account/sessions/token", post(sessions::create_session))
        .route(
            "/v1/account/sessions/{session_id}",
            get(account::get_session)
                .patch(account::update_session)
                .delete(account::delete_session),
        )
        .route("/v1/account/jwts", post(account::create_jwt))
        .route("/v1/account/jwt", post(account::create_jwt))
        .route("/v1/account/tokens/email", post(tokens::create_email_token))
        .route(
            "/v1/account/tokens/magic-url",
            post(tokens::create_magic_url_token),
        )
        .route("/v1/account/tokens/phone", post(tokens::create_phone_token))
        .merge(users_update::router())
        .route("/v1/health/version", get(emulator::version))
        .route("/v1/emulator/outbox", get(emulator::outbox))
        .fallback(route_not_found)
        .method_not_allowed_fallback(route_not_found)
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            finish_response,
        ))
        .with_state(shared)
}

/// Unknown routes go through Appwrite's wildcard route, which checks the project first.
async fn route_not_found(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let project = request
        .headers()
        .get("x-appwrite-project")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !project.is_empty() && project != "console" && project != shared.config.project {
        return ApiError::new(ErrorType::ProjectNotFound).into_response();
    }
    ApiError::new(ErrorType::GeneralRouteNotFound).into_response()
}

/// Applies what Appwrite adds to every answer: the response-format warning, and an Appwrite
/// error in place of the body limit's bare 413.
async fn finish_response(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let warning = request
        .headers()
        .get("x-appwrite-response-format")
        .and_then(|v| v.to_str().ok())
        .filter(|v| wire::version_lt(SERVER_VERSION, v))
        .map(|v| {
            format!(
                "The current SDK is built for Appwrite {v}. However, the current Appwrite server version is {SERVER_VERSION}. Please downgrade your SDK to match the Appwrite version: https://appwrite.io/docs/sdks"
            )
        });
    let mut response = next.run(request).await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && response.headers().get(CONTENT_TYPE) != Some(&crate::error::JSON_CONTENT_TYPE)
    {
        response = ApiError::body_too_large(shared.config.max_body_bytes).into_response();
    }
    if let Some(value) = warning.and_then(|w| HeaderValue::from_str(&w).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-appwrite-warning"), value);
    }
    response
}

/// A 201 JSON answer.
pub(crate) fn created<T: serde::Serialize>(body: &T) -> Response {
    wire::json(StatusCode::CREATED, body)
}

/// A 200 JSON answer.
pub(crate) fn ok<T: serde::Serialize>(body: &T) -> Response {
    wire::json(StatusCode::OK, body)
}
