//! The protocol half of a request: where it goes, and what its answer means.
//!
//! Both SDKs hand these functions the status, headers and body bytes they received; nothing here
//! touches the network.

use std::time::SystemTime;

use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorBody, retry_after};

mod endpoint;
mod error_page;
pub mod rules;
#[doc(hidden)]
pub use rules as limits;
mod route_urls;
pub mod routes;
pub use endpoint::{Endpoint, EndpointError, PathSegmentError, RoutePath};

/// The largest response body the SDKs read. Appwrite's biggest answers here (a page of 100 users)
/// are far smaller; anything larger is not Appwrite talking.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// A response body that is not what the request should have returned. Its message names what was
/// wrong, never the body's content (which may hold a secret).
#[derive(Debug, Clone, thiserror::Error)]
#[error("could not decode appwrite's {status} response: {detail}")]
pub struct DecodeError {
    /// HTTP status of the response.
    pub status: u16,
    /// What was wrong, without quoting the body.
    pub detail: String,
}

impl DecodeError {
    /// A decode error with a description of what was wrong.
    pub fn new(status: u16, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
        }
    }
}

/// Decodes a 2xx JSON body into `T`.
pub fn decode_json<T: DeserializeOwned>(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<T, DecodeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::new(status, "the body is empty, expected JSON"));
    }
    if let Some(kind) = content_type.filter(|c| !looks_like_json(c)) {
        if !body.trim_ascii_start().starts_with(b"{") {
            return Err(DecodeError::new(
                status,
                format!("expected JSON, got {}", short(kind)),
            ));
        }
    }
    serde_json::from_slice(body).map_err(|e| DecodeError::new(status, describe_json_error(&e)))
}

/// Builds the error for a status of 400 or more from what came back. A JSON body in Appwrite's
/// shape gives its `type` and `message`, and so does Appwrite's HTML error page (answered for an
/// unknown path and the OAuth2 redirect routes); anything else (a proxy's HTML page) gives a
/// short description instead. A 429 or 503's `Retry-After`/`X-RateLimit-Reset` are read relative to
/// `now`.
pub fn api_error(status: u16, headers: &http::HeaderMap, body: &[u8], now: SystemTime) -> ApiError {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let mut error = if let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) {
        ApiError::from_body(status, parsed)
    } else if let Some((error_type, message)) = error_page::read(body) {
        ApiError::from_body(
            status,
            ErrorBody {
                message,
                error_type,
                ..ErrorBody::default()
            },
        )
    } else {
        let what = if body.is_empty() {
            "an empty body".to_owned()
        } else {
            format!(
                "a non-JSON body ({})",
                short(content_type.unwrap_or("no content type"))
            )
        };
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error");
        ApiError::from_body(
            status,
            ErrorBody {
                message: format!("{} with {what}", reason.to_lowercase()),
                ..ErrorBody::default()
            },
        )
    };
    error.server_wait = retry_after(status, headers, now);
    error
}

fn looks_like_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

fn short(text: &str) -> String {
    text.chars().take(60).collect()
}

/// `serde_json`'s message with any quoted value removed: its "invalid type: string \"…\"" would
/// otherwise repeat part of the body, which may be a secret. Field names (in backticks) stay.
fn describe_json_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let out = json_error_without_values(error);
    match error.classify() {
        Category::Eof => format!("the JSON ends early (truncated?): {out}"),
        Category::Syntax => format!("the body is not valid JSON: {out}"),
        Category::Data => format!("the JSON has an unexpected shape: {out}"),
        Category::Io => out,
    }
}

/// `serde_json`'s message for `error` with every value from the body replaced by `…`: a message
/// like `invalid type: string "…", expected u64` could otherwise repeat a secret from the JSON.
///
/// serde quotes a string value with `Debug` (so a `"` inside it is written `\"`) and a character
/// or an unknown variant in backticks. Quoted text is skipped with its escapes honoured, so an
/// escaped quote cannot end it early; backticked text is kept only after `missing field ` or
/// `duplicate field `, where it names one of our own fields. Positions and expectations stay.
pub fn json_error_without_values(error: &serde_json::Error) -> String {
    mask_values(&error.to_string())
}

