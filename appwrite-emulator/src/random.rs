//! Secrets from the operating system's random source.

use crate::crypto::hex;

/// `n` random bytes.
fn bytes(n: usize) -> Result<Vec<u8>, getrandom::Error> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf)?;
    Ok(buf)
}

/// Appwrite's `Token::generate()`: `substr(bin2hex(random_bytes(ceil(len/2))), 0, len)`, i.e.
/// exactly `len` lower-case hex characters.
pub(crate) fn hex_secret(len: usize) -> Result<String, getrandom::Error> {
    let mut secret = hex(&bytes(len.div_ceil(2))?);
    secret.truncate(len);
    Ok(secret)
}

/// Appwrite's `Code::generate()`: `len` decimal digits.
pub(crate) fn digits(len: usize) -> Result<String, getrandom::Error> {
    // Rejection sampling keeps every digit uniform.
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in bytes(len * 2)? {
            if b < 250 && out.len() < len {
                out.push(char::from(b'0' + b % 10));
            }
        }
    }
    Ok(out)
}

/// A security phrase in Appwrite's form (utopia-php/auth `Phrase`): a capitalised adjective and a
/// lower-case noun, such as `Brave otter`.
pub(crate) fn phrase() -> Result<String, getrandom::Error> {
    const ADJECTIVES: [&str; 16] = [
        "Brave", "Calm", "Clever", "Eager", "Gentle", "Happy", "Jolly", "Kind", "Lively", "Lucky",
        "Proud", "Quick", "Quiet", "Silly", "Swift", "Witty",
    ];
    const NOUNS: [&str; 16] = [
        "badger", "comet", "dolphin", "falcon", "forest", "harbor", "lantern", "meadow", "otter",
        "panda", "pebble", "river", "rocket", "sparrow", "tiger", "willow",
    ];
    let mut pick = [0u8; 2];
    getrandom::fill(&mut pick)?;
    let [adjective, noun] = pick.map(|b| usize::from(b % 16));
    Ok(format!("{} {}", ADJECTIVES[adjective], NOUNS[noun]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for len in [4, 5, 6, 15, 128, 256] {
            let s = hex_secret(len).unwrap();
            assert_eq!(s.len(), len);
            assert!(s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
        }
        let code = digits(6).unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|c| c.is_ascii_digit()));
        assert!(phrase().unwrap().contains(' '));
        assert_ne!(hex_secret(64).unwrap(), hex_secret(64).unwrap());
    }
}
