//! The JWT cache under concurrency: misses for one token share one request (single flight), a
//! dropped caller does not strand the others, and no `max_age` can overflow the clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_server::{JwtCache, Users};
use common::{client, fixture, in_an_hour, json_response, jwt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server answering `GET /v1/account` with `response` after a pause long enough for every
/// concurrent call to arrive while the first request is under way.
async fn slow_account(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .respond_with(response.set_delay(Duration::from_millis(500)))
        .mount(&server)
        .await;
    server
}

async fn account_requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// `calls` concurrent `verify_jwt` of one token, each on its own task.
async fn verify_at_once(users: &Users, calls: usize) -> Vec<appwrite_server::Result<String>> {
    let token = jwt(in_an_hour());
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let users = users.clone();
            let token = token.clone();
            tokio::spawn(async move {
                users
                    .verify_jwt(token)
                    .await
                    .map(|verified| verified.user.id.as_str().to_owned())
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_misses_send_one_request() {
    let server = slow_account(json_response(200, "user.json")).await;
    let users = Users::new(&client(&server)).with_jwt_cache(JwtCache::new(100));
    for result in verify_at_once(&users, 100).await {
        assert_eq!(result.unwrap(), "user-42");
    }
    assert_eq!(account_requests(&server).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_appwrites_refusal_too() {
    let server = slow_account(
        ResponseTemplate::new(401).set_body_json(fixture("error_unauthorized_scope.json")),
    )
    .await;
    let users = Users::new(&client(&server)).with_jwt_cache(JwtCache::new(100));
    for result in verify_at_once(&users, 50).await {
        assert!(result.unwrap_err().is_unauthorized());
    }
    assert_eq!(account_requests(&server).await, 1);
    // A refusal is not cached: the next caller asks again.
    assert!(users.verify_jwt(jwt(in_an_hour())).await.is_err());
    assert_eq!(account_requests(&server).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_caller_does_not_strand_the_ones_waiting_on_its_request() {
    let server = MockServer::start().await;
    // The first request hangs; any later one is answered at once.
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .respond_with(json_response(200, "user.json").set_delay(Duration::from_secs(600)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .respond_with(json_response(200, "user.json"))
        .mount(&server)
        .await;
    let users = Users::new(&client(&server)).with_jwt_cache(JwtCache::new(100));
    let token = jwt(in_an_hour());

    let first = tokio::spawn(users.verify_jwt(token.clone()));
    while account_requests(&server).await == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Waits on the first caller's request.
    let second = tokio::spawn(users.verify_jwt(token.clone()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(account_requests(&server).await, 1, "the second one waits");
    first.abort();

    let second = tokio::time::timeout(Duration::from_secs(60), second)
        .await
        .expect("the second caller was left waiting")
        .unwrap();
    assert_eq!(second.unwrap().user.id, "user-42");
    assert_eq!(account_requests(&server).await, 2);
}

#[tokio::test]
async fn the_longest_max_age_never_panics() {
    let server = slow_account(json_response(200, "user.json")).await;
    let users =
        Users::new(&client(&server)).with_jwt_cache(JwtCache::new(100).max_age(Duration::MAX));
    let token = jwt(in_an_hour());
    for _ in 0..3 {
        assert_eq!(
            users.verify_jwt(token.as_str()).await.unwrap().user.id,
            "user-42"
        );
    }
    assert_eq!(account_requests(&server).await, 1);
}
