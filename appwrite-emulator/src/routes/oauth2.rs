//! Appwrite's OAuth2 token flow with the mock provider `mock` standing in for a real one
//! (account.php `createOAuth2Token` and the `sessions/oauth2` callback and redirect routes;
//! mock.php for the provider). The browser goes:
//!
//! 1. `GET /v1/account/tokens/oauth2/mock?project&success&failure&scopes[]` → 301 to the provider;
//! 2. `GET /v1/mock/tests/general/oauth2` (the provider): a consent page, or with auto-approve a
//!    redirect at once, to the callback with `code` (the mock's code is the identity's email) and
//!    `state`;
//! 3. `GET /v1/account/sessions/oauth2/callback/mock/{project}` → 301 to the redirect route;
//! 4. `GET /v1/account/sessions/oauth2/mock/redirect` finds or creates the user, stores an OAuth2
//!    token and answers 301 to `success` with `userId` and `secret` (the token secret wrapped in a
//!    60-second JWT naming the provider), or to `failure` with an `error` JSON.

use std::fmt::Write as _;
use std::sync::Arc;

use appwrite_models::protocol::routes::account::CREATE_OAUTH2_TOKEN;
use appwrite_models::{ErrorType, ID};
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use http::header::{CACHE_CONTROL, LOCATION, PRAGMA};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::abuse::Rule;
use crate::auth::Ctx;
use crate::crypto::sha256;
use crate::error::{ApiError, ApiResult};
use crate::extract::PathParams;
use crate::jwt::TOKEN_SECRET_MAX_AGE_S;
use crate::params::Params;
use crate::random;
use crate::records::{NewUser, TokenKind, TokenRecord};
use crate::state::Shared;

/// Where the provider sends the browser back (`callback` below), under `/v1`.
const CALLBACK_ROUTE: &str = "/account/sessions/oauth2/callback/{provider}/{projectId}";
/// Where the callback passes the browser on to (`finish` below), under `/v1`.
const REDIRECT_ROUTE: &str = "/account/sessions/oauth2/{provider}/redirect";
/// The mock provider's sign-in page (`mock_consent` below), under `/v1`.
const MOCK_PROVIDER_ROUTE: &str = "/mock/tests/general/oauth2";

/// The one provider the emulator enables.
pub(crate) const MOCK_PROVIDER: &str = "mock";

/// The providers Appwrite 1.9.6 knows (app/config/oAuthProviders.php); all but `mock` answer
/// that they are disabled, as on a project that has not configured them.
const PROVIDERS: &[&str] = &[
    "amazon",
    "apple",
    "auth0",
    "authentik",
    "autodesk",
    "bitbucket",
    "bitly",
    "box",
    "dailymotion",
    "discord",
    "disqus",
    "dropbox",
    "etsy",
    "facebook",
    "figma",
    "fusionauth",
    "github",
    "gitlab",
    "google",
    "keycloak",
    "kick",
    "linkedin",
    "microsoft",
    "notion",
    "oidc",
    "okta",
    "paypal",
    "paypalSandbox",
    "podio",
    "salesforce",
    "slack",
    "spotify",
    "stripe",
    "tradeshift",
    "tradeshiftBox",
    "twitch",
    "wordpress",
    "x",
    "yahoo",
    "yammer",
    "yandex",
    "zoho",
    "zoom",
    "mock",
    "mock-unverified",
];

/// `TOKEN_LENGTH_OAUTH2`.
const TOKEN_LENGTH: usize = 64;
/// `APP_LIMIT_ARRAY_PARAMS_SIZE`.
const MAX_SCOPES: usize = 100;
/// The mock provider's own scopes (Mock.php).
const MOCK_SCOPES: &[&str] = &["email"];
/// Where an empty `success` / `failure` goes (account.php `$oauthDefaultSuccess`).
const DEFAULT_SUCCESS_PATH: &str = "/console/auth/oauth2/success";
const DEFAULT_FAILURE_PATH: &str = "/console/auth/oauth2/failure";
const PROVIDER_DISABLED: &str =
    "This provider is disabled. Please enable the provider from your Appwrite console to continue.";

/// `GET /v1/account/tokens/oauth2/{provider}` and `GET /v1/account/sessions/oauth2/{provider}/
/// redirect`: `abuse-limit` 50 per hour with `abuse-key` `ip:{ip}` (account.php). The key names
/// no route, so both routes count against one counter per IP, as in Appwrite.
const OAUTH2: Rule = Rule {
    path: "/v1/account/tokens/oauth2/:provider",
    limit: 50,
    period_s: 3600,
    keys: &["ip:{ip}"],
    reset_on_created: false,
};

