//! The private runtime behind both SDKs' `blocking` modules, and the macros that give them the
//! same `Pending` call and forwarding methods without a second copy.

use std::future::Future;
use std::sync::Arc;

use tokio::runtime::{Builder, Handle, Runtime};

use crate::error::BlockingError;

/// A current-thread tokio runtime owned by one blocking client and its clones.
///
/// Calls made from several threads at once are fine: tokio lets one of them drive the I/O while
/// the others wait for their own answers. `Debug` shows nothing of the runtime's internals.
#[derive(Clone)]
pub struct BlockingRuntime {
    inner: Arc<OwnedRuntime>,
}

impl BlockingRuntime {
    /// Starts the runtime (the I/O and time drivers a request needs).
    pub fn new() -> Result<Self, BlockingError> {
        let runtime = Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(BlockingError::Runtime)?;
        Ok(Self {
            inner: Arc::new(OwnedRuntime(Some(runtime))),
        })
    }

    /// Runs `future` to completion on this thread; refused inside an async runtime, where
    /// blocking would stall the runtime's worker (and tokio would panic).
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output, BlockingError> {
        if Handle::try_current().is_ok() {
            return Err(BlockingError::InsideRuntime);
        }
        match &self.inner.0 {
            Some(runtime) => Ok(runtime.block_on(future)),
            // Only `Drop` takes the runtime out, and nothing runs after it.
            None => Err(BlockingError::InsideRuntime),
        }
    }
}

impl std::fmt::Debug for BlockingRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlockingRuntime")
    }
}

/// The runtime, shut down without waiting when the last clone goes away inside an async
/// runtime: an ordinary drop there would panic.
struct OwnedRuntime(Option<Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            if Handle::try_current().is_ok() {
                runtime.shutdown_background();
            }
        }
    }
}

/// Defines an SDK's `blocking::Pending<B>`: an async request builder (or future) paired with the
/// blocking client's runtime, with `with` to change the builder and `send` to block on it.
/// `$error` is the SDK's `Error`, which has a `Blocking` variant.
#[macro_export]
#[doc(hidden)]
macro_rules! blocking_pending {
    ($error:ty) => {
        /// A blocking call, ready to send: set its options with the same methods as the async
        /// builder (or any of them through [`with`](Self::with)), then [`send`](Self::send) it.
        ///
        /// Nothing is sent before `send`. `Debug` shows the builder's own redacted `Debug`.
        #[must_use = "a request does nothing until it is sent"]
        pub struct Pending<B> {
            builder: B,
            runtime: $crate::BlockingRuntime,
        }

        impl<B> Pending<B> {
            pub(crate) fn new(builder: B, runtime: &$crate::BlockingRuntime) -> Self {
                Self {
                    builder,
                    runtime: runtime.clone(),
                }
            }

            /// Changes the async builder inside: `.with(|b| b.length(8))`.
            pub fn with(mut self, change: impl FnOnce(B) -> B) -> Self {
                self.builder = change(self.builder);
                self
            }

            /// The async builder inside, for its `request()` (what would be sent).
            pub fn builder(&self) -> &B {
                &self.builder
            }

            /// Sends the request and waits for the answer on the client's own runtime.
            ///
            /// Inside an async runtime (a `#[tokio::main]` function, a task, `spawn_blocking`
            /// too) nothing is sent and the error is [`Blocking`](crate::Error::Blocking): use the
            /// async API there.
            pub fn send<T>(self) -> ::std::result::Result<T, $error>
            where
                B: ::std::future::IntoFuture<Output = ::std::result::Result<T, $error>>,
            {
                self.runtime.block_on(self.builder.into_future())?
            }
        }

        impl<B: ::std::fmt::Debug> ::std::fmt::Debug for Pending<B> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple("Pending").field(&self.builder).finish()
            }
        }
    };
}

/// Defines a blocking service's methods, each the async service's method of the same name
/// wrapped in `Pending` with the blocking client's runtime. The service has fields `inner` (the
/// async service) and `runtime`. Each method is listed with its arguments and what the async one
/// returns.
#[macro_export]
#[doc(hidden)]
macro_rules! blocking_calls {
    (
        impl $service:ident {
            $( fn $method:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )*
        }
    ) => {
        impl $service {
            $(
                #[doc = concat!(
                    "[`", stringify!($service), "::", stringify!($method), "`](crate::",
                    stringify!($service), "::", stringify!($method), "), to [`send`](Pending::send)."
                )]
                pub fn $method(&self, $( $arg: $ty ),*) -> Pending<$ret> {
                    Pending::new(self.inner.$method($( $arg ),*), &self.runtime)
                }
            )*
        }
    };
}

/// Defines `Pending<Builder>`'s option setters, each forwarding to the async builder's method
/// of the same name.
#[macro_export]
#[doc(hidden)]
macro_rules! pending_setters {
    ( $( $builder:ident { $( fn $name:ident ( $( $arg:ident : $ty:ty ),* ) ; )* } )* ) => {
        $(
            impl Pending<$builder> {
                $(
                    #[doc = concat!(
                        "[`", stringify!($builder), "::", stringify!($name), "`](",
                        "crate::requests::", stringify!($builder), "::", stringify!($name), ")."
                    )]
                    pub fn $name(self, $( $arg: $ty ),*) -> Self {
                        self.with(|builder| builder.$name($( $arg ),*))
                    }
                )*
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn blocks_outside_a_runtime_and_refuses_inside_one() {
        assert_send_sync::<BlockingRuntime>();
        let runtime = BlockingRuntime::new().unwrap();
        assert_eq!(runtime.block_on(async { 7 }).unwrap(), 7);

        let outer = Builder::new_current_thread().build().unwrap();
        let inside = outer.block_on(async { runtime.block_on(async { 7 }) });
        assert!(matches!(inside, Err(BlockingError::InsideRuntime)));
        // The last clone dropped inside an async runtime shuts down without panicking.
        outer.block_on(async move { drop(runtime) });
    }
}
