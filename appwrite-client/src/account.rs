//! [`Account`]: the signed-in user's account and sessions (Appwrite's `account` service).

use std::sync::Arc;
use std::time::SystemTime;

use appwrite_models::credential::{self, CredentialUpdate};
use appwrite_models::{Session, SessionId, SessionList, Token, TokenSecret, User, UserId};
use appwrite_transport::Request;
use appwrite_transport::reqwest::Method;
use serde::Serialize;

use crate::client::{Auth, Client};
use crate::error::{Error, Result};
use crate::requests::{CreateEmailToken, CreateJwt, CreateMagicUrlToken};
use crate::session::SignOutReason;
use crate::store::StoredSession;

/// The account service: sign in with a login token, read the user, list, extend and end
/// sessions.
///
/// Cheap to clone and `'static` (it holds a clone of the [`Client`]); every returned future is
/// `Send`. Account requests carry the client's stored session; it changes only through the
/// methods documented as doing so, and when the server refuses or clears it (see the
/// [crate docs](crate#sessions)).
///
/// ```no_run
/// # async fn run(client: appwrite_client::Client) -> appwrite_client::Result<()> {
/// use appwrite_client::Account;
///
/// let account = Account::new(&client);
/// let session = account.create_session("user-42", "a1b2c3").await?;   // saved to the store
/// let me = account.get().await?;
/// account.delete_session("current").await?;                          // revoked, then forgotten
/// # let _ = (session, me);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Account {
    pub(crate) client: Client,
}

#[derive(Serialize)]
struct CreateSessionBody<'a> {
    #[serde(rename = "userId")]
    user_id: &'a str,
    secret: &'a str,
}

#[derive(Serialize)]
struct PhoneTokenBody<'a> {
    #[serde(rename = "userId")]
    user_id: &'a str,
    phone: &'a str,
}

impl Account {
    /// The account service of `client`.
    pub fn new(client: &Client) -> Self {
        Self {
            client: client.clone(),
        }
    }

    /// Signs in: exchanges a login token's `user_id` and `secret` for a session
    /// (`POST /account/sessions/token`) and saves it to the session store before returning.
    ///
    /// The credential is taken from the response: the `a_session_<project>` cookie, else its
    /// `_legacy` twin (kept exactly as received, URL-encoded or not), else the `X-Fallback-Cookies`
    /// header, else a non-empty `secret` in the body. When none is there the call fails with
    /// [`Error::MissingCredential`] and the client is not signed in.
    ///
    /// # When a session is already held
    ///
    /// It is **replaced cleanly**: the held session is first revoked on the server
    /// (`DELETE /account/sessions/current` with it; a 401, or a 404 `user_session_not_found`, means it is already gone) and
    /// forgotten ([`SignOutReason::Replaced`]); then the new session is created **without** the old
    /// credential, so Appwrite never answers `user_session_already_exists` and no session is left
    /// behind on the server. If revoking fails for any other reason (no connection, a 5xx), that
    /// error is returned, nothing is created and the old session is kept untouched. A held session
    /// whose expiry has passed is just forgotten.
    ///
    /// If the new session cannot be saved to the store, it is revoked again (best effort) and the
    /// [`Error::SessionStore`] is returned: the client never holds a session it could not keep.
    pub async fn create_session(
        &self,
        user_id: impl Into<UserId>,
        secret: impl Into<TokenSecret>,
    ) -> Result<Session> {
        let user_id = user_id.into();
        let secret = secret.into();
        let client = &self.client;
        let _auth = client.inner.auth.lock().await;
        self.replace_held_session().await?;

        let request =
            Request::new(Method::POST, "/account/sessions/token", []).json(&CreateSessionBody {
                user_id: user_id.as_str(),
                secret: secret.expose_secret(),
            });
        let response = match client.send_with(request, None).await {
            Ok(response) => response,
            Err(Error::Api(mut api)) => {
                // A proxy that echoes the request must not put the token secret in a message.
                api.redact(secret.expose_secret());
                return Err(Error::Api(api));
            }
            Err(other) => return Err(other),
        };
        let session: Session = response.json()?;
        let update = credential::from_response(
            client.project(),
            &response.headers,
            Some(&session.secret),
            SystemTime::now(),
        );
        let CredentialUpdate::Set { credential, source } = update else {
            return Err(Error::MissingCredential);
        };
        tracing::debug!(source = ?source, "session credential received");

        let held = client.hold(StoredSession::from_session(&session, credential));
        if let Err(error) = client.remember(None, Arc::clone(&held)).await {
            // Not kept, so not left behind either.
            if let Err(revoke) = client
                .send_with(delete_request("current"), Some(&held))
                .await
            {
                tracing::warn!(error = %revoke, "could not revoke the session that could not be stored");
            }
            return Err(error.into());
        }
        Ok(session)
    }

    /// Revokes and forgets the held session before a new sign-in (see `create_session`).
    async fn replace_held_session(&self) -> Result<()> {
        let client = &self.client;
        let snapshot = client.inner.state.snapshot();
        let Some(held) = snapshot.session else {
            return Ok(());
        };
        let generation = Some(snapshot.generation);
        if held.stored.is_expired_at(SystemTime::now()) {
            client.forget(generation, SignOutReason::Expired).await?;
            return Ok(());
        }
        match client
            .send_with(delete_request("current"), Some(&held))
            .await
        {
            Ok(_) => {}
            Err(error) if already_gone(&error) => {}
            Err(error) => return Err(error),
        }
        client.forget(generation, SignOutReason::Replaced).await?;
        Ok(())
    }

    /// The signed-in user (`GET /account`). A 401 means signed out, or the session was refused
    /// (and then forgotten).
    pub async fn get(&self) -> Result<User> {
        let request = Request::new(Method::GET, "/account", []);
        self.client.send_json(request, Auth::Session).await
    }

