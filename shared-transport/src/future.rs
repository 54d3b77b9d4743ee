//! The future every SDK call returns.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The response to one call: await it for the result. Each SDK names it with its own error type
/// (`appwrite_server::ResponseFuture<T>`, `appwrite_client::ResponseFuture<T>`).
///
/// It is `Send` and `'static` (it owns what it needs, a clone of the client), so it can be handed
/// to `tokio::spawn` or returned from an axum handler as it is, and `Unpin`, so it can be used in
/// `select!` without pinning. Nothing is sent until it is first polled.
///
/// ```
/// use appwrite_transport::ResponseFuture;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // A stand-in for an SDK call, in an app's own unit test.
/// let later: ResponseFuture<u32, String> = ResponseFuture::new(async { Ok(42) });
/// let at_once: ResponseFuture<u32, String> = ResponseFuture::ready(Err("refused".to_owned()));
/// assert_eq!(later.await, Ok(42));
/// assert!(at_once.await.is_err());
/// # }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct ResponseFuture<T, E> {
    inner: Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'static>>,
}

impl<T: 'static, E: 'static> ResponseFuture<T, E> {
    /// Wraps `future`.
    pub fn new(future: impl Future<Output = Result<T, E>> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(future),
        }
    }

    /// A future that resolves at once to `result`: for arguments refused before sending.
    pub fn ready(result: Result<T, E>) -> Self
    where
        T: Send,
        E: Send,
    {
        Self::new(std::future::ready(result))
    }

    /// The size in bytes of the boxed future's state, for the benchmark: each call allocates it
    /// once, and glibc's per-thread cache serves only allocations up to 1,032 bytes.
    #[doc(hidden)]
    pub fn state_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.inner)
    }
}

impl<T, E> Future for ResponseFuture<T, E> {
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().inner.as_mut().poll(cx)
    }
}

impl<T, E> fmt::Debug for ResponseFuture<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_static_unpin<F: Future + Send + Unpin + 'static>(_: &F) {}

    #[test]
    fn is_send_static_unpin_and_debug_shows_nothing_inside() {
        let future: ResponseFuture<String, String> = ResponseFuture::ready(Ok("secret".into()));
        assert_send_static_unpin(&future);
        assert_eq!(format!("{future:?}"), "ResponseFuture { .. }");
    }
}
