//! `/v1/account/mfa/*` and `PATCH /v1/account/mfa`: a user's second factors, as Appwrite 1.9.6
//! serves them (src/Appwrite/Platform/Modules/Account/Http/Account/MFA/). Emailed and texted
//! codes land in the outbox.

use appwrite_models::{ErrorType, ID};
use axum::Router;
use axum::routing::{get, patch, post};
use serde::Serialize;
use serde_json::Value;

use super::abuse::Rule;
use super::account::user_gone;
use super::tokens::require_messaging;
use super::{Routes, created, ok};
use crate::auth::{AuthUser, Ctx};
use crate::clock::{Millis, datetime, system_time};
use crate::crypto::sha256;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Me, MfaMe, PathParams};
use crate::mfa::{self, Authenticator, CHALLENGE_LIFETIME_MS, Challenge, Factor, Sealed};
use crate::outbox::{OutboxKind, OutboxMessage};
use crate::params::Params;
use crate::random;
use crate::records::UserRecord;
use crate::wire::{self, SessionOut, SessionSecret, UserOut};

/// `POST /v1/account/mfa/challenges`: 10 per hour per user (Challenges/Create.php).
const CREATE_CHALLENGE: Rule = Rule {
    path: "/v1/account/mfa/challenges",
    limit: 10,
    period_s: 3600,
    keys: &["url:{url},userId:{userId}"],
    reset_on_created: false,
};
/// `PUT /v1/account/mfa/challenges`: 10 per hour per challenge (Challenges/Update.php).
const UPDATE_CHALLENGE: Rule = Rule {
    keys: &["url:{url},challengeId:{param-challengeId}"],
    ..CREATE_CHALLENGE
};

/// The account's MFA routes, merged under `/v1/account`. `/mfa/challenge` is the alias Appwrite
/// declares (`httpAlias`); it counts under the main path's rate limit.
pub(super) fn router() -> Routes {
    Router::new()
        .route("/mfa", patch(update_mfa))
        .route(
            "/mfa/authenticators/{type}",
            post(create_authenticator)
                .put(verify_authenticator)
                .delete(delete_authenticator),
        )
        .route(
            "/mfa/challenges",
            post(create_challenge).put(update_challenge),
        )
        .route(
            "/mfa/challenge",
            post(create_challenge).put(update_challenge),
        )
        .route("/mfa/factors", get(list_factors))
        .route(
            "/mfa/recovery-codes",
            post(create_recovery_codes)
                .get(get_recovery_codes)
                .patch(regenerate_recovery_codes),
        )
}

/// Appwrite's MFA errors that [`ErrorType`] does not list (app/config/errors.php).
pub(super) mod errors {
    use crate::error::ApiError;

    pub(in crate::routes) fn authenticator_not_found() -> ApiError {
        ApiError::other(
            "user_authenticator_not_found",
            404,
            "Authenticator could not be found on the current user.",
        )
    }

    pub(in crate::routes) fn authenticator_already_verified() -> ApiError {
        ApiError::other(
            "user_authenticator_already_verified",
            409,
            "This authenticator is already verified on the current user.",
        )
    }

    pub(in crate::routes) fn recovery_codes_exist() -> ApiError {
        ApiError::other(
            "user_recovery_codes_already_exists",
            409,
            "The current user already generated recovery codes and they can only be read once for security reasons.",
        )
    }

    pub(in crate::routes) fn recovery_codes_not_found() -> ApiError {
        ApiError::other(
            "user_recovery_codes_not_found",
            404,
            "Recovery codes could not be found on the current user.",
        )
    }

    pub(super) fn challenge_required() -> ApiError {
        ApiError::other(
            "user_challenge_required",
            401,
            "A recently successful challenge is required to complete this action. A challenge is considered recent for 5 minutes.",
        )
    }
}

/// The `type` path parameter: `WhiteList(['totp'])`, which compares case-insensitively. `true`
/// when it is exactly `totp`, the only value the handlers then act on.
pub(super) fn authenticator_type(raw: &str) -> Result<bool, ApiError> {
    if !raw.eq_ignore_ascii_case("totp") {
        return Err(ApiError::invalid_param(
            "type",
            "Value must be one of (totp)",
        ));
    }
    Ok(raw == "totp")
}

