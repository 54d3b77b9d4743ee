//! Each Users endpoint: method, path, headers and JSON body sent, and a realistic answer decoded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_server::{Datetime, ErrorType, Query};
use common::{
    KEY, assert_server_headers, body_json, fixture_str, json_response, mount, request_bodies,
    single_request, users,
};
use serde_json::json;
use wiremock::matchers::{body_json as body_is, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn create_token_with_defaults_posts_an_empty_object() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/users/user-42/tokens"))
        .and(header("x-appwrite-key", KEY))
        .and(body_is(json!({})))
        .respond_with(json_response(201, "token.json"))
        .expect(1)
        .mount(&server)
        .await;

    let token = users(&server).create_token("user-42").await.unwrap();

    assert_eq!(token.id.as_str(), "68f1c2a4000e3b7d91a2");
    assert_eq!(token.user_id, "user-42");
    assert_eq!(
        token.secret.expose_secret(),
        fixture_str("token.json", "secret")
    );
    assert_eq!(
        token.expire,
        Datetime::parse("2025-10-17T09:24:28.512+00:00").unwrap()
    );
    assert_eq!(
        token.created_at.to_string(),
        "2025-10-17T09:14:28.512+00:00"
    );
    assert_eq!(token.phrase, "");
    let request = single_request(&server).await;
    assert_eq!(body_json(&request), json!({}));
}

#[tokio::test]
async fn create_token_sends_length_and_expire_in_seconds() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/v1/users/user-42/tokens",
        json_response(201, "token.json"),
    )
    .await;

    users(&server)
        .create_token("user-42")
        .length(8)
        .expire(Duration::from_secs(600))
        .await
        .unwrap();

    let request = single_request(&server).await;
    assert_eq!(body_json(&request), json!({"length": 8, "expire": 600}));
}

#[tokio::test]
async fn create_token_accepts_the_bounds_themselves() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/v1/users/user-42/tokens",
        json_response(201, "token.json"),
    )
    .await;
    let users = users(&server);

    for (length, expire) in [(4, 60), (128, 31_536_000)] {
        users
            .create_token("user-42")
            .length(length)
            .expire(Duration::from_secs(expire))
            .await
            .unwrap();
    }

    let bodies = request_bodies(&server).await;
    assert_eq!(
        bodies,
        [
            json!({"length": 4, "expire": 60}),
            json!({"length": 128, "expire": 31_536_000})
        ]
    );
}

#[tokio::test]
async fn create_token_refuses_values_out_of_range_before_sending() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/v1/users/user-42/tokens",
        json_response(201, "token.json"),
    )
    .await;
    let users = users(&server);

    let err = users.create_token("user-42").length(2).await.unwrap_err();
    assert!(err.is_invalid_input());
    assert_eq!(err.to_string(), "length must be between 4 and 128, got 2");

    let err = users.create_token("user-42").length(129).await.unwrap_err();
    assert_eq!(err.to_string(), "length must be between 4 and 128, got 129");

    let err = users
        .create_token("user-42")
        .expire(Duration::from_secs(59))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "expire must be whole seconds between 60 and 31536000, got 59s"
    );

    // A fraction is refused, not dropped: 60.5 s is not what was asked for.
    let err = users
        .create_token("user-42")
        .expire(Duration::from_millis(60_500))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "expire must be whole seconds between 60 and 31536000, got 60.5s"
    );

    let err = users
        .create_token("user-42")
        .expire(Duration::from_secs(31_536_001))
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
    assert!(err.to_string().contains("31536000"), "{err}");

    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn ids_are_one_percent_encoded_segment_never_path_structure() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/v1/users/a%2Fb%3Fc%23d/tokens",
        json_response(201, "token.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/v1/users/a%2F..%2F..%2Fprojects",
        json_response(200, "user.json"),
    )
    .await;
    let users = users(&server);

    users.create_token("a/b?c#d").await.unwrap();
    users.get("a/../../projects").await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.url.query().is_none()));
}

