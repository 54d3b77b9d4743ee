//! [`Sessions`]: the one owner of a client's session. It holds the session and its generation,
//! publishes [`AuthState`], keeps the store in step with memory, and serialises sign-in and
//! sign-out; nothing else touches them.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use appwrite_models::credential::{self, CredentialUpdate};
use appwrite_models::headers::every_byte;
use appwrite_transport::ConfigError;
use appwrite_transport::reqwest::header::{COOKIE, HeaderName, HeaderValue};
use bytes::Bytes;
use tokio::sync::{OwnedMutexGuard, watch};

use crate::client::CredentialMode;
use crate::session::{AuthState, SignOutReason};
use crate::store::{ProfileKey, SessionStore, StoreError, StoredSession};

/// How long a failed automatic extension waits before it is tried again.
const EXTEND_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The longest credential the client accepts. Appwrite's are about 360 bytes; one far longer
/// would make every request too big for a server's header limit (431), so it is refused at
/// sign-in instead of being kept as a session that can never be used.
pub(crate) const MAX_CREDENTIAL_BYTES: usize = 16 * 1024;

/// What a header-building failure is called in its error.
const CREDENTIAL_SETTING: &str = "session credential";

/// A session the client holds, with the request header that carries its credential, made once
/// (percent-decoding or formatting the ~360-byte credential for every request is measurable).
pub(crate) struct HeldSession {
    pub(crate) stored: StoredSession,
    /// The header, or the name of what could not be put in one: a credential that is not visible
    /// ASCII, is too long, or decodes to bytes a header cannot hold (an old store file, say).
    header: Result<(HeaderName, HeaderValue), &'static str>,
}

impl HeldSession {
    fn new(stored: StoredSession, mode: CredentialMode, project: &str) -> Self {
        let header =
            credential_header(mode, project, &stored.credential).map_err(|_| CREDENTIAL_SETTING);
        Self { stored, header }
    }

    /// The same credential (and so the same header) with other details changed by `amend`.
    pub(crate) fn amended(&self, amend: impl FnOnce(&mut StoredSession)) -> Arc<Self> {
        let mut stored = self.stored.clone();
        amend(&mut stored);
        debug_assert!(
            stored.credential.expose_secret() == self.stored.credential.expose_secret(),
            "amended() keeps the credential"
        );
        Arc::new(Self {
            stored,
            header: self.header.clone(),
        })
    }

    /// The header prepared for the credential, or the error found when it was made.
    pub(crate) fn header(&self) -> Result<&(HeaderName, HeaderValue), ConfigError> {
        self.header
            .as_ref()
            .map_err(|setting| ConfigError::InvalidHeaderValue(setting))
    }

    /// Whether the credential can be sent at all.
    pub(crate) fn is_sendable(&self) -> bool {
        self.header.is_ok()
    }
}

impl fmt::Debug for HeldSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The header holds the credential: only the (redacting) stored session is shown.
        f.debug_struct("HeldSession")
            .field("stored", &self.stored)
            .finish_non_exhaustive()
    }
}

/// The request header that carries `credential` in `mode`: `X-Appwrite-Session` with any URL
/// encoding undone, or `Cookie: a_session_<project>=<credential as received>`. A credential that
/// is not visible ASCII or is longer than [`MAX_CREDENTIAL_BYTES`] is refused as it is.
fn credential_header(
    mode: CredentialMode,
    project: &str,
    credential: &appwrite_models::SessionCredential,
) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let refused = || ConfigError::InvalidHeaderValue(CREDENTIAL_SETTING);
    let raw = credential.expose_secret();
    if raw.len() > MAX_CREDENTIAL_BYTES || !every_byte(raw.as_bytes(), |b| b.is_ascii_graphic()) {
        return Err(refused());
    }
    let (name, value) = match mode {
        CredentialMode::SessionHeader => (
            HeaderName::from_static(credential::SESSION_HEADER),
            match credential::session_header_bytes(credential) {
                Cow::Borrowed(same) => Bytes::copy_from_slice(same),
                Cow::Owned(decoded) => Bytes::from(decoded),
            },
        ),
        CredentialMode::Cookie => (
            COOKIE,
            Bytes::from(credential::cookie_header_value(project, credential)),
        ),
    };
    // What the escapes decode to must be header text too (`%0A` must not end the header).
    if value.is_empty() || !every_byte(&value, |b| (b' '..=b'~').contains(&b)) {
        return Err(refused());
    }
    let mut value = HeaderValue::from_maybe_shared(value).map_err(|_| refused())?;
    value.set_sensitive(true);
    Ok((name, value))
}

/// The session as it was when a request started.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    /// Bumped on every change, so an answer to a request made with an older session never
    /// changes a newer one.
    pub(crate) generation: u64,
    /// Shared with the slot: taking a snapshot copies no credential.
    pub(crate) session: Option<Arc<HeldSession>>,
}

/// Held from the start of a sign-in or sign-out to the end of its store write, so two of them
/// never interleave (and never leak a session). The write owns it: a dropped future cannot
/// release it before its change is both in memory and in the store.
pub(crate) struct SignInGuard {
    _held: OwnedMutexGuard<()>,
}

