//! The official `appwrite` 0.22.0 crate's `Users::create_token`, run the way `appwrite-bench`
//! runs every scenario: `--scenario token-official --c C --n N --endpoint URL --json` prints one
//! JSON sample. The driver and the statistics are the bench's own files, compiled in here.

use std::hint::black_box;
use std::process::ExitCode;

#[allow(dead_code)] // drive_prepared is for the client scenarios
#[path = "../../src/driver.rs"]
mod driver;
#[allow(dead_code)] // the parent's summary half is not used here
#[path = "../../src/stats.rs"]
mod stats;

use driver::{Ctx, drive};
use stats::Sample;

/// The error type of the runner (the driver's files name it `crate::BoxError`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

// The same values as bench/src/canned_server.rs; the canned server refuses anything else.
const PROJECT: &str = "bench";
const API_KEY: &str = "bench-key";
const USER_ID: &str = "user-42";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("appwrite-bench-official: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let (mut c, mut n, mut endpoint, mut json) = (1, 1000, String::new(), false);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--scenario" => {
                let name = value()?;
                if name != "token-official" {
                    return Err(format!("this runner only runs token-official, not {name}").into());
                }
            }
            "--c" => c = value()?.parse()?,
            "--n" => n = value()?.parse()?,
            "--endpoint" => endpoint = value()?,
            "--json" => json = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let ctx = Ctx { endpoint, n, c };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let timed = runtime.block_on(token_official(&ctx))?;
    let sample = Sample::new(
        "token-official",
        c,
        timed.latencies_ns,
        timed.wall,
        stats::peak_rss_kib(),
    );
    if json {
        println!("{}", serde_json::to_string(&sample)?);
    } else {
        println!(
            "token-official c={c}: {:.0} calls/s, p50 {:.1} µs, p99 {:.1} µs",
            sample.calls_per_s, sample.p50_us, sample.p99_us
        );
    }
    Ok(())
}

/// `create_token` through the official crate: one client, `Users::create_token(id, None, None)`.
async fn token_official(ctx: &Ctx) -> Result<driver::Timed, BoxError> {
    let client = appwrite::Client::new()
        .set_endpoint(ctx.endpoint.as_str())
        .set_project(PROJECT)
        .set_key(API_KEY);
    let users = appwrite::services::users::Users::new(&client);
    drive(ctx, move |_, _| {
        let users = users.clone();
        async move {
            let token = users.create_token(USER_ID, None, None).await?;
            black_box(token);
            Ok(None)
        }
    })
    .await
}
