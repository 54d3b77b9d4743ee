//! The error body Appwrite sends with every failed request, and its `type` values.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Deserializer};

use crate::serde_util::null_as_default;
use crate::text::Printable;

/// `{"message", "code", "type", "version"}`: what Appwrite answers with a status of 400 or more.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ErrorBody {
    /// Human-readable message.
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    /// The HTTP status again (sent as a number, declared a string in the spec; both are accepted).
    #[serde(default, deserialize_with = "lenient_code")]
    pub code: u16,
    /// Machine-readable error type.
    #[serde(rename = "type", default, deserialize_with = "null_as_default")]
    pub error_type: ErrorType,
    /// The server's version, e.g. `1.9.6`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub version: String,
}

fn lenient_code<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(0),
        serde_json::Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    })
}

macro_rules! error_types {
    ($($(#[$meta:meta])* $variant:ident = ($wire:literal, $status:literal, $description:literal),)*) => {
        /// An Appwrite error `type` (see Appwrite's `app/config/errors.php`).
        ///
        /// Covers the types this project's endpoints can answer with; any other value is kept in
        /// [`ErrorType::Other`], so a newer server never breaks decoding.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorType {
            $(
                #[doc = concat!("`", $wire, "` (HTTP ", stringify!($status), ").")]
                $variant,
            )*
            /// A type this crate does not know, kept as sent (`""` when the body had none).
            Other(String),
        }

        impl ErrorType {
            /// The wire value, e.g. `user_not_found`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(other) => other,
                }
            }

            /// Parses a wire value; unknown values become [`ErrorType::Other`].
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The HTTP status Appwrite answers this type with (500 for unknown types).
            pub fn status(&self) -> u16 {
                match self {
                    $(Self::$variant => $status,)*
                    Self::Other(_) => 500,
                }
            }

            /// Appwrite's standard message for this type.
            pub fn description(&self) -> &'static str {
                match self {
                    $(Self::$variant => $description,)*
                    Self::Other(_) => "An unknown error has occurred.",
                }
            }
        }
    };
}

