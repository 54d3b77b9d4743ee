//! `/v1/account/tokens/*`: email codes, magic links and SMS codes. Nothing is sent; the secrets
//! land in the outbox.

use std::time::Duration;

use appwrite_models::{ErrorType, ID, credential};

use super::created;
use crate::auth::{Body, Ctx};
use crate::error::{ApiError, ApiResult};
use crate::outbox::{OutboxKind, OutboxMessage};
use crate::random;
use crate::state::{Millis, NewUser, TokenKind, TokenRecord, datetime, sha256};
use crate::wire::TokenOut;

/// `TOKEN_EXPIRATION_OTP`: 15 minutes.
const OTP_EXPIRE_MS: Millis = 15 * 60 * 1000;
/// `TOKEN_EXPIRATION_CONFIRM`: 1 hour.
const MAGIC_URL_EXPIRE_MS: Millis = 60 * 60 * 1000;
/// `TOKEN_LENGTH_MAGIC_URL`.
const MAGIC_URL_LENGTH: usize = 64;

/// Who a token is for: found by email or phone, or created with the requested id.
enum Recipient<'a> {
    Email(&'a str),
    Phone(&'a str),
}

/// Finds the user with this email/phone or creates it with `user_id`, then stores a token.
fn issue(
    ctx: &Ctx,
    user_id: String,
    recipient: &Recipient<'_>,
    kind: TokenKind,
    secret: &str,
    expire_ms: Millis,
) -> Result<(String, String, Millis), ApiError> {
    let hash = sha256(secret);
    let token_id = ID::unique();
    let now = ctx.shared.clock.now_ms();
    let mut store = ctx.shared.store();
    let existing = match recipient {
        Recipient::Email(email) => store.user_by_email(email),
        Recipient::Phone(phone) => store.user_by_phone(phone),
    }
    .map(str::to_owned);
    let user_id = if let Some(id) = existing {
        id
    } else {
        let new = match recipient {
            Recipient::Email(email) => NewUser {
                id: user_id,
                email: Some((*email).to_owned()),
                ..NewUser::default()
            },
            Recipient::Phone(phone) => NewUser {
                id: user_id,
                phone: Some((*phone).to_owned()),
                ..NewUser::default()
            },
        };
        store
            .create_user(new, now)
            .map_err(|_| ApiError::new(ErrorType::UserAlreadyExists))?
            .id
            .clone()
    };
    let token = TokenRecord {
        kind,
        expire: now.saturating_add(expire_ms),
    };
    if let Some(user) = store.users.get_mut(&user_id) {
        user.add_token(hash, token, now);
    }
    Ok((token_id, user_id, now))
}

fn send(ctx: &Ctx, kind: OutboxKind, message: Sent<'_>) {
    let to_time =
        |ms: Millis| std::time::UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    ctx.shared.push_outbox(OutboxMessage {
        kind,
        token_id: message.token_id.to_owned(),
        user_id: message.user_id.to_owned(),
        to: message.to.to_owned(),
        secret: message.secret.to_owned(),
        phrase: message.phrase.map(str::to_owned),
        url: message.url,
        sent_at: to_time(message.now),
        expire: to_time(message.expire),
    });
}

struct Sent<'a> {
    token_id: &'a str,
    user_id: &'a str,
    to: &'a str,
    secret: &'a str,
    phrase: Option<&'a str>,
    url: Option<String>,
    now: Millis,
    expire: Millis,
}