/// The Redirect validator's description (src/Appwrite/Network/Validator/Redirect.php).
fn invalid_redirect(name: &str, url: &str) -> ApiError {
    let parsed = url::Url::parse(url).ok();
    let host = parsed
        .as_ref()
        .and_then(url::Url::host_str)
        .map(str::to_lowercase)
        .unwrap_or_default();
    let platform = match parsed.as_ref().map(url::Url::scheme) {
        Some("http" | "https") => "Web",
        _ => "",
    };
    let description = if host.is_empty() && parsed.is_none() {
        "Invalid URI.".to_owned()
    } else {
        format!(
            "Invalid URI. Register your new client ({host}) as a new {platform} platform on your project console dashboard"
        )
    };
    ApiError::invalid_param(name, &description)
}

/// utopia's `WhiteList` check of the `provider` path parameter.
fn known_provider(provider: &str) -> Result<(), ApiError> {
    if PROVIDERS.contains(&provider) {
        return Ok(());
    }
    Err(ApiError::invalid_param(
        "provider",
        &format!("Value must be one of ({})", PROVIDERS.join(", ")),
    ))
}

/// A 301 as Appwrite's OAuth2 routes send it (no caching).
fn redirect(to: &str) -> Response {
    let Ok(location) = HeaderValue::from_str(to) else {
        return ApiError::new(ErrorType::GeneralServerError).into_response();
    };
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    let headers = response.headers_mut();
    headers.insert(LOCATION, location);
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, must-revalidate, max-age=0"),
    );
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// `http://host:port` of the request, as the browser reached the emulator (`localhost` when the
/// request names no host).
fn request_base_url(headers: &HeaderMap) -> String {
    crate::auth::base_url(
        crate::auth::request_https(headers),
        crate::auth::request_host(headers).unwrap_or("localhost"),
    )
}

/// `template` with its `{placeholders}` replaced by `values`, in order. The values are a known
/// provider's name and a project id, which need no encoding.
fn fill(template: &str, values: &[&str]) -> String {
    let mut filled = String::with_capacity(template.len());
    let mut rest = template;
    for value in values {
        let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else {
            break;
        };
        filled.push_str(&rest[..open]);
        filled.push_str(value);
        rest = &rest[close + 1..];
    }
    filled.push_str(rest);
    filled
}

/// `url` with `pairs` set in its query: existing keys keep their place, new ones are appended
/// (PHP's array assignment, then `http_build_query`).
fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let Ok(mut url) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let mut query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    for (key, value) in pairs {
        match query.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => (*value).clone_into(&mut entry.1),
            None => query.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    url.query_pairs_mut().clear().extend_pairs(query);
    url.into()
}

/// The token flow's four hops, relative to `/v1`. Appwrite's three OAuth2 routes carry the
/// `error` view label (account.php): their errors are HTML pages.
pub(super) fn router(shared: &Arc<Shared>) -> super::Routes {
    use axum::routing::get;
    let appwrite = axum::Router::new()
        .route(CREATE_OAUTH2_TOKEN.path, get(create_token))
        .route(CALLBACK_ROUTE, get(callback))
        .route(REDIRECT_ROUTE, get(finish))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(shared),
            crate::error_page::html_errors,
        ));
    appwrite.route(MOCK_PROVIDER_ROUTE, get(mock_consent))
}

/// `GET /v1/account/tokens/oauth2/{provider}` (`createOAuth2Token`).
pub(super) async fn create_token(ctx: Ctx, PathParams(provider): PathParams<String>) -> ApiResult {
    let admitted = OAUTH2.check(&ctx, &Params::default())?;
    let result = start_login(&ctx, &provider);
    admitted.finish(&ctx, result)
}

fn start_login(ctx: &Ctx, provider: &str) -> ApiResult {
    let p = ctx.query();
    known_provider(provider)?;
    let mut urls = [
        ("success", DEFAULT_SUCCESS_PATH),
        ("failure", DEFAULT_FAILURE_PATH),
    ]
    .map(|(name, default)| (name, default, String::new()));
    let base = ctx.base_url();
    for (name, default, value) in &mut urls {
        match p.optional_text(name, 2048)? {
            Some(url) if !url.is_empty() => {
                ctx.shared.check_redirect(name, url)?;
                url.clone_into(value);
            }
            _ => *value = format!("{base}{default}"),
        }
    }
    let scopes = p.string_array("scopes")?;
    if scopes.len() > MAX_SCOPES {
        return Err(ApiError::invalid_param(
            "scopes",
            "Value must a valid array no longer than 100 items and Value must be a valid string and no longer than 4096 chars",
        ));
    }
    ctx.authorize(&["sessions.write"])?;
    if provider != MOCK_PROVIDER {
        return Err(ApiError::with_message(
            ErrorType::ProjectProviderDisabled,
            PROVIDER_DISABLED,
        ));
    }

    let [(_, _, success), (_, _, failure)] = urls;
    let state = json!({ "success": success, "failure": failure, "token": true }).to_string();
    let mut all_scopes: Vec<&str> = MOCK_SCOPES.to_vec();
    for scope in &scopes {
        if !all_scopes.contains(&scope.as_str()) {
            all_scopes.push(scope);
        }
    }
    let callback = format!(
        "{base}/v1{}",
        fill(CALLBACK_ROUTE, &[provider, &ctx.shared.config.project])
    );
    let login = with_query(
        &format!("{base}/v1{MOCK_PROVIDER_ROUTE}"),
        &[
            ("client_id", "appwrite-emulator"),
            ("redirect_uri", &callback),
            ("scope", &all_scopes.join(" ")),
            ("state", &state),
        ],
    );
    Ok(redirect(&login))
}

