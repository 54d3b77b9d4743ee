//! The HTTP half shared by Appwrite's Rust SDKs: reqwest client setup, retries, body limits, tracing.
