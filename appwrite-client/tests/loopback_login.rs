//! The loopback login over real sockets: the start page and its cookie, what it accepts, what it
//! refuses without ending the wait, idle connections, the timeout, and pasting over SSH. (That
//! the secret reaches no log: `login_logs.rs`; another uid: `loopback_other_user.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use appwrite_client::login::{LoginError, LoopbackLogin};
use appwrite_client::{Account, MemoryStore, reqwest};
use common::loopback::{Browser, PROVIDER, get, login};
use common::{
    PROJECT, Source, TOKEN_SECRET, USER, client_with, credential, in_days, mount_default_login,
    mount_login, received, session_created,
};
use tokio::io::AsyncWriteExt;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// The callback URL as a backend or Appwrite would send the browser to it.
fn callback(login: &LoopbackLogin, user_id: &str, secret: &str) -> String {
    format!("{}&userId={user_id}&secret={secret}", login.redirect_url())
}

fn base(login: &LoopbackLogin) -> String {
    format!("http://{}", login.local_addr())
}

#[tokio::test]
async fn refusals_do_not_end_the_wait_and_the_callback_signs_in() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);

    let login = login().await;
    assert!(login.redirect_url().starts_with("http://127.0.0.1:"));
    assert_eq!(login.state().len(), 32);
    let base = base(&login);
    let state = login.state().to_owned();
    let start = login.start_url();
    let good = callback(&login, USER, TOKEN_SECRET);
    let waiting = tokio::spawn(async move { login.finish(&account).await });

    let mut browser = Browser::new();
    let (status, page) = get(&format!("{base}/favicon.ico")).await;
    assert_eq!(status, 404, "{page}");
    let started = browser.step(&start).await;
    assert_eq!(started.status, 303, "{}", started.page);
    assert_eq!(started.location.as_deref(), Some(PROVIDER));
    for (target, expected, why) in [
        (
            format!("{base}/callback?state=0123&userId={USER}&secret={TOKEN_SECRET}"),
            403,
            "wrong state",
        ),
        (
            format!("{base}/callback?userId={USER}&secret={TOKEN_SECRET}"),
            403,
            "no state",
        ),
        (
            format!("{base}/callback?state={state}"),
            400,
            "no userId/secret",
        ),
    ] {
        assert_eq!(browser.step(&target).await.status, expected, "{why}");
    }
    let post = reqwest::Client::new().post(&good).send().await.unwrap();
    assert_eq!(post.status().as_u16(), 405);
    // Not HTTP at all, and a request head over the size cap.
    for junk in [b"HELLO\r\n\r\n".to_vec(), vec![b'a'; 40_000]] {
        let mut raw = tokio::net::TcpStream::connect(login_addr(&base))
            .await
            .unwrap();
        let _ = raw.write_all(&junk).await;
        let mut answer = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut raw, &mut answer).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer:.40}");
    }
    assert!(
        received(&server, "POST", "/v1/account/sessions/token")
            .await
            .is_empty()
    );

    let answer = browser.step(&good).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.page.contains("You can close this tab"),
        "{}",
        answer.page
    );
    let session = waiting.await.unwrap().unwrap();
    assert_eq!(session.user_id.as_str(), USER);
    assert!(client.is_signed_in());
    let sent = received(&server, "POST", "/v1/account/sessions/token").await;
    assert_eq!(sent.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(body["secret"], TOKEN_SECRET);
    assert_eq!(body["userId"], USER);

    // The wait is over: the listener is gone.
    assert!(reqwest::Client::new().get(&good).send().await.is_err());
}

#[tokio::test]
async fn the_start_page_sets_a_one_time_cookie_and_carries_no_secret() {
    let login = login().await;
    let start = login.start_url();
    assert_eq!(start, format!("http://{}/start", login.local_addr()));
    assert!(!start.contains(login.state()));
    let waiting = tokio::spawn(login.wait());
    let answer = Browser::new().step(&start).await;
    assert_eq!(answer.status, 303);
    let [cookie] = &answer.set_cookies[..] else {
        panic!("{:?}", answer.set_cookies);
    };
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes[0].starts_with("appwrite_login_"), "{cookie}");
    assert_eq!(attributes[0].split_once('=').unwrap().1.len(), 32);
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/callback"] {
        assert!(attributes.contains(&attribute), "{cookie}");
    }
    waiting.abort();
}

