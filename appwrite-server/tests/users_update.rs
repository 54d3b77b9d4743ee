//! The user update endpoints and the email-keyed lookups: method, path, headers and JSON body
//! sent, and the answer decoded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_server::{ErrorType, Preferences};
use common::{json_response, mount, request_bodies, single_request, users};
use serde_json::{Value, json};
use wiremock::matchers::{body_json as body_is, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Expects exactly one `verb route` with `body`, answered with `fixture`.
async fn expect_one(server: &MockServer, verb: &str, route: &str, body: Value, fixture: &str) {
    Mock::given(method(verb))
        .and(path(route))
        .and(body_is(body))
        .respond_with(json_response(200, fixture))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn each_update_sends_its_method_path_and_body() {
    let base = "/v1/users/user-42";
    let cases: Vec<(&str, String, Value)> = vec![
        ("PATCH", format!("{base}/name"), json!({"name": "Ada King"})),
        (
            "PATCH",
            format!("{base}/email"),
            json!({"email": "ada@example.org"}),
        ),
        (
            "PATCH",
            format!("{base}/phone"),
            json!({"number": "+14155550100"}),
        ),
        (
            "PATCH",
            format!("{base}/password"),
            json!({"password": "correct horse"}),
        ),
        (
            "PUT",
            format!("{base}/labels"),
            json!({"labels": ["admin", "beta2"]}),
        ),
        (
            "PATCH",
            format!("{base}/verification"),
            json!({"emailVerification": true}),
        ),
        (
            "PATCH",
            format!("{base}/verification/phone"),
            json!({"phoneVerification": false}),
        ),
    ];
    for (verb, route, body) in &cases {
        let server = MockServer::start().await;
        expect_one(&server, verb, route, body.clone(), "user.json").await;
        let users = common::users(&server);
        let user = match route.rsplit('/').next().unwrap() {
            "name" => users.update_name("user-42", "Ada King").await,
            "email" => users.update_email("user-42", "ada@example.org").await,
            "phone" if route.ends_with("verification/phone") => {
                users.update_phone_verification("user-42", false).await
            }
            "phone" => users.update_phone("user-42", "+14155550100").await,
            "password" => users.update_password("user-42", "correct horse").await,
            "labels" => users.update_labels("user-42", ["admin", "beta2"]).await,
            "verification" => users.update_email_verification("user-42", true).await,
            other => panic!("no case for {other}"),
        }
        .unwrap_or_else(|e| panic!("{verb} {route}: {e}"));
        assert_eq!(user.id, "user-42");
        // Method, path and body are matched by the mock; the headers here.
        single_request(&server).await;
    }
}

#[tokio::test]
async fn block_and_unblock_set_the_status() {
    let server = MockServer::start().await;
    mount(
        &server,
        "PATCH",
        "/v1/users/user-42/status",
        json_response(200, "user_blocked.json"),
    )
    .await;
    let users = users(&server);
    let blocked = users.block("user-42").await.unwrap();
    assert!(!blocked.status);
    users.unblock("user-42").await.unwrap();
    assert_eq!(
        request_bodies(&server).await,
        vec![json!({"status": false}), json!({"status": true})]
    );
}

#[tokio::test]
async fn prefs_are_replaced_and_read() {
    let server = MockServer::start().await;
    let prefs = json!({"theme": "dark", "newsletter": true});
    expect_one(
        &server,
        "PATCH",
        "/v1/users/user-42/prefs",
        json!({ "prefs": prefs }),
        "prefs.json",
    )
    .await;
    let Value::Object(map) = prefs else {
        unreachable!()
    };
    let stored: Preferences = users(&server).update_prefs("user-42", map).await.unwrap();
    assert_eq!(stored.get("theme"), Some(&json!("dark")));
    single_request(&server).await;

    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/user-42/prefs",
        json_response(200, "prefs.json"),
    )
    .await;
    let read = users(&server).get_prefs("user-42").await.unwrap();
    assert_eq!(read.get("newsletter"), Some(&json!(true)));
    let request = single_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn invalid_labels_and_names_fail_before_sending() {
    let server = MockServer::start().await;
    let users = users(&server);
    let err = users
        .update_labels("user-42", ["not-alnum"])
        .await
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    let err = users
        .update_name("user-42", "n".repeat(129))
        .await
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_password_echoed_in_an_error_is_redacted() {
    let server = MockServer::start().await;
    let secret = "hunter2-hunter2";
    mount(
        &server,
        "PATCH",
        "/v1/users/user-42/password",
        ResponseTemplate::new(400).set_body_json(json!({
            "message": format!("Invalid `password` param: {secret} is too common"),
            "code": 400,
            "type": "general_argument_invalid",
            "version": "1.9.6"
        })),
    )
    .await;
    let err = users(&server)
        .update_password("user-42", secret)
        .await
        .unwrap_err();
    assert!(!err.to_string().contains(secret), "{err}");
    assert!(!format!("{err:?}").contains(secret));
    assert_eq!(err.error_type(), Some(&ErrorType::GeneralArgumentInvalid));
}

#[tokio::test]
async fn find_by_email_queries_the_lower_cased_address() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .and(query_param(
            "queries[]",
            r#"{"method":"equal","attribute":"email","values":["ada@example.com"]}"#,
        ))
        .respond_with(json_response(200, "user_list_one.json"))
        .expect(1)
        .mount(&server)
        .await;
    let found = users(&server)
        .find_by_email("Ada@Example.COM")
        .await
        .unwrap()
        .expect("a user");
    assert_eq!(found.id, "user-42");
    let request = single_request(&server).await;
    let queries: Vec<String> = request
        .url
        .query_pairs()
        .filter(|(k, _)| k == "queries[]")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert!(queries.contains(&r#"{"method":"limit","values":[1]}"#.to_owned()));
}

#[tokio::test]
async fn find_by_email_without_a_match_is_none() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users",
        json_response(200, "user_list_empty.json"),
    )
    .await;
    assert!(
        users(&server)
            .find_by_email("nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn get_or_create_by_email_returns_an_existing_user_without_creating() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users",
        json_response(200, "user_list_one.json"),
    )
    .await;
    let user = users(&server)
        .get_or_create_by_email("ada@example.com")
        .name("Ignored")
        .await
        .unwrap();
    assert_eq!(user.id, "user-42");
    single_request(&server).await;
}

#[tokio::test]
async fn get_or_create_by_email_creates_with_a_unique_id() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users",
        json_response(200, "user_list_empty.json"),
    )
    .await;
    mount(
        &server,
        "POST",
        "/v1/users",
        json_response(201, "user_created.json"),
    )
    .await;
    users(&server)
        .get_or_create_by_email("ada@example.com")
        .name("Ada")
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let body: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["name"], "Ada");
    let id = body["userId"].as_str().unwrap();
    assert_eq!(id.len(), 20, "{id}");
}

#[tokio::test]
async fn get_or_create_by_email_recovers_from_a_concurrent_create() {
    let server = MockServer::start().await;
    // First lookup: nobody; the create conflicts; the second lookup finds the winner.
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .respond_with(json_response(200, "user_list_empty.json"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount(
        &server,
        "GET",
        "/v1/users",
        json_response(200, "user_list_one.json"),
    )
    .await;
    mount(
        &server,
        "POST",
        "/v1/users",
        json_response(409, "error_user_email_already_exists.json"),
    )
    .await;
    let user = users(&server)
        .get_or_create_by_email("ada@example.com")
        .await
        .unwrap();
    assert_eq!(user.id, "user-42");
    let verbs: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.method.to_string())
        .collect();
    assert_eq!(verbs, ["GET", "POST", "GET"]);
}

#[tokio::test]
async fn get_or_create_by_email_reports_a_conflict_it_cannot_resolve() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users",
        json_response(200, "user_list_empty.json"),
    )
    .await;
    mount(
        &server,
        "POST",
        "/v1/users",
        json_response(409, "error_user_already_exists.json"),
    )
    .await;
    let err = users(&server)
        .get_or_create_by_email("ada@example.com")
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
}
