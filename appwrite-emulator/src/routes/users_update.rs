//! `/v1/users/{userId}/…` updates (name, email, phone, password, prefs, labels, verification)
//! and the preferences reads, with Appwrite 1.9.6's validation and errors (users.php, account.php).

use appwrite_models::ErrorType;
use appwrite_models::protocol::routes::users;
use appwrite_models::protocol::rules;
use axum::Router;
use axum::routing::{get, patch, put};
use serde_json::{Map, Value};

use super::users::{user_not_found, user_route};
use super::{Routes, ok};
use crate::auth::Ctx;
use crate::crypto::{hex, sha256};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Me, PathParams};
use crate::params::Params;
use crate::records::UserRecord;
use crate::store::{Conflict, Contact};
use crate::wire::UserOut;

/// The update and preferences routes of one user (`/v1/users/{userId}/…`), with their full paths.
pub(super) fn router() -> Routes {
    Router::new()
        .route(users::UPDATE_NAME.path, patch(update_name))
        .route(users::UPDATE_EMAIL.path, patch(update_email))
        .route(users::UPDATE_PHONE.path, patch(update_phone))
        .route(users::UPDATE_PASSWORD.path, patch(update_password))
        .route(users::UPDATE_PREFS.path, patch(update_prefs))
        .route(users::GET_PREFS.path, get(get_prefs))
        .route(users::UPDATE_LABELS.path, put(update_labels))
        .route(
            users::UPDATE_EMAIL_VERIFICATION.path,
            patch(update_email_verification),
        )
        .route(
            users::UPDATE_PHONE_VERIFICATION.path,
            patch(update_phone_verification),
        )
}

/// Applies `change` to the user and answers with it.
fn update(ctx: &Ctx, user_id: &str, change: impl FnOnce(&mut UserRecord)) -> ApiResult {
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(user_id).ok_or_else(user_not_found)?;
    change(user);
    user.updated_at = now;
    Ok(ok(&UserOut {
        user,
        account: false,
        legacy: ctx.legacy_format,
        fresh_access: None,
    }))
}

/// A required string that may be empty, else checked by `valid` (`Email(allowEmpty: true)`,
/// `Phone(allowEmpty: true)`).
fn allow_empty<'a>(
    p: &'a Params,
    name: &str,
    valid: impl FnOnce(&'a Params, &str) -> Result<&'a str, ApiError>,
) -> Result<&'a str, ApiError> {
    match p.get(name) {
        Some(Value::String(s)) if s.is_empty() => Ok(""),
        _ => valid(p, name),
    }
}

/// `PATCH /v1/users/{userId}/name`: `Text(128, 0)`, so `""` clears the name.
pub(super) async fn update_name(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    if !p.present("name") {
        return Err(ApiError::missing_param("name"));
    }
    let name = match p.get("name") {
        Some(Value::String(s)) if rules::check_name(s).is_ok() => s.clone(),
        _ => {
            return Err(ApiError::invalid_param(
                "name",
                &format!(
                    "Value must be a valid string and no longer than {} chars",
                    rules::NAME_MAX_CHARS
                ),
            ));
        }
    };
    update(&ctx, user_id, |user| user.name = name)
}

/// `PATCH /v1/users/{userId}/email` and `/phone`.
fn update_contact(ctx: &Ctx, user_id: &str, p: &Params, kind: Contact) -> ApiResult {
    let user_id = user_route(ctx, &["users.write"], user_id)?;
    let value = match kind {
        // Appwrite lower-cases with PHP's `strtolower`: ASCII letters only.
        Contact::Email => allow_empty(p, "email", Params::email)?.to_ascii_lowercase(),
        Contact::Phone => allow_empty(p, "number", Params::phone)?.to_owned(),
    };
    let value = (!value.is_empty()).then_some(value);
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    if !store.users.contains_key(user_id) {
        return Err(user_not_found());
    }
    // Appwrite looks for a target with the value first, across all users and this one too.
    let user = store
        .set_contact(user_id, kind, value, now)
        .map_err(|Conflict| ApiError::new(ErrorType::UserTargetAlreadyExists))?
        .ok_or_else(user_not_found)?;
    Ok(ok(&UserOut {
        user,
        account: false,
        legacy: ctx.legacy_format,
        fresh_access: None,
    }))
}

/// `PATCH /v1/users/{userId}/email`
pub(super) async fn update_email(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    update_contact(&ctx, &user_id, &p, Contact::Email)
}

/// `PATCH /v1/users/{userId}/phone`
pub(super) async fn update_phone(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    update_contact(&ctx, &user_id, &p, Contact::Phone)
}

