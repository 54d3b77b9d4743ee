//! [`Credential`]: what a backend holds to act as one of its users.

use appwrite_models::credential::{SESSION_HEADER, session_header_value};
use appwrite_models::headers::JWT_HEADER;
use appwrite_models::{ApiError, JwtSecret, SessionCredential};
use appwrite_transport::reqwest::header::{HeaderName, HeaderValue};
use appwrite_transport::{InvalidInput, header_value};

/// A user's credential, for [`Client::as_user`](crate::Client::as_user).
///
/// Exactly one credential goes with each request, and never with the API key: Appwrite refuses a
/// key together with a session (`user_api_key_and_session_set`) and a JWT together with a
/// session cookie (`user_jwt_and_cookie_set`), and this type cannot express either.
///
/// `Debug` never shows the value.
///
/// ```
/// use appwrite_server::Credential;
///
/// // As a backend reads it from `Authorization: Bearer <jwt>`.
/// let from_header = "eyJhbGciOiJIUzI1NiJ9.e30.c2ln";
/// let credential = Credential::jwt(from_header);
/// assert_eq!(format!("{credential:?}"), "Jwt(JwtSecret([redacted]))");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credential {
    /// A JSON Web Token (`account.createJWT` in the user's app, or
    /// [`Users::create_jwt`](crate::Users::create_jwt)), sent as `X-Appwrite-JWT`.
    Jwt(JwtSecret),
    /// A session credential (a session's `secret` from
    /// [`Users::create_session`](crate::Users::create_session), or the `a_session_<project>`
    /// cookie's value), sent as `X-Appwrite-Session`.
    Session(SessionCredential),
}

impl Credential {
    /// A JWT credential.
    pub fn jwt(jwt: impl Into<JwtSecret>) -> Self {
        Self::Jwt(jwt.into())
    }

    /// A session credential.
    pub fn session(credential: impl Into<SessionCredential>) -> Self {
        Self::Session(credential.into())
    }

    /// Clears the credential from `error`'s message, in the form it was sent (trimmed, a
    /// session's URL encoding undone) and as held, each in any case or percent-encoding.
    pub(crate) fn redact_from(&self, error: &mut ApiError) {
        match self {
            Self::Jwt(jwt) => error.redact(jwt.expose_secret().trim()),
            Self::Session(session) => {
                error.redact(session.expose_secret().trim());
                error.redact(session_header_value(session).trim());
            }
        }
    }

    /// The request header that carries it, marked sensitive. A value that cannot be sent in a
    /// header (empty, a newline, non-ASCII) is refused without being shown.
    pub(crate) fn header(&self) -> Result<(HeaderName, HeaderValue), InvalidInput> {
        let (name, setting, value) = match self {
            Self::Jwt(jwt) => (
                HeaderName::from_static(JWT_HEADER),
                "the JWT",
                jwt.expose_secret().trim().to_owned(),
            ),
            Self::Session(session) => (
                HeaderName::from_static(SESSION_HEADER),
                "the session credential",
                session_header_value(session),
            ),
        };
        let value = header_value(setting, &value, true).map_err(|_| {
            InvalidInput::new(format!(
                "{setting} is empty or holds characters that cannot be sent in an HTTP header"
            ))
        })?;
        Ok((name, value))
    }
}
