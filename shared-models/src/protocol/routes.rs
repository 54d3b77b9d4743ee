//! Every Appwrite route these SDKs call, written once: method and path template, under the
//! endpoint's `/v1`. Both SDKs build their requests from these, and the emulator's route test
//! checks each one is served.
//!
//! Placeholders are `{name}`, as Appwrite's docs and axum 0.8 write them; the SDKs fill them with
//! [`RoutePath::fill`](super::RoutePath::fill), one percent-encoded segment per id. Where a route
//! lives in Appwrite 1.9.6 is named beside it (`account.php` and `users.php` are in
//! `app/controllers/api/`).

use http::Method;

/// One route: the method and the path template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The path template under `/v1`, e.g. `/users/{userId}/tokens`.
    pub path: &'static str,
}

impl Route {
    const fn new(method: Method, path: &'static str) -> Self {
        Self { method, path }
    }
}

/// The end user's own account (`/account`, `account.php`): no API key, the session or JWT decides.
pub mod account {
    use super::{Method, Route};

    /// `GET /account`: the signed-in user.
    pub const GET: Route = Route::new(Method::GET, "/account");
    /// `GET /account/prefs`.
    pub const GET_PREFS: Route = Route::new(Method::GET, "/account/prefs");
    /// `GET /account/sessions`.
    pub const LIST_SESSIONS: Route = Route::new(Method::GET, "/account/sessions");
    /// `DELETE /account/sessions`: every session of the user.
    pub const DELETE_SESSIONS: Route = Route::new(Method::DELETE, "/account/sessions");
    /// `GET /account/sessions/{sessionId}` (`current` for the caller's own).
    pub const GET_SESSION: Route = Route::new(Method::GET, "/account/sessions/{sessionId}");
    /// `PATCH /account/sessions/{sessionId}`: extend a session.
    pub const UPDATE_SESSION: Route = Route::new(Method::PATCH, "/account/sessions/{sessionId}");
    /// `DELETE /account/sessions/{sessionId}`: log out (`current`) or end another session.
    pub const DELETE_SESSION: Route = Route::new(Method::DELETE, "/account/sessions/{sessionId}");
    /// `POST /account/sessions/token`: redeem a token secret for a session.
    pub const CREATE_SESSION: Route = Route::new(Method::POST, "/account/sessions/token");
    /// `POST /account/jwts`.
    pub const CREATE_JWT: Route = Route::new(Method::POST, "/account/jwts");
    /// `POST /account/tokens/email`: a one-time code by email.
    pub const CREATE_EMAIL_TOKEN: Route = Route::new(Method::POST, "/account/tokens/email");
    /// `POST /account/tokens/magic-url`: a sign-in link by email.
    pub const CREATE_MAGIC_URL_TOKEN: Route = Route::new(Method::POST, "/account/tokens/magic-url");
    /// `POST /account/tokens/phone`: a one-time code by SMS.
    pub const CREATE_PHONE_TOKEN: Route = Route::new(Method::POST, "/account/tokens/phone");
    /// `GET /account/tokens/oauth2/{provider}`: the browser's start of an OAuth2 token login.
    pub const CREATE_OAUTH2_TOKEN: Route =
        Route::new(Method::GET, "/account/tokens/oauth2/{provider}");
    /// `PATCH /account/mfa`: turn multi-factor authentication on or off
    /// (`Modules/Account/Http/Account/MFA/Update.php`).
    pub const UPDATE_MFA: Route = Route::new(Method::PATCH, "/account/mfa");
    /// `GET /account/mfa/factors`: which second factors the user can prove.
    pub const LIST_MFA_FACTORS: Route = Route::new(Method::GET, "/account/mfa/factors");
    /// `POST /account/mfa/challenges`: a code by email or SMS, or a TOTP or recovery-code challenge.
    pub const CREATE_MFA_CHALLENGE: Route = Route::new(Method::POST, "/account/mfa/challenges");
    /// `PUT /account/mfa/challenges`: prove the second factor with a code.
    pub const UPDATE_MFA_CHALLENGE: Route = Route::new(Method::PUT, "/account/mfa/challenges");
    /// `POST /account/mfa/authenticators/{type}`: a new TOTP secret.
    pub const CREATE_MFA_AUTHENTICATOR: Route =
        Route::new(Method::POST, "/account/mfa/authenticators/{type}");
    /// `PUT /account/mfa/authenticators/{type}`: verify the authenticator with a first code.
    pub const UPDATE_MFA_AUTHENTICATOR: Route =
        Route::new(Method::PUT, "/account/mfa/authenticators/{type}");
    /// `DELETE /account/mfa/authenticators/{type}`.
    pub const DELETE_MFA_AUTHENTICATOR: Route =
        Route::new(Method::DELETE, "/account/mfa/authenticators/{type}");
    /// `POST /account/mfa/recovery-codes`: the first recovery codes.
    pub const CREATE_MFA_RECOVERY_CODES: Route =
        Route::new(Method::POST, "/account/mfa/recovery-codes");
    /// `GET /account/mfa/recovery-codes`.
    pub const GET_MFA_RECOVERY_CODES: Route =
        Route::new(Method::GET, "/account/mfa/recovery-codes");
    /// `PATCH /account/mfa/recovery-codes`: new recovery codes in place of the old.
    pub const UPDATE_MFA_RECOVERY_CODES: Route =
        Route::new(Method::PATCH, "/account/mfa/recovery-codes");
}

