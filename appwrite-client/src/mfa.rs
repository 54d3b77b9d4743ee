//! Multi-factor authentication on [`Account`]: challenges that finish a sign-in for a user with
//! MFA on, TOTP authenticators, recovery codes and the MFA switch (Appwrite's `account` MFA
//! routes, `src/Appwrite/Platform/Modules/Account/Http/Account/MFA/` in 1.9.6).
//!
//! A session made from a login token has one factor (`token`). When the user has MFA on and a
//! verified email, phone or authenticator, Appwrite refuses it everywhere but the MFA routes with
//! `user_more_factors_required` ([`Error::is_more_factors_required`]) until a challenge is passed
//! (`app/controllers/shared/api.php`, "Validate MFA requirements"). The client keeps such a
//! session and publishes [`AuthState::SecondFactorRequired`](crate::AuthState::SecondFactorRequired).

use appwrite_models::protocol::routes;
use appwrite_models::{
    AuthenticatorType, ChallengeId, Factor, MfaChallenge, MfaFactors, MfaRecoveryCodes, MfaType,
    Session, SessionId, User,
};
use appwrite_transport::Request;
use serde::Serialize;

use crate::account::Account;
use crate::client::{Auth, Client};
use crate::error::{Error, Result};
use crate::future::ResponseFuture;

#[derive(Serialize)]
struct ChallengeBody {
    factor: Factor,
}

#[derive(Serialize)]
struct AnswerBody<'a> {
    #[serde(rename = "challengeId")]
    challenge_id: &'a str,
    otp: &'a str,
}

#[derive(Serialize)]
struct OtpBody<'a> {
    otp: &'a str,
}

#[derive(Serialize)]
struct MfaBody {
    mfa: bool,
}

impl Account {
    /// Starts a second-factor challenge (`POST /account/mfa/challenges`): for
    /// [`Factor::Email`] and [`Factor::Phone`] Appwrite sends a 6-digit code to the user's
    /// verified address; for [`Factor::Totp`] the code comes from the user's authenticator app,
    /// for [`Factor::RecoveryCode`] it is one of the recovery codes. Answer with
    /// [`update_mfa_challenge`](Self::update_mfa_challenge) before the challenge's `expire`.
    ///
    /// Works with a session that still waits for its second factor.
    pub fn create_mfa_challenge(&self, factor: Factor) -> ResponseFuture<MfaChallenge> {
        let request =
            Request::to(routes::account::CREATE_MFA_CHALLENGE, []).json(&ChallengeBody { factor });
        self.client.json_future(Ok(request), Auth::Session)
    }

    /// Answers a challenge with its code (`PUT /account/mfa/challenges`): the held session gains
    /// the challenge's factor, and once it has two it is fully signed in. The session Appwrite
    /// answers with replaces the held one's factors in memory and in the store, and
    /// [`Client::auth_state`](crate::Client::auth_state) moves to `SignedIn`.
    ///
    /// A wrong, used or expired code fails with 401 `user_invalid_token`; the session is kept as
    /// it was. Never retried (a challenge answers once), and the code never appears in an error.
    pub fn update_mfa_challenge(
        &self,
        challenge_id: impl Into<ChallengeId>,
        otp: impl Into<String>,
    ) -> ResponseFuture<Session> {
        let client = self.client.clone();
        let (challenge_id, otp) = (challenge_id.into(), otp.into());
        ResponseFuture::new(async move {
            let request = Request::to(routes::account::UPDATE_MFA_CHALLENGE, [])
                .json(&AnswerBody {
                    challenge_id: challenge_id.as_str(),
                    otp: &otp,
                })
                .idempotent(false);
            let session: Session = send_redacted(&client, &request, &otp).await?.json()?;
            let factors = session.factors.clone();
            record_factors(&client, &session.id, move |held| *held = factors).await?;
            Ok(session)
        })
    }

    /// The second factors the user can use (`GET /account/mfa/factors`). Works with a session
    /// that still waits for its second factor.
    pub fn list_mfa_factors(&self) -> ResponseFuture<MfaFactors> {
        let request = Request::to(routes::account::LIST_MFA_FACTORS, []);
        self.client.json_future(Ok(request), Auth::Session)
    }

    /// Adds an authenticator (`POST /account/mfa/authenticators/{type}`), unverified: show
    /// [`MfaType::uri`] as a QR code (or the secret to type in), then prove a first code with
    /// [`update_mfa_authenticator`](Self::update_mfa_authenticator). An unverified one made
    /// earlier is replaced; a verified one fails with 409 `user_authenticator_already_verified`.
    pub fn create_mfa_authenticator(&self, kind: AuthenticatorType) -> ResponseFuture<MfaType> {
        let request = Request::to(routes::account::CREATE_MFA_AUTHENTICATOR, [kind.as_str()]);
        self.client.json_future(Ok(request), Auth::Session)
    }