#[tokio::test]
async fn empty_and_dot_ids_are_refused_before_sending() {
    let server = MockServer::start().await;
    let users = users(&server);

    for id in ["", ".", ".."] {
        let err = users.create_token(id).await.unwrap_err();
        assert!(err.is_invalid_input(), "{id:?}: {err:?}");
        let err = users.get(id).await.unwrap_err();
        assert!(err.is_invalid_input(), "{id:?}: {err:?}");
        let err = users.delete_session("user-42", id).await.unwrap_err();
        assert!(err.is_invalid_input(), "{id:?}: {err:?}");
    }
    assert_eq!(
        users.get("").await.unwrap_err().to_string(),
        "id must not be empty"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn create_user_sends_every_field_given() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/v1/users",
        json_response(201, "user.json"),
    )
    .await;

    let user = users(&server)
        .create("user-42")
        .email("ada@example.com")
        .phone("+14155552671")
        .password("correct horse battery staple")
        .name("Ada Lovelace")
        .await
        .unwrap();

    assert_eq!(user.id, "user-42");
    assert_eq!(user.email, "ada@example.com");
    let request = single_request(&server).await;
    assert_eq!(
        body_json(&request),
        json!({
            "userId": "user-42",
            "email": "ada@example.com",
            "phone": "+14155552671",
            "password": "correct horse battery staple",
            "name": "Ada Lovelace",
        })
    );
}

#[tokio::test]
async fn create_user_with_a_unique_id_sends_only_the_id() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/v1/users",
        json_response(201, "user_created.json"),
    )
    .await;

    let id = appwrite_server::ID::unique();
    let user = users(&server).create(id.as_str()).await.unwrap();

    assert_eq!(user.id, "68f1d0e7002b5a9c3e14");
    assert!(user.password_update.is_unset());
    assert!(user.targets.is_empty());
    let request = single_request(&server).await;
    assert_eq!(body_json(&request), json!({ "userId": id }));
}

#[tokio::test]
async fn create_user_conflict_is_reported() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/v1/users",
        json_response(409, "error_user_already_exists.json"),
    )
    .await;

    let err = users(&server).create("user-42").await.unwrap_err();

    assert!(err.is_conflict());
    assert_eq!(err.error_type(), Some(&ErrorType::UserAlreadyExists));
    // A POST refused with 409 is not retried.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn get_decodes_a_1_8_user() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/user-42",
        json_response(200, "user.json"),
    )
    .await;

    let user = users(&server).get("user-42").await.unwrap();

    assert_eq!(user.id, "user-42");
    assert_eq!(user.name, "Ada Lovelace");
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.phone, "+14155552671");
    assert!(user.status);
    assert_eq!(user.labels, ["beta"]);
    assert_eq!(user.prefs.get("theme"), Some(&json!("dark")));
    assert_eq!(user.targets.len(), 1);
    assert_eq!(user.targets[0].provider_type, "email");
    assert_eq!(user.targets[0].provider_id, None);
    assert_eq!(
        user.registration.to_string(),
        "2025-10-17T09:12:03.219+00:00"
    );
    assert!(!user.accessed_at.is_unset());
    let request = single_request(&server).await;
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn get_decodes_a_1_5_user_with_fewer_fields() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/legacy-7",
        json_response(200, "user_1_5.json"),
    )
    .await;

    let user = users(&server).get("legacy-7").await.unwrap();

    assert_eq!(user.id, "legacy-7");
    assert_eq!(user.email, "");
    assert!(user.phone_verification);
    assert!(!user.mfa);
    assert!(user.targets.is_empty());
    assert!(user.accessed_at.is_unset());
    assert!(user.password_update.is_unset());
}

#[tokio::test]
async fn get_decodes_a_1_9_user_with_extra_fields() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/user-43",
        json_response(200, "user_1_9.json"),
    )
    .await;

    let user = users(&server).get("user-43").await.unwrap();

    assert_eq!(user.id, "user-43");
    assert_eq!(user.email, "Grace.Hopper+sdk@gmail.com");
}

