//! Who is calling: project, API key, session or JWT, resolved in Appwrite's order
//! (app/init/resources/request.php `user`, `apiKey`; app/controllers/shared/api.php).

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use appwrite_models::ErrorType;
use appwrite_models::credential::{self, FALLBACK_COOKIES_HEADER, SESSION_HEADER};
use appwrite_models::headers::{JWT_HEADER, KEY_HEADER, PROJECT_HEADER, RESPONSE_FORMAT_HEADER};
use axum::extract::ConnectInfo;
use http::request::Parts;
use http::{HeaderMap, header};

use crate::clock::Millis;
use crate::crypto::sha256;
use crate::error::ApiError;
use crate::params::Params;
use crate::state::Shared;
use crate::wire;

/// Appwrite updates `accessedAt` at most once per this period (`APP_USER_ACCESS`).
const ACCESS_UPDATE_MS: Millis = 24 * 60 * 60 * 1000;

/// Scopes of the `guests` role that matter here (app/config/roles.php).
const GUEST_SCOPES: &[&str] = &["global", "public", "health.read", "sessions.write"];
/// Scopes of the `users` role that matter here.
const USER_SCOPES: &[&str] = &[
    "global",
    "public",
    "health.read",
    "sessions.write",
    "account",
];
/// Scopes every API key has on top of its own (api.php).
const KEY_EXTRA_SCOPES: &[&str] = &["global", "health.read", "graphql"];

/// A user resolved from a session credential or a JWT.
#[derive(Debug, Clone)]
pub(crate) struct AuthUser {
    pub id: String,
    /// The session the credential belongs to; `None` when the request used a JWT (Appwrite then
    /// cannot resolve `current`).
    pub session_id: Option<String>,
    pub status: bool,
    /// Email, else `User`: how scope errors name the user.
    pub label: String,
    /// The user's `$updatedAt` before this request recorded its access, when it did (the
    /// request then answers `accessedAt` in the database format; see `wire::UserOut`).
    pub fresh_access: Option<Millis>,
    /// The session has fewer factors than the user's MFA asks for (api.php step 13). Never set for
    /// a JWT: Appwrite's `session` resource is empty then, so its factor check does not run.
    pub factors_missing: bool,
}

/// One request's context: the caller and the request facts handlers need.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub shared: Arc<Shared>,
    /// Scopes of a valid API key, when one was sent.
    pub key: Option<Arc<HashSet<String>>>,
    pub user: Option<AuthUser>,
    pub ip: String,
    /// `Host` (or `X-Forwarded-Host`) as sent, port included.
    pub host: String,
    /// [`host`](Self::host) without the port.
    pub hostname: String,
    pub https: bool,
    /// Appwrite's `domainVerification`: `Origin` (else `Referer`) has the Host's registrable domain.
    pub same_site: bool,
    /// The client asked for a response format older than 1.9.0.
    pub legacy_format: bool,
    /// The emulator's origin for links and rate-limit keys: the configured one, or with
    /// `trust_proxy` the one `X-Forwarded-Host` / `X-Forwarded-Proto` name. Never `Host`: a
    /// client could pick a fresh rate-limit counter per request.
    pub public: url::Url,
    query: Option<String>,
}

impl Ctx {
    /// `http(s)://host` as the browser reached the emulator.
    pub(crate) fn base_url(&self) -> String {
        base_url(self.https, &self.host)
    }

    /// Checks the route's scopes, whether the user is blocked, then whether the session has the
    /// factors its user's MFA asks for (api.php steps 9, 10 and 13).
    pub(crate) fn authorize(&self, scopes: &[&str]) -> Result<(), ApiError> {
        self.authorize_mfa_route(scopes)?;
        if self.key.is_none() && self.user.as_ref().is_some_and(|u| u.factors_missing) {
            return Err(ApiError::new(ErrorType::UserMoreFactorsRequired));
        }
        Ok(())
    }

    /// [`authorize`](Self::authorize) for the routes of Appwrite's `mfa` group (the MFA
    /// challenge and factor routes, deleting a session), which a session lacking a factor may use.
    pub(crate) fn authorize_mfa_route(&self, scopes: &[&str]) -> Result<(), ApiError> {
        let allowed = if let Some(key) = &self.key {
            scopes
                .iter()
                .any(|s| key.contains(*s) || KEY_EXTRA_SCOPES.contains(s))
        } else if self.user.is_some() {
            scopes.iter().any(|s| USER_SCOPES.contains(s))
        } else {
            scopes.iter().any(|s| GUEST_SCOPES.contains(s))
        };
        if !allowed {
            let (who, role) = match (&self.key, &self.user) {
                // A key request acts as the project's "app" user (api.php).
                (Some(_), _) => (
                    format!(
                        "app.{}@service.{}",
                        self.shared.config.project, self.hostname
                    ),
                    "applications",
                ),
                (None, Some(user)) => (user.label.clone(), "users"),
                (None, None) => ("User".to_owned(), "guests"),
            };
            let list = serde_json::to_string(scopes).unwrap_or_default();
            return Err(ApiError::with_message(
                ErrorType::GeneralUnauthorizedScope,
                format!("{who} (role: {role}) missing scopes ({list})"),
            ));
        }
        if self.key.is_none() && self.user.as_ref().is_some_and(|u| !u.status) {
            return Err(ApiError::new(ErrorType::UserBlocked));
        }
        Ok(())
    }

