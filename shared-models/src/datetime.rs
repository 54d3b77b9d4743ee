//! Appwrite's datetime format: `2020-10-15T06:38:00.000+00:00` (ISO 8601, milliseconds, numeric
//! offset), with `""` meaning "unset".
//!
//! Appwrite also answers some values in its database's own format, `2020-10-15 06:38:00.000` (UTC,
//! no `T`, no offset): a value a controller sets in memory with `Utopia\Database\DateTime::now()`
//! or `addSeconds()` after the database write is answered without the database's conversion. At
//! 1.9.6, on the routes these SDKs call:
//!
//! | route | field | source |
//! |---|---|---|
//! | any authenticated request, the user's first of the day (`GET /v1/account`, and so `verify_jwt`) | `accessedAt` (`$updatedAt` stays the old one) | `app/controllers/shared/api.php:399` ("accessedAt", `APP_USER_ACCESS`) |
//! | `PATCH /v1/account/sessions/{id}` | `expire`; `providerAccessTokenExpiry` of an OAuth2 session (`$updatedAt` stays the old one) | `app/controllers/api/account.php:841,862` (updateSession) |
//! | `PUT /v1/account/mfa/challenges` | `mfaUpdatedAt` (`$updatedAt` stays the old one) | `Modules/Account/Http/Account/MFA/Challenges/Update.php:150-162` |
//!
//! Read route by route at 1.9.6, every other route these SDKs call answers ISO: the account and
//! users routes answer what `createDocument`, `updateDocument`, `getDocument` or `find` returned
//! (utopia-php/database 6.0.0 decodes datetimes there, `Database.php:5675,6395,4916,8548`), token
//! and session creation format `expire` with `formatTz`, and nothing on the way out reformats a
//! datetime (`Response::output`, `src/Appwrite/Utopia/Response.php:517-606`). A controller that
//! sets a value with `DateTime::now()`/`addSeconds()` and answers its in-memory document is where
//! to look when a route is added. [`Datetime`] reads both formats.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::FormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

const WIRE_FORMAT: &[FormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory]:[offset_minute]"
);

/// Utopia's database format `Y-m-d H:i:s.v`: UTC, a space for the `T`, no offset.
const DATABASE_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]");
/// The same without the fraction (`Y-m-d H:i:s`), as older servers and hand-written fixtures have
/// it.
const DATABASE_FORMAT_SECONDS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// A datetime as Appwrite sends it, or unset (`""` on the wire).
///
/// ```
/// use appwrite_models::Datetime;
/// let d = Datetime::parse("2020-10-15T06:38:00.000+00:00").unwrap();
/// assert_eq!(d.to_string(), "2020-10-15T06:38:00.000+00:00");
/// assert!(Datetime::parse("").unwrap().is_unset());
/// // The database format some answers carry reads as UTC and prints in the wire format.
/// let db = Datetime::parse("2020-10-15 06:38:00.000").unwrap();
/// assert_eq!(db, d);
/// assert_eq!(db.to_string(), "2020-10-15T06:38:00.000+00:00");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Datetime(Option<OffsetDateTime>);

/// The text is neither `""` nor a datetime Appwrite could have sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid datetime: expected a value like 2020-10-15T06:38:00.000+00:00 or 2020-10-15 06:38:00.000"
)]
pub struct DatetimeError;

impl Datetime {
    /// The unset datetime (`""` on the wire).
    pub const UNSET: Self = Self(None);

    /// Parses Appwrite's format or its database format (`2020-10-15 06:38:00.000`, read as UTC);
    /// any RFC 3339 datetime is accepted too, and `""` is unset.
    pub fn parse(text: &str) -> Result<Self, DatetimeError> {
        if text.is_empty() {
            return Ok(Self::UNSET);
        }
        OffsetDateTime::parse(text, &Rfc3339)
            .or_else(|_| OffsetDateTime::parse(text, WIRE_FORMAT))
            .or_else(|_| {
                PrimitiveDateTime::parse(text, DATABASE_FORMAT)
                    .or_else(|_| PrimitiveDateTime::parse(text, DATABASE_FORMAT_SECONDS))
                    .map(PrimitiveDateTime::assume_utc)
            })
            .map(|d| Self(Some(d)))
            .map_err(|_| DatetimeError)
    }

    /// The current time in UTC.
    pub fn now() -> Self {
        Self(Some(OffsetDateTime::now_utc()))
    }

    /// `self` moved forward by `duration` (unset stays unset; saturates at the end of time).
    #[must_use]
    pub fn saturating_add(self, duration: Duration) -> Self {
        let max = time::Duration::try_from(duration).unwrap_or(time::Duration::MAX);
        Self(self.0.map(|d| d.saturating_add(max)))
    }

    /// Whether this is the unset value.
    pub fn is_unset(&self) -> bool {
        self.0.is_none()
    }

    /// The datetime, or `None` when unset.
    pub fn to_offset_date_time(&self) -> Option<OffsetDateTime> {
        self.0
    }

