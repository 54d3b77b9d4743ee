//! The browser login end to end against the emulator's mock OAuth2 provider: an HTTP client
//! with a cookie jar plays the browser and follows the redirects, through the library
//! (`LoopbackLogin`, `login::oauth2`) and through the `cli_login` example.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;

use appwrite_client::login::{self, LoginError, LoopbackLogin};
use appwrite_client::{Account, Client, MemoryStore, reqwest};
use appwrite_emulator::Emulator;
use common::loopback::Browser;

async fn emulator(auto_approve: bool) -> Emulator {
    Emulator::builder()
        .project("demo")
        .oauth2_auto_approve(auto_approve)
        .start()
        .await
        .unwrap()
}

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .endpoint(emulator.endpoint())
        .project("demo")
        .session_store(MemoryStore::new())
        .build()
        .unwrap()
}

/// Opens `url` in a fresh browser and returns where it ended, the status and the page.
async fn open(url: &str) -> (String, u16, String) {
    Browser::new().open(url).await
}

/// A login whose start page leads to the mock provider.
fn oauth2_login(account: &Account, login: LoopbackLogin, scopes: &[&str]) -> LoopbackLogin {
    let back = login.redirect_url().to_owned();
    let url = account
        .oauth2_token_url("mock", &back, &back, scopes)
        .unwrap();
    login.sign_in_url(url)
}

#[tokio::test]
async fn oauth2_auto_approve_signs_in_through_the_loopback() {
    let emulator = emulator(true).await;
    let client = client(&emulator);
    let account = Account::new(&client);
    let login = oauth2_login(&account, LoopbackLogin::bind().await.unwrap(), &[]);
    let back = login.redirect_url().to_owned();
    let url = login.start_url();
    let waiting = tokio::spawn({
        let account = account.clone();
        async move { login.finish(&account).await }
    });

    let (end, status, page) = open(&url).await;
    assert!(end.starts_with(&format!("{back}&")), "{end}");
    assert!(end.contains("userId=") && end.contains("secret="), "{end}");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You can close this tab"), "{page}");

    let session = waiting.await.unwrap().unwrap();
    assert_eq!(session.provider, "mock");
    assert!(client.is_signed_in());
    let me = account.get().await.unwrap();
    assert_eq!(me.email, "mock-user@example.com");
    assert!(me.email_verification);
}

