//! The second factor end to end: both SDKs against the emulator over real HTTP. A user with MFA on
//! signs in with a custom token, is refused until a challenge passes (TOTP, email code, recovery
//! code), and stays fully signed in across a restart; wrong and expired codes leave the session
//! one-factor; `verify_jwt` before and after.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use appwrite_client::{
    Account, AuthState, AuthenticatorType, Factor, FileStore, MemoryStore, SessionStore,
};
use appwrite_emulator::Emulator;
use appwrite_server::Users;

#[path = "../appwrite-client/tests/support/totp.rs"]
mod totp;
use totp::{start_of_totp_period, totp};

const PROJECT: &str = "mfa";
const KEY: &str = "mfa-key";
const USER: &str = "ada";

async fn emulator() -> Emulator {
    Emulator::builder()
        .project(PROJECT)
        .api_key(KEY)
        .start()
        .await
        .expect("the emulator starts")
}

fn server(emulator: &Emulator) -> Users {
    let client = appwrite_server::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .api_key(KEY)
        .build()
        .unwrap();
    Users::new(&client)
}

fn app(emulator: &Emulator, store: impl SessionStore) -> appwrite_client::Client {
    appwrite_client::Client::builder()
        .endpoint(emulator.endpoint())
        .project(PROJECT)
        .session_store(store)
        .build()
        .unwrap()
}

fn file_app(emulator: &Emulator, file: &Path) -> appwrite_client::Client {
    app(emulator, FileStore::new(file))
}

/// The code the emulator "sent" for challenge `challenge_id`.
fn outbox_code(emulator: &Emulator, challenge_id: &str) -> String {
    emulator
        .outbox()
        .into_iter()
        .rev()
        .find(|message| message.token_id == challenge_id)
        .expect("the challenge's email is in the outbox")
        .secret
}

async fn sign_in(users: &Users, client: &appwrite_client::Client) {
    let token = users.create_token(USER).await.unwrap();
    Account::new(client)
        .create_session(USER, token.secret.expose_secret())
        .await
        .unwrap();
}

/// What a user does once: a verified email (so email challenges work), a TOTP authenticator
/// verified with a first code, recovery codes, then MFA on. Returns the TOTP secret and the
/// recovery codes.
async fn enrolled_user(emulator: &Emulator, users: &Users) -> (String, Vec<String>) {
    users
        .get_or_create(USER)
        .email("ada@example.com")
        .await
        .unwrap();
    users.update_email_verification(USER, true).await.unwrap();
    let client = app(emulator, MemoryStore::new());
    sign_in(users, &client).await;
    let account = Account::new(&client);
    let kind = account
        .create_mfa_authenticator(AuthenticatorType::Totp)
        .await
        .unwrap();
    assert!(kind.uri.expose_secret().starts_with("otpauth://totp/"));
    let secret = kind.secret.expose_secret().to_owned();
    start_of_totp_period(emulator);
    account
        .update_mfa_authenticator(AuthenticatorType::Totp, totp(emulator, &secret))
        .await
        .unwrap();
    let codes = account.create_mfa_recovery_codes().await.unwrap();
    let codes = codes
        .recovery_codes
        .iter()
        .map(|code| code.expose_secret().to_owned())
        .collect();
    assert!(account.update_mfa(true).await.unwrap().mfa);
    account.delete_session("current").await.unwrap();
    (secret, codes)
}

/// Signs in and checks the session is refused for lack of a second factor, kept, and says so.
async fn refused_sign_in(users: &Users, client: &appwrite_client::Client) {
    sign_in(users, client).await;
    let account = Account::new(client);
    let error = account.get().await.unwrap_err();
    assert!(error.is_more_factors_required(), "{error}");
    assert!(client.is_signed_in(), "the session is kept");
    assert!(client.needs_second_factor());
    assert!(matches!(
        *client.auth_state().borrow(),
        AuthState::SecondFactorRequired { .. }
    ));
    let factors = account.list_mfa_factors().await.unwrap();
    assert!(factors.totp && factors.email && factors.recovery_code);
}

