//! The `blocking` APIs of both SDKs against the emulator over real HTTP: the emulator runs on a
//! runtime of its own, and the calls are made from plain threads, as a command-line tool would.

// Set-up helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used)]

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
    _runtime: tokio::runtime::Runtime,
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
    Backend {
        emulator,
        _runtime: runtime,
    }
}

fn users_client(backend: &Backend) -> server::Client {
    server::Client::builder()
        .endpoint(backend.emulator.endpoint())
        .project(PROJECT)
        .api_key(KEY)
        .build_blocking()
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
        .build_blocking()
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
        .build_blocking()
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
fn server_calls_inside_an_async_runtime_are_refused_unsent() {
    let backend = backend();
    let users = server_users(&backend);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let error = runtime
        .block_on(async { users.create("eve").send() })
        .unwrap_err();
    assert!(error.is_inside_runtime(), "{error:?}");
    assert!(error.to_string().contains("use the async API"), "{error}");
    assert_eq!(backend.emulator.user_count(), 0, "nothing was sent");
    // `spawn_blocking` threads are inside the runtime too.
    let error = runtime
        .block_on(async {
            let users = users.clone();
            tokio::task::spawn_blocking(move || users.get("eve").send()).await
        })
        .unwrap()
        .unwrap_err();
    assert!(error.is_inside_runtime(), "{error:?}");
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
fn client_calls_inside_an_async_runtime_are_refused_unsent() {
    let backend = backend();
    let users = server_users(&backend);
    users.create("ada").send().unwrap();
    let token = users.create_token("ada").send().unwrap();
    let client = app_client(&backend, &MemoryStore::new());
    let account = app::Account::new(&client);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let error = runtime
        .block_on(async {
            account
                .create_session("ada", token.secret.expose_secret())
                .send()
        })
        .unwrap_err();
    assert!(error.is_inside_runtime(), "{error:?}");
    assert!(error.to_string().contains("use the async API"), "{error}");
    assert!(!client.is_signed_in());
    assert_eq!(
        backend.emulator.session_count("ada"),
        Some(0),
        "nothing was sent"
    );
    // The token was not spent: the same call outside the runtime signs in.
    account
        .create_session("ada", token.secret.expose_secret())
        .send()
        .unwrap();
    assert!(client.is_signed_in());
}