error_types! {
    GeneralUnknown = ("general_unknown", 500, "An unknown error has occurred. Please check the logs for more information."),
    GeneralAccessForbidden = ("general_access_forbidden", 401, "Access to this API is forbidden."),
    GeneralUnknownOrigin = ("general_unknown_origin", 403, "The request originated from an unknown origin. If you trust this domain, please list it as a trusted platform in the Appwrite console."),
    GeneralUnauthorizedScope = ("general_unauthorized_scope", 401, "The current user or API key does not have the required scopes to access the requested resource."),
    GeneralRateLimitExceeded = ("general_rate_limit_exceeded", 429, "Rate limit for the current endpoint has been exceeded. Please try again after some time."),
    GeneralSmtpDisabled = ("general_smtp_disabled", 503, "SMTP is disabled on your Appwrite instance. You can <a href=\"/docs/email-delivery\">learn more about setting up SMTP</a> in our docs."),
    GeneralPhoneDisabled = ("general_phone_disabled", 503, "Phone provider is not configured. Please check the _APP_SMS_PROVIDER environment variable of your Appwrite server."),
    GeneralArgumentInvalid = ("general_argument_invalid", 400, "The request contains one or more invalid arguments. Please refer to the endpoint documentation."),
    GeneralQueryInvalid = ("general_query_invalid", 400, "The query's syntax is invalid. Please check the query and try again."),
    GeneralRouteNotFound = ("general_route_not_found", 404, "Route not found. Please ensure the endpoint is configured correctly and that the API route is valid for this SDK version. Refer to the API docs for more details."),
    GeneralCursorNotFound = ("general_cursor_not_found", 400, "The cursor is invalid. This can happen if the item represented by the cursor has been deleted."),
    GeneralServerError = ("general_server_error", 500, "An internal server error occurred."),
    GeneralNotImplemented = ("general_not_implemented", 405, "This method was not fully implemented yet. If you believe this is a mistake, please upgrade your Appwrite server version."),
    GeneralBadRequest = ("general_bad_request", 400, "There was an error processing your request. Please check the inputs and try again."),
    GeneralProtocolUnsupported = ("general_protocol_unsupported", 426, "The request cannot be fulfilled with the current protocol. Please check the value of the _APP_OPTIONS_FORCE_HTTPS environment variable."),
    UserCountExceeded = ("user_count_exceeded", 400, "The current project has exceeded the maximum number of users. Please check your user limit in the Appwrite console."),
    UserJwtInvalid = ("user_jwt_invalid", 401, "The JWT token is invalid. Please check the value of the X-Appwrite-JWT header to ensure the correct token is being used."),
    UserAlreadyExists = ("user_already_exists", 409, "A user with the same id, email, or phone already exists in this project."),
    UserBlocked = ("user_blocked", 403, "The current user has been blocked."),
    UserInvalidToken = ("user_invalid_token", 401, "Invalid token passed in the request."),
    UserPasswordResetRequired = ("user_password_reset_required", 412, "The current user requires a password reset."),
    UserInvalidCredentials = ("user_invalid_credentials", 401, "Invalid credentials. Please check the email and password."),
    UserSessionAlreadyExists = ("user_session_already_exists", 401, "Creation of a session is prohibited when a session is active."),
    UserNotFound = ("user_not_found", 404, "User with the requested ID could not be found."),
    UserEmailAlreadyExists = ("user_email_already_exists", 409, "A user with the same email already exists in the current project."),
    PasswordPersonalData = ("password_personal_data", 400, "The password you are trying to use contains references to your name, email, phone or userID. For your security, please choose a different password and try again."),
    UserSessionNotFound = ("user_session_not_found", 404, "The current user session could not be found."),
    UserOauth2ProviderError = ("user_oauth2_provider_error", 424, "OAuth2 provider returned some error."),
    UserMissingId = ("user_missing_id", 400, "Missing ID from OAuth2 provider."),
    UserUnauthorized = ("user_unauthorized", 401, "The current user is not authorized to perform the requested action."),
    UserAuthMethodUnsupported = ("user_auth_method_unsupported", 501, "The requested authentication method is either disabled or unsupported. Please check the supported authentication methods in the Appwrite console."),
    UserPhoneAlreadyExists = ("user_phone_already_exists", 409, "A user with the same phone number already exists in the current project."),
    UserTargetAlreadyExists = ("user_target_already_exists", 409, "A target with the same ID already exists."),
    UserMoreFactorsRequired = ("user_more_factors_required", 401, "More factors are required to complete the sign in process."),
    UserApiKeyAndSessionSet = ("user_api_key_and_session_set", 403, "API key and session used in the same request. Use either `setSession` or `setKey`. Learn about which authentication method to use in the SSR docs: https://appwrite.io/docs/products/auth/server-side-rendering"),
    UserJwtAndCookieSet = ("user_jwt_and_cookie_set", 403, "JWT and cookie used in the same request. Use either `setJWT` or `setCookie`. Learn about which authentication method to use in the SSR docs: https://appwrite.io/docs/products/auth/server-side-rendering"),
    UserJwtCreationDenied = ("user_jwt_creation_denied", 403, "A JWT cannot be created from a request authorized with a JWT. Authenticate with a session cookie or session header instead."),
    ApiKeyExpired = ("api_key_expired", 401, "The ephemeral API key has expired. Please don't use ephemeral API keys for more than duration of the execution."),
    ProjectNotFound = ("project_not_found", 404, "Project with the requested ID could not be found. Please check the value of the X-Appwrite-Project header to ensure the correct project ID is being used."),
    ProjectKeyExpired = ("project_key_expired", 401, "The project key has expired. Please generate a new key using the Appwrite console."),
    ProjectProviderDisabled = ("project_provider_disabled", 412, "The chosen OAuth provider is disabled. You can enable the OAuth provider using the Appwrite console."),
    ProjectProviderUnsupported = ("project_provider_unsupported", 400, "The chosen OAuth provider is unsupported. Please check the <a href=\"/docs/client/account?sdk=web-default#accountCreateOAuth2Session\">Create OAuth2 Session docs</a> for the complete list of supported OAuth providers."),
    ProjectInvalidSuccessUrl = ("project_invalid_success_url", 400, "Invalid redirect URL for OAuth success."),
    ProjectInvalidFailureUrl = ("project_invalid_failure_url", 400, "Invalid redirect URL for OAuth failure."),
    ProjectIdMissing = ("project_id_missing", 403, "When using project API key, make sure to pass x-appwrite-project header with your project ID."),
}

impl Default for ErrorType {
    fn default() -> Self {
        Self::Other(String::new())
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| Self::from_wire(&s))
    }
}

