//! `/v1/account`: the signed-in user's side (Appwrite's `Account` service), except creating
//! sessions and tokens.

use appwrite_models::ErrorType;
use appwrite_models::protocol::rules;
use axum::response::Response;
use http::header::SET_COOKIE;

use appwrite_models::protocol::routes::account;
use axum::Router;
use axum::routing::{delete, get, patch, post};

use super::abuse::{DEFAULT_KEY, Rule};
use super::{Routes, created, ok};
use crate::auth::{AuthUser, Ctx};
use crate::clock::millis;
use crate::cookies::{self, CookieScope};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Me, MfaMe, PathParams};
use crate::params::{Params, uid};
use crate::wire::{self, JwtOut, SessionListOut, SessionOut, SessionSecret, UserOut};

/// The `/v1/account…` routes, with the session and token routes of `sessions.rs` and `tokens.rs`
/// and the MFA routes of `mfa.rs`.
pub(super) fn router() -> Routes {
    Router::new()
        .route(account::GET.path, get(get_account))
        .route(account::LIST_SESSIONS.path, get(list_sessions))
        .route(account::DELETE_SESSIONS.path, delete(delete_sessions))
        .route(account::GET_SESSION.path, get(get_session))
        .route(account::UPDATE_SESSION.path, patch(update_session))
        .route(account::DELETE_SESSION.path, delete(delete_session))
        .merge(super::sessions::router())
        .merge(super::tokens::router())
        .route(account::CREATE_JWT.path, post(create_jwt))
        // The alias account.php declares for `POST /v1/account/jwts`.
        .route("/account/jwt", post(create_jwt))
        .route(
            account::GET_PREFS.path,
            get(super::users_update::get_account_prefs),
        )
        .nest("/account", super::mfa::router())
}

/// `PATCH /v1/account/sessions/{sessionId}`: 10 per hour per IP.
const UPDATE_SESSION: Rule = Rule {
    path: "/v1/account/sessions/:sessionId",
    limit: 10,
    period_s: 3600,
    keys: DEFAULT_KEY,
    reset_on_created: false,
};
/// `DELETE /v1/account/sessions/{sessionId}`: 100 per hour per IP.
const DELETE_SESSION: Rule = Rule {
    limit: 100,
    ..UPDATE_SESSION
};
/// `DELETE /v1/account/sessions`: 100 per hour per IP.
const DELETE_SESSIONS: Rule = Rule {
    path: "/v1/account/sessions",
    ..DELETE_SESSION
};
/// `POST /v1/account/jwts`: `APP_LIMIT_WRITE_RATE_DEFAULT * 2` (120) per
/// `APP_LIMIT_WRITE_RATE_PERIOD_DEFAULT` (60 s) per user.
const CREATE_JWT: Rule = Rule {
    path: "/v1/account/jwts",
    limit: 120,
    period_s: 60,
    keys: &["url:{url},userId:{userId}"],
    reset_on_created: false,
};

fn session_not_found() -> ApiError {
    ApiError::new(ErrorType::UserSessionNotFound)
}

/// The user can vanish between authentication and the handler (deleted meanwhile).
pub(super) fn user_gone() -> ApiError {
    ApiError::new(ErrorType::UserNotFound)
}

/// `current` names the session of the request's credential; a JWT request has none.
fn resolve_session_id<'a>(me: &'a AuthUser, id: &'a str) -> Result<&'a str, ApiError> {
    let id = uid("sessionId", id)?;
    if id == "current" {
        return me.session_id.as_deref().ok_or_else(session_not_found);
    }
    Ok(id)
}

/// `GET /v1/account`
async fn get_account(Me { ctx, user: me }: Me) -> ApiResult {
    let store = ctx.shared.store();
    let user = store.users.get(&me.id).ok_or_else(user_gone)?;
    Ok(ok(&UserOut {
        user,
        account: true,
        legacy: ctx.legacy_format,
        fresh_access: me.fresh_access,
    }))
}

/// `GET /v1/account/sessions`
async fn list_sessions(Me { ctx, user: me }: Me) -> ApiResult {
    let store = ctx.shared.store();
    let user = store.users.get(&me.id).ok_or_else(user_gone)?;
    let current = me.session_id.as_deref();
    let sessions: Vec<_> = user
        .sessions_in_order()
        .into_iter()
        .map(|s| {
            let is_current = current == Some(s.id.as_str());
            SessionOut::new(s, &user.id, is_current, SessionSecret::Hidden)
        })
        .collect();
    Ok(ok(&SessionListOut {
        total: sessions.len(),
        sessions,
    }))
}

/// `GET /v1/account/sessions/{sessionId}`
async fn get_session(Me { ctx, user: me }: Me, PathParams(id): PathParams<String>) -> ApiResult {
    let wanted = resolve_session_id(&me, &id)?;
    let store = ctx.shared.store();
    let user = store.users.get(&me.id).ok_or_else(user_gone)?;
    let session = user.sessions.get(wanted).ok_or_else(session_not_found)?;
    let current = me.session_id.as_deref() == Some(wanted);
    Ok(ok(&SessionOut::new(
        session,
        &user.id,
        current,
        SessionSecret::Hidden,
    )))
}

