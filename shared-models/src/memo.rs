//! [`Memo`]: the last few values a pure function made, kept per process so that building many
//! clients with the same settings does not redo the same work (parsing the endpoint, the SDK
//! header map) every time.

use std::sync::Mutex;

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
