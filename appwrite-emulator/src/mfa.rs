//! Multi-factor authentication as Appwrite 1.9.6 keeps it: a user's MFA switch, TOTP
//! authenticator, recovery codes and open challenges, a session's proven factors, and the rule
//! that decides whether a session has enough of them (app/controllers/shared/api.php, "Validate
//! MFA requirements"; src/Appwrite/Auth/MFA/).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::crypto::Hash;
use crate::records::{SessionRecord, UserRecord};

/// `TOKEN_EXPIRATION_CONFIRM`: a challenge's `expire` is one hour after its creation.
pub(crate) const CHALLENGE_LIFETIME_MS: Millis = 60 * 60 * 1000;
/// `MFA_RECENT_DURATION`: how long after a challenge a session may read or change recovery codes
/// and delete its authenticator (app/controllers/shared/api/auth.php, the `mfaProtected` group).
pub(crate) const RECENT_MS: Millis = 1800 * 1000;
/// Open challenges kept per user; the oldest go first. Appwrite keeps them all; 10 is what its
/// rate limit lets a session create per hour.
const MAX_CHALLENGES: usize = 10;
/// `Type::generateBackupCodes()`: 6 codes of `Token(10)`, 10 lower-case hex characters each.
const RECOVERY_CODES: usize = 6;
const RECOVERY_CODE_LENGTH: usize = 10;
/// otphp's `DEFAULT_SECRET_SIZE`: 64 random bytes, 103 base32 characters without padding.
const TOTP_SECRET_BYTES: usize = 64;

/// A factor a session can prove, as Appwrite names it (`Appwrite\Auth\MFA\Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Factor {
    #[serde(rename = "totp")]
    Totp,
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "phone")]
    Phone,
    /// `recoveryCode`, in camel case (`Type::RECOVERY_CODE`).
    #[serde(rename = "recoveryCode")]
    RecoveryCode,
}

impl Factor {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::RecoveryCode => "recoveryCode",
        }
    }

    /// The challenge type that `PUT /v1/account/mfa/challenges` can verify: only the exact names.
    /// (`POST` accepts the factor case-insensitively and stores it as sent, so `recoverycode`, what
    /// the official SDKs' `AuthenticationFactor` enum sends, makes a challenge nobody can pass.)
    pub(crate) fn from_challenge_type(name: &str) -> Option<Self> {
        [Self::Totp, Self::Email, Self::Phone, Self::RecoveryCode]
            .into_iter()
            .find(|f| f.as_str() == name)
    }
}

/// A secret the emulator must keep readable (a TOTP secret, a recovery code); never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Sealed(String);

impl Sealed {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A user's TOTP authenticator (the `authenticators` collection; Appwrite reads the first of
/// type `totp`, and creating one replaces an unverified one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Authenticator {
    /// Base32, upper case, no padding.
    pub secret: Sealed,
    pub verified: bool,
}

/// An open challenge (the `challenges` collection).
#[derive(Debug, Clone)]
pub(crate) struct Challenge {
    pub id: String,
    /// The factor as the request sent it (see [`Factor::from_challenge_type`]).
    pub kind: String,
    /// SHA-256 of the emailed or texted code; `None` for TOTP and recovery-code challenges.
    pub code_hash: Option<Hash>,
    pub expire: Millis,
}

/// A user's MFA state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct UserMfa {
    /// The user's `mfa` switch.
    pub enabled: bool,
    pub authenticator: Option<Authenticator>,
    pub recovery_codes: Vec<Sealed>,
    /// Short-lived; not kept in a state file.
    #[serde(skip)]
    pub challenges: Vec<Challenge>,
}

impl UserMfa {
    /// Whether the TOTP authenticator exists and was verified.
    pub(crate) fn totp_verified(&self) -> bool {
        self.authenticator.as_ref().is_some_and(|a| a.verified)
    }

