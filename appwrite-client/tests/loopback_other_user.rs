//! The loopback login against another local user, as real processes: the test runs as root (as
//! in CI) and plays the other user with `setpriv --reuid 65534` and `curl`. Knowing the URLs (a
//! browser's command line is readable by every local user) is not enough to start, end or
//! finish the login.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use appwrite_client::login::LoopbackLogin;
use appwrite_client::{Account, Client, MemoryStore};
use appwrite_emulator::Emulator;
use common::loopback::Browser;

/// Whether this process can become another user (root, with `setpriv` and `curl` installed).
fn can_switch_users() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0");
    let tools = ["setpriv", "curl"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    });
    root && tools
}

/// `curl` as uid/gid 65534, following redirects with a cookie jar like a browser; returns the
/// last status it saw.
async fn curl_as_nobody(url: String) -> String {
    tokio::task::spawn_blocking(move || {
        let output = Command::new("setpriv")
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .args(["curl", "-sS", "-L", "-b", "", "-o", "/dev/null"])
            .args(["-w", "%{http_code}", "--max-time", "10"])
            .arg(&url)
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_user_cannot_start_end_or_finish_the_login() {
    if !can_switch_users() {
        eprintln!("skipped: needs root, setpriv and curl");
        return;
    }
    let emulator = Emulator::builder()
        .project("demo")
        .oauth2_auto_approve(true)
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .endpoint(emulator.endpoint())
        .project("demo")
        .session_store(MemoryStore::new())
        .build()
        .unwrap();
    let account = Account::new(&client);
    let login = LoopbackLogin::bind().await.unwrap();
    let back = login.redirect_url().to_owned();
    let sign_in = account.oauth2_token_url("mock", &back, &back, &[]).unwrap();
    let login = login.sign_in_url(sign_in.as_str());
    let start = login.start_url();
    let waiting = tokio::spawn({
        let account = account.clone();
        async move { login.finish(&account).await }
    });

    // The other user reaches the start page before the browser does, and would follow it
    // through the (auto-approving) provider back to the callback.
    assert_eq!(curl_as_nobody(start.clone()).await, "403");
    // Even knowing the sign-in URL itself, `state` included, it cannot come back with a
    // sign-in: its own provider round trip ends at the callback, refused.
    assert_eq!(curl_as_nobody(sign_in).await, "403");
    assert_eq!(
        curl_as_nobody(format!("{back}&error=access_denied")).await,
        "403"
    );
    assert!(!waiting.is_finished(), "the login still waits");
    assert!(!client.is_signed_in());

    // The user's browser then signs in as usual.
    let (end, status, page) = Browser::new().open(&start).await;
    assert_eq!(status, 200, "{end}: {page}");
    let session = waiting.await.unwrap().unwrap();
    assert_eq!(session.provider, "mock");
    assert!(client.is_signed_in());
}
