//! A command-line login that stays signed in across runs.
//!
//! ```text
//! cargo run -p appwrite-client --example cli_login -- [options] login <user-id> <secret>
//! cargo run -p appwrite-client --example cli_login -- [options] login --browser [--no-open]
//!     [--provider NAME | --login-url TEMPLATE]
//! cargo run -p appwrite-client --example cli_login -- [options] whoami
//! cargo run -p appwrite-client --example cli_login -- [options] logout
//! cargo run -p appwrite-client --example cli_login -- [options] mfa (totp-setup | on | off | verify)
//!
//! options:
//!   --endpoint URL    Appwrite endpoint (default: $APPWRITE_ENDPOINT)
//!   --project ID      project id (default: $APPWRITE_PROJECT_ID)
//!   --store PATH      session file (default: the OS keychain with the `keyring` feature, else
//!                     the per-user data folder of "appwrite-cli-login")
//!   --profile NAME    keep this login apart from others of the same project
//!   --factor NAME     the second factor to ask for: totp, email, phone or recovery-code
//!                     (default: the first the account has, in that order)
//! ```
//!
//! `<user-id>` and `<secret>` come from a login token your backend minted with
//! `appwrite-server` (`Users::create_token`).
//!
//! `login --browser` signs in through the browser and a listener on 127.0.0.1: with Appwrite's
//! OAuth2 `--provider` (default `mock`, the emulator's), or with your backend's login page
//! (`--login-url 'https://app.example.com/cli-login?redirect={redirect_uri}'`; the page mints a
//! token and redirects to `redirect_uri` with `userId` and `secret` added). The URL to open is
//! printed alone on a line of standard output; the browser is opened too with the `open-browser`
//! feature unless `--no-open` is given. That URL is the listener's start page, which carries no
//! secret (a browser's command line is readable by every local user). Over SSH, open the URL
//! printed for a browser on another machine, then paste the address the browser ends on into the
//! terminal.
//!
//! Errors are printed with their causes on one line; `RUST_LOG=appwrite_client=debug` adds the
//! library's logs (without colours when standard error is not a terminal).
//!
//! For an account with two-step verification on, `login` (both forms) then asks for the second
//! factor: a code from the authenticator app, or one sent by email. `mfa totp-setup` adds an
//! authenticator (it prints the `otpauth://` URI alone on a line and verifies a first code),
//! `mfa on` / `mfa off` switch two-step verification, and `mfa verify` asks for the second
//! factor of a held session that still needs one.

#[path = "cli_login/mfa.rs"]
mod mfa;

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use appwrite_client::login::{self, LoopbackLogin};
use appwrite_client::{Account, Client, ClientBuilder, FileStore, RestoreOutcome};

const USAGE: &str = "usage: cli_login [--endpoint URL] [--project ID] [--store PATH] [--profile NAME] [--factor NAME] (login <user-id> <secret> | login --browser [--no-open] [--provider NAME | --login-url TEMPLATE] | whoami | logout | mfa (totp-setup | on | off | verify))";

enum Command {
    Login {
        user_id: String,
        secret: String,
    },
    BrowserLogin {
        open: bool,
        /// Appwrite's OAuth2 provider, or the backend's login page (a URL template).
        via: Via,
    },
    WhoAmI,
    Logout,
    /// `mfa totp-setup | on | off | verify`.
    Mfa(String),
}

enum Via {
    OAuth2(String),
    LoginPage(String),
}

/// What the command line asks for.
enum Parsed {
    Run(Options),
    Help,
}

