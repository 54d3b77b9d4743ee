//! Error paths: Appwrite errors, bodies that are not what they should be, and the network failing
//! in each of the ways it can, each told apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use appwrite_server::{ErrorType, RetryPolicy, TransportError, Users};
use common::{KEY, builder, fixture_str, json_response, users};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server answering every request to `verb` with `response`.
async fn answering(verb: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// Asserts an error's messages are lower case and hold neither the key nor `secret`.
fn assert_clean(err: &appwrite_server::Error, secret: &str) {
    let display = err.to_string();
    let debug = format!("{err:?}");
    assert!(
        display.starts_with(|c: char| !c.is_uppercase()),
        "{display}"
    );
    for text in [&display, &debug] {
        assert!(!text.contains(KEY), "{text}");
        assert!(secret.is_empty() || !text.contains(secret), "{text}");
    }
}

#[tokio::test]
async fn user_not_found_is_not_found() {
    let server = answering("GET", json_response(404, "error_user_not_found.json")).await;

    let err = users(&server).get("ghost").await.unwrap_err();

    assert!(err.is_not_found());
    assert!(!err.is_unauthorized() && !err.is_rate_limited() && !err.is_transport());
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.error_type(), Some(&ErrorType::UserNotFound));
    let api = err.api().unwrap();
    assert_eq!(
        api.message,
        "User with the requested ID could not be found."
    );
    assert_eq!(api.version.as_deref(), Some("1.9.6"));
    assert_eq!(
        err.to_string(),
        "appwrite answered 404 user_not_found: User with the requested ID could not be found."
    );
    assert_eq!(err.retry_after(), None);
    // A 404 is final: not retried.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_missing_scope_is_unauthorized() {
    let server = answering("POST", json_response(401, "error_unauthorized_scope.json")).await;

    let err = users(&server).create_token("user-42").await.unwrap_err();

    assert!(err.is_unauthorized());
    assert_eq!(err.error_type(), Some(&ErrorType::GeneralUnauthorizedScope));
    assert_clean(&err, "");
}

#[tokio::test]
async fn an_error_message_repeating_the_key_is_redacted() {
    let body = format!(
        r#"{{"message":"Invalid API key: {KEY} is not valid","code":401,"type":"user_unauthorized","version":"1.9.6"}}"#
    );
    let server = answering(
        "GET",
        ResponseTemplate::new(401).set_body_raw(body, "application/json"),
    )
    .await;

    let err = users(&server).get("user-42").await.unwrap_err();

    assert!(err.is_unauthorized());
    assert_eq!(
        err.api().unwrap().message,
        "Invalid API key: [redacted] is not valid"
    );
    assert_clean(&err, "");
}

#[tokio::test]
async fn an_error_body_with_unknown_fields_still_decodes() {
    let server = answering("GET", json_response(500, "error_dev_mode.json")).await;

    let err = Users::new(
        &builder(&server)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap(),
    )
    .get("user-42")
    .await
    .unwrap_err();

    assert_eq!(err.status(), Some(500));
    assert_eq!(err.error_type(), Some(&ErrorType::GeneralUnknown));
    assert_eq!(err.api().unwrap().message, "Server Error");
    // The trace's file names are not repeated.
    assert!(!err.to_string().contains("general.php"));
}

