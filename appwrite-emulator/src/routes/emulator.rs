//! Routes that are not Appwrite's own: the outbox, and the version probe scripts wait on.

use appwrite_models::ErrorType;
use serde_json::json;

use axum::Router;
use axum::routing::get;

use super::{Routes, ok};
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult, SERVER_VERSION};

/// `/v1/health`: only the version probe.
pub(super) fn health_router() -> Routes {
    Router::new().route("/version", get(version))
}

/// `/v1/emulator`: the emulator's own controls.
pub(super) fn router() -> Routes {
    Router::new().route("/outbox", get(outbox))
}

/// `GET /v1/health/version` (no authentication, as in Appwrite).
async fn version() -> ApiResult {
    Ok(ok(&json!({ "version": SERVER_VERSION })))
}

/// `GET /v1/emulator/outbox`: every email, magic link and SMS "sent" so far, oldest first. Needs
/// the project and an API key, since it reveals token secrets.
async fn outbox(ctx: Ctx) -> ApiResult {
    if !ctx.is_key() {
        return Err(ApiError::with_message(
            ErrorType::GeneralUnauthorizedScope,
            "The emulator outbox needs an API key (X-Appwrite-Key).",
        ));
    }
    let messages = ctx.shared.outbox();
    Ok(ok(
        &json!({ "total": messages.len(), "messages": messages }),
    ))
}
