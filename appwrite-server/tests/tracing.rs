//! What the client logs: a span per request and Appwrite's warnings, never a secret.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{KEY, fixture_str, json_response, users};
use tracing_subscriber::fmt::MakeWriter;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn a_warning_header_is_logged_and_no_secret_ever_is() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json_response(201, "token.json").insert_header(
            "x-appwrite-warning",
            "The current SDK is built for Appwrite 1.8.0. However, the current Appwrite server version is 1.5.0.",
        ))
        .mount(&server)
        .await;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    // The test runs on one thread (tokio's current-thread runtime), so a thread-local default
    // sees every event of the request.
    let _guard = tracing::subscriber::set_default(subscriber);

    let token = users(&server)
        .create_token("user-42")
        .length(8)
        .await
        .unwrap();

    let logs = captured.text();
    assert!(logs.contains("WARN"), "{logs}");
    assert!(logs.contains("appwrite warning"), "{logs}");
    assert!(
        logs.contains("current Appwrite server version is 1.5.0"),
        "{logs}"
    );
    assert!(logs.contains("appwrite.request"), "{logs}");
    assert!(logs.contains("/users/{userId}/tokens"), "{logs}");
    assert!(logs.contains("status=201"), "{logs}");
    // Recorded on the span when it closes (the clock is read only for a recorded span).
    assert!(logs.contains("attempts=1"), "{logs}");
    assert!(logs.contains("latency_ms="), "{logs}");
    assert!(!logs.contains(KEY), "{logs}");
    assert!(!logs.contains(token.secret.expose_secret()), "{logs}");
    assert!(
        !logs.contains(&fixture_str("token.json", "secret")),
        "{logs}"
    );
}

#[tokio::test]
async fn rust_log_appwrite_server_debug_shows_each_attempt_and_the_retry() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(wiremock::ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json_response(200, "user.json"))
        .mount(&server)
        .await;
    let captured = Captured::default();
    // What `RUST_LOG=appwrite_server=debug` selects.
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("appwrite_server=debug"))
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    users(&server).get("user-42").await.unwrap();

    let logs = captured.text();
    let lines: Vec<&str> = logs.lines().collect();
    assert_eq!(lines.len(), 3, "{logs}");
    for line in &lines {
        assert!(line.contains("appwrite_server"), "{line}");
        assert!(line.contains(r#"route="/users/{userId}""#), "{line}");
    }
    assert!(
        lines[0].contains("DEBUG") && lines[0].contains("appwrite request"),
        "{logs}"
    );
    assert!(
        lines[0].contains("status=503") && lines[0].contains("attempt=1"),
        "{logs}"
    );
    assert!(
        lines[0].contains("method=GET") && lines[0].contains("duration_ms="),
        "{logs}"
    );
    assert!(
        lines[1].contains("WARN") && lines[1].contains("retrying appwrite request"),
        "{logs}"
    );
    assert!(
        lines[2].contains("status=200") && lines[2].contains("attempt=2"),
        "{logs}"
    );
    assert!(!logs.contains(KEY), "{logs}");
    assert!(
        !logs.contains("user-42"),
        "ids stay out of the logs: {logs}"
    );
}
