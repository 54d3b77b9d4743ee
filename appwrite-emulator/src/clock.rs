//! The emulator's clock, and the conversions between its milliseconds and wire datetimes.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use appwrite_models::Datetime;

/// Milliseconds since the Unix epoch, in emulator time.
pub(crate) type Millis = i64;

/// The emulator's clock: real time plus an offset moved by `advance_time`.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub(crate) fn now_ms(&self) -> Millis {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        real.saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    pub(crate) fn now(&self) -> SystemTime {
        system_time(self.now_ms())
    }

    /// How far the clock is ahead of real time, in milliseconds.
    pub(crate) fn offset_ms(&self) -> Millis {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Puts the clock `offset` milliseconds ahead of real time (a loaded state file's offset).
    pub(crate) fn set_offset_ms(&self, offset: Millis) {
        self.offset_ms.store(offset, Ordering::Relaxed);
    }

    pub(crate) fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        // fetch_update cannot fail with a closure that always returns Some.
        let _ = self
            .offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                Some(o.saturating_add(ms))
            });
    }
}

/// `ms` as Appwrite's wire datetime.
pub(crate) fn datetime(ms: Millis) -> Datetime {
    let nanos = i128::from(ms) * 1_000_000;
    appwrite_models::time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .map_or(Datetime::UNSET, Datetime::from)
}

/// `ms` in Utopia's database format `Y-m-d H:i:s.v` (UTC, no `T`, no offset): what Appwrite
/// answers for a value a controller set in memory with `DateTime::now()` / `addSeconds()` after
/// the database write, without reading it back (utopia-php/database `DateTime::format`).
pub(crate) fn db_datetime(ms: Millis) -> String {
    let Some(at) = datetime(ms).to_offset_date_time() else {
        return String::new();
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// The last millisecond of the year 9999: the end of Appwrite's datetime format, and a time every
/// platform's `SystemTime` can hold.
const LAST_WIRE_MS: Millis = 253_402_300_799_999;

/// `ms` as a `SystemTime`, clamped to the years 1970 to 9999.
pub(crate) fn system_time(ms: Millis) -> SystemTime {
    let ms = u64::try_from(ms.clamp(0, LAST_WIRE_MS)).unwrap_or(0);
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(duration: Duration) -> Millis {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_and_advance() {
        assert_eq!(datetime(1_000).to_string(), "1970-01-01T00:00:01.000+00:00");
        let clock = Clock::default();
        let before = clock.now_ms();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now_ms() >= before + 3_600_000);
    }

    #[test]
    fn database_format() {
        assert_eq!(db_datetime(1_000), "1970-01-01 00:00:01.000");
        assert_eq!(db_datetime(1_796_655_263_123), "2026-12-07 14:54:23.123");
    }
}
