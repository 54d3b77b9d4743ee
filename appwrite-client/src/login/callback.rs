//! What one request to the loopback listener is: the visit to the start page, the sign-in
//! callback, an error the login page or Appwrite sent back, or something to refuse. Pure
//! functions, no I/O.

use std::fmt;

use appwrite_models::{ErrorType, TokenSecret, UserId};
use appwrite_transport::reqwest::Url;

/// The path of the redirect URL.
pub(super) const CALLBACK_PATH: &str = "/callback";
/// The path of the start page: the URL opened in the browser, which carries no secret.
pub(super) const START_PATH: &str = "/start";

/// A request head as the listener read it.
#[derive(Debug)]
pub(super) struct Request {
    pub(super) method: String,
    pub(super) target: String,
    /// The values of the `Cookie` headers.
    pub(super) cookies: Vec<String>,
}

/// What this login accepts: its `state`, and the cookie its start page set.
pub(super) struct Expected {
    pub(super) state: String,
    pub(super) cookie_name: String,
    pub(super) cookie: String,
}

impl fmt::Debug for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expected")
            .field("cookie_name", &self.cookie_name)
            .finish_non_exhaustive()
    }
}

/// The `userId` and `secret` a sign-in delivered; exchange them with
/// [`Account::create_session`](crate::Account::create_session). `Debug` hides the secret.
#[non_exhaustive]
pub struct Callback {
    /// The user the login token belongs to.
    pub user_id: UserId,
    /// The login token's secret.
    pub secret: TokenSecret,
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("user_id", &self.user_id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// How the listener answers one request.
#[derive(Debug)]
pub(super) enum Verdict {
    /// A visit to the start page.
    Start,
    /// The sign-in: `userId` and `secret` with the right `state`.
    Callback(Callback),
    /// The right `state` with Appwrite's `error` (the failure redirect) or an OAuth2-style
    /// `error`: the sign-in failed, and the wait ends.
    Failed {
        message: String,
        error_type: Option<ErrorType>,
    },
    /// Anything else; the wait goes on.
    Refused(Refusal),
}

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// Not the callback path (a favicon, a probe).
    WrongPath,
    /// Not `GET`.
    WrongMethod,
    /// No `state`, or another login attempt's.
    WrongState,
    /// The right `state` without `userId` and `secret`.
    Incomplete,
    /// The right `state` from a browser that did not visit the start page: the `state` may have
    /// been read from a command line by another local user.
    NoCookie,
    /// The connection comes from another user of this computer (Linux tells).
    OtherUser,
    /// A callback came after the one that was accepted.
    AlreadyUsed,
    /// Not an HTTP request this listener reads (too large, malformed, too slow).
    BadRequest,
}

impl Refusal {
    /// The status line and the sentence shown in the browser.
    pub(super) fn answer(self) -> (&'static str, &'static str) {
        match self {
            Self::WrongPath => ("404 Not Found", "There is nothing here."),
            Self::WrongMethod => ("405 Method Not Allowed", "Only GET is served here."),
            Self::WrongState => (
                "403 Forbidden",
                "This sign-in does not belong to the login that is waiting. Start the login again from the app.",
            ),
            Self::Incomplete => (
                "400 Bad Request",
                "The sign-in did not carry a user id and secret.",
            ),
            Self::NoCookie => (
                "403 Forbidden",
                "This browser did not open this login's start page, so the sign-in is not taken from it. Start the login again from the app, or paste this page's address into the app if it asks for it.",
            ),
            Self::OtherUser => (
                "403 Forbidden",
                "This connection comes from another user of this computer.",
            ),
            Self::AlreadyUsed => (
                "409 Conflict",
                "This login has already received its sign-in.",
            ),
            Self::BadRequest => ("400 Bad Request", "The request could not be read."),
        }
    }

    /// What the debug log says (never the query, which may hold a secret).
    pub(super) fn reason(self) -> &'static str {
        match self {
            Self::WrongPath => "wrong path",
            Self::WrongMethod => "wrong method",
            Self::WrongState => "wrong or missing state",
            Self::Incomplete => "no userId or secret",
            Self::NoCookie => "the right state without the start page's cookie",
            Self::OtherUser => "a connection from another local user",
            Self::AlreadyUsed => "a callback was already accepted",
            Self::BadRequest => "unreadable request",
        }
    }
}

