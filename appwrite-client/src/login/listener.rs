//! The loopback HTTP listener: reads requests (bounded in size, time and number), answers each
//! with a small page, and hands the one accepted callback to the caller.

use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::{Instant, sleep_until, timeout};
use url::Url;

use super::LoginError;
use super::callback::{Callback, Expected, Refusal, Request, Verdict, classify, classify_pasted};

/// The largest request head read; a callback URL is far smaller.
const MAX_REQUEST_BYTES: usize = 16 * 1024;
/// How long a connection may stay silent before its first byte: a browser sends its request
/// at once, so an idle connection is dropped soon.
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one connection may take to send its whole request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long writing one answer may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections read at the same time; one more drops the oldest still being read, so idle
/// connections (another local user's, say) never keep a browser's request waiting.
const MAX_CONNECTIONS: usize = 128;
/// The longest pasted line read.
const MAX_PASTE_BYTES: usize = 16 * 1024;

/// A connection and its request head (or why it was refused).
type ReadRequest = (TcpStream, Result<Request, Refusal>);

/// Lines the user may paste the final URL into.
pub(super) type Paste = Box<dyn AsyncBufRead + Unpin + Send>;

/// Told the short reason why a pasted line was not taken.
pub(super) type Notify = Box<dyn FnMut(&str) + Send>;

/// What one wait needs besides the socket.
pub(super) struct Setup {
    pub(super) expected: Expected,
    /// Where the start page sends the browser (none: no start page, only pasting).
    pub(super) sign_in: Option<Url>,
    /// The start page's `Set-Cookie` value.
    pub(super) set_cookie: String,
    pub(super) wait_for: Duration,
    pub(super) paste: Option<Paste>,
    pub(super) on_ignored_paste: Option<Notify>,
}

/// Serves until one callback is accepted and `finish` has run on it (the browser then sees
/// whether signing in worked), a failure redirect arrives, the start page is visited twice, or
/// `wait_for` passes with nothing accepted.
pub(super) async fn serve<T, F, Fut>(
    listener: TcpListener,
    setup: Setup,
    finish: F,
) -> Result<T, LoginError>
where
    F: FnOnce(Callback) -> Fut,
    Fut: Future<Output = Result<T, LoginError>>,
{
    let Setup {
        expected,
        sign_in,
        set_cookie,
        wait_for,
        mut paste,
        mut on_ignored_paste,
    } = setup;
    let deadline = Instant::now() + wait_for;
    let mut reads: JoinSet<ReadRequest> = JoinSet::new();
    let mut oldest_first: VecDeque<AbortHandle> = VecDeque::new();
    let mut finish = Some(finish);
    let mut started = false;
    // The accepted callback's sign-in, and the connection waiting for its page (none when pasted).
    let mut running: Option<(Pin<Box<Fut>>, Option<TcpStream>)> = None;
    loop {
        tokio::select! {
            done = async {
                match running.as_mut() {
                    Some((future, _)) => future.as_mut().await,
                    None => std::future::pending().await,
                }
            } => {
                if let Some(stream) = running.take().and_then(|(_, stream)| stream) {
                    outcome_page(stream, done.is_ok()).await;
                }
                return done;
            }
            accepted = listener.accept() => {
                // A failed accept (out of descriptors, a reset) affects that connection only.
                if let Ok((stream, peer)) = accepted {
                    start_reading(&mut reads, &mut oldest_first, stream, peer);
                }
            }
            Some(joined) = reads.join_next() => {
                // A dropped (aborted) connection: nothing to answer. Matched here rather than in
                // the branch's pattern, which would disable the branch until the next loop.
                let Ok((stream, request)) = joined else {
                    continue;
                };
                let verdict = match request {
                    Ok(request) => classify(&request, &expected),
                    Err(refusal) => Verdict::Refused(refusal),
                };
                match verdict {
                    Verdict::Start => match &sign_in {
                        None => refuse(stream, Refusal::WrongPath),
                        Some(_) if started => {
                            let waiting = running.take().and_then(|(_, waiting)| waiting);
                            started_twice(stream, waiting).await;
                            return Err(LoginError::StartedTwice);
                        }
                        Some(target) => {
                            started = true;
                            tracing::debug!("loopback login: start page visited");
                            let headers = format!("Location: {target}\r\nSet-Cookie: {set_cookie}\r\n");
                            tokio::spawn(answer(stream, "303 See Other", "Signing in", "Continue to the sign-in page.", headers));
                        }
                    },
                    Verdict::Callback(callback) => match finish.take() {
                        Some(finish) => {
                            tracing::debug!("loopback login: callback accepted");
                            running = Some((Box::pin(finish(callback)), Some(stream)));
                        }
                        None => refuse(stream, Refusal::AlreadyUsed),
                    },
                    Verdict::Failed { message, error_type } => {
                        return Err(failure_page(stream, message, error_type).await);
                    }
                    Verdict::Refused(refusal) => refuse(stream, refusal),
                }
            }
            line = async {
                match paste.as_mut() {
                    Some(reader) => read_line(reader).await,
                    None => std::future::pending().await,
                }
            }, if running.is_none() => {
                let Some(line) = line else {
                    // End of input: keep waiting for the browser.
                    paste = None;
                    continue;
                };
                match judge_paste(&line, &expected.state, on_ignored_paste.as_mut()) {
                    Some(Verdict::Callback(callback)) => {
                        if let Some(finish) = finish.take() {
                            tracing::debug!("loopback login: pasted callback accepted");
                            running = Some((Box::pin(finish(callback)), None));
                        }
                    }
                    Some(Verdict::Failed { message, error_type }) => {
                        return Err(LoginError::Refused { message, error_type });
                    }
                    _ => {}
                }
            }
            () = sleep_until(deadline), if running.is_none() => {
                return Err(LoginError::TimedOut(wait_for));
            }
        }
    }
}

