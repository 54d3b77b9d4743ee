//! The session cookies and `X-Fallback-Cookies` header, byte for byte as Appwrite on Swoole sends
//! them (account.php `$createSession`; Swoole's `Response::cookie()` formats like PHP
//! `setcookie`).

use appwrite_models::credential::cookie_name;
use appwrite_models::time::OffsetDateTime;
use appwrite_models::time::macros::format_description;
use http::HeaderValue;

use crate::auth::Ctx;

/// Where and how the cookies are scoped for one request.
#[derive(Debug)]
pub(crate) struct CookieScope<'a> {
    name: String,
    /// `None` for `localhost` and IP literals (request.php `cookieDomain`).
    domain: Option<String>,
    secure: bool,
    project: &'a str,
}

impl<'a> CookieScope<'a> {
    pub(crate) fn new(ctx: &'a Ctx) -> Self {
        Self::for_host(&ctx.shared.config.project, &ctx.hostname, ctx.https)
    }

    fn for_host(project: &'a str, host: &str, https: bool) -> Self {
        let local = host.is_empty()
            || host.eq_ignore_ascii_case("localhost")
            || host.parse::<std::net::IpAddr>().is_ok();
        Self {
            // utopia-php/http `addCookie` lower-cases the name.
            name: cookie_name(project).to_ascii_lowercase(),
            domain: (!local).then(|| format!(".{host}")),
            secure: https,
            project,
        }
    }

    /// The two `Set-Cookie` values (legacy first) that store `credential` until `expires_s`, with
    /// `max_age_s` seconds left.
    pub(crate) fn set(&self, credential: &str, expires_s: i64, max_age_s: i64) -> [HeaderValue; 2] {
        let value = url_encode(credential);
        let tail = format!(
            "={value}; expires={}; Max-Age={}",
            cookie_date(expires_s),
            max_age_s.max(0)
        );
        self.pair(&tail)
    }

    /// The two `Set-Cookie` values that delete the session cookies. Swoole renders an empty value
    /// as `deleted` with an expiry in 1970.
    pub(crate) fn clear(&self) -> [HeaderValue; 2] {
        self.pair("=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0")
    }

    fn pair(&self, value_and_expiry: &str) -> [HeaderValue; 2] {
        let mut attrs = String::from("; path=/");
        if let Some(domain) = &self.domain {
            attrs.push_str("; domain=");
            attrs.push_str(domain);
        }
        if self.secure {
            attrs.push_str("; secure");
        }
        attrs.push_str("; httponly");
        let legacy = format!("{}_legacy{value_and_expiry}{attrs}", self.name);
        let main = format!("{}{value_and_expiry}{attrs}; samesite=None", self.name);
        [header_value(&legacy), header_value(&main)]
    }

    /// `X-Fallback-Cookies: {"a_session_<project>":"<credential>"}`, PHP `json_encode` style.
    pub(crate) fn fallback(&self, credential: &str) -> HeaderValue {
        let value = serde_json::to_string(credential)
            .unwrap_or_default()
            .replace('/', "\\/");
        let key = serde_json::to_string(&cookie_name(self.project)).unwrap_or_default();
        header_value(&format!("{{{key}:{value}}}"))
    }
}

/// `X-Fallback-Cookies: []`, what logout answers.
pub(crate) fn fallback_cleared() -> HeaderValue {
    HeaderValue::from_static("[]")
}

fn header_value(text: &str) -> HeaderValue {
    // Everything here is ASCII we built: project ids are `[A-Za-z0-9._-]`, values are URL-encoded.
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// PHP `urlencode`, which Swoole applies to cookie values: `=`→`%3D`, `+`→`%2B`, `/`→`%2F`.
fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
    out
}

/// PHP's cookie date: `D, d-M-Y H:i:s GMT`.
fn cookie_date(unix_s: i64) -> String {
    let format = format_description!(
        "[weekday repr:short], [day]-[month repr:short]-[year] [hour]:[minute]:[second] GMT"
    );
    OffsetDateTime::from_unix_timestamp(unix_s)
        .ok()
        .and_then(|d| d.format(format).ok())
        .unwrap_or_else(|| "Thu, 01-Jan-1970 00:00:01 GMT".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_is_php_json_and_cookies_scope_to_the_host() {
        let local = CookieScope::for_host("Demo", "127.0.0.1", false);
        assert_eq!(
            local.fallback("ab/c+d=").to_str().unwrap(),
            r#"{"a_session_Demo":"ab\/c+d="}"#
        );
        let [legacy, main] = local.set("ab/c+d=", 0, 5);
        assert_eq!(
            legacy.to_str().unwrap(),
            "a_session_demo_legacy=ab%2Fc%2Bd%3D; expires=Thu, 01-Jan-1970 00:00:00 GMT; Max-Age=5; path=/; httponly"
        );
        assert!(
            main.to_str()
                .unwrap()
                .ends_with("; path=/; httponly; samesite=None")
        );
        let remote = CookieScope::for_host("demo", "api.example.com", true);
        let [_, main] = remote.clear();
        assert_eq!(
            main.to_str().unwrap(),
            "a_session_demo=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/; domain=.api.example.com; secure; httponly; samesite=None"
        );
    }

    #[test]
    fn encodes_like_php() {
        assert_eq!(url_encode("ab+/c=="), "ab%2B%2Fc%3D%3D");
        assert_eq!(cookie_date(1_700_000_000), "Tue, 14-Nov-2023 22:13:20 GMT");
    }
}
