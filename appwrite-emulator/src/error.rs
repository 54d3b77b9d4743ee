//! Appwrite's error responses: `{message, code, type, version}` with Appwrite's status codes.

use std::borrow::Cow;

use appwrite_models::ErrorType;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, EXPIRES, PRAGMA};
use http::{HeaderMap, HeaderValue, StatusCode};

/// The server version every body and error reports (`APP_VERSION_STABLE`).
pub(crate) const SERVER_VERSION: &str = "1.9.6";

/// `Content-Type` of every JSON answer, as Appwrite sends it.
pub(crate) const JSON_CONTENT_TYPE: HeaderValue =
    HeaderValue::from_static("application/json; charset=UTF-8");

/// A failed request, rendered the way Appwrite renders it.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    kind: ErrorType,
    message: Cow<'static, str>,
    /// Headers decided before the failure (rate-limit headers) that the answer still carries.
    headers: Option<Box<HeaderMap>>,
}

impl ApiError {
    /// An error with Appwrite's status and default message for `kind`.
    pub(crate) fn new(kind: ErrorType) -> Self {
        Self {
            status: status_of(&kind),
            message: Cow::Borrowed(kind.description()),
            kind,
            headers: None,
        }
    }

    /// An error with Appwrite's status for `kind` and a specific message.
    pub(crate) fn with_message(kind: ErrorType, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
            ..Self::new(kind)
        }
    }

    /// An error of a type [`ErrorType`] does not list, with Appwrite's status and message for it
    /// (app/config/errors.php).
    pub(crate) fn other(kind: &'static str, status: u16, message: &'static str) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            kind: ErrorType::Other(kind.to_owned()),
            message: Cow::Borrowed(message),
            headers: None,
        }
    }

    /// What Appwrite answers when PHP itself fails (a `TypeError`, a call on `null`): 500
    /// `general_unknown` with the message production hides behind `Server Error`.
    pub(crate) fn php_failure() -> Self {
        Self::with_message(ErrorType::GeneralUnknown, "Server Error")
    }

    /// `Param "x" is not optional.` (utopia-php/http `Http::getArguments`).
    pub(crate) fn missing_param(name: &str) -> Self {
        Self::with_message(
            ErrorType::GeneralArgumentInvalid,
            format!("Param \"{name}\" is not optional."),
        )
    }

    /// ``Invalid `x` param: <validator description>`` (utopia-php/http `Http::validate`).
    pub(crate) fn invalid_param(name: &str, description: &str) -> Self {
        Self::with_message(
            ErrorType::GeneralArgumentInvalid,
            format!("Invalid `{name}` param: {description}"),
        )
    }

    /// A body over the configured limit. Swoole refuses these before Appwrite sees them; 413 with
    /// Appwrite's error shape tells a client what happened without a dropped connection.
    pub(crate) fn body_too_large(limit: usize) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: ErrorType::GeneralArgumentInvalid,
            message: Cow::Owned(format!(
                "Request body is larger than the limit of {limit} bytes."
            )),
            headers: None,
        }
    }

    /// A body that did not arrive within the read timeout: 408, so a half-sent body cannot hold
    /// a connection (Swoole would have closed it).
    pub(crate) fn body_timeout(timeout: std::time::Duration) -> Self {
        Self {
            status: StatusCode::REQUEST_TIMEOUT,
            kind: ErrorType::GeneralArgumentInvalid,
            message: Cow::Owned(format!(
                "The request body did not arrive within {} seconds.",
                timeout.as_secs_f64()
            )),
            headers: None,
        }
    }

    /// Adds headers (such as rate-limit headers) that the error answer must carry too.
    pub(crate) fn with_headers(mut self, headers: &HeaderMap) -> Self {
        if !headers.is_empty() {
            let mut all = self.headers.take().map_or_else(HeaderMap::new, |h| *h);
            all.extend(headers.iter().map(|(k, v)| (k.clone(), v.clone())));
            self.headers = Some(Box::new(all));
        }
        self
    }

    /// The Appwrite error type.
    pub(crate) fn kind(&self) -> &ErrorType {
        &self.kind
    }

    /// The message.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

fn status_of(kind: &ErrorType) -> StatusCode {
    StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The order of the `Error` model's rules (src/Appwrite/Utopia/Response/Model/Error.php),
        // which decides the output order, not the order general.php builds the array in.
        #[derive(serde::Serialize)]
        struct Body<'a> {
            message: &'a str,
            code: u16,
            #[serde(rename = "type")]
            kind: &'a str,
            version: &'a str,
        }
        let body = Body {
            message: &self.message,
            code: self.status.as_u16(),
            kind: self.kind.as_str(),
            version: SERVER_VERSION,
        };
        let bytes = crate::wire::php_json(&body).unwrap_or_default();
        let mut response = (self.status, bytes).into_response();
        let headers = response.headers_mut();
        if let Some(extra) = self.headers {
            headers.extend(*extra);
        }
        headers.insert(CONTENT_TYPE, JSON_CONTENT_TYPE);
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("no-cache, no-store, must-revalidate"),
        );
        headers.insert(EXPIRES, HeaderValue::from_static("0"));
        headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
        response
    }
}

/// What every handler returns.
pub(crate) type ApiResult<T = Response> = Result<T, ApiError>;

impl From<getrandom::Error> for ApiError {
    fn from(_: getrandom::Error) -> Self {
        Self::with_message(
            ErrorType::GeneralServerError,
            "The operating system's random source failed.",
        )
    }
}

impl From<jsonwebtoken::errors::Error> for ApiError {
    fn from(_: jsonwebtoken::errors::Error) -> Self {
        Self::with_message(ErrorType::GeneralServerError, "Signing the JWT failed.")
    }
}