/// A challenge for `factor` answered with `code`.
async fn pass(
    account: &Account,
    factor: Factor,
    code: &str,
) -> appwrite_client::Result<appwrite_client::Session> {
    let challenge = account.create_mfa_challenge(factor).await?;
    account.update_mfa_challenge(challenge.id, code).await
}

/// A refused code: a 401 that is not about factors, and the session still needs one.
fn assert_refused_code(error: &appwrite_client::Error, client: &appwrite_client::Client) {
    assert!(
        error.is_unauthorized() && !error.is_more_factors_required(),
        "{error}"
    );
    assert!(client.is_signed_in() && client.needs_second_factor());
}

fn assert_fully_signed_in(client: &appwrite_client::Client) {
    assert!(!client.needs_second_factor());
    assert!(matches!(
        *client.auth_state().borrow(),
        AuthState::SignedIn { .. }
    ));
}

#[tokio::test]
async fn totp_challenge_completes_a_custom_token_sign_in_across_a_restart() {
    let emulator = emulator().await;
    let users = server(&emulator);
    let (secret, _) = enrolled_user(&emulator, &users).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    {
        let client = file_app(&emulator, &file);
        refused_sign_in(&users, &client).await;
        let account = Account::new(&client);

        // Before: the session cannot mint a JWT for the backend.
        let error = account.create_jwt().await.unwrap_err();
        assert!(error.is_more_factors_required(), "{error}");
        // One the backend mints with its key is accepted: 1.9.6 resolves no session for a JWT,
        // so its factors are never checked (app/init/resources/request.php).
        let minted = users.create_jwt(USER).await.unwrap();
        let caller = users.verify_jwt(minted.jwt.expose_secret()).await.unwrap();
        assert_eq!(caller.user.id, USER);

        start_of_totp_period(&emulator);
        let challenge = account.create_mfa_challenge(Factor::Totp).await.unwrap();
        assert_eq!(challenge.user_id, USER);
        let session = account
            .update_mfa_challenge(challenge.id, totp(&emulator, &secret))
            .await
            .unwrap();
        assert_eq!(session.factors, ["token", "totp"]);
        assert!(!session.mfa_updated_at.is_unset());
        assert_fully_signed_in(&client);
        assert_eq!(account.get().await.unwrap().id, USER);

        // After: a JWT of the session is good for the backend.
        let jwt = account.create_jwt().await.unwrap();
        let caller = users.verify_jwt(jwt.jwt.expose_secret()).await.unwrap();
        assert_eq!(caller.user.id, USER);
        assert_eq!(caller.session_id.as_ref(), Some(&session.id));
    }
    // A restarted app: fully signed in from the file, no challenge again.
    let client = file_app(&emulator, &file);
    assert_fully_signed_in(&client);
    let account = Account::new(&client);
    assert_eq!(account.get().await.unwrap().id, USER);
    let current = account.get_session("current").await.unwrap();
    assert!(current.has_factor(Factor::Totp) && current.is_multi_factor());
}

#[tokio::test]
async fn email_code_from_the_outbox_completes_the_sign_in() {
    let emulator = emulator().await;
    let users = server(&emulator);
    enrolled_user(&emulator, &users).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    {
        let client = file_app(&emulator, &file);
        refused_sign_in(&users, &client).await;
        let account = Account::new(&client);
        let challenge = account.create_mfa_challenge(Factor::Email).await.unwrap();
        let code = outbox_code(&emulator, challenge.id.as_str());
        let session = account
            .update_mfa_challenge(challenge.id, code)
            .await
            .unwrap();
        assert_eq!(session.factors, ["token", "email"]);
        assert_fully_signed_in(&client);
        account.get().await.unwrap();
    }
    let client = file_app(&emulator, &file);
    assert_fully_signed_in(&client);
    Account::new(&client).get().await.unwrap();
}

