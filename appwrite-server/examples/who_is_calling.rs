//! The README's "Who is calling?" section, kept here so that it compiles (`tests/readme.rs`
//! checks that the README shows this file's code).

use std::process::ExitCode;
use std::time::Duration;

use appwrite_server::{Client, JwtCache, Users};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}"); // `Display`; `main() -> Result` would print `Debug`
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    // Build it once and share it with every handler: clones share the cache.
    let users =
        Users::new(&client).with_jwt_cache(JwtCache::new(10_000).max_age(Duration::from_secs(30)));

    // What your HTTP layer read from `Authorization: Bearer <jwt>`.
    let jwt = std::env::args()
        .nth(1)
        .ok_or("usage: who_is_calling <jwt>")?;
    match users.verify_jwt(jwt).await {
        Ok(caller) => println!("user {} (session {:?})", caller.user.id, caller.session_id),
        // Invalid, expired or revoked token: answer 401.
        Err(e) if e.is_unauthorized() => println!("401: {e}"),
        // The user is blocked (403 `user_blocked`): answer 401 or 403.
        Err(e) if e.is_forbidden() => println!("403: {e}"),
        // Appwrite could not be reached: answer 503, not 401.
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
