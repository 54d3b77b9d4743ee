//! MFA over HTTP, as Appwrite 1.9.6 serves it: the factor gate (app/controllers/shared/api.php),
//! the account MFA routes (src/Appwrite/Platform/Modules/Account/Http/Account/MFA/) and the users
//! MFA routes (app/controllers/api/users.php).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, UNIX_EPOCH};

use appwrite_emulator::{Emulator, OutboxKind};
use common::{Env, KEY, PROJECT, expect_error, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Creates user `id` with an email address, verified or not, and MFA on or off (server routes).
async fn user_with_email(env: &Env, id: &str, verified: bool, mfa: bool) -> String {
    let email = format!("{id}@example.com");
    let (status, _, body) = send(
        env.admin(Method::POST, "/users")
            .json(&json!({"userId": id, "email": email})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    if verified {
        let (status, _, body) = send(
            env.admin(Method::PATCH, &format!("/users/{id}/verification"))
                .json(&json!({"emailVerification": true})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _, body) = send(
        env.admin(Method::PATCH, &format!("/users/{id}/mfa"))
            .json(&json!({"mfa": mfa})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mfa"], mfa, "{body}");
    email
}

async fn account(env: &Env, credential: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(env.session(Method::GET, "/account", credential)).await;
    (status, body)
}

async fn current_session(env: &Env, credential: &str) -> Value {
    let (status, _, body) =
        send(env.session(Method::GET, "/account/sessions/current", credential)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// `POST /v1/account/mfa/challenges`; returns the challenge id.
async fn challenge(env: &Env, credential: &str, factor: &str) -> String {
    let (status, _, body) = send(
        env.session(Method::POST, "/account/mfa/challenges", credential)
            .json(&json!({ "factor": factor })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["$id"].as_str().unwrap().to_owned()
}

async fn answer(env: &Env, credential: &str, id: &str, otp: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(
        env.session(Method::PUT, "/account/mfa/challenges", credential)
            .json(&json!({"challengeId": id, "otp": otp})),
    )
    .await;
    (status, body)
}

/// The last MFA code the outbox holds for challenge `id`.
fn outbox_code(emu: &Emulator, id: &str) -> (OutboxKind, String, String) {
    let message = emu
        .outbox()
        .into_iter()
        .rev()
        .find(|m| m.token_id == id)
        .expect("the challenge's message is in the outbox");
    (message.kind, message.to, message.secret)
}

fn unix_s(emu: &Emulator) -> u64 {
    emu.now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Moves the emulator clock to half a second into a fresh 30-second TOTP period, so that a code
/// computed now stays current for the next requests.
fn start_of_totp_period(emu: &Emulator) {
    let ms = emu.now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    let into = u64::try_from(ms % 30_000).unwrap();
    emu.advance_time(Duration::from_millis(30_000 - into + 500));
}

/// The code an authenticator app shows at `unix_s` for `secret` (SHA-1, 6 digits, 30 s).
fn totp(secret: &str, unix_s: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 0, 30, bytes).generate(unix_s)
}

/// Enrols and verifies a TOTP authenticator with `credential`'s session; returns the secret.
async fn enrol_totp(env: &Env, credential: &str) -> String {
    let (status, _, body) =
        send(env.session(Method::POST, "/account/mfa/authenticators/totp", credential)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    start_of_totp_period(&env.emu);
    let (status, _, body) = send(
        env.session(Method::PUT, "/account/mfa/authenticators/totp", credential)
            .json(&json!({"otp": totp(&secret, unix_s(&env.emu))})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    secret
}

#[tokio::test]
async fn a_one_factor_session_is_refused_until_an_email_challenge_passes() {
    let env = Env::start().await;
    let email = user_with_email(&env, "alice", true, true).await;
    let (login, credential) = env.login("alice").await;
    assert_eq!(login.body["factors"], json!(["token"]));

    // Every route outside the `mfa` group refuses the session.
    expect_error(
        env.session(Method::GET, "/account", &credential),
        401,
        "user_more_factors_required",
    )
    .await;
    expect_error(
        env.session(Method::POST, "/account/jwts", &credential),
        401,
        "user_more_factors_required",
    )
    .await;
    expect_error(
        env.session(Method::GET, "/account/sessions", &credential),
        401,
        "user_more_factors_required",
    )
    .await;
    // The `mfa` group stays open.
    let (status, _, factors) =
        send(env.session(Method::GET, "/account/mfa/factors", &credential)).await;
    assert_eq!(status, StatusCode::OK, "{factors}");
    assert_eq!(
        factors,
        json!({"totp": false, "phone": false, "email": true, "recoveryCode": false})
    );

    let response = env
        .session(Method::POST, "/account/mfa/challenges", &credential)
        .json(&json!({"factor": "email"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let text = response.text().await.unwrap();
    // The `MFAChallenge` model's keys, in its order.
    let at: Vec<usize> = ["\"$id\"", "\"$createdAt\"", "\"userId\"", "\"expire\""]
        .iter()
        .map(|k| {
            text.find(k)
                .unwrap_or_else(|| panic!("{k} missing in {text}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    let created: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(created["userId"], "alice");
    let id = created["$id"].as_str().unwrap();
    let (kind, to, code) = outbox_code(&env.emu, id);
    assert_eq!((kind, to.as_str()), (OutboxKind::MfaEmail, email.as_str()));
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));

    // A wrong code is refused and the session stays at one factor.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, body) = answer(&env, &credential, id, wrong).await;
    assert_eq!(
        (status.as_u16(), &body["type"]),
        (401, &json!("user_invalid_token"))
    );
    assert_eq!(account(&env, &credential).await.0, StatusCode::UNAUTHORIZED);

    // The right code, through the `/challenge` alias.
    let (status, _, session) = send(
        env.session(Method::PUT, "/account/mfa/challenge", &credential)
            .json(&json!({"challengeId": id, "otp": code})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["$id"], login.body["$id"]);
    assert_eq!(session["factors"], json!(["token", "email"]));
    // Set in memory, so in the database's format; and the stored document's defaults.
    let set = session["mfaUpdatedAt"].as_str().unwrap();
    assert!(
        set.len() == 23 && set.as_bytes()[10] == b' ' && !set.contains('+'),
        "mfaUpdatedAt {set:?} is not Y-m-d H:i:s.v"
    );
    assert_eq!(session["current"], false);
    assert_eq!(session["secret"], "");

    let (status, me) = account(&env, &credential).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["mfa"], true);
    let stored = current_session(&env, &credential).await;
    assert_eq!(stored["factors"], json!(["token", "email"]));
    assert_eq!(
        stored["mfaUpdatedAt"].as_str().unwrap(),
        format!("{}+00:00", set.replacen(' ', "T", 1))
    );
    // A used challenge is gone.
    let (status, _) = answer(&env, &credential, id, &code).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_gate_needs_mfa_on_and_a_verified_factor() {
    let env = Env::start().await;
    // MFA on but nothing verified: one factor is enough.
    user_with_email(&env, "unverified", false, true).await;
    let credential = env.login("unverified").await.1;
    assert_eq!(account(&env, &credential).await.0, StatusCode::OK);
    // A verified email but MFA off: one factor is enough.
    user_with_email(&env, "off", true, false).await;
    let credential = env.login("off").await.1;
    assert_eq!(account(&env, &credential).await.0, StatusCode::OK);
    // Turning MFA on from the server gates the same session at once.
    send(
        env.admin(Method::PATCH, "/users/off/mfa")
            .json(&json!({"mfa": true})),
    )
    .await;
    assert_eq!(account(&env, &credential).await.0, StatusCode::UNAUTHORIZED);
    // A gated session may still sign out (`DELETE /account/sessions/{id}` is in the `mfa` group).
    let (status, _, body) =
        send(env.session(Method::DELETE, "/account/sessions/current", &credential)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn a_jwt_is_not_gated_because_appwrite_resolves_no_session_for_it() {
    let env = Env::start().await;
    user_with_email(&env, "jwt", true, true).await;
    let (login, credential) = env.login("jwt").await;
    assert_eq!(account(&env, &credential).await.0, StatusCode::UNAUTHORIZED);
    // A server-made JWT for that session: request.php's `session` resource stays empty for JWT
    // requests, so api.php's `if ($session && …)` factor check never runs.
    let (status, _, body) = send(
        env.admin(Method::POST, "/users/jwt/jwts")
            .json(&json!({"sessionId": login.session_id()})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let jwt = body["jwt"].as_str().unwrap();
    let (status, _, me) = send(
        env.guest(Method::GET, "/account")
            .header("X-Appwrite-JWT", jwt),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    // Routes that inject the session fail in PHP for a JWT: a 500.
    expect_error(
        env.guest(Method::PUT, "/account/mfa/challenges")
            .header("X-Appwrite-JWT", jwt)
            .json(&json!({"challengeId": "x", "otp": "123456"})),
        500,
        "general_unknown",
    )
    .await;
}

#[tokio::test]
async fn sessions_get_the_factor_of_their_token_type() {
    let env = Env::start().await;
    let cases = [
        (
            "/account/tokens/email",
            json!({"userId": "e1", "email": "e1@example.com"}),
            "email",
        ),
        (
            "/account/tokens/phone",
            json!({"userId": "p1", "phone": "+15550001"}),
            "phone",
        ),
    ];
    for (path, body, factor) in cases {
        let (status, _, token) = send(env.admin(Method::POST, path).json(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{token}");
        let user_id = token["userId"].as_str().unwrap();
        let secret = env
            .emu
            .outbox()
            .into_iter()
            .find(|m| m.token_id == token["$id"].as_str().unwrap())
            .unwrap()
            .secret;
        let login = env.redeem(user_id, &secret).await;
        assert_eq!(login.status, StatusCode::CREATED, "{}", login.body);
        assert_eq!(login.body["factors"], json!([factor]));
    }
    env.create_user("t1").await;
    assert_eq!(env.login("t1").await.0.body["factors"], json!(["token"]));
}

#[tokio::test]
async fn totp_enrolment_then_a_totp_challenge_on_the_emulator_clock() {
    let env = Env::start().await;
    let email = user_with_email(&env, "tina", false, false).await;
    let first = env.login("tina").await.1;

    let (status, _, created) =
        send(env.session(Method::POST, "/account/mfa/authenticators/totp", &first)).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 103);
    assert_eq!(
        created["uri"],
        format!(
            "otpauth://totp/{PROJECT}%3A{}?issuer={PROJECT}&secret={secret}",
            email.replace('@', "%40")
        )
    );
    expect_error(
        env.session(Method::PUT, "/account/mfa/authenticators/TOTP", &first)
            .json(&json!({"otp": "123456"})),
        404,
        "user_authenticator_not_found",
    )
    .await;

    start_of_totp_period(&env.emu);
    let now = unix_s(&env.emu);
    // The previous period's code is not accepted (no leeway).
    expect_error(
        env.session(Method::PUT, "/account/mfa/authenticators/totp", &first)
            .json(&json!({"otp": totp(secret, now - 30)})),
        401,
        "user_invalid_token",
    )
    .await;
    let (status, _, me) = send(
        env.session(Method::PUT, "/account/mfa/authenticators/totp", &first)
            .json(&json!({"otp": totp(secret, now)})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    // Answers the account, and the verifying session now has the `totp` factor.
    assert_eq!(me["$id"], "tina");
    assert!(me.get("password").is_none(), "the Account model, not User");
    assert_eq!(
        current_session(&env, &first).await["factors"],
        json!(["token", "totp"])
    );
    expect_error(
        env.session(Method::POST, "/account/mfa/authenticators/totp", &first),
        409,
        "user_authenticator_already_verified",
    )
    .await;

    let (status, _, me) = send(
        env.session(Method::PATCH, "/account/mfa", &first)
            .json(&json!({"mfa": true})),
    )
    .await;
    assert_eq!((status, &me["mfa"]), (StatusCode::OK, &json!(true)), "{me}");

    // A new sign-in needs the TOTP code.
    let second = env.login("tina").await.1;
    assert_eq!(account(&env, &second).await.0, StatusCode::UNAUTHORIZED);
    let id = challenge(&env, &second, "totp").await;
    start_of_totp_period(&env.emu);
    let now = unix_s(&env.emu);
    let (status, _) = answer(&env, &second, &id, &totp(secret, now - 30)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an expired code passed");
    assert_eq!(account(&env, &second).await.0, StatusCode::UNAUTHORIZED);
    let (status, session) = answer(&env, &second, &id, &totp(secret, now)).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["factors"], json!(["token", "totp"]));
    assert_eq!(account(&env, &second).await.0, StatusCode::OK);

    // Deleting the authenticator needs a recent challenge: `second` has one, `first` none.
    expect_error(
        env.session(Method::DELETE, "/account/mfa/authenticators/totp", &first),
        401,
        "user_challenge_required",
    )
    .await;
    let (status, _, body) =
        send(env.session(Method::DELETE, "/account/mfa/authenticators/totp", &second)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn recovery_codes_are_six_hex_codes_each_used_once() {
    let env = Env::start().await;
    user_with_email(&env, "rita", true, false).await;
    let first = env.login("rita").await.1;
    let (status, _, body) =
        send(env.session(Method::POST, "/account/mfa/recovery-codes", &first)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let codes: Vec<String> = serde_json::from_value(body["recoveryCodes"].clone()).unwrap();
    assert_eq!(codes.len(), 6);
    assert!(codes.iter().all(|c| {
        c.len() == 10
            && c.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }));
    expect_error(
        env.session(Method::POST, "/account/mfa/recovery-codes", &first),
        409,
        "user_recovery_codes_already_exists",
    )
    .await;
    send(
        env.admin(Method::PATCH, "/users/rita/mfa")
            .json(&json!({"mfa": true})),
    )
    .await;

    let second = env.login("rita").await.1;
    let id = challenge(&env, &second, "recoveryCode").await;
    let (status, session) = answer(&env, &second, &id, &codes[0]).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["factors"], json!(["token", "recoveryCode"]));

    // The same code does not pass twice.
    let third = env.login("rita").await.1;
    let id = challenge(&env, &third, "recoveryCode").await;
    let (status, _) = answer(&env, &third, &id, &codes[0]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // `recoverycode` (the official SDKs' enum value) passes the whitelist, but no challenge of
    // that type can ever be verified in 1.9.6.
    let id = challenge(&env, &third, "recoverycode").await;
    let (status, _) = answer(&env, &third, &id, &codes[1]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Reading the codes needs a challenge within 30 minutes.
    let (status, _, body) =
        send(env.session(Method::GET, "/account/mfa/recovery-codes", &second)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["recoveryCodes"], json!(codes[1..]));
    env.emu.advance_time(Duration::from_secs(1801));
    expect_error(
        env.session(Method::GET, "/account/mfa/recovery-codes", &second),
        401,
        "user_challenge_required",
    )
    .await;
}

#[tokio::test]
async fn challenges_expire_after_an_hour_and_are_rate_limited() {
    let env = Env::start().await;
    user_with_email(&env, "ed", true, true).await;
    let credential = env.login("ed").await.1;
    let id = challenge(&env, &credential, "email").await;
    let code = outbox_code(&env.emu, &id).2;
    env.emu.advance_time(Duration::from_secs(3601));
    let (status, _) = answer(&env, &credential, &id, &code).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an expired challenge passed"
    );

    // 10 challenges per hour per user (the clock moved past the first one's window).
    for _ in 0..10 {
        challenge(&env, &credential, "email").await;
    }
    let (status, headers, body) = send(
        env.session(Method::POST, "/account/mfa/challenges", &credential)
            .json(&json!({"factor": "email"})),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(headers["x-ratelimit-limit"], "10");
    // 10 answers per hour per challenge.
    env.emu.advance_time(Duration::from_secs(3600));
    let id = challenge(&env, &credential, "email").await;
    for _ in 0..10 {
        let (status, _) = answer(&env, &credential, &id, "not-the-code").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let code = outbox_code(&env.emu, &id).2;
    let (status, _) = answer(&env, &credential, &id, &code).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn email_and_phone_challenges_need_a_verified_address() {
    let env = Env::start().await;
    user_with_email(&env, "pat", false, false).await;
    let credential = env.login("pat").await.1;
    expect_error(
        env.session(Method::POST, "/account/mfa/challenges", &credential)
            .json(&json!({"factor": "email"})),
        400,
        "user_email_not_verified",
    )
    .await;
    expect_error(
        env.session(Method::POST, "/account/mfa/challenges", &credential)
            .json(&json!({"factor": "phone"})),
        400,
        "user_phone_not_found",
    )
    .await;
    let body = expect_error(
        env.session(Method::POST, "/account/mfa/challenges", &credential)
            .json(&json!({"factor": "sms"})),
        400,
        "general_argument_invalid",
    )
    .await;
    assert_eq!(
        body["message"],
        "Invalid `factor` param: Value must be one of (email, phone, totp, recoverycode)"
    );
    send(
        env.admin(Method::PATCH, "/users/pat/phone")
            .json(&json!({"number": "+15550002"})),
    )
    .await;
    send(
        env.admin(Method::PATCH, "/users/pat/verification/phone")
            .json(&json!({"phoneVerification": true})),
    )
    .await;
    let id = challenge(&env, &credential, "phone").await;
    let (kind, to, code) = outbox_code(&env.emu, &id);
    assert_eq!((kind, to.as_str()), (OutboxKind::MfaPhone, "+15550002"));
    let (status, session) = answer(&env, &credential, &id, &code).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["factors"], json!(["token", "phone"]));
}

#[tokio::test]
async fn users_mfa_routes_with_an_api_key() {
    let env = Env::with(
        Emulator::builder()
            .project(PROJECT)
            .api_key(KEY)
            .api_key_with_scopes("reader", ["users.read"]),
    )
    .await;
    user_with_email(&env, "uma", true, true).await;
    let (status, _, factors) = send(env.admin(Method::GET, "/users/uma/mfa/factors")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        factors,
        json!({"totp": false, "phone": false, "email": true, "recoveryCode": false})
    );
    expect_error(
        env.guest(Method::PATCH, "/users/uma/mfa")
            .header("X-Appwrite-Key", "reader")
            .json(&json!({"mfa": false})),
        401,
        "general_unauthorized_scope",
    )
    .await;
    expect_error(
        env.admin(Method::GET, "/users/uma/mfa/recovery-codes"),
        404,
        "user_recovery_codes_not_found",
    )
    .await;
    // `PATCH` creates them, answering 200.
    let (status, _, created) =
        send(env.admin(Method::PATCH, "/users/uma/mfa/recovery-codes")).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["recoveryCodes"].as_array().unwrap().len(), 6);
    expect_error(
        env.admin(Method::PATCH, "/users/uma/mfa/recovery-codes"),
        409,
        "user_recovery_codes_already_exists",
    )
    .await;
    let (_, _, read) = send(
        env.guest(Method::GET, "/users/uma/mfa/recovery-codes")
            .header("X-Appwrite-Key", "reader"),
    )
    .await;
    assert_eq!(read, created);
    let (status, _, renewed) = send(env.admin(Method::PUT, "/users/uma/mfa/recovery-codes")).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(renewed["recoveryCodes"], created["recoveryCodes"]);
    // The account route reports recovery codes; the users route never does.
    assert_eq!(
        send(env.admin(Method::GET, "/users/uma/mfa/factors"))
            .await
            .2["recoveryCode"],
        false
    );

    expect_error(
        env.admin(Method::DELETE, "/users/uma/mfa/authenticators/totp"),
        404,
        "user_authenticator_not_found",
    )
    .await;
    send(
        env.admin(Method::PATCH, "/users/uma/mfa")
            .json(&json!({"mfa": false})),
    )
    .await;
    let credential = env.login("uma").await.1;
    enrol_totp(&env, &credential).await;
    assert_eq!(
        send(env.admin(Method::GET, "/users/uma/mfa/factors"))
            .await
            .2["totp"],
        true
    );
    let (status, _, body) =
        send(env.admin(Method::DELETE, "/users/uma/mfa/authenticators/totp")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, _, user) = send(
        env.admin(Method::PATCH, "/users/uma/mfa")
            .json(&json!({"mfa": true})),
    )
    .await;
    assert_eq!(user["mfa"], true);
    assert!(user.get("password").is_some(), "the User model");
}

#[tokio::test]
async fn the_state_file_keeps_mfa_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let builder = || Emulator::builder().project(PROJECT).api_key(KEY);
    let env = Env::with(builder().state_file(&path)).await;
    user_with_email(&env, "sam", false, false).await;
    let credential = env.login("sam").await.1;
    let secret = enrol_totp(&env, &credential).await;
    send(
        env.admin(Method::PATCH, "/users/sam/mfa")
            .json(&json!({"mfa": true})),
    )
    .await;
    let (_, _, codes) = send(env.admin(Method::PATCH, "/users/sam/mfa/recovery-codes")).await;
    env.emu.shutdown().await;

    let env = Env::with(builder().state_file(&path)).await;
    let (_, _, factors) = send(env.admin(Method::GET, "/users/sam/mfa/factors")).await;
    assert_eq!(factors["totp"], true, "{factors}");
    let (_, _, read) = send(env.admin(Method::GET, "/users/sam/mfa/recovery-codes")).await;
    assert_eq!(read, codes);
    // The session that verified the authenticator kept its two factors.
    assert_eq!(
        current_session(&env, &credential).await["factors"],
        json!(["token", "totp"])
    );
    // And the restored secret still passes a challenge.
    let next = env.login("sam").await.1;
    let id = challenge(&env, &next, "totp").await;
    start_of_totp_period(&env.emu);
    let (status, session) = answer(&env, &next, &id, &totp(&secret, unix_s(&env.emu))).await;
    assert_eq!(status, StatusCode::OK, "{session}");
}
