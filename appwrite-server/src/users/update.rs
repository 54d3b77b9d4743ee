//! Updating a user: name, email, phone, password, preferences, labels, verification flags,
//! block and unblock.

use appwrite_models::protocol::routes::{self, Route};
use appwrite_models::protocol::rules;
use appwrite_models::{Preferences, User, UserId};
use appwrite_transport::{InvalidInput, Request};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use super::Users;
use crate::error::Error;
use crate::future::ResponseFuture;

impl Users {
    /// Changes a user's display name (up to 128 characters; empty clears it):
    /// `PATCH /users/{userId}/name`, scope `users.write`.
    pub fn update_name(
        &self,
        user_id: impl Into<UserId>,
        name: impl Into<String>,
    ) -> ResponseFuture<User> {
        let name = name.into();
        if let Err(broken) = rules::check_name(&name) {
            return refused(broken);
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

    /// Changes a user's phone number (E.164, `+` and 7 to 15 digits; empty removes it) and
    /// marks it unverified: `PATCH /users/{userId}/phone`, scope `users.write`. A number another
    /// user has gives an error that [`is_conflict()`](crate::Error::is_conflict).
    pub fn update_phone(
        &self,
        user_id: impl Into<UserId>,
        number: impl Into<String>,
    ) -> ResponseFuture<User> {
        let number = number.into();
        // `Phone(allowEmpty: true)` (`users.php`, updatePhone).
        if let (false, Err(broken)) = (number.is_empty(), rules::check_phone(&number)) {
            return refused(broken);
        }
        let body = PhoneBody { number };
        self.patch_user(routes::users::UPDATE_PHONE, &user_id.into(), &body)
    }

    /// Sets a user's password (8 to 256 bytes, subject to the project's password policy; empty
    /// removes it): `PATCH /users/{userId}/password`, scope `users.write`. The
    /// password is never printed, and is cleared from any error message.
    pub fn update_password(
        &self,
        user_id: impl Into<UserId>,
        password: impl Into<String>,
    ) -> ResponseFuture<User> {
        let password = SecretString::from(password.into());
        // `PasswordStrength(allowEmpty: true)`, a `Password` (`users.php`, updatePassword).
        let given = password.expose_secret();
        if let (false, Err(broken)) = (given.is_empty(), rules::check_password(given)) {
            return refused(broken);
        }
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
        let body = PrefsBody {
            prefs: prefs.into(),
        };
        let json_len = serde_json::to_vec(&body.prefs).map_or(0, |json| json.len());
        if let Err(broken) = rules::check_prefs_json(json_len) {
            return refused(broken);
        }
        self.client
            .json(Request::to(routes::users::UPDATE_PREFS, [user_id.as_str()]).json(&body))
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
        if let Err(broken) = rules::check_labels(&labels) {
            return refused(broken);
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

/// A request refused before sending: Appwrite would refuse it too.
fn refused<T: Send + 'static>(broken: rules::Broken) -> ResponseFuture<T> {
    ResponseFuture::ready(Err(InvalidInput::from(broken).into()))
}