struct Options {
    endpoint: Option<String>,
    project: Option<String>,
    store: Option<String>,
    profile: Option<String>,
    /// `--factor`.
    factor: Option<appwrite_client::Factor>,
    command: Command,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut endpoint = std::env::var("APPWRITE_ENDPOINT").ok();
    let mut project = std::env::var("APPWRITE_PROJECT_ID").ok();
    let mut store = None;
    let mut profile = None;
    let mut factor = None;
    let (mut browser, mut open, mut provider, mut login_url) = (false, true, None, None);
    let mut words = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--endpoint" => endpoint = Some(value("--endpoint")?),
            "--project" => project = Some(value("--project")?),
            "--store" => store = Some(value("--store")?),
            "--profile" => profile = Some(value("--profile")?),
            "--factor" => factor = Some(mfa::parse_factor(&value("--factor")?)?),
            "--browser" => browser = true,
            "--no-open" => open = false,
            "--provider" => provider = Some(value("--provider")?),
            "--login-url" => login_url = Some(value("--login-url")?),
            "-h" | "--help" => return Ok(Parsed::Help),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => words.push(arg),
        }
    }
    let command = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["login"] if browser => Command::BrowserLogin {
            open,
            via: match (provider, login_url) {
                (None, Some(template)) => Via::LoginPage(template),
                (provider, None) => Via::OAuth2(provider.unwrap_or_else(|| "mock".to_owned())),
                (Some(_), Some(_)) => {
                    return Err("give --provider or --login-url, not both".to_owned());
                }
            },
        },
        ["login", user_id, secret] if !browser => Command::Login {
            user_id: user_id.to_owned(),
            secret: secret.to_owned(),
        },
        ["whoami"] => Command::WhoAmI,
        ["logout"] => Command::Logout,
        ["mfa", action @ ("totp-setup" | "on" | "off" | "verify")] => {
            Command::Mfa(action.to_owned())
        }
        _ => return Err(USAGE.to_owned()),
    };
    Ok(Parsed::Run(Options {
        endpoint,
        project,
        store,
        profile,
        factor,
        command,
    }))
}

/// `error: <message>: <cause>: <cause>…` on one line.
fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line
}

/// The endpoint or project was given neither as an option nor in the environment.
#[derive(Debug)]
struct Missing;

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the endpoint and project are required: pass --endpoint and --project, or set APPWRITE_ENDPOINT and APPWRITE_PROJECT_ID")
    }
}

impl std::error::Error for Missing {}

fn build_client(options: &Options) -> Result<Client, Box<dyn std::error::Error>> {
    let (Some(endpoint), Some(project)) = (&options.endpoint, &options.project) else {
        return Err(Missing.into());
    };
    let mut builder = Client::builder().endpoint(endpoint).project(project);
    if let Some(profile) = &options.profile {
        builder = builder.profile(profile);
    }
    // Synchronous: reads the stored session before any async code runs.
    Ok(with_store(builder, options.store.as_deref())?.build()?)
}

/// `--store PATH`, else the OS keychain (with the `keyring` feature), else the data folder.
// Only the data folder can fail to be found.
#[cfg_attr(feature = "keyring", allow(clippy::unnecessary_wraps))]
fn with_store(
    builder: ClientBuilder,
    path: Option<&str>,
) -> Result<ClientBuilder, appwrite_client::StoreError> {
    if let Some(path) = path {
        return Ok(builder.session_store(FileStore::new(path)));
    }
    #[cfg(feature = "keyring")]
    {
        Ok(builder.session_store(appwrite_client::KeyringStore::new("appwrite-cli-login")))
    }
    #[cfg(not(feature = "keyring"))]
    {
        Ok(builder.session_store(FileStore::for_app("appwrite-cli-login")?))
    }
}

/// Signs in through the browser and the loopback listener.
async fn browser_login(
    account: &Account,
    open: bool,
    via: Via,
    input: impl tokio::io::AsyncBufRead + Unpin + Send + 'static,
) -> Result<appwrite_client::Session, Box<dyn std::error::Error>> {
    let login = LoopbackLogin::bind().await?;
    let sign_in = match via {
        Via::OAuth2(provider) => {
            let back = login.redirect_url();
            account.oauth2_token_url(&provider, back, back, &[])?
        }
        Via::LoginPage(template) => login.url_from_template(&template)?,
    };
    show_urls(&login.start_url(), &sign_in);
    let login = login.sign_in_url(sign_in);
    if open {
        open_in_browser(login.start_url());
    }
    let session = login
        .paste_from(input)
        .on_ignored_paste(|why| eprintln!("{why}"))
        .finish(account)
        .await?;
    println!(
        "logged in as {} (session {}, until {})",
        session.user_id, session.id, session.expire
    );
    Ok(session)
}

