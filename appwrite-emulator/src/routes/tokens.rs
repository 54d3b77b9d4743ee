//! `/v1/account/tokens/*`: email codes, magic links and SMS codes. Nothing is sent; the secrets
//! land in the outbox.

use appwrite_models::{ErrorType, ID, credential};
use axum::response::Response;

use appwrite_models::protocol::routes::account;
use axum::Router;
use axum::routing::post;

use super::abuse::Rule;
use super::{Routes, created};
use crate::auth::Ctx;
use crate::clock::{Millis, datetime, system_time};
use crate::crypto::sha256;
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::outbox::{OutboxKind, OutboxMessage};
use crate::params::Params;
use crate::random;
use crate::records::{NewUser, TokenKind, TokenRecord};
use crate::wire::TokenOut;

/// `TOKEN_EXPIRATION_OTP`: 15 minutes.
const OTP_EXPIRE_MS: Millis = 15 * 60 * 1000;
/// `TOKEN_EXPIRATION_CONFIRM`: 1 hour.
const MAGIC_URL_EXPIRE_MS: Millis = 60 * 60 * 1000;
/// `TOKEN_LENGTH_MAGIC_URL`.
const MAGIC_URL_LENGTH: usize = 64;

/// `POST /v1/account/tokens/email`: 10 per hour per email and per IP.
const EMAIL: Rule = Rule {
    path: "/v1/account/tokens/email",
    limit: 10,
    period_s: 3600,
    keys: &["url:{url},email:{param-email}", "url:{url},ip:{ip}"],
    reset_on_created: false,
};
/// `POST /v1/account/tokens/magic-url`: 60 per hour per email and per IP.
const MAGIC_URL: Rule = Rule {
    path: "/v1/account/tokens/magic-url",
    limit: 60,
    ..EMAIL
};
/// `POST /v1/account/tokens/phone`: 10 per hour per phone number and per IP.
const PHONE: Rule = Rule {
    path: "/v1/account/tokens/phone",
    keys: &["url:{url},phone:{param-phone}", "url:{url},ip:{ip}"],
    ..EMAIL
};

/// The `/v1/account/tokens/…` routes (email, magic URL, phone), with their full paths.
pub(super) fn router() -> Routes {
    Router::new()
        .route(account::CREATE_EMAIL_TOKEN.path, post(create_email_token))
        .route(
            account::CREATE_MAGIC_URL_TOKEN.path,
            post(create_magic_url_token),
        )
        .route(account::CREATE_PHONE_TOKEN.path, post(create_phone_token))
}

/// What a server without an SMTP server or SMS provider answers (account.php checks
/// `_APP_SMTP_HOST` and the phone provider after validating the parameters).
pub(super) fn require_messaging(ctx: &Ctx, kind: OutboxKind) -> Result<(), ApiError> {
    if ctx.shared.config.messaging {
        return Ok(());
    }
    Err(match kind {
        OutboxKind::Phone | OutboxKind::MfaPhone => ApiError::with_message(
            ErrorType::GeneralPhoneDisabled,
            "Phone provider not configured",
        ),
        _ => ApiError::with_message(ErrorType::GeneralSmtpDisabled, "SMTP disabled"),
    })
}

/// Who a token is for: found by email or phone, or created with the requested id.
enum Recipient<'a> {
    Email(&'a str),
    Phone(&'a str),
}

impl Recipient<'_> {
    /// The address the message goes to.
    fn address(&self) -> &str {
        match self {
            Self::Email(to) | Self::Phone(to) => to,
        }
    }
}

/// A token to issue: for whom, how it is sent, its secret and how long it lives.
struct NewToken<'a> {
    recipient: Recipient<'a>,
    sent_by: OutboxKind,
    secret: String,
    lifetime_ms: Millis,
    phrase: Option<String>,
}

/// A token that was stored.
struct Issued {
    token_id: String,
    user_id: String,
    now: Millis,
    expire: Millis,
}

impl NewToken<'_> {
    /// Finds the user with the recipient's email or phone, or creates it with `user_id` (and
    /// `accessedAt` now, as account.php's token routes do), then stores the token (only its
    /// hash).
    fn store(&self, ctx: &Ctx, user_id: String) -> Result<Issued, ApiError> {
        let hash = sha256(&self.secret);
        let token_id = ID::unique();
        let now = ctx.shared.clock.now_ms();
        let expire = now.saturating_add(self.lifetime_ms);
        let mut store = ctx.shared.store();
        let existing = match self.recipient {
            Recipient::Email(email) => store.user_by_email(email),
            Recipient::Phone(phone) => store.user_by_phone(phone),
        }
        .map(str::to_owned);
        let user_id = if let Some(id) = existing {
            id
        } else {
            let address = Some(self.recipient.address().to_owned());
            let new = match self.recipient {
                Recipient::Email(_) => NewUser {
                    id: user_id,
                    email: address,
                    accessed_at: Some(now),
                    ..NewUser::default()
                },
                Recipient::Phone(_) => NewUser {
                    id: user_id,
                    phone: address,
                    accessed_at: Some(now),
                    ..NewUser::default()
                },
            };
            store.create_user(new, now)?.id.clone()
        };
        let kind = match self.sent_by {
            OutboxKind::Email | OutboxKind::MfaEmail => TokenKind::Email,
            OutboxKind::MagicUrl => TokenKind::MagicUrl,
            OutboxKind::Phone | OutboxKind::MfaPhone => TokenKind::Phone,
        };
        if let Some(user) = store.users.get_mut(&user_id) {
            user.add_token(hash, TokenRecord { kind, expire }, now)?;
        }
        Ok(Issued {
            token_id,
            user_id,
            now,
            expire,
        })
    }

    /// Puts the message that would have been sent in the outbox (`url`: a magic link).
    fn send(&self, ctx: &Ctx, issued: &Issued, url: Option<String>) -> Result<(), ApiError> {
        let message = OutboxMessage {
            kind: self.sent_by,
            token_id: issued.token_id.clone(),
            user_id: issued.user_id.clone(),
            to: self.recipient.address().to_owned(),
            secret: self.secret.clone(),
            phrase: self.phrase.clone(),
            url,
            sent_at: system_time(issued.now),
            expire: system_time(issued.expire),
        };
        Ok(ctx.shared.push_outbox(message)?)
    }

    /// The 201 answer; `shown` is the secret as an API key sees it (a session sees `""`).
    fn answer(&self, issued: &Issued, shown: Option<&str>) -> Response {
        created(&TokenOut::new(
            &issued.token_id,
            &issued.user_id,
            shown.unwrap_or(""),
            issued.now,
            issued.expire,
            self.phrase.as_deref().unwrap_or(""),
        ))
    }
}

