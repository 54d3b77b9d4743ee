//! The client: validation in `build()`, the environment, headers, redaction, sharing and
//! immutability.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::error::Error as _;
use std::future::IntoFuture;
use std::process::Command;

use appwrite_server::requests::{CreateJwt, CreateToken, CreateUser, GetOrCreateUser, ListUsers};
use appwrite_server::{
    ApiKey, Client, ClientBuilder, ConfigError, EndpointError, Error, JwtSecret, ResponseFuture,
    SessionCredential, TokenSecret, Users,
};
use common::{KEY, PROJECT, builder, fixture_str, json_response, single_request};
use wiremock::matchers::{any, header, method};
use wiremock::{Mock, MockServer};

fn valid() -> ClientBuilder {
    Client::builder()
        .endpoint("https://appwrite.example.com/v1")
        .project(PROJECT)
        .api_key(KEY)
}

fn config_error(builder: ClientBuilder) -> ConfigError {
    match builder.build() {
        Err(Error::Config(e)) => e,
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn build_names_the_missing_setting() {
    let cases = [
        (Client::builder().project(PROJECT).api_key(KEY), "endpoint"),
        (
            Client::builder()
                .endpoint("https://appwrite.example.com/v1")
                .api_key(KEY),
            "project",
        ),
        (
            Client::builder()
                .endpoint("https://appwrite.example.com/v1")
                .project(PROJECT),
            "api_key",
        ),
        (valid().api_key(""), "api_key"),
        (valid().project(""), "project"),
    ];
    for (builder, setting) in cases {
        let err = config_error(builder);
        assert!(
            matches!(err, ConfigError::Missing(s) if s == setting),
            "{err:?}"
        );
        assert_eq!(err.to_string(), format!("{setting} is not set"));
    }
}

#[test]
fn build_refuses_endpoints_that_are_not_http_urls() {
    let cases = [
        ("appwrite.example.com/v1", EndpointError::Unparsable),
        ("localhost:8080/v1", EndpointError::Scheme),
        ("ftp://appwrite.example.com/v1", EndpointError::Scheme),
        ("https://", EndpointError::Unparsable),
        ("http://exa mple.com/v1", EndpointError::Unparsable),
        ("", EndpointError::Unparsable),
        (
            "https://appwrite.example.com/v1?x=1",
            EndpointError::QueryOrFragment,
        ),
        (
            "https://admin:pw@appwrite.example.com/v1",
            EndpointError::Credentials,
        ),
    ];
    for (endpoint, expected) in cases {
        let err = valid().endpoint(endpoint).build().unwrap_err();
        assert!(err.is_config());
        assert_eq!(err.to_string(), "invalid endpoint");
        match &err {
            Error::Config(ConfigError::Endpoint(e)) => assert_eq!(e, &expected, "{endpoint}"),
            other => panic!("{endpoint}: {other:?}"),
        }
        assert_eq!(err.source().unwrap().to_string(), expected.to_string());
    }
}

#[test]
fn build_refuses_header_values_that_could_split_or_be_reencoded() {
    let cases = [
        (valid().project("demo\r\nX-Injected: 1"), "project"),
        (valid().project("projé"), "project"),
        (valid().api_key(format!("{KEY}\nX-Evil: 1")), "api_key"),
        (valid().api_key(format!("{KEY}é")), "api_key"),
        (valid().api_key(format!("{KEY}\0")), "api_key"),
        (valid().locale("de\n"), "locale"),
        (valid().user_agent("my-app\r\n"), "user_agent"),
    ];
    for (builder, setting) in cases {
        let err = builder.build().unwrap_err();
        assert!(
            matches!(err, Error::Config(ConfigError::InvalidHeaderValue(s)) if s == setting),
            "{err:?}"
        );
        let text = format!("{err} {err:?}");
        assert!(text.contains(setting), "{text}");
        assert!(!text.contains(KEY), "{text}");
    }
}

#[test]
fn every_other_setting_builds() {
    let custom = appwrite_server::reqwest::Client::builder()
        .redirect(appwrite_server::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = valid()
        .endpoint("http://127.0.0.1:8080/v1/")
        .locale("de")
        .user_agent("my-backend/1.0")
        .self_signed(true)
        .connect_timeout(std::time::Duration::from_secs(1))
        .read_timeout(std::time::Duration::from_secs(2))
        .timeout(std::time::Duration::from_secs(3))
        .max_response_bytes(1024)
        .retry_policy(appwrite_server::RetryPolicy::disabled())
        .http_client(custom)
        .build()
        .unwrap();
    assert_eq!(client.endpoint(), "http://127.0.0.1:8080/v1");
    assert_eq!(client.project(), PROJECT);
}

#[test]
fn debug_never_shows_a_secret() {
    let session_secret = fixture_str("session.json", "secret");
    let token_secret = fixture_str("token.json", "secret");
    let jwt = fixture_str("jwt.json", "jwt");
    let client = valid().build().unwrap();
    let users = Users::new(&client);
    let password = "correct horse battery staple";

    let outputs = [
        format!("{client:?}"),
        format!("{:?}", valid()),
        format!("{users:?}"),
        format!("{:?}", ApiKey::new(KEY)),
        format!("{:?}", TokenSecret::new(token_secret.as_str())),
        format!("{:?}", SessionCredential::new(session_secret.as_str())),
        format!("{:?}", JwtSecret::new(jwt.as_str())),
        format!("{:?}", users.create_token("user-42").length(8)),
        format!("{:?}", users.create("user-42").password(password)),
        format!("{:?}", users.get_or_create("user-42").password(password)),
        format!("{:?}", users.create_jwt("user-42")),
        format!("{:?}", users.list()),
        format!("{:?}", users.get("user-42")),
    ];
    for output in &outputs {
        for secret in [KEY, &token_secret, &session_secret, &jwt, password] {
            assert!(!output.contains(secret), "{output}");
        }
    }
    assert!(outputs[0].contains("appwrite.example.com") && outputs[0].contains(PROJECT));
    assert!(outputs[8].contains("[redacted]"), "{}", outputs[8]);
}

#[tokio::test]
async fn decoded_models_never_show_their_secrets() {
    let server = MockServer::start().await;
    common::mount(
        &server,
        "POST",
        "/v1/users/user-42/tokens",
        json_response(201, "token.json"),
    )
    .await;
    common::mount(
        &server,
        "POST",
        "/v1/users/user-42/sessions",
        json_response(201, "session.json"),
    )
    .await;
    common::mount(
        &server,
        "POST",
        "/v1/users/user-42/jwts",
        json_response(201, "jwt.json"),
    )
    .await;
    Mock::given(method("GET"))
        .respond_with(json_response(200, "user.json"))
        .mount(&server)
        .await;
    let users = common::users(&server);

    let token = users.create_token("user-42").await.unwrap();
    let session = users.create_session("user-42").await.unwrap();
    let jwt = users.create_jwt("user-42").await.unwrap();
    let user = users.get("user-42").await.unwrap();

    let token_secret = fixture_str("token.json", "secret");
    let session_secret = fixture_str("session.json", "secret");
    let jwt_secret = fixture_str("jwt.json", "jwt");
    let password_hash = fixture_str("user.json", "password");
    // The secrets did arrive...
    assert_eq!(token.secret.expose_secret(), token_secret);
    assert_eq!(session.secret.expose_secret(), session_secret);
    assert_eq!(jwt.jwt.expose_secret(), jwt_secret);
    // ...and no Debug output shows them.
    let token_debug = format!("{token:?}");
    let session_debug = format!("{session:?}");
    assert!(!token_debug.contains(&token_secret), "{token_debug}");
    assert!(token_debug.contains("user-42"));
    assert!(!session_debug.contains(&session_secret), "{session_debug}");
    assert!(!session_debug.contains(&session_secret[..24]));
    assert!(!format!("{jwt:?}").contains(&jwt_secret));
    assert!(!format!("{user:?}").contains(&password_hash));
}

#[test]
fn client_users_and_requests_are_shareable() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    fn sendable<T: Send + Unpin + 'static>(_: &T) {}
    fn error_is_send_sync<T: std::error::Error + Send + Sync + 'static>() {}
    shareable::<Client>();
    shareable::<ClientBuilder>();
    shareable::<Users>();
    shareable::<CreateToken>();
    shareable::<CreateUser>();
    shareable::<GetOrCreateUser>();
    shareable::<ListUsers>();
    shareable::<CreateJwt>();
    error_is_send_sync::<Error>();

    let users = Users::new(&valid().build().unwrap());
    sendable(&users.create_token("u").into_future());
    sendable(&users.create("u").into_future());
    sendable(&users.get_or_create("u").into_future());
    sendable(&users.get("u"));
    sendable(&users.list().into_future());
    sendable(&users.delete("u"));
    sendable(&users.update_status("u", false));
    sendable(&users.create_session("u"));
    sendable(&users.list_sessions("u"));
    sendable(&users.delete_session("u", "s"));
    sendable(&users.delete_sessions("u"));
    sendable(&users.create_jwt("u").into_future());
    // Simple calls and builders give the same named future.
    let named: ResponseFuture<()> = users.delete("u");
    sendable(&named);
    let built: ResponseFuture<appwrite_server::Token> = users.create_token("u").into_future();
    sendable(&built);
}

#[tokio::test]
async fn futures_run_in_spawned_tasks() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_response(201, "token.json"))
        .mount(&server)
        .await;
    let users = common::users(&server);

    let tasks: Vec<_> = (0..4)
        .map(|i| tokio::spawn(users.create_token(format!("user-{i}")).into_future()))
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_client_never_changes_and_clones_share_its_settings() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_response(200, "user.json"))
        .mount(&server)
        .await;
    let base = builder(&server);
    let first = base.clone().build().unwrap();
    // A second client from a changed copy of the builder...
    let second = base
        .clone()
        .api_key("standard_second_key")
        .project("other-project")
        .build()
        .unwrap();
    let first_clone = first.clone();

    Users::new(&first).get("a").await.unwrap();
    Users::new(&second).get("b").await.unwrap();
    Users::new(&first_clone).get("c").await.unwrap();
    Users::new(&first).get("d").await.unwrap();

    let seen: Vec<(String, String)> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.headers["x-appwrite-key"].to_str().unwrap().to_owned(),
                r.headers["x-appwrite-project"].to_str().unwrap().to_owned(),
            )
        })
        .collect();
    let first_pair = (KEY.to_owned(), PROJECT.to_owned());
    assert_eq!(
        seen,
        [
            first_pair.clone(),
            ("standard_second_key".to_owned(), "other-project".to_owned()),
            first_pair.clone(),
            first_pair,
        ]
    );
    assert_eq!(first_clone.endpoint(), first.endpoint());
    assert_eq!(first.project(), PROJECT);
    assert_eq!(second.project(), "other-project");
}

