//! `/v1/users`: the API-key side (Appwrite's `Users` service).

use appwrite_models::protocol::routes::users;
use appwrite_models::protocol::rules;
use appwrite_models::{ErrorType, ID, credential};
use serde_json::Value;

use axum::Router;
use axum::routing::{get, patch, post};

use super::{Routes, created, ok};
use crate::auth::Ctx;
use crate::clock::millis;
use crate::crypto::{hex, sha256};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, PathParams};
use crate::params::{custom_id, invalid_uid, uid};
use crate::random;
use crate::records::{NewUser, SessionRecord, TokenKind, TokenRecord, UserRecord};
use crate::wire::{
    self, JwtOut, SessionListOut, SessionOut, SessionSecret, TokenOut, UserListOut, UserOut,
};

/// Attributes `GET /v1/users` may filter on: `Queries\Users::ALLOWED_ATTRIBUTES` and the internal
/// ones `Queries\Base` adds (src/Appwrite/Utopia/Database/Validator/Queries/).
const QUERY_ATTRIBUTES: &[&str] = &[
    "name",
    "email",
    "phone",
    "status",
    "passwordUpdate",
    "registration",
    "emailVerification",
    "phoneVerification",
    "labels",
    "impersonator",
    "$id",
    "$createdAt",
    "$updatedAt",
    "$sequence",
];
/// Of those, the datetime attributes: a value must read as a datetime.
const DATETIME_ATTRIBUTES: &[&str] =
    &["passwordUpdate", "registration", "$createdAt", "$updatedAt"];
/// Of those, the array attributes: utopia-php/database's `Filter` refuses `equal` on them.
const ARRAY_ATTRIBUTES: &[&str] = &["labels"];
/// Query methods Appwrite knows but the emulator does not evaluate.
const UNSUPPORTED_METHODS: &[&str] = &[
    "lessThan",
    "lessThanEqual",
    "greaterThan",
    "greaterThanEqual",
    "contains",
    "search",
    "isNull",
    "isNotNull",
    "between",
    "startsWith",
    "endsWith",
    "select",
    "orderAsc",
    "orderDesc",
    "orderRandom",
    "cursorAfter",
    "cursorBefore",
    "or",
    "and",
    "notContains",
    "notSearch",
    "notBetween",
    "notStartsWith",
    "notEndsWith",
];
const DEFAULT_LIMIT: usize = 25;

/// The `/v1/users…` routes, with the update routes of `users_update.rs` and the MFA routes of
/// `users_mfa.rs`.
pub(super) fn router() -> Routes {
    Router::new()
        .route(users::CREATE.path, post(create))
        .route(users::LIST.path, get(list))
        .route(users::GET.path, get(get_one))
        .route(users::DELETE.path, axum::routing::delete(delete))
        .route(users::UPDATE_STATUS.path, patch(update_status))
        .route(users::CREATE_TOKEN.path, post(create_token))
        .route(users::CREATE_SESSION.path, post(create_session))
        .route(users::LIST_SESSIONS.path, get(list_sessions))
        .route(
            users::DELETE_SESSIONS.path,
            axum::routing::delete(delete_sessions),
        )
        .route(
            users::DELETE_SESSION.path,
            axum::routing::delete(delete_session),
        )
        .route(users::CREATE_JWT.path, post(create_jwt))
        .merge(super::users_update::router())
        .nest("/users/{userId}", super::users_mfa::one_user())
}

pub(super) fn user_not_found() -> ApiError {
    ApiError::new(ErrorType::UserNotFound)
}

/// What every `/v1/users/{userId}…` route does first: checks the scope, then the id (Appwrite's
/// scope check runs before parameter validation).
pub(super) fn user_route<'a>(
    ctx: &Ctx,
    scopes: &[&str],
    user_id: &'a str,
) -> Result<&'a str, ApiError> {
    ctx.authorize(scopes)?;
    uid("userId", user_id)
}

pub(super) fn user_out<'a>(ctx: &Ctx, user: &'a UserRecord) -> UserOut<'a> {
    UserOut {
        user,
        account: false,
        legacy: ctx.legacy_format,
        fresh_access: None,
    }
}

/// `POST /v1/users`
async fn create(ctx: Ctx, Body(p): Body) -> ApiResult {
    ctx.authorize(&["users.write"])?;
    let id = p.custom_id("userId")?;
    // Appwrite stores emails lower-cased.
    let email = p.optional_email("email")?.map(str::to_lowercase);
    let phone = p.optional_phone("phone")?.map(str::to_owned);
    let password_hash = p.optional_password("password")?.map(|pw| hex(&sha256(pw)));
    let name = p
        .optional_text("name", rules::NAME_MAX_CHARS)?
        .unwrap_or_default()
        .to_owned();
    let now = ctx.shared.clock.now_ms();
    let new = NewUser {
        id,
        name,
        email,
        phone,
        password_hash,
        accessed_at: None,
    };
    let mut store = ctx.shared.store();
    let user = store.create_user(new, now)?;
    Ok(created(&user_out(&ctx, user)))
}

