//! A quick read of a session `Set-Cookie` in the shape Appwrite sends it, for the sign-in path.
//!
//! The `cookie` crate is the parser of record ([`crate::credential`] falls back to it); this
//! reader only saves its cost on the cookies Appwrite actually sends, whose `expires` the crate
//! finds only with its fourth date format (`Thu, 01-Jan-1970 00:00:01 GMT`). It splits and
//! trims exactly as the crate does and answers only when it is sure to reach the crate's
//! decision: any `expires` not in one of the two fixed forms below, or not a real date with its
//! own weekday, and any cookie without a `name=value` pair, is left to the crate.

use std::time::{Duration, SystemTime};

/// What a session cookie says: its value, and whether it clears the session.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Read<'a> {
    pub(crate) value: &'a str,
    pub(crate) clears: bool,
}

/// Reads `raw` as the `cookie` crate would, or `None` when unsure. Only ASCII is read (a header
/// value that is text is visible ASCII), so trimming ASCII whitespace is the crate's `trim`.
pub(crate) fn read(raw: &str, now: SystemTime) -> Option<Read<'_>> {
    if !raw.is_ascii() {
        return None;
    }
    // The value is most of the cookie: `find` looks for its end a word at a time.
    let (pair, mut rest) = match raw.find(';') {
        Some(end) => (&raw[..end], Some(&raw[end + 1..])),
        None => (raw, None),
    };
    let (name, value) = split_at_byte(pair, b'=')?;
    let (name, value) = (name.trim_ascii(), value.trim_ascii());
    if name.is_empty() {
        return None;
    }
    // As the crate keeps them: the last valid `max-age` and the last valid `expires` win.
    let mut max_age_clears = None;
    let mut expires = None;
    while let Some(attributes) = rest {
        let attribute = if let Some((attribute, more)) = split_at_byte(attributes, b';') {
            rest = Some(more);
            attribute
        } else {
            rest = None;
            attributes
        };
        let Some((key, text)) = split_at_byte(attribute, b'=') else {
            continue; // `secure`, `httponly`, …: nothing we read.
        };
        let (key, text) = (key.trim_ascii(), text.trim_ascii());
        if key.eq_ignore_ascii_case("max-age") {
            if let Some(clears) = max_age_clears_session(text) {
                max_age_clears = Some(clears);
            }
        } else if key.eq_ignore_ascii_case("expires") {
            expires = Some(http_date(text)?);
        }
    }
    let clears = value.is_empty()
        || value == "deleted"
        || max_age_clears == Some(true)
        || expires.is_some_and(|at| at <= now);
    Some(Read { value, clears })
}

/// `text` cut around the first `byte` (ASCII), which is dropped. For the short attributes a
/// plain loop beats `find`, whose search is made for long text.
fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == byte)?;
    Some((&text[..at], &text[at + 1..]))
}

/// Whether a `max-age` value ends the cookie at once (zero or negative), as the crate reads it;
/// `None` for a value it ignores. A bare `-` is zero there, and a number too large for `i64`
/// is the largest `i64`.
fn max_age_clears_session(text: &str) -> Option<bool> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Only digits are left: the number is zero exactly when every digit is (an empty string
    // fails to parse in the crate and becomes the largest `i64`).
    Some(negative || (!digits.is_empty() && digits.bytes().all(|b| b == b'0')))
}

const WEEKDAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// `Thu, 01 Jan 1970 00:00:01 GMT` or `Thu, 01-Jan-1970 00:00:01 GMT` (what Appwrite sends), in
/// 1970 to 9999, with the weekday that date has; `None` for anything else.
fn http_date(text: &str) -> Option<SystemTime> {
    let b: &[u8; 29] = text.as_bytes().try_into().ok()?;
    let separator = b[7];
    if &b[3..5] != b", " || !(separator == b' ' || separator == b'-') || b[11] != separator {
        return None;
    }
    if b[16] != b' ' || b[19] != b':' || b[22] != b':' || &b[25..] != b" GMT" {
        return None;
    }
    let number = |at: usize, len: usize| -> Option<u32> {
        b[at..at + len].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let (day, year) = (number(5, 2)?, number(12, 4)?);
    let (hour, minute, second) = (number(17, 2)?, number(20, 2)?, number(23, 2)?);
    let month = MONTHS.iter().position(|m| m[..] == b[8..11])? + 1;
    let month = u32::try_from(month).ok()?;
    if year < 1970 || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    let weekday = usize::try_from(days % 7).ok()?;
    if WEEKDAYS[weekday][..] != b[..3] {
        return None;
    }
    let seconds = days * 86_400 + u64::from(hour * 3600 + minute * 60 + second);
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the date (year ≥ 1970): the proleptic Gregorian count of days, with
/// the year taken to start in March so that the leap day comes last.
fn days_since_epoch(year: u32, month: u32, day: u32) -> u64 {
    let (year, month) = if month <= 2 {
        (u64::from(year) - 1, u64::from(month) + 9)
    } else {
        (u64::from(year), u64::from(month) - 3)
    };
    let era_days = year * 365 + year / 4 - year / 100 + year / 400;
    let in_year = (153 * month + 2) / 5 + u64::from(day) - 1;
    // 719_468 days from 0000-03-01 to 1970-01-01.
    era_days + in_year - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crate's reading, as `credential` makes it.
    fn by_the_crate(raw: &str, now: SystemTime) -> Option<(String, bool)> {
        let cookie = cookie::Cookie::parse(raw).ok()?;
        let value = cookie.value();
        let clears = value.is_empty()
            || value == "deleted"
            || cookie.max_age().is_some_and(|age| age.whole_seconds() <= 0)
            || cookie
                .expires_datetime()
                .and_then(|at| crate::Datetime::from(at).to_system_time())
                .is_some_and(|at| at <= now);
        Some((value.to_owned(), clears))
    }

    #[test]
    fn agrees_with_the_cookie_crate_whenever_it_answers() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000); // 2026-09-21
        let values = [
            "eyJpZCI6%3D",
            "",
            "deleted",
            " spaced ",
            "\"quoted\"",
            "a=b",
        ];
        let attributes = [
            "",
            "; expires=Fri, 01 Jan 2100 00:00:00 GMT",
            "; expires=Fri, 01-Jan-2100 00:00:00 GMT",
            "; Expires=Thu, 01-Jan-1970 00:00:01 GMT",
            "; expires=Mon, 21-Sep-2026 13:46:39 GMT",
            "; expires=Mon, 21-Sep-2026 13:46:40 GMT",
            "; expires=Mon, 21-Sep-2026 13:46:41 GMT",
            "; expires=Thu, 29 Feb 2028 00:00:00 GMT",
            "; expires=Fri, 29 Feb 2027 00:00:00 GMT",
            "; expires=Sat, 01 Jan 2100 00:00:00 GMT",
            "; expires=Fri, 01-Jan-00 00:00:00 GMT",
            "; expires=Fri Jan  1 00:00:00 2100",
            "; expires=Friday, 01-Jan-00 00:00:00 GMT",
            "; expires=Wed, 31 Dec 1969 23:59:59 GMT",
            "; expires=Fri, 01 Jan 2100 24:00:00 GMT",
            "; expires=Fri, 01 Jan 2100 00:00:00 UTC",
            "; expires=not a date",
            "; expires",
            "; Max-Age=0",
            "; max-age=-5",
            "; max-age=-",
            "; max-age=",
            "; max-age=000",
            "; max-age=31536000",
            "; max-age=99999999999999999999",
            "; max-age=12a",
            "; MAX-AGE = 0 ",
            "; path=/; domain=.example.com; secure; httponly; samesite=None",
        ];
        let mut answered = 0;
        let mut cases = 0;
        for value in values {
            for first in attributes {
                for second in attributes {
                    let raw = format!("a_session_demo={value}{first}{second}; path=/");
                    cases += 1;
                    let expected = by_the_crate(&raw, now);
                    if let Some(read) = read(&raw, now) {
                        answered += 1;
                        assert_eq!(
                            Some((read.value.to_owned(), read.clears)),
                            expected,
                            "{raw}"
                        );
                    }
                }
            }
        }
        // About 40%: every case whose dates are all in the two fixed forms (or absent). Far
        // fewer would mean the quick read is not being taken.
        assert!(answered * 3 > cases, "answered {answered} of {cases}");
        assert_eq!(read("no pair", now), None);
        assert_eq!(read(" =x", now), None);
    }

    #[test]
    fn reads_what_appwrite_and_the_emulator_send() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
        let set = "a_session_demo=eyJpZCI6%3D; expires=Tue, 21-Sep-2027 13:46:40 GMT; Max-Age=31536000; path=/; domain=.example.com; secure; httponly; samesite=None";
        assert_eq!(
            read(set, now),
            Some(Read {
                value: "eyJpZCI6%3D",
                clears: false
            })
        );
        let cleared = "a_session_demo=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/; httponly";
        assert_eq!(read(cleared, now).map(|r| r.clears), Some(true));
    }

    #[test]
    fn dates_match_a_calendar() {
        let at = |text: &str| {
            http_date(text)
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map(|d| d.as_secs())
        };
        assert_eq!(at("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(at("Sat, 01-Jan-2000 00:00:00 GMT"), Some(946_684_800));
        assert_eq!(at("Tue, 29 Feb 2000 12:34:56 GMT"), Some(951_827_696));
        assert_eq!(at("Fri, 31 Dec 9999 23:59:59 GMT"), Some(253_402_300_799));
        assert_eq!(at("Mon, 29 Feb 2100 00:00:00 GMT"), None); // 2100 is not a leap year
        assert_eq!(at("Fri, 02 Jan 1970 00:00:00 GMT"), Some(86_400));
        assert_eq!(at("Thu, 02 Jan 1970 00:00:00 GMT"), None); // wrong weekday
        assert_eq!(at("Sun, 01 Mar 2020 00:00:00 GMT"), Some(1_583_020_800));
        assert_eq!(at("Sun, 28 Feb 2021 23:59:59 GMT"), Some(1_614_556_799));
        assert_eq!(at("Mon, 01 Mar 2100 00:00:00 GMT"), Some(4_107_542_400));
    }
}
