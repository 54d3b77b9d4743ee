//! The transport on its own, over real HTTP against a scripted raw server: retries, the body
//! limit, redirects, timeouts and how the path is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_transport::reqwest::Method;
use appwrite_transport::{Request, RequestError, RetryPolicy, TransportError};
use common::{Answer, KEY, Server, quick_retries};

const USER: &str = r#"{"$id":"user-42"}"#;

fn get() -> Request {
    Request::new(Method::GET, "/users/{userId}", ["user-42"])
}

fn post() -> Request {
    Request::new(Method::POST, "/users/{userId}/tokens", ["user-42"]).json(&serde_json::Map::new())
}

fn transport_error(result: Result<appwrite_transport::Response, RequestError>) -> TransportError {
    match result {
        Err(RequestError::Transport(error)) => error,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

mod retries {
    use super::*;

    #[tokio::test]
    async fn an_idempotent_request_is_retried_until_it_succeeds() {
        let server = Server::start(vec![
            Answer::status(503, ""),
            Answer::status(502, ""),
            Answer::json(200, "", USER),
        ])
        .await;
        let transport = server.transport(quick_retries(), |c| c);

        let response = transport.send(&get()).await.unwrap();

        assert_eq!(response.status, 200);
        assert_eq!(server.requests().len(), 3);
    }

    #[tokio::test]
    async fn retries_stop_at_the_policy_bound() {
        let server = Server::start(vec![Answer::status(503, "")]).await;
        let transport = server.transport(quick_retries().max_retries(3), |c| c);

        let error = transport.send(&get()).await.unwrap_err();

        assert!(
            matches!(error, RequestError::Api(ref api) if api.status == 503),
            "{error:?}"
        );
        assert_eq!(server.requests().len(), 4);
    }

    #[tokio::test]
    async fn a_post_whose_connection_broke_is_never_sent_again() {
        let server = Server::start(vec![Answer::Close, Answer::json(201, "", USER)]).await;
        let transport = server.transport(quick_retries(), |c| c);

        let error = transport_error(transport.send(&post()).await);

        assert!(matches!(error, TransportError::Io(_)), "{error:?}");
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn a_get_whose_connection_broke_is_sent_again() {
        let server = Server::start(vec![Answer::Close, Answer::json(200, "", USER)]).await;
        let transport = server.transport(quick_retries(), |c| c);

        assert_eq!(transport.send(&get()).await.unwrap().status, 200);
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn a_post_is_sent_again_only_when_retry_after_asks() {
        let reset = "x-ratelimit-reset: 1\r\n";
        let server = Server::start(vec![Answer::status(503, reset)]).await;
        let transport = server.transport(quick_retries(), |c| c);
        transport.send(&post()).await.unwrap_err();
        assert_eq!(server.requests().len(), 1);

        let server = Server::start(vec![
            Answer::status(429, "retry-after: 0\r\n"),
            Answer::json(201, "", USER),
        ])
        .await;
        let transport = server.transport(quick_retries(), |c| c);
        assert_eq!(transport.send(&post()).await.unwrap().status, 201);
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn a_wait_beyond_max_wait_returns_the_error_with_it() {
        let server = Server::start(vec![Answer::status(429, "retry-after: 60\r\n")]).await;
        let transport = server.transport(quick_retries().max_wait(Duration::from_secs(5)), |c| c);

        let error = transport.send(&get()).await.unwrap_err();

        let RequestError::Api(api) = error else {
            panic!("{error:?}")
        };
        assert_eq!(api.retry_after(), Some(Duration::from_secs(60)));
        assert_eq!(server.requests().len(), 1);
    }
}

mod body_limit {
    use super::*;

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused() {
        let server = Server::start(vec![Answer::json(200, "", &"x".repeat(2048))]).await;
        let transport = server.transport(RetryPolicy::disabled(), |c| c.max_response_bytes(1024));

        let error = transport_error(transport.send(&get()).await);

        assert!(
            matches!(error, TransportError::BodyTooLarge { limit: 1024 }),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_chunked_body_is_cut_off_at_the_limit() {
        // No content-length: the limit is only found while reading.
        let mut bytes = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
        for _ in 0..8 {
            bytes.extend_from_slice(b"200\r\n");
            bytes.extend_from_slice(&[b' '; 0x200]);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
        let server = Server::start(vec![Answer::Bytes(bytes)]).await;
        let over = server.transport(RetryPolicy::disabled(), |c| c.max_response_bytes(4095));
        let exact = server.transport(RetryPolicy::disabled(), |c| c.max_response_bytes(4096));

        let error = transport_error(over.send(&get()).await);
        assert!(
            matches!(error, TransportError::BodyTooLarge { limit: 4095 }),
            "{error:?}"
        );
        assert_eq!(exact.send(&get()).await.unwrap().body.len(), 4096);
    }
}

mod redirects {
    use super::*;

    #[tokio::test]
    async fn a_redirect_is_an_error_and_its_target_hears_nothing() {
        let elsewhere = Server::start(vec![Answer::json(200, "", USER)]).await;
        let location = format!("location: {}/users/user-42\r\n", elsewhere.endpoint);
        let server = Server::start(vec![Answer::status(307, &location)]).await;
        let transport = server.transport(quick_retries(), |c| c);

        let error = transport_error(transport.send(&get()).await);

        assert!(
            matches!(error, TransportError::Redirect { status: 307 }),
            "{error:?}"
        );
        assert_eq!(server.requests().len(), 1, "a redirect is not retried");
        assert!(
            elsewhere.requests().is_empty(),
            "the key went to the redirect target"
        );
        assert!(!error.to_string().contains(&elsewhere.endpoint));
    }
}

mod timeouts {
    use super::*;

    #[tokio::test]
    async fn a_server_that_never_answers_times_out() {
        let server = Server::start(vec![Answer::Silent]).await;
        let transport = server.transport(RetryPolicy::disabled(), |c| {
            c.read_timeout(Duration::from_millis(200))
        });

        let error = transport_error(transport.send(&get()).await);

        assert!(matches!(error, TransportError::Timeout(_)), "{error:?}");
    }

    #[tokio::test]
    async fn an_attempt_deadline_stops_a_trickling_body() {
        // Each byte arrives well within the read timeout; only the whole-attempt limit ends it.
        let body = USER.as_bytes().to_vec();
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let trickle = Answer::Trickle {
            head,
            body,
            pause: Duration::from_millis(100),
        };
        let server = Server::start(vec![trickle]).await;
        let transport = server.transport(RetryPolicy::disabled(), |c| {
            c.read_timeout(Duration::from_secs(5))
                .timeout(Duration::from_millis(300))
        });

        let error = transport_error(transport.send(&get()).await);

        assert!(matches!(error, TransportError::Timeout(_)), "{error:?}");
    }

    #[tokio::test]
    async fn a_timed_out_post_is_not_sent_again() {
        let server = Server::start(vec![Answer::Silent]).await;
        let transport = server.transport(quick_retries(), |c| {
            c.read_timeout(Duration::from_millis(200))
        });

        transport_error(transport.send(&post()).await);

        assert_eq!(server.requests().len(), 1);
    }
}

mod wire {
    use super::*;

    #[tokio::test]
    async fn ids_are_sent_percent_encoded_and_the_key_is_attached() {
        let server = Server::start(vec![Answer::status(204, "")]).await;
        let transport = server.transport(RetryPolicy::disabled(), |c| c);
        let request = Request::new(
            Method::DELETE,
            "/users/{userId}/sessions/{sessionId}",
            ["a/b?c", "s 1"],
        )
        .query("x", "y z");

        transport.send_empty(&request).await.unwrap();

        let head = &server.requests()[0];
        assert!(
            head.starts_with("DELETE /v1/users/a%2Fb%3Fc/sessions/s%201?x=y+z HTTP/1.1"),
            "{head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("x-appwrite-key: {KEY}"))
        );
    }

    #[tokio::test]
    async fn a_dot_segment_is_refused_before_anything_is_sent() {
        let server = Server::start(vec![Answer::json(200, "", USER)]).await;
        let transport = server.transport(quick_retries(), |c| c);

        let error = transport
            .send(&Request::new(Method::GET, "/users/{userId}", [".."]))
            .await
            .unwrap_err();

        assert!(matches!(error, RequestError::InvalidInput(_)), "{error:?}");
        assert!(server.requests().is_empty());
    }
}