/// Users as the backend manages them with its API key (`/users`, `users.php`).
pub mod users {
    use super::{Method, Route};

    /// `POST /users`.
    pub const CREATE: Route = Route::new(Method::POST, "/users");
    /// `GET /users`.
    pub const LIST: Route = Route::new(Method::GET, "/users");
    /// `GET /users/{userId}`.
    pub const GET: Route = Route::new(Method::GET, "/users/{userId}");
    /// `DELETE /users/{userId}`.
    pub const DELETE: Route = Route::new(Method::DELETE, "/users/{userId}");
    /// `PATCH /users/{userId}/status`: block or unblock.
    pub const UPDATE_STATUS: Route = Route::new(Method::PATCH, "/users/{userId}/status");
    /// `PATCH /users/{userId}/name`.
    pub const UPDATE_NAME: Route = Route::new(Method::PATCH, "/users/{userId}/name");
    /// `PATCH /users/{userId}/email`.
    pub const UPDATE_EMAIL: Route = Route::new(Method::PATCH, "/users/{userId}/email");
    /// `PATCH /users/{userId}/phone`.
    pub const UPDATE_PHONE: Route = Route::new(Method::PATCH, "/users/{userId}/phone");
    /// `PATCH /users/{userId}/password`.
    pub const UPDATE_PASSWORD: Route = Route::new(Method::PATCH, "/users/{userId}/password");
    /// `GET /users/{userId}/prefs`.
    pub const GET_PREFS: Route = Route::new(Method::GET, "/users/{userId}/prefs");
    /// `PATCH /users/{userId}/prefs`.
    pub const UPDATE_PREFS: Route = Route::new(Method::PATCH, "/users/{userId}/prefs");
    /// `PUT /users/{userId}/labels` (a `PUT`: the labels are replaced).
    pub const UPDATE_LABELS: Route = Route::new(Method::PUT, "/users/{userId}/labels");
    /// `PATCH /users/{userId}/verification`: the email's verified flag.
    pub const UPDATE_EMAIL_VERIFICATION: Route =
        Route::new(Method::PATCH, "/users/{userId}/verification");
    /// `PATCH /users/{userId}/verification/phone`.
    pub const UPDATE_PHONE_VERIFICATION: Route =
        Route::new(Method::PATCH, "/users/{userId}/verification/phone");
    /// `POST /users/{userId}/sessions`: a session made by the server.
    pub const CREATE_SESSION: Route = Route::new(Method::POST, "/users/{userId}/sessions");
    /// `GET /users/{userId}/sessions`.
    pub const LIST_SESSIONS: Route = Route::new(Method::GET, "/users/{userId}/sessions");
    /// `DELETE /users/{userId}/sessions`: every session of the user.
    pub const DELETE_SESSIONS: Route = Route::new(Method::DELETE, "/users/{userId}/sessions");
    /// `DELETE /users/{userId}/sessions/{sessionId}`.
    pub const DELETE_SESSION: Route =
        Route::new(Method::DELETE, "/users/{userId}/sessions/{sessionId}");
    /// `POST /users/{userId}/tokens`: the custom login token.
    pub const CREATE_TOKEN: Route = Route::new(Method::POST, "/users/{userId}/tokens");
    /// `POST /users/{userId}/jwts`.
    pub const CREATE_JWT: Route = Route::new(Method::POST, "/users/{userId}/jwts");
    /// `PATCH /users/{userId}/mfa`.
    pub const UPDATE_MFA: Route = Route::new(Method::PATCH, "/users/{userId}/mfa");
    /// `GET /users/{userId}/mfa/factors`.
    pub const LIST_MFA_FACTORS: Route = Route::new(Method::GET, "/users/{userId}/mfa/factors");
    /// `DELETE /users/{userId}/mfa/authenticators/{type}`.
    pub const DELETE_MFA_AUTHENTICATOR: Route =
        Route::new(Method::DELETE, "/users/{userId}/mfa/authenticators/{type}");
    /// `PATCH /users/{userId}/mfa/recovery-codes`: the first recovery codes (a `PATCH` in
    /// `users.php`).
    pub const CREATE_MFA_RECOVERY_CODES: Route =
        Route::new(Method::PATCH, "/users/{userId}/mfa/recovery-codes");
    /// `GET /users/{userId}/mfa/recovery-codes`.
    pub const GET_MFA_RECOVERY_CODES: Route =
        Route::new(Method::GET, "/users/{userId}/mfa/recovery-codes");
    /// `PUT /users/{userId}/mfa/recovery-codes`: new recovery codes in place of the old.
    pub const UPDATE_MFA_RECOVERY_CODES: Route =
        Route::new(Method::PUT, "/users/{userId}/mfa/recovery-codes");
}

