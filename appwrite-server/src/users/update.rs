//! Updating a user: name, email, phone, password, preferences, labels, verification flags,
//! block and unblock.

use appwrite_models::protocol::routes::{self, Route};
use appwrite_models::{Preferences, User, UserId};
use appwrite_transport::{InvalidInput, Request};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use super::Users;
use crate::error::Error;
use crate::future::ResponseFuture;

/// Appwrite's `APP_LIMIT_ARRAY_LABELS_SIZE`: at most this many labels per user.
const MAX_LABELS: usize = 1000;
/// Each label is up to this many characters.
const MAX_LABEL_LENGTH: usize = 36;
/// A name is up to this many characters.
const MAX_NAME_LENGTH: usize = 128;

impl Users {
    /// Changes a user's display name (up to 128 characters; empty clears it):
    /// `PATCH /users/{userId}/name`, scope `users.write`.
    pub fn update_name(
        &self,
        user_id: impl Into<UserId>,
        name: impl Into<String>,
    ) -> ResponseFuture<User> {
        let name = name.into();
        if name.chars().count() > MAX_NAME_LENGTH {
            return ResponseFuture::ready(Err(InvalidInput::new(format!(
                "name must be at most {MAX_NAME_LENGTH} characters"
            ))
            .into()));
        }
        self.patch_user(
            routes::users::UPDATE_NAME,
            &user_id.into(),
            &NameBody { name },
        )
    }

    /// Changes a user's email address (stored lower-cased; empty removes it) and marks it
    /// unverified: `PATCH /users/{userId}/email`, scope `users.write`. An address another user
    /// has gives an error that [`is_conflict()`](crate::Error::is_conflict).
    pub fn update_email(
        &self,
        user_id: impl Into<UserId>,
        email: impl Into<String>,
    ) -> ResponseFuture<User> {
        let body = EmailBody {
            email: email.into(),
        };
        self.patch_user(routes::users::UPDATE_EMAIL, &user_id.into(), &body)
    }

    /// Changes a user's phone number (E.164, `+` and up to 15 digits; empty removes it) and
    /// marks it unverified: `PATCH /users/{userId}/phone`, scope `users.write`. A number another
    /// user has gives an error that [`is_conflict()`](crate::Error::is_conflict).
    pub fn update_phone(
        &self,
        user_id: impl Into<UserId>,
        number: impl Into<String>,
    ) -> ResponseFuture<User> {
        let body = PhoneBody {
            number: number.into(),
        };
        self.patch_user(routes::users::UPDATE_PHONE, &user_id.into(), &body)
    }

    /// Sets a user's password (at least 8 characters, subject to the project's password
    /// policy; empty removes it): `PATCH /users/{userId}/password`, scope `users.write`. The
    /// password is never printed, and is cleared from any error message.
    pub fn update_password(
        &self,
        user_id: impl Into<UserId>,
        password: impl Into<String>,
    ) -> ResponseFuture<User> {
        let password = SecretString::from(password.into());
        let body = PasswordBody {
            password: password.expose_secret(),
        };
        let sent = self.patch_user(routes::users::UPDATE_PASSWORD, &user_id.into(), &body);
        ResponseFuture::new(async move {
            sent.await.map_err(|error| match error {
                Error::Api(mut api) => {
                    api.redact(password.expose_secret());
                    Error::Api(api)
                }
                other => other,
            })
        })
    }

    /// Replaces a user's preferences with `prefs` (a JSON object, up to 64 kB in Appwrite):
    /// `PATCH /users/{userId}/prefs`, scope `users.write`. Resolves to the stored preferences.
    pub fn update_prefs(
        &self,
        user_id: impl Into<UserId>,
        prefs: impl Into<Preferences>,
    ) -> ResponseFuture<Preferences> {
        let user_id = user_id.into();
        self.client.json(
            Request::to(routes::users::UPDATE_PREFS, [user_id.as_str()]).json(&PrefsBody {
                prefs: prefs.into(),
            }),
        )
    }

    /// Returns a user's preferences: `GET /users/{userId}/prefs`, scope `users.read`.
    pub fn get_prefs(&self, user_id: impl Into<UserId>) -> ResponseFuture<Preferences> {
        let user_id = user_id.into();
        self.client
            .json(Request::to(routes::users::GET_PREFS, [user_id.as_str()]))
    }

