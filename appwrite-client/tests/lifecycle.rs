//! The session's life: replacement on a second sign-in, logout, 401s, local expiry, validate,
//! auth-state transitions and the sliding extension.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use appwrite_client::{
    Account, AuthState, Client, Datetime, MemoryStore, ProfileKey, RestoreOutcome, SessionStore,
    SignOutReason,
};
use common::*;
use wiremock::{MockServer, ResponseTemplate};

/// A client whose store already holds a session (as after a restart).
fn restored_client(server: &MockServer, store: &MemoryStore, credential: &str) -> Client {
    let key = ProfileKey::new(format!("{}/v1", server.uri()), PROJECT, None);
    store.save(&key, &stored(credential, in_days(300))).unwrap();
    let client = client_with(server, store.clone());
    assert!(client.is_signed_in());
    client
}

fn reason(client: &Client) -> Option<SignOutReason> {
    client.auth_state().borrow().sign_out_reason()
}

#[tokio::test]
async fn logout_revokes_then_forgets_on_204() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/current",
        logged_out(),
    )
    .await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    Account::new(&client)
        .delete_session("current")
        .await
        .unwrap();

    let delete = &received(&server, "DELETE", "/v1/account/sessions/current").await[0];
    assert_eq!(
        header(delete, "x-appwrite-session"),
        Some(credential().as_str())
    );
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
    assert_eq!(reason(&client), Some(SignOutReason::LoggedOut));
    // Logging out again needs no request and succeeds.
    Account::new(&client)
        .delete_session("current")
        .await
        .unwrap();
    assert_eq!(
        received(&server, "DELETE", "/v1/account/sessions/current")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn logout_keeps_the_session_on_a_transport_error() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions",
        logged_out().set_delay(Duration::from_secs(3)),
    )
    .await;
    let store = MemoryStore::new();
    let key = ProfileKey::new(format!("{}/v1", server.uri()), PROJECT, None);
    store
        .save(&key, &stored(&credential(), in_days(300)))
        .unwrap();
    let client = builder(&server)
        .session_store(store.clone())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = Account::new(&client).delete_sessions().await.unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    assert!(client.is_signed_in());
    assert!(store.load(&key).unwrap().is_some());

    // Nothing listening at all: the same.
    let dead = dead_endpoint();
    let key = ProfileKey::new(&dead, PROJECT, None);
    store
        .save(&key, &stored(&credential(), in_days(300)))
        .unwrap();
    let client = Client::builder()
        .endpoint(&dead)
        .project(PROJECT)
        .session_store(store.clone())
        .retry_policy(appwrite_client::RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = Account::new(&client)
        .delete_session("current")
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    assert!(client.is_signed_in());
    assert!(store.load(&key).unwrap().is_some());
}

#[tokio::test]
async fn logout_answered_401_forgets_and_succeeds() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/current",
        guest_401(),
    )
    .await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    Account::new(&client)
        .delete_session("current")
        .await
        .unwrap();
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
}

#[tokio::test]
async fn logout_answered_by_a_wrong_route_keeps_the_session() {
    // Nothing is mounted: the server answers 404 with no Appwrite body, as a wrong endpoint would.
    let server = MockServer::start().await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    let error = Account::new(&client)
        .delete_session("current")
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    assert!(client.is_signed_in());
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn logout_of_every_session_forgets_the_local_one() {
    let server = MockServer::start().await;
    mount(&server, "DELETE", "/v1/account/sessions", logged_out()).await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    Account::new(&client).delete_sessions().await.unwrap();
    let request = &received(&server, "DELETE", "/v1/account/sessions").await[0];
    assert_eq!(
        header(request, "x-appwrite-session"),
        Some(credential().as_str())
    );
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
    assert_eq!(reason(&client), Some(SignOutReason::LoggedOut));
}

#[tokio::test]
async fn deleting_another_session_keeps_the_local_one() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/other-device",
        ResponseTemplate::new(204),
    )
    .await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    Account::new(&client)
        .delete_session("other-device")
        .await
        .unwrap();
    let request = &received(&server, "DELETE", "/v1/account/sessions/other-device").await[0];
    assert_eq!(
        header(request, "x-appwrite-session"),
        Some(credential().as_str())
    );
    assert!(client.is_signed_in());
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn a_401_while_carrying_the_session_forgets_it() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/v1/account", guest_401()).await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    let mut state = client.auth_state();
    let error = Account::new(&client).get().await.unwrap_err();
    assert!(error.is_unauthorized());
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
    assert!(state.has_changed().unwrap());
    assert_eq!(
        *state.borrow_and_update(),
        AuthState::SignedOut {
            reason: SignOutReason::Revoked
        }
    );
}