    /// Stores a challenge, first dropping expired ones and then the oldest beyond the cap.
    pub(crate) fn add_challenge(&mut self, challenge: Challenge, now: Millis) {
        self.challenges.retain(|c| c.expire >= now);
        while self.challenges.len() >= MAX_CHALLENGES {
            self.challenges.remove(0);
        }
        self.challenges.push(challenge);
    }

    /// The open challenge `id`. An expired one is dropped and not found: Appwrite 1.9.6 does not
    /// look at `expire` (MFA/Challenges/Update.php), but the emulator forgets challenges when they
    /// expire, so that its memory stays bounded.
    pub(crate) fn challenge(&mut self, id: &str, now: Millis) -> Option<&Challenge> {
        self.challenges.retain(|c| c.expire >= now);
        self.challenges.iter().find(|c| c.id == id)
    }

    pub(crate) fn remove_challenge(&mut self, id: &str) {
        self.challenges.retain(|c| c.id != id);
    }

    /// Uses up a recovery code (`array_diff` then `array_values`); `false` when it is not one.
    pub(crate) fn take_recovery_code(&mut self, code: &str) -> bool {
        let before = self.recovery_codes.len();
        self.recovery_codes.retain(|c| c.expose() != code);
        self.recovery_codes.len() != before
    }
}

/// The factors a session proved after it was created, and when it last passed a challenge.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct SessionMfa {
    /// In the order they were proven, without the session's first factor.
    pub added: Vec<Factor>,
    /// `mfaUpdatedAt`: set by a passed challenge.
    pub updated_at: Option<Millis>,
}

impl SessionRecord {
    /// The session's `factors`: its first factor, then those proven later, each once.
    pub(crate) fn factors(&self) -> Vec<&'static str> {
        let mut all = vec![self.factor];
        for factor in &self.mfa.added {
            if !all.contains(&factor.as_str()) {
                all.push(factor.as_str());
            }
        }
        all
    }

    /// Appends a factor unless the session has it (`array_unique`).
    pub(crate) fn add_factor(&mut self, factor: Factor) {
        if !self.factors().contains(&factor.as_str()) {
            self.mfa.added.push(factor);
        }
    }

    /// The `mfaProtected` group's check: a challenge passed within [`RECENT_MS`].
    pub(crate) fn passed_challenge_recently(&self, now: Millis) -> bool {
        self.mfa
            .updated_at
            .is_some_and(|at| at.saturating_add(RECENT_MS) >= now)
    }
}

impl UserRecord {
    /// Whether the email address is set and verified (the `email` factor is available).
    pub(crate) fn email_factor(&self) -> bool {
        self.email.as_deref().is_some_and(|e| !e.is_empty()) && self.email_verification
    }

    /// Whether the phone number is set and verified.
    pub(crate) fn phone_factor(&self) -> bool {
        self.phone.as_deref().is_some_and(|p| !p.is_empty()) && self.phone_verification
    }

    /// api.php steps 12 and 13: with `mfa` on and any verified email, phone or authenticator, a
    /// session needs two factors, else one. (Only the verification flags count here, not whether
    /// the address is still set.)
    pub(crate) fn needs_more_factors(&self, session: &SessionRecord) -> bool {
        let more = self.email_verification || self.phone_verification || self.mfa.totp_verified();
        let minimum = if self.mfa.enabled && more { 2 } else { 1 };
        session.factors().len() < minimum
    }
}

/// A new TOTP secret as otphp makes it: `Base32::encodeUpper(random_bytes(64))`, padding trimmed.
pub(crate) fn new_totp_secret() -> Result<Sealed, getrandom::Error> {
    let mut bytes = [0u8; TOTP_SECRET_BYTES];
    getrandom::fill(&mut bytes)?;
    match totp_rs::Secret::Raw(bytes.to_vec()).to_encoded() {
        totp_rs::Secret::Encoded(text) => Ok(Sealed(text)),
        totp_rs::Secret::Raw(_) => Err(getrandom::Error::UNEXPECTED),
    }
}