    /// Replaces a user's labels (up to 1000, each 1 to 36 characters of `a-z`, `A-Z`, `0-9`;
    /// duplicates are dropped): `PUT /users/{userId}/labels`, scope `users.write`. Labels grant
    /// the `label:<name>` role in permissions. A label Appwrite would refuse fails before anything
    /// is sent.
    pub fn update_labels<L: Into<String>>(
        &self,
        user_id: impl Into<UserId>,
        labels: impl IntoIterator<Item = L>,
    ) -> ResponseFuture<User> {
        let labels: Vec<String> = labels.into_iter().map(Into::into).collect();
        if let Err(invalid) = check_labels(&labels) {
            return ResponseFuture::ready(Err(invalid.into()));
        }
        let user_id = user_id.into();
        self.client.json(
            Request::to(routes::users::UPDATE_LABELS, [user_id.as_str()])
                .json(&LabelsBody { labels }),
        )
    }

    /// Marks a user's email address verified or not: `PATCH /users/{userId}/verification`,
    /// scope `users.write`.
    pub fn update_email_verification(
        &self,
        user_id: impl Into<UserId>,
        verified: bool,
    ) -> ResponseFuture<User> {
        let body = EmailVerificationBody {
            email_verification: verified,
        };
        self.patch_user(
            routes::users::UPDATE_EMAIL_VERIFICATION,
            &user_id.into(),
            &body,
        )
    }

    /// Marks a user's phone number verified or not: `PATCH /users/{userId}/verification/phone`,
    /// scope `users.write`.
    pub fn update_phone_verification(
        &self,
        user_id: impl Into<UserId>,
        verified: bool,
    ) -> ResponseFuture<User> {
        let body = PhoneVerificationBody {
            phone_verification: verified,
        };
        self.patch_user(
            routes::users::UPDATE_PHONE_VERIFICATION,
            &user_id.into(),
            &body,
        )
    }

    /// Blocks a user: [`update_status`](Self::update_status) with `false`. Its sessions and JWTs
    /// are refused with 403 `user_blocked` from then on (they are not deleted).
    ///
    /// Appwrite still lets a blocked user redeem a login token (the session it gets is then
    /// refused), so check [`User::status`] before you mint one.
    pub fn block(&self, user_id: impl Into<UserId>) -> ResponseFuture<User> {
        self.update_status(user_id, false)
    }

    /// Unblocks a user: [`update_status`](Self::update_status) with `true`.
    pub fn unblock(&self, user_id: impl Into<UserId>) -> ResponseFuture<User> {
        self.update_status(user_id, true)
    }

    /// `route` for `user_id` with a JSON `body`, answered with the user.
    fn patch_user(
        &self,
        route: Route,
        user_id: &UserId,
        body: &impl Serialize,
    ) -> ResponseFuture<User> {
        self.client
            .json(Request::to(route, [user_id.as_str()]).json(body))
    }
}

#[derive(Serialize)]
struct NameBody {
    name: String,
}

#[derive(Serialize)]
struct EmailBody {
    email: String,
}

#[derive(Serialize)]
struct PhoneBody {
    number: String,
}

#[derive(Serialize)]
struct PasswordBody<'a> {
    password: &'a str,
}

#[derive(Serialize)]
struct PrefsBody {
    prefs: Preferences,
}

#[derive(Serialize)]
struct LabelsBody {
    labels: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EmailVerificationBody {
    email_verification: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhoneVerificationBody {
    phone_verification: bool,
}

/// Appwrite's rule for labels: up to [`MAX_LABELS`], each 1 to [`MAX_LABEL_LENGTH`] ASCII
/// letters and digits.
fn check_labels(labels: &[String]) -> Result<(), InvalidInput> {
    if labels.len() > MAX_LABELS {
        return Err(InvalidInput::new(format!(
            "at most {MAX_LABELS} labels are allowed, got {}",
            labels.len()
        )));
    }
    let valid = |label: &String| {
        !label.is_empty()
            && label.len() <= MAX_LABEL_LENGTH
            && label.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    if labels.iter().all(valid) {
        Ok(())
    } else {
        Err(InvalidInput::new(format!(
            "each label must be 1 to {MAX_LABEL_LENGTH} characters of a-z, A-Z and 0-9"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_appwrite_rules() {
        let labels =
            |l: &[&str]| check_labels(&l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert!(labels(&["admin", "Beta2"]).is_ok());
        assert!(labels(&[]).is_ok());
        assert!(labels(&[""]).is_err());
        assert!(labels(&["with-dash"]).is_err());
        assert!(labels(&[&"a".repeat(37)]).is_err());
        assert!(labels(&[&"a".repeat(36)]).is_ok());
        let many: Vec<String> = (0..=MAX_LABELS).map(|i| format!("l{i}")).collect();
        assert!(check_labels(&many).is_err());
    }
}
