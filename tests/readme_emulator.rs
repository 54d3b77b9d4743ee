//! The top-level README's emulator snippet, kept here so that it compiles and passes
//! (`tests/readme.rs` checks that the README shows this file's code).

use appwrite_emulator::Emulator;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn login_token_expires() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::builder()
        .project("demo")
        .api_key("dev-key") // users.read, users.write, sessions.write
        .start() // 127.0.0.1, a free port
        .await?;
    // Point your code at emulator.endpoint() ("http://127.0.0.1:PORT/v1"), project "demo", key "dev-key".

    emulator.advance_time(Duration::from_secs(15 * 60 + 1)); // the emulator's clock: tokens now expired
    let _codes = emulator.outbox(); // email/SMS codes and magic links "sent" so far
    Ok(()) // dropping the handle stops the server
}