#[tokio::test]
async fn a_callback_without_the_start_pages_cookie_is_refused_and_the_wait_goes_on() {
    let login = login().await;
    let start = login.start_url();
    let good = callback(&login, USER, TOKEN_SECRET);
    let failure = format!("{}&error=access_denied", login.redirect_url());
    let waiting = tokio::spawn(login.wait());

    // Whoever read the `state` (say, from a command line) but never visited the start page.
    let (status, page) = get(&good).await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("did not open this login"), "{page}");
    assert_eq!(get(&failure).await.0, 403, "nor can it end the login");
    // Another browser's cookie is not this one's.
    let mut other = Browser::new();
    let mut victim = Browser::new();
    assert_eq!(victim.step(&start).await.status, 303);
    assert_eq!(other.step(&good).await.status, 403);
    assert!(!waiting.is_finished());

    assert_eq!(victim.step(&good).await.status, 200);
    let callback = waiting.await.unwrap().unwrap();
    assert_eq!(callback.user_id.as_str(), USER);
}

#[tokio::test]
async fn a_second_visit_to_the_start_page_ends_the_login_with_an_error() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    let login = login().await;
    let start = login.start_url();
    let good = callback(&login, USER, TOKEN_SECRET);
    let waiting = tokio::spawn(async move { login.finish(&account).await });

    // Another local program visits first; the browser comes second.
    let mut first = Browser::new();
    assert_eq!(first.step(&start).await.status, 303);
    let second = Browser::new().step(&start).await;
    assert_eq!(second.status, 409, "{}", second.page);
    assert!(second.set_cookies.is_empty());
    let error = waiting.await.unwrap().unwrap_err();
    assert!(matches!(error, LoginError::StartedTwice), "{error:?}");
    assert!(
        error.to_string().contains("start the login again"),
        "{error}"
    );
    // Whoever came first cannot sign in any more: the listener is gone.
    assert!(reqwest::Client::new().get(&good).send().await.is_err());
    assert!(!client.is_signed_in());
    assert!(
        received(&server, "POST", "/v1/account/sessions/token")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn without_a_sign_in_url_there_is_no_start_page() {
    let login = LoopbackLogin::bind().await.unwrap();
    let start = login.start_url();
    let waiting = tokio::spawn(login.wait());
    assert_eq!(get(&start).await.0, 404);
    assert_eq!(get(&start).await.0, 404, "not a second visit either");
    assert!(!waiting.is_finished());
    waiting.abort();
}

#[tokio::test]
async fn a_sign_in_url_that_is_not_http_is_refused() {
    for url in ["javascript:alert(1)", "/relative", "not a url"] {
        let login = LoopbackLogin::bind().await.unwrap().sign_in_url(url);
        assert!(
            matches!(login.wait().await, Err(LoginError::SignInUrl)),
            "{url}"
        );
    }
}

#[tokio::test]
async fn idle_connections_do_not_hold_the_callback_out() {
    let login = login().await;
    let addr = login.local_addr();
    let start = login.start_url();
    let good = callback(&login, USER, TOKEN_SECRET);
    let waiting = tokio::spawn(login.wait());
    // Another local user holds many connections open and sends nothing.
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    let mut browser = Browser::new();
    // A safety bound only: the old listener (16 slots, 10 s each) took over a minute here.
    let signed_in = tokio::time::timeout(Duration::from_secs(10), async {
        assert_eq!(browser.step(&start).await.status, 303);
        assert_eq!(browser.step(&good).await.status, 200);
        waiting.await.unwrap().unwrap()
    })
    .await
    .expect("the callback was held out by idle connections");
    assert_eq!(signed_in.user_id.as_str(), USER);
    drop(idle);
}

fn login_addr(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

/// Answers sign-in only when the test says so, after telling it the request arrived.
struct Gate {
    arrived: Mutex<mpsc::Sender<()>>,
    release: Mutex<mpsc::Receiver<()>>,
    response: ResponseTemplate,
}

impl Respond for Gate {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let _ = self.arrived.lock().unwrap().send(());
        let _ = self
            .release
            .lock()
            .unwrap()
            .recv_timeout(Duration::from_secs(30));
        self.response.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_callback_is_refused_while_the_first_signs_in() {
    let server = MockServer::start().await;
    let (arrived_tx, arrived) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/v1/account/sessions/token"))
        .respond_with(Gate {
            arrived: Mutex::new(arrived_tx),
            release: Mutex::new(release_rx),
            response: session_created(Source::Everything, &credential(), in_days(365)),
        })
        .mount(&server)
        .await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    let login = login().await;
    let good = callback(&login, USER, TOKEN_SECRET);
    let start = login.start_url();
    let waiting = tokio::spawn(async move { login.finish(&account).await });
    let mut browser = Browser::started(&start).await;

    let first_url = good.clone();
    let mut first_browser = browser.clone();
    let first = tokio::spawn(async move { first_browser.step(&first_url).await.status });
    // The first callback was accepted: its sign-in request reached the server.
    tokio::task::spawn_blocking(move || arrived.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap()
        .unwrap();
    let answer = browser.step(&good).await;
    assert_eq!(answer.status, 409, "{}", answer.page);
    let answer = browser.step(&callback_with_other_secret(&good)).await;
    assert_eq!(answer.status, 409);
    assert!(!waiting.is_finished(), "the sign-in is still running");

    release.send(()).unwrap();
    assert_eq!(first.await.unwrap(), 200);
    waiting.await.unwrap().unwrap();
    assert_eq!(
        received(&server, "POST", "/v1/account/sessions/token")
            .await
            .len(),
        1
    );
}

fn callback_with_other_secret(url: &str) -> String {
    url.replace(TOKEN_SECRET, "ffffff")
}

#[tokio::test]
async fn a_failed_sign_in_is_shown_to_the_browser_and_returned() {
    let server = MockServer::start().await;
    mount_login(
        &server,
        common::error_json(
            401,
            "user_invalid_token",
            "Invalid token passed in the request.",
        ),
    )
    .await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    let login = login().await;
    let good = callback(&login, USER, TOKEN_SECRET);
    let start = login.start_url();
    let waiting = tokio::spawn(async move { login.finish(&account).await });
    let mut browser = Browser::started(&start).await;
    let answer = browser.step(&good).await;
    assert_eq!(answer.status, 500);
    assert!(answer.page.contains("Signing in failed"), "{}", answer.page);
    let error = waiting.await.unwrap().unwrap_err();
    let LoginError::Client(inner) = &error else {
        panic!("{error:?}");
    };
    assert!(inner.is_unauthorized());
    assert!(!client.is_signed_in());
}

#[tokio::test]
async fn appwrites_failure_redirect_ends_the_wait_with_its_error() {
    let login = login().await;
    let start = login.start_url();
    let url = format!(
        "{}&error=%7B%22message%22%3A%22The%20Mock%20OAuth2%20provider%20returned%20an%20error%3A%20access_denied%22%2C%22type%22%3A%22user_oauth2_provider_error%22%2C%22code%22%3A424%7D",
        login.redirect_url()
    );
    let waiting = tokio::spawn(login.wait());
    let mut browser = Browser::started(&start).await;
    let answer = browser.step(&url).await;
    assert_eq!(answer.status, 400);
    assert!(answer.page.contains("access_denied"), "{}", answer.page);
    match waiting.await.unwrap().unwrap_err() {
        LoginError::Refused {
            message,
            error_type,
        } => {
            assert_eq!(
                message,
                "The Mock OAuth2 provider returned an error: access_denied"
            );
            assert_eq!(error_type.unwrap().as_str(), "user_oauth2_provider_error");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_wait_times_out() {
    let login = LoopbackLogin::bind()
        .await
        .unwrap()
        .timeout(Duration::from_secs(2));
    let base = base(&login);
    let waiting = tokio::spawn(login.wait());
    // A refused request does not extend or end the wait early.
    let (status, _) = get(&format!("{base}/nothing")).await;
    assert_eq!(status, 404);
    let error = waiting.await.unwrap().unwrap_err();
    assert!(matches!(error, LoginError::TimedOut(d) if d == Duration::from_secs(2)));
    assert_eq!(error.to_string(), "no sign-in arrived within 2s");
}

/// Collects what the login tells the user about ignored pastes.
fn notices() -> (Arc<Mutex<Vec<String>>>, impl FnMut(&str) + Send + 'static) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    (seen, move |why: &str| {
        sink.lock().unwrap().push(why.to_owned());
    })
}

#[tokio::test]
async fn only_the_callback_url_is_taken_from_a_paste() {
    let login = LoopbackLogin::bind().await.unwrap();
    let wrong_state =
        format!("http://127.0.0.1:1/callback?state=nope&userId=evil&secret={TOKEN_SECRET}");
    let right = format!(
        "http://127.0.0.1:1/callback?state={}&userId={USER}&secret={TOKEN_SECRET}",
        login.state()
    );
    // A mistyped line, the two words a backend page might show, another login's address, an
    // empty line: none is taken, each but the empty one is answered, and the wait goes on.
    let input = format!("garbage line\nevil {TOKEN_SECRET}\n{wrong_state}\n\n{right}\n");
    let (seen, notify) = notices();
    let callback = login
        .paste_from(std::io::Cursor::new(input.into_bytes()))
        .on_ignored_paste(notify)
        .wait()
        .await
        .unwrap();
    assert_eq!(callback.user_id.as_str(), USER);
    assert_eq!(callback.secret.expose_secret(), TOKEN_SECRET);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        seen[0].contains("not the address the browser ended on"),
        "{seen:?}"
    );
    assert!(seen[2].contains("another login"), "{seen:?}");
    assert!(seen.iter().all(|why| !why.contains(TOKEN_SECRET)));
}

#[tokio::test]
async fn a_mistyped_paste_does_not_end_the_login() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    let login = login().await;
    let good = callback_url(&login);
    let start = login.start_url();
    let (seen, notify) = notices();
    let waiting = tokio::spawn(async move {
        login
            .paste_from(std::io::Cursor::new(b"garbage line\n".to_vec()))
            .on_ignored_paste(notify)
            .finish(&account)
            .await
    });
    let mut browser = Browser::started(&start).await;
    // The real browser's callback still signs in.
    assert_eq!(browser.step(&good).await.status, 200);
    let session = waiting.await.unwrap().unwrap();
    assert_eq!(session.user_id.as_str(), USER);
    assert_eq!(seen.lock().unwrap().len(), 1);
    let sent = received(&server, "POST", "/v1/account/sessions/token").await;
    assert_eq!(sent.len(), 1, "the garbage was never sent as a token");
}

#[tokio::test]
async fn the_end_of_pasted_input_keeps_the_browser_path_open() {
    let login = login().await;
    let good = callback_url(&login);
    let start = login.start_url();
    let waiting = tokio::spawn(login.paste_from(std::io::Cursor::new(Vec::new())).wait());
    let mut browser = Browser::started(&start).await;
    assert_eq!(browser.step(&good).await.status, 200);
    assert_eq!(
        waiting.await.unwrap().unwrap().secret.expose_secret(),
        TOKEN_SECRET
    );
}

fn callback_url(login: &LoopbackLogin) -> String {
    callback(login, USER, TOKEN_SECRET)
}

#[tokio::test]
async fn templates_carry_the_encoded_redirect_url() {
    let login = LoopbackLogin::bind().await.unwrap();
    let url = login
        .url_from_template("https://app.example.com/cli?redirect={redirect_uri}&s={state}")
        .unwrap();
    let parsed = reqwest::Url::parse(&url).unwrap();
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    assert_eq!(
        pairs[0],
        ("redirect".to_owned(), login.redirect_url().to_owned())
    );
    assert_eq!(pairs[1], ("s".to_owned(), login.state().to_owned()));
    assert!(matches!(
        login.url_from_template("https://app.example.com/cli"),
        Err(LoginError::Template)
    ));
}

#[tokio::test]
async fn oauth2_token_url_has_appwrites_parameters() {
    let server = MockServer::start().await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    let url = account
        .oauth2_token_url(
            "mock",
            "http://127.0.0.1:5000/callback?state=a",
            "http://127.0.0.1:5000/callback?state=a",
            &["email", "profile"],
        )
        .unwrap();
    let parsed = reqwest::Url::parse(&url).unwrap();
    assert_eq!(parsed.path(), "/v1/account/tokens/oauth2/mock");
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let expect = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        pairs,
        vec![
            expect("project", PROJECT),
            expect("success", "http://127.0.0.1:5000/callback?state=a"),
            expect("failure", "http://127.0.0.1:5000/callback?state=a"),
            expect("scopes[]", "email"),
            expect("scopes[]", "profile"),
        ]
    );
    let odd = account.oauth2_token_url("a/b", "", "", &[]).unwrap();
    assert!(odd.contains("/oauth2/a%2Fb?"), "{odd}");
    assert!(account.oauth2_token_url("", "", "", &[]).is_err());
}

#[tokio::test]
async fn a_given_port_is_used_and_a_taken_one_is_a_bind_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    match LoopbackLogin::bind_port(port).await {
        Err(LoginError::Bind { port: p, .. }) => assert_eq!(p, port),
        other => panic!("{other:?}"),
    }
    drop(taken);
    let login = LoopbackLogin::bind_port(port).await.unwrap();
    assert_eq!(login.local_addr().port(), port);
    assert!(
        login
            .redirect_url()
            .starts_with(&format!("http://127.0.0.1:{port}/callback?state="))
    );
}

#[tokio::test]
async fn the_login_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let server = MockServer::start().await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    let login = LoopbackLogin::bind().await.unwrap();
    let finish = login.finish(&account);
    send(&finish);
    drop(finish);
    let oauth2 = std::future::IntoFuture::into_future(
        appwrite_client::login::oauth2(&account, "mock")
            .on_url(|prompt| assert!(!prompt.url.is_empty())),
    );
    send(&oauth2);
}