/// A change of session: the store write and the memory update go together.
enum Change {
    Hold(Arc<HeldSession>),
    Forget(SignOutReason),
}

/// The client's session: one owner for the slot and its generation, the [`AuthState`] channel, the
/// store and the key it is kept under, and the locks that order changes.
pub(crate) struct Sessions {
    slot: Mutex<Snapshot>,
    tx: watch::Sender<AuthState>,
    store: Arc<dyn SessionStore>,
    key: ProfileKey,
    mode: CredentialMode,
    project: String,
    auto_extend: Option<f64>,
    /// Serialises sign-in and sign-out (see [`SignInGuard`]).
    sign_in: Arc<tokio::sync::Mutex<()>>,
    /// Serialises changes: a store write and the memory update that goes with it. A plain mutex,
    /// held inside the blocking task that writes, so changes land in the order they were made.
    write: Mutex<()>,
    /// Held while an automatic extension runs; holds when a failed one may be tried again.
    extending: tokio::sync::Mutex<Option<Instant>>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("profile", &self.key.profile())
            .field("credential_mode", &self.mode)
            .field("store", &self.store)
            .field("auth_state", &*self.tx.borrow())
            .finish_non_exhaustive()
    }
}

impl Sessions {
    /// Restores the session stored under `key`. One whose expiry has passed is dropped and
    /// cleared from the store (a failed clear is logged: the client starts signed out anyway).
    pub(crate) fn restore(
        store: Arc<dyn SessionStore>,
        key: ProfileKey,
        mode: CredentialMode,
        project: &str,
        auto_extend: Option<f64>,
    ) -> Result<Self, StoreError> {
        let (stored, reason) = match store.load(&key)? {
            Some(session) if session.is_expired_at(SystemTime::now()) => {
                if let Err(error) = store.clear(&key) {
                    tracing::warn!(error = %error, "could not clear the expired session from the store");
                }
                (None, SignOutReason::Expired)
            }
            session => (session, SignOutReason::NoSession),
        };
        let session = stored.map(|stored| Arc::new(HeldSession::new(stored, mode, project)));
        let state = session
            .as_ref()
            .map_or(AuthState::SignedOut { reason }, |held| {
                AuthState::of(&held.stored)
            });
        Ok(Self {
            slot: Mutex::new(Snapshot {
                generation: 0,
                session,
            }),
            tx: watch::Sender::new(state),
            store,
            key,
            mode,
            project: project.to_owned(),
            auto_extend,
            sign_in: Arc::new(tokio::sync::Mutex::new(())),
            write: Mutex::new(()),
            extending: tokio::sync::Mutex::new(None),
        })
    }

    pub(crate) fn key(&self) -> &ProfileKey {
        &self.key
    }

    pub(crate) fn mode(&self) -> CredentialMode {
        self.mode
    }

    fn slot(&self) -> MutexGuard<'_, Snapshot> {
        // Every change is a single assignment: a panic elsewhere cannot leave it half made.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        self.slot().clone()
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<AuthState> {
        self.tx.subscribe()
    }

    /// The session `stored`, ready to be held and sent: its credential header is made here, once.
    pub(crate) fn hold(&self, stored: StoredSession) -> Arc<HeldSession> {
        Arc::new(HeldSession::new(stored, self.mode, &self.project))
    }

    /// Waits for any other sign-in or sign-out to finish, including its store write.
    pub(crate) async fn lock_sign_in(&self) -> SignInGuard {
        SignInGuard {
            _held: Arc::clone(&self.sign_in).lock_owned().await,
        }
    }

    /// Holds `session` after a sign-in: saved to the store, then held in memory, as one unit.
    pub(crate) async fn sign_in(
        self: &Arc<Self>,
        guard: SignInGuard,
        session: Arc<HeldSession>,
    ) -> Result<(), StoreError> {
        self.commit(Some(guard), None, Change::Hold(session))
            .await
            .map(drop)
    }

    /// Forgets the session, in memory first (it is no good any more, even when the store cannot
    /// be written) and then in the store, if it is still of `generation` (`None`: whatever it
    /// is). `Ok(false)` when a newer session had taken its place.
    pub(crate) async fn sign_out(
        self: &Arc<Self>,
        guard: Option<SignInGuard>,
        reason: SignOutReason,
        generation: Option<u64>,
    ) -> Result<bool, StoreError> {
        self.commit(guard, generation, Change::Forget(reason)).await
    }

    /// Replaces the session of `generation` with `session` (a new expiry, say), in the store and
    /// in memory; nothing when a newer session had taken its place.
    pub(crate) async fn replace(
        self: &Arc<Self>,
        generation: u64,
        session: Arc<HeldSession>,
    ) -> Result<bool, StoreError> {
        self.commit(None, Some(generation), Change::Hold(session))
            .await
    }

