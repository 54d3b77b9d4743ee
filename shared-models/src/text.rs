//! Text that came from elsewhere, made safe to show: [`Printable`] escapes what could drive a
//! terminal, [`redact`] clears a secret in whatever form it was echoed.

use std::fmt;

/// Shows text from a server or a browser with its control characters escaped (`\u{1b}` for
/// ESC, `\u{a}` for a newline), and the invisible bidirectional-text marks too, so a message can
/// neither drive a terminal (`\x1b]0;…\x07` retitles it, `\x1b[2K` erases a line) nor fake a line
/// of its own (a newline followed by "Signed in"). Everything else is shown as it is.
///
/// ```
/// use appwrite_models::Printable;
///
/// let hostile = "denied\x1b]0;pwned\x07\nSigned in";
/// assert_eq!(
///     Printable(hostile).to_string(),
///     r"denied\u{1b}]0;pwned\u{7}\u{a}Signed in"
/// );
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Printable<'a>(pub &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(needs_escape) {
            f.write_str(&rest[..at])?;
            let mut chars = rest[at..].chars();
            if let Some(c) = chars.next() {
                write!(f, "{}", c.escape_unicode())?;
            }
            rest = chars.as_str();
        }
        f.write_str(rest)
    }
}

/// Control characters (C0, DEL, C1) and the marks that reorder or hide text.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// `text` with every occurrence of `secret` replaced by `[redacted]`, or `None` when it holds
/// none. An occurrence is found in any form a server or proxy may echo it in: any ASCII case
/// (lower-cased, upper-cased), any of its bytes percent-encoded (`%3D` or `%3d` for `=`), and
/// `+` for a space.
pub(crate) fn redact(text: &str, secret: &str) -> Option<String> {
    let secret = secret.as_bytes();
    if secret.is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        match match_at(bytes, at, secret) {
            Some(end) => {
                out.extend_from_slice(&bytes[copied..at]);
                out.extend_from_slice(b"[redacted]");
                copied = end;
                at = end;
            }
            None => at += 1,
        }
    }
    if copied == 0 {
        return None;
    }
    out.extend_from_slice(&bytes[copied..]);
    // Matches start and end on ASCII bytes or whole characters of the secret, so the text stays
    // UTF-8; should it not, a lossy copy is still free of the secret.
    Some(match String::from_utf8(out) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Where a form of `secret` that starts at `start` of `text` ends, if one does.
fn match_at(text: &[u8], start: usize, secret: &[u8]) -> Option<usize> {
    let mut at = start;
    for &want in secret {
        let got = *text.get(at)?;
        let escaped = (got == b'%')
            .then(|| Some((hex(*text.get(at + 1)?)? << 4) | hex(*text.get(at + 2)?)?))
            .flatten();
        at += match escaped {
            Some(byte) if byte.eq_ignore_ascii_case(&want) => 3,
            _ if got.eq_ignore_ascii_case(&want) || (got == b'+' && want == b' ') => 1,
            _ => return None,
        };
    }
    Some(at)
}

fn hex(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_echoed_form_is_redacted() {
        let secret = "eyJ0b2s=+/ x";
        for echoed in [
            "eyJ0b2s=+/ x",
            "EYJ0B2S=+/ X",
            "eyj0b2s=+/ x",
            "eyJ0b2s%3D%2B%2F%20x",
            "eyJ0b2s%3d%2b%2f+x",
            "%65%79%4A0b2s=+/ x",
        ] {
            let text = format!("bad header «{echoed}» twice {echoed}.");
            assert_eq!(
                redact(&text, secret).as_deref(),
                Some("bad header «[redacted]» twice [redacted]."),
                "{echoed}"
            );
        }
        assert_eq!(redact("nothing here", secret), None);
        assert_eq!(
            redact("eyJ0b2s=+/", secret),
            None,
            "a part is not the secret"
        );
        assert_eq!(redact("anything", ""), None);
        assert_eq!(redact("50% off", "off"), Some("50% [redacted]".into()));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(Printable("plain – text").to_string(), "plain – text");
        assert_eq!(
            Printable("a\tb\u{202e}c\u{9b}d\r").to_string(),
            r"a\u{9}b\u{202e}c\u{9b}d\u{d}"
        );
    }
}