/// The start page to open here (alone on a line of standard output, so scripts and tests can
/// pick it up) and, over SSH, the sign-in page itself for a browser on another machine.
fn show_urls(start: &str, sign_in: &str) {
    eprintln!("Open this URL in a browser on this machine to sign in:");
    println!("{start}");
    let _ = std::io::stdout().flush();
    if is_remote() {
        eprintln!(
            "If your browser is on another machine, open this URL there instead, then paste the address it ends on here:\n{sign_in}"
        );
    }
    eprintln!("Waiting for the sign-in.");
}

/// Starts the system browser off the async threads (a text-mode browser runs until it is quit).
fn open_in_browser(url: String) {
    tokio::task::spawn_blocking(move || {
        if login::open_browser(&url) {
            eprintln!("(opened in your browser)");
        }
    });
}

fn is_remote() -> bool {
    ["SSH_CONNECTION", "SSH_TTY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

async fn run(
    client: Client,
    command: Command,
    factor: Option<appwrite_client::Factor>,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let account = Account::new(&client);
    let mut terminal = mfa::Terminal::start();
    match command {
        Command::BrowserLogin { open, via } => {
            let (input, paste) = terminal.paste();
            let outcome = browser_login(&account, open, via, input).await;
            terminal = paste.end().await?;
            mfa::after_sign_in(&account, &outcome?, factor, &mut terminal).await?;
        }
        Command::Login { user_id, secret } => {
            let session = account.create_session(user_id, secret).await?;
            println!(
                "logged in as {} (session {}, until {})",
                session.user_id, session.id, session.expire
            );
            mfa::after_sign_in(&account, &session, factor, &mut terminal).await?;
        }
        Command::WhoAmI => match client.validate().await? {
            RestoreOutcome::Restored(session) => {
                let user = account.get().await?;
                let name = if user.name.is_empty() {
                    "(no name)"
                } else {
                    &user.name
                };
                println!("{} {name} <{}>", user.id, user.email);
                println!("session {} until {}", session.id, session.expire);
                println!("factors: {}", session.factors.join(", "));
            }
            RestoreOutcome::SecondFactorRequired => {
                eprintln!(
                    "logged in, but the session waits for its second factor: run `cli_login mfa verify`"
                );
                return Ok(ExitCode::FAILURE);
            }
            RestoreOutcome::Offline(error) => return Err(error.into()),
            RestoreOutcome::Expired => {
                eprintln!("the session has expired: log in again");
                return Ok(ExitCode::FAILURE);
            }
            RestoreOutcome::Revoked => {
                eprintln!("the session was revoked: log in again");
                return Ok(ExitCode::FAILURE);
            }
            _ => {
                eprintln!("not logged in");
                return Ok(ExitCode::FAILURE);
            }
        },
        Command::Logout => {
            let was_signed_in = client.is_signed_in();
            account.delete_session("current").await?;
            println!(
                "{}",
                if was_signed_in {
                    "logged out"
                } else {
                    "not logged in"
                }
            );
        }
        Command::Mfa(action) => match action.as_str() {
            "totp-setup" => mfa::totp_setup(&account, &mut terminal).await?,
            "on" => mfa::switch(&account, true).await?,
            "off" => mfa::switch(&account, false).await?,
            _ => mfa::verify(&account, &[], factor, &mut terminal).await?,
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    init_logging();
    let options = match parse(std::env::args().skip(1)) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match build_client(&options)
        .and_then(|client| run_async(client, options.command, options.factor))
    {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", one_line(&*error));
            ExitCode::FAILURE
        }
    }
}

/// `RUST_LOG=appwrite_client=debug` shows one line per request on standard error, coloured
/// only when standard error is a terminal.
fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Runs `command` on a single-threaded runtime.
fn run_async(
    client: Client,
    command: Command,
    factor: Option<appwrite_client::Factor>,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("could not start the async runtime: {}", one_line(&error)))?;
    let outcome = runtime.block_on(run(client, command, factor));
    // Standard input may still be read by a blocking thread (the paste prompt): do not wait for it.
    runtime.shutdown_background();
    outcome
}
