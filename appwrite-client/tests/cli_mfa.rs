//! The `cli_login` example and the second factor, against the emulator: `mfa totp-setup`
//! prints the `otpauth://` URI and verifies a first code, `mfa on`, and then `login` (token and
//! `--browser`) asks for the TOTP code or an emailed one; `whoami` shows the factors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use appwrite_client::reqwest;
use appwrite_emulator::{Emulator, OutboxKind};
use common::loopback::Browser;
use serde_json::{Value, json};

#[path = "support/totp.rs"]
mod totp;
use totp::{start_of_totp_period, totp};

mod common;

const PROJECT: &str = "demo";
const KEY: &str = "cli-key";
const USER: &str = "ada";

/// `target/<profile>/examples/cli_login`, built by `cargo test -p appwrite-client`.
fn cli_login() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir
        .join("examples")
        .join(format!("cli_login{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing", path.display());
    path
}

/// An API-key request to the emulator (what a backend would do with `appwrite-server`).
async fn admin(emulator: &Emulator, method: reqwest::Method, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", emulator.endpoint()))
        .header("x-appwrite-project", PROJECT)
        .header("x-appwrite-key", KEY)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null)
}

async fn token(emulator: &Emulator, user: &str) -> String {
    let token = admin(
        emulator,
        reqwest::Method::POST,
        &format!("/users/{user}/tokens"),
        json!({}),
    )
    .await;
    token["secret"].as_str().unwrap().to_owned()
}

async fn user_with_verified_email(emulator: &Emulator) {
    admin(
        emulator,
        reqwest::Method::POST,
        "/users",
        json!({"userId": USER, "email": "ada@example.com"}),
    )
    .await;
    admin(
        emulator,
        reqwest::Method::PATCH,
        &format!("/users/{USER}/verification"),
        json!({"emailVerification": true}),
    )
    .await;
}

struct Cli<'a> {
    emulator: &'a Emulator,
    store: &'a Path,
}

struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Called with a line the CLI printed (the sign-in URL, say).
type Hook<'a> = &'a dyn Fn(&str);

/// What to type when the CLI asks.
struct Prompt<'a> {
    /// A prefix of a standard-output line to wait for before the prompt, and what to do with it
    /// (open the sign-in URL in the "browser").
    first: Option<(&'a str, Hook<'a>)>,
    /// Text of the standard-error line that asks.
    on: &'a str,
    /// A prefix of a standard-output line to wait for first; `answer` gets that line.
    stdout_line: Option<&'a str>,
    answer: &'a dyn Fn(&str) -> String,
}

impl Cli<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(cli_login());
        command
            .args(["--endpoint", self.emulator.endpoint(), "--project", PROJECT])
            .arg("--store")
            .arg(self.store)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn run(&self, args: &[&str], prompt: Option<Prompt<'_>>) -> Run {
        let mut child = self.command(args).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if lines_tx.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        let mut out = Vec::new();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        if let Some(prompt) = prompt {
            if let Some((prefix, hook)) = prompt.first {
                loop {
                    let line = lines.recv_timeout(Duration::from_secs(30)).unwrap();
                    out.push(line.clone());
                    if line.starts_with(prefix) {
                        hook(&line);
                        break;
                    }
                }
            }
            let mut line = String::new();
            loop {
                line.clear();
                assert!(
                    stderr.read_line(&mut line).unwrap() > 0,
                    "no prompt {:?}; stderr: {seen}",
                    prompt.on
                );
                seen.push_str(&line);
                if line.contains(prompt.on) {
                    break;
                }
            }
            let mut given = String::new();
            if let Some(prefix) = prompt.stdout_line {
                loop {
                    let line = lines.recv_timeout(Duration::from_secs(30)).unwrap();
                    out.push(line.clone());
                    if line.starts_with(prefix) {
                        given = line;
                        break;
                    }
                }
            }
            writeln!(stdin, "{}", (prompt.answer)(&given)).unwrap();
        }
        drop(stdin);
        stderr.read_to_string(&mut seen).unwrap();
        let success = child.wait().unwrap().success();
        out.extend(lines.iter());
        Run {
            success,
            stdout: out.join("\n"),
            stderr: seen,
        }
    }
}

impl Cli<'_> {
    /// Runs a browser login that asks nothing after the browser.
    fn run_browser_only(mut command: Command, open: Hook<'_>) -> Run {
        command.stdin(Stdio::null());
        let mut child = command.spawn().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut text = String::new();
        loop {
            let mut line = String::new();
            assert!(stdout.read_line(&mut line).unwrap() > 0, "no URL printed");
            text.push_str(&line);
            if line.starts_with("http") {
                open(line.trim_end());
                break;
            }
        }
        stdout.read_to_string(&mut text).unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        Run {
            success: child.wait().unwrap().success(),
            stdout: text,
            stderr,
        }
    }
}

/// The "browser" (with a cookie jar, as the start page wants): opens `url` and follows the
/// redirects back to the CLI's listener.
fn open_in_browser(url: &str) {
    let handle = tokio::runtime::Handle::current();
    let (_, status, page) = handle.block_on(Browser::new().open(url));
    assert_eq!(status, 200, "{page}");
}