/// `GET /v1/users`
async fn list(ctx: Ctx) -> ApiResult {
    ctx.authorize(&["users.read"])?;
    let q = ctx.query();
    let query = UserQuery::parse(&q.string_array("queries")?)?;
    let search = q
        .optional_text("search", rules::SEARCH_MAX_CHARS)?
        .map(str::to_lowercase);
    let include_total = q.boolean("total", Some(true))?;

    let store = ctx.shared.store();
    let mut matching: Vec<&UserRecord> = store
        .users
        .values()
        .filter(|u| query.matches(u) && search.as_deref().is_none_or(|s| matches_search(u, s)))
        .collect();
    matching.sort_unstable_by_key(|u| u.seq);
    let total = if include_total { matching.len() } else { 0 };
    let users = matching
        .into_iter()
        .skip(query.offset)
        .take(query.limit)
        .map(|u| user_out(&ctx, u))
        .collect();
    Ok(ok(&UserListOut { total, users }))
}

/// `GET /v1/users/{userId}`
async fn get_one(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    let user_id = user_route(&ctx, &["users.read"], &user_id)?;
    let store = ctx.shared.store();
    let user = store.users.get(user_id).ok_or_else(user_not_found)?;
    Ok(ok(&user_out(&ctx, user)))
}

/// `DELETE /v1/users/{userId}`
async fn delete(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    ctx.shared
        .store()
        .delete_user(user_id)
        .ok_or_else(user_not_found)?;
    Ok(wire::no_content())
}

/// `PATCH /v1/users/{userId}/status`
async fn update_status(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    let status = p.boolean("status", None)?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(user_id).ok_or_else(user_not_found)?;
    if user.status != status {
        user.status = status;
        user.updated_at = now;
    }
    Ok(ok(&user_out(&ctx, user)))
}

/// `POST /v1/users/{userId}/tokens`
async fn create_token(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    let length = p.range("length", rules::TOKEN_LENGTH_DEFAULT, &rules::TOKEN_LENGTH)?;
    let expire = p.range(
        "expire",
        rules::TOKEN_EXPIRE_DEFAULT_SECS,
        &rules::TOKEN_EXPIRE_SECS,
    )?;
    // Secret, hash and id are made before taking the lock; only the insert happens under it.
    let secret = random::hex_secret(usize::try_from(length).unwrap_or(6))?;
    let hash = sha256(&secret);
    let id = ID::unique();
    let now = ctx.shared.clock.now_ms();
    let expire_at = now.saturating_add_unsigned(expire.saturating_mul(1000));
    {
        let mut store = ctx.shared.store();
        let user = store.users.get_mut(user_id).ok_or_else(user_not_found)?;
        let token = TokenRecord {
            kind: TokenKind::Generic,
            expire: expire_at,
        };
        user.add_token(hash, token, now)?;
    }
    let secret = if ctx.is_key() { secret.as_str() } else { "" };
    Ok(created(&TokenOut::new(
        &id, user_id, secret, now, expire_at, "",
    )))
}

/// `POST /v1/users/{userId}/sessions`: a session for server-side rendering, no cookies.
async fn create_session(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    ctx.authorize(&["users.write", "sessions.write"])?;
    if !ctx.is_key() {
        return Err(ApiError::new(ErrorType::GeneralUnauthorizedScope));
    }
    let user_id = custom_id("userId", &user_id)?;
    let secret = random::hex_secret(256)?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let seq = store.next_seq();
    let user = store.users.get_mut(&user_id).ok_or_else(user_not_found)?;
    let session = SessionRecord {
        id: ID::unique(),
        seq,
        secret_hash: sha256(&secret),
        created_at: now,
        updated_at: now,
        expire: now.saturating_add(millis(ctx.shared.config.session_duration)),
        provider: "server",
        factor: "server",
        ip: ctx.ip.clone(),
        mfa: crate::mfa::SessionMfa::default(),
    };
    user.session_room()?;
    user.add_session(session.clone());
    drop(store);
    let encoded = credential::encode(&user_id, &secret);
    Ok(created(&SessionOut::new(
        &session,
        &user_id,
        false,
        SessionSecret::Credential(&encoded),
    )))
}

