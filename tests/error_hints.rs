//! Errors that say what to do, against the emulator over real HTTP: a token secret that no
//! longer works asks for a new one; a JWT whose session is gone says so, with a predicate.

// Set-up helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use appwrite_client::{Account, MemoryStore};
use appwrite_emulator::Emulator;
use appwrite_server::{ErrorType, Users};

const PROJECT: &str = "hints";
const KEY: &str = "hints-key";

async fn start() -> (Emulator, Users) {
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
    (emulator, Users::new(&client))
}

fn app(emulator: &Emulator) -> Account {
    let client = appwrite_client::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .session_store(MemoryStore::new())
        .build()
        .unwrap();
    Account::new(&client)
}

fn asks_for_a_new_token(error: &appwrite_client::Error) {
    assert!(error.is_unauthorized(), "{error}");
    assert_eq!(error.error_type(), Some(&ErrorType::UserInvalidToken));
    let shown = error.to_string();
    assert!(
        shown.contains("(hint: the token secret has expired, was already used, is mistyped or is another user's: ask for a new one)"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_used_mistyped_or_other_users_token_asks_for_a_new_one() {
    let (emulator, users) = start().await;
    users.get_or_create("ada").await.unwrap();
    users.get_or_create("bob").await.unwrap();
    let token = users.create_token("ada").await.unwrap();
    let secret = token.secret.expose_secret();

    // Another user's: the token is ada's.
    asks_for_a_new_token(
        &app(&emulator)
            .create_session("bob", secret)
            .await
            .unwrap_err(),
    );
    // Mistyped.
    asks_for_a_new_token(
        &app(&emulator)
            .create_session("ada", "000000")
            .await
            .unwrap_err(),
    );
    // Used.
    app(&emulator).create_session("ada", secret).await.unwrap();
    asks_for_a_new_token(
        &app(&emulator)
            .create_session("ada", secret)
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn a_jwt_whose_session_is_gone_says_so() {
    let (emulator, users) = start().await;
    let user = users
        .get_or_create_by_email("ada@example.com")
        .await
        .unwrap();
    let session = users.create_session(user.id.clone()).await.unwrap();
    let jwt = users
        .create_jwt(user.id.clone())
        .session_id(session.id.clone())
        .await
        .unwrap();
    let jwt = jwt.jwt.expose_secret();
    users.verify_jwt(jwt).await.unwrap();

    users
        .delete_session(user.id.clone(), session.id.clone())
        .await
        .unwrap();
    let error = users.verify_jwt(jwt).await.unwrap_err();
    assert!(error.is_jwt_session_gone(), "{error}");
    assert!(error.is_unauthorized());
    assert!(
        error
            .to_string()
            .contains("(hint: the JWT's session is gone"),
        "{error}"
    );

    // A refusal of the key is not taken for one.
    let keyless = appwrite_server::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .api_key("not-the-key")
        .build()
        .unwrap();
    let error = Users::new(&keyless).get(user.id.clone()).await.unwrap_err();
    assert!(
        error.is_unauthorized() && !error.is_jwt_session_gone(),
        "{error}"
    );
}