/// The page shown to the second visitor of the start page.
const STARTED_TWICE: &str = "This login's start page was opened twice, so another program may have \
     tried to take it over. The login was stopped: start it again from the app.";

/// Tells the browser whose callback was accepted whether signing in worked.
async fn outcome_page(stream: TcpStream, signed_in: bool) {
    if signed_in {
        let text = "You are signed in. You can close this tab and return to the app.";
        answer(stream, "200 OK", "Signed in", text, "").await;
    } else {
        let text = "Signing in failed. Return to the app for details.";
        answer(
            stream,
            "500 Internal Server Error",
            "Sign-in failed",
            text,
            "",
        )
        .await;
    }
}

/// The start page was visited twice: both the second visitor and a browser waiting for its
/// sign-in page are told the login stopped.
async fn started_twice(stream: TcpStream, waiting: Option<TcpStream>) {
    tracing::warn!("loopback login: the start page was opened twice; stopping");
    if let Some(waiting) = waiting {
        tokio::spawn(answer(
            waiting,
            "409 Conflict",
            "Sign-in stopped",
            STARTED_TWICE,
            "",
        ));
    }
    answer(stream, "409 Conflict", "Sign-in stopped", STARTED_TWICE, "").await;
}

/// Judges a pasted line: only this login's callback URL is taken. Anything else but an empty
/// line is answered through `notify` (the wait goes on) and gives `None`.
fn judge_paste(line: &str, state: &str, notify: Option<&mut Notify>) -> Option<Verdict> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    match classify_pasted(line, state) {
        Verdict::Refused(refusal) => {
            tracing::debug!(
                reason = refusal.reason(),
                "loopback login: pasted text ignored"
            );
            if let Some(notify) = notify {
                notify(pasted_refusal(refusal));
            }
            None
        }
        verdict => Some(verdict),
    }
}

/// Shows the browser the failure the other side sent back, and gives the error that ends the
/// wait.
async fn failure_page(
    stream: TcpStream,
    message: String,
    error_type: Option<appwrite_models::ErrorType>,
) -> LoginError {
    let shown = format!("Signing in failed: {message}");
    answer(stream, "400 Bad Request", "Sign-in failed", &shown, "").await;
    LoginError::Refused {
        message,
        error_type,
    }
}

/// Reads one more connection in a task of its own, after making room for it.
fn start_reading(
    reads: &mut JoinSet<ReadRequest>,
    oldest_first: &mut VecDeque<AbortHandle>,
    stream: TcpStream,
    peer: SocketAddr,
) {
    make_room(oldest_first);
    oldest_first.push_back(reads.spawn(read_with_deadlines(stream, peer)));
}

