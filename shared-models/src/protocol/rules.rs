//! Appwrite's rules for the arguments the SDKs send, in one place, and the checks both SDKs make
//! before sending and the emulator makes on arrival.
//!
//! Every bound is what Appwrite 1.9.6 accepts (the validators of the route's params in
//! `app/controllers/api/users.php` and `account.php`: `Range`, `Text`, `ArrayList`, `Password`,
//! `Phone`, `Assoc`, `Queries`, and utopia-php/emails' `Email`). The SDKs refuse only what Appwrite
//! would refuse, with a message naming the argument, before anything goes out; the emulator answers
//! Appwrite's own message.
//!
//! ```
//! use std::time::Duration;
//! use appwrite_models::protocol::rules;
//!
//! assert_eq!(rules::in_range("length", 8, &rules::TOKEN_LENGTH), Ok(8));
//! assert_eq!(
//!     rules::whole_seconds_in("expire", Duration::from_secs(600), &rules::TOKEN_EXPIRE_SECS),
//!     Ok(600)
//! );
//! let err = rules::whole_seconds_in("expire", Duration::from_millis(60_500), &rules::TOKEN_EXPIRE_SECS)
//!     .unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "expire must be whole seconds between 60 and 31536000, got 60.5s"
//! );
//! assert!(rules::check_name(&"x".repeat(128)).is_ok());
//! assert_eq!(
//!     rules::check_name(&"x".repeat(129)).unwrap_err().to_string(),
//!     "name must be at most 128 characters"
//! );
//! assert!(rules::check_labels(["admin", "beta2"]).is_ok());
//! assert!(rules::check_phone("+14155552671").is_ok());
//! ```

use std::ops::RangeInclusive;
use std::time::Duration;

mod email;
pub use email::is_email;

/// A custom token's secret length in characters (`length` of `POST /users/{userId}/tokens`).
pub const TOKEN_LENGTH: RangeInclusive<u64> = 4..=128;
/// Appwrite's default token length.
pub const TOKEN_LENGTH_DEFAULT: u64 = 6;

/// A custom token's lifetime in seconds, one minute to one year (`expire` of
/// `POST /users/{userId}/tokens`).
pub const TOKEN_EXPIRE_SECS: RangeInclusive<u64> = 60..=31_536_000;
/// Appwrite's default token lifetime in seconds (15 minutes).
pub const TOKEN_EXPIRE_DEFAULT_SECS: u64 = 900;

/// A JWT's lifetime in seconds as Appwrite's validator takes it (`duration` of
/// `POST /account/jwts` and `POST /users/{userId}/jwts`). 0 passes the validator, then
/// adhocore/jwt 1.1.4 refuses a max age below 1 and Appwrite answers 500 `general_unknown`; the
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

/// A user's name: `Text(128)` (`users.php` createUser and updateName, `account.php`).
pub const NAME_MAX_CHARS: usize = 128;
/// How many labels a user may have: `ArrayList(…, APP_LIMIT_ARRAY_LABELS_SIZE)`.
pub const LABELS_MAX: usize = 1000;
/// A label's length: `Text(36, allowList: a-z A-Z 0-9)`.
pub const LABEL_MAX_CHARS: usize = 36;
/// A password's length in bytes: `src/Appwrite/Auth/Validator/Password.php` (`strlen`, 8 to 256;
/// a project's password policy may ask for more).
pub const PASSWORD_BYTES: RangeInclusive<usize> = 8..=256;
/// A phone number's digits after the `+`: `src/Appwrite/Auth/Validator/Phone.php`
/// (`^\+[1-9]\d{6,14}$`).
pub const PHONE_DIGITS: RangeInclusive<usize> = 7..=15;
/// Preferences: `Assoc`, whose JSON is at most this many bytes.
pub const PREFS_MAX_JSON_BYTES: usize = 65_535;
/// How many queries a list request may carry: `Queries` (`APP_LIMIT_ARRAY_PARAMS_SIZE`).
pub const QUERIES_MAX: usize = 100;
/// A query's length in characters (`APP_LIMIT_ARRAY_ELEMENT_SIZE`).
pub const QUERY_MAX_CHARS: usize = 4096;
/// A search term's length: `Text(256)`.
pub const SEARCH_MAX_CHARS: usize = 256;

/// An argument Appwrite would refuse. The message names the argument and the rule, never the
/// value (a password or a phone number is not for logs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Broken(String);

/// `name` if it has at most [`NAME_MAX_CHARS`] characters (`""` clears a name).
pub fn check_name(name: &str) -> Result<(), Broken> {
    if name.chars().count() <= NAME_MAX_CHARS {
        Ok(())
    } else {
        Err(Broken(format!(
            "name must be at most {NAME_MAX_CHARS} characters"
        )))
    }
}

