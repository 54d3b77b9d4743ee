//! Multi-factor authentication of a user, with the API key: `/users/{userId}/mfa…`
//! (Appwrite 1.9.6, `app/controllers/api/users.php`).

use appwrite_models::protocol::routes;
use appwrite_models::{AuthenticatorType, MfaFactors, MfaRecoveryCodes, User, UserId};
use appwrite_transport::Request;
use serde::Serialize;

use super::Users;
use crate::future::ResponseFuture;

impl Users {
    /// Turns multi-factor authentication on or off for a user: `PATCH /users/{userId}/mfa`,
    /// scope `users.write`. While on, a new session of a user with a verified email, phone or
    /// authenticator is refused (`user_more_factors_required`) until the app passes a challenge.
    pub fn update_mfa(&self, user_id: impl Into<UserId>, mfa: bool) -> ResponseFuture<User> {
        #[derive(Serialize)]
        struct Body {
            mfa: bool,
        }
        let user_id = user_id.into();
        self.client
            .json(Request::to(routes::users::UPDATE_MFA, [user_id.as_str()]).json(&Body { mfa }))
    }

    /// The second factors a user can use: `GET /users/{userId}/mfa/factors`, scope `users.read`.
    pub fn list_mfa_factors(&self, user_id: impl Into<UserId>) -> ResponseFuture<MfaFactors> {
        let user_id = user_id.into();
        self.client.json(Request::to(
            routes::users::LIST_MFA_FACTORS,
            [user_id.as_str()],
        ))
    }

    /// Removes a user's authenticator (a lost phone, say):
    /// `DELETE /users/{userId}/mfa/authenticators/{type}`, scope `users.write`. A user without
    /// one gives 404 `user_authenticator_not_found`.
    pub fn delete_mfa_authenticator(
        &self,
        user_id: impl Into<UserId>,
        kind: AuthenticatorType,
    ) -> ResponseFuture<()> {
        let user_id = user_id.into();
        self.client.empty(Request::to(
            routes::users::DELETE_MFA_AUTHENTICATOR,
            [user_id.as_str(), kind.as_str()],
        ))
    }

    /// Makes a user's recovery codes: `PATCH /users/{userId}/mfa/recovery-codes`, scope
    /// `users.write` (Appwrite's users routes create with `PATCH` and regenerate with `PUT`).
    /// 409 `user_recovery_codes_already_exists` when the user has some. Never sent twice.
    pub fn create_mfa_recovery_codes(
        &self,
        user_id: impl Into<UserId>,
    ) -> ResponseFuture<MfaRecoveryCodes> {
        let user_id = user_id.into();
        self.client.json(
            Request::to(routes::users::CREATE_MFA_RECOVERY_CODES, [user_id.as_str()])
                .idempotent(false),
        )
    }

    /// A user's unused recovery codes: `GET /users/{userId}/mfa/recovery-codes`, scope
    /// `users.read`; 404 `user_recovery_codes_not_found` when there are none.
    pub fn get_mfa_recovery_codes(
        &self,
        user_id: impl Into<UserId>,
    ) -> ResponseFuture<MfaRecoveryCodes> {
        let user_id = user_id.into();
        self.client.json(Request::to(
            routes::users::GET_MFA_RECOVERY_CODES,
            [user_id.as_str()],
        ))
    }

    /// Replaces a user's recovery codes with new ones: `PUT /users/{userId}/mfa/recovery-codes`,
    /// scope `users.write`; 404 `user_recovery_codes_not_found` when there are none yet. Never
    /// sent twice (each call makes new codes).
    pub fn update_mfa_recovery_codes(
        &self,
        user_id: impl Into<UserId>,
    ) -> ResponseFuture<MfaRecoveryCodes> {
        let user_id = user_id.into();
        self.client.json(
            Request::to(routes::users::UPDATE_MFA_RECOVERY_CODES, [user_id.as_str()])
                .idempotent(false),
        )
    }
}