#[tokio::test]
async fn a_recovery_code_completes_the_sign_in_once_only() {
    let emulator = emulator().await;
    let users = server(&emulator);
    let (_, codes) = enrolled_user(&emulator, &users).await;
    assert_eq!(codes.len(), 6);
    let code = &codes[0];

    let client = app(&emulator, MemoryStore::new());
    refused_sign_in(&users, &client).await;
    let account = Account::new(&client);
    let session = pass(&account, Factor::RecoveryCode, code).await.unwrap();
    assert!(
        session.has_factor(Factor::RecoveryCode),
        "{:?}",
        session.factors
    );
    assert_fully_signed_in(&client);
    account.get().await.unwrap();
    let left = users.get_mfa_recovery_codes(USER).await.unwrap();
    assert_eq!(left.recovery_codes.len(), 5);

    // The same code again, on a new sign-in: refused; the session stays one-factor.
    let client = app(&emulator, MemoryStore::new());
    refused_sign_in(&users, &client).await;
    let account = Account::new(&client);
    let error = pass(&account, Factor::RecoveryCode, code)
        .await
        .unwrap_err();
    assert_refused_code(&error, &client);
    assert!(account.get().await.unwrap_err().is_more_factors_required());
}

#[tokio::test]
async fn wrong_and_expired_codes_leave_the_session_one_factor() {
    let emulator = emulator().await;
    let users = server(&emulator);
    let (secret, _) = enrolled_user(&emulator, &users).await;
    let store = MemoryStore::new();
    let client = app(&emulator, store.clone());
    refused_sign_in(&users, &client).await;
    let account = Account::new(&client);

    // A wrong TOTP code: the right one with its last digit changed.
    start_of_totp_period(&emulator);
    let right = totp(&emulator, &secret);
    let last = right.as_bytes()[5] - b'0';
    let wrong = format!("{}{}", &right[..5], (last + 1) % 10);
    let error = pass(&account, Factor::Totp, &wrong).await.unwrap_err();
    assert_refused_code(&error, &client);
    assert!(!error.to_string().contains(&wrong));

    // An email code whose challenge has expired (TOKEN_EXPIRATION_CONFIRM: 1 hour).
    let challenge = account.create_mfa_challenge(Factor::Email).await.unwrap();
    let code = outbox_code(&emulator, challenge.id.as_str());
    emulator.advance_time(Duration::from_secs(3601));
    let error = account
        .update_mfa_challenge(challenge.id, code)
        .await
        .unwrap_err();
    assert_refused_code(&error, &client);

    // Still one factor, still kept, still refused.
    let key = client.profile_key().clone();
    let saved = store.load(&key).unwrap().unwrap();
    assert_eq!(saved.factors, ["token"]);
    assert!(saved.second_factor_required);
    assert!(account.get().await.unwrap_err().is_more_factors_required());
    let current = account.get_session("current").await.unwrap_err();
    assert!(current.is_more_factors_required());
}

#[tokio::test]
async fn blocking_twins_pass_a_challenge() {
    let emulator = emulator().await;
    let users = server(&emulator);
    let (secret, _) = enrolled_user(&emulator, &users).await;
    let token = users.create_token(USER).await.unwrap();
    let endpoint = emulator.endpoint().to_owned();
    start_of_totp_period(&emulator);
    let code = totp(&emulator, &secret);
    let handle = std::thread::spawn(move || {
        let client = appwrite_client::Client::builder()
            .endpoint(endpoint)
            .project(PROJECT)
            .build_blocking()
            .unwrap();
        let account = appwrite_client::blocking::Account::new(&client);
        account
            .create_session(USER, token.secret.expose_secret())
            .send()
            .unwrap();
        assert!(account.get().send().unwrap_err().is_more_factors_required());
        assert!(client.needs_second_factor());
        assert!(account.list_mfa_factors().send().unwrap().totp);
        let challenge = account.create_mfa_challenge(Factor::Totp).send().unwrap();
        let session = account
            .update_mfa_challenge(challenge.id, code)
            .send()
            .unwrap();
        assert!(session.is_multi_factor());
        assert!(!client.needs_second_factor());
        account.get().send().unwrap().id
    });
    let id = tokio::task::spawn_blocking(move || handle.join().unwrap())
        .await
        .unwrap();
    assert_eq!(id, USER);
}
