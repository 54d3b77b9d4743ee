//! The API-key `Users` endpoints over HTTP.

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, expect_error, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const USER_KEYS: &[&str] = &[
    "$id",
    "$createdAt",
    "$updatedAt",
    "name",
    "password",
    "hash",
    "hashOptions",
    "registration",
    "status",
    "labels",
    "passwordUpdate",
    "email",
    "phone",
    "emailVerification",
    "phoneVerification",
    "mfa",
    "prefs",
    "targets",
    "accessedAt",
];

/// `path?k=v&…` with the pairs form-encoded.
fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{query}")
}

fn is_datetime(v: &Value) -> bool {
    v.as_str()
        .and_then(|s| appwrite_models::Datetime::parse(s).ok())
        .is_some_and(|d| !d.is_unset() && v.as_str().unwrap().ends_with("+00:00"))
}

#[tokio::test]
async fn create_returns_the_full_user_model() {
    let env = Env::start().await;
    let (status, headers, user) = send(env.admin(Method::POST, "/users").json(&json!({
        "userId": "user-1",
        "email": "Ada@Example.com",
        "phone": "+16175551212",
        "password": "correct horse",
        "name": "Ada",
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["content-type"], "application/json; charset=UTF-8");
    for key in USER_KEYS {
        assert!(user.get(key).is_some(), "missing {key} in {user}");
    }
    assert_eq!(user["$id"], "user-1");
    assert_eq!(
        user["email"], "ada@example.com",
        "emails are stored lower-cased"
    );
    assert_eq!(user["phone"], "+16175551212");
    assert_eq!(user["prefs"], json!({}));
    assert_eq!(user["labels"], json!([]));
    assert_eq!(user["status"], true);
    for key in ["$createdAt", "$updatedAt", "registration", "passwordUpdate"] {
        assert!(is_datetime(&user[key]), "{key} = {}", user[key]);
    }
    assert_eq!(
        user["accessedAt"], "",
        "unset until the first authenticated request"
    );
    assert_ne!(
        user["password"], "correct horse",
        "the password is not echoed"
    );
    let targets = user["targets"].as_array().unwrap();
    let kinds: Vec<_> = targets.iter().map(|t| t["providerType"].clone()).collect();
    assert_eq!(kinds, vec![json!("email"), json!("sms")]);
    assert_eq!(targets[0]["identifier"], "ada@example.com");
    assert_eq!(targets[0]["userId"], "user-1");

    // No password, no email: empty strings, never null, where the model is not nullable.
    let bare = env.create_user("bare").await;
    assert_eq!(bare["email"], "");
    assert_eq!(bare["phone"], "");
    assert_eq!(bare["passwordUpdate"], "");
    assert_eq!(bare["password"], Value::Null);
    assert_eq!(bare["targets"], json!([]));
}

#[tokio::test]
async fn unique_ids_and_conflicts() {
    let env = Env::start().await;
    let (status, _, user) = send(
        env.admin(Method::POST, "/users")
            .json(&json!({"userId": "unique()", "email": "a@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = user["$id"].as_str().unwrap();
    assert_eq!(id.len(), 20);
    assert!(appwrite_models::ID::validate_custom(id).is_ok());

    for body in [
        json!({"userId": id}),
        json!({"userId": "other", "email": "A@example.com"}),
    ] {
        expect_error(
            env.admin(Method::POST, "/users").json(&body),
            409,
            "user_already_exists",
        )
        .await;
    }
    send(
        env.admin(Method::POST, "/users")
            .json(&json!({"userId": "p1", "phone": "+4930901820"})),
    )
    .await;
    expect_error(
        env.admin(Method::POST, "/users")
            .json(&json!({"userId": "p2", "phone": "+4930901820"})),
        409,
        "user_already_exists",
    )
    .await;
    assert_eq!(env.emu.user_count(), 2);
}

#[tokio::test]
async fn invalid_create_parameters() {
    let env = Env::start().await;
    let cases = [
        (json!({}), r#"Param "userId" is not optional."#),
        (
            json!({"userId": "_bad"}),
            "Invalid `userId` param: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
        ),
        (
            json!({"userId": "a".repeat(37)}),
            "Invalid `userId` param: ",
        ),
        (
            json!({"userId": "ok", "email": "nope"}),
            "Invalid `email` param: ",
        ),
        (
            json!({"userId": "ok", "phone": "12345"}),
            "Invalid `phone` param: ",
        ),
        (
            json!({"userId": "ok", "password": "short"}),
            "Invalid `password` param: ",
        ),
        (
            json!({"userId": "ok", "name": "x".repeat(129)}),
            "Invalid `name` param: ",
        ),
    ];
    for (body, message) in cases {
        let error = expect_error(
            env.admin(Method::POST, "/users").json(&body),
            400,
            "general_argument_invalid",
        )
        .await;
        assert!(
            error["message"].as_str().unwrap().starts_with(message),
            "{body}: {error}"
        );
    }
    assert_eq!(env.emu.user_count(), 0);
}

#[tokio::test]
async fn get_delete_and_status() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let (status, _, user) = send(env.admin(Method::GET, "/users/u1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["$id"], "u1");

    let (status, _, user) = send(
        env.admin(Method::PATCH, "/users/u1/status")
            .json(&json!({"status": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["status"], false);
    expect_error(
        env.admin(Method::PATCH, "/users/u1/status")
            .json(&json!({})),
        400,
        "general_argument_invalid",
    )
    .await;

    let (status, headers, body) =
        send(env.admin(Method::DELETE, "/users/u1").json(&json!({}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    assert_eq!(headers["content-type"], "text/html; charset=UTF-8");
    expect_error(env.admin(Method::GET, "/users/u1"), 404, "user_not_found").await;
    expect_error(
        env.admin(Method::DELETE, "/users/u1"),
        404,
        "user_not_found",
    )
    .await;
    expect_error(
        env.admin(Method::GET, "/users/unique()"),
        400,
        "general_argument_invalid",
    )
    .await;
}

#[tokio::test]
async fn list_with_queries_search_and_total() {
    let env = Env::start().await;
    for (id, email, name) in [
        ("a1", "alice@example.com", "Alice"),
        ("b2", "bob@example.com", "Bob"),
        ("c3", "carol@example.com", "Carol"),
    ] {
        send(
            env.admin(Method::POST, "/users")
                .json(&json!({"userId": id, "email": email, "name": name})),
        )
        .await;
    }
    let ids = |body: &Value| -> Vec<String> {
        body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["$id"].as_str().unwrap().to_owned())
            .collect()
    };

    let (status, _, all) = send(env.admin(Method::GET, "/users").header("content-type", "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["total"], 3);
    assert_eq!(ids(&all), ["a1", "b2", "c3"], "creation order");

    let equal =
        json!({"method": "equal", "attribute": "email", "values": ["bob@example.com"]}).to_string();
    let (_, _, one) = send(env.admin(
        Method::GET,
        &with_query("/users", &[("queries[]", equal.as_str())]),
    ))
    .await;
    assert_eq!(ids(&one), ["b2"]);
    assert_eq!(one["total"], 1);

    // Web/Node style `queries[0]` with limit and offset; total counts every match.
    let limit = json!({"method": "limit", "values": [1]}).to_string();
    let offset = json!({"method": "offset", "values": [1]}).to_string();
    let (_, _, page) = send(env.admin(
        Method::GET,
        &with_query(
            "/users",
            &[
                ("queries[0]", limit.as_str()),
                ("queries[1]", offset.as_str()),
            ],
        ),
    ))
    .await;
    assert_eq!(ids(&page), ["b2"]);
    assert_eq!(page["total"], 3);

    let by_name =
        json!({"method": "equal", "attribute": "name", "values": ["Carol", "Alice"]}).to_string();
    let (_, _, named) = send(env.admin(
        Method::GET,
        &with_query("/users", &[("queries[]", by_name.as_str())]),
    ))
    .await;
    assert_eq!(ids(&named), ["a1", "c3"]);

    let (_, _, found) =
        send(env.admin(Method::GET, &with_query("/users", &[("search", "carol")]))).await;
    assert_eq!(ids(&found), ["c3"]);

    let (_, _, no_total) =
        send(env.admin(Method::GET, &with_query("/users", &[("total", "false")]))).await;
    assert_eq!(no_total["total"], 0);
    assert_eq!(ids(&no_total).len(), 3);

    let bad_attribute =
        json!({"method": "equal", "attribute": "password", "values": ["x"]}).to_string();
    expect_error(
        env.admin(
            Method::GET,
            &with_query("/users", &[("queries[]", bad_attribute.as_str())]),
        ),
        400,
        "general_argument_invalid",
    )
    .await;
    expect_error(
        env.admin(
            Method::GET,
            &with_query("/users", &[("queries[]", "not json")]),
        ),
        400,
        "general_argument_invalid",
    )
    .await;
}

#[tokio::test]
async fn create_token_defaults_ranges_and_secret_shape() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let (status, _, token) =
        send(env.admin(Method::POST, "/users/u1/tokens").json(&json!({}))).await;
    assert_eq!(status, StatusCode::CREATED);
    for key in ["$id", "$createdAt", "userId", "secret", "expire", "phrase"] {
        assert!(token.get(key).is_some(), "missing {key}");
    }
    let secret = token["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 6);
    assert!(
        secret
            .bytes()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
    );
    assert_eq!(token["phrase"], "");
    let created = appwrite_models::Datetime::parse(token["$createdAt"].as_str().unwrap()).unwrap();
    let expire = appwrite_models::Datetime::parse(token["expire"].as_str().unwrap()).unwrap();
    let lifetime = expire
        .to_system_time()
        .unwrap()
        .duration_since(created.to_system_time().unwrap())
        .unwrap();
    assert_eq!(lifetime.as_secs(), 900);

    let (_, _, long) = send(
        env.admin(Method::POST, "/users/u1/tokens")
            .json(&json!({"length": 128, "expire": 60})),
    )
    .await;
    assert_eq!(long["secret"].as_str().unwrap().len(), 128);
    let (_, _, odd) = send(
        env.admin(Method::POST, "/users/u1/tokens")
            .json(&json!({"length": 15})),
    )
    .await;
    assert_eq!(odd["secret"].as_str().unwrap().len(), 15);

    for (body, message) in [
        (
            json!({"length": 3}),
            "Invalid `length` param: Value must be a valid range between 4 and 128",
        ),
        (
            json!({"length": 129}),
            "Invalid `length` param: Value must be a valid range between 4 and 128",
        ),
        (
            json!({"expire": 59}),
            "Invalid `expire` param: Value must be a valid range between 60 and 31,536,000",
        ),
        (
            json!({"expire": 31_536_001}),
            "Invalid `expire` param: Value must be a valid range between 60 and 31,536,000",
        ),
        (json!({"length": "six"}), "Invalid `length` param: "),
    ] {
        let error = expect_error(
            env.admin(Method::POST, "/users/u1/tokens").json(&body),
            400,
            "general_argument_invalid",
        )
        .await;
        assert!(
            error["message"].as_str().unwrap().starts_with(message),
            "{error}"
        );
    }
    expect_error(
        env.admin(Method::POST, "/users/nobody/tokens")
            .json(&json!({})),
        404,
        "user_not_found",
    )
    .await;
    expect_error(
        env.admin(Method::POST, "/users/unique()/tokens")
            .json(&json!({})),
        400,
        "general_argument_invalid",
    )
    .await;
}

#[tokio::test]
async fn server_sessions_list_delete_and_jwts() {
    let env = Env::start().await;
    env.create_user("u1").await;
    let (status, headers, session) = send(
        env.admin(Method::POST, "/users/u1/sessions")
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(headers.get("set-cookie").is_none());
    assert!(headers.get("x-fallback-cookies").is_none());
    assert_eq!(session["provider"], "server");
    assert_eq!(session["factors"], json!(["server"]));
    let credential = session["secret"].as_str().unwrap().to_owned();
    let decoded = appwrite_models::credential::decode(&credential).unwrap();
    assert_eq!(decoded.user_id, "u1");
    assert_eq!(decoded.expose_secret().len(), 256);

    // The credential works for the account endpoints.
    let (status, _, me) = send(env.session(Method::GET, "/account", &credential)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["$id"], "u1");
    assert!(
        me.get("password").is_none(),
        "the Account model has no password fields"
    );

    let (_, _, list) = send(env.admin(Method::GET, "/users/u1/sessions")).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["sessions"][0]["$id"], session["$id"]);
    assert_eq!(list["sessions"][0]["current"], false);

    // JWT for the most recent session (only the literal `recent` picks it).
    let (status, _, jwt) = send(
        env.admin(Method::POST, "/users/u1/jwts")
            .json(&json!({"sessionId": "recent"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let jwt = jwt["jwt"].as_str().unwrap().to_owned();
    let (status, _, me) = send(
        env.guest(Method::GET, "/account")
            .header("X-Appwrite-JWT", &jwt),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["$id"], "u1");
    expect_error(
        env.admin(Method::POST, "/users/u1/jwts")
            .json(&json!({"duration": 3601})),
        400,
        "general_argument_invalid",
    )
    .await;

    let path = format!("/users/u1/sessions/{}", session["$id"].as_str().unwrap());
    let (status, _, _) = send(env.admin(Method::DELETE, &path)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    expect_error(
        env.admin(Method::DELETE, &path),
        404,
        "user_session_not_found",
    )
    .await;
    // The session is gone, so is the credential and the JWT bound to it.
    env.expect_refused(&credential).await;
    expect_error(
        env.guest(Method::GET, "/account")
            .header("X-Appwrite-JWT", &jwt),
        401,
        "general_unauthorized_scope",
    )
    .await;

    for _ in 0..3 {
        send(env.admin(Method::POST, "/users/u1/sessions")).await;
    }
    assert_eq!(env.emu.session_count("u1"), Some(3));
    let (status, _, _) = send(
        env.admin(Method::DELETE, "/users/u1/sessions")
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(env.emu.session_count("u1"), Some(0));
    expect_error(
        env.admin(Method::POST, "/users/ghost/sessions"),
        404,
        "user_not_found",
    )
    .await;
}
