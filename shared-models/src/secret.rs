//! Secret newtypes: values that authenticate someone and must never be printed.
//!
//! Each type wraps a [`secrecy::SecretString`] (zeroized on drop), prints as `Name([redacted])` in
//! `Debug`, has no `Display` and no `PartialEq` (comparing secrets is a timing side channel;
//! compare [`expose_secret`](ApiKey::expose_secret) values deliberately if you must), and hands its
//! value out only through an explicit `expose_secret()`.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretString::from(value.into()))
            }

            /// Returns the secret itself.
            ///
            /// # Security
            ///
            /// Whoever sees this value can act with it: do not log it, put it in an error message
            /// or send it anywhere but where it belongs.
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }

            /// Whether the value is the empty string (Appwrite sends `""` where it hides a secret).
            pub fn is_empty(&self) -> bool {
                self.0.expose_secret().is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl Default for $name {
            /// The empty secret, as Appwrite sends where it hides one.
            fn default() -> Self {
                Self::new(String::new())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }

        impl From<&String> for $name {
            fn from(value: &String) -> Self {
                Self::new(value.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::new)
            }
        }
    };
}

secret_type! {
    /// An Appwrite API key, sent as `X-Appwrite-Key`. Grants the scopes it was created with.
    ApiKey
}

secret_type! {
    /// The secret of a login token (`Token.secret`): lowercase hex for custom tokens, a 6-digit
    /// code for email and phone tokens. Whoever holds it together with the user id can create a
    /// session.
    TokenSecret
}

secret_type! {
    /// A session credential: Appwrite's encoded session, `base64({"id": userId, "secret": …})`,
    /// exactly as the server sent it (in a cookie it may be URL-encoded). Sent back as
    /// `X-Appwrite-Session` or in a `Cookie` header; see [`crate::credential`].
    SessionCredential
}

secret_type! {
    /// A JSON Web Token from `/account/jwts` or `/users/{id}/jwts`, sent as `X-Appwrite-JWT`.
    JwtSecret
}

secret_type! {
    /// An OAuth2 access or refresh token that Appwrite keeps for a session (`""` for other
    /// providers).
    ProviderToken
}

secret_type! {
    /// The shared secret of a TOTP authenticator (`MfaType.secret`, base32): whoever holds it can
    /// compute the user's one-time codes.
    TotpSecret
}

secret_type! {
    /// A multi-factor recovery code (`MfaRecoveryCodes.recovery_codes`): each one passes a
    /// second-factor challenge once.
    RecoveryCode
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_expose_returns_the_value() {
        let key = ApiKey::new("standard_0123456789abcdef");
        assert_eq!(format!("{key:?}"), "ApiKey([redacted])");
        assert_eq!(key.expose_secret(), "standard_0123456789abcdef");
        let secret: TokenSecret = serde_json::from_str("\"a1b2c3\"").unwrap();
        assert!(!format!("{secret:?}").contains("a1b2c3"));
        assert!(TokenSecret::from("").is_empty());
    }
}