/// The `MFAFactors` model, in its rules' order.
#[derive(Debug, Serialize)]
pub(super) struct FactorsOut {
    pub totp: bool,
    pub phone: bool,
    pub email: bool,
    #[serde(rename = "recoveryCode")]
    pub recovery_code: bool,
}

impl FactorsOut {
    /// What the user can use (MFA/Factors/XList.php); the users route never reports recovery
    /// codes (users.php), so it passes `false`.
    pub(super) fn of(user: &UserRecord, recovery_code: bool) -> Self {
        Self {
            totp: user.mfa.totp_verified(),
            phone: user.phone_factor(),
            email: user.email_factor(),
            recovery_code,
        }
    }
}

/// The `MFARecoveryCodes` model.
pub(super) fn recovery_codes_out(codes: &[Sealed]) -> Value {
    let codes: Vec<&str> = codes.iter().map(Sealed::expose).collect();
    serde_json::json!({ "recoveryCodes": codes })
}

/// Replaces existing recovery codes (the regenerate routes; none yet is a 404) and answers them.
pub(super) fn regenerate(
    user: &mut UserRecord,
    codes: Vec<Sealed>,
    now: Millis,
) -> Result<Value, ApiError> {
    if user.mfa.recovery_codes.is_empty() {
        return Err(errors::recovery_codes_not_found());
    }
    user.mfa.recovery_codes = codes;
    user.updated_at = now;
    Ok(recovery_codes_out(&user.mfa.recovery_codes))
}

/// Sets the first recovery codes (the create routes; existing ones are a 409) and answers them.
pub(super) fn first_codes(
    user: &mut UserRecord,
    codes: Vec<Sealed>,
    now: Millis,
) -> Result<Value, ApiError> {
    if !user.mfa.recovery_codes.is_empty() {
        return Err(errors::recovery_codes_exist());
    }
    user.mfa.recovery_codes = codes;
    user.updated_at = now;
    Ok(recovery_codes_out(&user.mfa.recovery_codes))
}

/// The session a route injects as a non-nullable `Document $session`: a JWT request has none,
/// and PHP's `TypeError` becomes a 500.
fn session_of(me: &AuthUser) -> Result<&str, ApiError> {
    me.session_id.as_deref().ok_or_else(ApiError::php_failure)
}

/// The `mfaProtected` group (app/controllers/shared/api/auth.php): the session passed a
/// challenge in the last `MFA_RECENT_DURATION` (30 minutes).
fn require_recent_challenge(ctx: &Ctx, me: &AuthUser) -> Result<(), ApiError> {
    let session_id = session_of(me)?;
    let store = ctx.shared.store();
    let user = store.users.get(&me.id).ok_or_else(user_gone)?;
    let session = user
        .sessions
        .get(session_id)
        .ok_or_else(ApiError::php_failure)?;
    if session.passed_challenge_recently(ctx.shared.clock.now_ms()) {
        Ok(())
    } else {
        Err(errors::challenge_required())
    }
}

/// `PATCH /v1/account/mfa` (MFA/Update.php): turns MFA on or off; turning it on adds every
/// factor the user has verified to the current session. Answers the account.
async fn update_mfa(Me { ctx, user: me }: Me, Body(p): Body) -> ApiResult {
    let enabled = p.boolean("mfa", None)?;
    let session_id = session_of(&me)?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
    if user.mfa.enabled != enabled {
        user.mfa.enabled = enabled;
        user.updated_at = now;
    }
    if enabled {
        let verified = [
            (user.mfa.totp_verified(), Factor::Totp),
            (user.email_factor(), Factor::Email),
            (user.phone_factor(), Factor::Phone),
        ];
        if let Some(session) = user.sessions.get_mut(session_id) {
            let before = session.factors().len();
            for (_, factor) in verified.into_iter().filter(|(has, _)| *has) {
                session.add_factor(factor);
            }
            if session.factors().len() != before {
                session.updated_at = now;
            }
        }
    }
    Ok(ok(&UserOut {
        user,
        account: true,
        legacy: ctx.legacy_format,
        // updateDocument's answer is read back (decoded): ISO datetimes.
        fresh_access: None,
    }))
}

