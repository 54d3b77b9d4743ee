//! The private runtime behind both SDKs' `blocking` modules, and the macros that give them the
//! same `Pending` call, forwarding methods and builder without a second copy.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, mpsc};
use std::thread::{self, JoinHandle, ThreadId};

use tokio::runtime::{Builder, Handle};
use tokio::sync::mpsc as jobs;

use crate::error::BlockingError;

/// How long the runtime's thread waits, once the last clone is gone, for blocking work left
/// on its pool.
const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// One call, as the runtime's thread runs it: the SDK's future, with its answer sent back.
type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A tokio runtime driven on a thread of its own, owned by one blocking client and its clones,
/// as `reqwest::blocking` does it. Calls are sent to it over a channel and the calling thread
/// waits for the answer.
///
/// The runtime runs between calls too, so the connection pool sees a connection the server
/// closed and does not reuse it. Calls come from any thread (a plain one, a `spawn_blocking`
/// one, several at once). When the last clone goes away the thread ends, and calls still under
/// way end with [`BlockingError::RuntimeGone`]. `Debug` shows nothing of the runtime's internals.
#[derive(Clone)]
pub struct BlockingRuntime {
    inner: Arc<Worker>,
}

/// The runtime's thread and the way in.
struct Worker {
    jobs: Option<jobs::UnboundedSender<Job>>,
    thread: Option<JoinHandle<()>>,
    thread_id: ThreadId,
}

impl BlockingRuntime {
    /// Starts the runtime (the I/O and time drivers a request needs) on a new thread.
    pub fn new() -> Result<Self, BlockingError> {
        let runtime = Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(BlockingError::Runtime)?;
        let (sender, mut receiver) = jobs::unbounded_channel::<Job>();
        let thread = thread::Builder::new()
            .name("appwrite-blocking".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = receiver.recv().await {
                        tokio::spawn(job);
                    }
                });
                // No call is under way (each holds a clone): only blocking work may be left, such
                // as a name lookup that hangs. It is not waited for past this bound; it finishes
                // on its own.
                runtime.shutdown_timeout(SHUTDOWN_WAIT);
            })
            .map_err(BlockingError::Runtime)?;
        Ok(Self {
            inner: Arc::new(Worker {
                jobs: Some(sender),
                thread_id: thread.thread().id(),
                thread: Some(thread),
            }),
        })
    }

    /// Runs `future` on the runtime's thread and waits here for its output.
    ///
    /// Works from any thread. Inside async code it still blocks the calling thread for the
    /// whole call (the runtime it blocks is not this one, so it cannot deadlock): use the
    /// async API there.
    pub fn block_on<F>(&self, future: F) -> Result<F::Output, BlockingError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (answer, answered) = mpsc::sync_channel(1);
        let job: Job = Box::pin(async move {
            // The caller may have gone (its thread panicked): nobody to tell.
            let _ = answer.send(future.await);
        });
        let jobs = self.inner.jobs.as_ref().ok_or(BlockingError::RuntimeGone)?;
        jobs.send(job).map_err(|_| BlockingError::RuntimeGone)?;
        // The job's sender is dropped unanswered only if the runtime ended (or the call
        // panicked on it).
        answered.recv().map_err(|_| BlockingError::RuntimeGone)
    }
}

