//! The one home of the held session's changes that an answer settles: signing in (read the
//! answer, revoke a session we will not keep, replace the held one), logging out and extending.
//! The `Account` endpoints call these; [`Sessions`](crate::sessions::Sessions) holds the result.

use std::sync::Arc;
use std::time::SystemTime;

use appwrite_models::credential::{self, CredentialUpdate};
use appwrite_models::protocol::routes;
use appwrite_models::{Session, SessionId, TokenSecret, UserId};
use appwrite_transport::{DecodeError, Request, Response};
use serde::Serialize;

use crate::client::{Client, refuses_session};
use crate::error::{Error, Result};
use crate::session::SignOutReason;
use crate::sessions::HeldSession;
use crate::store::StoredSession;

#[derive(Serialize)]
struct CreateSessionBody<'a> {
    #[serde(rename = "userId")]
    user_id: &'a str,
    secret: &'a str,
}

/// `create_session`: replaces the held session, signs in, checks the answer, then saves and holds
/// the new session as one unit.
///
/// Every call's future is boxed whole, so what it holds across an `.await` is kept small: the
/// decoded session is boxed, and the requests made only on a rare path (revoking a session that
/// is replaced or not kept) are boxed where they are made.
pub(crate) async fn sign_in(
    client: &Client,
    user_id: UserId,
    secret: TokenSecret,
) -> Result<Session> {
    let guard = client.sessions.lock_sign_in().await;
    replace_held_session(client).await?;

    // In a block: the request and the answer are borrowed, and a borrowed local stays in the
    // future's state until its scope ends.
    let (session, held, status) = {
        let request = Request::to(routes::account::CREATE_SESSION, []).json(&CreateSessionBody {
            user_id: user_id.as_str(),
            secret: secret.expose_secret(),
        });
        let response = match client.send_with(&request, None).await {
            Ok(response) => response,
            Err(Error::Api(mut api)) => {
                // A proxy that echoes the request must not put the token secret in a message.
                api.redact(secret.expose_secret());
                return Err(Error::Api(api));
            }
            Err(other) => return Err(other),
        };
        let (session, held) = read_sign_in(client, &response)?;
        (session, held, response.status)
    };
    if session.user_id != user_id {
        revoke_unkept(client, &held, "a session for another user").await;
        return Err(DecodeError::new(
            status,
            "the session is for another user than the one that signed in",
        )
        .into());
    }
    if let Err(error) = client.sessions.sign_in(guard, Arc::clone(&held)).await {
        revoke_unkept(client, &held, "the session that could not be stored").await;
        return Err(error.into());
    }
    Ok(*session)
}

/// The session a sign-in answer created, and its credential ready to be held.
fn read_sign_in(client: &Client, response: &Response) -> Result<(Box<Session>, Arc<HeldSession>)> {
    let session: Box<Session> = Box::new(response.json()?);
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

    let held = client
        .sessions
        .hold(StoredSession::from_session(&session, credential));
    if !held.is_sendable() {
        // Kept, it could never be sent (nor revoked): every later call would fail.
        return Err(DecodeError::new(
            response.status,
            "the session credential cannot be sent back: it is not visible ASCII or is longer than 16 KiB",
        )
        .into());
    }
    Ok((session, held))
}

/// Revokes a session the client will not keep, so it is not left behind either (best effort).
async fn revoke_unkept(client: &Client, held: &HeldSession, what: &str) {
    let request = delete_request("current");
    if let Err(error) = Box::pin(client.send_with(&request, Some(held))).await {
        tracing::warn!(error = %error, "could not revoke {what}");
    }
}

/// Revokes and forgets the held session before a new sign-in (see `create_session`). One that
/// has expired, or whose credential cannot be sent, is just forgotten.
pub(crate) async fn replace_held_session(client: &Client) -> Result<()> {
    let snapshot = client.sessions.snapshot();
    let Some(held) = snapshot.session else {
        return Ok(());
    };
    let generation = Some(snapshot.generation);
    let reason = if held.stored.is_expired_at(SystemTime::now()) {
        SignOutReason::Expired
    } else {
        if held.is_sendable() {
            let request = delete_request("current");
            // Boxed: only this rare path needs a request's worth of state (see `sign_in`).
            match Box::pin(client.send_with(&request, Some(&held))).await {
                Ok(_) => {}
                Err(error) if already_gone(&error) => {}
                Err(error) => return Err(error),
            }
        }
        SignOutReason::Replaced
    };
    client.sessions.sign_out(None, reason, generation).await?;
    Ok(())
}

/// Logout: revokes the held session with `request`, then forgets it. A held session whose
/// credential cannot be sent (an old store file) is forgotten without a request: the server
/// could never have taken it.
pub(crate) async fn log_out(client: &Client, request: Request) -> Result<()> {
    let guard = client.sessions.lock_sign_in().await;
    let snapshot = client.sessions.snapshot();
    let Some(held) = snapshot.session else {
        return Ok(());
    };
    if held.is_sendable() {
        match client.send_with(&request, Some(&held)).await {
            Ok(_) => {}
            Err(error) if already_gone(&error) => {}
            Err(error) => return Err(error),
        }
    }
    client
        .sessions
        .sign_out(
            Some(guard),
            SignOutReason::LoggedOut,
            Some(snapshot.generation),
        )
        .await?;
    Ok(())
}

/// `PATCH /account/sessions/{id}`, without the automatic extension (it is one); when it is the
/// held session, its new expiry is saved.
pub(crate) async fn extend(client: &Client, id: SessionId) -> Result<Session> {
    let generation = client.sessions.snapshot().generation;
    let request = Request::to(routes::account::UPDATE_SESSION, [id.as_str()]);
    let session: Session = client.send_once(&request).await?.json()?;
    let held = client.sessions.snapshot();
    if held.generation == generation {
        if let Some(current) = held.session.filter(|s| s.stored.session_id == session.id) {
            let updated = current.amended(|stored| {
                stored.expire = session.expire;
                stored.saved_at = appwrite_models::Datetime::now();
            });
            client.sessions.replace(generation, updated).await?;
        }
    }
    Ok(session)
}

/// Whether an answer to revoking the held session says it no longer exists on the server: 401 (the
/// server treats it as a guest), 431 (it can never be sent) or 404 `user_session_not_found`. A
/// 404 for the route itself (a wrong endpoint) is not that.
pub(crate) fn already_gone(error: &Error) -> bool {
    refuses_session(error)
        || error.is_unauthorized()
        || error.error_type() == Some(&appwrite_models::ErrorType::UserSessionNotFound)
}
pub(crate) fn delete_request(session_id: &str) -> Request {
    Request::to(routes::account::DELETE_SESSION, [session_id])
}