    /// Whether an API key made the request (it sees sensitive fields such as secrets).
    pub(crate) fn is_key(&self) -> bool {
        self.key.is_some()
    }

    /// The user a route that needs one acts for (after [`authorize`](Self::authorize) with
    /// `account`, a user is always there).
    pub(crate) fn user(&self) -> Result<&AuthUser, ApiError> {
        self.user.as_ref().ok_or_else(|| {
            ApiError::with_message(
                ErrorType::GeneralUnauthorizedScope,
                r#"User (role: guests) missing scopes (["account"])"#,
            )
        })
    }

    /// Query-string parameters.
    pub(crate) fn query(&self) -> Params {
        self.query
            .as_deref()
            .map(Params::from_query)
            .unwrap_or_default()
    }
}

/// The host the browser reached, port included, as sent: `X-Forwarded-Host`, else `Host`.
pub(crate) fn request_host(headers: &HeaderMap) -> Option<&str> {
    header(headers, "x-forwarded-host").or_else(|| header(headers, header::HOST.as_str()))
}

/// Whether the browser came over HTTPS, as a proxy's `X-Forwarded-Proto` says.
pub(crate) fn request_https(headers: &HeaderMap) -> bool {
    header(headers, "x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// `http://host` or `https://host`: the origin the browser reached, for links back to the
/// emulator ([`request_host`] and [`request_https`]).
pub(crate) fn base_url(https: bool, host: &str) -> String {
    format!("{}://{host}", if https { "https" } else { "http" })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Resolves the project, key and user of a request (the `Ctx` extractor calls this).
pub(crate) fn resolve(parts: &Parts, shared: &Arc<Shared>) -> Result<Ctx, ApiError> {
    let headers = &parts.headers;
    let query = parts.uri.query().map(str::to_owned);
    // A `project` query parameter wins over the header (request.php `project`).
    let project_param = query
        .as_deref()
        .filter(|q| q.contains("project="))
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "project")
                .map(|(_, v)| v.into_owned())
        });
    let project_header = header(headers, PROJECT_HEADER);
    let project = project_param.as_deref().or(project_header).unwrap_or("");
    let known_project = project == shared.config.project;

    let now = shared.clock.now_ms();
    let mut user = if known_project {
        session_user(headers, shared, now)
    } else {
        None
    };

    if let Some(jwt) = header(headers, JWT_HEADER).filter(|_| known_project) {
        if user.is_some() {
            return Err(ApiError::new(ErrorType::UserJwtAndCookieSet));
        }
        let claims = shared.jwt.verify(jwt, now.div_euclid(1000)).map_err(|e| {
            ApiError::with_message(
                ErrorType::UserJwtInvalid,
                format!("Failed to verify JWT. {e}"),
            )
        })?;
        user = jwt_user(shared, &claims.user_id, &claims.session_id, now);
    }

    // A key must come with the header naming its project, even when `?project=` chose it
    // (request.php `apiKey`); with neither, Appwrite falls back to the console project.
    let key_header = header(headers, KEY_HEADER);
    let header_matches = project_header == Some(shared.config.project.as_str());
    let no_project = project_header.is_none() && project_param.is_none();
    if key_header.is_some() && (no_project || (known_project && !header_matches)) {
        return Err(ApiError::new(ErrorType::ProjectIdMissing));
    }
    if !known_project {
        return Err(ApiError::new(ErrorType::ProjectNotFound));
    }
    let key = match key_header {
        None => None,
        Some(k) => Some(
            shared
                .config
                .keys
                .get(k)
                .cloned()
                .ok_or_else(|| ApiError::new(ErrorType::UserUnauthorized))?,
        ),
    };

    let host = request_host(headers).unwrap_or("");
    let (hostname, _) = split_host(host);
    let same_site = header(headers, header::ORIGIN.as_str())
        .or_else(|| header(headers, header::REFERER.as_str()))
        .and_then(|o| url::Url::parse(o).ok())
        .and_then(|u| u.host_str().map(|h| registrable_domain(h).to_owned()))
        .is_some_and(|origin| !origin.is_empty() && origin == registrable_domain(hostname));

    Ok(Ctx {
        shared: Arc::clone(shared),
        key,
        user,
        ip: client_ip(parts, shared.config.trust_proxy),
        host: host.to_owned(),
        hostname: hostname.to_owned(),
        https: request_https(headers),
        same_site,
        legacy_format: header(headers, RESPONSE_FORMAT_HEADER)
            .is_some_and(|v| wire::version_lt(v, "1.9.0")),
        public: public_origin(headers, shared),
        query,
    })
}

