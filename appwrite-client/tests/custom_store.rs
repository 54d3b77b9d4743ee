//! A store of your own reports its failures with the same `StoreError` variants as the shipped
//! stores, naming its place with `StoreLocation::Custom`; the client passes them on as they are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use appwrite_client::{Client, ProfileKey, SessionStore, StoreError, StoreLocation, StoredSession};

/// A store whose one entry is corrupt.
#[derive(Debug)]
struct CorruptStore;

impl SessionStore for CorruptStore {
    fn load(&self, _key: &ProfileKey) -> Result<Option<StoredSession>, StoreError> {
        Err(StoreError::Corrupt {
            location: StoreLocation::Custom("sessions table, row 7".to_owned()),
            detail: "it is not valid JSON".to_owned(),
        })
    }

    fn save(&self, _key: &ProfileKey, _session: &StoredSession) -> Result<(), StoreError> {
        Ok(())
    }

    fn clear(&self, _key: &ProfileKey) -> Result<(), StoreError> {
        Ok(())
    }
}

#[test]
fn a_custom_store_reports_a_corrupt_entry_as_store_error_corrupt_with_its_location() {
    let error = Client::builder()
        .endpoint("https://appwrite.example.com/v1")
        .project("demo")
        .session_store(CorruptStore)
        .build()
        .unwrap_err();
    let appwrite_client::Error::SessionStore(store) = &error else {
        panic!("expected a session store error, got {error:?}");
    };
    assert!(
        matches!(store, StoreError::Corrupt { location: StoreLocation::Custom(place), .. } if place == "sessions table, row 7"),
        "{store:?}"
    );
    assert_eq!(
        store.location(),
        Some(&StoreLocation::Custom("sessions table, row 7".to_owned()))
    );
    assert_eq!(store.location().and_then(StoreLocation::path), None);
    assert!(
        store
            .to_string()
            .contains("\"sessions table, row 7\" is corrupt"),
        "{store}"
    );
}