/// Every route above, for tests that check each is served.
pub const ALL: &[Route] = &[
    account::GET,
    account::GET_PREFS,
    account::LIST_SESSIONS,
    account::DELETE_SESSIONS,
    account::GET_SESSION,
    account::UPDATE_SESSION,
    account::DELETE_SESSION,
    account::CREATE_SESSION,
    account::CREATE_JWT,
    account::CREATE_EMAIL_TOKEN,
    account::CREATE_MAGIC_URL_TOKEN,
    account::CREATE_PHONE_TOKEN,
    account::CREATE_OAUTH2_TOKEN,
    account::UPDATE_MFA,
    account::LIST_MFA_FACTORS,
    account::CREATE_MFA_CHALLENGE,
    account::UPDATE_MFA_CHALLENGE,
    account::CREATE_MFA_AUTHENTICATOR,
    account::UPDATE_MFA_AUTHENTICATOR,
    account::DELETE_MFA_AUTHENTICATOR,
    account::CREATE_MFA_RECOVERY_CODES,
    account::GET_MFA_RECOVERY_CODES,
    account::UPDATE_MFA_RECOVERY_CODES,
    users::CREATE,
    users::LIST,
    users::GET,
    users::DELETE,
    users::UPDATE_STATUS,
    users::UPDATE_NAME,
    users::UPDATE_EMAIL,
    users::UPDATE_PHONE,
    users::UPDATE_PASSWORD,
    users::GET_PREFS,
    users::UPDATE_PREFS,
    users::UPDATE_LABELS,
    users::UPDATE_EMAIL_VERIFICATION,
    users::UPDATE_PHONE_VERIFICATION,
    users::CREATE_SESSION,
    users::LIST_SESSIONS,
    users::DELETE_SESSIONS,
    users::DELETE_SESSION,
    users::CREATE_TOKEN,
    users::CREATE_JWT,
    users::UPDATE_MFA,
    users::LIST_MFA_FACTORS,
    users::DELETE_MFA_AUTHENTICATOR,
    users::CREATE_MFA_RECOVERY_CODES,
    users::GET_MFA_RECOVERY_CODES,
    users::UPDATE_MFA_RECOVERY_CODES,
];
