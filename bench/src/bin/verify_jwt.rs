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
//!
//! Then the single flight: rounds of 100 concurrent calls with one fresh token, with and without
//! the cache, counting the `GET /account` requests that reach the emulator (through a counting
//! relay) and timing each call.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

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

    // The single flight: each round mints a token no call has seen, then releases 100 calls
    // with it at once.
    let (relay, requests) = counting_relay(emulator.local_addr()).await?;
    let through_relay = Users::new(
        &Client::builder()
            .endpoint(format!("http://{relay}/v1"))
            .project("bench")
            .api_key("bench-key")
            .build()?,
    );
    println!();
    println!(
        "{CONCURRENT} concurrent calls with one fresh token, {ROUNDS} rounds: GET /account sent per round"
    );
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10} {:>12}",
        "case", "mean", "p50", "p99", "max", "requests"
    );
    // A session of their own: the tokens above used its durations already.
    let round_session = users.create_session(user.id.clone()).await?.id;
    let mut round_tokens = Vec::with_capacity(2 * ROUNDS);
    for i in 0..2 * ROUNDS {
        round_tokens.push(jwt(round_session.clone(), 600 + u64::try_from(i)?).await?);
    }
    let single_flight = through_relay.clone().with_jwt_cache(JwtCache::new(100_000));
    let (times, sent) = rounds(&single_flight, &round_tokens[..ROUNDS], &requests).await?;
    report_rounds("cache (one shared request)", &times, &sent);
    let (times, sent) = rounds(&through_relay, &round_tokens[ROUNDS..], &requests).await?;
    report_rounds("no cache (a request per call)", &times, &sent);
    Ok(())
}

/// Calls per round of the single-flight case.
const CONCURRENT: usize = 100;
/// Rounds of the single-flight case.
const ROUNDS: usize = 20;

/// For each token, `CONCURRENT` calls released at once: every call's time, and the requests each
/// round sent.
async fn rounds(
    users: &Users,
    tokens: &[String],
    requests: &AtomicUsize,
) -> Result<(Vec<Duration>, Vec<usize>), BoxError> {
    let mut times = Vec::with_capacity(tokens.len() * CONCURRENT);
    let mut sent = Vec::with_capacity(tokens.len());
    for token in tokens {
        let before = requests.load(Ordering::SeqCst);
        let start = Arc::new(tokio::sync::Barrier::new(CONCURRENT));
        let calls: Vec<_> = (0..CONCURRENT)
            .map(|_| {
                let (users, token, start) = (users.clone(), token.clone(), Arc::clone(&start));
                tokio::spawn(async move {
                    start.wait().await;
                    let started = Instant::now();
                    users.verify_jwt(token).await.map(|_| started.elapsed())
                })
            })
            .collect();
        for call in calls {
            times.push(call.await??);
        }
        sent.push(requests.load(Ordering::SeqCst) - before);
    }
    times.sort_unstable();
    Ok((times, sent))
}

fn report_rounds(case: &str, sorted: &[Duration], sent: &[usize]) {
    let total: Duration = sorted.iter().sum();
    let mean = total / u32::try_from(sorted.len()).unwrap_or(u32::MAX).max(1);
    let at = |p: usize| sorted[(sorted.len() * p / 100).min(sorted.len() - 1)];
    let requests = if sent.iter().min() == sent.iter().max() {
        sent.first().map_or_else(String::new, ToString::to_string)
    } else {
        format!(
            "{}..{}",
            sent.iter().min().unwrap_or(&0),
            sent.iter().max().unwrap_or(&0)
        )
    };
    println!(
        "{case:<34} {:>10} {:>10} {:>10} {:>10} {:>12}",
        format!("{mean:.1?}"),
        format!("{:.1?}", at(50)),
        format!("{:.1?}", at(99)),
        format!("{:.1?}", at(100)),
        requests
    );
}

/// A TCP relay to `upstream` that counts the `GET /v1/account ` request lines it carries: the
/// requests that reached the server, whatever the SDK thinks it sent.
async fn counting_relay(upstream: SocketAddr) -> Result<(SocketAddr, Arc<AtomicUsize>), BoxError> {
    const LINE: &[u8] = b"GET /v1/account ";
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let requests = async move {
                    // The end of the last read, so a line split between two reads counts too.
                    let mut seen: Vec<u8> = Vec::new();
                    let mut buffer = vec![0; 16 * 1024];
                    while let Ok(read @ 1..) = client_read.read(&mut buffer).await {
                        let kept = seen.len();
                        seen.extend_from_slice(&buffer[..read]);
                        let found = seen
                            .windows(LINE.len())
                            .enumerate()
                            .filter(|(at, window)| at + LINE.len() > kept && *window == LINE)
                            .count();
                        counter.fetch_add(found, Ordering::SeqCst);
                        let tail = seen.len().saturating_sub(LINE.len() - 1);
                        seen.drain(..tail);
                        if server_write.write_all(&buffer[..read]).await.is_err() {
                            return;
                        }
                    }
                };
                let answers = async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                };
                tokio::join!(requests, answers);
            });
        }
    });
    Ok((address, requests))
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
