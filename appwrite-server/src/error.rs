//! The crate's error type.

use appwrite_models::{ApiError, ErrorType};

appwrite_transport::sdk_error! {
    /// Everything a call to this crate can fail with.
    ///
    /// Ask it questions rather than matching on internals: [`is_not_found()`](Error::is_not_found),
    /// [`is_unauthorized()`](Error::is_unauthorized), [`is_conflict()`](Error::is_conflict),
    /// [`is_rate_limited()`](Error::is_rate_limited) with [`retry_after()`](Error::retry_after),
    /// [`is_timeout()`](Error::is_timeout), [`is_connect()`](Error::is_connect), … For Appwrite's
    /// own error, [`api()`](Error::api) gives the status, the error `type` and the message.
    ///
    /// Messages are lower case and never contain the API key, a token or session secret, a
    /// response body or a URL query; an Appwrite message that repeats the key shows `[redacted]`.
    ///
    /// ```
    /// # async fn run(users: appwrite_server::Users) -> Result<(), appwrite_server::Error> {
    /// match users.get("user-42").await {
    ///     Ok(user) => println!("found {}", user.id),
    ///     Err(e) if e.is_not_found() => println!("no such user"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub enum Error {}
}

/// The hint of an error that [`is_jwt_session_gone`](Error::is_jwt_session_gone).
pub(crate) const JWT_SESSION_GONE: &str = "the JWT's session is gone (signed out, revoked or expired) or its user was deleted: the user must sign in again and send a new JWT";

/// Whether `error`, the answer to a request that carried a JWT and no API key, says the JWT's
/// session is gone. Appwrite then treats the request as a guest's
/// (`app/init/resources/request.php`: a JWT whose `sessionId` is not among the user's sessions,
/// or whose user is not found, leaves the user empty), and `/account` refuses a guest with
/// `general_unauthorized_scope` `… (role: guests) missing scopes (["account"])`
/// (`app/controllers/shared/api.php`). An expired or forged JWT answers `user_jwt_invalid`.
pub(crate) fn jwt_session_gone(error: &ApiError) -> bool {
    error.status == 401
        && error.error_type == ErrorType::GeneralUnauthorizedScope
        && error.message.contains("(role: guests)")
}

impl Error {
    /// A JWT was refused because the session it was made from is gone: the user signed out, the
    /// session was revoked or expired, or the user was deleted
    /// ([`Users::verify_jwt`](crate::Users::verify_jwt) and the calls of a
    /// [`UserClient`](crate::UserClient) acting with a JWT). Answer 401 and have the user sign
    /// in again; a new JWT from the same session will not do. Also
    /// [`is_unauthorized()`](Self::is_unauthorized).
    pub fn is_jwt_session_gone(&self) -> bool {
        self.api()
            .is_some_and(|api| api.hint == Some(JWT_SESSION_GONE))
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
