//! The session credential: how Appwrite encodes it, where a response carries it and how a request
//! sends it back.
//!
//! The credential is `base64(json({"id": userId, "secret": <256 hex>}))`. A client (no API key) gets
//! `secret: ""` in the `Session` body; the credential comes only in `Set-Cookie: a_session_<project>`
//! (and its `_legacy` twin), URL-encoded, and in the `X-Fallback-Cookies` response header as JSON.
//! A request sends it back as a `Cookie` (value exactly as received) or as `X-Appwrite-Session`
//! (the decoded value).

use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::{SessionCredential, UserId};

/// The `X-Fallback-Cookies` header name (request and response).
pub const FALLBACK_COOKIES_HEADER: &str = "x-fallback-cookies";
/// The `X-Appwrite-Session` request header name.
pub const SESSION_HEADER: &str = "x-appwrite-session";

/// The session cookie's name for a project: `a_session_<project>`.
pub fn cookie_name(project: &str) -> String {
    format!("a_session_{project}")
}

/// Appwrite's encoding of a session: standard base64, with padding, of `{"id":…,"secret":…}`.
pub fn encode(user_id: &str, secret: &str) -> String {
    let json = serde_json::json!({ "id": user_id, "secret": secret });
    STANDARD.encode(json.to_string())
}

/// A credential taken apart: whose session it is and the session's own secret.
#[derive(Clone)]
pub struct DecodedCredential {
    /// The user the session belongs to.
    pub user_id: UserId,
    secret: String,
}

