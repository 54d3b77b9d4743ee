//! Every multi-word field is read from its camelCase wire name (`rename_all`), and the test
//! constructors build what an app's own tests need.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use appwrite_models::{Datetime, Session, Token, User, UserId};

const WHEN: &str = "2025-10-17T09:12:03.221+00:00";

#[test]
fn session_fields_come_from_their_camel_case_names() {
    let body = serde_json::json!({
        "$id": "s1", "$createdAt": WHEN, "$updatedAt": WHEN, "userId": "u1", "expire": WHEN,
        "provider": "token", "providerUid": "uid", "providerAccessToken": "pat",
        "providerAccessTokenExpiry": WHEN, "providerRefreshToken": "prt", "ip": "127.0.0.1",
        "osCode": "LIN", "osName": "Linux", "osVersion": "6", "clientType": "library",
        "clientCode": "rs", "clientName": "appwrite-rust", "clientVersion": "0.1",
        "clientEngine": "reqwest", "clientEngineVersion": "0.13", "deviceName": "desktop",
        "deviceBrand": "brand", "deviceModel": "model", "countryCode": "de",
        "countryName": "Germany", "current": true, "factors": ["token"], "secret": "cred",
        "mfaUpdatedAt": WHEN
    });
    let s: Session = serde_json::from_value(body).unwrap();
    assert_eq!(s.user_id, "u1");
    assert!(!s.created_at.is_unset() && !s.updated_at.is_unset());
    assert!(!s.provider_access_token_expiry.is_unset() && !s.mfa_updated_at.is_unset());
    assert_eq!(s.provider_uid, "uid");
    assert_eq!(s.provider_access_token.expose_secret(), "pat");
    assert_eq!(s.provider_refresh_token.expose_secret(), "prt");
    let strings = [
        (&s.os_code, "LIN"),
        (&s.os_name, "Linux"),
        (&s.os_version, "6"),
        (&s.client_type, "library"),
        (&s.client_code, "rs"),
        (&s.client_name, "appwrite-rust"),
        (&s.client_version, "0.1"),
        (&s.client_engine, "reqwest"),
        (&s.client_engine_version, "0.13"),
        (&s.device_name, "desktop"),
        (&s.device_brand, "brand"),
        (&s.device_model, "model"),
        (&s.country_code, "de"),
        (&s.country_name, "Germany"),
    ];
    for (field, wire) in strings {
        assert_eq!(field, wire);
    }
}

#[test]
fn user_and_target_fields_come_from_their_camel_case_names() {
    let body = serde_json::json!({
        "$id": "u1", "passwordUpdate": WHEN, "emailVerification": true,
        "phoneVerification": true, "accessedAt": WHEN,
        "targets": [{"$id": "t1", "userId": "u1", "providerId": "p1", "providerType": "email",
                     "identifier": "ada@example.com"}]
    });
    let u: User = serde_json::from_value(body).unwrap();
    assert!(u.email_verification && u.phone_verification);
    assert!(!u.password_update.is_unset() && !u.accessed_at.is_unset());
    let target = &u.targets[0];
    assert_eq!(target.user_id, UserId::new("u1"));
    assert_eq!(target.provider_id.as_deref(), Some("p1"));
    assert_eq!(target.provider_type, "email");
}

#[test]
fn a_target_without_its_user_is_not_a_target() {
    let body = serde_json::json!({"$id": "u1", "targets": [{"$id": "t1"}]});
    assert!(serde_json::from_value::<User>(body).is_err());
}

#[test]
fn constructors_build_models_for_an_apps_tests() {
    let mut user = User::new("u1");
    user.name = "Ada".to_owned();
    assert_eq!(user.id, "u1");
    assert!(user.status, "a new user is active, as Appwrite's default");

    let expire = Datetime::parse(WHEN).unwrap();
    let session = Session::new("s1", "u1", expire);
    assert_eq!(
        (session.id.as_str(), session.user_id.as_str()),
        ("s1", "u1")
    );
    assert_eq!(session.expire, expire);
    assert!(session.secret.is_empty() && !session.current);

    let token = Token::new("t1", "u1", "a1b2c3", expire);
    assert_eq!(token.secret.expose_secret(), "a1b2c3");
    assert!(!format!("{token:?}").contains("a1b2c3"));
}