/// The configured origin, or with `trust_proxy` the one a proxy forwarded.
fn public_origin(headers: &HeaderMap, shared: &Shared) -> url::Url {
    let configured = &shared.public_url;
    let forwarded = header(headers, "x-forwarded-host")
        .filter(|_| shared.config.trust_proxy)
        .and_then(|host| {
            let scheme = header(headers, "x-forwarded-proto").unwrap_or(configured.scheme());
            url::Url::parse(&format!("{scheme}://{host}")).ok()
        })
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    forwarded.unwrap_or_else(|| configured.clone())
}

/// The credential a request carries, in Appwrite's order: the session cookie, else its `_legacy`
/// twin, else `X-Appwrite-Session`, else the `X-Fallback-Cookies` JSON. The first one that
/// decodes is taken, valid or not.
fn credential(headers: &HeaderMap, project: &str) -> Option<credential::DecodedCredential> {
    if let Some(found) = cookie_or_session_header(headers, project) {
        return Some(found);
    }
    let name = credential::cookie_name(project);
    let fallback = header(headers, FALLBACK_COOKIES_HEADER)?;
    // `[]` (what logout sends) or anything but an object with our key means no session.
    match serde_json::from_str::<serde_json::Value>(fallback).ok()? {
        serde_json::Value::Object(map) => map.get(&name)?.as_str().and_then(decode_strict),
        _ => None,
    }
}

/// Whether Appwrite would reach the `X-Fallback-Cookies` step for this request (no cookie and no
/// `X-Appwrite-Session` decoded): it then answers `X-Debug-Fallback: true` (request.php `user`).
pub(crate) fn reached_fallback(headers: &HeaderMap, project: &str) -> bool {
    cookie_or_session_header(headers, project).is_none()
}

/// The credential of the session cookie (URL-decoded, as PHP reads cookies), else of
/// `X-Appwrite-Session` (taken as it is).
fn cookie_or_session_header(
    headers: &HeaderMap,
    project: &str,
) -> Option<credential::DecodedCredential> {
    let name = credential::cookie_name(project);
    let legacy = format!("{name}_legacy");
    let mut main = None;
    let mut legacy_value = None;
    for value in headers.get_all(header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for pair in value.split(';') {
            let Some((k, v)) = pair.trim().split_once('=') else {
                continue;
            };
            // Cookie names are matched case-sensitively, as PHP reads them.
            if k == name && main.is_none() {
                main = Some(v);
            } else if k == legacy && legacy_value.is_none() {
                legacy_value = Some(v);
            }
        }
    }
    if let Some(found) = main.or(legacy_value).and_then(credential::decode) {
        return Some(found);
    }
    header(headers, SESSION_HEADER).and_then(decode_strict)
}

/// utopia-php/auth `Store::decode` of a header value: PHP's strict `base64_decode` of the raw
/// value (no URL-decoding, so a `%3D` fails; missing padding is accepted), then JSON.
fn decode_strict(value: &str) -> Option<credential::DecodedCredential> {
    let body = value.trim_end_matches('=');
    let padding = value.len() - body.len();
    let alphabet_only = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if !alphabet_only || padding > 2 || body.len() % 4 == 1 {
        return None;
    }
    let mut padded = body.to_owned();
    while padded.len() % 4 != 0 {
        padded.push('=');
    }
    credential::decode(&padded)
}

/// Appwrite's last-access update (api.php step 6): `accessedAt` is set on the first
/// authenticated request and then at most once per `APP_USER_ACCESS`; the update moves
/// `$updatedAt` as every changed attribute does. Returns the old `$updatedAt` when it updated.
fn record_access(user: &mut crate::records::UserRecord, now: Millis) -> Option<Millis> {
    if user
        .accessed_at
        .is_none_or(|at| now - at > ACCESS_UPDATE_MS)
    {
        user.accessed_at = Some(now);
        return Some(std::mem::replace(&mut user.updated_at, now));
    }
    None
}