    /// Verifies a new authenticator with a first code (`PUT /account/mfa/authenticators/{type}`)
    /// and returns the account. Appwrite also counts it as a factor of the held session
    /// (`MFA/Authenticators/Update.php`), which is recorded here too. A wrong code fails with
    /// 401 `user_invalid_token`.
    pub fn update_mfa_authenticator(
        &self,
        kind: AuthenticatorType,
        otp: impl Into<String>,
    ) -> ResponseFuture<User> {
        let client = self.client.clone();
        let otp = otp.into();
        ResponseFuture::new(async move {
            let request = Request::to(routes::account::UPDATE_MFA_AUTHENTICATOR, [kind.as_str()])
                .json(&OtpBody { otp: &otp })
                .idempotent(false);
            let user: User = send_redacted(&client, &request, &otp).await?.json()?;
            let held = client.sessions.snapshot().session;
            if let Some(id) = held.map(|held| held.stored.session_id.clone()) {
                let factor = Factor::from(kind).as_str();
                record_factors(&client, &id, move |factors| {
                    if !factors.iter().any(|f| f == factor) {
                        factors.push(factor.to_owned());
                    }
                })
                .await?;
            }
            Ok(user)
        })
    }

    /// Removes an authenticator (`DELETE /account/mfa/authenticators/{type}`). Appwrite asks for a
    /// challenge passed in the last 30 minutes first ([`Error::is_challenge_required`];
    /// `MFA_RECENT_DURATION` is 1800 s, though the error's text says 5 minutes).
    pub fn delete_mfa_authenticator(&self, kind: AuthenticatorType) -> ResponseFuture<()> {
        let request = Request::to(routes::account::DELETE_MFA_AUTHENTICATOR, [kind.as_str()]);
        send_empty(&self.client, request)
    }

    /// Makes the user's recovery codes (`POST /account/mfa/recovery-codes`): shown this once;
    /// 409 `user_recovery_codes_already_exists` when they exist (see
    /// [`update_mfa_recovery_codes`](Self::update_mfa_recovery_codes)).
    pub fn create_mfa_recovery_codes(&self) -> ResponseFuture<MfaRecoveryCodes> {
        let request = Request::to(routes::account::CREATE_MFA_RECOVERY_CODES, []);
        self.client.json_future(Ok(request), Auth::Session)
    }

    /// The user's unused recovery codes (`GET /account/mfa/recovery-codes`); needs a challenge
    /// passed in the last 30 minutes ([`Error::is_challenge_required`]).
    pub fn get_mfa_recovery_codes(&self) -> ResponseFuture<MfaRecoveryCodes> {
        let request = Request::to(routes::account::GET_MFA_RECOVERY_CODES, []);
        self.client.json_future(Ok(request), Auth::Session)
    }

    /// Replaces the user's recovery codes with new ones (`PATCH /account/mfa/recovery-codes`);
    /// needs a challenge passed in the last 30 minutes. Never retried: each call makes new codes.
    pub fn update_mfa_recovery_codes(&self) -> ResponseFuture<MfaRecoveryCodes> {
        let request = Request::to(routes::account::UPDATE_MFA_RECOVERY_CODES, []).idempotent(false);
        self.client.json_future(Ok(request), Auth::Session)
    }

    /// Turns multi-factor authentication on or off for the user (`PATCH /account/mfa`) and
    /// returns the account. While on, a new session of a user with a verified email, phone or
    /// authenticator needs a second factor.
    pub fn update_mfa(&self, mfa: bool) -> ResponseFuture<User> {
        let request = Request::to(routes::account::UPDATE_MFA, []).json(&MfaBody { mfa });
        self.client.json_future(Ok(request), Auth::Session)
    }
}

/// What a refused code means (`user_invalid_token` here is about the code, not a login token).
const WRONG_CODE_HINT: &str = "the code is wrong, was already used, or its challenge expired: try again or start a new challenge";

/// Sends with the session; a code the server echoes never reaches an error message.
async fn send_redacted(
    client: &Client,
    request: &Request,
    otp: &str,
) -> Result<appwrite_transport::Response> {
    match client.send(request, Auth::Session).await {
        Err(Error::Api(mut api)) => {
            api.redact(otp);
            if api.error_type == appwrite_models::ErrorType::UserInvalidToken {
                api.hint = Some(WRONG_CODE_HINT);
            }
            Err(Error::Api(api))
        }
        other => other,
    }
}

fn send_empty(client: &Client, request: Request) -> ResponseFuture<()> {
    let client = client.clone();
    ResponseFuture::new(async move { client.send(&request, Auth::Session).await.map(drop) })
}

/// Changes the factors of the held session, when it is `session_id`, in memory and in the
/// store; it needs no second factor any more once it has two (Appwrite's rule,
/// `app/controllers/shared/api.php`, step 13).
async fn record_factors(
    client: &Client,
    session_id: &SessionId,
    change: impl FnOnce(&mut Vec<String>),
) -> Result<()> {
    let snapshot = client.sessions.snapshot();
    let Some(held) = snapshot
        .session
        .filter(|held| held.stored.session_id == *session_id)
    else {
        return Ok(());
    };
    let updated = held.amended(|stored| {
        change(&mut stored.factors);
        if stored.factors.len() >= 2 {
            stored.second_factor_required = false;
        }
    });
    client
        .sessions
        .replace(snapshot.generation, updated)
        .await?;
    Ok(())
}
