//! Signing in from a desktop or command-line app through the browser, the way `gh auth login`
//! or `gcloud auth login` do: the app listens on `127.0.0.1`, the user signs in in the browser,
//! and the browser is sent back to the app with `userId` and `secret`, which become a session.
//!
//! Two sources of that redirect work the same way:
//!
//! - **Appwrite's OAuth2 token flow** (`GET /v1/account/tokens/oauth2/{provider}`): [`oauth2`] does
//!   it in one call; [`Account::oauth2_token_url`](crate::Account::oauth2_token_url) builds the URL.
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
//! if !appwrite_client::login::open_browser(&url) {
//!     println!("Open this URL to sign in:\n{url}");
//! }
//! let session = login.finish(&account).await?;                  // saved to the client's store
//! # let _ = session;
//! # Ok(())
//! # }
//! ```
//!
//! # What the listener accepts
//!
//! Exactly one callback: a `GET` of the redirect URL's path carrying the same random `state`
//! (so another site cannot sign the user in to an account of its choosing) with `userId` and
//! `secret`, or with Appwrite's `error` (the failure redirect), which ends the wait with
//! [`LoginError::Refused`]. Everything else (another path or method, a missing or wrong
//! `state`, no `userId`/`secret`, a second callback) is answered with a short error page and the
//! wait goes on. Requests are read with a size cap and a per-connection time limit; the whole
//! wait ends after [`LoopbackLogin::timeout`] (default 5 minutes) with [`LoginError::TimedOut`].
//! The browser sees "signed in, you can close this tab" only once the session was created. Logs
//! name why a request was refused, never its query: the secret is never logged.
//!
//! # Over SSH
//!
//! A browser on another machine cannot reach this machine's `127.0.0.1`: its redirect fails,
//! but the address bar shows the final URL. With [`LoopbackLogin::paste_from`] (standard input,
//! say), the user pastes that URL (its `state` is checked like a request's), or the two words
//! `userId secret` that a backend's page shows.

mod callback;
mod listener;

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use appwrite_models::{ErrorType, Session};
use appwrite_transport::InvalidInput;
use tokio::io::AsyncBufRead;
use tokio::net::TcpListener;
use url::Url;

use crate::account::Account;
use crate::error::{Error, Result};

pub use callback::Callback;

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
    /// A URL template without `{redirect_uri}`.
    #[error("the login URL template has no {{redirect_uri}} placeholder")]
    Template,
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
    state: String,
    redirect_url: String,
    timeout: Duration,
    paste: Option<PasteSource>,
}

/// Where pasted lines come from (not printed).
struct PasteSource(listener::Paste);

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
        let state = random_state()?;
        let redirect_url = format!("http://{addr}{}?state={state}", callback::CALLBACK_PATH);
        Ok(Self {
            listener,
            addr,
            state,
            redirect_url,
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

    /// Also accepts the sign-in pasted as a line of `input` (the final URL, or `userId secret`),
    /// for a browser that cannot reach this machine. End of input just stops reading it.
    pub fn paste_from(mut self, input: impl AsyncBufRead + Unpin + Send + 'static) -> Self {
        self.paste = Some(PasteSource(Box::new(input)));
        self
    }

    /// Where the browser must be sent back to: `http://127.0.0.1:PORT/callback?state=…`. Give it
    /// as the success (and failure) URL; the sign-in adds `userId` and `secret` to its query.
    pub fn redirect_url(&self) -> &str {
        &self.redirect_url
    }

    /// The random `state` in [`redirect_url`](Self::redirect_url).
    pub fn state(&self) -> &str {
        &self.state
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
            .replace("{state}", &self.state))
    }

    /// Waits for the sign-in and returns its `userId` and `secret` without creating a session;
    /// the browser is told it is signed in. Prefer [`finish`](Self::finish).
    pub async fn wait(self) -> Result<Callback, LoginError> {
        let paste = self.paste.map(|p| p.0);
        listener::serve(
            self.listener,
            &self.state,
            self.timeout,
            paste,
            |callback| async { Ok(callback) },
        )
        .await
    }

    /// Waits for the sign-in, creates the session with
    /// [`Account::create_session`](crate::Account::create_session) (saved to the client's
    /// store, replacing a held one), then tells the browser whether it worked.
    pub async fn finish(self, account: &Account) -> Result<Session, LoginError> {
        let paste = self.paste.map(|p| p.0);
        listener::serve(
            self.listener,
            &self.state,
            self.timeout,
            paste,
            |callback| async move {
                let Callback { user_id, secret } = callback;
                account
                    .create_session(user_id, secret)
                    .await
                    .map_err(LoginError::Client)
            },
        )
        .await
    }
}

impl Account {
    /// The URL that starts Appwrite's OAuth2 token flow in a browser
    /// (`GET {endpoint}/account/tokens/oauth2/{provider}?project=…&success=…&failure=…&scopes[]=…`).
    /// After the user signs in with `provider`, Appwrite redirects to `success` with `userId`
    /// and `secret` (for [`create_session`](Self::create_session)), or to `failure` with
    /// `error`. Both must be on a platform registered in the project (for a loopback URL:
    /// `localhost`).
    ///
    /// Fails with [`Error::InvalidInput`] for an empty provider.
    pub fn oauth2_token_url(
        &self,
        provider: &str,
        success: &str,
        failure: &str,
        scopes: &[&str],
    ) -> Result<String> {
        if provider.is_empty() {
            return Err(Error::InvalidInput(InvalidInput::new(
                "the OAuth2 provider must not be empty",
            )));
        }
        let mut url = Url::parse(self.client.endpoint())
            .map_err(|_| Error::InvalidInput(InvalidInput::new("the endpoint is not a URL")))?;
        url.path_segments_mut()
            .map_err(|()| Error::InvalidInput(InvalidInput::new("the endpoint is not a URL")))?
            .pop_if_empty()
            .extend(["account", "tokens", "oauth2", provider]);
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("project", self.client.project())
                .append_pair("success", success)
                .append_pair("failure", failure);
            for scope in scopes {
                query.append_pair("scopes[]", scope);
            }
        }
        Ok(url.into())
    }
}

/// Signs in with Appwrite's OAuth2 `provider` through the browser, in one call: listens on
/// `127.0.0.1`, opens the token-flow URL in the browser (with the `open-browser` feature; the
/// URL is printed to standard error either way), waits up to 5 minutes, and creates the session.
///
/// For control over the port, the timeout, pasting over SSH or the printing, use
/// [`LoopbackLogin`] with [`Account::oauth2_token_url`].
pub async fn oauth2(account: &Account, provider: &str) -> Result<Session, LoginError> {
    let login = LoopbackLogin::bind().await?;
    let url =
        account.oauth2_token_url(provider, login.redirect_url(), login.redirect_url(), &[])?;
    eprintln!("Sign in in your browser. If it does not open, open this URL:\n{url}");
    open_browser(&url);
    login.finish(account).await
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
fn random_state() -> Result<String, LoginError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| LoginError::Random)?;
    Ok(bytes.iter().fold(String::with_capacity(32), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    }))
}

/// The README's code blocks, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