/// Whether `label` is one Appwrite takes: 1 to [`LABEL_MAX_CHARS`] of `a-z`, `A-Z`, `0-9`.
pub fn is_label(label: &str) -> bool {
    (1..=LABEL_MAX_CHARS).contains(&label.len()) && label.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// At most [`LABELS_MAX`] labels, each one [`is_label`] says Appwrite takes.
pub fn check_labels<L: AsRef<str>>(labels: impl IntoIterator<Item = L>) -> Result<(), Broken> {
    let mut count = 0;
    for label in labels {
        count += 1;
        if !is_label(label.as_ref()) {
            return Err(Broken(format!(
                "each label must be 1 to {LABEL_MAX_CHARS} characters of a-z, A-Z and 0-9"
            )));
        }
    }
    if count > LABELS_MAX {
        return Err(Broken(format!(
            "at most {LABELS_MAX} labels are allowed, got {count}"
        )));
    }
    Ok(())
}

/// A password of [`PASSWORD_BYTES`] bytes (UTF-8). Appwrite validates any password sent, `""`
/// too, except where a route takes `""` to remove it (the SDK method says so).
pub fn check_password(password: &str) -> Result<(), Broken> {
    if PASSWORD_BYTES.contains(&password.len()) {
        Ok(())
    } else {
        Err(Broken(format!(
            "password must be between {} and {} bytes",
            PASSWORD_BYTES.start(),
            PASSWORD_BYTES.end()
        )))
    }
}

/// Whether `phone` is `+` and 7 to 15 digits, the first not `0` (Appwrite's `Phone`, E.164).
pub fn is_phone(phone: &str) -> bool {
    phone.strip_prefix('+').is_some_and(|digits| {
        PHONE_DIGITS.contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

/// A phone number [`is_phone`] takes.
pub fn check_phone(phone: &str) -> Result<(), Broken> {
    if is_phone(phone) {
        Ok(())
    } else {
        Err(Broken(
            "phone must be a '+' and 7 to 15 digits (E.164)".to_owned(),
        ))
    }
}

/// Preferences whose JSON has at most [`PREFS_MAX_JSON_BYTES`] bytes.
pub fn check_prefs_json(json_len: usize) -> Result<(), Broken> {
    if json_len <= PREFS_MAX_JSON_BYTES {
        Ok(())
    } else {
        Err(Broken(format!(
            "prefs must be at most {PREFS_MAX_JSON_BYTES} bytes of JSON, got {json_len}"
        )))
    }
}

/// At most [`QUERIES_MAX`] queries of at most [`QUERY_MAX_CHARS`] characters each.
pub fn check_queries<Q: AsRef<str>>(queries: &[Q]) -> Result<(), Broken> {
    if queries.len() > QUERIES_MAX {
        return Err(Broken(format!(
            "at most {QUERIES_MAX} queries are allowed, got {}",
            queries.len()
        )));
    }
    if queries
        .iter()
        .any(|q| q.as_ref().chars().count() > QUERY_MAX_CHARS)
    {
        return Err(Broken(format!(
            "each query must be at most {QUERY_MAX_CHARS} characters"
        )));
    }
    Ok(())
}

/// A search term of at most [`SEARCH_MAX_CHARS`] characters.
pub fn check_search(search: &str) -> Result<(), Broken> {
    if search.chars().count() <= SEARCH_MAX_CHARS {
        Ok(())
    } else {
        Err(Broken(format!(
            "search must be at most {SEARCH_MAX_CHARS} characters"
        )))
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
    fn value_rules_match_appwrites_validators() {
        assert!(check_name("").is_ok() && check_name(&"é".repeat(128)).is_ok());
        assert!(check_name(&"é".repeat(129)).is_err());
        assert!(check_labels(["admin", "Beta2"]).is_ok());
        assert!(check_labels(Vec::<String>::new()).is_ok());
        assert!(check_labels([""]).is_err());
        assert!(check_labels(["with-dash"]).is_err());
        assert!(check_labels(["a".repeat(37)]).is_err());
        assert!(check_labels(["a".repeat(36)]).is_ok());
        let many: Vec<String> = (0..=LABELS_MAX).map(|i| format!("l{i}")).collect();
        assert!(check_labels(&many).is_err());
        assert!(check_labels(&many[..LABELS_MAX]).is_ok());
        assert!(check_password("12345678").is_ok() && check_password(&"p".repeat(256)).is_ok());
        assert!(
            check_password("éééé").is_ok(),
            "8 bytes, as PHP's strlen counts"
        );
        assert!(check_password("1234567").is_err() && check_password(&"p".repeat(257)).is_err());
        assert!(check_password("").is_err());
        assert!(
            !check_password("1234567")
                .unwrap_err()
                .to_string()
                .contains("1234567")
        );
        for good in ["+14155552671", "+1234567", "+123456789012345"] {
            assert!(check_phone(good).is_ok(), "{good}");
        }
        for bad in [
            "14155552671",
            "+",
            "+123456",
            "+0123456",
            "+1234567890123456",
            "+1 4155552671",
            "+１２３４５６７",
        ] {
            assert!(check_phone(bad).is_err(), "{bad}");
        }
        assert!(check_prefs_json(PREFS_MAX_JSON_BYTES).is_ok());
        assert!(check_prefs_json(PREFS_MAX_JSON_BYTES + 1).is_err());
        let queries = vec!["q".to_owned(); QUERIES_MAX];
        assert!(check_queries(&queries).is_ok());
        assert!(check_queries(&vec!["q"; QUERIES_MAX + 1]).is_err());
        assert!(check_queries(&["x".repeat(QUERY_MAX_CHARS + 1)]).is_err());
        assert!(check_search(&"s".repeat(256)).is_ok() && check_search(&"s".repeat(257)).is_err());
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