#[tokio::test]
async fn list_sends_queries_search_and_total_as_query_parameters() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users",
        json_response(200, "user_list.json"),
    )
    .await;

    let page = users(&server)
        .list()
        .query(Query::equal("email", "ada@example.com"))
        .queries([Query::limit(10), Query::offset(20)])
        .query(r#"{"method":"orderDesc","attribute":"$createdAt"}"#)
        .search("ada")
        .total(false)
        .await
        .unwrap();

    assert_eq!(page.total, 2);
    assert_eq!(page.users.len(), 2);
    assert_eq!(page.users[1].id, "legacy-7");
    let request = single_request(&server).await;
    let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        pairs,
        [
            pair(
                "queries[]",
                r#"{"method":"equal","attribute":"email","values":["ada@example.com"]}"#
            ),
            pair("queries[]", r#"{"method":"limit","values":[10]}"#),
            pair("queries[]", r#"{"method":"offset","values":[20]}"#),
            pair(
                "queries[]",
                r#"{"method":"orderDesc","attribute":"$createdAt"}"#
            ),
            pair("search", "ada"),
            pair("total", "false"),
        ]
    );
}

#[tokio::test]
async fn list_without_options_has_no_query_string() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users",
        json_response(200, "user_list.json"),
    )
    .await;

    users(&server).list().await.unwrap();

    let request = single_request(&server).await;
    assert_eq!(request.url.query(), None);
}

#[tokio::test]
async fn delete_returns_unit_on_204() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/users/user-42",
        ResponseTemplate::new(204),
    )
    .await;

    users(&server).delete("user-42").await.unwrap();

    let request = single_request(&server).await;
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn delete_of_a_missing_user_is_not_found() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/users/ghost",
        json_response(404, "error_user_not_found.json"),
    )
    .await;

    let err = users(&server).delete("ghost").await.unwrap_err();

    assert!(err.is_not_found());
}

#[tokio::test]
async fn update_status_patches_the_flag() {
    let server = MockServer::start().await;
    mount(
        &server,
        "PATCH",
        "/v1/users/user-42/status",
        json_response(200, "user_blocked.json"),
    )
    .await;
    let users = users(&server);

    let user = users.update_status("user-42", false).await.unwrap();
    assert!(!user.status);
    users.update_status("user-42", true).await.unwrap();

    let bodies = request_bodies(&server).await;
    assert_eq!(bodies, [json!({"status": false}), json!({"status": true})]);
}

#[tokio::test]
async fn create_session_returns_the_credential() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/v1/users/user-42/sessions",
        json_response(201, "session.json"),
    )
    .await;

    let session = users(&server).create_session("user-42").await.unwrap();

    assert_eq!(session.id.as_str(), "68f1c3b2001f9d4e6a83");
    assert_eq!(session.user_id, "user-42");
    assert_eq!(session.provider, "server");
    assert_eq!(session.factors, ["server"]);
    assert_eq!(
        session.secret.expose_secret(),
        fixture_str("session.json", "secret")
    );
    assert!(session.provider_access_token_expiry.is_unset());
    let decoded =
        appwrite_server::models::credential::decode(session.secret.expose_secret()).unwrap();
    assert_eq!(decoded.user_id, "user-42");
    let request = single_request(&server).await;
    assert_eq!(body_json(&request), json!({}));
}

#[tokio::test]
async fn list_sessions_decodes_the_page() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/users/user-42/sessions",
        json_response(200, "session_list.json"),
    )
    .await;

    let list = users(&server).list_sessions("user-42").await.unwrap();

    assert_eq!(list.total, 2);
    assert_eq!(list.sessions[1].provider, "token");
    assert!(list.sessions.iter().all(|s| s.secret.is_empty()));
    single_request(&server).await;
}

#[tokio::test]
async fn delete_session_and_delete_sessions() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/users/user-42/sessions/68f1c3b2001f9d4e6a83",
        ResponseTemplate::new(204),
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/v1/users/user-42/sessions",
        ResponseTemplate::new(204),
    )
    .await;
    let users = users(&server);

    users
        .delete_session("user-42", "68f1c3b2001f9d4e6a83")
        .await
        .unwrap();
    users.delete_sessions("user-42").await.unwrap();

    let requests = server.received_requests().await.unwrap();
    let paths: Vec<_> = requests.iter().map(|r| r.url.path()).collect();
    assert_eq!(
        paths,
        [
            "/v1/users/user-42/sessions/68f1c3b2001f9d4e6a83",
            "/v1/users/user-42/sessions"
        ]
    );
    requests.iter().for_each(assert_server_headers);
}

