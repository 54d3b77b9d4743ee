//! `User`, `UserList`, `Preferences` and `Target`.

use serde::{Deserialize, Serialize};

use crate::serde_util::{null_as_default, tolerant, yes};
use crate::{Datetime, TargetId, UserId};

/// An Appwrite user (`GET /users/{userId}`, `GET /account`, …).
///
/// The password hash fields some servers include for API-key callers are not kept.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// User id.
    #[serde(rename = "$id")]
    pub id: UserId,
    /// When the user was created.
    #[serde(
        rename = "$createdAt",
        default,
        deserialize_with = "tolerant::created_at"
    )]
    pub created_at: Datetime,
    /// When the user was last updated.
    #[serde(
        rename = "$updatedAt",
        default,
        deserialize_with = "tolerant::updated_at"
    )]
    pub updated_at: Datetime,
    /// Display name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// When the user registered.
    #[serde(default, deserialize_with = "tolerant::registration")]
    pub registration: Datetime,
    /// `false` when the user is blocked.
    #[serde(default = "yes")]
    pub status: bool,
    /// Labels, used in permissions as `label:<name>`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: Vec<String>,
    /// When the password was last changed; unset when the user has none.
    #[serde(default, deserialize_with = "tolerant::password_update")]
    pub password_update: Datetime,
    /// Email address, `""` when none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: String,
    /// Phone number in E.164 form, `""` when none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub phone: String,
    /// Whether the email address is verified.
    #[serde(default, deserialize_with = "null_as_default")]
    pub email_verification: bool,
    /// Whether the phone number is verified.
    #[serde(default, deserialize_with = "null_as_default")]
    pub phone_verification: bool,
    /// Whether multi-factor authentication is on.
    #[serde(default, deserialize_with = "null_as_default")]
    pub mfa: bool,
    /// The user's preferences.
    #[serde(default, deserialize_with = "null_as_default")]
    pub prefs: Preferences,
    /// Messaging targets (email, phone, push).
    #[serde(default, deserialize_with = "null_as_default")]
    pub targets: Vec<Target>,
    /// When the user last made a request (updated at most daily by Appwrite).
    #[serde(default, deserialize_with = "tolerant::accessed_at")]
    pub accessed_at: Datetime,
}

impl User {
    /// A user with this id and every other field empty (status active), to build one in a test:
    /// set the public fields you need after.
    ///
    /// ```
    /// let mut user = appwrite_models::User::new("user-42");
    /// user.email = "ada@example.com".to_owned();
    /// assert!(user.status && user.name.is_empty());
    /// ```
    pub fn new(id: impl Into<UserId>) -> Self {
        Self {
            id: id.into(),
            created_at: Datetime::default(),
            updated_at: Datetime::default(),
            name: String::new(),
            registration: Datetime::default(),
            status: true,
            labels: Vec::new(),
            password_update: Datetime::default(),
            email: String::new(),
            phone: String::new(),
            email_verification: false,
            phone_verification: false,
            mfa: false,
            prefs: Preferences::default(),
            targets: Vec::new(),
            accessed_at: Datetime::default(),
        }
    }
}

/// A page of users (`GET /users`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserList {
    /// How many users match in all (0 when the request asked for `total=false`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: u64,
    /// The users on this page.
    pub users: Vec<User>,
}

impl UserList {
    /// A page holding `users`, `total` being their count.
    pub fn new(users: Vec<User>) -> Self {
        Self {
            total: users.len() as u64,
            users,
        }
    }
}

/// A user's preferences: a free-form JSON object (`{}` when empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Preferences(pub serde_json::Map<String, serde_json::Value>);

impl From<serde_json::Map<String, serde_json::Value>> for Preferences {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        Self(map)
    }
}

impl Preferences {
    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.0.get(key)
    }

    /// Whether no preference is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A messaging target of a user.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Target {
    /// Target id.
    #[serde(rename = "$id")]
    pub id: TargetId,
    /// When the target was created.
    #[serde(
        rename = "$createdAt",
        default,
        deserialize_with = "tolerant::created_at"
    )]
    pub created_at: Datetime,
    /// When the target was last updated.
    #[serde(
        rename = "$updatedAt",
        default,
        deserialize_with = "tolerant::updated_at"
    )]
    pub updated_at: Datetime,
    /// Target name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The user the target belongs to.
    pub user_id: UserId,
    /// Messaging provider id, if any.
    #[serde(default, deserialize_with = "null_as_default")]
    pub provider_id: Option<String>,
    /// `email`, `sms` or `push`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub provider_type: String,
    /// The address: an email, a phone number or a push token.
    #[serde(default, deserialize_with = "null_as_default")]
    pub identifier: String,
    /// Whether the target is known to be unreachable.
    #[serde(default, deserialize_with = "null_as_default")]
    pub expired: bool,
}