#[tokio::test]
async fn a_proxys_html_502_is_an_api_error_that_does_not_quote_the_page() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let server = answering(
        "GET",
        ResponseTemplate::new(502).set_body_raw(page, "text/html"),
    )
    .await;

    let err = users(&server).get("user-42").await.unwrap_err();

    assert_eq!(err.status(), Some(502));
    assert_eq!(err.error_type(), Some(&ErrorType::Other(String::new())));
    assert_eq!(
        err.api().unwrap().message,
        "bad gateway with a non-JSON body (text/html)"
    );
    assert!(!err.to_string().contains("nginx"));
    // A GET is idempotent: tried three times in all.
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_502_to_create_token_is_never_replayed() {
    let server = answering(
        "POST",
        ResponseTemplate::new(502).set_body_raw("<html>bad gateway</html>", "text/html"),
    )
    .await;

    let err = users(&server).create_token("user-42").await.unwrap_err();

    assert_eq!(err.status(), Some(502));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

mod bad_success_bodies {
    use super::*;

    async fn create_token_answered_with(response: ResponseTemplate) -> appwrite_server::Error {
        let server = answering("POST", response).await;
        let err = users(&server).create_token("user-42").await.unwrap_err();
        assert!(err.is_decode(), "{err:?}");
        assert!(!err.is_transport());
        assert_clean(&err, &fixture_str("token.json", "secret"));
        err
    }

    #[tokio::test]
    async fn html_with_a_200() {
        let err = create_token_answered_with(
            ResponseTemplate::new(200).set_body_raw("<html>login portal</html>", "text/html"),
        )
        .await;
        assert!(
            err.to_string().contains("expected JSON, got text/html"),
            "{err}"
        );
        assert!(!err.to_string().contains("portal"));
    }

    #[tokio::test]
    async fn truncated_json() {
        let full = common::fixture_text("token.json");
        let err = create_token_answered_with(
            ResponseTemplate::new(201).set_body_raw(&full[..full.len() / 2], "application/json"),
        )
        .await;
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[tokio::test]
    async fn an_empty_body() {
        let err = create_token_answered_with(ResponseTemplate::new(201)).await;
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[tokio::test]
    async fn wrong_json_types() {
        let mut token = common::fixture("token.json");
        token["expire"] = serde_json::json!(42);
        let err = create_token_answered_with(ResponseTemplate::new(201).set_body_json(token)).await;
        assert!(err.to_string().contains("unexpected shape"), "{err}");
    }

    #[tokio::test]
    async fn a_string_in_the_wrong_place_is_not_quoted() {
        // serde_json would say `invalid type: string "<the credential>", expected a boolean`.
        let mut session = common::fixture("session.json");
        let secret = fixture_str("session.json", "secret");
        session["current"] = serde_json::json!(secret);
        let server = answering("POST", ResponseTemplate::new(201).set_body_json(session)).await;

        let err = users(&server).create_session("user-42").await.unwrap_err();

        assert!(err.is_decode(), "{err:?}");
        assert!(err.to_string().contains("invalid type: string"), "{err}");
        assert_clean(&err, &secret);
        assert_clean(&err, &secret[..40]);
    }

    #[tokio::test]
    async fn a_token_without_its_secret() {
        let mut token = common::fixture("token.json");
        token.as_object_mut().unwrap().remove("secret");
        let err = create_token_answered_with(ResponseTemplate::new(201).set_body_json(token)).await;
        assert!(err.to_string().contains("secret"), "{err}");
    }

    #[tokio::test]
    async fn invalid_utf8() {
        let mut body = br#"{"$id":"t","userId":"user-42","secret":""#.to_vec();
        body.extend_from_slice(b"\xff\xfe");
        body.extend_from_slice(br#"","expire":"2025-10-17T09:24:28.512+00:00"}"#);
        create_token_answered_with(
            ResponseTemplate::new(201).set_body_raw(body, "application/json"),
        )
        .await;
    }
}

#[tokio::test]
async fn a_body_larger_than_the_limit_is_refused() {
    let big = format!(r#"{{"jwt":"{}"}}"#, "a".repeat(5 * 1024 * 1024));
    let server = answering(
        "POST",
        ResponseTemplate::new(201).set_body_raw(big, "application/json"),
    )
    .await;

    let err = users(&server).create_jwt("user-42").await.unwrap_err();

    assert!(
        matches!(
            err,
            appwrite_server::Error::Transport(TransportError::BodyTooLarge { limit: 4_194_304 })
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the response body is larger than 4194304 bytes"
    );
}

#[tokio::test]
async fn a_streamed_body_is_cut_off_at_the_configured_limit() {
    // No Content-Length: the limit has to be enforced while reading.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
        }
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("{:x}\r\n{}\r\n", 4096, " ".repeat(4096));
        for _ in 0..1024 {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    let client = appwrite_server::Client::builder()
        .endpoint(endpoint)
        .project(common::PROJECT)
        .api_key(KEY)
        .max_response_bytes(64 * 1024)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let err = Users::new(&client).get("user-42").await.unwrap_err();

    assert!(
        matches!(
            err,
            appwrite_server::Error::Transport(TransportError::BodyTooLarge { limit: 65_536 })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json_response(201, "token.json").set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = builder(&server)
        .read_timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let started = std::time::Instant::now();
    let err = Users::new(&client)
        .create_token("user-42")
        .await
        .unwrap_err();

    assert!(err.is_timeout(), "{err:?}");
    assert!(!err.is_connect());
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(err.to_string(), "the request to appwrite timed out");
    // The token may have been created: the POST is not sent again.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_timed_out_get_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json_response(200, "user.json").set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = builder(&server)
        .read_timeout(Duration::from_millis(150))
        .build()
        .unwrap();

    let err = Users::new(&client).get("user-42").await.unwrap_err();

    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

/// A server that reads the start of each request, then resets the connection; it counts them.
async fn resetting_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/v1", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 16];
            let _ = stream.read(&mut buf).await;
            stream.set_zero_linger().unwrap();
            drop(stream);
        }
    });
    (endpoint, connections)
}

fn client_for(endpoint: String) -> appwrite_server::Client {
    appwrite_server::Client::builder()
        .endpoint(endpoint)
        .project(common::PROJECT)
        .api_key(KEY)
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_reset_connection_is_neither_a_timeout_nor_a_connect_failure() {
    let (endpoint, connections) = resetting_server().await;
    let users = Users::new(&client_for(endpoint));

    let err = users.create_token("user-42").await.unwrap_err();

    assert!(err.is_transport(), "{err:?}");
    assert!(!err.is_timeout());
    assert!(!err.is_connect());
    assert!(matches!(
        err,
        appwrite_server::Error::Transport(TransportError::Io(_))
    ));
    assert_eq!(err.to_string(), "the connection to appwrite failed");
    // The POST reached the server: it is not sent again.
    assert_eq!(connections.load(Ordering::SeqCst), 1);

    let err = users.get("user-42").await.unwrap_err();
    assert!(err.is_transport() && !err.is_timeout() && !err.is_connect());
    // A GET may be: one try and two retries.
    assert_eq!(connections.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_failure() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let users = Users::new(&client_for(format!("http://127.0.0.1:{port}/v1")));

    let err = users.create_token("user-42").await.unwrap_err();

    assert!(err.is_connect(), "{err:?}");
    assert!(!err.is_timeout());
    assert_eq!(
        err.to_string(),
        format!(
            "could not connect to appwrite at 127.0.0.1:{port}: the connection was refused (is the server running, on this port?)"
        )
    );
    assert_clean(&err, "");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_the_key_never_leaves() {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(json_response(200, "user.json"))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    for (verb, route, status) in [
        ("GET", "/v1/users/user-42", 302),
        ("POST", "/v1/users/user-42/tokens", 307),
        ("DELETE", "/v1/users/user-42", 308),
    ] {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("location", format!("{}{route}", elsewhere.uri())),
            )
            .mount(&server)
            .await;
    }
    let users = users(&server);

    let errors = [
        users.get("user-42").await.unwrap_err(),
        users.create_token("user-42").await.unwrap_err(),
        users.delete("user-42").await.unwrap_err(),
    ];

    for (err, status) in errors.iter().zip([302, 307, 308]) {
        assert!(
            matches!(err, appwrite_server::Error::Transport(TransportError::Redirect { status: s }) if *s == status),
            "{err:?}"
        );
        assert!(err.to_string().contains("redirect"), "{err}");
        assert!(!err.to_string().contains(&elsewhere.uri()), "{err}");
    }
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    // A redirect is final: each request was sent once.
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn an_error_message_repeating_the_password_is_redacted() {
    let password = "correct horse battery staple";
    let body = format!(
        r#"{{"message":"refused body password={password}","code":400,"type":"general_argument_invalid","version":"1.9.6"}}"#
    );
    let refusing = || ResponseTemplate::new(400).set_body_raw(body.clone(), "application/json");
    let server = answering("POST", refusing()).await;
    Mock::given(method("GET"))
        .respond_with(json_response(404, "error_user_not_found.json"))
        .mount(&server)
        .await;
    let users = users(&server);

    let created = users.create("user-42").password(password).await;
    let ensured = users.get_or_create("user-42").password(password).await;

    for err in [created.unwrap_err(), ensured.unwrap_err()] {
        assert_eq!(err.status(), Some(400));
        assert_eq!(
            err.api().unwrap().message,
            "refused body password=[redacted]"
        );
        assert_clean(&err, password);
    }
}