impl DecodedCredential {
    /// The session secret (256 hex characters from Appwrite). Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for DecodedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedCredential")
            .field("user_id", &self.user_id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// Takes a credential apart, whether it is URL-encoded (as in a cookie) or not. `None` when it is
/// not Appwrite's encoding or either part is empty.
pub fn decode(credential: &str) -> Option<DecodedCredential> {
    #[derive(Deserialize)]
    struct Parts {
        id: String,
        secret: String,
    }
    let plain = unescape(credential);
    let json = STANDARD.decode(plain.trim().as_bytes()).ok()?;
    let parts: Parts = serde_json::from_slice(&json).ok()?;
    if parts.id.is_empty() || parts.secret.is_empty() {
        return None;
    }
    Some(DecodedCredential {
        user_id: UserId::new(parts.id),
        secret: parts.secret,
    })
}

/// The value for an `X-Appwrite-Session` request header: the credential with any URL encoding
/// undone (Appwrite base64-decodes this header strictly).
pub fn session_header_value(credential: &SessionCredential) -> String {
    unescape(credential.expose_secret())
}

/// [`session_header_value`] as bytes, before any check that they are text: borrowed when there
/// is nothing to undo. What a client puts in the header it sends on every request.
pub fn session_header_bytes(credential: &SessionCredential) -> Cow<'_, [u8]> {
    unescape_bytes(credential.expose_secret())
}

/// The value for a `Cookie` request header: `a_session_<project>=<credential as received>`.
pub fn cookie_header_value(project: &str, credential: &SessionCredential) -> String {
    format!("{}={}", cookie_name(project), credential.expose_secret())
}

/// Undoes `%XX` escapes, leaving any other `%` as it is; invalid UTF-8 becomes U+FFFD. The same
/// result as `percent_encoding::percent_decode_str(value).decode_utf8_lossy()`.
fn unescape(value: &str) -> String {
    match unescape_bytes(value) {
        Cow::Borrowed(_) => value.to_owned(),
        Cow::Owned(bytes) => String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Undoes `%XX` escapes, leaving any other `%` as it is. The runs between escapes are found with
/// `str::find` (which searches a word at a time) and copied whole: the credential is ~450 bytes,
/// sent on every authenticated request.
fn unescape_bytes(value: &str) -> Cow<'_, [u8]> {
    fn hex(byte: u8) -> Option<u8> {
        char::from(byte)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let Some(first) = value.find('%') else {
        return Cow::Borrowed(value.as_bytes());
    };
    let mut out = Vec::with_capacity(value.len());
    out.extend_from_slice(&value.as_bytes()[..first]);
    let mut rest = &value[first..];
    // Here `rest` starts with '%'; an escape is three ASCII bytes, so every cut is on a
    // character boundary.
    loop {
        let bytes = rest.as_bytes();
        if let (Some(high), Some(low)) = (
            bytes.get(1).copied().and_then(hex),
            bytes.get(2).copied().and_then(hex),
        ) {
            out.push(high << 4 | low);
            rest = &rest[3..];
        } else {
            out.push(b'%');
            rest = &rest[1..];
        }
        if let Some(next) = rest.find('%') {
            out.extend_from_slice(&rest.as_bytes()[..next]);
            rest = &rest[next..];
        } else {
            out.extend_from_slice(rest.as_bytes());
            break;
        }
    }
    Cow::Owned(out)
}

/// Where a response carried the session credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// `Set-Cookie: a_session_<project>=…`.
    Cookie,
    /// `Set-Cookie: a_session_<project>_legacy=…`.
    LegacyCookie,
    /// The `X-Fallback-Cookies` response header.
    FallbackHeader,
    /// The `secret` field of the `Session` body (only for API-key callers).
    Body,
}

/// What a response says about the session credential.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum CredentialUpdate {
    /// A new credential, and where it was found.
    Set {
        /// The credential, exactly as received.
        credential: SessionCredential,
        /// Where it came from.
        source: CredentialSource,
    },
    /// The server cleared the session: expired cookies, `deleted`, or `X-Fallback-Cookies: []`.
    Cleared,
    /// The response says nothing about the session.
    Unchanged,
}

/// Reads the credential a response carries, in Appwrite's order of precedence: the session cookie,
/// its legacy twin, `X-Fallback-Cookies`, then a non-empty body `secret`. Cookies already expired at
/// `now` (or valued `deleted`) and a fallback of `[]` mean the session was cleared.
pub fn from_response(
    project: &str,
    headers: &http::HeaderMap,
    body_secret: Option<&SessionCredential>,
    now: SystemTime,
) -> CredentialUpdate {
    let mut cleared = false;
    // Names are matched on the header's bytes first, so only a session cookie is checked for
    // being text (it is ~450 bytes) and parsed, and the legacy twin only when the main cookie is
    // absent.
    let cookies = headers.get_all(http::header::SET_COOKIE);
    let text_of = |kind: CookieKind| {
        cookies
            .iter()
            .filter(move |value| session_cookie_kind(value.as_bytes(), project) == Some(kind))
            .filter_map(|value| header_text(value.as_bytes()))
    };
    for raw in text_of(CookieKind::Main) {
        match read_cookie(raw, now) {
            Some(CookieValue::Set(credential)) => {
                return CredentialUpdate::Set {
                    credential,
                    source: CredentialSource::Cookie,
                };
            }
            Some(CookieValue::Cleared) => cleared = true,
            None => {}
        }
    }
    match text_of(CookieKind::Legacy)
        .next()
        .and_then(|raw| read_cookie(raw, now))
    {
        Some(CookieValue::Set(credential)) => {
            return CredentialUpdate::Set {
                credential,
                source: CredentialSource::LegacyCookie,
            };
        }
        Some(CookieValue::Cleared) => cleared = true,
        None => {}
    }

    if let Some(value) = headers
        .get(FALLBACK_COOKIES_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        match serde_json::from_str::<serde_json::Value>(value) {
            Ok(serde_json::Value::Object(map)) => match map.get(&cookie_name(project)) {
                Some(serde_json::Value::String(v)) if !v.is_empty() => {
                    return CredentialUpdate::Set {
                        credential: SessionCredential::new(v.as_str()),
                        source: CredentialSource::FallbackHeader,
                    };
                }
                Some(_) => cleared = true,
                None => {}
            },
            Ok(serde_json::Value::Array(items)) if items.is_empty() => cleared = true,
            _ => {}
        }
    }

    if let Some(secret) = body_secret.filter(|s| !s.is_empty()) {
        return CredentialUpdate::Set {
            credential: secret.clone(),
            source: CredentialSource::Body,
        };
    }
    if cleared {
        CredentialUpdate::Cleared
    } else {
        CredentialUpdate::Unchanged
    }
}

/// The header value as text if it is visible ASCII, spaces and tabs: what
/// `HeaderValue::to_str` accepts.
fn header_text(bytes: &[u8]) -> Option<&str> {
    if crate::headers::every_byte(bytes, |b| (b' '..=b'~').contains(&b) || b == b'\t') {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CookieKind {
    Main,
    Legacy,
}

enum CookieValue {
    Set(SessionCredential),
    Cleared,
}

/// Whether a raw `Set-Cookie` value sets `a_session_<project>` or its `_legacy` twin, by name only
/// and ignoring case (Appwrite lower-cases cookie names when it sets them).
fn session_cookie_kind(raw: &[u8], project: &str) -> Option<CookieKind> {
    const PREFIX: &[u8] = b"a_session_";
    let end = raw.iter().position(|&b| b == b'=')?;
    let name = raw[..end].trim_ascii();
    let rest = name
        .get(..PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(PREFIX))
        .and_then(|_| name.get(PREFIX.len()..))?;
    let (own, suffix) = (rest.get(..project.len())?, rest.get(project.len()..)?);
    if !own.eq_ignore_ascii_case(project.as_bytes()) {
        return None;
    }
    if suffix.is_empty() {
        Some(CookieKind::Main)
    } else if suffix.eq_ignore_ascii_case(b"_legacy") {
        Some(CookieKind::Legacy)
    } else {
        None
    }
}

/// Parses a session cookie: its value, or `Cleared` when it expires it. `None` when unparsable.
/// A cookie in the shape Appwrite sends is read quickly (`set_cookie`, checked against the
/// `cookie` crate); the crate parses every other.
fn read_cookie(raw: &str, now: SystemTime) -> Option<CookieValue> {
    if let Some(read) = crate::set_cookie::read(raw, now) {
        return Some(if read.clears {
            CookieValue::Cleared
        } else {
            CookieValue::Set(SessionCredential::new(read.value))
        });
    }
    let cookie = cookie::Cookie::parse(raw).ok()?;
    Some(if is_clearing(&cookie, now) {
        CookieValue::Cleared
    } else {
        CookieValue::Set(SessionCredential::new(cookie.value()))
    })
}

fn is_clearing(cookie: &cookie::Cookie<'_>, now: SystemTime) -> bool {
    if cookie.value().is_empty() || cookie.value() == "deleted" {
        return true;
    }
    if cookie.max_age().is_some_and(|age| age.whole_seconds() <= 0) {
        return true;
    }
    cookie
        .expires_datetime()
        .and_then(|at| crate::Datetime::from(at).to_system_time())
        .is_some_and(|at| at <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "demo";

    fn headers(pairs: &[(&str, &str)]) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn set(update: CredentialUpdate) -> (String, CredentialSource) {
        match update {
            CredentialUpdate::Set { credential, source } => {
                (credential.expose_secret().to_owned(), source)
            }
            other => panic!("expected a credential, got {other:?}"),
        }
    }

    #[test]
    fn encode_and_decode_round_trip_plain_and_url_encoded() {
        let encoded = encode("user-42", "abc123");
        let decoded = decode(&encoded).unwrap();
        assert_eq!(decoded.user_id, "user-42");
        assert_eq!(decoded.expose_secret(), "abc123");
        let url_encoded = encoded.replace('=', "%3D");
        assert_eq!(decode(&url_encoded).unwrap().user_id, "user-42");
        assert!(decode("not base64!").is_none());
        assert!(!format!("{decoded:?}").contains("abc123"));
    }

    #[test]
    fn cookie_wins_over_legacy_fallback_and_body() {
        let h = headers(&[
            (
                "set-cookie",
                "a_session_demo_legacy=LEGACY; expires=Fri, 01 Jan 2100 00:00:00 GMT; path=/; httponly",
            ),
            (
                "set-cookie",
                "a_session_demo=eyJpZCI6%3D; expires=Fri, 01 Jan 2100 00:00:00 GMT; path=/; httponly; samesite=None",
            ),
            ("x-fallback-cookies", r#"{"a_session_demo":"FALLBACK"}"#),
        ]);
        let body = SessionCredential::new("BODY");
        assert_eq!(
            set(from_response(PROJECT, &h, Some(&body), SystemTime::now())),
            ("eyJpZCI6%3D".into(), CredentialSource::Cookie)
        );
    }

    #[test]
    fn each_source_alone() {
        let now = SystemTime::now();
        let legacy = headers(&[("set-cookie", "a_session_demo_legacy=L; path=/")]);
        assert_eq!(
            set(from_response(PROJECT, &legacy, None, now)).1,
            CredentialSource::LegacyCookie
        );
        let fallback = headers(&[("x-fallback-cookies", r#"{"a_session_demo":"eyJ\/abc="}"#)]);
        assert_eq!(
            set(from_response(PROJECT, &fallback, None, now)),
            ("eyJ/abc=".into(), CredentialSource::FallbackHeader)
        );
        let body = SessionCredential::new("B");
        assert_eq!(
            set(from_response(PROJECT, &headers(&[]), Some(&body), now)).1,
            CredentialSource::Body
        );
        assert!(matches!(
            from_response(
                PROJECT,
                &headers(&[]),
                Some(&SessionCredential::new("")),
                now
            ),
            CredentialUpdate::Unchanged
        ));
        let other_project = headers(&[("set-cookie", "a_session_other=X")]);
        assert!(matches!(
            from_response(PROJECT, &other_project, None, now),
            CredentialUpdate::Unchanged
        ));
    }

    #[test]
    fn header_text_is_what_to_str_accepts() {
        for byte in 0..=u8::MAX {
            let bytes = [b'a', byte, b'z'];
            let Ok(value) = http::HeaderValue::from_bytes(&bytes) else {
                continue; // not a header value at all
            };
            assert_eq!(header_text(&bytes), value.to_str().ok(), "byte {byte:#x}");
        }
    }

    #[test]
    fn unescape_matches_percent_encoding() {
        for value in [
            "",
            "plain",
            "eyJpZCI6IjEifQ%3D%3D",
            "%",
            "%%",
            "%3",
            "a%3Db%2",
            "%zz%41",
            "%41%4a%4A",
            "trail%",
            "%C3%A9t%C3%A9",
            "%FF%FEbad",
            "%E2%82",
            "é%20x",
        ] {
            assert_eq!(
                unescape(value),
                percent_encoding::percent_decode_str(value).decode_utf8_lossy(),
                "{value:?}"
            );
        }
    }

    #[test]
    fn cookie_names_match_whole_and_ignoring_case() {
        let now = SystemTime::now();
        let h = headers(&[
            ("set-cookie", "a_session_demox=X; path=/"),
            ("set-cookie", "A_SESSION_DEMO_legacy=L; path=/"),
        ]);
        assert_eq!(
            set(from_response(PROJECT, &h, None, now)),
            ("L".into(), CredentialSource::LegacyCookie)
        );
        let h = headers(&[
            ("set-cookie", "a_session_demo_legacyx=X"),
            ("set-cookie", "a_session_=Y"),
        ]);
        assert!(matches!(
            from_response(PROJECT, &h, None, now),
            CredentialUpdate::Unchanged
        ));
    }

    #[test]
    fn a_session_cookie_that_is_not_text_is_skipped() {
        let now = SystemTime::now();
        let mut h = http::HeaderMap::new();
        for value in [
            &b"a_session_demo=\xff; path=/"[..],
            b"a_session_demo_legacy=\xfe; path=/",
            b"a_session_demo_legacy=SECOND; path=/",
        ] {
            h.append(
                http::header::SET_COOKIE,
                http::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        assert_eq!(
            set(from_response(PROJECT, &h, None, now)),
            ("SECOND".into(), CredentialSource::LegacyCookie)
        );
    }

    #[test]
    fn logout_headers_clear() {
        let now = SystemTime::now();
        let h = headers(&[
            (
                "set-cookie",
                "a_session_demo=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; path=/",
            ),
            ("x-fallback-cookies", "[]"),
        ]);
        assert!(matches!(
            from_response(PROJECT, &h, None, now),
            CredentialUpdate::Cleared
        ));
        let h = headers(&[("x-fallback-cookies", "[]")]);
        assert!(matches!(
            from_response(PROJECT, &h, None, now),
            CredentialUpdate::Cleared
        ));
    }

    #[test]
    fn request_header_values() {
        let c = SessionCredential::new("eyJh%3D%3D");
        assert_eq!(session_header_value(&c), "eyJh==");
        assert_eq!(cookie_header_value("Demo", &c), "a_session_Demo=eyJh%3D%3D");
    }
}
