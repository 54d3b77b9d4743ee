//! [`Client::adopt_session`]: signing in with a session a backend created for the user.

use std::time::SystemTime;

use appwrite_models::protocol::routes;
use appwrite_models::{Datetime, Session, SessionCredential};
use appwrite_transport::{InvalidInput, Request};

use crate::client::Client;
use crate::error::Result;
use crate::future::ResponseFuture;
use crate::settle::replace_held_session;
use crate::store::StoredSession;

impl Client {
    /// Signs in with a session created elsewhere, typically by your backend with
    /// `appwrite_server::Users::create_session`, whose `secret` holds the credential when it is
    /// called with an API key. Hand that credential to the app over a channel of your choice
    /// (never log it), and adopt it here instead of filling a store by hand.
    ///
    /// The credential is checked before anything changes: one that no header can carry (not
    /// visible ASCII, or longer than 16 KiB) fails with [`Error::InvalidInput`](crate::Error)
    /// without a request; then `GET /account/sessions/current` with it must answer with a session
    /// whose expiry has not passed (an expired or revoked session is a 401, or an
    /// [`Error::InvalidInput`](crate::Error) when only the local clock says so). A credential
    /// that fails leaves the held session as it was.
    ///
    /// Then it goes the way of [`Account::create_session`](crate::Account::create_session): a
    /// different session held before is revoked on the server and forgotten, and the adopted one
    /// is saved to the store and held as one unit, in order with any other sign-in or logout
    /// (dropping the future part-way never splits memory from the store). Returns the session as
    /// the server describes it (its `secret` is empty: the credential stays in the store).
    ///
    /// ```no_run
    /// # async fn run(client: appwrite_client::Client, from_backend: String) -> appwrite_client::Result<()> {
    /// // `from_backend`: `session.secret.expose_secret()` of the backend's `Users::create_session`.
    /// let session = client.adopt_session(from_backend).await?;
    /// assert!(client.is_signed_in());
    /// # let _ = session;
    /// # Ok(())
    /// # }
    /// ```
    pub fn adopt_session(
        &self,
        credential: impl Into<SessionCredential>,
    ) -> ResponseFuture<Session> {
        let client = self.clone();
        let credential = credential.into();
        ResponseFuture::new(async move { adopt(&client, credential).await })
    }
}

async fn adopt(client: &Client, credential: SessionCredential) -> Result<Session> {
    // The ids and expiry are the server's, filled in below; this one only carries the header.
    let probe = client.sessions.hold(StoredSession::new(
        credential.clone(),
        "",
        "",
        Datetime::UNSET,
        "",
    ));
    if !probe.is_sendable() {
        return Err(InvalidInput::new(
            "the session credential cannot be sent: it is not visible ASCII or is longer than 16 KiB",
        )
        .into());
    }
    let guard = client.sessions.lock_sign_in().await;
    let current = Request::to(routes::account::GET_SESSION, ["current"]);
    let session: Session = client.send_with(&current, Some(&probe)).await?.json()?;
    if session.expire.is_before(SystemTime::now()) {
        return Err(InvalidInput::new("the session has expired").into());
    }

    let held = client.sessions.snapshot().session;
    let same = held
        .is_some_and(|held| held.stored.credential.expose_secret() == credential.expose_secret());
    if !same {
        // Revoking the session held now would be wrong only if it were the one adopted.
        replace_held_session(client).await?;
    }
    let adopted = client
        .sessions
        .hold(StoredSession::from_session(&session, credential));
    client.sessions.sign_in(guard, adopted).await?;
    Ok(session)
}
