//! End-to-end tests and runnable examples for the Appwrite custom-token SDKs; see `examples/` and `tests/`.