#[tokio::test]
async fn a_401_while_signed_out_clears_nothing() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/v1/account", guest_401()).await;
    let store = MemoryStore::new();
    // Another profile in the same store must survive a signed-out client's 401.
    let other = ProfileKey::new(format!("{}/v1", server.uri()), PROJECT, Some("work".into()));
    store
        .save(&other, &stored(&credential(), in_days(300)))
        .unwrap();
    let client = client_with(&server, store.clone());
    assert!(!client.is_signed_in());
    let error = Account::new(&client).get().await.unwrap_err();
    assert!(error.is_unauthorized());
    let request = &received(&server, "GET", "/v1/account").await[0];
    assert_eq!(header(request, "x-appwrite-session"), None);
    assert!(store.load(&other).unwrap().is_some());
    assert_eq!(reason(&client), Some(SignOutReason::NoSession));
}

#[tokio::test]
async fn a_401_that_is_not_about_the_session_keeps_it() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account",
        error_json(
            401,
            "user_more_factors_required",
            "More factors are required to complete the sign in process.",
        ),
    )
    .await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    assert!(
        Account::new(&client)
            .get()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    assert!(client.is_signed_in());
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn a_locally_expired_session_is_dropped_at_build() {
    let server = MockServer::start().await;
    let store = MemoryStore::new();
    let key = ProfileKey::new(format!("{}/v1", server.uri()), PROJECT, None);
    store
        .save(&key, &stored(&credential(), days_ago(1)))
        .unwrap();
    let client = client_with(&server, store.clone());
    assert!(!client.is_signed_in());
    assert!(store.is_empty(), "cleared from the store too");
    assert_eq!(reason(&client), Some(SignOutReason::Expired));
    assert!(matches!(
        client.validate().await.unwrap(),
        RestoreOutcome::NoSession
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn validate_reports_each_outcome() {
    // Restored, with the server's expiry saved.
    let server = MockServer::start().await;
    let later = in_days(365);
    mount(
        &server,
        "GET",
        "/v1/account/sessions/current",
        json(200, session_json(SESSION_ID, later)),
    )
    .await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    let RestoreOutcome::Restored(session) = client.validate().await.unwrap() else {
        panic!("expected Restored");
    };
    assert_eq!(session.id, SESSION_ID);
    let saved = store.load(client.profile_key()).unwrap().unwrap();
    assert_eq!(saved.expire.to_string(), wire_datetime(later));
    let request = &received(&server, "GET", "/v1/account/sessions/current").await[0];
    assert_eq!(
        header(request, "x-appwrite-session"),
        Some(credential().as_str())
    );

    // Revoked on the server.
    let server = MockServer::start().await;
    mount(&server, "GET", "/v1/account/sessions/current", guest_401()).await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    assert!(matches!(
        client.validate().await.unwrap(),
        RestoreOutcome::Revoked
    ));
    assert!(store.is_empty());
    assert!(matches!(
        client.validate().await.unwrap(),
        RestoreOutcome::NoSession
    ));

    // Offline: the session is kept.
    let dead = dead_endpoint();
    let store = MemoryStore::new();
    store
        .save(
            &ProfileKey::new(&dead, PROJECT, None),
            &stored(&credential(), in_days(300)),
        )
        .unwrap();
    let client = Client::builder()
        .endpoint(&dead)
        .project(PROJECT)
        .session_store(store.clone())
        .retry_policy(appwrite_client::RetryPolicy::disabled())
        .build()
        .unwrap();
    let RestoreOutcome::Offline(error) = client.validate().await.unwrap() else {
        panic!("expected Offline");
    };
    assert!(error.is_connect());
    assert!(client.is_signed_in());
    assert_eq!(store.len(), 1);

    // A 5xx is an error, and the session is kept.
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account/sessions/current",
        error_json(500, "general_unknown", "Server Error"),
    )
    .await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    assert_eq!(client.validate().await.unwrap_err().status(), Some(500));
    assert!(client.is_signed_in());
}

#[tokio::test]
async fn a_second_sign_in_revokes_the_held_session_then_signs_in_without_it() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/current",
        logged_out(),
    )
    .await;
    mount_login(
        &server,
        session_created(Source::Everything, &credential_2(), in_days(365)),
    )
    .await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    let mut state = client.auth_state();
    state.borrow_and_update();

    Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method.as_str(), "DELETE", "revoked first");
    assert_eq!(
        header(&requests[0], "x-appwrite-session"),
        Some(credential().as_str())
    );
    assert_eq!(requests[1].url.path(), "/v1/account/sessions/token");
    assert_eq!(
        header(&requests[1], "x-appwrite-session"),
        None,
        "created without the old session"
    );
    assert!(header(&requests[1], "cookie").is_none());
    let saved = store.load(client.profile_key()).unwrap().unwrap();
    assert_eq!(
        saved.credential.expose_secret(),
        url_encoded(&credential_2())
    );
    assert!(state.has_changed().unwrap());
    assert!(state.borrow_and_update().is_signed_in());
}

