//! The client's [`Error`] and [`Result`].

pub use crate::store::StoreError;
// In scope for the links in the generated docs.
#[allow(unused_imports)]
use appwrite_transport::ApiError;

appwrite_transport::sdk_error! {
    /// Everything a client call can fail with.
    ///
    /// Predicates answer the usual questions whatever the variant: [`is_unauthorized`]
    /// (401: signed out, or the session was revoked or has expired), [`is_not_found`],
    /// [`is_rate_limited`] with [`retry_after`], [`is_timeout`], [`is_connect`], [`is_transport`].
    /// `Display` is one lower-case sentence that never holds a secret; [`std::error::Error::source`]
    /// gives the cause.
    ///
    /// [`is_unauthorized`]: Error::is_unauthorized
    /// [`is_not_found`]: Error::is_not_found
    /// [`is_rate_limited`]: Error::is_rate_limited
    /// [`retry_after`]: Error::retry_after
    /// [`is_timeout`]: Error::is_timeout
    /// [`is_connect`]: Error::is_connect
    /// [`is_transport`]: Error::is_transport
    pub enum Error {
        /// The session store failed: see [`StoreError`] (a corrupt or newer store file, no
        /// permission, no data folder).
        #[error("session store failed")]
        SessionStore(#[source] StoreError),
        /// Appwrite created the session but its response carried no session credential: no
        /// `a_session_<project>` cookie, no `X-Fallback-Cookies` header, no `secret`. The client is
        /// not signed in. A proxy that strips these headers is the usual cause.
        #[error(
            "appwrite created the session but sent no session credential (no a_session cookie, X-Fallback-Cookies header or secret); check that no proxy strips these headers"
        )]
        MissingCredential,
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        Self::SessionStore(error)
    }
}

impl From<appwrite_transport::DecodeError> for Error {
    fn from(error: appwrite_transport::DecodeError) -> Self {
        Self::Decode(error)
    }
}

impl Error {
    /// The session store failed.
    pub fn is_session_store(&self) -> bool {
        matches!(self, Self::SessionStore(_))
    }
}

/// `Result` with the client's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
