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
        // Appwrite answers the same for a token secret that expired, was used, is mistyped or
        // belongs to another user (`app/controllers/api/account.php` 1.9.6, `$createSession`,
        // lines 88-123).
        (401, ErrorType::UserInvalidToken) => Some(
            "the token secret has expired, was already used, is mistyped or is another user's: ask for a new one",
        ),
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

/// The message of [`TransportError::Connect`](crate::TransportError::Connect): the host, and why
/// when the cause says (plain HTTP, DNS, refused, unreachable, TLS).
pub(crate) fn connect_message(
    host: &str,
    plain_http: bool,
    source: &(dyn StdError + 'static),
) -> String {
    let why = if plain_http {
        Some(
            "the server answered in plain HTTP, so use an http:// endpoint or turn TLS on at the server",
        )
    } else {
        connect_reason(source)
    };
    match why {
        Some(why) => format!("could not connect to appwrite at {host}: {why}"),
        None => format!("could not connect to appwrite at {host}"),
    }
}

/// Why a connection could not be made, read from the cause's chain (hyper-util names a failed
/// lookup "dns error"; the operating system's errors carry their kind).
fn connect_reason(error: &(dyn StdError + 'static)) -> Option<&'static str> {
    use std::io::ErrorKind;
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            match io.kind() {
                ErrorKind::ConnectionRefused => {
                    return Some(
                        "the connection was refused (is the server running, on this port?)",
                    );
                }
                ErrorKind::NetworkUnreachable
                | ErrorKind::HostUnreachable
                | ErrorKind::NetworkDown => {
                    return Some("the network or host is unreachable (is this machine online?)");
                }
                ErrorKind::TimedOut => return Some("connecting timed out"),
                _ => {}
            }
        }
        let text = error.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return Some(
                "the host name could not be resolved (check it for typos, and the network's DNS)",
            );
        }
        if text.contains("certificate") || text.contains("handshake") || text.contains("tls") {
            return Some(
                "the TLS handshake failed (check the server's certificate, or self_signed for a development server)",
            );
        }
        current = error.source();
    }
    None
}

/// The message of [`TransportError::Timeout`](crate::TransportError::Timeout): whether it was
/// the connection or the answer that did not come in time.
pub(crate) fn timeout_message(source: &(dyn StdError + 'static)) -> &'static str {
    if source
        .downcast_ref::<reqwest::Error>()
        .is_some_and(reqwest::Error::is_connect)
    {
        "connecting to appwrite timed out (is the host reachable? a firewall may drop the connection)"
    } else {
        "the request to appwrite timed out"
    }
}
