//! The `blocking` APIs of both SDKs against the emulator over real HTTP: the emulator runs on a
//! runtime of its own, and the calls are made from plain threads, as a command-line tool would.

// Set-up helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use appwrite_client::blocking as app;
use appwrite_client::{MemoryStore, SessionStore};
use appwrite_emulator::Emulator;
use appwrite_server::blocking::{self as server, Pending};

const PROJECT: &str = "blocking";
const KEY: &str = "blocking-key";

/// The emulator, served by a multi-thread runtime's workers: no runtime is entered on the
/// test's own thread.
struct Backend {
    // Declared first: dropped (and stopped) before its runtime.
    emulator: Emulator,
    runtime: tokio::runtime::Runtime,
}

fn backend() -> Backend {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime for the emulator");
    let emulator = runtime
        .block_on(Emulator::builder().project(PROJECT).api_key(KEY).start())
        .expect("the emulator starts");
    Backend { emulator, runtime }
}

fn users_client(backend: &Backend) -> server::Client {
    server::Client::builder()
        .endpoint(backend.emulator.endpoint())
        .project(PROJECT)
        .api_key(KEY)
        .build()
        .expect("a blocking server client")
}

fn server_users(backend: &Backend) -> server::Users {
    server::Users::new(&users_client(backend))
}

fn app_client(backend: &Backend, store: &MemoryStore) -> app::Client {
    app::Client::builder()
        .endpoint(backend.emulator.endpoint())
        .project(PROJECT)
        .session_store(store.clone())
        .build()
        .expect("a blocking app client")
}

fn assert_send_sync<T: Send + Sync>() {}
fn assert_send<T: Send>() {}

#[test]
fn blocking_types_are_send_and_sync() {
    assert_send_sync::<server::Client>();
    assert_send_sync::<server::Users>();
    assert_send_sync::<server::UserClient>();
    assert_send_sync::<server::Account>();
    assert_send_sync::<Pending<appwrite_server::requests::CreateToken>>();
    // A call without options holds the async future, which is `Send` (not `Sync`, as no future
    // needs to be).
    assert_send::<Pending<appwrite_server::ResponseFuture<appwrite_server::User>>>();
    assert_send_sync::<app::Client>();
    assert_send_sync::<app::Account>();
    assert_send_sync::<app::Pending<appwrite_client::requests::CreateJwt>>();
    assert_send::<app::Pending<appwrite_client::ResponseFuture<appwrite_client::User>>>();
}

#[test]
fn pending_options_reach_the_async_builder() {
    let client = server::Client::builder()
        .endpoint("http://127.0.0.1:1/v1")
        .project(PROJECT)
        .api_key(KEY)
        .build()
        .unwrap();
    let users = server::Users::new(&client);
    let pending = users
        .create_token("ada")
        .length(8)
        .expire(Duration::from_secs(600));
    let request = pending.builder().request().unwrap();
    assert_eq!(request.path().unwrap(), "/users/ada/tokens");
    assert_eq!(
        request.body().unwrap(),
        Some(&br#"{"length":8,"expire":600}"#[..])
    );
    let listed = users
        .list()
        .queries(["limit(5)", "offset(5)"])
        .search("ada")
        .builder()
        .request()
        .unwrap();
    let pairs: Vec<(&str, &str)> = listed
        .query_pairs()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("queries[]", "limit(5)"),
            ("queries[]", "offset(5)"),
            ("search", "ada")
        ]
    );
}

