//! `appwrite-emulator`: runs the emulator until Ctrl-C (or SIGTERM).

use std::process::ExitCode;
use std::time::Duration;

use appwrite_emulator::Emulator;
use clap::Parser;

/// An in-memory, Appwrite-compatible server for the users, tokens and sessions endpoints.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Project id clients send in X-Appwrite-Project.
    #[arg(long, default_value = "demo")]
    project: String,
    /// API key with the scopes users.read, users.write and sessions.write (repeatable).
    #[arg(long = "api-key")]
    api_keys: Vec<String>,
    /// Session length in seconds.
    #[arg(long, default_value_t = 31_536_000)]
    session_duration: u64,
    /// Turn off the 10-per-hour limit on POST /v1/account/sessions/token.
    #[arg(long)]
    no_rate_limit: bool,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// The mock OAuth2 provider (`mock`) signs in at once, without its consent page.
    #[arg(long)]
    oauth2_auto_approve: bool,
    /// The email the mock OAuth2 provider signs in as.
    #[arg(long, default_value = appwrite_emulator::DEFAULT_OAUTH2_IDENTITY)]
    oauth2_identity: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut builder = Emulator::builder()
        .project(args.project)
        .port(args.port)
        .session_duration(Duration::from_secs(args.session_duration))
        .rate_limit(!args.no_rate_limit)
        .max_body_bytes(args.max_body_bytes)
        .oauth2_auto_approve(args.oauth2_auto_approve)
        .oauth2_identity(args.oauth2_identity);
    for key in args.api_keys {
        builder = builder.api_key(key);
    }
    let emulator = match builder.start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("appwrite-emulator: {error}");
            if let Some(source) = std::error::Error::source(&error) {
                eprintln!("  caused by: {source}");
            }
            return ExitCode::FAILURE;
        }
    };
    say(&format!(
        "appwrite-emulator listening on {endpoint} (project {project})\n\
         outbox: GET {endpoint}/emulator/outbox with an API key",
        endpoint = emulator.endpoint(),
        project = emulator.project()
    ));
    wait_for_stop().await;
    say("appwrite-emulator: stopping");
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

/// Prints a line; a closed stdout (a parent that stopped reading) is not a reason to crash.
fn say(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
