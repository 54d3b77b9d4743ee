//! The loopback HTTP listener: reads requests (bounded in size, time and number), answers each
//! with a small page, and hands the one accepted callback to the caller.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until, timeout};

use super::LoginError;
use super::callback::{Callback, Refusal, Verdict, classify, classify_pasted};

/// The largest request head read; a callback URL is far smaller.
const MAX_REQUEST_BYTES: usize = 16 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long writing one answer may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections read at the same time; more wait in the kernel's backlog.
const MAX_CONNECTIONS: usize = 16;
/// The longest pasted line read.
const MAX_PASTE_BYTES: usize = 16 * 1024;

/// A connection and its request line's method and target (or why it was refused).
type ReadRequest = (TcpStream, Result<(String, String), Refusal>);

/// Lines the user may paste the final URL (or `userId secret`) into.
pub(super) type Paste = Box<dyn AsyncBufRead + Unpin + Send>;

/// Serves until one callback is accepted and `finish` has run on it (the browser then sees
/// whether signing in worked), a failure redirect arrives, or `wait_for` passes with nothing
/// accepted.
pub(super) async fn serve<T, F, Fut>(
    listener: TcpListener,
    state: &str,
    wait_for: Duration,
    mut paste: Option<Paste>,
    finish: F,
) -> Result<T, LoginError>
where
    F: FnOnce(Callback) -> Fut,
    Fut: Future<Output = Result<T, LoginError>>,
{
    let deadline = Instant::now() + wait_for;
    let mut reads: JoinSet<ReadRequest> = JoinSet::new();
    let mut finish = Some(finish);
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
                let stream = running.take().and_then(|(_, stream)| stream);
                if let Some(stream) = stream {
                    let page = match &done {
                        Ok(_) => ("200 OK", "Signed in", "You are signed in. You can close this tab and return to the app."),
                        Err(_) => ("500 Internal Server Error", "Sign-in failed", "Signing in failed. Return to the app for details."),
                    };
                    answer(stream, page.0, page.1, page.2).await;
                }
                return done;
            }
            accepted = async { listener.accept().await }, if reads.len() < MAX_CONNECTIONS => {
                // A failed accept (out of descriptors, a reset) affects that connection only.
                if let Ok((mut stream, _)) = accepted {
                    reads.spawn(async move {
                        let request = match timeout(READ_TIMEOUT, read_request(&mut stream)).await {
                            Ok(request) => request,
                            Err(_) => Err(Refusal::BadRequest),
                        };
                        (stream, request)
                    });
                }
            }
            Some(Ok((stream, request))) = reads.join_next() => {
                let verdict = match request {
                    Ok((method, target)) => classify(&method, &target, state),
                    Err(refusal) => Verdict::Refused(refusal),
                };
                match verdict {
                    Verdict::Callback(callback) => match finish.take() {
                        Some(finish) => {
                            tracing::debug!("loopback login: callback accepted");
                            running = Some((Box::pin(finish(callback)), Some(stream)));
                        }
                        None => refuse(stream, Refusal::AlreadyUsed),
                    },
                    Verdict::Failed { message, error_type } => {
                        let shown = format!("Signing in failed: {message}");
                        answer(stream, "400 Bad Request", "Sign-in failed", &shown).await;
                        return Err(LoginError::Refused { message, error_type });
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
                match line {
                    Some(line) => match judge_paste(line.trim(), state) {
                        Verdict::Callback(callback) => {
                            if let Some(finish) = finish.take() {
                                tracing::debug!("loopback login: pasted callback accepted");
                                running = Some((Box::pin(finish(callback)), None));
                            }
                        }
                        Verdict::Failed { message, error_type } => {
                            return Err(LoginError::Refused { message, error_type });
                        }
                        Verdict::Refused(refusal) => {
                            tracing::warn!(reason = refusal.reason(), "loopback login: pasted text ignored");
                        }
                    },
                    // End of input: keep waiting for the browser.
                    None => paste = None,
                }
            }
            () = sleep_until(deadline), if running.is_none() => {
                return Err(LoginError::TimedOut(wait_for));
            }
        }
    }
}

/// A pasted line: the final URL (state checked), or the two words `userId secret` a backend
/// page showed.
fn judge_paste(line: &str, state: &str) -> Verdict {
    if line.contains("://") {
        return classify_pasted(line, state);
    }
    let mut words = line.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(user_id), Some(secret), None) => Verdict::Callback(Callback {
            user_id: user_id.into(),
            secret: secret.into(),
        }),
        _ => Verdict::Refused(Refusal::BadRequest),
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

/// Reads a request head and returns its method and target.
async fn read_request(stream: &mut TcpStream) -> Result<(String, String), Refusal> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let read = stream
            .read(&mut chunk)
            .await
            .map_err(|_| Refusal::BadRequest)?;
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
    let line = head.lines().next().unwrap_or_default();
    let mut parts = line.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(method), Some(target), Some(version)) if version.starts_with("HTTP/1.") => {
            Ok((method.to_owned(), target.to_owned()))
        }
        _ => Err(Refusal::BadRequest),
    }
}

/// Answers a refused request in the background; the wait goes on.
fn refuse(stream: TcpStream, refusal: Refusal) {
    tracing::debug!(reason = refusal.reason(), "loopback login: request refused");
    let (status, text) = refusal.answer();
    tokio::spawn(answer(stream, status, "Not signed in", text));
}

/// Writes a small HTML page and closes the connection.
async fn answer(mut stream: TcpStream, status: &str, title: &str, text: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{}</p></body></html>",
        escape(text)
    );
    // `no-referrer`: the page's URL holds the secret; nothing it links to may see it.
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
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
