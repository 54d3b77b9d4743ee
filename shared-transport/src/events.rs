//! The `tracing` events each request emits, under the SDK's own target (`appwrite_server` or
//! `appwrite_client`), so `RUST_LOG=appwrite_server=debug` shows them.

/// Emits a `tracing` event at `$level` under the target of `$platform`'s SDK. A target must be a
/// constant, hence one call site per SDK.
macro_rules! sdk_event {
    ($platform:expr, $level:ident, $($rest:tt)+) => {
        match $platform {
            ::appwrite_models::headers::Platform::Client => {
                ::tracing::$level!(target: "appwrite_client", $($rest)+)
            }
            _ => ::tracing::$level!(target: "appwrite_server", $($rest)+),
        }
    };
}