/// `POST /v1/account/tokens/email`: a 6-digit code, valid 15 minutes.
pub(super) async fn create_email_token(ctx: Ctx, Body(p): Body) -> ApiResult {
    ctx.authorize(&["sessions.write"])?;
    let user_id = p.custom_id("userId")?;
    let email = p.email("email")?.to_lowercase();
    let phrase = p
        .boolean("phrase", Some(false))?
        .then(random::phrase)
        .transpose()?;
    let secret = random::digits(6)?;
    let (token_id, user_id, now) = issue(
        &ctx,
        user_id,
        &Recipient::Email(&email),
        TokenKind::Email,
        &secret,
        OTP_EXPIRE_MS,
    )?;
    let expire = now + OTP_EXPIRE_MS;
    send(
        &ctx,
        OutboxKind::Email,
        Sent {
            token_id: &token_id,
            user_id: &user_id,
            to: &email,
            secret: &secret,
            phrase: phrase.as_deref(),
            url: None,
            now,
            expire,
        },
    );
    let shown = if ctx.is_key() { secret.as_str() } else { "" };
    Ok(created(&TokenOut::new(
        &token_id,
        &user_id,
        shown,
        now,
        expire,
        phrase.as_deref().unwrap_or(""),
    )))
}

/// `POST /v1/account/tokens/magic-url`: a 64-hex secret in a link, valid 1 hour.
pub(super) async fn create_magic_url_token(ctx: Ctx, Body(p): Body) -> ApiResult {
    ctx.authorize(&["sessions.write"])?;
    let user_id = p.custom_id("userId")?;
    let email = p.email("email")?.to_lowercase();
    let url = p.optional_url("url")?;
    let phrase = p
        .boolean("phrase", Some(false))?
        .then(random::phrase)
        .transpose()?;
    let secret = random::hex_secret(MAGIC_URL_LENGTH)?;
    let (token_id, user_id, now) = issue(
        &ctx,
        user_id,
        &Recipient::Email(&email),
        TokenKind::MagicUrl,
        &secret,
        MAGIC_URL_EXPIRE_MS,
    )?;
    let expire = now + MAGIC_URL_EXPIRE_MS;
    // Appwrite's default is the console's magic-URL page on this host.
    let mut link = url
        .or_else(|| url::Url::parse(&format!("http://{}/console/auth/magic-url", ctx.host)).ok());
    if let Some(link) = &mut link {
        link.query_pairs_mut()
            .append_pair("userId", &user_id)
            .append_pair("secret", &secret)
            .append_pair("expire", &datetime(expire).to_string())
            .append_pair("project", &ctx.shared.config.project);
    }
    send(
        &ctx,
        OutboxKind::MagicUrl,
        Sent {
            token_id: &token_id,
            user_id: &user_id,
            to: &email,
            secret: &secret,
            phrase: phrase.as_deref(),
            url: link.map(String::from),
            now,
            expire,
        },
    );
    let shown = if ctx.is_key() { secret.as_str() } else { "" };
    Ok(created(&TokenOut::new(
        &token_id,
        &user_id,
        shown,
        now,
        expire,
        phrase.as_deref().unwrap_or(""),
    )))
}

/// `POST /v1/account/tokens/phone`: a 6-digit code, valid 15 minutes.
pub(super) async fn create_phone_token(ctx: Ctx, Body(p): Body) -> ApiResult {
    ctx.authorize(&["sessions.write"])?;
    let user_id = p.custom_id("userId")?;
    let phone = p.phone("phone")?.to_owned();
    let secret = random::digits(6)?;
    let (token_id, user_id, now) = issue(
        &ctx,
        user_id,
        &Recipient::Phone(&phone),
        TokenKind::Phone,
        &secret,
        OTP_EXPIRE_MS,
    )?;
    let expire = now + OTP_EXPIRE_MS;
    send(
        &ctx,
        OutboxKind::Phone,
        Sent {
            token_id: &token_id,
            user_id: &user_id,
            to: &phone,
            secret: &secret,
            phrase: None,
            url: None,
            now,
            expire,
        },
    );
    // API keys get the code wrapped in the session encoding here (account.php, phone token).
    let encoded;
    let shown = if ctx.is_key() {
        encoded = credential::encode(&user_id, &secret);
        encoded.as_str()
    } else {
        ""
    };
    Ok(created(&TokenOut::new(
        &token_id, &user_id, shown, now, expire, "",
    )))
}