/// Before one more connection is read: at the limit, the oldest still being read is dropped
/// (its task aborted; the select loop then reaps it).
fn make_room(oldest: &mut VecDeque<AbortHandle>) {
    oldest.retain(|handle| !handle.is_finished());
    if oldest.len() >= MAX_CONNECTIONS {
        if let Some(handle) = oldest.pop_front() {
            tracing::debug!("loopback login: too many connections; dropping the oldest");
            handle.abort();
        }
    }
}

/// Reads one request head within the first-byte and whole-request deadlines; a connection from
/// another local user is refused unread.
async fn read_with_deadlines(mut stream: TcpStream, peer: SocketAddr) -> ReadRequest {
    let other_user = match stream.local_addr() {
        // A file read (procfs, no disk, but it grows with the machine's sockets): off the async
        // threads.
        Ok(local) => tokio::task::spawn_blocking(move || super::peer::other_user(peer, local))
            .await
            .ok()
            .flatten(),
        Err(_) => None,
    };
    if other_user == Some(true) {
        return (stream, Err(Refusal::OtherUser));
    }
    let request = match timeout(READ_TIMEOUT, read_request(&mut stream)).await {
        Ok(request) => request,
        Err(_) => Err(Refusal::BadRequest),
    };
    (stream, request)
}

/// What the user is told when a pasted line is not taken (the wait goes on).
fn pasted_refusal(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::WrongState => {
            "That address belongs to another login. Paste the address this login's browser ended on."
        }
        Refusal::Incomplete => {
            "That address carries no user id and secret. Paste the address the browser ended on after signing in."
        }
        _ => {
            "That is not the address the browser ended on (http://127.0.0.1:…/callback?state=…). Paste the whole address, or keep waiting for the browser."
        }
    }
}

/// The next pasted line (capped), or `None` at the end of input or on a read error.
async fn read_line(reader: &mut Paste) -> Option<String> {
    let mut line = String::new();
    let mut limited = reader.take(MAX_PASTE_BYTES as u64);
    match limited.read_line(&mut line).await {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line),
    }
}

/// Reads a request head: its method, target and `Cookie` headers.
async fn read_request(stream: &mut TcpStream) -> Result<Request, Refusal> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let read = if buffer.is_empty() {
            timeout(FIRST_BYTE_TIMEOUT, stream.read(&mut chunk))
                .await
                .map_err(|_| Refusal::BadRequest)?
        } else {
            stream.read(&mut chunk).await
        };
        let read = read.map_err(|_| Refusal::BadRequest)?;
        if read == 0 {
            return Err(Refusal::BadRequest);
        }
        buffer.extend_from_slice(&chunk[..read]);
        if buffer.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
        if buffer.len() > MAX_REQUEST_BYTES {
            return Err(Refusal::BadRequest);
        }
    }
    let head = std::str::from_utf8(&buffer).map_err(|_| Refusal::BadRequest)?;
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or_default();
    let mut parts = line.split(' ');
    let (method, target) = match (parts.next(), parts.next(), parts.next()) {
        (Some(method), Some(target), Some(version)) if version.starts_with("HTTP/1.") => {
            (method.to_owned(), target.to_owned())
        }
        _ => return Err(Refusal::BadRequest),
    };
    let cookies = lines
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("cookie"))
        .map(|(_, value)| value.trim().to_owned())
        .collect();
    Ok(Request {
        method,
        target,
        cookies,
    })
}

/// Answers a refused request in the background; the wait goes on.
fn refuse(stream: TcpStream, refusal: Refusal) {
    tracing::debug!(reason = refusal.reason(), "loopback login: request refused");
    let (status, text) = refusal.answer();
    tokio::spawn(answer(stream, status, "Not signed in", text, ""));
}

/// Writes a small HTML page (after `headers`, each ending in CRLF) and closes the connection.
async fn answer(
    mut stream: TcpStream,
    status: &str,
    title: &str,
    text: &str,
    headers: impl AsRef<str>,
) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{}</p></body></html>",
        escape(text)
    );
    // `no-referrer`: the page's URL holds the secret; nothing it links to may see it.
    let response = format!(
        "HTTP/1.1 {status}\r\n{}Content-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        headers.as_ref(),
        body.len()
    );
    let _ = timeout(WRITE_TIMEOUT, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
