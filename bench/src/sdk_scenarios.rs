//! Scenarios that drive this workspace's crates: `appwrite-server`, `appwrite-client` (with
//! `MemoryStore` and `FileStore`), `FileStore` alone, and `appwrite-emulator`.
//!
//! A client that already holds a session revokes it before `create_session` makes a new one, so
//! the session scenarios use a **fresh `appwrite_client::Client` for every call** (sharing one
//! `reqwest::Client`, built with the settings the SDK would use, through `.http_client`). The
//! clients are built before the calls, a round of [`ROUND`] at a time with
//! the clock stopped, and dropped after their round ([`drive_prepared`]): calls/s and latencies
//! cover the requests only, as in the raw baseline. The mean build cost (for `FileStore` with the
//! removal of the file a previous round left) is reported apart (`setup_us`).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use appwrite_client::{Account, FileStore, MemoryStore, ProfileKey, SessionStore, StoredSession};
use appwrite_models::{Datetime, SessionCredential};

use crate::BoxError;
use crate::canned_server::{API_KEY, PROJECT, TOKEN_SECRET, USER_ID};
use crate::driver::{Ctx, ROUND, Timed, drive, drive_prepared};
use crate::scenarios::raw_http_client;

/// Users the emulator scenarios create up front; calls go round-robin over them.
const EMULATOR_USERS: usize = 256;

/// Runs one of the SDK or emulator scenarios; the second value is the mean per-call setup time
/// in microseconds, where a scenario has one.
pub async fn run(name: &str, ctx: &Ctx) -> Result<(Timed, Option<f64>), BoxError> {
    match name {
        "token-server" => Ok((token_server(ctx).await?, None)),
        "session-memory" => session_client(ctx, false).await,
        "session-file" => session_client(ctx, true).await,
        "get-client" => Ok((get_client(ctx).await?, None)),
        "filestore-save" => Ok((filestore(ctx, true).await?, None)),
        "filestore-load" => Ok((filestore(ctx, false).await?, None)),
        "emulator-token" => Ok((emulator_token(ctx).await?, None)),
        "emulator-session" => emulator_session(ctx).await,
        other => Err(format!("no scenario {other}").into()),
    }
}

/// The size of each measured call's boxed future, in this build: `(call, bytes)`. Nothing is
/// sent; the futures are made and dropped.
pub fn future_sizes() -> Result<Vec<(&'static str, usize)>, BoxError> {
    use std::future::IntoFuture as _;
    let endpoint = "http://127.0.0.1:9/v1";
    let client = appwrite_client::Client::builder()
        .endpoint(endpoint)
        .project(PROJECT)
        .session_store(MemoryStore::new())
        .build()?;
    let account = Account::new(&client);
    let users = appwrite_server::Users::new(&server_client(endpoint)?);
    Ok(vec![
        (
            "appwrite-client `Account::get`",
            account.get().state_bytes(),
        ),
        (
            "appwrite-client `Account::create_session`",
            account.create_session(USER_ID, TOKEN_SECRET).state_bytes(),
        ),
        (
            "appwrite-server `Users::create_token`",
            users.create_token(USER_ID).into_future().state_bytes(),
        ),
    ])
}

fn server_client(endpoint: &str) -> Result<appwrite_server::Client, BoxError> {
    Ok(appwrite_server::Client::builder()
        .endpoint(endpoint)
        .project(PROJECT)
        .api_key(API_KEY)
        .build()?)
}

/// `Users::create_token` through `appwrite-server`, with the client it builds itself.
async fn token_server(ctx: &Ctx) -> Result<Timed, BoxError> {
    let users = appwrite_server::Users::new(&server_client(&ctx.endpoint)?);
    drive(ctx, move |_, _| {
        let request = users.create_token(USER_ID);
        async move {
            let token = request.await?;
            black_box(token);
            Ok(None)
        }
    })
    .await
}