impl serde::Serialize for ErrorType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A request Appwrite answered with an error status: what both SDKs' `Error::Api` carries.
///
/// Its `Display` is the lower-case summary plus Appwrite's message, never the raw body; what the
/// server wrote is shown [`Printable`](crate::Printable), its control characters escaped.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Appwrite's error type (`Other("")` when the body was not Appwrite's JSON).
    pub error_type: ErrorType,
    /// Appwrite's message, with any secret of the request redacted; for a non-JSON body, a short
    /// description of what came back instead.
    pub message: String,
    /// The server version from the body, if it said.
    pub version: Option<String>,
    /// How long the server asked us to wait, and in which header, if it did (only a 429 or 503
    /// carries one).
    pub server_wait: Option<ServerWait>,
    /// What probably fixes it, when the SDK can tell (a missing `/v1`, a wrong API key); shown
    /// by `Display`.
    pub hint: Option<&'static str>,
}

impl ApiError {
    /// Builds the error from a status and a body already decoded.
    pub fn from_body(status: u16, body: ErrorBody) -> Self {
        Self {
            status,
            error_type: body.error_type,
            message: body.message,
            version: (!body.version.is_empty()).then_some(body.version),
            server_wait: None,
            hint: None,
        }
    }

    /// Replaces every occurrence of `secret` in the message with `[redacted]` (servers and proxies
    /// sometimes echo a header back), in any form it may be echoed in: as given, lower- or
    /// upper-cased, percent-encoded (all or some of its bytes, `%3D` or `%3d`), `+` for a space.
    ///
    /// Pass the secret as it was sent (a header value as it went on the wire, trimmed): every
    /// longer form that holds it then loses it too.
    pub fn redact(&mut self, secret: &str) {
        if let Some(redacted) = crate::text::redact(&self.message, secret) {
            self.message = redacted;
        }
    }

    /// 404: the user, session or route does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// 401: missing, invalid or insufficient credentials (bad key, missing scope, invalid token,
    /// expired or revoked session).
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }

    /// 403: authenticated but refused (blocked user, unknown origin, key for another project).
    pub fn is_forbidden(&self) -> bool {
        self.status == 403
    }

    /// 409: the resource already exists.
    pub fn is_conflict(&self) -> bool {
        self.status == 409
    }

    /// 429: a rate limit was hit; see [`retry_after`](Self::retry_after).
    pub fn is_rate_limited(&self) -> bool {
        self.status == 429
    }

    /// 5xx: the server failed; retrying later may help.
    pub fn is_server_error(&self) -> bool {
        self.status >= 500
    }

    /// How long the server asked to wait before trying again, if it said (only ever on a 429 or
    /// a 503).
    pub fn retry_after(&self) -> Option<Duration> {
        self.server_wait.map(|asked| asked.wait)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "appwrite answered {}", self.status)?;
        if !self.error_type.as_str().is_empty() {
            write!(f, " {}", Printable(self.error_type.as_str()))?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", Printable(&self.message))?;
        }
        if let (429, Some(asked)) = (self.status, self.server_wait) {
            write!(f, " (retry in {}s)", asked.wait.as_secs_f64().ceil())?;
        }
        if let Some(hint) = self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A wait the server asked for before a request is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerWait {
    /// How long, measured from when the answer arrived.
    pub wait: Duration,
    /// Which header asked for it.
    pub header: WaitHeader,
}

/// The header a [`ServerWait`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitHeader {
    /// `Retry-After`: the server (or a proxy) asks for this request to be sent again later, so
    /// even a `POST` may be.
    RetryAfter,
    /// Appwrite's `X-RateLimit-Reset`: when the rate-limit window ends. Appwrite sends it on
    /// every answer of a limited route, so it says when, never whether, to try again.
    RateLimitReset,
}

