//! Appwrite's per-route abuse limits (app/controllers/shared/api.php): each route's
//! `abuse-limit`, `abuse-time`, `abuse-key` and `abuse-reset` labels, and the `X-RateLimit-*`
//! headers they produce.

use appwrite_models::ErrorType;
use axum::response::Response;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::Value;

use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;

/// One route's labels.
#[derive(Debug)]
pub(super) struct Rule {
    /// The route path as Appwrite declares it (`{url}` is the host name followed by this; the
    /// emulator's configured host, not the request's `Host`, see `Ctx::public`).
    pub path: &'static str,
    pub limit: u32,
    pub period_s: i64,
    /// Key templates, checked in order (`url:{url},ip:{ip}` when the route names none).
    pub keys: &'static [&'static str],
    /// Whether a 201 answer forgets the counts (`abuse-reset: [201]`).
    pub reset_on_created: bool,
}

/// Appwrite's default key.
pub(super) const DEFAULT_KEY: &[&str] = &["url:{url},ip:{ip}"];

/// A request that passed its limits: the headers its answer carries and the keys it counted.
#[derive(Debug)]
pub(super) struct Admitted {
    headers: HeaderMap,
    keys: Vec<String>,
    reset_on_created: bool,
}

impl Rule {
    /// Counts the request under each key; the first exceeded key refuses it with 429. API keys
    /// and a disabled limiter only report.
    pub(super) fn check(&self, ctx: &Ctx, params: &Params) -> Result<Admitted, ApiError> {
        let enforce = ctx.shared.config.rate_limit && !ctx.is_key();
        let now_s = ctx.shared.clock.now_ms().div_euclid(1000);
        let mut headers = HeaderMap::new();
        let mut closest: Option<u32> = None;
        let mut keys = Vec::with_capacity(self.keys.len());
        for template in self.keys {
            let key = self.fill(template, ctx, params);
            let decision = ctx
                .shared
                .limiter
                .hit(&key, now_s, self.limit, self.period_s, enforce);
            // Appwrite adds the headers again (a second line) for a key with fewer left.
            if closest.is_none_or(|c| decision.remaining < c) {
                closest = Some(decision.remaining);
                for (name, value) in decision.headers() {
                    if let Some(name) = name {
                        headers.append(name, value);
                    }
                }
            }
            if decision.full {
                return Err(ApiError::with_message(
                    ErrorType::GeneralRateLimitExceeded,
                    format!(
                        "The emulator's rate limiter holds its maximum of {} keys; try again when the current window ends or raise the cap (--max-rate-limit-keys).",
                        ctx.shared.limiter.cap()
                    ),
                )
                .with_headers(&headers));
            }
            if decision.exceeded {
                return Err(
                    ApiError::new(ErrorType::GeneralRateLimitExceeded).with_headers(&headers)
                );
            }
            keys.push(key);
        }
        Ok(Admitted {
            headers,
            keys,
            reset_on_created: self.reset_on_created,
        })
    }

    /// The key with Appwrite's placeholders filled in; an empty parameter stays a placeholder.
    fn fill(&self, template: &str, ctx: &Ctx, params: &Params) -> String {
        let filled = template
            .replace(
                "{url}",
                &format!("{}{}", ctx.public.host_str().unwrap_or(""), self.path),
            )
            .replace("{ip}", &ctx.ip)
            .replace("{userId}", ctx.user.as_ref().map_or("", |u| u.id.as_str()));
        let mut out = String::with_capacity(filled.len());
        let mut rest = filled.as_str();
        while let Some(start) = rest.find("{param-") {
            out.push_str(&rest[..start]);
            let placeholder = &rest[start..];
            let Some(end) = placeholder.find('}') else {
                break;
            };
            match param_text(params.get(&placeholder[7..end])) {
                Some(value) => out.push_str(&value),
                None => out.push_str(&placeholder[..=end]),
            }
            rest = &placeholder[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// A parameter as PHP turns it into key text; `None` for what PHP's `empty()` calls empty.
fn param_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() && s != "0" => Some(s.clone()),
        Value::Bool(true) => Some("1".to_owned()),
        Value::Number(n) if n.as_f64() != Some(0.0) => Some(n.to_string()),
        v @ Value::Array(a) if !a.is_empty() => Some(v.to_string()),
        v @ Value::Object(o) if !o.is_empty() => Some(v.to_string()),
        _ => None,
    }
}

impl Admitted {
    /// Puts the headers on the answer, and forgets the counts after a 201 when the route says so.
    pub(super) fn finish(self, ctx: &Ctx, result: ApiResult) -> ApiResult {
        match result {
            Ok(mut response) => {
                if self.reset_on_created && response.status() == StatusCode::CREATED {
                    for key in &self.keys {
                        ctx.shared.limiter.reset(key);
                    }
                }
                append(&mut response, &self.headers);
                Ok(response)
            }
            Err(error) => Err(error.with_headers(&self.headers)),
        }
    }
}

fn append(response: &mut Response, headers: &HeaderMap) {
    for (name, value) in headers {
        response
            .headers_mut()
            .append(HeaderName::clone(name), HeaderValue::clone(value));
    }
}