#[tokio::test]
async fn optional_headers_and_a_custom_http_client_are_used() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-appwrite-locale", "de"))
        .and(header("user-agent", "my-backend/1.0"))
        .and(header("x-proxy-tag", "blue"))
        .respond_with(json_response(200, "user.json"))
        .expect(1)
        .mount(&server)
        .await;
    let mut defaults = appwrite_server::reqwest::header::HeaderMap::new();
    defaults.insert("x-proxy-tag", "blue".parse().unwrap());
    let http = appwrite_server::reqwest::Client::builder()
        .default_headers(defaults)
        .redirect(appwrite_server::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = builder(&server)
        .locale("de")
        .user_agent("my-backend/1.0")
        .http_client(http)
        .build()
        .unwrap();

    Users::new(&client).get("user-42").await.unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.headers["x-appwrite-key"], KEY);
    assert_eq!(request.headers["x-sdk-platform"], "server");
}

#[tokio::test]
async fn every_request_carries_the_server_sdk_headers() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_response(200, "user.json"))
        .mount(&server)
        .await;

    common::users(&server).get("user-42").await.unwrap();

    let request = single_request(&server).await;
    assert!(request.headers.get("x-appwrite-locale").is_none());
}

const CHILD: &str = "APPWRITE_SERVER_TEST_CHILD_CASE";

