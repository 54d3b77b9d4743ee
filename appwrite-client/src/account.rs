//! [`Account`]: the signed-in user's account and sessions (Appwrite's `account` service).

use appwrite_models::protocol::{RoutePath, routes, rules};
use appwrite_models::{Session, SessionId, SessionList, Token, TokenSecret, User, UserId};
use appwrite_transport::{InvalidInput, Request};
use serde::Serialize;

use crate::client::{Auth, Client};
use crate::error::{Error, Result};
use crate::future::ResponseFuture;
use crate::requests::{CreateEmailToken, CreateJwt, CreateMagicUrlToken};
use crate::settle::{delete_request, extend, log_out, sign_in};

/// The account service: sign in with a login token, read the user, list, extend and end
/// sessions.
///
/// Cheap to clone and `'static` (it holds a clone of the [`Client`]). Every call returns a
/// [`ResponseFuture`] (builders under [`requests`](crate::requests) become one when awaited):
/// `Send + 'static`, owning what it needs, so it outlives the `Account` it came from. Account
/// requests carry the client's stored session; it changes only through the methods documented as
/// doing so, and when the server refuses or clears it (see the [crate docs](crate#sessions)).
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
    /// It is **replaced cleanly**: the held session is first revoked on the server (`DELETE
    /// /account/sessions/current` with it; a 401, or a 404 `user_session_not_found`, means it is
    /// already gone) and forgotten ([`SignOutReason::Replaced`](crate::SignOutReason::Replaced)); then the new session is created
    /// **without** the old credential, so Appwrite never answers `user_session_already_exists` and
    /// no session is left behind on the server. If revoking fails for any other reason (no
    /// connection, a 5xx), that error is returned, nothing is created and the old session is kept
    /// untouched. A held session whose expiry has passed is just forgotten.
    ///
    /// If the new session cannot be saved to the store, it is revoked again (best effort) and the
    /// [`Error::SessionStore`] is returned: the client never holds a session it could not keep.
    ///
    /// The answer must be a session for `user_id`, with a credential that can be sent back
    /// (visible ASCII, at most 16 KiB): otherwise the call fails with [`Error::Decode`] and
    /// nothing is held or saved (a session for another user is revoked again, best effort).
    ///
    /// Dropping the returned future part-way never splits memory from the store: once the new
    /// session is being saved, it is saved and held together, and a later sign-in or logout waits
    /// for that.
    pub fn create_session(
        &self,
        user_id: impl Into<UserId>,
        secret: impl Into<TokenSecret>,
    ) -> ResponseFuture<Session> {
        let client = self.client.clone();
        let (user_id, secret) = (user_id.into(), secret.into());
        ResponseFuture::new(async move { sign_in(&client, user_id, secret).await })
    }

    /// The signed-in user (`GET /account`). A 401 means signed out, or the session was refused
    /// (and then forgotten).
    pub fn get(&self) -> ResponseFuture<User> {
        let request = Request::to(routes::account::GET, []);
        self.client.json_future(Ok(request), Auth::Session)
    }

    /// One session of the user (`GET /account/sessions/{id}`); `"current"` is the held one.
    pub fn get_session(&self, session_id: impl Into<SessionId>) -> ResponseFuture<Session> {
        let request = Request::to(routes::account::GET_SESSION, [session_id.into().as_str()]);
        self.client.json_future(Ok(request), Auth::Session)
    }

    /// All sessions of the user (`GET /account/sessions`).
    pub fn list_sessions(&self) -> ResponseFuture<SessionList> {
        let request = Request::to(routes::account::LIST_SESSIONS, []);
        self.client.json_future(Ok(request), Auth::Session)
    }

    /// Extends a session (`PATCH /account/sessions/{id}`; `"current"` is the held one): its
    /// expiry moves to now plus the project's session length. When it is the held session, the
    /// new expiry is saved to the store and published in [`Client::auth_state`].
    pub fn update_session(&self, session_id: impl Into<SessionId>) -> ResponseFuture<Session> {
        let client = self.client.clone();
        let session_id = session_id.into();
        ResponseFuture::new(async move { extend(&client, session_id).await })
    }

    /// Ends a session (`DELETE /account/sessions/{id}`).
    ///
    /// For `"current"` (or the held session's own id) this is **logout**: the session is revoked
    /// on the server first, then forgotten locally (memory and store,
    /// [`SignOutReason::LoggedOut`](crate::SignOutReason::LoggedOut)).
    /// - On a transport error (no answer) or any other failure, the session is kept and the error
    ///   returned: the server may still accept it, so the app can try again.
    /// - On 401 (or 404 `user_session_not_found`) the server no longer has the session: it is
    ///   forgotten and `Ok(())` is returned, since the user is logged out either way.
    /// - With no session held, this returns `Ok(())` at once without a request: logout is
    ///   idempotent.
    ///
    /// Any other id ends that session only (another device, say); the held session is untouched.
    pub fn delete_session(&self, session_id: impl Into<SessionId>) -> ResponseFuture<()> {
        let client = self.client.clone();
        let session_id = session_id.into();
        ResponseFuture::new(async move {
            let request = delete_request(session_id.as_str());
            let held = client.sessions.snapshot().session;
            if session_id.is_current() || held.is_some_and(|s| s.stored.session_id == session_id) {
                return log_out(&client, request).await;
            }
            client.send(&request, Auth::Session).await.map(drop)
        })
    }

    /// Ends every session of the user (`DELETE /account/sessions`), this one included, then
    /// forgets the held session. Same rules as logout in
    /// [`delete_session`](Self::delete_session).
    pub fn delete_sessions(&self) -> ResponseFuture<()> {
        let client = self.client.clone();
        let request = Request::to(routes::account::DELETE_SESSIONS, []);
        ResponseFuture::new(async move { log_out(&client, request).await })
    }

    /// A JSON Web Token for the held session (`POST /account/jwts`), to prove the user's identity
    /// to your own backend. Set its lifetime with [`CreateJwt::duration`] (1 to 3600 s, default
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
    pub fn create_phone_token(
        &self,
        user_id: impl Into<UserId>,
        phone: impl Into<String>,
    ) -> ResponseFuture<Token> {
        let phone = phone.into();
        let request = rules::check_phone(&phone)
            .map_err(InvalidInput::from)
            .and_then(|()| {
                Request::to(routes::account::CREATE_PHONE_TOKEN, [])
                    .json(&PhoneTokenBody {
                        user_id: user_id.into().as_str(),
                        phone: &phone,
                    })
                    .checked()
            });
        self.client.json_future(request, Auth::Guest)
    }

    /// The URL that starts Appwrite's OAuth2 token flow in a browser (`GET
    /// {endpoint}/account/tokens/oauth2/{provider}?project=…&success=…&failure=…&scopes[]=…`).
    /// After the user signs in with `provider`, Appwrite redirects to `success` with `userId` and
    /// `secret` (for [`create_session`](Self::create_session)), or to `failure` with `error`. Both
    /// must be on a platform registered in the project (for a loopback URL: `localhost`).
    ///
    /// Fails with [`Error::InvalidInput`] for an empty provider.
    pub fn oauth2_token_url(
        &self,
        provider: &str,
        success: &str,
        failure: &str,
        scopes: &[&str],
    ) -> Result<String> {
        if provider.is_empty() {
            return Err(Error::InvalidInput(InvalidInput::new(
                "the OAuth2 provider must not be empty",
            )));
        }
        let route = routes::account::CREATE_OAUTH2_TOKEN;
        let path = RoutePath::fill(route.path, &[provider]).map_err(|e| {
            Error::InvalidInput(InvalidInput::new(format!("the OAuth2 provider {e}")))
        })?;
        let mut url = self.client.transport.endpoint().url(&path);
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("project", self.client.project())
                .append_pair("success", success)
                .append_pair("failure", failure);
            for scope in scopes {
                query.append_pair("scopes[]", scope);
            }
        }
        Ok(url.into())
    }
}
