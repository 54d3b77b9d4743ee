//! Signing in from a desktop or command-line app through the browser, the way `gh auth login`
//! or `gcloud auth login` do: the app listens on `127.0.0.1`, the user signs in in the browser,
//! and the browser is sent back to the app with `userId` and `secret`, which become a session.
//!
//! Two sources of that redirect work the same way:
//!
//! - **Appwrite's OAuth2 token flow** (`GET /v1/account/tokens/oauth2/{provider}`): [`oauth2`] does
//!   it in one call; [`Account::oauth2_token_url`](crate::Account::oauth2_token_url) builds the
//!   URL.
//! - **Your own backend**: it signs the user in its own way, mints a token with
//!   `appwrite-server`'s `Users::create_token`, and redirects the browser to the URL it was given
//!   with `userId` and `secret` added to its query. [`LoopbackLogin::url_from_template`] builds
//!   the URL to open.
//!
//! ```no_run
//! # async fn run(account: appwrite_client::Account) -> Result<(), appwrite_client::login::LoginError> {
//! use appwrite_client::login::LoopbackLogin;
//!
//! let login = LoopbackLogin::bind().await?;                      // 127.0.0.1, a free port
//! let url = login.url_from_template("https://app.example.com/cli-login?redirect={redirect_uri}")?;
//! let login = login.sign_in_url(url);                            // where the start page leads
//! let open = login.start_url();                                  // no secret in it
//! if !appwrite_client::login::open_browser(&open) {
//!     println!("Open this URL to sign in:\n{open}");
//! }
//! let session = login.finish(&account).await?;                  // saved to the client's store
//! # let _ = session;
//! # Ok(())
//! # }
//! ```
//!
//! # What the listener accepts
//!
//! The browser is opened on the **start page** ([`LoopbackLogin::start_url`],
//! `http://127.0.0.1:PORT/start`), which carries no secret: it sets a one-time cookie
//! (`HttpOnly`, `SameSite=Lax`, only for the callback's path) and redirects to the sign-in page
//! ([`LoopbackLogin::sign_in_url`]). The URL a program opens is on its command line, which every
//! local user can read (`/proc/PID/cmdline`); what the start page answers is not. A second visit
//! to the start page ends the wait with [`LoginError::StartedTwice`]: whoever came first, the
//! login stops rather than sign the app in to someone else's account.
//!
//! Then exactly one callback: a `GET` of the redirect URL's path carrying the same random
//! `state` (so another site cannot sign the user in to an account of its choosing) and the start
//! page's cookie, with `userId` and `secret`, or with Appwrite's `error` (the failure redirect),
//! which ends the wait with [`LoginError::Refused`]. Everything else (another path or method, a
//! missing or wrong `state`, no cookie, no `userId`/`secret`, a second callback) is answered with
//! a short error page and the wait goes on. Requests are read with a size cap, a first-byte
//! deadline of 2 seconds and a per-request time limit; past 128 connections being read the
//! oldest is dropped, so idle connections cannot hold the browser's out. The whole wait ends
//! after [`LoopbackLogin::timeout`] (default 5 minutes) with [`LoginError::TimedOut`]. The
//! browser sees "signed in, you can close this tab" only once the session was created. Logs
//! name why a request was refused, never its query: the secret is never logged.
//!
//! On Linux, a connection from another local user is refused before it is read, the start page
//! included: the kernel's socket table (`/proc/net/tcp`) names the owner of the connecting
//! socket.
//!
//! What remains: elsewhere, a local program that visits the start page before the browser does,
//! and completes the whole sign-in with the provider before the browser's first request
//! arrives, wins the race (the browser then finds the listener gone and the app signed in to
//! that account); it takes an automated sign-in faster than a browser's start, and the app
//! should show who is signed in afterwards. And a program that can trace or read the app's
//! memory (the same user, or root) can do anything the app can: no loopback scheme protects
//! against it.
//!
//! # Over SSH
//!
//! A browser on another machine cannot reach this machine's `127.0.0.1`: neither the start page
//! nor the callback. Give that browser the sign-in URL itself (it carries `state`); its redirect
//! back fails, but the address bar shows the final URL. With [`LoopbackLogin::paste_from`]
//! (standard input, say), the user pastes that URL: it is taken only as this login's callback
//! (its `state` is checked); anything else is refused with a short message (see
//! [`LoopbackLogin::on_ignored_paste`]) and the wait goes on.

mod callback;
mod listener;
mod oauth2;
mod peer;

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use appwrite_models::{ErrorType, Session};
use tokio::io::AsyncBufRead;
use tokio::net::TcpListener;
use url::Url;

use crate::account::Account;
use crate::error::Error;

pub use callback::Callback;
pub use oauth2::{OAuth2Login, Prompt, oauth2};

