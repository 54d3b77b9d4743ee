//! `appwrite-emulator`: runs the emulator until Ctrl-C (or SIGTERM).

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use appwrite_emulator::Emulator;
use clap::Parser;

/// An in-memory, Appwrite-compatible server for the users, tokens and sessions endpoints.
#[derive(Debug, Parser)]
#[command(version, about)]
#[allow(clippy::struct_excessive_bools)] // command-line switches
struct Args {
    /// Address to listen on. Anything but loopback exposes the emulator to other machines.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Project id clients send in X-Appwrite-Project.
    #[arg(long, default_value = "demo")]
    project: String,
    /// API key with the scopes users.read, users.write and sessions.write (repeatable).
    #[arg(long = "api-key")]
    api_keys: Vec<String>,
    /// Registered platform host for browser origins and redirects, on top of localhost and
    /// 127.0.0.1 (repeatable; `*.example.com` for subdomains).
    #[arg(long = "platform")]
    platforms: Vec<String>,
    /// Session length in seconds.
    #[arg(long, default_value_t = 31_536_000)]
    session_duration: u64,
    /// Turn off Appwrite's rate limits (logins, email and phone codes, JWTs, ...).
    #[arg(long)]
    no_rate_limit: bool,
    /// Take the client address from X-Forwarded-For, and the public host from X-Forwarded-Host
    /// and X-Forwarded-Proto (only behind a proxy you run).
    #[arg(long)]
    trust_proxy: bool,
    /// Answer like a server without SMTP and SMS: token routes give 503.
    #[arg(long)]
    no_messaging: bool,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// The mock OAuth2 provider (`mock`) signs in at once, without its consent page.
    #[arg(long)]
    oauth2_auto_approve: bool,
    /// The email the mock OAuth2 provider signs in as.
    #[arg(long, default_value = appwrite_emulator::DEFAULT_OAUTH2_IDENTITY)]
    oauth2_identity: String,
    /// Seconds a request body may take to arrive.
    #[arg(long, default_value_t = 10)]
    body_timeout: u64,
    /// Most users kept.
    #[arg(long, default_value_t = 100_000)]
    max_users: usize,
    /// Most outbox messages kept.
    #[arg(long, default_value_t = 10_000)]
    max_outbox: usize,
    /// The emulator's address as browsers and mail readers reach it, such as
    /// `https://appwrite.test` (default: the listening address): magic links point there and rate
    /// limits count per this host.
    #[arg(long)]
    public_url: Option<String>,
    /// Most sessions per user; signing in beyond it deletes the oldest (0: no cap, Appwrite's
    /// default).
    #[arg(long, default_value_t = 0)]
    max_sessions: usize,
    /// Most rate-limit keys counted at once.
    #[arg(long, default_value_t = 100_000)]
    max_rate_limit_keys: usize,
    /// Keep users, tokens and sessions in this file across restarts (loaded at start, saved
    /// atomically every 30 seconds and on shutdown).
    #[arg(long = "state")]
    state: Option<PathBuf>,
    /// No log line per request.
    #[arg(long)]
    quiet: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if !args.quiet {
        use std::io::IsTerminal as _;
        tracing_subscriber::fmt()
            .with_target(false)
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .init();
    }
    if !args.host.is_loopback() {
        eprintln!(
            "appwrite-emulator: warning: listening on {}, which is not a loopback address: other machines can reach it, and anyone holding an API key can read the outbox and control the emulator",
            args.host
        );
    }
    let mut builder = Emulator::builder()
        .project(args.project)
        .host(args.host)
        .port(args.port)
        .session_duration(Duration::from_secs(args.session_duration))
        .rate_limit(!args.no_rate_limit)
        .trust_proxy(args.trust_proxy)
        .messaging(!args.no_messaging)
        .max_body_bytes(args.max_body_bytes)
        .body_read_timeout(Duration::from_secs(args.body_timeout))
        .max_users(args.max_users)
        .max_outbox(args.max_outbox)
        .max_rate_limit_keys(args.max_rate_limit_keys)
        .max_sessions(args.max_sessions)
        .log_requests(!args.quiet)
        .oauth2_auto_approve(args.oauth2_auto_approve)
        .oauth2_identity(args.oauth2_identity);
    for key in args.api_keys {
        builder = builder.api_key(key);
    }
    for platform in args.platforms {
        builder = builder.platform(platform);
    }
    if let Some(url) = args.public_url {
        builder = builder.public_url(url);
    }
    if let Some(path) = args.state {
        builder = builder.state_file(path);
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