    /// The datetime as a [`SystemTime`], or `None` when unset. A datetime before what the
    /// platform's `SystemTime` can hold (before 1601 on Windows) gives the Unix epoch.
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let since_epoch = self.0? - OffsetDateTime::UNIX_EPOCH;
        let magnitude = since_epoch.unsigned_abs();
        let time = if since_epoch.is_negative() {
            SystemTime::UNIX_EPOCH.checked_sub(magnitude)
        } else {
            SystemTime::UNIX_EPOCH.checked_add(magnitude)
        };
        Some(time.unwrap_or(SystemTime::UNIX_EPOCH))
    }

    /// Whether the datetime lies strictly before `now`. Unset is never expired.
    pub fn is_before(&self, now: SystemTime) -> bool {
        self.to_system_time().is_some_and(|t| t < now)
    }

    /// Time left from `now` until this datetime; zero when it has passed, `None` when unset.
    pub fn remaining(&self, now: SystemTime) -> Option<Duration> {
        self.to_system_time()
            .map(|t| t.duration_since(now).unwrap_or(Duration::ZERO))
    }
}

impl From<OffsetDateTime> for Datetime {
    fn from(value: OffsetDateTime) -> Self {
        Self(Some(value))
    }
}

impl From<SystemTime> for Datetime {
    /// A time beyond what the format holds (years before -9999 or after 9999) saturates there.
    fn from(value: SystemTime) -> Self {
        let epoch = OffsetDateTime::UNIX_EPOCH;
        let to_time = |d: Duration| time::Duration::try_from(d).unwrap_or(time::Duration::MAX);
        let datetime = match value.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => epoch.saturating_add(to_time(after)),
            Err(before) => epoch.saturating_sub(to_time(before.duration())),
        };
        Self(Some(datetime))
    }
}

impl fmt::Display for Datetime {
    /// Appwrite's wire format; unset prints as nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(d) = self.0 else { return Ok(()) };
        // Appwrite emits UTC; keep the offset we were given, but only whole minutes are representable.
        let d = if d.offset().seconds_past_minute() == 0 {
            d
        } else {
            d.to_offset(UtcOffset::UTC)
        };
        match d.format(WIRE_FORMAT) {
            Ok(text) => f.write_str(&text),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl fmt::Debug for Datetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_unset() {
            f.write_str("Datetime(unset)")
        } else {
            write!(f, "Datetime({self})")
        }
    }
}

impl Serialize for Datetime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Datetime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        match text {
            None => Ok(Self::UNSET),
            Some(text) => Self::parse(&text).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_wire_format() {
        let d = Datetime::parse("2020-10-15T06:38:00.123+00:00").unwrap();
        assert_eq!(d.to_string(), "2020-10-15T06:38:00.123+00:00");
        let z = Datetime::parse("2020-10-15T06:38:00Z").unwrap();
        assert_eq!(z.to_string(), "2020-10-15T06:38:00.000+00:00");
        assert!(Datetime::parse("yesterday").is_err());
        let unset: Datetime = serde_json::from_str("null").unwrap();
        assert!(unset.is_unset());
        assert_eq!(serde_json::to_string(&Datetime::UNSET).unwrap(), "\"\"");
    }

    #[test]
    fn reads_the_database_format_as_utc() {
        // `Utopia\Database\DateTime::now()`: `Y-m-d H:i:s.v`.
        let db = Datetime::parse("2026-12-07 13:24:33.788").unwrap();
        assert_eq!(db.to_string(), "2026-12-07T13:24:33.788+00:00");
        assert_eq!(
            db,
            Datetime::parse("2026-12-07T13:24:33.788+00:00").unwrap()
        );
        let seconds = Datetime::parse("2026-12-07 13:24:33").unwrap();
        assert_eq!(seconds.to_string(), "2026-12-07T13:24:33.000+00:00");
        let micros = Datetime::parse("2026-12-07 13:24:33.788123").unwrap();
        assert_eq!(micros.to_string(), "2026-12-07T13:24:33.788+00:00");
        let json: Datetime = serde_json::from_str("\"2026-12-07 13:24:33.788\"").unwrap();
        assert_eq!(json, db);
        // Ours print unchanged.
        for ours in [
            "2020-10-15T06:38:00.123+00:00",
            "2020-10-15T06:38:00.123+02:00",
        ] {
            assert_eq!(Datetime::parse(ours).unwrap().to_string(), ours);
        }
        for bad in [
            "2026-12-07",
            "2026-12-07 13:24",
            "2026-13-07 13:24:33.788",
            "13:24:33",
        ] {
            assert!(Datetime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn remaining_and_expiry() {
        let d = Datetime::parse("2020-10-15T06:38:00.000+00:00").unwrap();
        let after = d.to_system_time().unwrap() + Duration::from_secs(5);
        assert!(d.is_before(after));
        assert_eq!(d.remaining(after), Some(Duration::ZERO));
        assert_eq!(
            d.saturating_add(Duration::from_secs(60)).to_string(),
            "2020-10-15T06:39:00.000+00:00"
        );
    }

    #[test]
    fn system_times_out_of_range_saturate_instead_of_panicking() {
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(400_000 * 31_556_952);
        let d = Datetime::from(far);
        assert_eq!(d.to_string(), "9999-12-31T23:59:59.999+00:00");
        assert!(d.to_system_time().is_some_and(|t| t < far));
        let now = SystemTime::now();
        assert_eq!(Datetime::from(now).to_system_time(), Some(now));
        let old = Datetime::parse("0001-01-01T00:00:00.000+00:00").unwrap();
        assert!(
            old.to_system_time()
                .is_some_and(|t| t <= SystemTime::UNIX_EPOCH)
        );
        assert!(old.is_before(SystemTime::now()));
    }
}
