//! The HTTP routes, and what every answer gets on its way out.

mod account;
mod emulator;
mod sessions;
mod tokens;
mod users;

use std::sync::Arc;

use appwrite_models::ErrorType;
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderName, HeaderValue, StatusCode};
use tower_http::limit::RequestBodyLimitLayer;

use crate::error::{ApiError, SERVER_VERSION};
use crate::state::Shared;

/// A router over the shared state, before the state is supplied.
type Routes = Router<Arc<Shared>>;
use crate::wire;

/// All routes under `/v1`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let limit = shared.config.max_body_bytes;
    let v1 = Router::new()
        .nest("/users", users::router())
        .nest("/account", account::router())
        .nest("/health", emulator::health_router())
        .nest("/emulator", emulator::router());
    Router::new()
        .nest("/v1", v1)
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
