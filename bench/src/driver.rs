//! The driver that runs one scenario: `c` workers take call numbers from a shared counter until
//! `n` calls are done, each call timed on its own. A warm-up of `max(n / 10, c)` untimed calls
//! comes first (connections opened, allocator and caches warm). [`drive_prepared`] does the same
//! for calls that each need an object made beforehand (a fresh client), with the clock stopped
//! while the objects are made.
//!
//! This file is also compiled into `bench/official` (the official-SDK runner, which lives in a
//! workspace of its own), so it uses nothing but std, tokio and the crate's `BoxError`.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::BoxError;

/// What a scenario run needs to know.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The canned server's endpoint, `http://127.0.0.1:PORT/v1`.
    pub endpoint: String,
    /// Timed calls.
    pub n: usize,
    /// Concurrency.
    pub c: usize,
}

impl Ctx {
    /// Untimed calls made before the timed ones.
    pub fn warmup(&self) -> usize {
        (self.n / 10).max(self.c)
    }
}

/// A timed phase: one latency per call, and the wall-clock time of the whole phase.
#[derive(Debug)]
pub struct Timed {
    /// Latency of each call, in nanoseconds.
    pub latencies_ns: Vec<u64>,
    /// Wall-clock time from the first call's start to the last call's end.
    pub wall: Duration,
}

/// Runs `op(worker, call)` for warm-up calls `0..warmup`, then, timed, for calls
/// `warmup..warmup + n`, with `c` workers. `op` returns `Some(latency)` when it timed the part
/// that counts itself (leaving out per-call setup), `None` to be timed whole.
pub async fn drive<F, Fut>(ctx: &Ctx, op: F) -> Result<Timed, BoxError>
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<Duration>, BoxError>> + Send + 'static,
{
    let op = Arc::new(op);
    let warmup = ctx.warmup();
    phase(&op, 0, warmup, ctx.c).await?;
    let started = Instant::now();
    let latencies_ns = phase(&op, warmup, ctx.n, ctx.c).await?;
    Ok(Timed {
        latencies_ns,
        wall: started.elapsed(),
    })
}

/// Calls per round of [`drive_prepared`]: the objects of one round are alive at once.
pub const ROUND: usize = 1000;

/// Like [`drive`], for calls that each need an object of their own, made before the call and
/// outside the timing (a fresh client, say). The calls run in rounds of at most [`ROUND`]: before
/// each round, with the clock stopped and no call in flight, `prepare(call)` makes one object per
/// call of the round; then the round's calls run as in [`drive`], `op(worker, call, &object)`;
/// after it, with the clock stopped again, the objects are dropped. The wall-clock time is the sum
/// of the rounds' times, so it covers the calls and nothing else. Also returns the total time
/// `prepare` took over every call, warm-up included.
pub async fn drive_prepared<T, P, F, Fut>(
    ctx: &Ctx,
    mut prepare: P,
    op: F,
) -> Result<(Timed, Duration), BoxError>
where
    T: Send + Sync + 'static,
    P: FnMut(usize) -> Result<T, BoxError>,
    F: Fn(usize, usize, &T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<Duration>, BoxError>> + Send + 'static,
{
    let op = Arc::new(op);
    let mut setup = Duration::ZERO;
    let warmup = ctx.warmup();
    let mut latencies_ns = Vec::with_capacity(ctx.n);
    let mut wall = Duration::ZERO;
    for (first, n, timed) in [(0, warmup, false), (warmup, ctx.n, true)] {
        let mut done = 0;
        while done < n {
            let round = (n - done).min(ROUND);
            let start = first + done;
            let made = Instant::now();
            let objects = (start..start + round)
                .map(&mut prepare)
                .collect::<Result<Vec<T>, _>>()?;
            setup += made.elapsed();
            let objects = Arc::new(objects);
            let call_op = {
                let (op, objects) = (op.clone(), objects.clone());
                Arc::new(move |worker: usize, call: usize| op(worker, call, &objects[call - start]))
            };
            let started = Instant::now();
            let latencies = phase(&call_op, start, round, ctx.c).await?;
            let took = started.elapsed();
            drop(call_op);
            drop(objects);
            if timed {
                latencies_ns.extend(latencies);
                wall += took;
            }
            done += round;
        }
    }
    Ok((Timed { latencies_ns, wall }, setup))
}

async fn phase<F, Fut>(op: &Arc<F>, first: usize, n: usize, c: usize) -> Result<Vec<u64>, BoxError>
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<Duration>, BoxError>> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::with_capacity(c);
    for worker in 0..c {
        let op = op.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(n / c + 1);
            loop {
                let call = next.fetch_add(1, Ordering::Relaxed);
                if call >= n {
                    break;
                }
                let started = Instant::now();
                let own = op(worker, first + call).await?;
                let took = own.unwrap_or_else(|| started.elapsed());
                latencies.push(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
            }
            Ok::<_, BoxError>(latencies)
        }));
    }
    let mut all = Vec::with_capacity(n);
    for worker in workers {
        all.extend(worker.await??);
    }
    Ok(all)
}
