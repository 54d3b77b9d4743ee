//! A raw HTTP/1.1 server on a loopback port that answers each connection from a script, and a
//! transport pointed at it: hostile and broken answers that a mock framework would not send.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use appwrite_models::headers::Platform;
use appwrite_transport::{FixedHeader, HttpConfig, RetryPolicy, Transport};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The API key every test transport sends.
pub const KEY: &str = "standard_transport_test_key";

/// What the server does with one connection, after reading the request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// Writes these bytes, then closes.
    Bytes(Vec<u8>),
    /// Closes without a word.
    Close,
    /// Keeps the connection open and says nothing.
    Silent,
    /// Writes the head, then the body one byte at a time, `pause` apart.
    Trickle {
        head: String,
        body: Vec<u8>,
        pause: Duration,
    },
}

impl Answer {
    /// A complete response with a JSON body.
    pub fn json(status: u16, extra_headers: &str, body: &str) -> Self {
        Self::Bytes(
            format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra_headers}\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }

    /// A complete response with no body.
    pub fn status(status: u16, extra_headers: &str) -> Self {
        Self::json(status, extra_headers, "")
    }
}

/// A server answering connection `i` with `answers[i]` (the last answer repeats).
#[derive(Clone, Debug)]
pub struct Server {
    /// `http://127.0.0.1:PORT/v1`.
    pub endpoint: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub async fn start(answers: Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}/v1", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            for index in 0.. {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let answer = answers[index.min(answers.len() - 1)].clone();
                let seen = seen.clone();
                tokio::spawn(async move { answer_one(stream, answer, &seen).await });
            }
        });
        Self { endpoint, requests }
    }

    /// Each request's head (request line and headers), in arrival order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// A transport to this server with `policy` and the other settings at their defaults,
    /// changed by `configure`.
    pub fn transport(
        &self,
        policy: RetryPolicy,
        configure: impl FnOnce(HttpConfig) -> HttpConfig,
    ) -> Transport {
        let config = HttpConfig::default()
            .endpoint(self.endpoint.clone())
            .project("demo")
            .retry_policy(policy);
        let key = FixedHeader {
            setting: "api_key",
            name: "x-appwrite-key".parse().unwrap(),
            value: SecretString::from(KEY),
            sensitive: true,
        };
        configure(config)
            .build(Platform::Server, "0.1.0", vec![key])
            .unwrap()
    }
}

/// Retries on, with backoffs too short to matter.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(1))
}

async fn answer_one(mut stream: TcpStream, answer: Answer, seen: &Mutex<Vec<String>>) {
    let head = read_request(&mut stream).await;
    seen.lock().unwrap().push(head);
    match answer {
        Answer::Bytes(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Answer::Close => drop(stream),
        Answer::Silent => {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Answer::Trickle { head, body, pause } => {
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for byte in body {
                tokio::time::sleep(pause).await;
                if stream.write_all(&[byte]).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads the head and the body (by `content-length`) of one request; returns the head.
async fn read_request(stream: &mut TcpStream) -> String {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&buffer).into_owned(),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = buffer.len() - (end + 4);
    while body < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body += n,
        }
    }
    head
}