/// The code at `unix_s` for a base32 secret: otphp's defaults as Appwrite uses them (SHA-1, 6
/// digits, 30-second period, epoch 0). `None` when the secret is not base32.
pub(crate) fn totp_code(secret: &Sealed, unix_s: i64) -> Option<String> {
    let bytes = totp_rs::Secret::Encoded(secret.expose().to_owned())
        .to_bytes()
        .ok()?;
    let time = u64::try_from(unix_s).ok()?;
    Some(totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 0, 30, bytes).generate(time))
}

/// `Challenge\TOTP::verify`: `$instance->now() === $otp`, the current period only, no leeway.
pub(crate) fn totp_matches(secret: &Sealed, unix_s: i64, otp: &str) -> bool {
    totp_code(secret, unix_s).is_some_and(|code| code == otp)
}

/// otphp's `getProvisioningUri()`: `otpauth://totp/<rawurlencode(issuer:label)>?issuer=…&secret=…`
/// (the default algorithm, digits and period left out, the rest sorted by key).
pub(crate) fn provisioning_uri(issuer: &str, label: &str, secret: &Sealed) -> String {
    let path = raw_url_encode(&format!("{issuer}:{label}"));
    // http_build_query, then `+` → `%20` as otphp does: the same as rawurlencode.
    format!(
        "otpauth://totp/{path}?issuer={}&secret={}",
        raw_url_encode(issuer),
        raw_url_encode(secret.expose())
    )
}

/// PHP's `rawurlencode`: everything but `A-Z a-z 0-9 - _ . ~` percent-encoded.
fn raw_url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
    out
}

/// `Type::generateBackupCodes()`.
pub(crate) fn new_recovery_codes() -> Result<Vec<Sealed>, getrandom::Error> {
    (0..RECOVERY_CODES)
        .map(|_| crate::random::hex_secret(RECOVERY_CODE_LENGTH).map(Sealed))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1, truncated to 6 digits.
        let secret = Sealed(
            match totp_rs::Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
                totp_rs::Secret::Encoded(s) => s,
                totp_rs::Secret::Raw(_) => unreachable!(),
            },
        );
        assert_eq!(totp_code(&secret, 59).unwrap(), "287082");
        assert_eq!(totp_code(&secret, 1_111_111_109).unwrap(), "081804");
        assert_eq!(totp_code(&secret, 2_000_000_000).unwrap(), "279037");
        assert!(totp_matches(
            &secret,
            60 + 29,
            &totp_code(&secret, 60).unwrap()
        ));
        assert!(!totp_matches(&secret, 90, &totp_code(&secret, 60).unwrap()));
    }

    #[test]
    fn open_challenges_are_capped_and_expire() {
        let mut mfa = UserMfa::default();
        let challenge = |i: usize, expire| Challenge {
            id: format!("c{i}"),
            kind: "email".into(),
            code_hash: None,
            expire,
        };
        for i in 0..25 {
            mfa.add_challenge(challenge(i, 1_000), 0);
        }
        assert_eq!(mfa.challenges.len(), MAX_CHALLENGES);
        assert!(mfa.challenge("c14", 0).is_none(), "the oldest are dropped");
        assert!(
            mfa.challenge("c24", 1_000).is_some(),
            "expire == now is still open"
        );
        assert!(
            mfa.challenge("c24", 1_001).is_none(),
            "an expired challenge was found"
        );
        assert!(mfa.challenges.is_empty(), "expired challenges are dropped");
    }

    #[test]
    fn secrets_codes_and_formats() {
        let secret = new_totp_secret().unwrap();
        assert_eq!(secret.expose().len(), 103);
        assert!(
            secret
                .expose()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        );
        assert_eq!(format!("{secret:?}"), "[redacted]");
        let uri = provisioning_uri("My App", "a+b@example.com", &secret);
        assert_eq!(
            uri,
            format!(
                "otpauth://totp/My%20App%3Aa%2Bb%40example.com?issuer=My%20App&secret={}",
                secret.expose()
            )
        );
        let codes = new_recovery_codes().unwrap();
        assert_eq!(codes.len(), 6);
        assert!(codes.iter().all(|c| {
            c.expose().len() == 10
                && c.expose()
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        }));
    }
}