/// `GET /v1/users/{userId}/sessions`
async fn list_sessions(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    let user_id = user_route(&ctx, &["users.read", "sessions.read"], &user_id)?;
    let include_total = ctx.query().boolean("total", Some(true))?;
    let store = ctx.shared.store();
    let user = store.users.get(user_id).ok_or_else(user_not_found)?;
    // API keys see Appwrite's stored hash in `secret`.
    let sessions: Vec<_> = user
        .sessions_in_order()
        .into_iter()
        .map(|s| SessionOut::new(s, &user.id, false, SessionSecret::Hash))
        .collect();
    let total = if include_total { sessions.len() } else { 0 };
    Ok(ok(&SessionListOut { total, sessions }))
}

/// `DELETE /v1/users/{userId}/sessions`
async fn delete_sessions(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write", "sessions.write"], &user_id)?;
    let mut store = ctx.shared.store();
    store
        .users
        .get_mut(user_id)
        .ok_or_else(user_not_found)?
        .clear_sessions();
    Ok(wire::no_content())
}

/// `DELETE /v1/users/{userId}/sessions/{sessionId}`
async fn delete_session(
    ctx: Ctx,
    PathParams((user_id, session_id)): PathParams<(String, String)>,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write", "sessions.write"], &user_id)?;
    let session_id = uid("sessionId", &session_id)?;
    let mut store = ctx.shared.store();
    if !store.users.contains_key(user_id) {
        return Err(user_not_found());
    }
    // Appwrite looks the session up by id alone (`getDocument('sessions', $sessionId)`), so it
    // may belong to another user (users.php `deleteSession`).
    store
        .users
        .values_mut()
        .find_map(|u| u.remove_session(session_id))
        .ok_or_else(|| ApiError::new(ErrorType::UserSessionNotFound))?;
    Ok(wire::no_content())
}

/// `POST /v1/users/{userId}/jwts`
async fn create_jwt(ctx: Ctx, PathParams(user_id): PathParams<String>, Body(p): Body) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    // The default is `''`, which names no session (users.php `createJWT`).
    let wanted = match p.get("sessionId") {
        None => String::new(),
        Some(Value::String(id)) => uid("sessionId", id)?.to_owned(),
        Some(_) => return Err(invalid_uid("sessionId")),
    };
    let duration = p.range(
        "duration",
        rules::JWT_DURATION_DEFAULT_SECS,
        &rules::JWT_DURATION_SECS,
    )?;
    let session_id = {
        let store = ctx.shared.store();
        let user = store.users.get(user_id).ok_or_else(user_not_found)?;
        // Only the literal `recent` is the newest session; an unknown id (or none) gives an
        // empty claim, a JWT tied to no session.
        if wanted == "recent" {
            user.sessions_in_order()
                .last()
                .map(|s| s.id.clone())
                .unwrap_or_default()
        } else if user.sessions.contains_key(&wanted) {
            wanted
        } else {
            String::new()
        }
    };
    crate::jwt::check_max_age(duration)?;
    let now_s = ctx.shared.clock.now_ms().div_euclid(1000);
    let jwt = ctx
        .shared
        .jwt
        .issue(user_id, &session_id, now_s, duration)?;
    Ok(created(&JwtOut { jwt }))
}

/// The `queries[]` of `GET /v1/users` that the emulator evaluates.
#[derive(Debug)]
struct UserQuery {
    limit: usize,
    offset: usize,
    /// (attribute, values, negated)
    filters: Vec<(String, Vec<Value>, bool)>,
}

fn query_error(detail: &str) -> ApiError {
    ApiError::invalid_param("queries", detail)
}

