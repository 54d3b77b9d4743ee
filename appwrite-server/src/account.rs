//! Acting as a user: [`Client::as_user`], [`UserClient`] and its [`Account`] service.

use std::fmt;

use appwrite_models::protocol::routes;
use appwrite_models::{Preferences, Session, SessionId, SessionList, User};
use appwrite_transport::reqwest::header::{HeaderName, HeaderValue};
use appwrite_transport::{InvalidInput, Request, RequestError, Transport};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::credential::Credential;
use crate::error::Error;
use crate::future::ResponseFuture;

impl Client {
    /// A client that acts as the user `credential` belongs to: its requests carry the JWT or
    /// session instead of the API key, so Appwrite answers with what that user may see.
    ///
    /// Cheap: it shares this client's connection pool and settings, and makes no request. A
    /// credential that cannot be sent in a header fails each call before anything is sent.
    ///
    /// ```no_run
    /// use appwrite_server::Credential;
    ///
    /// # async fn run(client: appwrite_server::Client, jwt: String) -> Result<(), appwrite_server::Error> {
    /// let me = client.as_user(Credential::jwt(jwt)).account().get().await?;
    /// println!("called by {}", me.id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn as_user(&self, credential: Credential) -> UserClient {
        UserClient {
            transport: self.user_transport.clone(),
            header: credential.header(),
            credential,
        }
    }
}

/// A client acting as one user, from [`Client::as_user`]. No API key is sent with its requests.
///
/// Cheap to clone; `Debug` never shows the credential.
#[derive(Clone)]
pub struct UserClient {
    transport: Transport,
    credential: Credential,
    header: Result<(HeaderName, HeaderValue), InvalidInput>,
}

impl fmt::Debug for UserClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserClient")
            .field("endpoint", &self.transport.endpoint().as_str())
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

impl UserClient {
    /// The user's [`Account`] service.
    pub fn account(&self) -> Account {
        Account::new(self)
    }

    /// Sends `request` with the credential and decodes the JSON answer.
    pub(crate) fn json<T>(&self, request: Request) -> ResponseFuture<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.call(request, |transport, request| async move {
            transport.send_json(&request).await
        })
    }

    /// Sends `request` with the credential; the answer has no body (204).
    fn empty(&self, request: Request) -> ResponseFuture<()> {
        self.call(request, |transport, request| async move {
            transport.send_empty(&request).await
        })
    }

    /// Adds the credential to `request` and sends it with `send`.
    fn call<T, F>(
        &self,
        request: Request,
        send: impl FnOnce(Transport, Request) -> F + Send + 'static,
    ) -> ResponseFuture<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, RequestError>> + Send + 'static,
    {
        let (name, value) = match &self.header {
            Ok(header) => header.clone(),
            Err(invalid) => return ResponseFuture::ready(Err(invalid.clone().into())),
        };
        let this = self.clone();
        ResponseFuture::new(async move {
            let answer = send(this.transport.clone(), request.header(name, value)).await;
            answer.map_err(|error| this.clean(error.into()))
        })
    }

    /// `error` with the credential cleared from Appwrite's message, in case it was echoed.
    fn clean(&self, error: Error) -> Error {
        match error {
            Error::Api(mut api) => {
                self.credential.redact_from(&mut api);
                if matches!(self.credential, Credential::Jwt(_))
                    && crate::error::jwt_session_gone(&api)
                {
                    api.hint = Some(crate::error::JWT_SESSION_GONE);
                }
                Error::Api(api)
            }
            other => other,
        }
    }
}

/// Appwrite's Account service (`/v1/account`) as the user of a [`UserClient`].
///
/// ```no_run
/// use appwrite_server::{Credential, SessionId};
///
/// # async fn run(client: appwrite_server::Client, session: String) -> Result<(), appwrite_server::Error> {
/// let account = client.as_user(Credential::session(session)).account();
/// let me = account.get().await?;
/// let sessions = account.list_sessions().await?;
/// account.delete_session(SessionId::current()).await?; // logs this session out
/// # let _ = (me, sessions);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Account {
    user: UserClient,
}

impl Account {
    /// The Account service of `user`.
    pub fn new(user: &UserClient) -> Self {
        Self { user: user.clone() }
    }

    /// The user: `GET /account`. An invalid, expired or revoked credential gives an error that
    /// [`is_unauthorized()`](crate::Error::is_unauthorized); a blocked user one that
    /// [`is_forbidden()`](crate::Error::is_forbidden).
    pub fn get(&self) -> ResponseFuture<User> {
        self.user.json(Request::to(routes::account::GET, []))
    }

    /// One of the user's sessions (`current` for the one in use): `GET
    /// /account/sessions/{sessionId}`.
    pub fn get_session(&self, session_id: impl Into<SessionId>) -> ResponseFuture<Session> {
        let session_id = session_id.into();
        self.user.json(Request::to(
            routes::account::GET_SESSION,
            [session_id.as_str()],
        ))
    }

    /// The user's sessions: `GET /account/sessions`.
    pub fn list_sessions(&self) -> ResponseFuture<SessionList> {
        self.user
            .json(Request::to(routes::account::LIST_SESSIONS, []))
    }

    /// Deletes (logs out) one of the user's sessions, `current` for the one in use: `DELETE
    /// /account/sessions/{sessionId}`.
    pub fn delete_session(&self, session_id: impl Into<SessionId>) -> ResponseFuture<()> {
        let session_id = session_id.into();
        self.user.empty(Request::to(
            routes::account::DELETE_SESSION,
            [session_id.as_str()],
        ))
    }

    /// The user's preferences: `GET /account/prefs`.
    pub fn get_prefs(&self) -> ResponseFuture<Preferences> {
        self.user.json(Request::to(routes::account::GET_PREFS, []))
    }
}