/// The `MFAType` model.
#[derive(Debug, Serialize)]
struct TypeOut<'a> {
    secret: &'a str,
    uri: &'a str,
}

/// `POST /v1/account/mfa/authenticators/{type}` (Authenticators/Create.php): a new, unverified
/// TOTP secret and its `otpauth://` URI (label: the user's email; issuer: the project's name,
/// which in the emulator is its id). Replaces an unverified authenticator.
async fn create_authenticator(
    Me { ctx, user: me }: Me,
    PathParams(kind): PathParams<String>,
) -> ApiResult {
    if !authenticator_type(&kind)? {
        return Err(ApiError::with_message(
            ErrorType::GeneralArgumentInvalid,
            "Unknown type.",
        ));
    }
    let secret = mfa::new_totp_secret()?;
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
    // otphp's `setLabel(string)` with a user that has no email, or a label with a colon, throws.
    let label = user
        .email
        .clone()
        .filter(|e| !e.contains(':'))
        .ok_or_else(ApiError::php_failure)?;
    if user.mfa.totp_verified() {
        return Err(errors::authenticator_already_verified());
    }
    user.mfa.authenticator = Some(Authenticator {
        secret: secret.clone(),
        verified: false,
    });
    let uri = mfa::provisioning_uri(&ctx.shared.config.project, &label, &secret);
    Ok(ok(&TypeOut {
        secret: secret.expose(),
        uri: &uri,
    }))
}

/// `PUT /v1/account/mfa/authenticators/{type}` (Authenticators/Update.php): verifies the
/// authenticator with a current code, adds `totp` to the current session's factors (without
/// touching `mfaUpdatedAt`) and answers the account.
async fn verify_authenticator(
    Me { ctx, user: me }: Me,
    PathParams(kind): PathParams<String>,
    Body(p): Body,
) -> ApiResult {
    let is_totp = authenticator_type(&kind)?;
    let otp = p.required_text("otp", 256)?;
    let session_id = session_of(&me)?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
    let authenticator = user
        .mfa
        .authenticator
        .as_mut()
        .filter(|_| is_totp)
        .ok_or_else(errors::authenticator_not_found)?;
    if authenticator.verified {
        return Err(errors::authenticator_already_verified());
    }
    if !mfa::totp_matches(&authenticator.secret, now.div_euclid(1000), otp) {
        return Err(ApiError::new(ErrorType::UserInvalidToken));
    }
    authenticator.verified = true;
    if let Some(session) = user.sessions.get_mut(session_id) {
        if !session.factors().contains(&Factor::Totp.as_str()) {
            session.add_factor(Factor::Totp);
            session.updated_at = now;
        }
    }
    Ok(ok(&UserOut {
        user,
        account: true,
        legacy: ctx.legacy_format,
        // updateDocument's answer is read back (decoded): ISO datetimes.
        fresh_access: None,
    }))
}

/// `DELETE /v1/account/mfa/authenticators/{type}` (Authenticators/Delete.php, `mfaProtected`).
async fn delete_authenticator(
    Me { ctx, user: me }: Me,
    PathParams(kind): PathParams<String>,
) -> ApiResult {
    require_recent_challenge(&ctx, &me)?;
    let is_totp = authenticator_type(&kind)?;
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
    if !is_totp || user.mfa.authenticator.take().is_none() {
        return Err(errors::authenticator_not_found());
    }
    Ok(wire::no_content())
}

/// The factors `POST /v1/account/mfa/challenges` accepts, as its `WhiteList` lists them
/// (lower-cased: the check ignores case).
const CHALLENGE_FACTORS: [&str; 4] = ["email", "phone", "totp", "recoverycode"];

