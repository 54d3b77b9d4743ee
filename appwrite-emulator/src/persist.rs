//! `--state FILE`: the users, tokens, sessions and clock offset in a JSON file, loaded at start
//! and saved atomically (write a temporary file next to it, then rename) periodically and on
//! shutdown. Only secret hashes are stored, except MFA's TOTP secrets and recovery codes, which
//! Appwrite too keeps readable; open MFA challenges are not stored.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::crypto::{Hash, hex};
use crate::records::TokenRecord;
use crate::state::Shared;
use crate::store::Store;

/// The largest state file read (a cap on what a start can allocate).
const MAX_STATE_BYTES: u64 = 512 * 1024 * 1024;
/// Bumped when the layout changes; other versions are refused rather than misread.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Snapshot<S> {
    format: u32,
    clock_offset_ms: i64,
    store: S,
}

/// Why a state file could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StateError {
    #[error("could not read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not an appwrite-emulator state file (format {FORMAT}): {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error(transparent)]
    Untrusted(#[from] crate::trust::Untrusted),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StateError + '_ {
    move |source| StateError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Loads `path` into `shared`; a missing file means a fresh start. A file or folder another
/// user could have written is refused (`trust.rs`).
pub(crate) fn load(shared: &Shared, path: &Path) -> Result<(), StateError> {
    crate::trust::check_state_path(path)?;
    let file = match open_no_follow(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(path)(e)),
    };
    let mut text = Vec::new();
    file.take(MAX_STATE_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(io_error(path))?;
    let invalid = |reason: String| StateError::Invalid {
        path: path.to_owned(),
        reason,
    };
    if text.len() as u64 > MAX_STATE_BYTES {
        return Err(invalid(format!("larger than {MAX_STATE_BYTES} bytes")));
    }
    let snapshot: Snapshot<Store> =
        serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
    if snapshot.format != FORMAT {
        return Err(invalid(format!("format {}", snapshot.format)));
    }
    shared.clock.set_offset_ms(snapshot.clock_offset_ms);
    shared.replace_store(snapshot.store);
    Ok(())
}

/// Opens without following a link at the end of the path (the check before may be stale).
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        Ok(std::fs::File::from(rustix::fs::open(
            path,
            flags,
            Mode::empty(),
        )?))
    }
    #[cfg(not(unix))]
    {
        std::fs::File::open(path)
    }
}

/// Saves `shared` to `path` atomically.
pub(crate) fn save(shared: &Shared, path: &Path) -> Result<(), StateError> {
    let bytes = {
        let store = shared.store();
        let snapshot = Snapshot {
            format: FORMAT,
            clock_offset_ms: shared.clock.offset_ms(),
            store: &*store,
        };
        serde_json::to_vec(&snapshot).map_err(|e| StateError::Invalid {
            path: path.to_owned(),
            reason: e.to_string(),
        })?
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io_error(path))?;
    std::io::Write::write_all(&mut temp, &bytes).map_err(io_error(path))?;
    temp.as_file().sync_all().map_err(io_error(path))?;
    temp.persist(path).map_err(|e| io_error(path)(e.error))?;
    Ok(())
}

/// A SHA-256 digest as lower-case hex.
pub(crate) mod hex_hash {
    use serde::de::Error as _;

    use super::{Deserialize, Deserializer, Hash, Serializer, hex};

    pub(crate) fn serialize<S: Serializer>(hash: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(hash))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_hash(&text).ok_or_else(|| D::Error::custom("a hash must be 64 hex digits"))
    }
}

fn parse_hash(text: &str) -> Option<Hash> {
    let mut hash = [0u8; 32];
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(hash)
}

/// Token hash → tokens, as an object keyed by hex.
pub(crate) mod token_map {
    use serde::de::Error as _;

    use super::{
        Deserialize, Deserializer, Hash, HashMap, Serialize, Serializer, TokenRecord, hex,
    };

    pub(crate) fn serialize<S: Serializer>(
        map: &HashMap<Hash, Vec<TokenRecord>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let keyed: HashMap<String, &Vec<TokenRecord>> =
            map.iter().map(|(k, v)| (hex(k), v)).collect();
        keyed.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<HashMap<Hash, Vec<TokenRecord>>, D::Error> {
        let keyed = HashMap::<String, Vec<TokenRecord>>::deserialize(d)?;
        keyed
            .into_iter()
            .map(|(k, v)| {
                super::parse_hash(&k)
                    .map(|h| (h, v))
                    .ok_or_else(|| D::Error::custom("a token key must be 64 hex digits"))
            })
            .collect()
    }
}

/// The providers, factors and target kinds the emulator writes, back as `&'static str`.
pub(crate) fn known_name<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    const KNOWN: &[&str] = &[
        "token",
        "magic-url",
        "phone",
        "server",
        "email",
        "sms",
        "oauth2",
        "mock",
        "anonymous",
    ];
    let name = String::deserialize(d)?;
    KNOWN
        .iter()
        .find(|k| **k == name)
        .copied()
        .ok_or_else(|| D::Error::custom(format!("unknown provider or factor {name:?}")))
}