/// `Account::get` through `appwrite-client` on one client that holds a session (restored from a
/// `MemoryStore` at build, so no sign-in is measured).
async fn get_client(ctx: &Ctx) -> Result<Timed, BoxError> {
    let http = raw_http_client()?;
    let store = MemoryStore::new();
    let build = || {
        appwrite_client::Client::builder()
            .endpoint(&ctx.endpoint)
            .project(PROJECT)
            .http_client(http.clone())
            .session_store(store.clone())
            .build()
    };
    let key = build()?.profile_key().clone();
    let session = StoredSession::new(
        SessionCredential::new(appwrite_models::credential::encode(USER_ID, "s")),
        USER_ID,
        "session-1",
        Datetime::from(std::time::SystemTime::now() + Duration::from_secs(86_400)),
        "token",
    );
    store.save(&key, &session)?;
    let client = build()?;
    if !client.is_signed_in() {
        return Err("the client did not restore the session".into());
    }
    let account = Account::new(&client);
    drive(ctx, move |_, _| {
        let get = account.get();
        async move {
            black_box(get.await?);
            Ok(None)
        }
    })
    .await
}

/// Mean of a total setup time over `calls` calls, in µs.
#[allow(clippy::cast_precision_loss)]
fn mean_us(total: Duration, calls: usize) -> f64 {
    total.as_secs_f64() * 1e6 / calls.max(1) as f64
}

/// A fresh client on the shared `reqwest::Client`, with a new `MemoryStore` or a `FileStore` at
/// `file` (whose previous file is removed first, so nothing is restored).
fn fresh_client(
    endpoint: &str,
    http: &reqwest::Client,
    file: Option<&Path>,
) -> Result<appwrite_client::Client, BoxError> {
    let builder = appwrite_client::Client::builder()
        .endpoint(endpoint)
        .project(PROJECT)
        .http_client(http.clone());
    let builder = match file {
        Some(path) => {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
            builder.session_store(FileStore::new(path))
        }
        None => builder.session_store(MemoryStore::new()),
    };
    Ok(builder.build()?)
}

/// `Account::create_session` then `Account::get` through `appwrite-client`, each call on a client
/// built beforehand (untimed); the two requests are what is timed.
async fn session_client(ctx: &Ctx, file: bool) -> Result<(Timed, Option<f64>), BoxError> {
    let http = raw_http_client()?;
    let dir = tempfile::tempdir()?;
    // One file per client of a round; a round's clients are dropped before the next is built.
    let paths: Vec<PathBuf> = (0..ROUND)
        .map(|i| dir.path().join(format!("sessions-{i}.json")))
        .collect();
    let endpoint = ctx.endpoint.clone();
    let (timed, setup) = drive_prepared(
        ctx,
        |call| {
            let path = file.then(|| paths[call % ROUND].as_path());
            fresh_client(&endpoint, &http, path).map(|client| Account::new(&client))
        },
        |_, _, account| {
            let account = account.clone();
            async move {
                let session = account.create_session(USER_ID, TOKEN_SECRET).await?;
                let user = account.get().await?;
                black_box((session, user));
                Ok(None)
            }
        },
    )
    .await?;
    drop(dir);
    let calls = ctx.n + ctx.warmup();
    Ok((timed, Some(mean_us(setup, calls))))
}

/// `SessionStore::save` or `SessionStore::load` of a `FileStore`, one file per worker, each call
/// on the blocking pool as the client makes it; only the store call itself is timed.
async fn filestore(ctx: &Ctx, save: bool) -> Result<Timed, BoxError> {
    let dir = tempfile::tempdir()?;
    let key = ProfileKey::new(&ctx.endpoint, PROJECT, None);
    let credential = appwrite_models::credential::encode(USER_ID, &"5e4f".repeat(64));
    let session = StoredSession::new(
        SessionCredential::new(credential),
        USER_ID,
        "6530b3f4c9d8e7f6a5b4",
        Datetime::now().saturating_add(Duration::from_secs(365 * 24 * 3600)),
        "token",
    );
    let stores: Vec<Arc<FileStore>> = (0..ctx.c)
        .map(|w| {
            Arc::new(FileStore::new(
                dir.path().join(format!("sessions-{w}.json")),
            ))
        })
        .collect();
    for store in &stores {
        store.save(&key, &session)?;
    }
    let stores = Arc::new(stores);
    let shared = Arc::new((key, session));
    let timed = drive(ctx, move |worker, _| {
        let store = stores[worker].clone();
        let shared = shared.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let (key, session) = &*shared;
                let started = Instant::now();
                if save {
                    store.save(key, session)?;
                } else {
                    let loaded = store.load(key)?.ok_or("the saved session is gone")?;
                    black_box(loaded);
                }
                Ok::<_, BoxError>(Some(started.elapsed()))
            })
            .await?
        }
    })
    .await?;
    drop(dir);
    Ok(timed)
}