    /// One session of the user (`GET /account/sessions/{id}`); `"current"` is the held one.
    pub async fn get_session(&self, session_id: impl Into<SessionId>) -> Result<Session> {
        let request = Request::new(
            Method::GET,
            "/account/sessions/{sessionId}",
            [session_id.into().as_str()],
        );
        self.client.send_json(request, Auth::Session).await
    }

    /// All sessions of the user (`GET /account/sessions`).
    pub async fn list_sessions(&self) -> Result<SessionList> {
        let request = Request::new(Method::GET, "/account/sessions", []);
        self.client.send_json(request, Auth::Session).await
    }

    /// Extends a session (`PATCH /account/sessions/{id}`; `"current"` is the held one): its
    /// expiry moves to now plus the project's session length. When it is the held session, the
    /// new expiry is saved to the store and published in [`Client::auth_state`].
    pub async fn update_session(&self, session_id: impl Into<SessionId>) -> Result<Session> {
        self.client.patch_session(session_id.into()).await
    }

    /// Ends a session (`DELETE /account/sessions/{id}`).
    ///
    /// For `"current"` (or the held session's own id) this is **logout**: the session is revoked
    /// on the server first, then forgotten locally (memory and store,
    /// [`SignOutReason::LoggedOut`]).
    /// - On a transport error (no answer) or any other failure, the session is kept and the error
    ///   returned: the server may still accept it, so the app can try again.
    /// - On 401 (or 404 `user_session_not_found`) the server no longer has the session: it is forgotten and `Ok(())` is
    ///   returned, since the user is logged out either way.
    /// - With no session held, this returns `Ok(())` at once without a request: logout is
    ///   idempotent.
    ///
    /// Any other id ends that session only (another device, say); the held session is untouched.
    pub async fn delete_session(&self, session_id: impl Into<SessionId>) -> Result<()> {
        let session_id = session_id.into();
        let held = self.client.inner.state.snapshot().session;
        let is_held =
            session_id.is_current() || held.is_some_and(|s| s.stored.session_id == session_id);
        if is_held {
            return self.log_out(delete_request(session_id.as_str())).await;
        }
        self.client
            .send(delete_request(session_id.as_str()), Auth::Session)
            .await
            .map(drop)
    }

    /// Ends every session of the user (`DELETE /account/sessions`), this one included, then
    /// forgets the held session. Same rules as logout in
    /// [`delete_session`](Self::delete_session).
    pub async fn delete_sessions(&self) -> Result<()> {
        self.log_out(Request::new(Method::DELETE, "/account/sessions", []))
            .await
    }

    async fn log_out(&self, request: Request) -> Result<()> {
        let client = &self.client;
        let _auth = client.inner.auth.lock().await;
        let snapshot = client.inner.state.snapshot();
        let Some(held) = snapshot.session else {
            return Ok(());
        };
        match client.send_with(request, Some(&held)).await {
            Ok(_) => {}
            Err(error) if already_gone(&error) => {}
            Err(error) => return Err(error),
        }
        client
            .forget(Some(snapshot.generation), SignOutReason::LoggedOut)
            .await?;
        Ok(())
    }

    /// A JSON Web Token for the held session (`POST /account/jwts`), to prove the user's identity
    /// to your own backend. Set its lifetime with [`CreateJwt::duration`] (0 to 3600 s, default
    /// 900 s), then await it.
    pub fn create_jwt(&self) -> CreateJwt {
        CreateJwt::new(self.clone())
    }

    /// Sends a 6-digit sign-in code to `email` (`POST /account/tokens/email`); exchange it with
    /// [`create_session`](Self::create_session). `user_id` is used only when the email is new
    /// (the user is then created; `ID::unique()` is fine). Sent without the held session.
    pub fn create_email_token(
        &self,
        user_id: impl Into<UserId>,
        email: impl Into<String>,
    ) -> CreateEmailToken {
        CreateEmailToken::new(self.clone(), user_id.into(), email.into())
    }

    /// Sends a magic sign-in link to `email` (`POST /account/tokens/magic-url`); the link carries
    /// `userId` and `secret` for [`create_session`](Self::create_session). Sent without the held
    /// session.
    pub fn create_magic_url_token(
        &self,
        user_id: impl Into<UserId>,
        email: impl Into<String>,
    ) -> CreateMagicUrlToken {
        CreateMagicUrlToken::new(self.clone(), user_id.into(), email.into())
    }

    /// Sends a 6-digit sign-in code by SMS to `phone` (E.164, e.g. `+14155550123`;
    /// `POST /account/tokens/phone`); exchange it with [`create_session`](Self::create_session).
    /// Sent without the held session.
    pub async fn create_phone_token(
        &self,
        user_id: impl Into<UserId>,
        phone: impl Into<String>,
    ) -> Result<Token> {
        let user_id = user_id.into();
        let phone = phone.into();
        let request =
            Request::new(Method::POST, "/account/tokens/phone", []).json(&PhoneTokenBody {
                user_id: user_id.as_str(),
                phone: &phone,
            });
        self.client.send_json(request, Auth::Guest).await
    }
}

/// Whether an answer to revoking the held session says it no longer exists on the server: 401 (the
/// server treats it as a guest) or 404 `user_session_not_found`. A 404 for the route itself (a
/// wrong endpoint) is not that.
fn already_gone(error: &Error) -> bool {
    error.is_unauthorized()
        || error.error_type() == Some(&appwrite_models::ErrorType::UserSessionNotFound)
}

fn delete_request(session_id: &str) -> Request {
    Request::new(
        Method::DELETE,
        "/account/sessions/{sessionId}",
        [session_id],
    )
}
