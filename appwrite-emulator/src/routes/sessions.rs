//! `POST /v1/account/sessions/token`: exchanging a user id and token secret for a session
//! (account.php `$createSession`). The hot path of a login, so secrets are generated and hashed
//! before the store lock is taken, and the lock covers only verify-delete-insert.

use appwrite_models::{ErrorType, ID, credential};
use axum::response::Response;
use http::HeaderName;
use http::header::SET_COOKIE;
use serde_json::Value;

use axum::Router;
use axum::routing::post;

use super::{Routes, created};
use crate::auth::Ctx;
use crate::clock::millis;
use crate::cookies::CookieScope;
use crate::crypto::sha256;
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::params::Params;
use crate::random;
use crate::state::{SessionRecord, TokenKind};
use crate::wire::{SessionOut, SessionSecret};

/// 10 attempts per hour per IP and user id (`abuse-limit`, `abuse-key`), reset by a 201.
const LIMIT: u32 = 10;
const PERIOD_S: i64 = 3600;

/// The session-creating routes under `/v1/account/sessions`.
pub(super) fn router() -> Routes {
    Router::new().route("/token", post(create_session))
}

/// `POST /v1/account/sessions/token`
async fn create_session(ctx: Ctx, Body(p): Body) -> ApiResult {
    ctx.authorize(&["sessions.write"])?;

    // utopia-php/abuse leaves `{param-userId}` in the key when the parameter is empty.
    let user_param = match p.get("userId") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) | None => "{param-userId}".to_owned(),
        Some(other) => other.to_string(),
    };
    let key = format!("ip:{},userId:{user_param}", ctx.ip);
    let now_s = ctx.shared.clock.now_ms().div_euclid(1000);
    // API keys are never limited, but still see the headers (api.php).
    let enforce = ctx.shared.config.rate_limit && !ctx.is_key();
    let decision = ctx
        .shared
        .limiter
        .hit(&key, now_s, LIMIT, PERIOD_S, enforce);
    let rate_headers = decision.headers();

    let result = if decision.exceeded {
        Err(ApiError::new(ErrorType::GeneralRateLimitExceeded))
    } else {
        redeem(&ctx, &p)
    };
    match result {
        Ok(mut response) => {
            ctx.shared.limiter.reset(&key);
            response.headers_mut().extend(rate_headers);
            Ok(response)
        }
        Err(error) => Err(error.with_headers(&rate_headers)),
    }
}

fn redeem(ctx: &Ctx, p: &Params) -> ApiResult {
    // The `session` group: no session may be created by a request that already has one.
    if ctx.user.is_some() {
        return Err(ApiError::new(ErrorType::UserSessionAlreadyExists));
    }
    let user_id = p.custom_id("userId")?;
    let secret = p.required_text("secret", 256)?;

    let token_hash = sha256(secret);
    let session_secret = random::hex_secret(256)?;
    let duration = millis(ctx.shared.config.session_duration);
    let now = ctx.shared.clock.now_ms();
    let mut session = SessionRecord {
        id: ID::unique(),
        seq: 0,
        secret_hash: sha256(&session_secret),
        created_at: now,
        updated_at: now,
        expire: now.saturating_add(duration),
        provider: TokenKind::Generic.provider(),
        factor: TokenKind::Generic.factor(),
        ip: ctx.ip.clone(),
    };

    {
        let mut store = ctx.shared.store();
        session.seq = store.next_seq();
        let invalid = || ApiError::new(ErrorType::UserInvalidToken);
        let user = store.users.get_mut(&user_id).ok_or_else(invalid)?;
        // Verify and delete in one step under the lock: a secret redeems exactly once.
        let token = user.redeem_token(&token_hash, now).ok_or_else(invalid)?;
        session.provider = token.kind.provider();
        session.factor = token.kind.factor();
        match token.kind {
            TokenKind::Email | TokenKind::MagicUrl => user.email_verification = true,
            TokenKind::Phone => user.phone_verification = true,
            TokenKind::Generic => {}
        }
        user.updated_at = now;
        user.add_session(session.clone());
        user.enforce_session_limit();
    }

    let encoded = credential::encode(&user_id, &session_secret);
    let secret = if ctx.is_key() {
        SessionSecret::Credential(&encoded)
    } else {
        SessionSecret::Hidden
    };
    let response = created(&SessionOut::new(&session, &user_id, true, secret));
    Ok(with_credential_headers(
        ctx,
        response,
        &encoded,
        session.expire,
        duration,
    ))
}

/// Both `Set-Cookie` headers, and `X-Fallback-Cookies` unless the request is same-site.
fn with_credential_headers(
    ctx: &Ctx,
    mut response: Response,
    encoded: &str,
    expire_ms: i64,
    duration_ms: i64,
) -> Response {
    let scope = CookieScope::new(ctx);
    let headers = response.headers_mut();
    if !ctx.same_site {
        headers.insert(
            HeaderName::from_static(credential::FALLBACK_COOKIES_HEADER),
            scope.fallback(encoded),
        );
    }
    let [legacy, main] = scope.set(
        encoded,
        expire_ms.div_euclid(1000),
        duration_ms.div_euclid(1000),
    );
    headers.append(SET_COOKIE, legacy);
    headers.append(SET_COOKIE, main);
    response
}