/// `PATCH /v1/users/{userId}/password`.
pub(super) async fn update_password(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    if !p.present("password") {
        return Err(ApiError::missing_param("password"));
    }
    // `""` removes the password: Appwrite answers with `password: ""` (users.php sets it so and
    // sends the user before going on to hash the empty string).
    // `PasswordStrength(allowEmpty: true)`: `""` is valid here, unlike in `createUser`.
    let hash = match p.get("password") {
        Some(Value::String(empty)) if empty.is_empty() => String::new(),
        _ => p
            .optional_password("password")?
            .map_or_else(String::new, |pw| hex(&sha256(pw))),
    };
    let now = ctx.shared.clock.now_ms();
    update(&ctx, user_id, |user| {
        user.password_hash = Some(hash);
        user.password_update = Some(now);
    })
}

/// `PATCH /v1/users/{userId}/verification`
pub(super) async fn update_email_verification(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    let verified = p.boolean("emailVerification", None)?;
    update(&ctx, user_id, |user| user.email_verification = verified)
}

/// `PATCH /v1/users/{userId}/verification/phone`
pub(super) async fn update_phone_verification(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    let verified = p.boolean("phoneVerification", None)?;
    update(&ctx, user_id, |user| user.phone_verification = verified)
}

/// `PUT /v1/users/{userId}/labels`: replaces the labels, duplicates dropped in first-seen order.
pub(super) async fn update_labels(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    let labels = labels(&p)?;
    update(&ctx, user_id, |user| user.labels = labels)
}

/// `labels`: `ArrayList(Text(36, allowList: 0-9 A-Z a-z), 1000)`.
fn labels(p: &Params) -> Result<Vec<String>, ApiError> {
    let invalid = || {
        let allowed: Vec<String> = ('0'..='9')
            .chain('A'..='Z')
            .chain('a'..='z')
            .map(String::from)
            .collect();
        ApiError::invalid_param(
            "labels",
            &format!(
                "Value must a valid array no longer than {} items and Value must be a valid string and at least 1 chars and no longer than {} chars and only consist of '{}' chars",
                rules::LABELS_MAX,
                rules::LABEL_MAX_CHARS,
                allowed.join(", ")
            ),
        )
    };
    let items = match p.get("labels") {
        None if !p.present("labels") => return Err(ApiError::missing_param("labels")),
        Some(Value::Array(items)) => items,
        _ => return Err(invalid()),
    };
    let Some(given) = items
        .iter()
        .map(Value::as_str)
        .collect::<Option<Vec<&str>>>()
    else {
        return Err(invalid());
    };
    if rules::check_labels(&given).is_err() {
        return Err(invalid());
    }
    let mut labels: Vec<String> = Vec::with_capacity(given.len());
    for label in given {
        if !labels.iter().any(|l| l == label) {
            labels.push(label.to_owned());
        }
    }
    Ok(labels)
}

/// `PATCH /v1/users/{userId}/prefs`: replaces the preferences and answers with them.
pub(super) async fn update_prefs(
    ctx: Ctx,
    PathParams(user_id): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    let user_id = user_route(&ctx, &["users.write"], &user_id)?;
    let prefs = prefs(&p)?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(user_id).ok_or_else(user_not_found)?;
    user.prefs.clone_from(&prefs);
    user.updated_at = now;
    Ok(ok(&prefs))
}

/// `prefs`: `Assoc`, a JSON object whose JSON is at most 64 kB. PHP decodes `{"0": …, "1": …}`
/// into a list, which `Assoc` refuses.
fn prefs(p: &Params) -> Result<Map<String, Value>, ApiError> {
    let invalid = || ApiError::invalid_param("prefs", "Value must be a valid object.");
    let map = match p.get("prefs") {
        None if !p.present("prefs") => return Err(ApiError::missing_param("prefs")),
        Some(Value::Object(map)) => map,
        _ => return Err(invalid()),
    };
    let list_like = !map.is_empty() && (0..map.len()).all(|i| map.contains_key(&i.to_string()));
    let too_long = serde_json::to_string(map)
        .map_or(true, |json| rules::check_prefs_json(json.len()).is_err());
    if list_like || too_long {
        return Err(invalid());
    }
    Ok(map.clone())
}

/// `GET /v1/users/{userId}/prefs`
pub(super) async fn get_prefs(ctx: Ctx, PathParams(user_id): PathParams<String>) -> ApiResult {
    let user_id = user_route(&ctx, &["users.read"], &user_id)?;
    let store = ctx.shared.store();
    let user = store.users.get(user_id).ok_or_else(user_not_found)?;
    Ok(ok(&user.prefs))
}

/// `GET /v1/account/prefs`: the signed-in user's preferences.
pub(super) async fn get_account_prefs(Me { ctx, user: me }: Me) -> ApiResult {
    let store = ctx.shared.store();
    let user = store.users.get(&me.id).ok_or_else(user_not_found)?;
    Ok(ok(&user.prefs))
}