#[test]
fn server_users_calls_block_over_http() {
    let backend = backend();
    let users = server_users(&backend);

    let user = users
        .get_or_create("ada")
        .email("ada@example.com")
        .name("Ada")
        .send()
        .unwrap();
    assert_eq!(user.email, "ada@example.com");
    let again = users.get_or_create("ada").name("ignored").send().unwrap();
    assert_eq!(again.name, "Ada");
    users.create("bob").email("bob@example.com").send().unwrap();
    assert_eq!(users.get("bob").send().unwrap().email, "bob@example.com");
    let found = users.list().search("ada@example.com").send().unwrap();
    assert_eq!(found.users.len(), 1);
    assert_eq!(users.list().total(true).send().unwrap().total, 2);

    let token = users
        .create_token("ada")
        .length(8)
        .expire(Duration::from_secs(600))
        .send()
        .unwrap();
    assert_eq!(token.secret.expose_secret().len(), 8);
    // Any option of the async builder, through `with`.
    let token = users
        .create_token("ada")
        .with(|b| b.length(12))
        .send()
        .unwrap();
    assert_eq!(token.secret.expose_secret().len(), 12);

    let session = users.create_session("ada").send().unwrap();
    assert!(!session.secret.expose_secret().is_empty());
    users
        .create_jwt("ada")
        .session_id(session.id.clone())
        .duration(Duration::from_secs(60))
        .send()
        .unwrap();
    assert_eq!(users.list_sessions("ada").send().unwrap().total, 1);
    users.delete_session("ada", session.id).send().unwrap();
    users.create_session("ada").send().unwrap();
    users.delete_sessions("ada").send().unwrap();
    assert_eq!(backend.emulator.session_count("ada"), Some(0));

    // The update API, the email helpers and JWT verification, the same way.
    assert_eq!(
        users.update_name("ada", "Ada L.").send().unwrap().name,
        "Ada L."
    );
    users.update_labels("ada", ["admin"]).send().unwrap();
    let by_email = users.find_by_email("ada@example.com").send().unwrap();
    assert_eq!(by_email.unwrap().id.as_str(), "ada");
    let carol = users
        .get_or_create_by_email("carol@example.com")
        .name("Carol")
        .send()
        .unwrap();
    assert_eq!(carol.name, "Carol");
    users.delete(carol.id).send().unwrap();
    let session = users.create_session("ada").send().unwrap();
    let jwt = users
        .create_jwt("ada")
        .session_id(session.id)
        .send()
        .unwrap();
    let caller = users
        .clone()
        .with_jwt_cache(appwrite_server::JwtCache::new(8))
        .verify_jwt(jwt.jwt.expose_secret())
        .send()
        .unwrap();
    assert_eq!(caller.user.id.as_str(), "ada");
    // Acting as the user, with its session and no API key.
    let session = users.create_session("ada").send().unwrap();
    let me = users_client(&backend)
        .as_user(appwrite_server::Credential::session(session.secret))
        .account();
    assert_eq!(me.get().send().unwrap().id.as_str(), "ada");
    assert_eq!(me.get_session("current").send().unwrap().id, session.id);
    me.delete_session("current").send().unwrap();
    assert!(me.get().send().unwrap_err().is_unauthorized());
    users.delete_sessions("ada").send().unwrap();
    assert!(!users.block("ada").send().unwrap().status);
    assert!(users.unblock("ada").send().unwrap().status);
    assert!(!users.update_status("ada", false).send().unwrap().status);
    users.delete("bob").send().unwrap();
    assert!(users.get("bob").send().unwrap_err().is_not_found());
    // Refused before sending, as the async builder refuses it.
    assert!(
        users
            .create_token("ada")
            .length(2)
            .send()
            .unwrap_err()
            .is_invalid_input()
    );
}

#[test]
fn one_blocking_client_serves_several_threads_at_once() {
    let backend = backend();
    let users = server_users(&backend);
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let users = users.clone();
            std::thread::spawn(move || users.create(format!("user-{i}")).send())
        })
        .collect();
    for thread in threads {
        thread.join().unwrap().unwrap();
    }
    assert_eq!(backend.emulator.user_count(), 4);
}