use callback::{CALLBACK_PATH, Expected, START_PATH};
use listener::{Notify, Paste, Setup};

/// How long [`LoopbackLogin`] waits for the browser by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A loopback sign-in failed. Messages never hold the secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The listener could not bind `127.0.0.1`.
    #[error("could not listen on 127.0.0.1:{port}")]
    Bind {
        /// The port asked for (0 for any free port).
        port: u16,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// No sign-in arrived in time.
    #[error("no sign-in arrived within {0:?}")]
    TimedOut(Duration),
    /// The sign-in failed on the other side: Appwrite's failure redirect (the user cancelled,
    /// the provider refused, …) or the login page's `error`. `Display` shows the message
    /// [`Printable`](appwrite_models::Printable): its control characters escaped, so the other
    /// side cannot write to the terminal.
    #[error("the sign-in failed: {}", appwrite_models::Printable(message))]
    Refused {
        /// What the other side said.
        message: String,
        /// Appwrite's error type, when the failure came from Appwrite.
        error_type: Option<ErrorType>,
    },
    /// The start page was opened twice: another local program may have read its URL (a
    /// browser's command line is public) and tried to take the login over. Start again.
    #[error(
        "the login's start page was opened twice (another program may have tried to take the login over); start the login again"
    )]
    StartedTwice,
    /// A URL template without `{redirect_uri}`.
    #[error("the login URL template has no {{redirect_uri}} placeholder")]
    Template,
    /// The [sign-in URL](LoopbackLogin::sign_in_url) is not an absolute `http(s)` URL.
    #[error("the sign-in URL is not an absolute http or https URL")]
    SignInUrl,
    /// The operating system's random source failed (needed for `state`).
    #[error("the operating system's random source failed")]
    Random,
    /// Building the sign-in URL or creating the session failed.
    #[error("signing in failed")]
    Client(#[source] Error),
}

impl From<Error> for LoginError {
    fn from(error: Error) -> Self {
        Self::Client(error)
    }
}

/// A loopback listener waiting for one sign-in; see the [module docs](self).
#[derive(Debug)]
#[must_use = "call finish() or wait() to receive the sign-in"]
pub struct LoopbackLogin {
    listener: TcpListener,
    addr: SocketAddr,
    expected: Expected,
    redirect_url: String,
    start_url: String,
    sign_in: Option<String>,
    timeout: Duration,
    paste: Option<PasteSource>,
}

/// Where pasted lines come from and who hears about ignored ones (not printed).
#[derive(Default)]
struct PasteSource {
    input: Option<Paste>,
    on_ignored: Option<Notify>,
}

impl std::fmt::Debug for PasteSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasteSource")
    }
}

impl LoopbackLogin {
    /// Listens on `127.0.0.1` on a free port, with a fresh random `state`.
    pub async fn bind() -> Result<Self, LoginError> {
        Self::bind_port(0).await
    }

    /// Listens on `127.0.0.1:port` (for a backend or provider that allows one fixed redirect).
    pub async fn bind_port(port: u16) -> Result<Self, LoginError> {
        let bind_error = |source| LoginError::Bind { port, source };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let state = random_hex()?;
        let redirect_url = format!("http://{addr}{CALLBACK_PATH}?state={state}");
        Ok(Self {
            listener,
            addr,
            expected: Expected {
                state,
                // Cookies are shared by every port of a host: one name per listener.
                cookie_name: format!("appwrite_login_{}", addr.port()),
                cookie: random_hex()?,
            },
            redirect_url,
            start_url: format!("http://{addr}{START_PATH}"),
            sign_in: None,
            timeout: DEFAULT_TIMEOUT,
            paste: None,
        })
    }

    /// How long to wait for the browser (default 5 minutes). The time spent creating the session
    /// after the callback arrived does not count.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Where the [start page](Self::start_url) sends the browser: the provider's or your login
    /// page's URL, which leads back to [`redirect_url`](Self::redirect_url) (e.g. from
    /// [`url_from_template`](Self::url_from_template) or
    /// [`Account::oauth2_token_url`](crate::Account::oauth2_token_url)). Without it there is no
    /// start page, and only a [pasted](Self::paste_from) callback can sign in.
    pub fn sign_in_url(mut self, url: impl Into<String>) -> Self {
        self.sign_in = Some(url.into());
        self
    }

    /// Also accepts the sign-in pasted as a line of `input`: the address the browser ended on,
    /// for a browser that cannot reach this machine. Other lines are ignored (see
    /// [`on_ignored_paste`](Self::on_ignored_paste)); end of input just stops reading it.
    pub fn paste_from(mut self, input: impl AsyncBufRead + Unpin + Send + 'static) -> Self {
        self.paste.get_or_insert_with(PasteSource::default).input = Some(Box::new(input));
        self
    }