    /// Applies what a successful answer to a request that carried `held` (of `generation`) says
    /// about the session: a new credential replaces it, a cleared one is forgotten.
    pub(crate) async fn apply(
        self: &Arc<Self>,
        generation: u64,
        held: &HeldSession,
        update: CredentialUpdate,
    ) {
        let outcome = match update {
            CredentialUpdate::Set { credential, .. }
                if credential.expose_secret() != held.stored.credential.expose_secret() =>
            {
                let mut updated = held.stored.clone();
                updated.credential = credential;
                self.replace(generation, self.hold(updated)).await
            }
            CredentialUpdate::Cleared => {
                self.sign_out(None, SignOutReason::Cleared, Some(generation))
                    .await
            }
            _ => Ok(true),
        };
        if let Err(error) = outcome {
            tracing::warn!(error = %error, "could not store the session update");
        }
    }

    /// The held session and its generation, unless there is none; one whose expiry has passed is
    /// forgotten here instead of being sent.
    pub(crate) async fn usable(self: &Arc<Self>) -> Option<(u64, Arc<HeldSession>)> {
        let snapshot = self.snapshot();
        let session = snapshot.session?;
        if session.stored.is_expired_at(SystemTime::now()) {
            let forgotten = self
                .sign_out(None, SignOutReason::Expired, Some(snapshot.generation))
                .await;
            if let Err(error) = forgotten {
                tracing::warn!(error = %error, "could not clear the expired session from the store");
            }
            return None;
        }
        Some((snapshot.generation, session))
    }

    /// The store write and the memory update of `change`, as one unit: run inline when the store
    /// never blocks (no await point inside), else in a blocking task that owns the whole unit and
    /// runs to its end even if this future is dropped. `guard` is released only after it.
    async fn commit(
        self: &Arc<Self>,
        guard: Option<SignInGuard>,
        expected: Option<u64>,
        change: Change,
    ) -> Result<bool, StoreError> {
        if !self.store.is_blocking() {
            let _guard = guard;
            return self.commit_now(expected, change);
        }
        let sessions = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _guard = guard;
            sessions.commit_now(expected, change)
        })
        .await
        .map_err(|e| StoreError::Task(Box::new(e)))?
    }

    fn commit_now(&self, expected: Option<u64>, change: Change) -> Result<bool, StoreError> {
        let _write = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        if expected.is_some_and(|generation| self.slot().generation != generation) {
            return Ok(false);
        }
        match change {
            Change::Hold(session) => {
                self.store.save(&self.key, &session.stored)?;
                self.set(Some(session), SignOutReason::NoSession);
            }
            Change::Forget(reason) => {
                self.set(None, reason);
                self.store.clear(&self.key)?;
            }
        }
        Ok(true)
    }

    /// Replaces the session in memory and publishes the new state. Forgetting when nothing is
    /// held changes nothing (the first reason stays).
    fn set(&self, session: Option<Arc<HeldSession>>, reason: SignOutReason) {
        let mut slot = self.slot();
        if session.is_none() && slot.session.is_none() {
            return;
        }
        let state = session
            .as_ref()
            .map_or(AuthState::SignedOut { reason }, |held| {
                AuthState::of(&held.stored)
            });
        slot.session = session;
        slot.generation += 1;
        // Published while the slot is locked, so states arrive in the order of the changes.
        self.tx.send_replace(state);
    }

    /// Runs the optional sliding extension before a request: when less than the configured share
    /// of the session's lifetime is left, `extend()` once. Concurrent requests do not wait for it
    /// (their credential is still valid); a failed extension is logged and not tried again for a
    /// minute.
    pub(crate) async fn extend_if_due<F, E>(&self, extend: impl FnOnce() -> F)
    where
        F: Future<Output = Result<(), E>>,
        E: fmt::Display,
    {
        let Some(share) = self.auto_extend else {
            return;
        };
        if !self.needs_extension(share) {
            return;
        }
        let Ok(mut retry_at) = self.extending.try_lock() else {
            return; // another request is extending it right now
        };
        if retry_at.is_some_and(|at| Instant::now() < at) || !self.needs_extension(share) {
            return;
        }
        // Boxed: it is rarely due, and inline it would make every request's future as big as
        // two requests' (the extension is itself a request).
        match Box::pin(extend()).await {
            Ok(()) => *retry_at = None,
            Err(error) => {
                tracing::debug!(error = %error, "automatic session extension failed");
                *retry_at = Some(Instant::now() + EXTEND_RETRY_AFTER);
            }
        }
    }

    fn needs_extension(&self, share: f64) -> bool {
        let Some(held) = self.snapshot().session else {
            return false;
        };
        let (Some(expire), Some(saved)) = (
            held.stored.expire.to_system_time(),
            held.stored.saved_at.to_system_time(),
        ) else {
            return false;
        };
        let now = SystemTime::now();
        let (Ok(lifetime), Ok(left)) = (expire.duration_since(saved), expire.duration_since(now))
        else {
            return false; // expired: dropped before the request instead
        };
        !left.is_zero() && left.as_secs_f64() < lifetime.as_secs_f64() * share
    }
}