/// `GET /v1/mock/tests/general/oauth2`: the mock provider's sign-in. With auto-approve it sends
/// the browser straight back; otherwise it shows a consent page whose form picks the identity.
pub(super) async fn mock_consent(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let p = Params::from_query(query.as_deref().unwrap_or(""));
    let redirect_uri = p.required_text("redirect_uri", 2048)?;
    let state = p.required_text("state", 1024)?;
    // Only the emulator's own callback: the provider is no open redirect.
    let fixed = CALLBACK_ROUTE.split('{').next().unwrap_or(CALLBACK_ROUTE);
    let callback_prefix = format!("{}/v1{fixed}", request_base_url(&headers));
    if !redirect_uri.starts_with(&callback_prefix) {
        return Err(invalid_redirect("redirect_uri", redirect_uri));
    }
    let identity = &shared.config.oauth2_identity;
    if shared.config.oauth2_auto_approve {
        return Ok(redirect(&with_query(
            redirect_uri,
            &[("code", identity), ("state", state)],
        )));
    }
    Ok(consent_page(redirect_uri, state, identity))
}

/// The consent page: sign in as an identity (editable), or cancel.
fn consent_page(callback: &str, state: &str, identity: &str) -> Response {
    let escape = crate::error_page::escape;
    let (callback, state, identity) = (escape(callback), escape(state), escape(identity));
    let mut page = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Mock OAuth2 sign-in</title></head><body>\
         <h1>Mock OAuth2 provider</h1><p>appwrite-emulator asks to sign you in.</p>",
    );
    let _ = write!(
        page,
        "<form method=\"get\" action=\"{callback}\">\
         <input type=\"hidden\" name=\"state\" value=\"{state}\">\
         <label>Email <input type=\"email\" name=\"code\" value=\"{identity}\" required></label>\
         <button type=\"submit\">Sign in</button></form>\
         <form method=\"get\" action=\"{callback}\">\
         <input type=\"hidden\" name=\"state\" value=\"{state}\">\
         <input type=\"hidden\" name=\"error\" value=\"access_denied\">\
         <input type=\"hidden\" name=\"error_description\" value=\"The user cancelled the sign-in.\">\
         <button type=\"submit\">Cancel</button></form></body></html>"
    );
    let mut response = Html(page).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /v1/account/sessions/oauth2/callback/{provider}/{projectId}`: passes every parameter on
/// to the redirect route, with `project` set.
pub(super) async fn callback(
    headers: HeaderMap,
    PathParams((provider, project)): PathParams<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    known_provider(&provider)?;
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .filter(|(k, _)| k != "project")
            .collect();
    pairs.push(("project".to_owned(), project));
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    Ok(redirect(&format!(
        "{}/v1{}?{query}",
        request_base_url(&headers),
        fill(REDIRECT_ROUTE, &[&provider])
    )))
}

/// The login state the token route put in the provider URL.
#[derive(Deserialize)]
struct LoginState {
    #[serde(default)]
    success: String,
    #[serde(default)]
    failure: String,
    #[serde(default)]
    token: bool,
}

/// `GET /v1/account/sessions/oauth2/{provider}/redirect`: signs the provider's identity in and
/// sends the browser to `success` with `userId` and `secret`.
pub(super) async fn finish(ctx: Ctx, PathParams(provider): PathParams<String>) -> ApiResult {
    let admitted = OAUTH2.check(&ctx, &Params::default())?;
    let result = finish_login(&ctx, &provider);
    admitted.finish(&ctx, result)
}

fn finish_login(ctx: &Ctx, provider: &str) -> ApiResult {
    let p = ctx.query();
    known_provider(provider)?;
    let code = p.optional_text("code", 2048)?.unwrap_or("");
    let state = p.optional_text("state", 2048)?.unwrap_or("");
    let error = p.optional_text("error", 2048)?.unwrap_or("");
    let error_description = p.optional_text("error_description", 2048)?.unwrap_or("");

    let state = if state.is_empty() {
        // The project's URL is empty here, which no redirect validator accepts.
        LoginState {
            success: String::new(),
            failure: String::new(),
            token: false,
        }
    } else {
        serde_json::from_str::<LoginState>(state).map_err(|_| {
            ApiError::with_message(
                ErrorType::GeneralServerError,
                "Failed to parse login state params as passed from OAuth2 provider",
            )
        })?
    };
    if !ctx.shared.is_registered_platform(&state.success) {
        return Err(ApiError::new(ErrorType::ProjectInvalidSuccessUrl));
    }
    if !state.failure.is_empty() && !ctx.shared.is_registered_platform(&state.failure) {
        return Err(ApiError::new(ErrorType::ProjectInvalidFailureUrl));
    }
    let fail = |error: ApiError| -> ApiResult {
        if state.failure.is_empty() {
            return Err(error);
        }
        let body = json!({
            "message": error.message(),
            "type": error.kind().as_str(),
            "code": error.kind().status(),
        })
        .to_string();
        Ok(redirect(&with_query(&state.failure, &[("error", &body)])))
    };

    if provider != MOCK_PROVIDER {
        return fail(ApiError::with_message(
            ErrorType::ProjectProviderDisabled,
            PROVIDER_DISABLED,
        ));
    }
    if !error.is_empty() {
        let mut message = format!("The Mock OAuth2 provider returned an error: {error}");
        if !error_description.is_empty() {
            let _ = write!(message, ": {error_description}");
        }
        return fail(ApiError::with_message(
            ErrorType::UserOauth2ProviderError,
            message,
        ));
    }
    if code.is_empty() {
        return fail(ApiError::with_message(
            ErrorType::UserOauth2ProviderError,
            "Missing OAuth2 code. Please contact the Appwrite team for additional support.",
        ));
    }
    if !state.token {
        // The session flow (`/v1/account/sessions/oauth2/{provider}`) is not emulated.
        return fail(ApiError::new(ErrorType::GeneralNotImplemented));
    }
    match sign_in(ctx, &code.to_lowercase()) {
        Ok((user_id, secret)) => {
            let now_s = ctx.shared.clock.now_ms().div_euclid(1000);
            let wrapped = ctx
                .shared
                .jwt
                .wrap_token_secret(&secret, MOCK_PROVIDER, now_s)?;
            Ok(redirect(&with_query(
                &state.success,
                &[("secret", &wrapped), ("userId", &user_id)],
            )))
        }
        Err(error) => fail(error),
    }
}

/// Finds the user with the identity's email (or creates one, email verified), and stores an
/// OAuth2 token for it. Returns the user id and the token secret.
fn sign_in(ctx: &Ctx, email: &str) -> Result<(String, String), ApiError> {
    if !email.contains('@') {
        return Err(ApiError::with_message(
            ErrorType::UserUnauthorized,
            "OAuth provider failed to return email.",
        ));
    }
    let secret = random::hex_secret(TOKEN_LENGTH)?;
    let now = ctx.shared.clock.now_ms();
    // Appwrite stores the token with the session duration, but hands its secret out only inside
    // a JWT of 60 s (account.php, `new JWT(..., 60, 0)`), and refuses an OAuth2 token without
    // that JWT: the token is dead after 60 s, so the emulator lets it expire then.
    let expire = now.saturating_add(TOKEN_SECRET_MAX_AGE_S * 1000);
    let mut store = ctx.shared.store();
    let user_id = if let Some(id) = store.user_by_email(email) {
        id.to_owned()
    } else {
        let new = NewUser {
            id: ID::unique(),
            email: Some(email.to_owned()),
            accessed_at: Some(now),
            ..NewUser::default()
        };
        store
            .create_user(new, now)
            .map_err(|_| ApiError::new(ErrorType::UserAlreadyExists))?
            .id
            .clone()
    };
    let user = store
        .users
        .get_mut(&user_id)
        .ok_or_else(|| ApiError::new(ErrorType::GeneralServerError))?;
    if !user.status {
        return Err(ApiError::new(ErrorType::UserBlocked));
    }
    user.email_verification = true;
    let record = TokenRecord {
        kind: TokenKind::OAuth2,
        expire,
    };
    user.add_token(sha256(&secret), record, now)?;
    Ok((user_id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_keys_are_replaced_in_place_or_appended() {
        assert_eq!(
            with_query(
                "http://localhost/cb?state=s&secret=old",
                &[("secret", "new"), ("userId", "u")]
            ),
            "http://localhost/cb?state=s&secret=new&userId=u"
        );
    }
}
