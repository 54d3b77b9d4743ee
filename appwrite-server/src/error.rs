//! The crate's error type.

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

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
