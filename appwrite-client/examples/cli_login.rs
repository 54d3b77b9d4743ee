//! A command-line login that stays signed in across runs.
//!
//! ```text
//! cargo run -p appwrite-client --example cli_login -- [options] login <user-id> <secret>
//! cargo run -p appwrite-client --example cli_login -- [options] whoami
//! cargo run -p appwrite-client --example cli_login -- [options] logout
//!
//! options:
//!   --endpoint URL    Appwrite endpoint (default: $APPWRITE_ENDPOINT)
//!   --project ID      project id (default: $APPWRITE_PROJECT_ID)
//!   --store PATH      session file (default: the per-user data folder of "appwrite-cli-login")
//!   --profile NAME    keep this login apart from others of the same project
//! ```
//!
//! `<user-id>` and `<secret>` come from a login token your backend minted with
//! `appwrite-server` (`Users::create_token`).

use std::process::ExitCode;

use appwrite_client::{Account, Client, FileStore, RestoreOutcome};

const USAGE: &str = "usage: cli_login [--endpoint URL] [--project ID] [--store PATH] [--profile NAME] (login <user-id> <secret> | whoami | logout)";

enum Command {
    Login { user_id: String, secret: String },
    WhoAmI,
    Logout,
}

struct Options {
    endpoint: Option<String>,
    project: Option<String>,
    store: Option<String>,
    profile: Option<String>,
    command: Command,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut endpoint = std::env::var("APPWRITE_ENDPOINT").ok();
    let mut project = std::env::var("APPWRITE_PROJECT_ID").ok();
    let mut store = None;
    let mut profile = None;
    let mut words = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--endpoint" => endpoint = Some(value("--endpoint")?),
            "--project" => project = Some(value("--project")?),
            "--store" => store = Some(value("--store")?),
            "--profile" => profile = Some(value("--profile")?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => words.push(arg),
        }
    }
    let command = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["login", user_id, secret] => Command::Login {
            user_id: user_id.to_owned(),
            secret: secret.to_owned(),
        },
        ["whoami"] => Command::WhoAmI,
        ["logout"] => Command::Logout,
        _ => return Err(USAGE.to_owned()),
    };
    Ok(Options {
        endpoint,
        project,
        store,
        profile,
        command,
    })
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
    let store = match &options.store {
        Some(path) => FileStore::new(path),
        None => FileStore::for_app("appwrite-cli-login")?,
    };
    let (Some(endpoint), Some(project)) = (&options.endpoint, &options.project) else {
        return Err(Missing.into());
    };
    let mut builder = Client::builder()
        .endpoint(endpoint)
        .project(project)
        .session_store(store);
    if let Some(profile) = &options.profile {
        builder = builder.profile(profile);
    }
    // Synchronous: reads the session file before any async code runs.
    Ok(builder.build()?)
}

async fn run(client: Client, command: Command) -> Result<ExitCode, appwrite_client::Error> {
    let account = Account::new(&client);
    match command {
        Command::Login { user_id, secret } => {
            let session = account.create_session(user_id, secret).await?;
            println!(
                "logged in as {} (session {}, until {})",
                session.user_id, session.id, session.expire
            );
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
            }
            RestoreOutcome::Offline(error) => return Err(error),
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
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let client = match build_client(&options) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {}", one_line(&*error));
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!(
                "error: could not start the async runtime: {}",
                one_line(&error)
            );
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(client, options.command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}
