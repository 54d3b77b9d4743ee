//! [`oauth2`]: Appwrite's OAuth2 token flow through the browser in one call, as a builder.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use appwrite_models::Session;

use super::{DEFAULT_TIMEOUT, LoginError, LoopbackLogin};
use crate::account::Account;

/// Signs in with Appwrite's OAuth2 `provider` through the browser: listens on `127.0.0.1`,
/// hands the URL to open to [`on_url`](OAuth2Login::on_url), opens the system browser (with the
/// `open-browser` feature) off the async threads, waits up to 5 minutes, and creates the session.
/// Await the builder to run it.
///
/// The library prints nothing: show the URL from [`on_url`](OAuth2Login::on_url).
///
/// ```no_run
/// # async fn run(account: appwrite_client::Account) -> Result<(), appwrite_client::login::LoginError> {
/// let session = appwrite_client::login::oauth2(&account, "github")
///     .on_url(|prompt| eprintln!("Sign in in your browser: {}", prompt.url))
///     .await?;
/// # let _ = session;
/// # Ok(())
/// # }
/// ```
///
/// For a fixed port, pasting over SSH or your own login page, use [`LoopbackLogin`] with
/// [`Account::oauth2_token_url`].
pub fn oauth2<'a>(account: &'a Account, provider: &'a str) -> OAuth2Login<'a> {
    OAuth2Login {
        account,
        provider,
        scopes: Vec::new(),
        timeout: DEFAULT_TIMEOUT,
        open_browser: true,
        on_url: None,
    }
}

/// What to show the user once the listener is up, before the browser is opened.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Prompt<'a> {
    /// The URL to open in a browser on this machine (the [start page](LoopbackLogin::start_url):
    /// no secret in it).
    pub url: &'a str,
    /// Whether the login is about to start the system browser (the `open-browser` feature, not
    /// turned off, not over SSH without a display). When `false`, the user must open `url`.
    pub opening_browser: bool,
}

/// The OAuth2 browser login; see [`oauth2`]. Await it to run it.
#[must_use = "await the login to run it"]
pub struct OAuth2Login<'a> {
    account: &'a Account,
    provider: &'a str,
    scopes: Vec<String>,
    timeout: Duration,
    open_browser: bool,
    on_url: Option<ShowUrl<'a>>,
}

/// The caller's [`on_url`](OAuth2Login::on_url).
type ShowUrl<'a> = Box<dyn FnOnce(Prompt<'_>) + Send + 'a>;

impl fmt::Debug for OAuth2Login<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Login")
            .field("provider", &self.provider)
            .field("scopes", &self.scopes)
            .field("timeout", &self.timeout)
            .field("open_browser", &self.open_browser)
            .finish_non_exhaustive()
    }
}

impl<'a> OAuth2Login<'a> {
    /// Called once, after the listener is up and before the browser is opened, with the URL
    /// the user should open (print it: the browser may not open, or not on this machine).
    pub fn on_url(mut self, show: impl FnOnce(Prompt<'_>) + Send + 'a) -> Self {
        self.on_url = Some(Box::new(show));
        self
    }

    /// The OAuth2 scopes to ask the provider for (none by default).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// How long to wait for the browser (default 5 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether to start the system browser (default `true`; it only can with the
    /// `open-browser` feature).
    pub fn open_browser(mut self, open: bool) -> Self {
        self.open_browser = open;
        self
    }

    async fn run(self) -> Result<Session, LoginError> {
        let login = LoopbackLogin::bind().await?.timeout(self.timeout);
        let back = login.redirect_url();
        let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        let url = self
            .account
            .oauth2_token_url(self.provider, back, back, &scopes)?;
        let login = login.sign_in_url(url);
        let start = login.start_url();
        let opening = self.open_browser && super::can_open_browser();
        if let Some(show) = self.on_url {
            show(Prompt {
                url: &start,
                opening_browser: opening,
            });
        }
        if opening {
            // Off the async threads: a text-mode browser runs until the user quits it, and the
            // listener must answer it meanwhile.
            drop(tokio::task::spawn_blocking(move || {
                super::open_browser(&start);
            }));
        }
        login.finish(self.account).await
    }
}

impl<'a> IntoFuture for OAuth2Login<'a> {
    type Output = Result<Session, LoginError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
