//! Appwrite's email check (utopia-php/emails 0.7.1 `Validator\Email`): the address is trimmed and
//! lower-cased, must have exactly one `@` with something on both sides, and must pass PHP's
//! `filter_var(…, FILTER_VALIDATE_EMAIL)` (php-src `ext/filter/logical_filters.c`: at most 320
//! bytes, then its regular expression), written out here without a regex engine.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Whether Appwrite accepts `email` (the `Email` validator of its `email` params, e.g.
/// `PATCH /users/{userId}/email` and `POST /account/tokens/email`). No I/O: the address is
/// checked as written, never looked up.
///
/// ```
/// use appwrite_models::protocol::rules::is_email;
///
/// assert!(is_email("ada@example.com"));
/// assert!(!is_email("a..b@example.com"));
/// ```
pub fn is_email(email: &str) -> bool {
    let email = email.trim().to_lowercase();
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty() && !domain.is_empty() && filter_validate_email(&email, local, domain)
}

/// PHP's `FILTER_VALIDATE_EMAIL` without `FILTER_FLAG_EMAIL_UNICODE`, for an address with one
/// `@` (a quoted local part holding `@` is refused before, by the single-`@` rule).
fn filter_validate_email(email: &str, local: &str, domain: &str) -> bool {
    // The length check, and the regex's look-aheads: fewer than 255 characters in all and fewer
    // than 65 before the `@` (a quoted pair counts once; the emulator counts bytes, which only
    // differs for addresses at the limit that use quoted pairs).
    email.len() <= 320
        && email.len() < 255
        && local.len() < 65
        && is_local_part(local)
        && (is_host_name(domain) || is_address_literal(domain))
}

/// `atext` (RFC 5322, without `.`) as the regex lists it: letters, digits and
/// ``! # $ % & ' * + - / = ? ^ _ ` { | } ~``.
fn is_atext(b: u8) -> bool {
    matches!(b,
        b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'/'..=b'9' | b'=' | b'?' | b'^'..=b'~'
        | b'A'..=b'Z')
}

/// The local part: pieces separated by single dots, each one or more `atext` or a quoted string.
/// An empty piece (`a..b`, a leading or trailing dot) fails.
fn is_local_part(local: &str) -> bool {
    let bytes = local.as_bytes();
    let mut i = 0;
    loop {
        let start = i;
        if bytes.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match bytes.get(i) {
                    Some(b'"') => break,
                    Some(b'\\') if bytes.get(i + 1).is_some_and(|b| *b <= 0x7F) => i += 2,
                    Some(
                        0x01..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x21 | 0x23..=0x5B | 0x5D..=0x7F,
                    ) => {
                        i += 1;
                    }
                    _ => return false,
                }
            }
            i += 1; // the closing quote
        } else {
            while bytes.get(i).is_some_and(|b| is_atext(*b)) {
                i += 1;
            }
            if i == start {
                return false;
            }
        }
        match bytes.get(i) {
            None => return true,
            Some(b'.') => i += 1,
            Some(_) => return false,
        }
    }
}

/// A host name of at least two labels: labels of letters and digits with inner hyphens, each
/// under 64 characters, the last starting with a letter (or an `xn--` label).
fn is_host_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some((last, rest)) = labels.split_last() else {
        return false;
    };
    let label = |l: &str| {
        !l.is_empty()
            && l.len() < 64
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let top = last.strip_prefix("xn--").map_or_else(
        || last.starts_with(|c: char| c.is_ascii_alphabetic()),
        |rest| !rest.is_empty() && !rest.starts_with('-'),
    );
    !rest.is_empty() && rest.len() <= 126 && rest.iter().all(|l| label(l)) && label(last) && top
}

/// `[192.0.2.1]` or `[IPv6:2001:db8::1]`, as the regex's address literals allow (no leading zeros
/// in IPv4 octets).
fn is_address_literal(domain: &str) -> bool {
    let Some(inner) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) else {
        return false;
    };
    match inner.strip_prefix("ipv6:") {
        Some(v6) => v6.parse::<Ipv6Addr>().is_ok(),
        None => inner.parse::<Ipv4Addr>().is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_email as is_valid;

    #[test]
    fn like_php_filter_validate_email() {
        for ok in [
            "a@b.co",
            "Ada.Lovelace@Example.com",
            " padded@example.com ",
            "o'hara+tag@sub.example.org",
            "\"quoted.dots\"@example.com",
            "x@xn--bcher-kva.example",
            "a@[192.0.2.1]",
            "a@[IPv6:2001:db8::1]",
            "a@b-c--d.e1",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "a..b@example.com",
            ".a@example.com",
            "a.@example.com",
            "a@localhost",
            "a@b",
            "a@b.1c",
            "a@-b.com",
            "a@b-.com",
            "a b@example.com",
            "a@b@c.com",
            "@example.com",
            "a@",
            "(comment)a@example.com",
            "a@[300.0.0.1]",
            "é@example.com",
            "",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(!is_valid(&long_local));
        let long_label = format!("a@{}.com", "b".repeat(64));
        assert!(!is_valid(&long_label));
    }
}