#[test]
fn calls_work_from_spawn_blocking_threads_and_async_code_alike() {
    let backend = backend();
    let users = server_users(&backend);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let made = runtime
        .block_on(async {
            let users = users.clone();
            tokio::task::spawn_blocking(move || users.create("eve").send()).await
        })
        .unwrap()
        .unwrap();
    assert_eq!(made.id.as_str(), "eve");
    // Inside async code it holds the thread, but cannot deadlock: the runtime it waits on is
    // its own, on another thread.
    let found = runtime.block_on(async { users.get("eve").send() }).unwrap();
    assert_eq!(found.id.as_str(), "eve");
    // The last clone dropped inside a runtime neither panics nor blocks it.
    runtime.block_on(async move { drop(users) });
}

#[test]
fn client_account_calls_block_over_http_and_keep_the_session() {
    let backend = backend();
    let users = server_users(&backend);
    users.create("ada").email("ada@example.com").send().unwrap();
    let token = users.create_token("ada").send().unwrap();

    let store = MemoryStore::new();
    let client = app_client(&backend, &store);
    let account = app::Account::new(&client);
    let session = account
        .create_session("ada", token.secret.expose_secret())
        .send()
        .unwrap();
    assert!(client.is_signed_in());
    let key = client.profile_key().clone();
    assert_eq!(store.load(&key).unwrap().unwrap().session_id, session.id);

    assert_eq!(account.get().send().unwrap().id.as_str(), "ada");
    assert_eq!(
        account.get_session("current").send().unwrap().id,
        session.id
    );
    assert_eq!(account.list_sessions().send().unwrap().total, 1);
    account.update_session("current").send().unwrap();
    let jwt = account
        .create_jwt()
        .duration(Duration::from_secs(60))
        .send()
        .unwrap();
    assert!(!jwt.jwt.expose_secret().is_empty());
    assert!(
        account
            .create_jwt()
            .duration(Duration::ZERO)
            .send()
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(matches!(
        client.validate().send().unwrap(),
        appwrite_client::RestoreOutcome::Restored(_)
    ));

    // A restart with the same store is signed in; logout revokes and forgets.
    let restarted = app_client(&backend, &store);
    assert!(restarted.is_signed_in());
    app::Account::new(&restarted)
        .delete_session("current")
        .send()
        .unwrap();
    assert!(!restarted.is_signed_in());
    assert!(store.load(&key).unwrap().is_none());
    assert_eq!(backend.emulator.session_count("ada"), Some(0));

    // Guest calls: a sign-in code by email, with the builder's option.
    account
        .create_email_token("ada", "ada@example.com")
        .phrase(true)
        .send()
        .unwrap();
    assert_eq!(backend.emulator.outbox().len(), 1);
}

#[test]
fn client_adopts_a_backend_session_without_async() {
    let backend = backend();
    let users = server_users(&backend);
    users.create("ada").send().unwrap();
    let minted = users.create_session("ada").send().unwrap();

    let store = MemoryStore::new();
    let client = app_client(&backend, &store);
    let credential = minted.secret.expose_secret().to_owned();
    let pending = client.adopt_session(minted.secret);
    let shown = format!("{pending:?} {client:?} {:?}", app::Account::new(&client));
    assert!(!shown.contains(&credential), "{shown}");
    let adopted = pending.send().unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains(&credential), "{shown}");
    assert_eq!(adopted.id, minted.id);
    assert_eq!(
        app::Account::new(&client).get().send().unwrap().id.as_str(),
        "ada"
    );
}

#[test]
fn client_sign_in_works_from_a_spawn_blocking_thread() {
    let backend = backend();
    let users = server_users(&backend);
    users.create("ada").send().unwrap();
    let token = users.create_token("ada").send().unwrap();
    let client = app_client(&backend, &MemoryStore::new());
    let account = app::Account::new(&client);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let session = runtime
        .block_on(async {
            tokio::task::spawn_blocking(move || {
                account
                    .create_session("ada", token.secret.expose_secret())
                    .send()
            })
            .await
        })
        .unwrap()
        .unwrap();
    assert!(client.is_signed_in());
    let state = client.auth_state().borrow().clone();
    assert!(
        matches!(
            &state,
            appwrite_client::AuthState::SignedIn { session_id, .. } if *session_id == session.id
        ),
        "the accessor sees the sign-in: {state:?}"
    );
}