/// The user of a valid session credential; an invalid or expired one silently means a guest.
fn session_user(headers: &HeaderMap, shared: &Shared, now: Millis) -> Option<AuthUser> {
    let credential = credential(headers, &shared.config.project)?;
    let hash = sha256(credential.expose_secret());
    let mut store = shared.store();
    let user = store.users.get_mut(credential.user_id.as_str())?;
    let session = user.verify_session(&hash, now)?;
    let session_id = session.id.clone();
    let factors_missing = user.needs_more_factors(session);
    let fresh_access = record_access(user, now);
    Some(AuthUser {
        id: user.id.clone(),
        session_id: Some(session_id),
        status: user.status,
        label: user.label(),
        fresh_access,
        factors_missing,
    })
}

/// The user of a verified JWT; a missing user or an ended session means a guest.
fn jwt_user(shared: &Shared, user_id: &str, session_id: &str, now: Millis) -> Option<AuthUser> {
    if user_id.is_empty() {
        return None;
    }
    let mut store = shared.store();
    let user = store.users.get_mut(user_id)?;
    // Appwrite only looks the session up among the user's sessions; an expired one that was not
    // deleted still matches (request.php `user`, `$user->find('$id', …, 'sessions')`).
    if !session_id.is_empty() && !user.sessions.contains_key(session_id) {
        return None;
    }
    let fresh_access = record_access(user, now);
    Some(AuthUser {
        id: user.id.clone(),
        session_id: None,
        status: user.status,
        label: user.label(),
        fresh_access,
        factors_missing: false,
    })
}

/// The client's address: the peer address, or with `trust_proxy` the first `X-Forwarded-For`
/// entry (Appwrite trusts that header by default; a dev server reachable by anyone should not).
fn client_ip(parts: &Parts, trust_proxy: bool) -> String {
    if let Some(forwarded) = header(&parts.headers, "x-forwarded-for")
        .filter(|_| trust_proxy)
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        return forwarded.to_owned();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "127.0.0.1".to_owned(), |c| c.0.ip().to_string())
}

/// Splits `host[:port]` (IPv6 in brackets) into host and port.
pub(crate) fn split_host(host: &str) -> (&str, Option<&str>) {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((ip, port)) => (ip, port.strip_prefix(':')),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') => (h, Some(port)),
        _ => (host, None),
    }
}

/// The registrable domain of a host name: its last two labels, or `""` for IP addresses and
/// single-label names such as `localhost`. Appwrite uses the Public Suffix List; this simpler
/// rule differs only for multi-label suffixes such as `co.uk`.
pub(crate) fn registrable_domain(host: &str) -> &str {
    let host = host.trim_end_matches('.');
    if host.parse::<IpAddr>().is_ok() || host.starts_with('[') {
        return "";
    }
    let mut dots = host.rmatch_indices('.');
    match (dots.next(), dots.next()) {
        (None, _) => "",
        (Some(_), None) => host,
        (Some(_), Some((second, _))) => &host[second + 1..],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable_domain("localhost"), "");
        assert_eq!(registrable_domain("127.0.0.1"), "");
        assert_eq!(registrable_domain("::1"), "");
        assert_eq!(registrable_domain("example.com"), "example.com");
        assert_eq!(registrable_domain("api.app.example.com"), "example.com");
    }

    #[test]
    fn host_splitting() {
        assert_eq!(split_host("127.0.0.1:8080"), ("127.0.0.1", Some("8080")));
        assert_eq!(split_host("[::1]:80"), ("::1", Some("80")));
        assert_eq!(split_host("example.com"), ("example.com", None));
    }

    #[test]
    fn credential_precedence() {
        let good = credential::encode("u1", "s1");
        let other = credential::encode("u2", "s2");
        let mut h = HeaderMap::new();
        h.insert(SESSION_HEADER, other.parse().unwrap());
        h.insert(
            header::COOKIE,
            format!(
                "x=1; a_session_demo_legacy={other}; a_session_demo={}",
                good.replace('=', "%3D")
            )
            .parse()
            .unwrap(),
        );
        assert_eq!(credential(&h, "demo").unwrap().user_id, "u1");
        h.insert(header::COOKIE, "a_session_demo=garbage".parse().unwrap());
        assert_eq!(
            credential(&h, "demo").unwrap().user_id,
            "u2",
            "garbage cookie falls through"
        );
        let mut h = HeaderMap::new();
        h.insert(FALLBACK_COOKIES_HEADER, "[]".parse().unwrap());
        assert!(credential(&h, "demo").is_none());
        h.insert(
            FALLBACK_COOKIES_HEADER,
            format!(r#"{{"a_session_demo":"{}"}}"#, good.replace('/', "\\/"))
                .parse()
                .unwrap(),
        );
        assert_eq!(credential(&h, "demo").unwrap().user_id, "u1");
        assert!(
            credential(&h, "Demo").is_none(),
            "cookie key is case-sensitive"
        );
    }
}