    /// Called with a short sentence for the user (why, and what to paste instead) each time a
    /// pasted line is not taken; the wait goes on. The library prints nothing itself.
    pub fn on_ignored_paste(mut self, notify: impl FnMut(&str) + Send + 'static) -> Self {
        self.paste
            .get_or_insert_with(PasteSource::default)
            .on_ignored = Some(Box::new(notify));
        self
    }

    /// The URL to open in a browser on this machine: `http://127.0.0.1:PORT/start`. It carries
    /// no secret, so it may sit on a command line; it leads to the
    /// [sign-in URL](Self::sign_in_url) once.
    pub fn start_url(&self) -> String {
        self.start_url.clone()
    }

    /// Where the browser must be sent back to: `http://127.0.0.1:PORT/callback?state=…`. Give it
    /// as the success (and failure) URL; the sign-in adds `userId` and `secret` to its query.
    pub fn redirect_url(&self) -> &str {
        &self.redirect_url
    }

    /// The random `state` in [`redirect_url`](Self::redirect_url).
    pub fn state(&self) -> &str {
        &self.expected.state
    }

    /// The address listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to open for a backend's login page: `template` with `{redirect_uri}` replaced by
    /// the percent-encoded [`redirect_url`](Self::redirect_url) and `{state}` by the state, e.g.
    /// `https://app.example.com/cli-login?redirect={redirect_uri}`.
    pub fn url_from_template(&self, template: &str) -> Result<String, LoginError> {
        if !template.contains("{redirect_uri}") {
            return Err(LoginError::Template);
        }
        let encoded: String =
            url::form_urlencoded::byte_serialize(self.redirect_url.as_bytes()).collect();
        Ok(template
            .replace("{redirect_uri}", &encoded)
            .replace("{state}", &self.expected.state))
    }

    /// Waits for the sign-in and returns its `userId` and `secret` without creating a session;
    /// the browser is told it is signed in. Prefer [`finish`](Self::finish).
    pub async fn wait(self) -> Result<Callback, LoginError> {
        let (listener, setup) = self.into_parts()?;
        listener::serve(listener, setup, |callback| async { Ok(callback) }).await
    }

    /// Waits for the sign-in, creates the session with
    /// [`Account::create_session`](crate::Account::create_session) (saved to the client's
    /// store, replacing a held one), then tells the browser whether it worked.
    pub async fn finish(self, account: &Account) -> Result<Session, LoginError> {
        let (listener, setup) = self.into_parts()?;
        listener::serve(listener, setup, |callback| async move {
            let Callback { user_id, secret } = callback;
            account
                .create_session(user_id, secret)
                .await
                .map_err(LoginError::Client)
        })
        .await
    }

    fn into_parts(self) -> Result<(TcpListener, Setup), LoginError> {
        let sign_in = match self.sign_in {
            None => None,
            Some(url) => match Url::parse(&url) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => Some(url),
                _ => return Err(LoginError::SignInUrl),
            },
        };
        let set_cookie = format!(
            "{}={}; Path={CALLBACK_PATH}; Max-Age={}; HttpOnly; SameSite=Lax",
            self.expected.cookie_name,
            self.expected.cookie,
            self.timeout.as_secs().max(60)
        );
        let paste = self.paste.unwrap_or_default();
        Ok((
            self.listener,
            Setup {
                expected: self.expected,
                sign_in,
                set_cookie,
                wait_for: self.timeout,
                paste: paste.input,
                on_ignored_paste: paste.on_ignored,
            },
        ))
    }
}

/// Opens `url` in the system browser. Returns whether one was started: always `false` without
/// the `open-browser` feature, on a remote session without a display, or when none is found.
pub fn open_browser(url: &str) -> bool {
    #[cfg(feature = "open-browser")]
    {
        if remote_without_display() {
            return false;
        }
        webbrowser::open(url).is_ok()
    }
    #[cfg(not(feature = "open-browser"))]
    {
        let _ = url;
        false
    }
}

/// Whether [`open_browser`] would try: the `open-browser` feature, and not a remote session
/// without a display.
fn can_open_browser() -> bool {
    #[cfg(feature = "open-browser")]
    {
        !remote_without_display()
    }
    #[cfg(not(feature = "open-browser"))]
    {
        false
    }
}

/// Over SSH without a forwarded display, a browser would open on the wrong machine or in the
/// terminal.
#[cfg(feature = "open-browser")]
fn remote_without_display() -> bool {
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let remote = set("SSH_CONNECTION") || set("SSH_TTY");
    let display =
        cfg!(any(target_os = "macos", windows)) || set("DISPLAY") || set("WAYLAND_DISPLAY");
    remote && !display
}

/// 128 random bits, hex.
fn random_hex() -> Result<String, LoginError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| LoginError::Random)?;
    Ok(bytes.iter().fold(String::with_capacity(32), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    }))
}