/// The consent page's two forms: (action, hidden state) of the first.
fn form(page: &str) -> (String, String) {
    let attr = |after: &str, name: &str| -> String {
        let start = page.find(after).unwrap();
        let rest = &page[start..];
        let from = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let to = rest[from..].find('"').unwrap();
        rest[from..from + to]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    (attr("<form", "action"), attr("name=\"state\"", "value"))
}

#[tokio::test]
async fn the_consent_page_signs_in_the_identity_the_user_gives() {
    let emulator = emulator(false).await;
    let client = client(&emulator);
    let account = Account::new(&client);
    let login = oauth2_login(&account, LoopbackLogin::bind().await.unwrap(), &["profile"]);
    let url = login.start_url();
    let waiting = tokio::spawn({
        let account = account.clone();
        async move { login.finish(&account).await }
    });

    let mut browser = Browser::new();
    let (_, status, page) = browser.open(&url).await;
    assert_eq!(status, 200);
    assert!(page.contains("mock-user@example.com"), "{page}");
    let (action, state) = form(&page);
    // Submitting the form with another email.
    let mut submit = reqwest::Url::parse(&action).unwrap();
    submit
        .query_pairs_mut()
        .append_pair("state", &state)
        .append_pair("code", "ada@example.com");
    let (_, status, page) = browser.open(submit.as_str()).await;
    assert_eq!(status, 200, "{page}");

    waiting.await.unwrap().unwrap();
    assert_eq!(account.get().await.unwrap().email, "ada@example.com");
}

#[tokio::test]
async fn cancelling_on_the_consent_page_ends_the_wait_with_appwrites_error() {
    let emulator = emulator(false).await;
    let client = client(&emulator);
    let account = Account::new(&client);
    let login = oauth2_login(&account, LoopbackLogin::bind().await.unwrap(), &[]);
    let url = login.start_url();
    let waiting = tokio::spawn(login.wait());

    let mut browser = Browser::new();
    let (_, _, page) = browser.open(&url).await;
    let (action, state) = form(&page);
    let mut cancel = reqwest::Url::parse(&action).unwrap();
    cancel
        .query_pairs_mut()
        .append_pair("state", &state)
        .append_pair("error", "access_denied");
    let (end, status, page) = browser.open(cancel.as_str()).await;
    assert!(end.contains("error="), "{end}");
    assert_eq!(status, 400, "{page}");
    match waiting.await.unwrap().unwrap_err() {
        LoginError::Refused {
            message,
            error_type,
        } => {
            assert!(message.contains("access_denied"), "{message}");
            assert_eq!(error_type.unwrap().as_str(), "user_oauth2_provider_error");
        }
        other => panic!("{other:?}"),
    }
    assert!(!client.is_signed_in());
}

#[tokio::test]
async fn oauth2_hands_the_start_url_to_the_caller_and_signs_in() {
    let emulator = emulator(true).await;
    let client = client(&emulator);
    let account = Account::new(&client);
    let (url_tx, url_rx) = mpsc::channel();
    let waiting = tokio::spawn({
        let account = account.clone();
        async move {
            login::oauth2(&account, "mock")
                .scopes(["email"])
                .open_browser(false)
                .on_url(move |prompt| {
                    url_tx
                        .send((prompt.url.to_owned(), prompt.opening_browser))
                        .unwrap();
                })
                .await
        }
    });
    let (url, opening) = tokio::task::spawn_blocking(move || url_rx.recv().unwrap())
        .await
        .unwrap();
    assert!(!opening, "open_browser(false)");
    // The start page: nothing on it that could sign anyone in.
    let start = reqwest::Url::parse(&url).unwrap();
    assert_eq!(start.host_str(), Some("127.0.0.1"));
    assert_eq!((start.path(), start.query()), ("/start", None));
    // The listener answers as soon as the URL is handed over.
    let (end, status, page) = open(&url).await;
    assert_eq!(status, 200, "{page}");
    assert!(end.contains("/callback?state="), "{end}");
    let session = waiting.await.unwrap().unwrap();
    assert_eq!(session.provider, "mock");
    assert!(client.is_signed_in());
}

#[tokio::test]
async fn a_success_url_off_the_platform_list_is_refused_by_appwrite() {
    let emulator = emulator(true).await;
    let account = Account::new(&client(&emulator));
    let url = account
        .oauth2_token_url("mock", "https://evil.example/", "", &[])
        .unwrap();
    let (_, status, page) = open(&url).await;
    assert_eq!(status, 400);
    assert!(page.contains("general_argument_invalid"), "{page}");
}

/// `target/<profile>/examples/cli_login`, built by `cargo test -p appwrite-client`.
fn cli_login() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir
        .join("examples")
        .join(format!("cli_login{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo test -p appwrite-client`, which builds the examples",
        path.display()
    );
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_example_logs_in_with_the_browser_and_remembers_it() {
    let emulator = emulator(true).await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("session.json");
    let run = |args: &[&str]| {
        let mut command = Command::new(cli_login());
        command
            .args(["--endpoint", emulator.endpoint(), "--project", "demo"])
            .arg("--store")
            .arg(&store)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };

    let mut child = run(&["login", "--browser", "--no-open"]).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // The URL to open: the first line starting with `http`, alone on it.
    let url = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(stdout.read_line(&mut line).unwrap() > 0, "no URL printed");
            if line.starts_with("http") {
                return (line.trim_end().to_owned(), stdout);
            }
        }
    })
    .await
    .unwrap();
    let (url, mut stdout) = url;
    assert!(!url.contains(' '), "{url}");
    // The start page, which carries no secret (a browser's command line is public).
    assert!(url.ends_with("/start"), "{url}");
    let (_, status, page) = open(&url).await;
    assert_eq!(status, 200, "{page}");
    let output = tokio::task::spawn_blocking(move || {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        (child.wait().unwrap(), rest)
    })
    .await
    .unwrap();
    assert!(output.0.success());
    assert!(output.1.contains("logged in as"), "{}", output.1);

    let whoami = run(&["whoami"]).output().unwrap();
    assert!(whoami.status.success());
    let text = String::from_utf8(whoami.stdout).unwrap();
    assert!(text.contains("<mock-user@example.com>"), "{text}");
}

#[test]
fn cli_help_goes_to_standard_output_and_succeeds() {
    let output = Command::new(cli_login()).arg("--help").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stderr.is_empty(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("usage: cli_login"), "{stdout}");
    // A mistake is still a usage error on standard error.
    let output = Command::new(cli_login()).arg("--bogus").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_errors_and_logs_are_plain_text_when_standard_error_is_not_a_terminal() {
    let emulator = emulator(true).await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(cli_login());
    command
        .args(["--endpoint", emulator.endpoint(), "--project", "demo"])
        .arg("--store")
        .arg(dir.path().join("session.json"))
        .args(["login", "no-such-user", "abcdef"])
        .env("RUST_LOG", "appwrite_client=debug")
        .env_remove("NO_COLOR");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("appwrite_client"), "logged: {stderr}");
    assert!(!stderr.contains('\u{1b}'), "colour codes: {stderr:?}");
    // The error as its Display, not a Debug dump.
    let error = stderr.lines().find(|l| l.starts_with("error: ")).unwrap();
    assert!(error.contains("401"), "{error}");
    assert!(!error.contains(" { "), "{error}");
}
