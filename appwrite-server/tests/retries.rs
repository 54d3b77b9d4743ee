//! Retries through the client: bounded, honouring the server's wait, and never replaying a POST
//! that may have reached the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use appwrite_server::{RetryPolicy, Users};
use common::{builder, json_response, users};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn rate_limited() -> ResponseTemplate {
    json_response(429, "error_rate_limit.json")
}

/// `first` for the first `times` requests to `verb`, then `then`.
async fn server_answering(
    verb: &str,
    first: ResponseTemplate,
    times: u64,
    then: ResponseTemplate,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method(verb))
        .respond_with(then)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn a_429_is_retried_after_the_retry_after_wait() {
    let server = server_answering(
        "GET",
        rate_limited().insert_header("retry-after", "1"),
        1,
        json_response(200, "user.json"),
    )
    .await;

    let started = Instant::now();
    let user = users(&server).get("user-42").await.unwrap();

    assert_eq!(user.id, "user-42");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn a_persistent_429_is_surfaced_with_retry_after_once_retries_run_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rate_limited().insert_header("retry-after", "1"))
        .mount(&server)
        .await;

    let started = Instant::now();
    let err = users(&server).get("user-42").await.unwrap_err();

    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(
        err.error_type(),
        Some(&appwrite_server::ErrorType::GeneralRateLimitExceeded)
    );
    // One try and the default two retries, each after the second asked for.
    assert_eq!(request_count(&server).await, 3);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_wait_longer_than_max_wait_is_returned_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rate_limited().insert_header("retry-after", "3600"))
        .mount(&server)
        .await;

    let started = Instant::now();
    let err = users(&server).get("user-42").await.unwrap_err();

    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn x_ratelimit_reset_is_honoured() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let reset = (now + Duration::from_secs(2)).as_secs().to_string();
    let server = server_answering(
        "GET",
        rate_limited()
            .insert_header("x-ratelimit-limit", "10")
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", reset.as_str()),
        1,
        json_response(200, "user.json"),
    )
    .await;

    let started = Instant::now();
    users(&server).get("user-42").await.unwrap();

    // The reset is a whole second 1–2 s from now.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn create_token_refused_with_429_is_sent_again() {
    // A 429 means the server did not process the request: no token was minted.
    let server = server_answering(
        "POST",
        rate_limited().insert_header("retry-after", "0"),
        1,
        json_response(201, "token.json"),
    )
    .await;

    let token = users(&server).create_token("user-42").await.unwrap();

    assert_eq!(token.user_id, "user-42");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn create_token_answered_503_is_not_replayed_without_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    let err = users(&server).create_token("user-42").await.unwrap_err();

    assert_eq!(err.status(), Some(503));
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn create_token_answered_503_with_retry_after_is_sent_again() {
    let server = server_answering(
        "POST",
        ResponseTemplate::new(503).insert_header("retry-after", "0"),
        1,
        json_response(201, "token.json"),
    )
    .await;

    users(&server).create_token("user-42").await.unwrap();

    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn idempotent_requests_are_retried_after_503_and_502() {
    let server = server_answering(
        "GET",
        ResponseTemplate::new(503),
        2,
        json_response(200, "user.json"),
    )
    .await;
    users(&server).get("user-42").await.unwrap();
    assert_eq!(request_count(&server).await, 3);

    let server = server_answering(
        "DELETE",
        ResponseTemplate::new(502),
        1,
        ResponseTemplate::new(204),
    )
    .await;
    users(&server).delete("user-42").await.unwrap();
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn retries_are_bounded_by_the_policy() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(4)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();

    let err = Users::new(&client).get("user-42").await.unwrap_err();

    assert_eq!(err.status(), Some(503));
    assert_eq!(request_count(&server).await, 5);
}

#[tokio::test]
async fn a_disabled_policy_never_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rate_limited().insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let err = Users::new(&client).get("user-42").await.unwrap_err();

    assert!(err.is_rate_limited());
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn an_absurd_rate_limit_reset_is_ignored_not_a_panic() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rate_limited().insert_header("x-ratelimit-reset", u64::MAX.to_string()))
        .mount(&server)
        .await;

    let err = users(&server).get("user-42").await.unwrap_err();

    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.retry_after(), None);
    // Retried with the policy's own backoff, as without the header.
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn create_token_answered_503_with_only_a_rate_limit_reset_is_not_replayed() {
    // Appwrite sends X-RateLimit-Reset on every answer of a limited route: it is not a request
    // to send the POST again.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let reset = (now + Duration::from_secs(1)).as_secs().to_string();
    for status in [429, 503] {
        let server = server_answering(
            "POST",
            json_response(status, "error_rate_limit.json")
                .insert_header("x-ratelimit-reset", reset.as_str()),
            1,
            json_response(201, "token.json"),
        )
        .await;

        let err = users(&server).create_token("user-42").await.unwrap_err();

        assert_eq!(err.status(), Some(status));
        assert_eq!(request_count(&server).await, 1, "{status}");
    }
}

#[tokio::test]
async fn a_wrong_key_401_asks_for_no_wait() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let reset = (now + Duration::from_secs(2600)).as_secs().to_string();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            json_response(401, "error_unauthorized_scope.json")
                .insert_header("x-ratelimit-reset", reset.as_str()),
        )
        .mount(&server)
        .await;

    let err = users(&server).get("user-42").await.unwrap_err();

    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(err.retry_after(), None);
    assert_eq!(request_count(&server).await, 1);
}