#[tokio::test]
async fn a_second_sign_in_keeps_the_old_session_when_revoking_fails() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/current",
        logged_out().set_delay(Duration::from_secs(3)),
    )
    .await;
    mount_login(
        &server,
        session_created(Source::Everything, &credential_2(), in_days(365)),
    )
    .await;
    let store = MemoryStore::new();
    let key = ProfileKey::new(format!("{}/v1", server.uri()), PROJECT, None);
    store
        .save(&key, &stored(&credential(), in_days(300)))
        .unwrap();
    let client = builder(&server)
        .session_store(store.clone())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        received(&server, "POST", "/v1/account/sessions/token")
            .await
            .is_empty()
    );
    let kept = store.load(&key).unwrap().unwrap();
    assert_eq!(kept.credential.expose_secret(), credential());
    assert!(client.is_signed_in());
}

#[tokio::test]
async fn a_second_sign_in_after_the_old_session_was_revoked_elsewhere() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/current",
        guest_401(),
    )
    .await;
    mount_login(
        &server,
        session_created(Source::Fallback, &credential_2(), in_days(365)),
    )
    .await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    Account::new(&client)
        .create_session(USER, TOKEN_SECRET)
        .await
        .unwrap();
    let saved = store.load(client.profile_key()).unwrap().unwrap();
    assert_eq!(saved.credential.expose_secret(), credential_2());
}

#[tokio::test]
async fn auth_state_follows_sign_in_extension_and_logout() {
    let server = MockServer::start().await;
    let first_expiry = in_days(300);
    let extended = in_days(365);
    mount_login(
        &server,
        session_created(Source::Everything, &credential(), first_expiry),
    )
    .await;
    mount(
        &server,
        "PATCH",
        "/v1/account/sessions/current",
        json(200, session_json(SESSION_ID, extended)),
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/v1/account/sessions/current",
        logged_out(),
    )
    .await;
    let store = MemoryStore::new();
    let client = client_with(&server, store.clone());
    let account = Account::new(&client);
    let mut state = client.auth_state();
    assert_eq!(
        *state.borrow_and_update(),
        AuthState::SignedOut {
            reason: SignOutReason::NoSession
        }
    );

    account.create_session(USER, TOKEN_SECRET).await.unwrap();
    assert!(state.has_changed().unwrap());
    match &*state.borrow_and_update() {
        AuthState::SignedIn {
            user_id,
            session_id,
            expire,
        } => {
            assert_eq!(user_id, USER);
            assert_eq!(session_id, SESSION_ID);
            assert_eq!(expire.to_string(), wire_datetime(first_expiry));
        }
        other => panic!("expected SignedIn, got {other:?}"),
    }

    account.update_session("current").await.unwrap();
    assert!(state.has_changed().unwrap());
    match &*state.borrow_and_update() {
        AuthState::SignedIn { expire, .. } => {
            assert_eq!(expire.to_string(), wire_datetime(extended));
        }
        other => panic!("expected SignedIn, got {other:?}"),
    }
    let saved = store.load(client.profile_key()).unwrap().unwrap();
    assert_eq!(saved.expire.to_string(), wire_datetime(extended));

    account.delete_session("current").await.unwrap();
    assert!(state.has_changed().unwrap());
    assert_eq!(
        *state.borrow_and_update(),
        AuthState::SignedOut {
            reason: SignOutReason::LoggedOut
        }
    );
}

