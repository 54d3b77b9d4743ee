//! The loopback login never logs the secret. Alone in its test binary: `tracing` caches per
//! call site whether anyone listens, and a test running at the same time without a subscriber
//! would hide events from this one's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use appwrite_client::login::LoopbackLogin;
use appwrite_client::{Account, MemoryStore, reqwest};
use common::loopback::{Browser, login};
use common::{TOKEN_SECRET, USER, client_with, credential, mount_default_login};
use wiremock::MockServer;

async fn get(url: &str) -> u16 {
    reqwest::Client::new()
        .get(url)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Collects everything logged, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_secret_is_never_logged() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    let login: LoopbackLogin = login().await;
    let base = format!("http://{}", login.local_addr());
    let good = format!(
        "{}&userId={USER}&secret={TOKEN_SECRET}",
        login.redirect_url()
    );
    let wrong = format!("{base}/callback?state=x&userId={USER}&secret={TOKEN_SECRET}");
    let elsewhere = format!("{base}/other?secret={TOKEN_SECRET}");
    let start = login.start_url();
    let waiting = tokio::spawn(async move { login.finish(&account).await });
    assert_eq!(get(&wrong).await, 403);
    assert_eq!(get(&elsewhere).await, 404);
    // Without the start page's cookie, then from the browser that visited it.
    assert_eq!(get(&good).await, 403);
    let mut browser = Browser::started(&start).await;
    assert_eq!(browser.step(&good).await.status, 200);
    waiting.await.unwrap().unwrap();

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("request refused"),
        "the refusals were logged: {text}"
    );
    assert!(text.contains("callback accepted"), "{text}");
    assert!(!text.contains(TOKEN_SECRET), "{text}");
    assert!(!text.contains(&credential()), "{text}");
}