/// Judges a request: a visit to the start page, or the callback (`/callback?state=…`), which
/// must carry this login's `state` and the cookie the start page set.
pub(super) fn classify(request: &Request, expected: &Expected) -> Verdict {
    let target = &request.target;
    if !target.starts_with('/') {
        return Verdict::Refused(Refusal::BadRequest);
    }
    let Ok(url) = Url::parse(&format!("http://127.0.0.1{target}")) else {
        return Verdict::Refused(Refusal::BadRequest);
    };
    let start = url.path() == START_PATH;
    if !start && url.path() != CALLBACK_PATH {
        return Verdict::Refused(Refusal::WrongPath);
    }
    if request.method != "GET" {
        return Verdict::Refused(Refusal::WrongMethod);
    }
    if start {
        return Verdict::Start;
    }
    match judge_query(&url, &expected.state) {
        Verdict::Refused(refusal) => Verdict::Refused(refusal),
        // A failure redirect needs the cookie too: otherwise anyone who read the `state` could
        // end the login with a message of their choosing.
        _ if !has_cookie(&request.cookies, &expected.cookie_name, &expected.cookie) => {
            Verdict::Refused(Refusal::NoCookie)
        }
        verdict => verdict,
    }
}

/// Whether one of the `Cookie` header values holds `name=value`.
fn has_cookie(headers: &[String], name: &str, value: &str) -> bool {
    headers
        .iter()
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(n, v)| n == name && same(v.as_bytes(), value.as_bytes()))
}

/// Judges a URL the user pasted (the address the browser could not reach, over SSH).
pub(super) fn classify_pasted(line: &str, state: &str) -> Verdict {
    match Url::parse(line) {
        Ok(url) if url.path() == CALLBACK_PATH => judge_query(&url, state),
        Ok(_) => Verdict::Refused(Refusal::WrongPath),
        Err(_) => Verdict::Refused(Refusal::BadRequest),
    }
}