/// The `factor` parameter, as sent.
fn factor_param(p: &Params) -> Result<&str, ApiError> {
    if !p.present("factor") {
        return Err(ApiError::missing_param("factor"));
    }
    match p.get("factor") {
        Some(Value::String(f)) if CHALLENGE_FACTORS.contains(&f.to_lowercase().as_str()) => Ok(f),
        _ => Err(ApiError::invalid_param(
            "factor",
            "Value must be one of (email, phone, totp, recoverycode)",
        )),
    }
}

/// The `MFAChallenge` model.
#[derive(Debug, Serialize)]
struct ChallengeOut<'a> {
    #[serde(rename = "$id")]
    id: &'a str,
    #[serde(rename = "$createdAt")]
    created_at: appwrite_models::Datetime,
    #[serde(rename = "userId")]
    user_id: &'a str,
    expire: appwrite_models::Datetime,
}

/// `POST /v1/account/mfa/challenges` (and `/challenge`).
async fn create_challenge(MfaMe { ctx, user: me }: MfaMe, Body(p): Body) -> ApiResult {
    let admitted = CREATE_CHALLENGE.check(&ctx, &p)?;
    let result = open_challenge(&ctx, &me, &p);
    admitted.finish(&ctx, result)
}

/// Challenges/Create.php: an email or phone factor needs messaging and a verified address, and
/// sends a 6-digit code (to the outbox); TOTP and recovery-code challenges only get an id. A
/// challenge expires after an hour.
fn open_challenge(ctx: &Ctx, me: &AuthUser, p: &Params) -> ApiResult {
    let factor = factor_param(p)?;
    let now = ctx.shared.clock.now_ms();
    let expire = now.saturating_add(CHALLENGE_LIFETIME_MS);
    let code = random::digits(6)?;
    let id = ID::unique();
    let recipient = {
        let mut store = ctx.shared.store();
        let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
        // PHP's `switch` compares loosely but case-sensitively: `EMAIL` sends nothing.
        let recipient = match factor {
            "phone" => {
                require_messaging(ctx, OutboxKind::MfaPhone)?;
                let phone = verified_address(
                    user.phone.as_deref(),
                    user.phone_verification,
                    (
                        "user_phone_not_found",
                        "The current user does not have a phone number associated with their account.",
                    ),
                    ("user_phone_not_verified", "User phone is not verified"),
                )?;
                Some((OutboxKind::MfaPhone, phone))
            }
            "email" => {
                require_messaging(ctx, OutboxKind::MfaEmail)?;
                let email = verified_address(
                    user.email.as_deref(),
                    user.email_verification,
                    ("user_email_not_found", "User email could not be found."),
                    ("user_email_not_verified", "User email is not verified"),
                )?;
                Some((OutboxKind::MfaEmail, email))
            }
            _ => None,
        };
        let challenge = Challenge {
            id: id.clone(),
            kind: factor.to_owned(),
            code_hash: recipient.as_ref().map(|_| sha256(&code)),
            expire,
        };
        user.mfa.add_challenge(challenge, now);
        recipient
    };
    if let Some((kind, to)) = recipient {
        ctx.shared.push_outbox(OutboxMessage {
            kind,
            token_id: id.clone(),
            user_id: me.id.clone(),
            to,
            secret: code,
            phrase: None,
            url: None,
            sent_at: system_time(now),
            expire: system_time(expire),
        })?;
    }
    Ok(created(&ChallengeOut {
        id: &id,
        created_at: datetime(now),
        user_id: &me.id,
        expire: datetime(expire),
    }))
}

/// An address a code can go to: set (else the first error, 400) and verified (else the second).
fn verified_address(
    address: Option<&str>,
    verified: bool,
    not_found: (&'static str, &'static str),
    not_verified: (&'static str, &'static str),
) -> Result<String, ApiError> {
    let address = address
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::other(not_found.0, 400, not_found.1))?;
    if !verified {
        return Err(ApiError::other(not_verified.0, 400, not_verified.1));
    }
    Ok(address.to_owned())
}

/// `PUT /v1/account/mfa/challenges` (and `/challenge`).
async fn update_challenge(MfaMe { ctx, user: me }: MfaMe, Body(p): Body) -> ApiResult {
    let admitted = UPDATE_CHALLENGE.check(&ctx, &p)?;
    let result = pass_challenge(&ctx, &me, &p);
    admitted.finish(&ctx, result)
}

