//! Messages the emulator would have sent: email codes, magic links and SMS codes.

use std::fmt;
use std::time::SystemTime;

use serde::Serialize;

/// What kind of message a token was sent by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OutboxKind {
    /// A 6-digit code from `POST /v1/account/tokens/email`.
    Email,
    /// A magic link from `POST /v1/account/tokens/magic-url`.
    MagicUrl,
    /// A 6-digit code from `POST /v1/account/tokens/phone`.
    Phone,
    /// A 6-digit MFA code from `POST /v1/account/mfa/challenges` with `factor` `email`.
    MfaEmail,
    /// A 6-digit MFA code from `POST /v1/account/mfa/challenges` with `factor` `phone`.
    MfaPhone,
}

/// One message the emulator "sent". Read them with [`Emulator::outbox`](crate::Emulator::outbox)
/// or `GET /v1/emulator/outbox`.
///
/// `Debug` does not show the secret.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OutboxMessage {
    /// How it was sent.
    pub kind: OutboxKind,
    /// The id of the token the message carries; for MFA codes, the challenge's id.
    pub token_id: String,
    /// The user the token logs in.
    pub user_id: String,
    /// The recipient: an email address or a phone number.
    pub to: String,
    /// The token secret, to redeem with `POST /v1/account/sessions/token`; for MFA codes, the
    /// `otp` for `PUT /v1/account/mfa/challenges`.
    pub secret: String,
    /// The security phrase, when the request asked for one.
    pub phrase: Option<String>,
    /// For magic links, the full link (`url` with `userId`, `secret`, `expire` and `project` added).
    pub url: Option<String>,
    /// When the message was sent, in emulator time.
    #[serde(serialize_with = "serialize_time")]
    pub sent_at: SystemTime,
    /// When the token (or challenge) expires, in emulator time.
    #[serde(serialize_with = "serialize_time")]
    pub expire: SystemTime,
}

fn serialize_time<S: serde::Serializer>(
    time: &SystemTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&appwrite_models::Datetime::from(*time))
}

impl fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("kind", &self.kind)
            .field("token_id", &self.token_id)
            .field("user_id", &self.user_id)
            .field("to", &self.to)
            .field("secret", &"[redacted]")
            .field("phrase", &self.phrase)
            .field("url", &self.url.as_ref().map(|_| "[redacted]"))
            .field("sent_at", &self.sent_at)
            .field("expire", &self.expire)
            .finish()
    }
}