#[tokio::test]
async fn create_jwt_with_and_without_options() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/v1/users/user-42/jwts",
        json_response(201, "jwt.json"),
    )
    .await;
    let users = users(&server);

    let jwt = users.create_jwt("user-42").await.unwrap();
    assert_eq!(jwt.jwt.expose_secret(), fixture_str("jwt.json", "jwt"));
    users
        .create_jwt("user-42")
        .session_id("68f1c3b2001f9d4e6a83")
        .duration(Duration::from_secs(3600))
        .await
        .unwrap();
    let err = users
        .create_jwt("user-42")
        .duration(Duration::from_secs(3601))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "duration must be whole seconds between 1 and 3600, got 3601s"
    );
    // Appwrite would take 0 (a JWT expired on arrival) and drop half a second to 0.
    for dead in [Duration::ZERO, Duration::from_millis(500)] {
        let err = users
            .create_jwt("user-42")
            .duration(dead)
            .await
            .unwrap_err();
        assert!(err.is_invalid_input(), "{err:?}");
    }

    let bodies = request_bodies(&server).await;
    assert_eq!(
        bodies,
        [
            json!({}),
            json!({"sessionId": "68f1c3b2001f9d4e6a83", "duration": 3600})
        ]
    );
}

mod get_or_create {
    use super::*;

    async fn methods(server: &MockServer) -> Vec<String> {
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| r.method.to_string())
            .collect()
    }

    #[tokio::test]
    async fn an_existing_user_is_returned_without_creating() {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/v1/users/user-42",
            json_response(200, "user.json"),
        )
        .await;
        Mock::given(method("POST"))
            .respond_with(json_response(201, "user_created.json"))
            .expect(0)
            .mount(&server)
            .await;

        let user = users(&server)
            .get_or_create("user-42")
            .email("other@example.com")
            .await
            .unwrap();

        assert_eq!(user.email, "ada@example.com");
        assert_eq!(methods(&server).await, ["GET"]);
    }

    #[tokio::test]
    async fn a_missing_user_is_created_with_the_fields_given() {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/v1/users/user-42",
            json_response(404, "error_user_not_found.json"),
        )
        .await;
        mount(
            &server,
            "POST",
            "/v1/users",
            json_response(201, "user.json"),
        )
        .await;

        let user = users(&server)
            .get_or_create("user-42")
            .email("ada@example.com")
            .phone("+14155552671")
            .name("Ada Lovelace")
            .password("correct horse battery staple")
            .await
            .unwrap();

        assert_eq!(user.id, "user-42");
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 2);
        requests.iter().for_each(assert_server_headers);
        assert_eq!(
            body_json(&requests[1]),
            json!({
                "userId": "user-42",
                "email": "ada@example.com",
                "phone": "+14155552671",
                "name": "Ada Lovelace",
                "password": "correct horse battery staple",
            })
        );
    }

    #[tokio::test]
    async fn a_concurrent_creator_is_tolerated() {
        let server = MockServer::start().await;
        // First GET: not there yet. POST: someone else created it meanwhile. Second GET: there.
        Mock::given(method("GET"))
            .and(path("/v1/users/user-42"))
            .respond_with(json_response(404, "error_user_not_found.json"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/users/user-42"))
            .respond_with(json_response(200, "user.json"))
            .with_priority(2)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/users"))
            .respond_with(json_response(409, "error_user_already_exists.json"))
            .expect(1)
            .mount(&server)
            .await;

        let user = users(&server).get_or_create("user-42").await.unwrap();

        assert_eq!(user.id, "user-42");
        assert_eq!(user.name, "Ada Lovelace");
        assert_eq!(methods(&server).await, ["GET", "POST", "GET"]);
    }

    #[tokio::test]
    async fn an_email_taken_by_another_user_is_the_conflict() {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/v1/users/user-42",
            json_response(404, "error_user_not_found.json"),
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
            .get_or_create("user-42")
            .email("taken@example.com")
            .await
            .unwrap_err();

        assert!(err.is_conflict(), "{err:?}");
        assert_eq!(methods(&server).await, ["GET", "POST", "GET"]);
    }

    #[tokio::test]
    async fn a_404_that_is_not_user_not_found_creates_nothing() {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/v1/users/user-42",
            json_response(404, "error_route_not_found.json"),
        )
        .await;

        let err = users(&server).get_or_create("user-42").await.unwrap_err();

        assert!(err.is_not_found());
        assert_eq!(err.error_type(), Some(&ErrorType::GeneralRouteNotFound));
        assert_eq!(methods(&server).await, ["GET"]);
    }
}
