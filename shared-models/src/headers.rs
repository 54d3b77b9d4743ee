//! The headers every SDK request carries.

use http::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

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
/// A new map each call: the transport keeps the one it builds clients from (its `memo.rs`).
pub fn sdk_headers(platform: Platform, sdk_version: &str) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(9);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
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
        HeaderName::from_static(RESPONSE_FORMAT_HEADER),
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

/// [`sdk_headers`] with `X-Appwrite-Project: project`. Made with room for the project (and the
/// few headers a client adds), so inserting them does not grow the map.
pub fn project_headers(platform: Platform, sdk_version: &str, project: &HeaderValue) -> HeaderMap {
    let mut headers = sdk_headers(platform, sdk_version);
    headers.insert(HeaderName::from_static(PROJECT_HEADER), project.clone());
    headers
}

/// The `X-Appwrite-Project` request header name.
pub const PROJECT_HEADER: &str = "x-appwrite-project";
/// The `X-Appwrite-Key` request header name: the server SDK's API key.
pub const KEY_HEADER: &str = "x-appwrite-key";
/// The `X-Appwrite-JWT` request header name: a user's JWT instead of a session.
pub const JWT_HEADER: &str = "x-appwrite-jwt";
/// The `X-Appwrite-Response-Format` request header name.
pub const RESPONSE_FORMAT_HEADER: &str = "x-appwrite-response-format";
/// The `X-Appwrite-Locale` request header name.
pub const LOCALE_HEADER: &str = "x-appwrite-locale";
/// The `X-Appwrite-Warning` response header name (deprecations, unknown parameters).
pub const WARNING_HEADER: &str = "x-appwrite-warning";

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
}
