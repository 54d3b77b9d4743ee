//! Appwrite's HTML error page: what it says when it does not answer in JSON.
//!
//! Appwrite renders `app/views/general/error.phtml` instead of JSON for every path it does not
//! know (so for every call of an endpoint configured without `/v1`) and for the errors of routes
//! that carry an `error` view label (the OAuth2 redirect routes): `app/controllers/general.php`,
//! the error handler's `str_starts_with($route->getPath(), '/v1')` branch at 1.9.6, which an
//! unmatched request (utopia-php/http's wildcard route, path `''`) never passes. The page holds the error type in
//! `<span class='type'>…</span>` and the message in the `<h1>` of `#views-error`.

use crate::ErrorType;

/// The longest type and message taken from a page; Appwrite's are far shorter.
const MAX_TYPE: usize = 64;
const MAX_MESSAGE: usize = 300;

/// The error type and message of Appwrite's HTML error page, if `body` is one. The type must look
/// like Appwrite's (`[a-z0-9_]`); the message loses its markup and control characters.
pub(super) fn read(body: &[u8]) -> Option<(ErrorType, String)> {
    let page = std::str::from_utf8(body).ok()?;
    let kind = ["<span class='type'>", "<span class=\"type\">"]
        .iter()
        .find_map(|open| between(page, open, "</span>"))?
        .trim();
    let looks_like_a_type = !kind.is_empty()
        && kind.len() <= MAX_TYPE
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !looks_like_a_type {
        return None;
    }
    let message = page
        .find("id=\"views-error\"")
        .and_then(|at| between(&page[at..], "<h1>", "</h1>"))
        .map(plain_text)
        .unwrap_or_default();
    Some((ErrorType::from_wire(kind), message))
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

/// The text of an `htmlspecialchars`-escaped fragment: entities decoded, tags and control
/// characters dropped, white space folded, at most [`MAX_MESSAGE`] characters.
fn plain_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        let decoded = match c {
            '<' => {
                in_tag = true;
                continue;
            }
            '>' if in_tag => {
                in_tag = false;
                continue;
            }
            _ if in_tag => continue,
            '&' => {
                let entity = [
                    ("amp;", '&'),
                    ("lt;", '<'),
                    ("gt;", '>'),
                    ("quot;", '"'),
                    ("#039;", '\''),
                    ("#39;", '\''),
                ]
                .into_iter()
                .find(|(name, _)| rest.starts_with(name));
                match entity {
                    Some((name, value)) => {
                        rest = &rest[name.len()..];
                        value
                    }
                    None => '&',
                }
            }
            c if c.is_control() || c.is_whitespace() => ' ',
            c => c,
        };
        if decoded == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(decoded);
        if out.chars().count() >= MAX_MESSAGE {
            break;
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts of `error.phtml` (1.9.6) that carry the error, as rendered for a missing route.
    const PAGE: &str = "<!DOCTYPE html><html><head><title> - Error</title></head><body>\n\
        <div id=\"views-error\" class=\"content large-error\">\n\
        <div class=\"center\"><span class=\"\">Error 404</span></div>\n\
        <h1>Route not found. Please ensure the endpoint is configured correctly and that the API \
        route is valid for this SDK version. Refer to the API docs for more details.</h1>\n\
        <div class=\"center\"><span class='type'>general_route_not_found</span></div>\n\
        </div></body></html>";

    #[test]
    fn reads_the_type_and_message_of_appwrites_page() {
        let (kind, message) = read(PAGE.as_bytes()).unwrap();
        assert_eq!(kind, ErrorType::GeneralRouteNotFound);
        assert!(
            message.starts_with("Route not found. Please ensure"),
            "{message}"
        );
    }

    #[test]
    fn other_pages_and_odd_text_are_not_read() {
        assert!(read(b"<html><body>502 Bad Gateway</body></html>").is_none());
        assert!(read(b"<span class='type'>Not A Type</span>").is_none());
        assert!(read(b"<span class='type'>\xff</span>").is_none());
        let long = format!("<span class='type'>{}</span>", "a".repeat(65));
        assert!(read(long.as_bytes()).is_none());
    }

    #[test]
    fn the_message_is_plain_bounded_text() {
        let page = "<div id=\"views-error\"><h1>a &amp; b &lt;i&gt;\u{1b}]0;x\u{7}<b>c</b>\n\n d&#039;</h1>\
            <span class='type'>general_unknown</span></div>";
        let (_, message) = read(page.as_bytes()).unwrap();
        assert_eq!(message, "a & b <i> ]0;x c d'");
        let long = format!(
            "<div id=\"views-error\"><h1>{}</h1><span class='type'>general_unknown</span>",
            "x".repeat(1000)
        );
        assert_eq!(read(long.as_bytes()).unwrap().1.len(), MAX_MESSAGE);
    }
}
