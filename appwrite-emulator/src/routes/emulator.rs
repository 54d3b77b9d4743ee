//! Routes that are not Appwrite's own: the version probe scripts wait on, and the emulator's
//! controls for tools in any language (outbox, clock, reset), each behind an API key with
//! `users.write`, since they reveal token secrets or change every user's state.

use std::time::Duration;

use appwrite_models::ErrorType;
use axum::Router;
use axum::routing::{get, post};
use serde_json::json;

use super::{Routes, ok};
use crate::auth::Ctx;
use crate::clock::datetime;
use crate::error::{ApiError, ApiResult, SERVER_VERSION};
use crate::extract::Body;
use crate::wire;

/// The longest single clock step: 100 years, far beyond any expiry and far from overflow.
const MAX_ADVANCE_S: u64 = 100 * 366 * 24 * 3600;

/// `/v1/health`: only the version probe.
pub(super) fn health_router() -> Routes {
    Router::new().route("/version", get(version))
}

/// `/v1/emulator`: the emulator's own controls.
pub(super) fn router() -> Routes {
    Router::new()
        .route("/outbox", get(outbox))
        .route("/clock", post(advance_clock))
        .route("/reset", post(reset))
}

/// `GET /v1/health/version` (no authentication, as in Appwrite).
async fn version() -> ApiResult {
    Ok(ok(&json!({ "version": SERVER_VERSION })))
}

/// Refuses a control request that lacks an API key with `users.write`.
fn require_control_key(ctx: &Ctx) -> Result<(), ApiError> {
    if ctx.is_key() {
        return ctx.authorize(&["users.write"]);
    }
    Err(ApiError::with_message(
        ErrorType::GeneralUnauthorizedScope,
        "The emulator's control routes need an API key with the users.write scope (X-Appwrite-Key).",
    ))
}

/// `GET /v1/emulator/outbox`: every email, magic link and SMS "sent" so far, oldest first.
async fn outbox(ctx: Ctx) -> ApiResult {
    require_control_key(&ctx)?;
    let messages = ctx.shared.outbox();
    Ok(ok(
        &json!({ "total": messages.len(), "messages": messages }),
    ))
}

/// `POST /v1/emulator/clock` with `{"seconds": N}`: moves the emulator's clock forward, so
/// tokens, sessions, JWTs and rate-limit windows expire without waiting. Answers the new time.
async fn advance_clock(ctx: Ctx, Body(p): Body) -> ApiResult {
    require_control_key(&ctx)?;
    let seconds = p.range("seconds", 0, &(0..=MAX_ADVANCE_S))?;
    ctx.shared.clock.advance(Duration::from_secs(seconds));
    let now = datetime(ctx.shared.clock.now_ms());
    Ok(ok(&json!({ "now": now.to_string() })))
}

/// `POST /v1/emulator/reset`: forgets every user, token, session, message and rate-limit count.
async fn reset(ctx: Ctx) -> ApiResult {
    require_control_key(&ctx)?;
    ctx.shared.reset();
    Ok(wire::no_content())
}
