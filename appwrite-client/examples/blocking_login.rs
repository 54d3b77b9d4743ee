//! The blocking API (feature `blocking`): sign in with a token, or take over a session your
//! backend created, in a plain `main` without `async`; a user with two-step verification on is
//! asked for an authenticator code.
//!
//! ```sh
//! export APPWRITE_ENDPOINT=http://127.0.0.1:8080/v1 APPWRITE_PROJECT_ID=demo
//! cargo run -p appwrite-client --features blocking --example blocking_login -- token user-42 a1b2c3
//! cargo run -p appwrite-client --features blocking --example blocking_login -- adopt "$CREDENTIAL"
//! ```

use std::process::ExitCode;

use appwrite_client::Factor;
use appwrite_client::blocking::{Account, Client};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}"); // `Display`, not the `Debug` dump `main() -> Result` prints
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // APPWRITE_ENDPOINT and APPWRITE_PROJECT_ID; a private runtime inside.
    let client = Client::from_env()?;
    let account = Account::new(&client);

    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        // A login token: the same call as the async API, ending in `send()`.
        ["token", user_id, secret] => {
            account.create_session(user_id, secret).send()?;
        }
        // A session your backend made with `Users::create_session` (its `secret`).
        ["adopt", credential] => {
            client.adopt_session(credential).send()?;
        }
        _ => return Err("usage: blocking_login token USER_ID SECRET | adopt CREDENTIAL".into()),
    }
    let me = match account.get().send() {
        Ok(me) => me,
        // Two-step verification is on for this user: the session needs a second factor.
        Err(error) if error.is_more_factors_required() => {
            let challenge = account.create_mfa_challenge(Factor::Totp).send()?;
            eprint!("code from your authenticator app: ");
            let mut code = String::new();
            std::io::stdin().read_line(&mut code)?;
            account
                .update_mfa_challenge(challenge.id, code.trim())
                .send()?; // the held session now has two factors, saved to the store
            account.get().send()?
        }
        Err(error) => return Err(error.into()),
    };
    println!("signed in as {}", me.id);
    Ok(())
}
