//! Answers as Appwrite 1.9.6 really sends them: some datetimes are in Utopia's database format
//! `Y-m-d H:i:s.v` (set in memory after the database write), and an informational datetime the SDK
//! cannot read never fails the answer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use appwrite_models::{Datetime, Session, User};
use serde_json::json;

const ISO: &str = "2026-12-07T13:24:33.788+00:00";
const DATABASE: &str = "2026-12-07 13:24:33.788";

/// `GET /v1/account` on the user's first authenticated request of the day: `accessedAt` is
/// `DateTime::now()` set in memory (`app/controllers/shared/api.php`, "accessedAt"), the other
/// datetimes come from the database.
fn account_with_fresh_access(accessed_at: &serde_json::Value) -> serde_json::Value {
    json!({
        "$id": "ada", "$createdAt": ISO, "$updatedAt": ISO, "name": "Ada",
        "registration": ISO, "status": true, "labels": [], "passwordUpdate": "",
        "email": "", "phone": "", "emailVerification": false, "phoneVerification": false,
        "mfa": false, "prefs": {}, "targets": [], "accessedAt": accessed_at
    })
}

/// `PATCH /v1/account/sessions/{id}`: `expire` is `DateTime::addSeconds(...)` set in memory and
/// `$updatedAt` the old one (`app/controllers/api/account.php`, updateSession).
fn extended_session(expire: &str) -> serde_json::Value {
    json!({
        "$id": "s1", "$createdAt": ISO, "$updatedAt": ISO, "userId": "ada", "expire": expire,
        "provider": "token", "providerUid": "ada", "providerAccessToken": "",
        "providerAccessTokenExpiry": "", "providerRefreshToken": "", "ip": "127.0.0.1",
        "current": false, "countryName": "", "factors": ["token"], "secret": "",
        "mfaUpdatedAt": ""
    })
}

#[test]
fn the_account_of_a_first_request_of_the_day_decodes() {
    let user: User = serde_json::from_value(account_with_fresh_access(&json!(DATABASE))).unwrap();
    assert_eq!(user.accessed_at, Datetime::parse(ISO).unwrap());
    assert_eq!(user.accessed_at.to_string(), ISO);
}

#[test]
fn an_extended_session_decodes_with_its_new_expiry() {
    let session: Session =
        serde_json::from_value(extended_session("2027-12-07 13:24:33.788")).unwrap();
    assert_eq!(session.expire.to_string(), "2027-12-07T13:24:33.788+00:00");
    assert_eq!(session.updated_at.to_string(), ISO);
}

/// `PUT /v1/account/mfa/challenges` answers the session with `mfaUpdatedAt` set in memory
/// (`Modules/Account/Http/Account/MFA/Challenges/Update.php`).
#[test]
fn a_session_after_a_second_factor_decodes() {
    let mut body = extended_session(ISO);
    body["mfaUpdatedAt"] = json!(DATABASE);
    body["factors"] = json!(["token", "totp"]);
    let session: Session = serde_json::from_value(body).unwrap();
    assert_eq!(session.mfa_updated_at.to_string(), ISO);
}

/// A `tracing` writer that keeps what was logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged_while<T>(f: impl FnOnce() -> T) -> (T, String) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    (out, text)
}

#[test]
fn an_unreadable_informational_datetime_reads_as_unset_with_a_warning() {
    for odd in [
        json!("last tuesday"),
        json!(1_765_113_873),
        json!({"date": DATABASE}),
    ] {
        let (user, log) =
            logged_while(|| serde_json::from_value::<User>(account_with_fresh_access(&odd)));
        let user = user.unwrap_or_else(|e| panic!("{odd}: {e}"));
        assert!(user.accessed_at.is_unset(), "{odd}");
        assert!(log.contains("WARN"), "{log}");
        assert!(log.contains("field=\"accessedAt\""), "{log}");
        assert!(
            !log.contains("last tuesday"),
            "the server's text is not logged: {log}"
        );
    }
    let mut body = account_with_fresh_access(&json!(DATABASE));
    body["registration"] = json!("soon");
    body["passwordUpdate"] = json!(false);
    body["targets"] =
        json!([{ "$id": "t1", "$createdAt": "?", "$updatedAt": "?", "userId": "ada" }]);
    let (user, log) = logged_while(|| serde_json::from_value::<User>(body));
    let user = user.unwrap();
    assert!(user.registration.is_unset() && user.password_update.is_unset());
    assert!(user.targets[0].created_at.is_unset() && user.targets[0].updated_at.is_unset());
    for field in ["registration", "passwordUpdate", "$createdAt", "$updatedAt"] {
        assert!(
            log.contains(&format!("field=\"{field}\"")),
            "{field}: {log}"
        );
    }
}

#[test]
fn an_unreadable_expiry_still_fails_the_answer() {
    let (session, log) =
        logged_while(|| serde_json::from_value::<Session>(extended_session("next year")));
    let error = session.unwrap_err().to_string();
    assert!(error.contains("invalid datetime"), "{error}");
    assert!(
        log.is_empty(),
        "a strict field fails instead of warning: {log}"
    );
}