fn mask_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push_str("\"…\"");
                let mut escaped = false;
                for c in chars.by_ref() {
                    match (c, escaped) {
                        ('\\', false) => escaped = true,
                        ('"', false) => break,
                        _ => escaped = false,
                    }
                }
            }
            '`' => {
                let names_our_field =
                    out.ends_with("missing field ") || out.ends_with("duplicate field ");
                out.push('`');
                for c in chars.by_ref() {
                    if c == '`' {
                        break;
                    }
                    if names_our_field {
                        out.push(c);
                    }
                }
                if !names_our_field {
                    out.push('…');
                }
                out.push('`');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Token;

    #[test]
    fn bad_bodies_are_errors_that_never_quote_the_body() {
        let html = b"<html><body>502 Bad Gateway</body></html>";
        let err = decode_json::<Token>(200, Some("text/html"), html).unwrap_err();
        assert!(err.to_string().contains("text/html"), "{err}");
        assert!(decode_json::<Token>(201, None, b"").is_err());
        let err =
            decode_json::<Token>(201, None, br#"{"$id":"t","userId":"u","secret":"#).unwrap_err();
        assert!(err.detail.contains("truncated"), "{err}");
        let wrong = br#"{"$id":"t","userId":"u","secret":"s3cr3t-value","expire":42}"#;
        let err = decode_json::<Token>(201, Some("application/json"), wrong).unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
        let missing = br#"{"$id":"t","secret":"abc","expire":""}"#;
        let err = decode_json::<Token>(201, None, missing).unwrap_err();
        assert!(err.detail.contains("userId"), "{err}");
        assert!(decode_json::<Token>(201, None, b"{\"$id\":\"\xff\"}").is_err());
    }

    #[test]
    fn error_bodies() {
        let mut h = http::HeaderMap::new();
        h.insert("content-type", "text/html".parse().unwrap());
        let e = api_error(502, &h, b"<html>oops</html>", SystemTime::now());
        assert_eq!(e.status, 502);
        assert_eq!(e.message, "bad gateway with a non-JSON body (text/html)");
        let e = api_error(
            404,
            &http::HeaderMap::new(),
            br#"{"message":"User with the requested ID could not be found.","code":404,"type":"user_not_found","version":"1.9.6","file":"x"}"#,
            SystemTime::now(),
        );
        assert!(e.is_not_found());
        assert_eq!(e.error_type, crate::ErrorType::UserNotFound);
    }

    #[test]
    fn json_errors_never_quote_values() {
        #[derive(Debug, serde::Deserialize)]
        struct Limit {
            #[allow(dead_code)]
            limit: u64,
        }
        let error = serde_json::from_str::<Limit>(r#"{"limit":"a_session_s3cr3t"}"#).unwrap_err();
        let message = json_error_without_values(&error);
        assert!(!message.contains("s3cr3t"), "{message}");
        assert!(
            message.starts_with("invalid type: string \"…\", expected u64"),
            "{message}"
        );
        let described = decode_json::<Limit>(200, None, br#"{"limit":"a_session_s3cr3t"}"#)
            .unwrap_err()
            .to_string();
        assert!(!described.contains("s3cr3t"), "{described}");
    }

    #[test]
    fn an_escaped_quote_does_not_end_the_masking() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Limit {
            limit: u64,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            Known,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Wrapper {
            kind: Kind,
            letter: u8,
        }
        let bodies: [&[u8]; 4] = [
            br#"{"limit":"x\"s3cr3t\" \\\"s3cr3t"}"#,
            br#"{"limit":"\"s3cr3t"}"#,
            br#"{"kind":"s3cr3t","letter":1}"#,
            br#"{"limit":"a\\"s3cr3t"#,
        ];
        for body in bodies {
            let error = serde_json::from_slice::<Limit>(body)
                .map(|_| ())
                .or_else(|_| serde_json::from_slice::<Wrapper>(body).map(|_| ()))
                .unwrap_err();
            let message = json_error_without_values(&error);
            assert!(!message.contains("s3cr3t"), "{message}");
            let described = decode_json::<Wrapper>(200, None, body)
                .unwrap_err()
                .to_string();
            assert!(!described.contains("s3cr3t"), "{described}");
        }
        // A missing field names our own struct's field: that stays, it helps.
        let error = serde_json::from_str::<Limit>("{}").unwrap_err();
        assert!(json_error_without_values(&error).contains("`limit`"));
        // A character or a variant from the body, in backticks, does not.
        assert_eq!(
            mask_values("invalid value: character `s`"),
            "invalid value: character `…`"
        );
    }
}
