//! The headers every SDK request carries.

use std::convert::Infallible;

use http::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::memo::Memo;

/// The response format both SDKs pin with `X-Appwrite-Response-Format`: the models here decode
/// Appwrite 1.8 responses, and a newer server downgrades its output to this shape.
pub const RESPONSE_FORMAT: &str = "1.8.0";

/// Which side of Appwrite an SDK is on, for `x-sdk-platform`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Platform {
    /// A backend with an API key (`x-sdk-platform: server`).
    Server,
    /// An end-user app with a session (`x-sdk-platform: client`).
    Client,
}

impl Platform {
    /// The `x-sdk-platform` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::Client => "client",
        }
    }
}

/// The default user agent: `appwrite-rust-<platform>/<version> (<os>; <arch>)`.
pub fn user_agent(platform: Platform, sdk_version: &str) -> String {
    format!(
        "appwrite-rust-{}/{sdk_version} ({}; {})",
        platform.as_str(),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// The headers of every request: `x-sdk-name`, `x-sdk-platform`, `x-sdk-language: rust`,
/// `x-sdk-version`, `user-agent`, `X-Appwrite-Response-Format`, and JSON `content-type`/`accept`.
/// No `Origin`: a server client must not send one, and a client app opts in.
///
/// The map is made once per platform and version in a process; later calls clone it (every new
/// SDK client starts from it, and building it costs more than a login's own header work).
pub fn sdk_headers(platform: Platform, sdk_version: &str) -> HeaderMap {
    static MADE: Memo<(Platform, String), HeaderMap> = Memo::new();
    let Ok(headers) = MADE.get_or_make(
        |(p, v)| *p == platform && v == sdk_version,
        || {
            Ok::<_, Infallible>((
                (platform, sdk_version.to_owned()),
                make_sdk_headers(platform, sdk_version),
            ))
        },
    );
    headers
}

/// [`sdk_headers`] with `X-Appwrite-Project: project`, made once per platform, version and
/// project in a process. A clone of a map has no room to spare, so adding the project to a clone
/// would grow (and copy) it for every new client.
pub fn project_headers(platform: Platform, sdk_version: &str, project: &HeaderValue) -> HeaderMap {
    static MADE: Memo<(Platform, String, HeaderValue), HeaderMap> = Memo::new();
    let Ok(headers) = MADE.get_or_make(
        |(p, v, id)| *p == platform && v == sdk_version && id == project,
        || {
            let mut headers = sdk_headers(platform, sdk_version);
            headers.insert(HeaderName::from_static(PROJECT_HEADER), project.clone());
            Ok::<_, Infallible>(((platform, sdk_version.to_owned(), project.clone()), headers))
        },
    );
    headers
}

/// The `X-Appwrite-Project` request header name.
pub const PROJECT_HEADER: &str = "x-appwrite-project";

/// Whether `allowed` holds for every byte of `bytes`. The SDKs' own header byte checks (the
/// credential header, the session cookie's text, the configured header values) all go through
/// here: written without an early exit, a byte-range test compiles to vector instructions, and a
/// session credential (~450 bytes) is checked at every sign-in.
#[doc(hidden)]
#[inline]
pub fn every_byte(bytes: &[u8], allowed: impl Fn(u8) -> bool) -> bool {
    // `&` rather than `&&`: no branch per byte. (Counting the bytes that fail instead is about
    // five instructions a byte slower: it does not vectorise.)
    bytes.iter().fold(true, |ok, &byte| ok & allowed(byte))
}

fn make_sdk_headers(platform: Platform, sdk_version: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let json = HeaderValue::from_static("application/json");
    headers.insert(CONTENT_TYPE, json.clone());
    headers.insert(ACCEPT, json);
    headers.insert(
        HeaderName::from_static("x-sdk-name"),
        HeaderValue::from_static("Rust"),
    );
    headers.insert(
        HeaderName::from_static("x-sdk-platform"),
        HeaderValue::from_static(platform.as_str()),
    );
    headers.insert(
        HeaderName::from_static("x-sdk-language"),
        HeaderValue::from_static("rust"),
    );
    headers.insert(
        HeaderName::from_static("x-appwrite-response-format"),
        HeaderValue::from_static(RESPONSE_FORMAT),
    );
    // Both values are ASCII we build ourselves; a failure would only drop the header.
    if let Ok(version) = HeaderValue::from_str(sdk_version) {
        headers.insert(HeaderName::from_static("x-sdk-version"), version);
    }
    if let Ok(agent) = HeaderValue::from_str(&user_agent(platform, sdk_version)) {
        headers.insert(USER_AGENT, agent);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_agrees_with_all_at_every_position() {
        let visible = |b: u8| b.is_ascii_graphic();
        assert!(every_byte(b"", visible));
        for bad in 0..=u8::MAX {
            for at in [0, 1, 31, 32, 63, 64, 449] {
                let mut bytes = vec![b'a'; 450];
                bytes[at] = bad;
                assert_eq!(
                    every_byte(&bytes, visible),
                    bytes.iter().all(|&b| visible(b)),
                    "byte {bad:#04x} at {at}"
                );
            }
        }
    }

    #[test]
    fn carries_the_platform_and_no_origin() {
        let h = sdk_headers(Platform::Client, "1.2.3");
        assert_eq!(h["x-sdk-platform"], "client");
        assert_eq!(h["x-sdk-version"], "1.2.3");
        assert_eq!(h["x-appwrite-response-format"], RESPONSE_FORMAT);
        assert!(
            h["user-agent"]
                .to_str()
                .unwrap()
                .starts_with("appwrite-rust-client/1.2.3 (")
        );
        assert!(h.get("origin").is_none());
    }

    #[test]
    fn a_repeat_gives_the_same_map_and_another_version_its_own() {
        let first = sdk_headers(Platform::Server, "9.8.7");
        assert_eq!(sdk_headers(Platform::Server, "9.8.7"), first);
        assert_eq!(first, make_sdk_headers(Platform::Server, "9.8.7"));
        let other = sdk_headers(Platform::Client, "9.8.6");
        assert_eq!(other["x-sdk-platform"], "client");
        assert_eq!(other["x-sdk-version"], "9.8.6");
    }
}
