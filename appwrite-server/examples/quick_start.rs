//! The README's quick start, kept here so that it compiles (`tests/readme.rs` checks that the
//! README shows this file's code).

use std::time::Duration;

use appwrite_server::{Client, Users};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Errors print with `Display`: what went wrong and what to do, never a `Debug` dump.
    if let Err(error) = run().await {
        eprintln!("error: {error}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("APPWRITE_API_KEY")?;
    let client = Client::builder()
        .endpoint("https://appwrite.example.com/v1")
        .project("my-project")
        .api_key(key) // never printed by Debug
        .build()?; // setters never fail; build() validates
    let users = Users::new(&client); // cheap to clone; fits in an axum state

    // The "make sure the user exists" step, safe against a concurrent request for the same id.
    let user = users
        .get_or_create("user-42")
        .email("ada@example.com")
        .await?;

    // 8 hex characters, valid for 10 minutes, single use.
    let token = users
        .create_token(user.id)
        .length(8)
        .expire(Duration::from_secs(600))
        .await?;
    send_by_sms(token.user_id.as_str(), token.secret.expose_secret());
    Ok(())
}

fn send_by_sms(user_id: &str, secret: &str) {
    // Your channel: an SMS, an email, the answer to the user's authenticated request.
    let _ = (user_id, secret);
}
