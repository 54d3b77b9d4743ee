//! What a caller configures with the builder, fixed for the emulator's life, and its defaults.
//! The builder holds a [`Config`] and sets its fields; the started emulator shares it read-only.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::platform::Platforms;

/// Who the mock OAuth2 provider signs in unless told otherwise.
pub const DEFAULT_OAUTH2_IDENTITY: &str = "mock-user@example.com";

/// Appwrite's default session length (`auths.duration`): one year.
const DEFAULT_SESSION_DURATION: Duration = Duration::from_secs(31_536_000);

/// What a caller configured with the builder, fixed for the emulator's life.
#[derive(Clone)]
pub(crate) struct Config {
    pub project: String,
    /// API key → its scopes.
    pub keys: HashMap<String, Arc<HashSet<String>>>,
    pub session_duration: Duration,
    pub rate_limit: bool,
    pub max_body_bytes: usize,
    /// The mock OAuth2 provider signs in at once, without its consent page.
    pub oauth2_auto_approve: bool,
    /// The identity (email) the mock OAuth2 provider signs in by default.
    pub oauth2_identity: String,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// Registered platform hosts: allowed `Origin`s and redirect targets.
    pub platforms: Platforms,
    /// Take the client address from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// `false`: answer like a server without SMTP and SMS providers.
    pub messaging: bool,
    pub limits: Limits,
    /// The project's `auths.maxSessions`: 0 (a 1.9.6 project's default) keeps every session.
    pub max_sessions: usize,
}

/// Caps that keep the emulator's memory bounded.
#[derive(Debug, Clone, Copy)]
#[allow(clippy::struct_field_names)] // each is the maximum of something
pub(crate) struct Limits {
    pub max_users: usize,
    pub max_outbox: usize,
    pub max_rate_limit_keys: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // API keys are credentials: never printed.
        f.debug_struct("Config")
            .field("project", &self.project)
            .field("keys", &self.keys.len())
            .field("session_duration", &self.session_duration)
            .field("rate_limit", &self.rate_limit)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("oauth2_auto_approve", &self.oauth2_auto_approve)
            .field("oauth2_identity", &self.oauth2_identity)
            .field("body_timeout", &self.body_timeout)
            .field("platforms", &self.platforms)
            .field("trust_proxy", &self.trust_proxy)
            .field("messaging", &self.messaging)
            .field("limits", &self.limits)
            .field("max_sessions", &self.max_sessions)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            project: "demo".to_owned(),
            keys: HashMap::new(),
            session_duration: DEFAULT_SESSION_DURATION,
            rate_limit: true,
            max_body_bytes: 1024 * 1024,
            oauth2_auto_approve: false,
            oauth2_identity: DEFAULT_OAUTH2_IDENTITY.to_owned(),
            body_timeout: Duration::from_secs(10),
            platforms: Platforms::new("demo", ["localhost".to_owned(), "127.0.0.1".to_owned()]),
            trust_proxy: false,
            messaging: true,
            limits: Limits {
                max_users: 100_000,
                max_outbox: 10_000,
                max_rate_limit_keys: 100_000,
            },
            max_sessions: 0,
        }
    }
}