/// Challenges/Update.php: checks the code for the challenge's type; on success deletes the
/// challenge, adds the factor to the current session and sets `mfaUpdatedAt`. A wrong code keeps
/// the challenge (its rate limit bounds the guesses). Answers the session as held in memory:
/// `current` false, no `countryName`, the `$updatedAt` from before the update, and
/// `mfaUpdatedAt` in the database's format.
fn pass_challenge(ctx: &Ctx, me: &AuthUser, p: &Params) -> ApiResult {
    let challenge_id = p.required_text("challengeId", 256)?;
    let otp = p.required_text("otp", 256)?;
    let session_id = session_of(me)?;
    let now = ctx.shared.clock.now_ms();
    let invalid = || ApiError::new(ErrorType::UserInvalidToken);
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
    let challenge = user
        .mfa
        .challenge(challenge_id, now)
        .cloned()
        .ok_or_else(invalid)?;
    let factor = Factor::from_challenge_type(&challenge.kind);
    let passed = match factor {
        Some(Factor::Totp) => {
            // `getAuthenticatorFromUser()` is `null` without one, and PHP fails on it.
            let authenticator = user
                .mfa
                .authenticator
                .as_ref()
                .ok_or_else(ApiError::php_failure)?;
            mfa::totp_matches(&authenticator.secret, now.div_euclid(1000), otp)
        }
        Some(Factor::Email | Factor::Phone) => challenge.code_hash == Some(sha256(otp)),
        Some(Factor::RecoveryCode) => {
            let taken = user.mfa.take_recovery_code(otp);
            if taken {
                user.updated_at = now;
            }
            taken
        }
        None => false,
    };
    let Some(factor) = factor.filter(|_| passed) else {
        return Err(invalid());
    };
    user.mfa.remove_challenge(challenge_id);
    let session = user
        .sessions
        .get_mut(session_id)
        .ok_or_else(ApiError::php_failure)?;
    session.add_factor(factor);
    session.mfa.updated_at = Some(now);
    let response = ok(
        &SessionOut::new(session, &user.id, false, SessionSecret::Hidden)
            .stored()
            .mfa_updated_at_as_set(now),
    );
    session.updated_at = now;
    Ok(response)
}

/// `GET /v1/account/mfa/factors` (Factors/XList.php).
async fn list_factors(MfaMe { ctx, user: me }: MfaMe) -> ApiResult {
    let store = ctx.shared.store();
    let user = store.users.get(&me.id).ok_or_else(user_gone)?;
    let codes = !user.mfa.recovery_codes.is_empty();
    Ok(ok(&FactorsOut::of(user, codes)))
}

/// `POST /v1/account/mfa/recovery-codes` (RecoveryCodes/Create.php): 201 with 6 new codes.
async fn create_recovery_codes(Me { ctx, user: me }: Me) -> ApiResult {
    let codes = mfa::new_recovery_codes()?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
    Ok(created(&first_codes(user, codes, now)?))
}

/// `GET /v1/account/mfa/recovery-codes` (RecoveryCodes/Get.php, `mfaProtected`).
async fn get_recovery_codes(Me { ctx, user: me }: Me) -> ApiResult {
    require_recent_challenge(&ctx, &me)?;
    let store = ctx.shared.store();
    let user = store.users.get(&me.id).ok_or_else(user_gone)?;
    if user.mfa.recovery_codes.is_empty() {
        return Err(errors::recovery_codes_not_found());
    }
    Ok(ok(&recovery_codes_out(&user.mfa.recovery_codes)))
}

/// `PATCH /v1/account/mfa/recovery-codes` (RecoveryCodes/Update.php, `mfaProtected`).
async fn regenerate_recovery_codes(Me { ctx, user: me }: Me) -> ApiResult {
    require_recent_challenge(&ctx, &me)?;
    let codes = mfa::new_recovery_codes()?;
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let user = store.users.get_mut(&me.id).ok_or_else(user_gone)?;
    Ok(ok(&regenerate(user, codes, now)?))
}
