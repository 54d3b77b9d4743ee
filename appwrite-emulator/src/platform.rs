//! Registered platforms: which web origins may call the emulator and where magic links and
//! OAuth2 redirects may point (src/Appwrite/Network/Validator/Origin.php and Redirect.php,
//! src/Appwrite/Network/Cors.php, app/config/cors.php).

use http::{HeaderMap, HeaderName, HeaderValue};

/// Schemes whose URLs are judged by host (`Platform::SCHEME_*` of the web kinds).
const WEB_SCHEMES: &[&str] = &[
    "http",
    "https",
    "chrome-extension",
    "moz-extension",
    "safari-web-extension",
    "ms-browser-extension",
    "tauri",
];

/// `Access-Control-Allow-Methods` (app/config/cors.php).
const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
/// `Access-Control-Allow-Headers` (app/config/cors.php).
const ALLOWED_HEADERS: &str = "Accept, Origin, Cookie, Set-Cookie, Content-Type, Content-Range, X-Appwrite-Project, X-Appwrite-Key, X-Appwrite-Dev-Key, X-Appwrite-Locale, X-Appwrite-Mode, X-Appwrite-JWT, X-Appwrite-Organization, X-Appwrite-Response-Format, X-Appwrite-Timeout, X-Appwrite-ID, X-Appwrite-Timestamp, X-Appwrite-Session, X-Appwrite-Platform, X-Appwrite-Impersonate-User-Id, X-Appwrite-Impersonate-User-Email, X-Appwrite-Impersonate-User-Phone, X-SDK-Version, X-SDK-Name, X-SDK-Language, X-SDK-Platform, X-SDK-GraphQL, X-SDK-Profile, Range, Cache-Control, Expires, Pragma, X-Fallback-Cookies, X-Requested-With, X-Forwarded-For, X-Forwarded-User-Agent";
/// `Access-Control-Expose-Headers` (app/config/cors.php).
const EXPOSED_HEADERS: &str = "X-Appwrite-Session, X-Fallback-Cookies";

/// The registered platform host names (lower case). `*` allows every host, `*.example.com` every
/// subdomain of `example.com`.
#[derive(Debug, Clone)]
pub(crate) struct Platforms {
    hosts: Vec<String>,
    /// `appwrite-callback-<project>` and `exp`, which Appwrite accepts for every project.
    schemes: [String; 2],
}

/// Why a URL was refused: Appwrite's validator description.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refused(pub String);

impl Platforms {
    pub(crate) fn new(project: &str, hosts: impl IntoIterator<Item = String>) -> Self {
        Self {
            hosts: hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect(),
            schemes: ["exp".to_owned(), format!("appwrite-callback-{project}")],
        }
    }

    /// Registers one more host name.
    pub(crate) fn add_host(&mut self, host: &str) {
        self.hosts.push(host.to_ascii_lowercase());
    }

    /// Accepts the callback scheme of `project` (`appwrite-callback-<project>`) in place of the
    /// one it was made for.
    pub(crate) fn set_project(&mut self, project: &str) {
        self.schemes[1] = format!("appwrite-callback-{project}");
    }