/// `PATCH /v1/account/sessions/{sessionId}`: extends the session; no new cookies.
async fn update_session(Me { ctx, user: me }: Me, PathParams(id): PathParams<String>) -> ApiResult {
    let admitted = UPDATE_SESSION.check(&ctx, &Params::default())?;
    let result = extend_session(&ctx, &me, &id);
    admitted.finish(&ctx, result)
}

fn extend_session(ctx: &Ctx, me: &AuthUser, id: &str) -> ApiResult {
    let wanted = resolve_session_id(me, id)?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
    let session = user
        .sessions
        .get_mut(wanted)
        .ok_or_else(session_not_found)?;
    session.expire = now.saturating_add(millis(ctx.shared.config.session_duration));
    let old_updated_at = std::mem::replace(&mut session.updated_at, now);
    // Appwrite answers with the stored document: `current` and `countryName` keep the model's
    // defaults (`false`, `""`), since only the read routes fill them in.
    Ok(ok(&SessionOut::new(
        session,
        &me.id,
        false,
        SessionSecret::Hidden,
    )
    .stored()
    .extended(old_updated_at, session.expire)))
}

/// Logout headers: both cookies expired and `X-Fallback-Cookies: []` (unless same-site).
fn logout(
    ctx: &Ctx,
    mut response: Response,
    clear_cookies: bool,
    cleared_fallbacks: usize,
) -> Response {
    let headers = response.headers_mut();
    if !ctx.same_site {
        // Appwrite adds the header once per deleted session (api/account.php `deleteSessions`).
        for _ in 0..cleared_fallbacks {
            headers.append(
                http::HeaderName::from_static(appwrite_models::credential::FALLBACK_COOKIES_HEADER),
                cookies::fallback_cleared(),
            );
        }
    }
    if clear_cookies {
        for cookie in CookieScope::new(ctx).clear() {
            headers.append(SET_COOKIE, cookie);
        }
    }
    response
}

/// `DELETE /v1/account/sessions/{sessionId}`: in Appwrite's `mfa` group, so a session that
/// lacks its second factor can still sign out.
async fn delete_session(
    MfaMe { ctx, user: me }: MfaMe,
    PathParams(id): PathParams<String>,
) -> ApiResult {
    let admitted = DELETE_SESSION.check(&ctx, &Params::default())?;
    let result = remove_session(&ctx, &me, &id);
    admitted.finish(&ctx, result)
}

fn remove_session(ctx: &Ctx, me: &AuthUser, id: &str) -> ApiResult {
    let wanted = resolve_session_id(me, id)?;
    {
        let mut store = ctx.shared.store();
        let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
        user.remove_session(wanted).ok_or_else(session_not_found)?;
    }
    let current = me.session_id.as_deref() == Some(wanted);
    Ok(logout(
        ctx,
        wire::no_content(),
        current,
        usize::from(current),
    ))
}

/// `DELETE /v1/account/sessions`
async fn delete_sessions(Me { ctx, user: me }: Me) -> ApiResult {
    let admitted = DELETE_SESSIONS.check(&ctx, &Params::default())?;
    let result = remove_sessions(&ctx, &me);
    admitted.finish(&ctx, result)
}

fn remove_sessions(ctx: &Ctx, me: &AuthUser) -> ApiResult {
    let removed = {
        let mut store = ctx.shared.store();
        let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
        user.clear_sessions()
    };
    let current = removed
        .iter()
        .any(|s| me.session_id.as_deref() == Some(s.id.as_str()));
    Ok(logout(ctx, wire::no_content(), current, removed.len()))
}

/// `POST /v1/account/jwts` (and its alias `/v1/account/jwt`)
async fn create_jwt(Me { ctx, user: me }: Me, Body(p): Body) -> ApiResult {
    let admitted = CREATE_JWT.check(&ctx, &p)?;
    let result = issue_jwt(&ctx, &me, &p);
    admitted.finish(&ctx, result)
}

/// Signs a JWT for the request's session.
fn issue_jwt(ctx: &Ctx, me: &AuthUser, p: &Params) -> ApiResult {
    let duration = p.range(
        "duration",
        rules::JWT_DURATION_DEFAULT_SECS,
        &rules::JWT_DURATION_SECS,
    )?;
    let Some(session_id) = me.session_id.as_deref() else {
        return Err(ApiError::new(ErrorType::UserJwtCreationDenied));
    };
    crate::jwt::check_max_age(duration)?;
    let now_s = ctx.shared.clock.now_ms().div_euclid(1000);
    let jwt = ctx.shared.jwt.issue(&me.id, session_id, now_s, duration)?;
    Ok(created(&JwtOut { jwt }))
}
