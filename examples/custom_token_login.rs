//! The custom-token login flow, end to end:
//!
//! 1. a backend ensures the user exists and mints a login token with its API key (`appwrite-server`);
//! 2. an app exchanges the token for a session and saves it to a file (`appwrite-client`, `FileStore`);
//! 3. a second client on the same file (the app after a restart) restores the session;
//! 4. it asks who is logged in, then logs out.
//!
//! ```sh
//! cargo run --example custom_token_login
//! ```
//!
//! With `APPWRITE_ENDPOINT` unset it starts the embedded emulator. With `APPWRITE_ENDPOINT`,
//! `APPWRITE_PROJECT_ID` and `APPWRITE_API_KEY` set it runs against that server (the key needs the
//! `users.read`, `users.write` and `sessions.write` scopes).

use std::error::Error;
use std::path::Path;
use std::process::ExitCode;

use appwrite_client::{Account, FileStore, RestoreOutcome};
use appwrite_emulator::Emulator;
use appwrite_server::Users;

/// The user this demo logs in (created on first run).
const USER_ID: &str = "demo-user";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", chain(&*error));
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    // The backend's side: a server client with an API key.
    let (server, _emulator) = if std::env::var_os("APPWRITE_ENDPOINT").is_some() {
        let server = appwrite_server::Client::from_env()?;
        println!(
            "server:           {} (project {})",
            server.endpoint(),
            server.project()
        );
        (server, None)
    } else {
        let emulator = Emulator::builder()
            .project("demo")
            .api_key("dev-key")
            .start()
            .await?;
        let server = appwrite_server::Client::builder()
            .endpoint(emulator.endpoint())
            .project("demo")
            .api_key("dev-key")
            .build()?;
        println!(
            "server:           embedded emulator at {} (project demo)",
            emulator.endpoint()
        );
        (server, Some(emulator))
    };
    let users = Users::new(&server);

    let user = users.get_or_create(USER_ID).name("Demo User").await?;
    println!("user ensured:     {} ({})", user.id, user.name);

    let token = users.create_token(USER_ID).length(8).await?;
    println!(
        "token issued:     secret {} ({} characters), expires {}",
        mask(token.secret.expose_secret()),
        token.secret.expose_secret().len(),
        token.expire
    );

    // The app's side: no API key, the session kept in a file.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("session.json");
    let app = client_app(&server, &path)?;
    let session = Account::new(&app)
        .create_session(&token.user_id, token.secret.expose_secret())
        .await?;
    println!(
        "session created:  {} for {}, expires {}",
        session.id, session.user_id, session.expire
    );
    println!(
        "session saved to: {} ({}; a temporary folder, removed when the demo ends)",
        path.display(),
        file_mode(&path)
    );

    // The app starts again: a new client on the same file.
    let restarted = client_app(&server, &path)?;
    match restarted.validate().await? {
        RestoreOutcome::Restored(session) => {
            println!("restored:         session {} in a new client", session.id);
        }
        other => return Err(format!("the saved session was not restored: {other:?}").into()),
    }

    let account = Account::new(&restarted);
    let me = account.get().await?;
    println!("who am I:         {} ({})", me.name, me.id);

    account.delete_session("current").await?;
    println!(
        "logged out:       session revoked on the server, saved session {}",
        if restarted.is_signed_in() {
            "kept (unexpected)"
        } else {
            "forgotten"
        }
    );
    Ok(())
}

/// An end-user client on the same endpoint and project as `server`, saving to `path`.
fn client_app(
    server: &appwrite_server::Client,
    path: &Path,
) -> Result<appwrite_client::Client, Box<dyn Error>> {
    Ok(appwrite_client::Client::builder()
        .endpoint(server.endpoint())
        .project(server.project())
        .session_store(FileStore::new(path))
        .build()?)
}

/// The file's permission bits, as `ls -l` would show them in octal.
#[cfg(unix)]
fn file_mode(path: &Path) -> String {
    use std::os::unix::fs::PermissionsExt as _;
    match std::fs::metadata(path) {
        Ok(meta) => format!("mode {:o}", meta.permissions().mode() & 0o777),
        Err(error) => format!("mode unknown: {error}"),
    }
}

#[cfg(not(unix))]
fn file_mode(_path: &Path) -> String {
    "readable by you only".to_owned()
}

/// Shows the first two characters of a secret and hides the rest.
fn mask(secret: &str) -> String {
    let shown: String = secret.chars().take(2).collect();
    format!(
        "{shown}{}",
        "*".repeat(secret.chars().count().saturating_sub(2))
    )
}

/// An error and its sources on one line.
fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
