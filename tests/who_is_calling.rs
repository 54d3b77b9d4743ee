//! `verify_jwt`, `as_user` and the Users update API against the emulator over real HTTP: a valid
//! JWT, an expired one (emulator clock), a revoked one (session deleted) and a blocked user.

// Set-up helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use appwrite_emulator::Emulator;
use appwrite_server::{Credential, ErrorType, JwtCache, Users};
use serde_json::json;

const PROJECT: &str = "who";
const KEY: &str = "who-key";

async fn start() -> (Emulator, appwrite_server::Client) {
    let emulator = Emulator::builder()
        .project(PROJECT)
        .api_key(KEY)
        .start()
        .await
        .expect("the emulator starts");
    let client = appwrite_server::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .api_key(KEY)
        .build()
        .unwrap();
    (emulator, client)
}

/// A user with a session, and a JWT for that session as the user's app would get it.
async fn signed_in(users: &Users, email: &str) -> (appwrite_server::User, String, String) {
    let user = users.get_or_create_by_email(email).await.unwrap();
    let session = users.create_session(user.id.clone()).await.unwrap();
    let jwt = users
        .create_jwt(user.id.clone())
        .session_id(session.id.clone())
        .await
        .unwrap();
    (
        user,
        session.id.to_string(),
        jwt.jwt.expose_secret().to_owned(),
    )
}

#[tokio::test]
async fn a_valid_jwt_names_the_user_and_session() {
    let (_emulator, client) = start().await;
    let users = Users::new(&client);
    let (user, session_id, jwt) = signed_in(&users, "ada@example.com").await;
    let caller = users.verify_jwt(jwt.as_str()).await.unwrap();
    assert_eq!(caller.user.id, user.id);
    assert_eq!(caller.user.email, "ada@example.com");
    assert_eq!(caller.session_id.unwrap().as_str(), session_id);
    assert!(caller.expires_at.is_some());
}

#[tokio::test]
async fn an_expired_jwt_is_unauthorized() {
    let (emulator, client) = start().await;
    let users = Users::new(&client);
    let (_, _, jwt) = signed_in(&users, "ada@example.com").await;
    users.verify_jwt(jwt.as_str()).await.unwrap();
    emulator.advance_time(Duration::from_secs(15 * 60 + 1));
    let err = users.verify_jwt(jwt.as_str()).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(err.error_type(), Some(&ErrorType::UserJwtInvalid));
}

#[tokio::test]
async fn a_revoked_session_makes_its_jwt_unauthorized() {
    let (_emulator, client) = start().await;
    let users = Users::new(&client);
    let (user, session_id, jwt) = signed_in(&users, "ada@example.com").await;
    users
        .delete_session(user.id.clone(), session_id)
        .await
        .unwrap();
    let err = users.verify_jwt(jwt.as_str()).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
}

#[tokio::test]
async fn a_blocked_user_is_forbidden_and_unblocking_lets_it_back() {
    let (_emulator, client) = start().await;
    let users = Users::new(&client);
    let (user, _, jwt) = signed_in(&users, "ada@example.com").await;
    assert!(!users.block(user.id.clone()).await.unwrap().status);
    let err = users.verify_jwt(jwt.as_str()).await.unwrap_err();
    assert!(err.is_forbidden() && !err.is_unauthorized(), "{err}");
    assert_eq!(err.error_type(), Some(&ErrorType::UserBlocked));
    users.unblock(user.id.clone()).await.unwrap();
    users.verify_jwt(jwt.as_str()).await.unwrap();
}

