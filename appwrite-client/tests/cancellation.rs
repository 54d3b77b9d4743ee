//! Dropping a sign-in or logout future while the store is slow never splits memory from the
//! store: a write that has begun finishes together with its memory update, in the order the
//! changes were made.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use appwrite_client::{
    Account, Client, MemoryStore, ProfileKey, SessionStore, StoreError, StoredSession,
};
use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

/// How long any wait in these tests may last before the test gives up.
const BOUND: Duration = Duration::from_secs(10);

/// A blocking store (like a file on a slow disk) whose `save` or `clear` can be held until the
/// test releases it; it reports each call as it enters.
#[derive(Debug, Clone)]
struct SlowStore {
    inner: MemoryStore,
    hold_save: Arc<AtomicBool>,
    hold_clear: Arc<AtomicBool>,
    entered: tokio::sync::mpsc::UnboundedSender<&'static str>,
    release: Arc<Mutex<mpsc::Receiver<()>>>,
}

impl SlowStore {
    fn new() -> (
        Self,
        tokio::sync::mpsc::UnboundedReceiver<&'static str>,
        mpsc::Sender<()>,
    ) {
        let (entered, entered_rx) = tokio::sync::mpsc::unbounded_channel();
        let (release_tx, release) = mpsc::channel();
        let store = Self {
            inner: MemoryStore::new(),
            hold_save: Arc::default(),
            hold_clear: Arc::default(),
            entered,
            release: Arc::new(Mutex::new(release)),
        };
        (store, entered_rx, release_tx)
    }

    fn enter(&self, call: &'static str, hold: &AtomicBool) {
        let _ = self.entered.send(call);
        if hold.swap(false, Ordering::SeqCst) {
            // Bounded: a test that forgets to release fails instead of hanging.
            let _ = self.release.lock().unwrap().recv_timeout(BOUND);
        }
    }
}

impl SessionStore for SlowStore {
    fn load(&self, key: &ProfileKey) -> Result<Option<StoredSession>, StoreError> {
        self.inner.load(key)
    }

    fn save(&self, key: &ProfileKey, session: &StoredSession) -> Result<(), StoreError> {
        self.enter("save", &self.hold_save);
        self.inner.save(key, session)
    }

    fn clear(&self, key: &ProfileKey) -> Result<(), StoreError> {
        self.enter("clear", &self.hold_clear);
        self.inner.clear(key)
    }

    fn is_blocking(&self) -> bool {
        true
    }
}

fn stored_credential(store: &SlowStore, client: &Client) -> Option<String> {
    store
        .inner
        .load(client.profile_key())
        .unwrap()
        .map(|s| s.credential.expose_secret().to_owned())
}

#[tokio::test]
async fn a_sign_in_timed_out_during_a_slow_save_leaves_memory_and_store_in_agreement() {
    let server = MockServer::start().await;
    mount_default_login(&server).await;
    let (store, mut entered, release) = SlowStore::new();
    store.hold_save.store(true, Ordering::SeqCst);
    let client = client_with(&server, store.clone());
    let mut state = client.auth_state();

    // The store holds the save until after the timeout has dropped the sign-in.
    let timed_out = tokio::time::timeout(
        Duration::from_secs(2),
        Account::new(&client).create_session(USER, TOKEN_SECRET),
    )
    .await;
    assert!(
        timed_out.is_err(),
        "the save is held: the sign-in cannot finish"
    );
    assert_eq!(entered.try_recv(), Ok("save"), "dropped during the save");
    release.send(()).unwrap();

    // The write that had begun finishes, and memory follows it.
    let _ = tokio::time::timeout(
        BOUND,
        state.wait_for(appwrite_client::AuthState::is_signed_in),
    )
    .await;
    let saved = stored_credential(&store, &client);
    assert_eq!(
        client.is_signed_in(),
        saved.is_some(),
        "memory and store agree"
    );
    assert_eq!(saved, Some(url_encoded(&credential())));
    // And so does the next start.
    let restarted = client_with(&server, store.clone());
    assert!(restarted.is_signed_in());
}

#[tokio::test]
async fn a_late_clear_from_a_cancelled_logout_does_not_wipe_the_session_that_followed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/account/sessions/token"))
        .respond_with(session_created(
            Source::Everything,
            &credential(),
            in_days(365),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/current",
        logged_out(),
    )
    .await;
    let (store, mut entered, release) = SlowStore::new();
    let client = client_with(&server, store.clone());
    let account = Account::new(&client);
    account.create_session(USER, TOKEN_SECRET).await.unwrap();
    assert_eq!(entered.recv().await, Some("save"));
    // The second sign-in gets another session.
    mount_login(
        &server,
        session_created(Source::Everything, &credential_2(), in_days(365)),
    )
    .await;

    // Logout is dropped while its store clear is held.
    store.hold_clear.store(true, Ordering::SeqCst);
    let mut logout = Box::pin(account.delete_session("current"));
    tokio::select! {
        result = &mut logout => panic!("the clear is held, yet logout ended: {result:?}"),
        call = entered.recv() => assert_eq!(call, Some("clear")),
    }
    drop(logout);

    // A new sign-in starts while the old clear is still pending.
    let second = tokio::spawn({
        let account = account.clone();
        async move { account.create_session(USER, TOKEN_SECRET).await }
    });
    // Let it get as far as it may (with the bug, all the way to its save), then free the clear.
    let _ = tokio::time::timeout(Duration::from_secs(1), entered.recv()).await;
    release.send(()).unwrap();
    tokio::time::timeout(BOUND, second)
        .await
        .expect("the second sign-in ends")
        .unwrap()
        .unwrap();

    let saved = stored_credential(&store, &client);
    assert_eq!(
        saved,
        Some(url_encoded(&credential_2())),
        "the newer session is still in the store"
    );
    assert!(client.is_signed_in());
    let restarted = client_with(&server, store.clone());
    assert!(restarted.is_signed_in(), "and comes back at the next start");
}
