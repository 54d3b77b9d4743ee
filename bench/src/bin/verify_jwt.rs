//! What `Users::verify_jwt` costs with and without its `JwtCache`, against the emulator on
//! loopback (the cheapest Appwrite there is: a real server adds its network round trip and its
//! database read to every uncached call).
//!
//! ```text
//! cargo run --release -p appwrite-bench --bin verify_jwt [-- N]
//! ```
//!
//! It prints the mean, median and 99th-percentile time per call and the calls per second, one
//! call at a time, for: no cache (every call is `GET /account`), a cache hit (the same token
//! again), and a cache miss (a new token each call, so each call asks and then fills the cache).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use appwrite_emulator::Emulator;
use appwrite_server::{Client, JwtCache, SessionId, Users};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Timed calls per case unless the first argument says otherwise.
const DEFAULT_N: usize = 5_000;
/// Untimed calls before each case, to warm connections and caches.
const WARMUP: usize = 200;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let n = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => DEFAULT_N,
    };
    let emulator = Emulator::builder()
        .project("bench")
        .api_key("bench-key")
        .rate_limit(false)
        .start()
        .await?;
    let client = Client::builder()
        .endpoint(emulator.endpoint())
        .project("bench")
        .api_key("bench-key")
        .build()?;
    let users = Users::new(&client);
    let user = users.get_or_create("bench-user").await?;
    let session = users.create_session(user.id.clone()).await?;
    // A JWT is a function of its user, session and expiry second: tokens minted in the same
    // second for the same session with the same duration are the same string.
    let jwt = |session_id: SessionId, seconds: u64| {
        let users = users.clone();
        let user_id = user.id.clone();
        async move {
            let jwt = users
                .create_jwt(user_id)
                .session_id(session_id)
                .duration(Duration::from_secs(seconds))
                .await?;
            Ok::<_, BoxError>(jwt.jwt.expose_secret().to_owned())
        }
    };
    let token = jwt(session.id.clone(), 900).await?;

    println!("verify_jwt, one call at a time, emulator on loopback, {n} calls per case");
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>12}",
        "case", "mean", "p50", "p99", "calls/s"
    );

    let plain = users.clone();
    let times = time(n, |_| {
        let (users, token) = (plain.clone(), token.clone());
        async move { users.verify_jwt(token).await.map(drop).map_err(Into::into) }
    })
    .await?;
    report("no cache (GET /account each call)", &times);

    let cached = users.clone().with_jwt_cache(JwtCache::new(100_000));
    let times = time(n, |_| {
        let (users, token) = (cached.clone(), token.clone());
        async move { users.verify_jwt(token).await.map(drop).map_err(Into::into) }
    })
    .await?;
    report("cache hit (same token)", &times);

    // Distinct tokens, minted before timing: each timed call misses, asks, and fills the cache.
    // Each (session, duration) pair gives a different token; durations of 10 to 60 minutes keep
    // them all valid for the whole run.
    let mut tokens = Vec::with_capacity(n + WARMUP);
    let mut session_id = session.id.clone();
    for i in 0..n + WARMUP {
        let step = u64::try_from(i % 3000)?;
        if i > 0 && step == 0 {
            session_id = users.create_session(user.id.clone()).await?.id;
        }
        tokens.push(jwt(session_id.clone(), 600 + step).await?);
    }
    let distinct: HashSet<&String> = tokens.iter().collect();
    if distinct.len() != tokens.len() {
        return Err("the minted tokens are not all different".into());
    }
    let fresh = users.clone().with_jwt_cache(JwtCache::new(100_000));
    let times = time(n, |i| {
        let (users, token) = (fresh.clone(), tokens[i].clone());
        async move { users.verify_jwt(token).await.map(drop).map_err(Into::into) }
    })
    .await?;
    report("cache miss (new token each call)", &times);
    Ok(())
}

/// Runs `call(i)` for `WARMUP` untimed then `n` timed calls, one at a time.
async fn time<F, Fut>(n: usize, call: F) -> Result<Vec<Duration>, BoxError>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    for i in 0..WARMUP {
        call(i).await?;
    }
    let mut times = Vec::with_capacity(n);
    for i in WARMUP..WARMUP + n {
        let started = Instant::now();
        call(i).await?;
        times.push(started.elapsed());
    }
    times.sort_unstable();
    Ok(times)
}

fn report(case: &str, sorted: &[Duration]) {
    let total: Duration = sorted.iter().sum();
    let count = u32::try_from(sorted.len()).unwrap_or(u32::MAX).max(1);
    let mean = total / count;
    let at = |p: usize| sorted[(sorted.len() * p / 100).min(sorted.len() - 1)];
    println!(
        "{case:<34} {:>10} {:>10} {:>10} {:>12.0}",
        format!("{mean:.1?}"),
        format!("{:.1?}", at(50)),
        format!("{:.1?}", at(99)),
        1.0 / mean.as_secs_f64()
    );
}
