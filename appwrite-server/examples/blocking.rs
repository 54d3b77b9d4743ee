//! The blocking API (feature `blocking`): the token-issuing step of `issue_token.rs` in a plain
//! `main`, without `async`.
//!
//! ```sh
//! APPWRITE_ENDPOINT=http://127.0.0.1:8080/v1 APPWRITE_PROJECT_ID=demo APPWRITE_API_KEY=dev-key \
//!     cargo run -p appwrite-server --features blocking --example blocking
//! ```

use std::process::ExitCode;
use std::time::Duration;

use appwrite_server::blocking::{Client, Users};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}"); // `Display`; `main() -> Result` would print `Debug`
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), appwrite_server::Error> {
    // APPWRITE_ENDPOINT, APPWRITE_PROJECT_ID and APPWRITE_API_KEY; a private runtime inside.
    let client = Client::from_env()?;
    let users = Users::new(&client);

    // The same methods and options as the async API, each ending in `send()`.
    let user = users
        .get_or_create("user-42")
        .email("ada@example.com")
        .send()?;
    let token = users
        .create_token(user.id)
        .length(8)
        .expire(Duration::from_secs(600))
        .send()?;
    println!("token for {} expires at {}", token.user_id, token.expire);
    Ok(())
}