/// The optional `phrase` flag: a security phrase when it is `true`.
fn phrase(p: &Params) -> Result<Option<String>, ApiError> {
    Ok(p.boolean("phrase", Some(false))?
        .then(random::phrase)
        .transpose()?)
}

/// `POST /v1/account/tokens/email`: a 6-digit code, valid 15 minutes.
async fn create_email_token(ctx: Ctx, Body(p): Body) -> ApiResult {
    ctx.authorize(&["sessions.write"])?;
    let admitted = EMAIL.check(&ctx, &p)?;
    let result = email_token(&ctx, &p);
    admitted.finish(&ctx, result)
}

fn email_token(ctx: &Ctx, p: &Params) -> ApiResult {
    let user_id = p.custom_id("userId")?;
    // Kept as typed: unlike `POST /v1/users`, the token routes do not lower-case it.
    let email = p.email("email")?.to_owned();
    let phrase = phrase(p)?;
    require_messaging(ctx, OutboxKind::Email)?;
    let token = NewToken {
        recipient: Recipient::Email(&email),
        sent_by: OutboxKind::Email,
        phrase,
        secret: random::digits(6)?,
        lifetime_ms: OTP_EXPIRE_MS,
    };
    let issued = token.store(ctx, user_id)?;
    token.send(ctx, &issued, None)?;
    Ok(token.answer(&issued, ctx.is_key().then_some(token.secret.as_str())))
}

/// `POST /v1/account/tokens/magic-url`: a 64-hex secret in a link, valid 1 hour.
pub(super) async fn create_magic_url_token(ctx: Ctx, Body(p): Body) -> ApiResult {
    ctx.authorize(&["sessions.write"])?;
    let admitted = MAGIC_URL.check(&ctx, &p)?;
    let result = magic_url_token(&ctx, &p);
    admitted.finish(&ctx, result)
}

fn magic_url_token(ctx: &Ctx, p: &Params) -> ApiResult {
    let user_id = p.custom_id("userId")?;
    // Kept as typed: unlike `POST /v1/users`, the token routes do not lower-case it.
    let email = p.email("email")?.to_owned();
    let url = p.optional_url("url")?;
    if let Some(url) = &url {
        ctx.shared.check_redirect("url", url.as_str())?;
    }
    let phrase = phrase(p)?;
    require_messaging(ctx, OutboxKind::MagicUrl)?;
    let token = NewToken {
        recipient: Recipient::Email(&email),
        sent_by: OutboxKind::MagicUrl,
        phrase,
        secret: random::hex_secret(MAGIC_URL_LENGTH)?,
        lifetime_ms: MAGIC_URL_EXPIRE_MS,
    };
    let issued = token.store(ctx, user_id)?;
    // Appwrite's default is the console's magic-URL page on its configured host (account.php,
    // `$platform['consoleHostname']`): the emulator's public address, never the request's `Host`.
    let mut link = url.or_else(|| ctx.public.join("/console/auth/magic-url").ok());
    if let Some(link) = &mut link {
        link.query_pairs_mut()
            .append_pair("userId", &issued.user_id)
            .append_pair("secret", &token.secret)
            .append_pair("expire", &datetime(issued.expire).to_string())
            .append_pair("project", &ctx.shared.config.project);
    }
    token.send(ctx, &issued, link.map(String::from))?;
    Ok(token.answer(&issued, ctx.is_key().then_some(token.secret.as_str())))
}

/// `POST /v1/account/tokens/phone`: a 6-digit code, valid 15 minutes.
pub(super) async fn create_phone_token(ctx: Ctx, Body(p): Body) -> ApiResult {
    ctx.authorize(&["sessions.write"])?;
    let admitted = PHONE.check(&ctx, &p)?;
    let result = phone_token(&ctx, &p);
    admitted.finish(&ctx, result)
}

fn phone_token(ctx: &Ctx, p: &Params) -> ApiResult {
    let user_id = p.custom_id("userId")?;
    let phone = p.phone("phone")?.to_owned();
    require_messaging(ctx, OutboxKind::Phone)?;
    let token = NewToken {
        recipient: Recipient::Phone(&phone),
        sent_by: OutboxKind::Phone,
        phrase: None,
        secret: random::digits(6)?,
        lifetime_ms: OTP_EXPIRE_MS,
    };
    let issued = token.store(ctx, user_id)?;
    token.send(ctx, &issued, None)?;
    // API keys get the code wrapped in the session encoding here (account.php, phone token).
    let encoded = ctx
        .is_key()
        .then(|| credential::encode(&issued.user_id, &token.secret));
    Ok(token.answer(&issued, encoded.as_deref()))
}
