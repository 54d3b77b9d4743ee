//! Hashes and hex: how the emulator keeps token and session secrets.

use sha2::{Digest, Sha256};

/// A SHA-256 digest: how token and session secrets are kept.
pub(crate) type Hash = [u8; 32];

/// SHA-256 of a secret (Appwrite's `Sha` proof hash).
pub(crate) fn sha256(secret: &str) -> Hash {
    Sha256::digest(secret.as_bytes()).into()
}

/// Lower-case hex of some bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digits() {
        assert_eq!(hex(&[0x00, 0xab, 0x0f]), "00ab0f");
        assert_eq!(hex(&sha256("")).len(), 64);
    }
}
