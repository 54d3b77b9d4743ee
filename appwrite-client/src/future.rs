//! The future every call returns.

use crate::error::Error;

/// The response to one call: await it for the result.
///
/// It is `Send` and `'static` (it owns a clone of the client), so it can be handed to
/// `tokio::spawn` or raced in `select!` (it is `Unpin`) as it is. Nothing is sent until it is
/// first polled. Dropping it part-way never splits the session in memory from the session store:
/// a store write that has begun finishes together with its memory update. `Debug` shows nothing
/// of the request.
pub type ResponseFuture<T> = appwrite_transport::ResponseFuture<T, Error>;
