//! The future every request returns.

use crate::error::Error;

/// The response to one call: await it for the result.
///
/// It is `Send` and `'static` (it owns a clone of the client), so it can be handed to
/// `tokio::spawn` or returned from an axum handler as it is, and `Unpin`, so it can be used in
/// `select!` without pinning. Nothing is sent until it is first polled. `Debug` shows nothing of
/// the request.
pub type ResponseFuture<T> = appwrite_transport::ResponseFuture<T, Error>;
