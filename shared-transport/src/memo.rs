//! The only process-wide state of the SDKs: the last few checked endpoints and default header
//! maps, so that building many clients with the same settings does not redo that work.
//!
//! It pays: building a client went from 19.3k to 8.7k instructions with it (the header map 8.0k
//! to 1.1k, the endpoint 6.5k to 0.4k; `BENCHMARKS.md`, issue 8.10's third pass), and an app or
//! a test suite that builds a client per request or per test builds many. What is kept are the
//! results of pure functions of `appwrite-models` for at most [`SLOTS`] inputs each, so nothing
//! a caller sees depends on it but the time taken.

use std::convert::Infallible;
use std::sync::Mutex;

use appwrite_models::headers::Platform;
use appwrite_models::protocol::{Endpoint, EndpointError};
use reqwest::header::{HeaderMap, HeaderValue};

/// [`Endpoint::parse`], kept for the last few endpoints (only successes are kept).
pub(crate) fn endpoint(text: &str) -> Result<Endpoint, EndpointError> {
    static CHECKED: Memo<String, Endpoint> = Memo::new();
    CHECKED.get_or_make(
        |known| known == text,
        || Endpoint::parse(text).map(|endpoint| (text.to_owned(), endpoint)),
    )
}

/// [`project_headers`](appwrite_models::headers::project_headers), kept per platform, version and
/// project.
pub(crate) fn project_headers(
    platform: Platform,
    sdk_version: &str,
    project: &HeaderValue,
) -> HeaderMap {
    static MADE: Memo<(Platform, String, HeaderValue), HeaderMap> = Memo::new();
    let Ok(headers) = MADE.get_or_make(
        |(p, v, id)| *p == platform && v == sdk_version && id == project,
        || {
            let made = appwrite_models::headers::project_headers(platform, sdk_version, project);
            Ok::<_, Infallible>(((platform, sdk_version.to_owned(), project.clone()), made))
        },
    );
    headers
}

/// How many inputs a memo remembers; past that, values are made and not kept.
const SLOTS: usize = 4;

/// The results of a pure function for up to [`SLOTS`] inputs. Never waits: when another thread
/// holds the lock, the caller just makes the value itself.
pub(crate) struct Memo<K, V> {
    slots: Mutex<Vec<(K, V)>>,
}

impl<K, V: Clone> Memo<K, V> {
    pub(crate) const fn new() -> Self {
        Self {
            slots: Mutex::new(Vec::new()),
        }
    }

    /// The value kept for the input `is_key` recognises, else `make`'s (kept when it is `Ok`
    /// and there is room). `make` must give the same value for the same input every time.
    pub(crate) fn get_or_make<E>(
        &self,
        is_key: impl Fn(&K) -> bool,
        make: impl FnOnce() -> Result<(K, V), E>,
    ) -> Result<V, E> {
        if let Ok(slots) = self.slots.try_lock() {
            if let Some((_, value)) = slots.iter().find(|(key, _)| is_key(key)) {
                return Ok(value.clone());
            }
        }
        let (key, value) = make()?;
        if let Ok(mut slots) = self.slots.try_lock() {
            if slots.len() < SLOTS && !slots.iter().any(|(k, _)| is_key(k)) {
                slots.push((key, value.clone()));
            }
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_gives_the_same_endpoint_and_a_refusal_stays_one() {
        for _ in 0..2 {
            let e = endpoint("https://repeat.example.com/v1/").unwrap();
            assert_eq!(e, Endpoint::parse("https://repeat.example.com/v1").unwrap());
            assert_eq!(
                endpoint("https://repeat.example.com/v1#x"),
                Err(EndpointError::QueryOrFragment)
            );
        }
    }

    #[test]
    fn a_repeat_gives_the_same_map_and_another_project_its_own() {
        let demo = HeaderValue::from_static("demo");
        let first = project_headers(Platform::Server, "9.8.7", &demo);
        assert_eq!(project_headers(Platform::Server, "9.8.7", &demo), first);
        assert_eq!(
            first,
            appwrite_models::headers::project_headers(Platform::Server, "9.8.7", &demo)
        );
        let other = project_headers(Platform::Client, "9.8.6", &HeaderValue::from_static("x"));
        assert_eq!(other["x-sdk-platform"], "client");
        assert_eq!(other["x-appwrite-project"], "x");
    }
    use std::cell::Cell;
    use std::convert::Infallible;

    #[test]
    fn makes_each_input_once_and_stops_keeping_when_full() {
        let memo: Memo<u32, String> = Memo::new();
        let made = Cell::new(0);
        let get = |n: u32| {
            memo.get_or_make(
                |k| *k == n,
                || {
                    made.set(made.get() + 1);
                    Ok::<_, Infallible>((n, n.to_string()))
                },
            )
        };
        assert_eq!(get(1), Ok("1".to_owned()));
        assert_eq!(get(1), Ok("1".to_owned()));
        assert_eq!(made.get(), 1);
        for n in 2..=6 {
            assert_eq!(get(n), Ok(n.to_string()));
        }
        assert_eq!(made.get(), 6);
        // Inputs 1 to 4 are kept; 5 and 6 are made again.
        assert_eq!(get(4), Ok("4".to_owned()));
        assert_eq!(made.get(), 6);
        assert_eq!(get(6), Ok("6".to_owned()));
        assert_eq!(made.get(), 7);
    }

    #[test]
    fn failures_are_not_kept() {
        let memo: Memo<u32, u32> = Memo::new();
        assert_eq!(memo.get_or_make(|k| *k == 1, || Err("no")), Err("no"));
        assert_eq!(
            memo.get_or_make(|k| *k == 1, || Ok::<_, &str>((1, 7))),
            Ok(7)
        );
        assert_eq!(memo.get_or_make(|k| *k == 1, || Err("no")), Ok(7));
    }
}