impl std::fmt::Debug for BlockingRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlockingRuntime")
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the runtime's loop; its thread then drops the runtime.
        drop(self.jobs.take());
        let Some(thread) = self.thread.take() else {
            return;
        };
        // Waited for, as `reqwest::blocking` does, except on the runtime's own thread (a call's
        // future held the last clone) and inside async code, which must not block: there the
        // thread finishes on its own.
        if thread::current().id() != self.thread_id && Handle::try_current().is_err() {
            let _ = thread.join();
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

            /// Sends the request on the client's runtime (its own thread) and waits for the
            /// answer. Any thread may call it, a `spawn_blocking` one too; in async code, await
            /// the async API instead (this blocks the thread for the whole call).
            pub fn send<T>(self) -> ::std::result::Result<T, $error>
            where
                B: ::std::future::IntoFuture<Output = ::std::result::Result<T, $error>>,
                B::IntoFuture: ::std::marker::Send + 'static,
                T: ::std::marker::Send + 'static,
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

/// Defines an SDK's `blocking::ClientBuilder`: the async `crate::ClientBuilder` inside, each
/// setter forwarding to the async one of the same name (the connection settings both SDKs have,
/// listed here, then the SDK's own, listed by the caller), and `build()` giving the blocking
/// `Client` (through `crate::ClientBuilder::build_blocking`). `crate` is meant: the types are the
/// calling SDK's.
#[macro_export]
#[doc(hidden)]
#[allow(clippy::crate_in_macro_def)]
macro_rules! blocking_builder {
    (
        impl ClientBuilder {
            $( $own:tt )*
        }
    ) => {
        $crate::blocking_builder! {
            @setters
            // The connection settings of both SDKs' builders (`HttpConfig`'s):
            fn endpoint(endpoint: impl Into<String>);
            fn project(project: impl Into<String>);
            fn locale(locale: impl Into<String>);
            fn user_agent(user_agent: impl Into<String>);
            fn self_signed(accept: bool);
            fn connect_timeout(timeout: ::std::time::Duration);
            fn read_timeout(timeout: ::std::time::Duration);
            fn timeout(timeout: ::std::time::Duration);
            fn no_timeout();
            fn proxy(proxy: $crate::reqwest::Proxy);
            fn no_proxy();
            fn http_client(client: $crate::reqwest::Client);
            fn retry_policy(policy: $crate::RetryPolicy);
            fn max_response_bytes(limit: usize);
            // (end of the connection settings)
            $( $own )*
        }
    };
    (
        @setters
        $( fn $name:ident ( $( $arg:ident : $ty:ty ),* ) ; )*
    ) => {
        /// The blocking [`Client`]'s builder, from [`Client::builder`]: the settings of
        /// [`crate::ClientBuilder`], each setter the async one of the same name; its
        /// [`build`](Self::build) gives a blocking [`Client`]. `Debug` is the async builder's.
        #[must_use = "a builder does nothing until build() is called"]
        pub struct ClientBuilder {
            inner: crate::ClientBuilder,
        }

        impl ClientBuilder {
            $(
                #[doc = concat!(
                    "[`ClientBuilder::", stringify!($name), "`](crate::ClientBuilder::",
                    stringify!($name), ")."
                )]
                pub fn $name(self, $( $arg: $ty ),*) -> Self {
                    Self {
                        inner: self.inner.$name($( $arg ),*),
                    }
                }
            )*

            /// Checks the settings as [`crate::ClientBuilder::build`] does, and builds the
            /// blocking client with its runtime.
            pub fn build(self) -> Result<Client> {
                self.inner.build_blocking()
            }
        }

        impl ::std::convert::From<crate::ClientBuilder> for ClientBuilder {
            fn from(inner: crate::ClientBuilder) -> Self {
                Self { inner }
            }
        }

        impl ::std::fmt::Debug for ClientBuilder {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.inner, f)
            }
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
    fn runs_calls_from_any_thread_and_ends_with_the_last_clone() {
        assert_send_sync::<BlockingRuntime>();
        let runtime = BlockingRuntime::new().unwrap();
        assert_eq!(runtime.block_on(async { 7 }).unwrap(), 7);
        // The call runs on the runtime's thread, not the caller's.
        let caller = thread::current().id();
        let ran_on = runtime.block_on(async { thread::current().id() }).unwrap();
        assert_ne!(ran_on, caller);

        let outer = Builder::new_current_thread().enable_all().build().unwrap();
        let inside = outer.block_on(async { runtime.block_on(async { 7 }) });
        assert_eq!(
            inside.unwrap(),
            7,
            "no deadlock: the runtime is not this one"
        );
        let from_blocking_pool = outer.block_on(async {
            let runtime = runtime.clone();
            tokio::task::spawn_blocking(move || runtime.block_on(async { 8 }))
                .await
                .unwrap()
        });
        assert_eq!(from_blocking_pool.unwrap(), 8);
        // The last clone dropped inside an async runtime neither panics nor blocks.
        outer.block_on(async move { drop(runtime) });
    }

    #[test]
    fn a_call_left_unanswered_is_runtime_gone_and_the_runtime_runs_on() {
        let runtime = BlockingRuntime::new().unwrap();
        let error = runtime
            .block_on(async {
                assert!(
                    !runtime_gone_test_panics(),
                    "a call that panics on the runtime's thread"
                );
                1
            })
            .unwrap_err();
        assert!(matches!(error, BlockingError::RuntimeGone), "{error:?}");
        assert_eq!(runtime.block_on(async { 2 }).unwrap(), 2);
    }

    fn runtime_gone_test_panics() -> bool {
        true
    }
}