#[tokio::test]
async fn fallback_cookies_cleared_in_a_response_forgets_the_session() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/v1/account",
        json(200, user_json()).insert_header("x-fallback-cookies", "[]"),
    )
    .await;
    let store = MemoryStore::new();
    let client = restored_client(&server, &store, &credential());
    Account::new(&client).get().await.unwrap();
    assert!(!client.is_signed_in());
    assert!(store.is_empty());
    assert_eq!(reason(&client), Some(SignOutReason::Cleared));
}

#[tokio::test]
async fn sliding_extension_runs_once_before_the_next_request() {
    let server = MockServer::start().await;
    let extended = in_days(365);
    mount(
        &server,
        "PATCH",
        "/v1/account/sessions/current",
        json(200, session_json(SESSION_ID, extended)).set_delay(Duration::from_millis(200)),
    )
    .await;
    mount_account(&server).await;
    let store = MemoryStore::new();
    let key = ProfileKey::new(format!("{}/v1", server.uri()), PROJECT, None);
    let mut old = stored(&credential(), in_days(10));
    old.saved_at = Datetime::from(days_ago(355));
    store.save(&key, &old).unwrap();
    let client = builder(&server)
        .session_store(store.clone())
        .auto_extend(0.5)
        .build()
        .unwrap();
    let account = Account::new(&client);

    let calls: Vec<_> = (0..5)
        .map(|_| {
            let account = account.clone();
            tokio::spawn(async move { account.get().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    account.get().await.unwrap();

    let requests = server.received_requests().await.unwrap();
    let patches: Vec<_> = requests
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1, "extended once, never twice concurrently");
    assert_eq!(
        header(patches[0], "x-appwrite-session"),
        Some(credential().as_str())
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.method.as_str() == "GET")
            .count(),
        6
    );
    let saved = store.load(&key).unwrap().unwrap();
    assert_eq!(saved.expire.to_string(), wire_datetime(extended));
}

#[tokio::test]
async fn no_extension_while_plenty_of_lifetime_is_left() {
    let server = MockServer::start().await;
    mount_account(&server).await;
    let store = MemoryStore::new();
    let key = ProfileKey::new(format!("{}/v1", server.uri()), PROJECT, None);
    store
        .save(&key, &stored(&credential(), in_days(300)))
        .unwrap();
    let client = builder(&server)
        .session_store(store)
        .auto_extend(0.5)
        .build()
        .unwrap();
    Account::new(&client).get().await.unwrap();
    assert!(
        received(&server, "PATCH", "/v1/account/sessions/current")
            .await
            .is_empty()
    );
}

#[test]
fn builder_checks_its_settings() {
    let base = || {
        Client::builder()
            .endpoint("http://127.0.0.1:9/v1")
            .project(PROJECT)
    };
    assert!(base().profile("work.2").build().is_ok());
    assert!(
        base()
            .profile("a#b")
            .build()
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(base().profile("").build().unwrap_err().is_invalid_input());
    assert!(
        base()
            .auto_extend(0.0)
            .build()
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(
        base()
            .auto_extend(f64::NAN)
            .build()
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(
        base()
            .auto_extend(1.5)
            .build()
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(
        base()
            .origin("bad\norigin")
            .build()
            .unwrap_err()
            .is_config()
    );
    assert!(
        Client::builder()
            .project(PROJECT)
            .build()
            .unwrap_err()
            .is_config()
    );
    assert!(
        Client::builder()
            .endpoint("http://x/v1")
            .build()
            .unwrap_err()
            .is_config()
    );
    let client = base().profile("work").build().unwrap();
    assert_eq!(client.profile_key().profile(), Some("work"));
    assert_eq!(client.endpoint(), "http://127.0.0.1:9/v1");
}