    /// Whether `host` is a registered platform host name.
    pub(crate) fn has_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts.iter().any(|allowed| {
            allowed == "*"
                || *allowed == host
                || allowed
                    .strip_prefix("*.")
                    .is_some_and(|base| host.strip_suffix(base).is_some_and(|s| s.ends_with('.')))
        })
    }

    /// Appwrite's `Origin`/`Redirect` check of a URL: web schemes by host, the project's callback
    /// schemes always. `redirect` picks the `Redirect` validator's wording.
    ///
    /// A redirect target is judged by the host `url::Url` parses, the URL the emulator then
    /// redirects to. Appwrite checks PHP's `parse_url` host, which differs for
    /// `http://evil.example\@localhost/cb` (`localhost` to PHP, `evil.example` to a browser);
    /// the emulator refuses such a URL rather than send a secret to another host.
    pub(crate) fn check_url(&self, url: &str, redirect: bool) -> Result<(), Refused> {
        let (scheme, host) = if redirect {
            parsed_scheme_and_host(url)
        } else {
            scheme_and_host(url)
        };
        let ok = match scheme.as_deref() {
            Some(s) if WEB_SCHEMES.contains(&s) => {
                host.as_deref().is_some_and(|h| self.has_host(h))
            }
            Some(s) => self.schemes.iter().any(|allowed| allowed == s),
            None => false,
        };
        if ok {
            return Ok(());
        }
        let platform = match scheme.as_deref() {
            Some("http" | "https") => "Web",
            Some("chrome-extension") => "Web (Chrome Extension)",
            Some("moz-extension") => "Web (Firefox Extension)",
            Some("safari-web-extension") => "Web (Safari Extension)",
            Some("ms-browser-extension") => "Web (Edge Extension)",
            Some("tauri") => "Web (Tauri)",
            _ => "",
        };
        let shown = host.map(|h| format!("({h})")).unwrap_or_default();
        let kind = if redirect { "URI" } else { "Origin" };
        if shown.is_empty() && scheme.is_none() {
            return Err(Refused(format!("Invalid {kind}.")));
        }
        if platform.is_empty() && !redirect {
            return Err(Refused(format!(
                "Invalid Scheme. The scheme used ({}) in the Origin ({url}) is not supported. If you are using a custom scheme, please change it to `appwrite-callback-<PROJECT_ID>`",
                scheme.unwrap_or_default()
            )));
        }
        Err(Refused(format!(
            "Invalid {kind}. Register your new client {shown} as a new {platform} platform on your project console dashboard"
        )))
    }

    /// Appwrite's CORS headers for a request from `origin` (`Cors::headers`): the origin is echoed
    /// when its host is registered, or for a preflight (which allows the origin's own host).
    pub(crate) fn cors_headers(&self, origin: Option<&str>, preflight: bool) -> HeaderMap {
        let mut headers = HeaderMap::with_capacity(6);
        let mut put = |name: &'static str, value: HeaderValue| {
            headers.insert(HeaderName::from_static(name), value);
        };
        put(
            "access-control-allow-methods",
            HeaderValue::from_static(ALLOWED_METHODS),
        );
        put(
            "access-control-allow-headers",
            HeaderValue::from_static(ALLOWED_HEADERS),
        );
        put(
            "access-control-expose-headers",
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
        put(
            "access-control-allow-credentials",
            HeaderValue::from_static("true"),
        );
        put("access-control-max-age", HeaderValue::from_static("86400"));
        let origin = origin
            .map(|o| o.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let allowed = scheme_and_host(&origin)
            .1
            .is_some_and(|host| preflight || self.has_host(&host));
        if allowed {
            if let Ok(value) = HeaderValue::from_str(&origin) {
                put("access-control-allow-origin", value);
            }
        }
        headers
    }
}

/// The scheme and host `url::Url` parses (the host lower-cased, IPv6 without brackets); nothing
/// for a URL it cannot parse.
fn parsed_scheme_and_host(url: &str) -> (Option<String>, Option<String>) {
    let Ok(parsed) = url::Url::parse(url.trim()) else {
        return (None, None);
    };
    let host = parsed.host_str().filter(|h| !h.is_empty()).map(|h| {
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase()
    });
    (Some(parsed.scheme().to_owned()), host)
}

/// PHP `parse_url`'s scheme and host, lower-cased host.
fn scheme_and_host(url: &str) -> (Option<String>, Option<String>) {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once(':') else {
        return (None, None);
    };
    let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    if !valid_scheme {
        return (None, None);
    }
    let host = rest.strip_prefix("//").and_then(|authority| {
        let authority = authority.split(['/', '?', '#']).next().unwrap_or("");
        let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, _) = crate::auth::split_host(authority);
        (!host.is_empty()).then(|| host.to_ascii_lowercase())
    });
    (Some(scheme.to_ascii_lowercase()), host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_schemes_and_messages() {
        let p = Platforms::new("demo", ["localhost".to_owned(), "*.example.com".to_owned()]);
        assert!(p.check_url("http://localhost:3000/x", true).is_ok());
        assert!(p.check_url("https://app.example.com", false).is_ok());
        assert!(p.check_url("https://example.com", false).is_err());
        assert!(p.check_url("appwrite-callback-demo://cb", true).is_ok());
        assert_eq!(
            p.check_url("https://evil.test/x", true).unwrap_err().0,
            "Invalid URI. Register your new client (evil.test) as a new Web platform on your project console dashboard"
        );
        assert_eq!(p.check_url("", false).unwrap_err().0, "Invalid Origin.");
        assert_eq!(
            p.check_url("http://evil.example\\@localhost/cb", true)
                .unwrap_err()
                .0,
            "Invalid URI. Register your new client (evil.example) as a new Web platform on your project console dashboard"
        );
        let cors = p.cors_headers(Some("http://localhost:5173"), false);
        assert_eq!(cors["access-control-allow-origin"], "http://localhost:5173");
        assert!(
            p.cors_headers(Some("http://evil.test"), false)
                .get("access-control-allow-origin")
                .is_none()
        );
        assert!(
            p.cors_headers(Some("http://evil.test"), true)
                .get("access-control-allow-origin")
                .is_some()
        );
    }
}
