//! Serde helpers that make models tolerant of servers of other versions.

use serde::{Deserialize, Deserializer};

use crate::Datetime;

/// Decodes a missing (with `#[serde(default)]`) or `null` field as `T::default()`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// `true` for flags whose absence must not read as "off" (a user's `status`).
pub(crate) fn yes() -> bool {
    true
}

/// Decodes a datetime that no SDK call depends on: one it cannot read becomes unset, with a `warn`
/// event naming the field, instead of failing the whole answer. Only for informational fields
/// (`accessedAt`, `registration`, …); an `expire` stays strict.
fn tolerant_datetime<'de, D>(deserializer: D, field: &'static str) -> Result<Datetime, D::Error>
where
    D: Deserializer<'de>,
{
    let read = match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => Ok(Datetime::UNSET),
        Some(serde_json::Value::String(text)) => {
            Datetime::parse(&text).map_err(|_| "in an unknown format")
        }
        Some(_) => Err("that is not a string"),
    };
    Ok(read.unwrap_or_else(|what| {
        // The value itself is not logged: it is the server's text, and the field is enough to act on.
        tracing::warn!(
            field,
            "appwrite sent a datetime {what}; the field reads as unset"
        );
        Datetime::UNSET
    }))
}

/// One `deserialize_with` function per tolerant field, so the warning can name it.
macro_rules! tolerant_datetimes {
    ($($name:ident => $field:literal,)*) => {$(
        pub(crate) fn $name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Datetime, D::Error> {
            tolerant_datetime(deserializer, $field)
        }
    )*};
}

/// The `deserialize_with` functions of the tolerant datetime fields, named after the field.
pub(crate) mod tolerant {
    use serde::Deserializer;

    use super::tolerant_datetime;
    use crate::Datetime;

    tolerant_datetimes! {
        created_at => "$createdAt",
        updated_at => "$updatedAt",
        registration => "registration",
        password_update => "passwordUpdate",
        accessed_at => "accessedAt",
        provider_access_token_expiry => "providerAccessTokenExpiry",
        mfa_updated_at => "mfaUpdatedAt",
    }
}
