//! Routes that are not Appwrite's own: the outbox, and the version probe scripts wait on.

use appwrite_models::ErrorType;
use serde_json::json;

use super::ok;
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult, SERVER_VERSION};

/// `GET /v1/health/version` (no authentication, as in Appwrite).
pub(super) async fn version() -> ApiResult {
    Ok(ok(&json!({ "version": SERVER_VERSION })))
}

/// `GET /v1/emulator/outbox`: every email, magic link and SMS "sent" so far, oldest first. Needs
/// the project and an API key, since it reveals token secrets.
pub(super) async fn outbox(ctx: Ctx) -> ApiResult {
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
