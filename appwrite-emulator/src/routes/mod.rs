//! The HTTP routes, and what every answer gets on its way out.

mod abuse;
mod account;
mod emulator;
mod mfa;
mod oauth2;
mod sessions;
mod tokens;
mod users;
mod users_mfa;
mod users_update;

use std::sync::Arc;

use appwrite_models::ErrorType;
use appwrite_models::headers::{
    KEY_HEADER, PROJECT_HEADER, RESPONSE_FORMAT_HEADER, WARNING_HEADER,
};
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderName, HeaderValue, StatusCode};
use std::time::Duration;

use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, SERVER_VERSION};
use crate::state::Shared;
use crate::wire;

pub(crate) use oauth2::MOCK_PROVIDER;

/// A router over the shared state, before the state is supplied.
type Routes = Router<Arc<Shared>>;

/// All routes under `/v1`; `log_requests` adds one log line per request.
pub(crate) fn router(shared: Arc<Shared>, log_requests: bool) -> Router {
    let limit = shared.config.max_body_bytes;
    // Every route the SDKs call is registered with its path from `appwrite_models`' route table.
    let v1 = Router::new()
        .merge(users::router())
        .merge(account::router())
        .nest("/health", emulator::health_router())
        .nest("/emulator", emulator::router())
        .merge(oauth2::router(&shared));
    let app = Router::new()
        .nest("/v1", v1)
        .fallback(route_not_found)
        .method_not_allowed_fallback(route_not_found)
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            finish_response,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            web_platforms,
        ))
        .with_state(shared);
    if !log_requests {
        return app;
    }
    // One `INFO` line per answered request: method, path (never the query), status and time.
    app.layer(
        TraceLayer::new_for_http()
            .make_span_with(|request: &Request| {
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
            })
            .on_request(())
            .on_response(|response: &Response, latency: Duration, _: &tracing::Span| {
                tracing::info!(status = response.status().as_u16(), ms = latency.as_millis());
            })
            .on_failure(()),
    )
}

/// What Appwrite does for browsers (app/controllers/general.php): answers `OPTIONS` preflights,
/// refuses an unregistered `Origin` without an API key with 403 `general_unknown_origin`, and
/// puts its CORS, `Server`, `X-Content-Type-Options` and `X-Debug-Speed` headers on every answer.
async fn web_platforms(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let origin = request
        .headers()
        .get(http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let preflight = request.method() == http::Method::OPTIONS;
    let platforms = &shared.config.platforms;
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        let has_key = request.headers().contains_key(KEY_HEADER);
        let refused = origin
            .as_deref()
            .filter(|o| !o.is_empty() && !has_key)
            .and_then(|o| platforms.check_url(o, false).err());
        match refused {
            Some(why) => {
                ApiError::with_message(ErrorType::GeneralUnknownOrigin, why.0).into_response()
            }
            None => next.run(request).await,
        }
    };
    let headers = response.headers_mut();
    headers.extend(platforms.cors_headers(origin.as_deref(), preflight));
    headers.insert(http::header::SERVER, HeaderValue::from_static("Appwrite"));
    headers.insert(
        http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // utopia-php/http `Response::send`: the seconds spent on the request.
    if let Ok(value) = HeaderValue::from_str(&started.elapsed().as_secs_f64().to_string()) {
        headers.insert(HeaderName::from_static("x-debug-speed"), value);
    }
    response
}

/// Unknown routes go through Appwrite's wildcard route, which checks the project first; its
/// errors are HTML pages (see `error_page.rs`).
async fn route_not_found(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let project = request
        .headers()
        .get(PROJECT_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let error = if !project.is_empty() && project != "console" && project != shared.config.project {
        ApiError::new(ErrorType::ProjectNotFound)
    } else {
        ApiError::new(ErrorType::GeneralRouteNotFound)
    };
    crate::error_page::page(&shared, error).await
}

/// Applies what Appwrite adds to every API answer: the response-format warning and
/// `X-Debug-Fallback`, and an Appwrite error in place of the body limit's bare 413.
async fn finish_response(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let warning = request
        .headers()
        .get(RESPONSE_FORMAT_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| wire::version_lt(SERVER_VERSION, v))
        .map(|v| {
            format!(
                "The current SDK is built for Appwrite {v}. However, the current Appwrite server version is {SERVER_VERSION}. Please downgrade your SDK to match the Appwrite version: https://appwrite.io/docs/sdks"
            )
        });
    // The `user` resource (request.php) always adds `X-Debug-Fallback: false`, and a second line
    // `true` when neither a cookie nor `X-Appwrite-Session` carried a credential.
    let fallback = request
        .headers()
        .get(PROJECT_HEADER)
        .is_some_and(|p| p.as_bytes() == shared.config.project.as_bytes())
        .then(|| crate::auth::reached_fallback(request.headers(), &shared.config.project));
    let mut response = next.run(request).await;
    if let Some(reached) = fallback {
        let name = HeaderName::from_static("x-debug-fallback");
        let headers = response.headers_mut();
        headers.append(name.clone(), HeaderValue::from_static("false"));
        if reached {
            headers.append(name, HeaderValue::from_static("true"));
        }
    }
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && response.headers().get(CONTENT_TYPE) != Some(&crate::error::JSON_CONTENT_TYPE)
    {
        response = ApiError::body_too_large(shared.config.max_body_bytes).into_response();
    }
    if let Some(value) = warning.and_then(|w| HeaderValue::from_str(&w).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(WARNING_HEADER), value);
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
