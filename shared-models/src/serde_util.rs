//! Serde helpers that make models tolerant of servers of other versions.

use serde::{Deserialize, Deserializer};

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
