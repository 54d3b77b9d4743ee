//! `POST /v1/account/sessions/token` and the deprecated `PUT /v1/account/sessions/magic-url` and
//! `/phone`: exchanging a user id and token secret for a session
//! (account.php `$createSession`). The hot path of a login, so secrets are generated and hashed
//! before the store lock is taken, and the lock covers only verify-delete-insert.

use appwrite_models::{ErrorType, ID, credential};
use axum::response::Response;
use http::HeaderName;
use http::header::SET_COOKIE;

use appwrite_models::protocol::routes::account;
use axum::Router;
use axum::routing::{post, put};

use super::abuse::Rule;
use super::{Routes, created};
use crate::auth::Ctx;
use crate::clock::millis;
use crate::cookies::CookieScope;
use crate::crypto::sha256;
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::params::Params;
use crate::random;
use crate::records::{SessionRecord, TokenKind};
use crate::wire::{SessionOut, SessionSecret};

/// `POST /v1/account/sessions/token`: 10 per hour per IP and user id, forgotten after a 201.
const TOKEN: Rule = Rule {
    path: "/v1/account/sessions/token",
    limit: 10,
    period_s: 3600,
    keys: &["ip:{ip},userId:{param-userId}"],
    reset_on_created: true,
};
/// The deprecated `PUT /v1/account/sessions/magic-url` (same limit, also reset by a 201).
const MAGIC_URL: Rule = Rule {
    path: "/v1/account/sessions/magic-url",
    ..TOKEN
};
/// The deprecated `PUT /v1/account/sessions/phone`: its label has no `abuse-reset`.
const PHONE: Rule = Rule {
    path: "/v1/account/sessions/phone",
    reset_on_created: false,
    ..TOKEN
};

/// The session-creating routes under `/v1/account/sessions`, with their full paths. The `POST`s of
/// the deprecated paths are Appwrite's aliases of the token routes (see `tokens.rs`).
pub(super) fn router() -> Routes {
    Router::new()
        .route(
            account::CREATE_SESSION.path,
            post(|ctx, body| create_session(&TOKEN, ctx, body)),
        )
        .route(
            "/account/sessions/magic-url",
            put(|ctx, body| create_session(&MAGIC_URL, ctx, body))
                .post(super::tokens::create_magic_url_token),
        )
        .route(
            "/account/sessions/phone",
            put(|ctx, body| create_session(&PHONE, ctx, body))
                .post(super::tokens::create_phone_token),
        )
}

/// Exchanges a user id and any kind of token secret for a session (account.php
/// `$createSession`, shared by the three routes: the token's own type decides the session).
#[allow(clippy::unused_async)] // an axum handler
async fn create_session(rule: &'static Rule, ctx: Ctx, Body(p): Body) -> ApiResult {
    ctx.authorize(&["sessions.write"])?;
    let admitted = rule.check(&ctx, &p)?;
    let result = redeem(&ctx, &p);
    admitted.finish(&ctx, result)
}

fn redeem(ctx: &Ctx, p: &Params) -> ApiResult {
    // The `session` group: no session may be created by a request that already has one.
    if ctx.user.is_some() {
        return Err(ApiError::new(ErrorType::UserSessionAlreadyExists));
    }
    let user_id = p.custom_id("userId")?;
    let secret = p.required_text("secret", 256)?;
    let now = ctx.shared.clock.now_ms();
    let invalid = || ApiError::new(ErrorType::UserInvalidToken);

    // The OAuth2 token flow hands out its secret wrapped in a JWT that names the provider; any
    // other secret is used as it is (account.php `$createSession`).
    let (secret, oauth_provider) = match ctx
        .shared
        .jwt
        .unwrap_token_secret(secret, now.div_euclid(1000))
    {
        Some(claims) if claims.provider.is_empty() => return Err(invalid()),
        Some(claims) => (claims.secret, Some(claims.provider)),
        None => (secret.to_owned(), None),
    };
    let token_hash = sha256(&secret);
    let session_secret = random::hex_secret(256)?;
    let duration = millis(ctx.shared.config.session_duration);
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
        mfa: crate::mfa::SessionMfa::default(),
    };

    {
        let mut store = ctx.shared.store();
        session.seq = store.next_seq();
        let user = store.users.get_mut(&user_id).ok_or_else(invalid)?;
        // An OAuth2 token needs the provider from its JWT; without it the token is refused and
        // kept, as Appwrite checks this before deleting it.
        if oauth_provider.is_none()
            && matches!(
                user.live_token_kind(&token_hash, now),
                Some(TokenKind::OAuth2)
            )
        {
            return Err(invalid());
        }
        user.session_room()?;
        // Verify and delete in one step under the lock: a secret redeems exactly once.
        let token = user.redeem_token(&token_hash, now).ok_or_else(invalid)?;
        session.provider = token.kind.provider();
        session.factor = token.kind.factor();
        // `$updatedAt` moves only when the verification flag actually changes (the database
        // skips updates that change nothing).
        let flag = match token.kind {
            TokenKind::Email | TokenKind::MagicUrl => Some(&mut user.email_verification),
            TokenKind::Phone => Some(&mut user.phone_verification),
            TokenKind::Generic | TokenKind::OAuth2 => None,
        };
        if let Some(flag) = flag.filter(|f| !**f) {
            *flag = true;
            user.updated_at = now;
        }
        user.add_session(session.clone());
        user.enforce_session_limit(ctx.shared.config.max_sessions);
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