fn judge_query(url: &Url, state: &str) -> Verdict {
    let mut got_state = None;
    let mut user_id = None;
    let mut secret = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in url.query_pairs() {
        let slot = match &*key {
            "state" => &mut got_state,
            "userId" => &mut user_id,
            "secret" => &mut secret,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        // A repeated parameter is suspicious: refuse rather than pick one.
        if slot.replace(value.into_owned()).is_some() {
            return Verdict::Refused(Refusal::BadRequest);
        }
    }
    if !got_state.is_some_and(|got| same(got.as_bytes(), state.as_bytes())) {
        return Verdict::Refused(Refusal::WrongState);
    }
    if let Some(error) = error {
        return failed(&error, description.as_deref());
    }
    match (user_id, secret) {
        (Some(user_id), Some(secret)) if !user_id.is_empty() && !secret.is_empty() => {
            Verdict::Callback(Callback {
                user_id: user_id.into(),
                secret: secret.into(),
            })
        }
        _ => Verdict::Refused(Refusal::Incomplete),
    }
}

/// Appwrite's failure redirect carries `error={"message","type","code"}`; an OAuth2-style page
/// may send a bare `error` code and `error_description`.
fn failed(error: &str, description: Option<&str>) -> Verdict {
    #[derive(serde::Deserialize)]
    struct AppwriteError {
        #[serde(default)]
        message: String,
        #[serde(rename = "type", default)]
        error_type: String,
    }
    if let Ok(body) = serde_json::from_str::<AppwriteError>(error) {
        return Verdict::Failed {
            message: body.message,
            error_type: Some(ErrorType::from_wire(&body.error_type)),
        };
    }
    let message = match description {
        Some(description) if !description.is_empty() => format!("{error}: {description}"),
        _ => error.to_owned(),
    };
    Verdict::Failed {
        message,
        error_type: None,
    }
}

/// Compares without stopping at the first difference, so timing does not reveal the state.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected() -> Expected {
        Expected {
            state: "s1".into(),
            cookie_name: "appwrite_login_1".into(),
            cookie: "c0ffee".into(),
        }
    }

    /// Judges `method target` from the browser that visited the start page.
    fn classify(method: &str, target: &str, state: &str) -> Verdict {
        let expected = Expected {
            state: state.into(),
            ..expected()
        };
        let request = Request {
            method: method.into(),
            target: target.into(),
            cookies: vec!["other=1; appwrite_login_1=c0ffee".into()],
        };
        super::classify(&request, &expected)
    }

    fn refusal(verdict: Verdict) -> Refusal {
        match verdict {
            Verdict::Refused(refusal) => refusal,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn takes_the_callback_with_the_right_state_only() {
        let ok = classify("GET", "/callback?state=s1&userId=u1&secret=abc", "s1");
        let Verdict::Callback(callback) = ok else {
            panic!("not accepted: {ok:?}");
        };
        assert_eq!(callback.user_id.as_str(), "u1");
        assert_eq!(callback.secret.expose_secret(), "abc");
        assert!(!format!("{callback:?}").contains("abc"));

        let cases = [
            (
                "GET",
                "/other?state=s1&userId=u1&secret=abc",
                Refusal::WrongPath,
            ),
            (
                "GET",
                "/callback/x?state=s1&userId=u1&secret=abc",
                Refusal::WrongPath,
            ),
            (
                "POST",
                "/callback?state=s1&userId=u1&secret=abc",
                Refusal::WrongMethod,
            ),
            (
                "GET",
                "/callback?state=s2&userId=u1&secret=abc",
                Refusal::WrongState,
            ),
            (
                "GET",
                "/callback?state=s&userId=u1&secret=abc",
                Refusal::WrongState,
            ),
            ("GET", "/callback?userId=u1&secret=abc", Refusal::WrongState),
            ("GET", "/callback?state=s1", Refusal::Incomplete),
            (
                "GET",
                "/callback?state=s1&userId=u1&secret=",
                Refusal::Incomplete,
            ),
            (
                "GET",
                "/callback?state=s1&state=s1&userId=u1&secret=a",
                Refusal::BadRequest,
            ),
            ("GET", "http://evil/callback?state=s1", Refusal::BadRequest),
        ];
        for (method, target, expected) in cases {
            assert_eq!(
                refusal(classify(method, target, "s1")),
                expected,
                "{target}"
            );
        }
    }

    #[test]
    fn the_start_page_and_a_callback_without_its_cookie() {
        assert!(matches!(classify("GET", "/start", "s1"), Verdict::Start));
        assert!(matches!(
            classify("GET", "/start?state=x", "s1"),
            Verdict::Start
        ));
        assert_eq!(
            refusal(classify("POST", "/start", "s1")),
            Refusal::WrongMethod
        );
        let target = "/callback?state=s1&userId=u1&secret=abc";
        for cookies in [
            vec![],
            vec!["appwrite_login_1=c0ffe".to_owned()],
            vec!["appwrite_login_2=c0ffee".to_owned()],
            vec!["xappwrite_login_1=c0ffee".to_owned()],
        ] {
            let request = Request {
                method: "GET".into(),
                target: target.into(),
                cookies: cookies.clone(),
            };
            assert_eq!(
                refusal(super::classify(&request, &expected())),
                Refusal::NoCookie,
                "{cookies:?}"
            );
        }
        let failure = Request {
            method: "GET".into(),
            target: "/callback?state=s1&error=access_denied".into(),
            cookies: vec![],
        };
        assert_eq!(
            refusal(super::classify(&failure, &expected())),
            Refusal::NoCookie
        );
        let twice = Request {
            method: "GET".into(),
            target: target.into(),
            cookies: vec!["a=b".into(), "appwrite_login_1=c0ffee".into()],
        };
        assert!(matches!(
            super::classify(&twice, &expected()),
            Verdict::Callback(_)
        ));
    }

    #[test]
    fn appwrite_failure_redirects_and_oauth_errors_end_the_wait() {
        let target = "/callback?state=s1&error=%7B%22message%22%3A%22The%20Mock%20OAuth2%20provider%20returned%20an%20error%3A%20access_denied%22%2C%22type%22%3A%22user_oauth2_provider_error%22%2C%22code%22%3A424%7D";
        let Verdict::Failed {
            message,
            error_type,
        } = classify("GET", target, "s1")
        else {
            panic!("not failed");
        };
        assert_eq!(
            message,
            "The Mock OAuth2 provider returned an error: access_denied"
        );
        assert_eq!(
            error_type.as_ref().map(ErrorType::as_str),
            Some("user_oauth2_provider_error")
        );
        let bare = classify(
            "GET",
            "/callback?state=s1&error=access_denied&error_description=no",
            "s1",
        );
        assert!(
            matches!(bare, Verdict::Failed { message, error_type: None } if message == "access_denied: no")
        );
        // An error with another state is refused like anything else.
        let foreign = classify("GET", "/callback?state=x&error=access_denied", "s1");
        assert_eq!(refusal(foreign), Refusal::WrongState);
    }

    #[test]
    fn pasted_urls_are_judged_like_requests() {
        let pasted = "http://127.0.0.1:53117/callback?state=s1&userId=u1&secret=abc";
        assert!(matches!(
            classify_pasted(pasted, "s1"),
            Verdict::Callback(_)
        ));
        assert_eq!(refusal(classify_pasted(pasted, "s2")), Refusal::WrongState);
        assert_eq!(refusal(classify_pasted("hello", "s1")), Refusal::BadRequest);
    }
}
