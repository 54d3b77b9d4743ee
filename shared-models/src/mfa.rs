//! Multi-factor authentication: `Factor`, `AuthenticatorType`, `MfaChallenge`, `MfaFactors`,
//! `MfaType` and `MfaRecoveryCodes`.
//!
//! Shapes from Appwrite 1.9.6: `src/Appwrite/Utopia/Response/Model/MFAChallenge.php`,
//! `MFAFactors.php`, `MFAType.php`, `MFARecoveryCodes.php`; factor names from
//! `src/Appwrite/Auth/MFA/Type.php`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::serde_util::null_as_default;
use crate::{ChallengeId, Datetime, RecoveryCode, TotpSecret, UserId};

/// A second factor a session can prove (`POST /account/mfa/challenges`, `factor`), also the names
/// a [`Session`](crate::Session)'s `factors` hold once proven.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Factor {
    /// A code from a TOTP authenticator app (`totp`).
    Totp,
    /// A code sent by SMS to the user's verified phone (`phone`).
    Phone,
    /// A code sent to the user's verified email address (`email`).
    Email,
    /// One of the user's recovery codes, used once (`recoveryCode`).
    RecoveryCode,
}

impl Factor {
    /// The name Appwrite gives the factor: `totp`, `phone`, `email` or `recoveryCode`.
    ///
    /// The official SDKs send the recovery code factor as `recoverycode`: Appwrite's `WhiteList`
    /// accepts either spelling (it compares case-insensitively), but 1.9.6's
    /// `MFA/Challenges/Update.php` proves only a challenge whose stored type is exactly
    /// `Type::RECOVERY_CODE` (`recoveryCode`), so `recoverycode` challenges always fail there
    /// (appwrite/appwrite#10740). We send `recoveryCode` and read either.
    ///
    /// ```
    /// use appwrite_models::Factor;
    /// assert_eq!(Factor::RecoveryCode.as_str(), "recoveryCode");
    /// assert_eq!(Factor::parse("recoverycode"), Some(Factor::RecoveryCode));
    /// assert_eq!(Factor::parse("token"), None);
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::RecoveryCode => "recoveryCode",
        }
    }

    /// The factor named `name` (ASCII case ignored, as Appwrite's validator does), `None` for
    /// names that are not second factors (`token`, `password`, …).
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Totp, Self::Phone, Self::Email, Self::RecoveryCode]
            .into_iter()
            .find(|factor| factor.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Factor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Factor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::parse(&name).ok_or_else(|| serde::de::Error::custom("unknown multi-factor type"))
    }
}

/// A kind of authenticator (`/account/mfa/authenticators/{type}`): only `totp` exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AuthenticatorType {
    /// A TOTP authenticator app (`totp`).
    #[serde(rename = "totp")]
    Totp,
}

impl AuthenticatorType {
    /// The path segment: `totp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
        }
    }
}

impl fmt::Display for AuthenticatorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<AuthenticatorType> for Factor {
    fn from(kind: AuthenticatorType) -> Self {
        match kind {
            AuthenticatorType::Totp => Self::Totp,
        }
    }
}

/// A challenge to prove a second factor (`POST /account/mfa/challenges`); answer it with its id
/// and the code (`PUT /account/mfa/challenges`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MfaChallenge {
    /// Challenge id, to pass with the code.
    #[serde(rename = "$id")]
    pub id: ChallengeId,
    /// When the challenge was created.
    #[serde(rename = "$createdAt", default, deserialize_with = "null_as_default")]
    pub created_at: Datetime,
    /// The user the challenge is for.
    pub user_id: UserId,
    /// When the challenge stops being accepted.
    pub expire: Datetime,
}

impl MfaChallenge {
    /// A challenge, to build one in a test; `created_at` is empty.
    pub fn new(id: impl Into<ChallengeId>, user_id: impl Into<UserId>, expire: Datetime) -> Self {
        Self {
            id: id.into(),
            created_at: Datetime::default(),
            user_id: user_id.into(),
            expire,
        }
    }
}

/// Which second factors the user can use (`GET /account/mfa/factors`,
/// `GET /users/{userId}/mfa/factors`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MfaFactors {
    /// A verified TOTP authenticator exists.
    #[serde(default, deserialize_with = "null_as_default")]
    pub totp: bool,
    /// The user has a verified phone number.
    #[serde(default, deserialize_with = "null_as_default")]
    pub phone: bool,
    /// The user has a verified email address.
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: bool,
    /// The user has unused recovery codes (wire `recoveryCode`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub recovery_code: bool,
}