/// How long a `429` or `503` answer asks the client to wait: `Retry-After` (seconds or an HTTP
/// date), else Appwrite's `X-RateLimit-Reset` (a Unix time), measured from `now`. Any other
/// status asks for no wait: a wrong-token 401 carries `X-RateLimit-Reset` too, and means "do not
/// try again", not "wait".
pub fn retry_after(status: u16, headers: &http::HeaderMap, now: SystemTime) -> Option<ServerWait> {
    if !matches!(status, 429 | 503) {
        return None;
    }
    let asked = |wait, header| Some(ServerWait { wait, header });
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(value) = header("retry-after") {
        if let Ok(seconds) = value.parse::<u64>() {
            return asked(Duration::from_secs(seconds), WaitHeader::RetryAfter);
        }
        if let Some(date) =
            time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822)
                .ok()
                .and_then(|date| crate::Datetime::from(date).to_system_time())
        {
            return asked(
                date.duration_since(now).unwrap_or(Duration::ZERO),
                WaitHeader::RetryAfter,
            );
        }
    }
    // A reset beyond what `SystemTime` can hold is no time at all: ignored, never a panic.
    let reset = header("x-ratelimit-reset")?.parse::<u64>().ok()?;
    let reset = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(reset))?;
    asked(
        reset.duration_since(now).unwrap_or(Duration::ZERO),
        WaitHeader::RateLimitReset,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_known_unknown_and_odd_bodies() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"message":"User with the requested ID could not be found.","code":404,"type":"user_not_found","version":"1.9.6","extra":1}"#,
        )
        .unwrap();
        assert_eq!(body.error_type, ErrorType::UserNotFound);
        assert_eq!(body.code, 404);
        let body: ErrorBody =
            serde_json::from_str(r#"{"code":"429","type":"brand_new_type"}"#).unwrap();
        assert_eq!(body.code, 429);
        assert_eq!(body.error_type, ErrorType::Other("brand_new_type".into()));
        assert_eq!(ErrorType::UserSessionAlreadyExists.status(), 401);
    }

    #[test]
    fn redacts_and_displays() {
        let mut err = ApiError::from_body(
            401,
            ErrorBody {
                message: "bad key sk_123456".into(),
                ..ErrorBody::default()
            },
        );
        err.redact("sk_123456");
        assert_eq!(err.to_string(), "appwrite answered 401: bad key [redacted]");
        assert!(err.is_unauthorized());
    }

    fn wait(status: u16, h: &http::HeaderMap, now: SystemTime) -> Option<Duration> {
        retry_after(status, h, now).map(|asked| asked.wait)
    }

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        let err = ApiError::from_body(
            401,
            ErrorBody {
                message: "no\x1b]0;owned\x07\nSigned in as admin".into(),
                error_type: ErrorType::Other("odd\x1b[2J".into()),
                ..ErrorBody::default()
            },
        );
        let shown = err.to_string();
        assert_eq!(
            shown,
            r"appwrite answered 401 odd\u{1b}[2J: no\u{1b}]0;owned\u{7}\u{a}Signed in as admin"
        );
        assert!(!shown.chars().any(char::is_control), "{shown}");
    }

    #[test]
    fn retry_after_from_each_header() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut h = http::HeaderMap::new();
        h.insert("x-ratelimit-reset", "1030".parse().unwrap());
        assert_eq!(
            retry_after(429, &h, now),
            Some(ServerWait {
                wait: Duration::from_secs(30),
                header: WaitHeader::RateLimitReset
            })
        );
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(
            retry_after(503, &h, now),
            Some(ServerWait {
                wait: Duration::from_secs(7),
                header: WaitHeader::RetryAfter
            })
        );
        h.insert(
            "retry-after",
            "Thu, 01 Jan 1970 00:16:50 GMT".parse().unwrap(),
        );
        assert_eq!(wait(429, &h, now), Some(Duration::from_secs(10)));
    }

    #[test]
    fn only_a_429_or_503_asks_for_a_wait() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut h = http::HeaderMap::new();
        h.insert("x-ratelimit-reset", "3580".parse().unwrap());
        h.insert("retry-after", "7".parse().unwrap());
        for status in [400, 401, 404, 500, 502, 504] {
            assert_eq!(retry_after(status, &h, now), None, "{status}");
        }
    }

    #[test]
    fn absurd_rate_limit_headers_are_ignored_not_a_panic() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut h = http::HeaderMap::new();
        h.insert("x-ratelimit-reset", u64::MAX.to_string().parse().unwrap());
        assert_eq!(wait(429, &h, now), None);
        h.insert("retry-after", u64::MAX.to_string().parse().unwrap());
        assert_eq!(wait(429, &h, now), Some(Duration::from_secs(u64::MAX)));
        h.insert(
            "retry-after",
            "Fri, 31 Dec 9999 23:59:59 GMT".parse().unwrap(),
        );
        assert!(wait(429, &h, now).is_some());
    }
}
