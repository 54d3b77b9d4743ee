//! Errors that point at the fix: what the transport can tell about a failure beyond Appwrite's
//! own message.

use std::error::Error as StdError;

use appwrite_models::protocol::Endpoint;
use appwrite_models::{ApiError, ErrorType};

/// The hint for an error Appwrite answered with, if the cause is clear from the request.
pub(crate) fn api_hint(
    error: &ApiError,
    endpoint: &Endpoint,
    sent_key: bool,
) -> Option<&'static str> {
    // Without `/v1` Appwrite answers its HTML error page (read into `general_route_not_found`); a
    // proxy in front may answer a page of its own, which has no type at all.
    let route_not_found = match &error.error_type {
        ErrorType::GeneralRouteNotFound => true,
        ErrorType::Other(kind) => kind.is_empty(),
        _ => false,
    };
    match (error.status, &error.error_type) {
        (404, _)
            if route_not_found
                && !endpoint
                    .as_url()
                    .path()
                    .trim_end_matches('/')
                    .ends_with("/v1") =>
        {
            Some("the endpoint should end in /v1, e.g. https://cloud.appwrite.io/v1")
        }
        (401, ErrorType::UserUnauthorized) if sent_key => {
            Some("check the API key: it may be mistyped, revoked, expired or from another project")
        }
        // An unknown key makes the request a guest's.
        (401, ErrorType::GeneralUnauthorizedScope)
            if sent_key && error.message.contains("role: guests") =>
        {
            Some("the API key was not recognised: check it belongs to this project")
        }
        _ => None,
    }
}

/// `host:port` of `url`, for naming what could not be reached.
pub(crate) fn host_of(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Whether a failed TLS handshake looks like the server answered in plain HTTP (rustls:
/// "corrupt message of type `InvalidContentType`"; `OpenSSL`: "wrong version number").
pub(crate) fn answered_in_plain_http(error: &(dyn StdError + 'static)) -> bool {
    const SIGNS: [&str; 2] = ["InvalidContentType", "wrong version number"];
    let mut current = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        let debug = format!("{error:?}");
        if SIGNS
            .iter()
            .any(|sign| text.contains(sign) || debug.contains(sign))
        {
            return true;
        }
        current = error.source();
    }
    false
}

/// The message of [`TransportError::Connect`](crate::TransportError::Connect).
pub(crate) fn connect_message(host: &str, plain_http: bool) -> String {
    if plain_http {
        format!(
            "could not connect to appwrite at {host}: the server answered in plain HTTP, so use an http:// endpoint or turn TLS on at the server"
        )
    } else {
        format!("could not connect to appwrite at {host}")
    }
}
