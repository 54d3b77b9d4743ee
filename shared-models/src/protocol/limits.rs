//! Appwrite's bounds on the arguments of the custom-token flow, in one place, and the one check
//! the SDKs make before sending.
//!
//! The ranges are what Appwrite 1.9.6 accepts (`Range(min, max)` in
//! `app/controllers/api/users.php` and `account.php`): the emulator refuses outside them as
//! Appwrite does. The SDKs check with [`in_range`] and [`whole_seconds_in`], so both refuse the
//! same values with the same message before anything is sent.
//!
//! ```
//! use std::time::Duration;
//! use appwrite_models::protocol::limits;
//!
//! assert_eq!(limits::in_range("length", 8, &limits::TOKEN_LENGTH), Ok(8));
//! assert_eq!(
//!     limits::whole_seconds_in("expire", Duration::from_secs(600), &limits::TOKEN_EXPIRE_SECS),
//!     Ok(600)
//! );
//! let err = limits::whole_seconds_in("expire", Duration::from_millis(60_500), &limits::TOKEN_EXPIRE_SECS)
//!     .unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "expire must be whole seconds between 60 and 31536000, got 60.5s"
//! );
//! ```

use std::ops::RangeInclusive;
use std::time::Duration;

/// A custom token's secret length in characters (`length` of `POST /users/{userId}/tokens`).
pub const TOKEN_LENGTH: RangeInclusive<u64> = 4..=128;
/// Appwrite's default token length.
pub const TOKEN_LENGTH_DEFAULT: u64 = 6;

/// A custom token's lifetime in seconds, one minute to one year (`expire` of
/// `POST /users/{userId}/tokens`).
pub const TOKEN_EXPIRE_SECS: RangeInclusive<u64> = 60..=31_536_000;
/// Appwrite's default token lifetime in seconds (15 minutes).
pub const TOKEN_EXPIRE_DEFAULT_SECS: u64 = 900;

/// A JWT's lifetime in seconds as Appwrite accepts it (`duration` of `POST /account/jwts` and
/// `POST /users/{userId}/jwts`). Appwrite takes 0, a JWT that has expired when it arrives; the
/// SDKs send [`JWT_DURATION_SENT_SECS`].
pub const JWT_DURATION_SECS: RangeInclusive<u64> = 0..=3600;
/// A JWT's lifetime in seconds as the SDKs send it: at least one second, so a JWT is never dead
/// on arrival.
pub const JWT_DURATION_SENT_SECS: RangeInclusive<u64> = 1..=3600;
/// Appwrite's default JWT lifetime in seconds (15 minutes).
pub const JWT_DURATION_DEFAULT_SECS: u64 = 900;

/// An argument outside the range Appwrite accepts. The message names the argument, the bounds
/// and the value given (bounds and durations only: no id or secret is ever an argument here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} must be {whole}between {low} and {high}, got {got}")]
pub struct OutOfRange {
    name: String,
    whole: &'static str,
    low: u64,
    high: u64,
    got: String,
}

impl OutOfRange {
    fn new(name: &str, whole: &'static str, range: &RangeInclusive<u64>, got: String) -> Self {
        Self {
            name: name.to_owned(),
            whole,
            low: *range.start(),
            high: *range.end(),
            got,
        }
    }
}

/// `value` if it lies within `range` (inclusive), else an error naming `name` and the bounds:
/// `length must be between 4 and 128, got 2`.
pub fn in_range(name: &str, value: u64, range: &RangeInclusive<u64>) -> Result<u64, OutOfRange> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(OutOfRange::new(name, "", range, value.to_string()))
    }
}

/// `value` in seconds if it is a whole number of seconds within `range` (inclusive), else an
/// error naming `name` and the bounds: `expire must be whole seconds between 60 and 31536000, got
/// 59.9s`. A fraction is refused, never dropped: half a second must not become a JWT of 0
/// seconds, nor 60.5 s a different lifetime than the one asked for.
pub fn whole_seconds_in(
    name: &str,
    value: Duration,
    range: &RangeInclusive<u64>,
) -> Result<u64, OutOfRange> {
    if value.subsec_nanos() == 0 && range.contains(&value.as_secs()) {
        Ok(value.as_secs())
    } else {
        // `60.9s`, `0.5s`, `0s`: in the unit of the bounds, as precise as given.
        let got = format!("{}s", value.as_secs_f64());
        Err(OutOfRange::new(name, "whole seconds ", range, got))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive_and_named() {
        let expire = |d| whole_seconds_in("expire", d, &TOKEN_EXPIRE_SECS);
        assert_eq!(expire(Duration::from_secs(60)), Ok(60));
        assert_eq!(expire(Duration::from_secs(31_536_000)), Ok(31_536_000));
        assert_eq!(
            expire(Duration::from_secs(59)).unwrap_err().to_string(),
            "expire must be whole seconds between 60 and 31536000, got 59s"
        );
        assert!(expire(Duration::from_secs(31_536_001)).is_err());
        assert_eq!(in_range("length", 4, &TOKEN_LENGTH), Ok(4));
        assert_eq!(in_range("length", 128, &TOKEN_LENGTH), Ok(128));
        assert_eq!(
            in_range("length", 3, &TOKEN_LENGTH)
                .unwrap_err()
                .to_string(),
            "length must be between 4 and 128, got 3"
        );
        assert!(in_range("length", 129, &TOKEN_LENGTH).is_err());
    }

    #[test]
    fn a_fraction_is_refused_not_dropped() {
        let expire = |d| whole_seconds_in("expire", d, &TOKEN_EXPIRE_SECS);
        assert_eq!(
            expire(Duration::from_millis(60_900))
                .unwrap_err()
                .to_string(),
            "expire must be whole seconds between 60 and 31536000, got 60.9s"
        );
        let jwt = |d| whole_seconds_in("duration", d, &JWT_DURATION_SENT_SECS);
        assert!(jwt(Duration::from_millis(500)).is_err());
        assert!(jwt(Duration::from_millis(1_001)).is_err());
        assert_eq!(jwt(Duration::from_secs(1)), Ok(1));
    }

    #[test]
    fn a_jwt_of_zero_seconds_is_appwrites_to_accept_never_the_sdks_to_send() {
        assert_eq!(
            whole_seconds_in("duration", Duration::ZERO, &JWT_DURATION_SECS),
            Ok(0)
        );
        assert_eq!(
            whole_seconds_in("duration", Duration::ZERO, &JWT_DURATION_SENT_SECS)
                .unwrap_err()
                .to_string(),
            "duration must be whole seconds between 1 and 3600, got 0s"
        );
        assert!(JWT_DURATION_SECS.contains(&JWT_DURATION_DEFAULT_SECS));
        assert!(TOKEN_EXPIRE_SECS.contains(&TOKEN_EXPIRE_DEFAULT_SECS));
        assert!(TOKEN_LENGTH.contains(&TOKEN_LENGTH_DEFAULT));
    }
}
