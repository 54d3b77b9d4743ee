//! The server side of MFA: `/v1/users/{userId}/mfa*` with an API key (app/controllers/api/users.php,
//! `updateMFA`, `listMFAFactors`, `getMFARecoveryCodes`, `createMFARecoveryCodes` (`PATCH`),
//! `updateMFARecoveryCodes` (`PUT`), `deleteMFAAuthenticator`).

use axum::Router;
use axum::routing::{delete, get, patch};

use super::mfa::{
    FactorsOut, authenticator_type, errors, first_codes, recovery_codes_out, regenerate,
};
use super::users::{user_not_found, user_out, user_route};
use super::{Routes, ok};
use crate::auth::Ctx;
use crate::error::ApiResult;
use crate::extract::{Body, PathParams};
use crate::mfa;
use crate::wire;

/// The MFA routes of one user, merged under `/v1/users/{user_id}`.
pub(super) fn one_user() -> Routes {
    Router::new()
        .route("/mfa", patch(update_mfa))
        .route("/mfa/factors", get(list_factors))
        .route(
            "/mfa/recovery-codes",
            get(get_recovery_codes)
                .patch(create_recovery_codes)
                .put(regenerate_recovery_codes),
        )
        .route("/mfa/authenticators/{type}", delete(delete_authenticator))
}

/// `PATCH /v1/users/{userId}/mfa` (`users.write`): answers the user.
async fn update_mfa(ctx: Ctx, PathParams(user_id): PathParams<String>, Body(p): Body) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    let enabled = p.boolean("mfa", None)?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(user_id).ok_or_else(user_not_found)?;
    if user.mfa.enabled != enabled {
        user.mfa.enabled = enabled;
        user.updated_at = now;
    }
    Ok(ok(&user_out(&ctx, user)))
}

/// `GET /v1/users/{userId}/mfa/factors` (`users.read`): `recoveryCode` is always `false` here,
/// since users.php leaves it at the model's default.
async fn list_factors(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    let user_id = user_route(&ctx, &["users.read"], &user_id)?;
    let store = ctx.shared.store();
    let user = store.users.get(user_id).ok_or_else(user_not_found)?;
    Ok(ok(&FactorsOut::of(user, false)))
}

/// `GET /v1/users/{userId}/mfa/recovery-codes` (`users.read`).
async fn get_recovery_codes(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    let user_id = user_route(&ctx, &["users.read"], &user_id)?;
    let store = ctx.shared.store();
    let user = store.users.get(user_id).ok_or_else(user_not_found)?;
    if user.mfa.recovery_codes.is_empty() {
        return Err(errors::recovery_codes_not_found());
    }
    Ok(ok(&recovery_codes_out(&user.mfa.recovery_codes)))
}

/// `PATCH /v1/users/{userId}/mfa/recovery-codes` (`users.write`): creates them, answering 200
/// (not 201 as the account route does).
async fn create_recovery_codes(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    let codes = mfa::new_recovery_codes()?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(user_id).ok_or_else(user_not_found)?;
    Ok(ok(&first_codes(user, codes, now)?))
}

/// `PUT /v1/users/{userId}/mfa/recovery-codes` (`users.write`): regenerates them.
async fn regenerate_recovery_codes(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    let codes = mfa::new_recovery_codes()?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(user_id).ok_or_else(user_not_found)?;
    Ok(ok(&regenerate(user, codes, now)?))
}

/// `DELETE /v1/users/{userId}/mfa/authenticators/{type}` (`users.write`).
async fn delete_authenticator(
    ctx: Ctx,
    PathParams((user_id, kind)): PathParams<(String, String)>,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    // Past the whitelist, users.php deletes the TOTP authenticator whatever the case of `type`.
    authenticator_type(&kind)?;
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(user_id).ok_or_else(user_not_found)?;
    if user.mfa.authenticator.take().is_none() {
        return Err(errors::authenticator_not_found());
    }
    Ok(wire::no_content())
}
