//! The attempt deadline, proxies, and a user's own `reqwest::Client` that follows redirects, over
//! raw TCP servers that answer as a hostile or faulty server would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use appwrite_server::reqwest;
use appwrite_server::{Client, RetryPolicy, Users};
use common::KEY;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Reads one request's head (up to the blank line) and returns it as text.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&request).into_owned()
}

/// A server that accepts one connection and hands its stream and request head to `serve`.
async fn serve_once<F, Fut>(serve: F) -> String
where
    F: FnOnce(TcpStream, String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let head = read_head(&mut stream).await;
        serve(stream, head).await;
    });
    format!("http://{address}")
}

/// A 200 answer carrying `body` as JSON.
fn ok_json(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn client(endpoint: &str) -> appwrite_server::ClientBuilder {
    Client::builder()
        .endpoint(endpoint)
        .project(common::PROJECT)
        .api_key(KEY)
        .retry_policy(RetryPolicy::disabled())
        .no_proxy()
}

#[tokio::test]
async fn a_trickling_body_is_cut_off_by_the_attempt_deadline() {
    // Headers at once, then one byte every 100 ms: each read is quick, so only a deadline on the
    // whole attempt ends it. Without one the 60 bytes arrive after 6 s and the call "succeeds"
    // into a decode error instead.
    let base = serve_once(|mut stream, _| async move {
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 60\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for _ in 0..60 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if stream.write_all(b" ").await.is_err() {
                return;
            }
        }
    })
    .await;
    let client = client(&format!("{base}/v1"))
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let err = Users::new(&client).get("user-42").await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[test]
fn the_attempt_deadline_is_on_by_default_and_can_be_removed() {
    let builder = Client::builder().endpoint("http://127.0.0.1:9/v1");
    assert!(
        format!("{builder:?}").contains("timeout: Some(60s)"),
        "{builder:?}"
    );
    let builder = builder.no_timeout();
    assert!(
        format!("{builder:?}").contains("timeout: None"),
        "{builder:?}"
    );
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy() {
    let (seen_tx, seen_rx) = oneshot::channel();
    let proxy = serve_once(|mut stream, head| async move {
        let answer = ok_json(&common::fixture_text("user.json"));
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = seen_tx.send(head);
    })
    .await;
    // No server listens at this name: only the proxy can answer.
    let client = client("http://appwrite.invalid/v1")
        .proxy(reqwest::Proxy::http(&proxy).unwrap())
        .build()
        .unwrap();
    let user = Users::new(&client).get("user-42").await.unwrap();
    assert!(!user.id.as_str().is_empty());
    let head = seen_rx.await.unwrap();
    assert!(
        head.starts_with("GET http://appwrite.invalid/v1/users/user-42 HTTP/1.1"),
        "{head}"
    );
}

#[tokio::test]
async fn a_redirect_followed_by_a_custom_client_is_refused() {
    // The other host answers with a perfectly good user: only the redirect check refuses it.
    let elsewhere = serve_once(|mut stream, _| async move {
        let answer = ok_json(&common::fixture_text("user.json"));
        let _ = stream.write_all(answer.as_bytes()).await;
    })
    .await;
    let redirecting = serve_once(move |mut stream, _| async move {
        let answer = format!(
            "HTTP/1.1 307 Temporary Redirect\r\nlocation: {elsewhere}/v1/users/user-42\r\ncontent-length: 0\r\n\r\n"
        );
        let _ = stream.write_all(answer.as_bytes()).await;
    })
    .await;
    // A client built the default way, which follows redirects.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let client = client(&format!("{redirecting}/v1"))
        .http_client(http)
        .build()
        .unwrap();
    let err = Users::new(&client).get("user-42").await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("redirect"), "{message}");
    assert!(!message.contains(KEY), "{message}");
}