/// The last MFA email code in the outbox.
fn emailed_code(emulator: &Emulator) -> String {
    emulator
        .outbox()
        .into_iter()
        .rev()
        .find(|message| message.kind == OutboxKind::MfaEmail)
        .expect("an MFA email in the outbox")
        .secret
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totp_setup_then_login_asks_for_the_second_factor() {
    let emulator = Emulator::builder()
        .project(PROJECT)
        .api_key(KEY)
        .start()
        .await
        .unwrap();
    user_with_verified_email(&emulator).await;
    let secrets = [
        token(&emulator, USER).await,
        token(&emulator, USER).await,
        token(&emulator, USER).await,
    ];
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("session.json");
    let cli = Cli {
        emulator: &emulator,
        store: &store,
    };
    tokio::task::block_in_place(|| {
        let login = cli.run(&["login", USER, &secrets[0]], None);
        assert!(login.success, "{}", login.stderr);

        let uri = totp_setup(&cli);
        let on = cli.run(&["mfa", "on"], None);
        assert!(
            on.stdout.contains("two-step verification is on"),
            "{}",
            on.stderr
        );
        assert!(cli.run(&["logout"], None).success);

        // A token login now asks for the authenticator's code.
        let secret = totp_secret(&uri);
        start_of_totp_period(&emulator);
        let login = cli.run(
            &["login", USER, &secrets[1]],
            Some(Prompt {
                first: None,
                on: "authenticator app",
                stdout_line: None,
                answer: &|_: &str| totp(&emulator, &secret),
            }),
        );
        assert!(login.success, "{}", login.stderr);
        assert!(
            login.stdout.contains("factors are token, totp"),
            "{}",
            login.stdout
        );
        let whoami = cli.run(&["whoami"], None);
        assert!(whoami.success, "{}", whoami.stderr);
        assert!(
            whoami.stdout.contains("factors: token, totp"),
            "{}",
            whoami.stdout
        );
        assert!(cli.run(&["logout"], None).success);

        // `--factor email`: the code is sent by email and asked for.
        let login = cli.run(
            &["--factor", "email", "login", USER, &secrets[2]],
            Some(Prompt {
                first: None,
                on: "sent to your email",
                stdout_line: None,
                answer: &|_: &str| emailed_code(&emulator),
            }),
        );
        assert!(login.success, "{}", login.stderr);
        assert!(
            login.stdout.contains("factors are token, email"),
            "{}",
            login.stdout
        );
    });
}

/// `cli_login mfa totp-setup`: the URI is printed alone on a line, and its secret gives the
/// first code. Returns the URI.
fn totp_setup(cli: &Cli<'_>) -> String {
    start_of_totp_period(cli.emulator);
    let setup = cli.run(
        &["mfa", "totp-setup"],
        Some(Prompt {
            first: None,
            on: "Then enter the 6-digit code",
            stdout_line: Some("otpauth://totp/"),
            answer: &|uri: &str| totp(cli.emulator, &totp_secret(uri)),
        }),
    );
    assert!(setup.success, "{}", setup.stderr);
    assert!(
        setup.stdout.contains("authenticator verified"),
        "{}",
        setup.stdout
    );
    setup
        .stdout
        .lines()
        .find(|line| line.starts_with("otpauth://totp/"))
        .expect("the URI alone on a line")
        .to_owned()
}

/// The `secret` parameter of an `otpauth://` URI.
fn totp_secret(uri: &str) -> String {
    let url = reqwest::Url::parse(uri).unwrap();
    url.query_pairs()
        .find(|(name, _)| name == "secret")
        .map(|(_, value)| value.into_owned())
        .expect("a secret in the URI")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_login_asks_for_the_authenticator_code_after_the_browser() {
    let emulator = Emulator::builder()
        .project(PROJECT)
        .api_key(KEY)
        .oauth2_auto_approve(true)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("session.json");
    let cli = Cli {
        emulator: &emulator,
        store: &store,
    };
    let browser = ["login", "--browser", "--no-open"];
    tokio::task::block_in_place(|| {
        let open = |url: &str| open_in_browser(url);
        // First sign-in (MFA off), then an authenticator and MFA on.
        let mut command = cli.command(&browser);
        command.stdin(Stdio::null());
        let first = Cli::run_browser_only(command, &open);
        assert!(first.success, "{}", first.stderr);
        let secret = totp_secret(&totp_setup(&cli));
        assert!(cli.run(&["mfa", "on"], None).success);
        assert!(cli.run(&["logout"], None).success);

        // The browser sign-in, then the code typed on the same standard input the paste
        // prompt was reading. An OAuth2 session already has `email`: TOTP is asked for.
        start_of_totp_period(&emulator);
        let login = cli.run(
            &browser,
            Some(Prompt {
                first: Some(("http", &open)),
                on: "authenticator app",
                stdout_line: None,
                answer: &|_: &str| totp(&emulator, &secret),
            }),
        );
        assert!(login.success, "{}", login.stderr);
        assert!(
            login.stdout.contains("factors are email, totp"),
            "{}",
            login.stdout
        );
        let whoami = cli.run(&["whoami"], None);
        assert!(
            whoami.stdout.contains("factors: email, totp"),
            "{}",
            whoami.stdout
        );
    });
}