impl MfaFactors {
    /// Whether `factor` can be used.
    pub fn has(&self, factor: Factor) -> bool {
        match factor {
            Factor::Totp => self.totp,
            Factor::Phone => self.phone,
            Factor::Email => self.email,
            Factor::RecoveryCode => self.recovery_code,
        }
    }

    /// The usable factors, in the order TOTP, email, phone, recovery code.
    ///
    /// ```
    /// use appwrite_models::{Factor, MfaFactors};
    /// let factors: MfaFactors = serde_json::from_str(
    ///     r#"{"totp":true,"phone":false,"email":true,"recoveryCode":true}"#)?;
    /// assert_eq!(factors.available(), [Factor::Totp, Factor::Email, Factor::RecoveryCode]);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn available(&self) -> Vec<Factor> {
        [
            Factor::Totp,
            Factor::Email,
            Factor::Phone,
            Factor::RecoveryCode,
        ]
        .into_iter()
        .filter(|factor| self.has(*factor))
        .collect()
    }
}

/// A new TOTP authenticator (`POST /account/mfa/authenticators/totp`): show `uri` as a QR code
/// or `secret` to type in, then verify a first code with `update_mfa_authenticator`.
///
/// `Debug` shows neither the secret nor the URI (which holds the secret).
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct MfaType {
    /// The shared secret, base32.
    pub secret: TotpSecret,
    /// `otpauth://totp/…?secret=…`: the secret for authenticator apps. Secret too.
    pub uri: TotpSecret,
}

impl fmt::Debug for MfaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaType")
            .field("secret", &self.secret)
            .field("uri", &self.uri)
            .finish()
    }
}

/// The user's recovery codes (`/account/mfa/recovery-codes`, `/users/{userId}/mfa/recovery-codes`).
///
/// `Debug` shows how many codes there are, never a code.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MfaRecoveryCodes {
    /// The codes, each good for one challenge.
    pub recovery_codes: Vec<RecoveryCode>,
}

impl fmt::Debug for MfaRecoveryCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaRecoveryCodes")
            .field("recovery_codes", &self.recovery_codes.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_wire_names() {
        let sent = serde_json::to_string(&[
            Factor::Totp,
            Factor::Phone,
            Factor::Email,
            Factor::RecoveryCode,
        ])
        .unwrap();
        assert_eq!(sent, r#"["totp","phone","email","recoveryCode"]"#);
        let read: Vec<Factor> =
            serde_json::from_str(r#"["recoverycode","recoveryCode","TOTP"]"#).unwrap();
        assert_eq!(
            read,
            [Factor::RecoveryCode, Factor::RecoveryCode, Factor::Totp]
        );
        assert!(serde_json::from_str::<Factor>(r#""token""#).is_err());
        assert_eq!(
            serde_json::to_string(&AuthenticatorType::Totp).unwrap(),
            r#""totp""#
        );
    }

    #[test]
    fn models_decode_appwrite_bodies() {
        let challenge: MfaChallenge = serde_json::from_str(
            r#"{"$id":"bb8ea5c16897e","$createdAt":"2020-10-15T06:38:00.000+00:00",
                "userId":"5e5ea5c168bb8","expire":"2020-10-15T06:53:00.000+00:00"}"#,
        )
        .unwrap();
        assert_eq!(challenge.id, "bb8ea5c16897e");
        assert_eq!(challenge.user_id, "5e5ea5c168bb8");
        assert!(challenge.expire.to_offset_date_time().is_some());
        assert!(serde_json::from_str::<MfaChallenge>(r#"{"$id":"x","expire":""}"#).is_err());

        let factors: MfaFactors =
            serde_json::from_str(r#"{"totp":true,"phone":null,"email":false}"#).unwrap();
        assert!(factors.totp && !factors.phone && !factors.recovery_code);

        let kind: MfaType = serde_json::from_str(
            r#"{"secret":"JBSWY3DPEHPK3PXP","uri":"otpauth://totp/demo:a%40b.c?secret=JBSWY3DPEHPK3PXP&issuer=demo"}"#,
        )
        .unwrap();
        assert_eq!(kind.secret.expose_secret(), "JBSWY3DPEHPK3PXP");
        assert!(kind.uri.expose_secret().starts_with("otpauth://totp/"));
        assert!(!format!("{kind:?}").contains("JBSWY3DPEHPK3PXP"));

        let codes: MfaRecoveryCodes =
            serde_json::from_str(r#"{"recoveryCodes":["a3kf0s0cl2","s0co1as98s"]}"#).unwrap();
        assert_eq!(codes.recovery_codes.len(), 2);
        assert_eq!(codes.recovery_codes[1].expose_secret(), "s0co1as98s");
        let debug = format!("{codes:?}");
        assert!(!debug.contains("a3kf0s0cl2") && !debug.contains("s0co1as98s"));
    }
}