/// A TCP proxy to `upstream` that closes a connection once it has been idle for `idle`, as
/// nginx does after `keepalive_timeout`, served on `runtime`. Returns its address.
fn idle_closing_proxy(
    runtime: &tokio::runtime::Runtime,
    upstream: std::net::SocketAddr,
    idle: Duration,
) -> std::net::SocketAddr {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    async fn pump(
        mut from: tokio::net::tcp::OwnedReadHalf,
        mut to: tokio::net::tcp::OwnedWriteHalf,
        last: Arc<Mutex<Instant>>,
    ) {
        let mut buffer = vec![0; 16 * 1024];
        while let Ok(read @ 1..) = from.read(&mut buffer).await {
            *last.lock().unwrap() = Instant::now();
            if to.write_all(&buffer[..read]).await.is_err() {
                return;
            }
        }
    }

    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                let last = Arc::new(Mutex::new(Instant::now()));
                let idle_out = {
                    let last = Arc::clone(&last);
                    async move {
                        while last.lock().unwrap().elapsed() < idle {
                            tokio::time::sleep(idle / 10).await;
                        }
                    }
                };
                // Whichever ends first closes both sides.
                tokio::select! {
                    () = pump(client_read, server_write, Arc::clone(&last)) => {}
                    () = pump(server_read, client_write, last) => {}
                    () = idle_out => {}
                }
            });
        }
    });
    address
}

/// The emulator's address, and the endpoint of a proxy in front of it that closes connections
/// idle for a second.
fn behind_keep_alive_limit(backend: &Backend) -> String {
    let upstream: std::net::SocketAddr = backend
        .emulator
        .endpoint()
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .parse()
        .unwrap();
    let proxy = idle_closing_proxy(&backend.runtime, upstream, Duration::from_secs(1));
    format!("http://{proxy}/v1")
}

/// Longer than the proxy's keep-alive: the connection of the call before is closed by then.
const PAUSE: Duration = Duration::from_millis(2500);

#[test]
fn a_server_post_after_the_keep_alive_ran_out_gets_a_fresh_connection() {
    let backend = backend();
    let client = server::Client::builder()
        .endpoint(behind_keep_alive_limit(&backend))
        .project(PROJECT)
        .api_key(KEY)
        .retry_policy(appwrite_server::RetryPolicy::disabled())
        .build()
        .unwrap();
    let users = server::Users::new(&client);
    users.create("ada").send().unwrap();
    std::thread::sleep(PAUSE);
    let token = users.create_token("ada").send().unwrap();
    assert_eq!(token.user_id.as_str(), "ada");
}

#[test]
fn a_sign_in_after_the_keep_alive_ran_out_gets_a_fresh_connection() {
    let backend = backend();
    let users = server_users(&backend);
    users.create("ada").send().unwrap();
    let first = users.create_token("ada").send().unwrap();
    let second = users.create_token("ada").send().unwrap();
    let client = app::Client::builder()
        .endpoint(behind_keep_alive_limit(&backend))
        .project(PROJECT)
        .session_store(MemoryStore::new())
        .retry_policy(appwrite_client::RetryPolicy::disabled())
        .build()
        .unwrap();
    assert!(client.endpoint().ends_with("/v1"), "{}", client.endpoint());
    let account = app::Account::new(&client);
    account
        .create_session("ada", first.secret.expose_secret())
        .send()
        .unwrap();
    std::thread::sleep(PAUSE);
    // The sign-in `POST` is never retried: it must not go out on the closed connection.
    account
        .create_session("ada", second.secret.expose_secret())
        .send()
        .unwrap();
    assert!(client.is_signed_in());
    assert_eq!(
        client.credential_mode(),
        appwrite_client::CredentialMode::SessionHeader
    );
}
