//! A token-issuing backend step, as an Appwrite Function or any backend would run it: make sure the
//! user exists, mint a custom login token for it, and hand the secret over.
//!
//! ```sh
//! APPWRITE_ENDPOINT=http://127.0.0.1:8080/v1 APPWRITE_PROJECT_ID=demo APPWRITE_API_KEY=dev-key \
//!     cargo run -p appwrite-server --example issue_token -- [--print-secret] user-42 ada@example.com
//! ```
//!
//! A real backend checks who the caller is first (a password, a captcha, a code sent by SMS), and
//! sends the secret over its own channel instead of printing it. So the secret is masked, unless
//! `--print-secret` is given for a local emulator (an endpoint on 127.0.0.1, `localhost` or
//! `::1`): then it is printed with the client command that signs in with it.

use std::process::ExitCode;
use std::time::Duration;

use appwrite_server::reqwest::Url;
use appwrite_server::{Client, Users};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", with_causes(&*error));
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut print_secret = false;
    let mut words = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--print-secret" => print_secret = true,
            "-h" | "--help" => {
                println!("usage: issue_token [--print-secret] [USER_ID] [EMAIL]");
                return Ok(());
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}").into()),
            _ => words.push(arg),
        }
    }
    let mut words = words.into_iter();
    let user_id = words.next().unwrap_or_else(|| "user-42".to_owned());
    let email = words.next();

    // APPWRITE_ENDPOINT, APPWRITE_PROJECT_ID and APPWRITE_API_KEY (or the Functions runtime's).
    let client = Client::from_env()?;
    if print_secret && !is_local(client.endpoint()) {
        return Err(
            "--print-secret is for a local emulator only (an endpoint on 127.0.0.1, localhost or ::1)"
                .into(),
        );
    }
    let users = Users::new(&client);

    let mut ensure = users.get_or_create(user_id.as_str());
    if let Some(email) = email {
        ensure = ensure.email(email);
    }
    let user = ensure.await?;

    let token = users
        .create_token(user.id.clone())
        .length(8)
        .expire(Duration::from_secs(10 * 60))
        .await?;

    println!("user:    {}", token.user_id);
    if print_secret {
        let secret = token.secret.expose_secret();
        println!("secret:  {secret}");
        println!("expires: {}", token.expire);
        println!(
            "sign in as the user's app would (same APPWRITE_ENDPOINT and APPWRITE_PROJECT_ID):"
        );
        println!(
            "  cargo run -p appwrite-client --example cli_login -- login {} {secret}",
            token.user_id
        );
    } else {
        println!("secret:  {}", mask(token.secret.expose_secret()));
        println!("expires: {}", token.expire);
    }
    Ok(())
}

/// Whether `endpoint` is on this machine: the only place `--print-secret` may be used.
fn is_local(endpoint: &str) -> bool {
    Url::parse(endpoint)
        .is_ok_and(|url| matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")))
}

/// `message: cause: cause…` on one line.
fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let chain = std::iter::successors(Some(error), |error| error.source());
    chain
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

/// The first two characters and a mask: enough to tell tokens apart in a log, useless to log in.
fn mask(secret: &str) -> String {
    let shown: String = secret.chars().take(2).collect();
    format!(
        "{shown}{}",
        "*".repeat(secret.chars().count().saturating_sub(2))
    )
}
