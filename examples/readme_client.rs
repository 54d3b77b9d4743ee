//! The top-level README's app quick start, kept here so that it compiles (`tests/readme.rs` checks
//! that the README shows this file's code).

use appwrite_client::{Account, Client, FileStore};

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
    let client = Client::builder()
        .endpoint("https://appwrite.example.com/v1")
        .project("my-project")
        .session_store(FileStore::for_app("my-app")?) // MemoryStore when not set
        .build()?; // restores a saved session
    let account = Account::new(&client);

    if !client.is_signed_in() {
        // Saved to the store before it returns.
        account.create_session("user-42", "a1b2c3").await?;
    }
    let me = account.get().await?;
    println!("signed in as {}", me.id);
    account.delete_session("current").await?; // revoked on the server, then forgotten
    Ok(())
}
