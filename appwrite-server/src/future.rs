//! The future every request returns.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::Result;

/// The response to one call: await it for the result.
///
/// It is `Send` and `'static` (it owns a clone of the client), so it can be handed to
/// `tokio::spawn` or returned from an axum handler as it is, and `Unpin`, so it can be used in
/// `select!` without pinning. Nothing is sent until it is first polled.
#[must_use = "a request does nothing until it is awaited"]
pub struct ResponseFuture<T> {
    inner: Pin<Box<dyn Future<Output = Result<T>> + Send + 'static>>,
}

impl<T: 'static> ResponseFuture<T> {
    pub(crate) fn new(future: impl Future<Output = Result<T>> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(future),
        }
    }

    /// A future that resolves at once to `result`: for arguments refused before sending.
    pub(crate) fn ready(result: Result<T>) -> Self
    where
        T: Send,
    {
        Self::new(std::future::ready(result))
    }
}

impl<T> Future for ResponseFuture<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().inner.as_mut().poll(cx)
    }
}

impl<T> fmt::Debug for ResponseFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