#[tokio::test]
async fn the_cache_serves_repeat_calls_until_cleared() {
    let (_emulator, client) = start().await;
    let users = Users::new(&client).with_jwt_cache(JwtCache::new(10));
    let (user, _, jwt) = signed_in(&users, "ada@example.com").await;
    users.verify_jwt(jwt.as_str()).await.unwrap();
    // Blocked meanwhile: the cached answer still stands (the documented trade-off) …
    users.block(user.id.clone()).await.unwrap();
    assert!(users.verify_jwt(jwt.as_str()).await.is_ok());
    // … until the cache is cleared.
    users.jwt_cache().unwrap().clear();
    assert!(
        users
            .verify_jwt(jwt.as_str())
            .await
            .unwrap_err()
            .is_forbidden()
    );
}

#[tokio::test]
async fn acting_as_a_user_with_its_session() {
    let (_emulator, client) = start().await;
    let users = Users::new(&client);
    let user = users
        .get_or_create_by_email("ada@example.com")
        .await
        .unwrap();
    let session = users.create_session(user.id.clone()).await.unwrap();
    users
        .update_prefs(
            user.id.clone(),
            json!({"theme": "dark"}).as_object().unwrap().clone(),
        )
        .await
        .unwrap();
    let account = client
        .as_user(Credential::session(session.secret.expose_secret()))
        .account();
    assert_eq!(account.get().await.unwrap().id, user.id);
    assert_eq!(account.get_session("current").await.unwrap().id, session.id);
    assert_eq!(account.list_sessions().await.unwrap().sessions.len(), 1);
    assert_eq!(
        account.get_prefs().await.unwrap().get("theme"),
        Some(&json!("dark"))
    );
    account.delete_session("current").await.unwrap();
    assert!(account.get().await.unwrap_err().is_unauthorized());
}

#[tokio::test]
async fn the_users_update_api_round_trips() {
    let (_emulator, client) = start().await;
    let users = Users::new(&client);
    let first = users
        .get_or_create_by_email("Ada@Example.com")
        .await
        .unwrap();
    let again = users
        .get_or_create_by_email("ada@example.com")
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    assert!(
        users
            .find_by_email("nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );

    let id = first.id.clone();
    assert_eq!(
        users.update_name(id.clone(), "Ada").await.unwrap().name,
        "Ada"
    );
    let user = users
        .update_email(id.clone(), "ada@example.org")
        .await
        .unwrap();
    assert_eq!(user.email, "ada@example.org");
    assert_eq!(
        users
            .find_by_email("ada@example.org")
            .await
            .unwrap()
            .unwrap()
            .id,
        id
    );
    assert!(
        users
            .find_by_email("ada@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        users
            .update_email_verification(id.clone(), true)
            .await
            .unwrap()
            .email_verification
    );
    assert_eq!(
        users
            .update_phone(id.clone(), "+14155550100")
            .await
            .unwrap()
            .phone,
        "+14155550100"
    );
    assert!(
        users
            .update_phone_verification(id.clone(), true)
            .await
            .unwrap()
            .phone_verification
    );
    assert!(
        !users
            .update_password(id.clone(), "correct horse battery")
            .await
            .unwrap()
            .password_update
            .is_unset()
    );
    assert_eq!(
        users
            .update_labels(id.clone(), ["admin", "beta"])
            .await
            .unwrap()
            .labels,
        ["admin", "beta"]
    );
    let prefs = users
        .update_prefs(id.clone(), json!({"n": 1}).as_object().unwrap().clone())
        .await
        .unwrap();
    assert_eq!(users.get_prefs(id.clone()).await.unwrap(), prefs);

    // Another user cannot take the address.
    let other = users
        .get_or_create_by_email("grace@example.com")
        .await
        .unwrap();
    let err = users
        .update_email(other.id, "ada@example.org")
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
}

#[tokio::test]
async fn concurrent_get_or_create_by_email_makes_one_user() {
    let (emulator, client) = start().await;
    let users = Users::new(&client);
    let calls: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(
                users
                    .get_or_create_by_email("race@example.com")
                    .into_future(),
            )
        })
        .collect();
    let mut ids = Vec::new();
    for call in calls {
        ids.push(call.await.unwrap().unwrap().id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(emulator.user_count(), 1);
}