impl UserQuery {
    fn parse(queries: &[String]) -> Result<Self, ApiError> {
        if queries.len() > rules::QUERIES_MAX {
            return Err(query_error(&format!(
                "Value must be a valid array no longer than {} items",
                rules::QUERIES_MAX
            )));
        }
        let mut query = Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
            filters: Vec::new(),
        };
        for raw in queries {
            // Counted in bytes here (unchanged), where `rules::check_queries` counts characters.
            if raw.len() > rules::QUERY_MAX_CHARS {
                return Err(query_error("Invalid query: Query is too long"));
            }
            let Ok(Value::Object(q)) = serde_json::from_str::<Value>(raw) else {
                return Err(query_error("Invalid query: Syntax error"));
            };
            let method = q.get("method").and_then(Value::as_str).unwrap_or("");
            let attribute = q.get("attribute").and_then(Value::as_str).unwrap_or("");
            let values = match q.get("values") {
                Some(Value::Array(v)) => v.clone(),
                None | Some(Value::Null) => Vec::new(),
                Some(other) => vec![other.clone()],
            };
            let number = || {
                values
                    .first()
                    .and_then(Value::as_u64)
                    .and_then(|n| usize::try_from(n).ok())
            };
            match method {
                // utopia-php/database `Limit`: `Range(1, PHP_INT_MAX)`, no other bound.
                "limit" => {
                    query.limit = number()
                        .filter(|n| *n >= 1 && i64::try_from(*n).is_ok())
                        .ok_or_else(|| {
                            query_error(
                                "Invalid query: Invalid limit: Value must be a valid range between 1 and 9,223,372,036,854,775,807",
                            )
                        })?;
                }
                "offset" => {
                    query.offset =
                        number().ok_or_else(|| query_error("Invalid query: Invalid offset"))?;
                }
                "equal" | "notEqual" => {
                    if !QUERY_ATTRIBUTES.contains(&attribute) {
                        return Err(query_error(&format!(
                            "Invalid query: Attribute not found in schema: {attribute}"
                        )));
                    }
                    // utopia-php/database 6.0.0 `Validator\Query\Filter`: values first, then
                    // the array rule.
                    if DATETIME_ATTRIBUTES.contains(&attribute)
                        && !values.iter().all(|v| datetime_ms(v).is_some())
                    {
                        return Err(query_error(&format!(
                            "Invalid query: Query value is invalid for attribute \"{attribute}\""
                        )));
                    }
                    if ARRAY_ATTRIBUTES.contains(&attribute) {
                        return Err(query_error(&format!(
                            "Invalid query: Cannot query {method} on attribute \"{attribute}\" because it is an array."
                        )));
                    }
                    query
                        .filters
                        .push((attribute.to_owned(), values, method == "notEqual"));
                }
                m if UNSUPPORTED_METHODS.contains(&m) => {
                    return Err(ApiError::with_message(
                        ErrorType::GeneralQueryInvalid,
                        format!("The emulator does not evaluate `{m}` queries."),
                    ));
                }
                m => return Err(query_error(&format!("Invalid query method: {m}"))),
            }
        }
        Ok(query)
    }

    fn matches(&self, user: &UserRecord) -> bool {
        self.filters.iter().all(|(attribute, values, negated)| {
            let at = match attribute.as_str() {
                "$createdAt" | "registration" => Some(user.created_at),
                "$updatedAt" => Some(user.updated_at),
                "passwordUpdate" => user.password_update,
                _ => None,
            };
            if DATETIME_ATTRIBUTES.contains(&attribute.as_str()) {
                let found = at.is_some_and(|at| values.iter().any(|v| datetime_ms(v) == Some(at)));
                return found != *negated;
            }
            let actual = match attribute.as_str() {
                "$id" => Value::String(user.id.clone()),
                "$sequence" => Value::from(user.seq),
                "name" => Value::String(user.name.clone()),
                "email" => Value::String(user.email.clone().unwrap_or_default()),
                "phone" => Value::String(user.phone.clone().unwrap_or_default()),
                "status" => Value::Bool(user.status),
                "emailVerification" => Value::Bool(user.email_verification),
                "phoneVerification" => Value::Bool(user.phone_verification),
                "impersonator" => Value::Bool(false),
                _ => Value::Null,
            };
            values.contains(&actual) != *negated
        })
    }
}

/// A query value as a datetime, in emulator milliseconds.
fn datetime_ms(value: &Value) -> Option<crate::clock::Millis> {
    let at = appwrite_models::Datetime::parse(value.as_str()?).ok()?;
    let since = at
        .to_system_time()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    crate::clock::Millis::try_from(since.as_millis()).ok()
}

/// Appwrite searches a full-text index over id, email, phone and name; the emulator matches
/// each search word as a case-insensitive substring of those and keeps users matching any word.
fn matches_search(user: &UserRecord, search: &str) -> bool {
    let haystack = format!(
        "{} {} {} {}",
        user.id,
        user.email.as_deref().unwrap_or(""),
        user.phone.as_deref().unwrap_or(""),
        user.name
    )
    .to_lowercase();
    search
        .split_whitespace()
        .any(|word| haystack.contains(word.trim_matches('"')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_and_reject() {
        let q = UserQuery::parse(&[
            r#"{"method":"limit","values":[2]}"#.into(),
            r#"{"method":"offset","values":[1]}"#.into(),
            r#"{"method":"equal","attribute":"email","values":["a@b.co"]}"#.into(),
        ])
        .unwrap();
        assert_eq!((q.limit, q.offset, q.filters.len()), (2, 1, 1));
        assert!(UserQuery::parse(&["nope".into()]).is_err());
        assert!(
            UserQuery::parse(&[r#"{"method":"equal","attribute":"secret","values":[]}"#.into()])
                .is_err()
        );
        let err =
            UserQuery::parse(&[r#"{"method":"orderAsc","attribute":"name"}"#.into()]).unwrap_err();
        assert_eq!(err.kind(), &ErrorType::GeneralQueryInvalid);
        assert!(UserQuery::parse(&[r#"{"method":"limit","values":[0]}"#.into()]).is_err());
        assert!(UserQuery::parse(&[r#"{"method":"limit","values":[100000]}"#.into()]).is_ok());
    }
}