async fn start_emulator() -> Result<appwrite_emulator::Emulator, BoxError> {
    Ok(appwrite_emulator::Emulator::builder()
        .project(PROJECT)
        .api_key(API_KEY)
        .rate_limit(false)
        .start()
        .await?)
}

/// Creates the emulator's users, 32 requests at a time (outside the timed phase).
async fn create_users(users: &appwrite_server::Users) -> Result<Arc<Vec<String>>, BoxError> {
    let ids: Vec<String> = (0..EMULATOR_USERS)
        .map(|i| format!("bench-user-{i}"))
        .collect();
    for chunk in ids.chunks(32) {
        let mut tasks = tokio::task::JoinSet::new();
        for id in chunk {
            let request = users.create(id.as_str());
            tasks.spawn(async move { request.await.map(drop) });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
    }
    Ok(Arc::new(ids))
}

/// `POST /users/{id}/tokens` on the emulator through `appwrite-server`.
async fn emulator_token(ctx: &Ctx) -> Result<Timed, BoxError> {
    let emulator = start_emulator().await?;
    let users = appwrite_server::Users::new(&server_client(emulator.endpoint())?);
    let ids = create_users(&users).await?;
    let timed = drive(ctx, move |_, call| {
        let request = users.create_token(ids[call % ids.len()].as_str());
        async move {
            let token = request.await?;
            black_box(token);
            Ok(None)
        }
    })
    .await?;
    emulator.shutdown().await;
    Ok(timed)
}

/// `POST /account/sessions/token` on the emulator through `appwrite-client`, one fresh client per
/// call, built beforehand (untimed); every call spends its own token, issued before the timed
/// phase.
async fn emulator_session(ctx: &Ctx) -> Result<(Timed, Option<f64>), BoxError> {
    let emulator = start_emulator().await?;
    let endpoint = emulator.endpoint().to_owned();
    let users = appwrite_server::Users::new(&server_client(&endpoint)?);
    let ids = create_users(&users).await?;

    let total = ctx.warmup() + ctx.n;
    let mut tokens: Vec<Option<(String, String)>> = vec![None; total];
    for (chunk_index, chunk) in tokens.chunks_mut(32).enumerate() {
        let mut tasks = tokio::task::JoinSet::new();
        for offset in 0..chunk.len() {
            let call = chunk_index * 32 + offset;
            let request = users.create_token(ids[call % ids.len()].as_str());
            tasks.spawn(async move { request.await.map(|t| (offset, t)) });
        }
        while let Some(done) = tasks.join_next().await {
            let (offset, token) = done??;
            chunk[offset] = Some((
                token.user_id.as_str().to_owned(),
                token.secret.expose_secret().to_owned(),
            ));
        }
    }
    let tokens: Arc<Vec<(String, String)>> = Arc::new(tokens.into_iter().flatten().collect());
    if tokens.len() != total {
        return Err("not every token was issued".into());
    }

    let http = raw_http_client()?;
    let (timed, setup) = drive_prepared(
        ctx,
        |_| fresh_client(&endpoint, &http, None).map(|client| Account::new(&client)),
        move |_, call, account| {
            let account = account.clone();
            let tokens = tokens.clone();
            async move {
                let (user_id, secret) = &tokens[call];
                let session = account
                    .create_session(user_id.as_str(), secret.as_str())
                    .await?;
                black_box(session);
                Ok(None)
            }
        },
    )
    .await?;
    emulator.shutdown().await;
    Ok((timed, Some(mean_us(setup, total))))
}