/// Runs `from_env` in a child process (this test binary again) with exactly `vars` set, so the
/// real process environment is read without changing this process's.
fn run_child(case: &str, vars: &[(&str, &str)]) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "from_env_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, case);
    for name in [
        "APPWRITE_ENDPOINT",
        "APPWRITE_PROJECT_ID",
        "APPWRITE_API_KEY",
        "APPWRITE_FUNCTION_API_ENDPOINT",
        "APPWRITE_FUNCTION_PROJECT_ID",
    ] {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{case}: {stdout}");
    assert!(
        stdout.contains("1 passed"),
        "{case}: the child ran nothing: {stdout}"
    );
    assert!(!stdout.contains(KEY), "{stdout}");
}

/// The child half of [`from_env_reads_the_process_environment`], which runs it.
#[test]
#[ignore = "run by from_env_reads_the_process_environment in a child process"]
fn from_env_child() {
    // Outside the child (`cargo test -- --include-ignored`) there is nothing to check.
    let Ok(case) = std::env::var(CHILD) else {
        return;
    };
    match case.as_str() {
        "plain" => {
            let client = Client::from_env().unwrap();
            assert_eq!(client.endpoint(), "http://127.0.0.1:9/v1");
            assert_eq!(client.project(), PROJECT);
        }
        "functions" => {
            let client = Client::builder_from_env()
                .read_timeout(std::time::Duration::from_secs(1))
                .build()
                .unwrap();
            assert_eq!(client.endpoint(), "http://appwrite/v1");
            assert_eq!(client.project(), "fn-project");
        }
        "missing-key" => {
            let err = Client::from_env().unwrap_err();
            assert!(matches!(
                err,
                Error::Config(ConfigError::MissingEnv("APPWRITE_API_KEY"))
            ));
            assert_eq!(
                err.to_string(),
                "environment variable APPWRITE_API_KEY is not set"
            );
        }
        "empty-project" => {
            let err = Client::from_env().unwrap_err();
            assert_eq!(
                err.to_string(),
                "environment variable APPWRITE_PROJECT_ID is not set"
            );
        }
        other => panic!("unknown case {other}"),
    }
}

#[test]
fn from_env_reads_the_process_environment() {
    run_child(
        "plain",
        &[
            ("APPWRITE_ENDPOINT", "http://127.0.0.1:9/v1"),
            ("APPWRITE_PROJECT_ID", PROJECT),
            ("APPWRITE_API_KEY", KEY),
        ],
    );
    run_child(
        "functions",
        &[
            ("APPWRITE_FUNCTION_API_ENDPOINT", "http://appwrite/v1"),
            ("APPWRITE_FUNCTION_PROJECT_ID", "fn-project"),
            ("APPWRITE_API_KEY", KEY),
        ],
    );
    run_child(
        "missing-key",
        &[
            ("APPWRITE_ENDPOINT", "http://127.0.0.1:9/v1"),
            ("APPWRITE_PROJECT_ID", PROJECT),
        ],
    );
    run_child(
        "empty-project",
        &[
            ("APPWRITE_ENDPOINT", "http://127.0.0.1:9/v1"),
            ("APPWRITE_PROJECT_ID", ""),
            ("APPWRITE_API_KEY", KEY),
        ],
    );
}
