//! An argument Appwrite's rules refuse (`appwrite_models::protocol::rules`) fails before sending.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_client::{Account, MemoryStore};
use common::{client_with, json, mount};
use wiremock::MockServer;

#[tokio::test]
async fn a_phone_appwrite_refuses_fails_before_sending() {
    let server = MockServer::start().await;
    let token = r#"{"$id":"t1","$createdAt":"2026-12-07T13:24:33.788+00:00","userId":"u1","secret":"","expire":"2026-12-07T13:39:33.788+00:00","phrase":""}"#;
    mount(
        &server,
        "POST",
        "/v1/account/tokens/phone",
        json(201, token.to_owned()),
    )
    .await;
    let client = client_with(&server, MemoryStore::new());
    let account = Account::new(&client);
    for bad in ["4155552671", "+0155552671", "+123456", "+1 415 555 2671"] {
        let err = account.create_phone_token("u1", bad).await.unwrap_err();
        assert!(err.is_invalid_input(), "{bad}: {err}");
        assert!(
            !err.to_string().contains(bad),
            "the number is not echoed: {err}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
    account
        .create_phone_token("u1", "+14155552671")
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
