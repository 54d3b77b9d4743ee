//! `appwrite-bench`: calls per second, latency and peak memory of the Appwrite custom-token SDKs,
//! side by side with raw `reqwest` and the official `appwrite` crate, against a canned-response
//! server on loopback, plus the emulator's own throughput.
//!
//! ```text
//! cargo run --release -p appwrite-bench [-- --n N --c 1,32 --reps R --only <scenario,...>]
//! ```
//!
//! The parent process starts the canned server, then runs every scenario at every concurrency in
//! a child process of its own (the same binary with `--scenario X --json`), so that each
//! scenario's peak RSS is its own. It prints a Markdown table, the machine, the dependency-tree
//! sizes and PASS/MISS per target.

mod canned_server;
mod driver;
mod report;
mod scenarios;
mod sdk_scenarios;
mod stats;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::driver::Ctx;
use crate::scenarios::Scenario;
use crate::stats::{Sample, Summary};

/// The error type of the whole benchmark.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Default timed calls per scenario run.
const DEFAULT_N: usize = 10_000;
/// Default concurrencies.
const DEFAULT_C: &[usize] = &[1, 32];
/// Default repetitions (the median is reported).
const DEFAULT_REPS: usize = 3;
/// A child that takes longer than this is stopped and its scenario reported as failed.
const CHILD_TIMEOUT: Duration = Duration::from_secs(240);

const USAGE: &str = "\
usage: cargo run --release -p appwrite-bench [-- OPTIONS]

  --n N            timed calls per scenario run (default 10000; session-file and filestore-save use N/10)
  --c 1,32         concurrencies (default 1,32)
  --reps R         repetitions; the median is reported (default 3)
  --only A,B       only these scenarios (a name, or a prefix such as token or session)
  --list           list the scenarios and exit
  --serve SECS     only run the canned server for SECS seconds and print its endpoint
                   (to run one scenario by hand, e.g. under valgrind, with the flags below)

internal (the parent runs each scenario as a child process this way):
  --scenario X --c C --n N --endpoint URL --json
  --current-thread  run the scenario on a current-thread runtime (for callgrind instruction
                    counts without worker-thread hand-offs; C=1 only makes sense there)
";

/// Parsed command line.
#[derive(Debug)]
struct Args {
    n: usize,
    cs: Vec<usize>,
    reps: usize,
    only: Option<Vec<String>>,
    scenario: Option<String>,
    endpoint: Option<String>,
    json: bool,
    current_thread: bool,
    list: bool,
    serve: Option<u64>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, BoxError> {
    let mut parsed = Args {
        n: DEFAULT_N,
        cs: DEFAULT_C.to_vec(),
        reps: DEFAULT_REPS,
        only: None,
        scenario: None,
        endpoint: None,
        json: false,
        current_thread: false,
        list: false,
        serve: None,
    };
    while let Some(flag) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| BoxError::from(format!("{name} needs a value")))
        };
        match flag.as_str() {
            "--n" => parsed.n = value("--n")?.parse()?,
            "--c" => {
                parsed.cs = value("--c")?
                    .split(',')
                    .map(|c| c.trim().parse::<usize>())
                    .collect::<Result<_, _>>()?;
            }
            "--reps" => parsed.reps = value("--reps")?.parse()?,
            "--only" => {
                parsed.only = Some(
                    value("--only")?
                        .split(',')
                        .map(|s| s.trim().to_owned())
                        .collect(),
                );
            }
            "--scenario" => parsed.scenario = Some(value("--scenario")?),
            "--endpoint" => parsed.endpoint = Some(value("--endpoint")?),
            "--json" => parsed.json = true,
            "--current-thread" => parsed.current_thread = true,
            "--list" => parsed.list = true,
            "--serve" => parsed.serve = Some(value("--serve")?.parse()?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n\n{USAGE}").into()),
        }
    }
    if parsed.n == 0 || parsed.reps == 0 || parsed.cs.is_empty() || parsed.cs.contains(&0) {
        return Err("--n, --reps and every --c must be at least 1".into());
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)).and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("appwrite-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), BoxError> {
    if args.list {
        for s in scenarios::ALL {
            println!("{:<18} {}", s.name, s.call);
        }
        return Ok(());
    }
    if let Some(seconds) = args.serve {
        return serve(seconds);
    }
    match &args.scenario {
        Some(name) => child(name, args),
        None => parent(args),
    }
}

/// `--serve SECS`: only the canned server, for running one scenario by hand (under a profiler,
/// say) with `--scenario X --c C --n N --endpoint URL`. It stops after `SECS` seconds.
fn serve(seconds: u64) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let server = runtime.block_on(canned_server::CannedServer::start())?;
    println!("{}", server.endpoint());
    std::thread::sleep(Duration::from_secs(seconds));
    Ok(())
}

/// Child mode: run one scenario at one concurrency and print its [`Sample`].
fn child(name: &str, args: &Args) -> Result<(), BoxError> {
    scenarios::find(name).ok_or_else(|| format!("no scenario {name}"))?;
    let [c] = args.cs[..] else {
        return Err("a child runs one concurrency".into());
    };
    let ctx = Ctx {
        endpoint: args.endpoint.clone().unwrap_or_default(),
        n: args.n,
        c,
    };
    let runtime = if args.current_thread {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
    };
    let (timed, setup_us) = runtime.block_on(async {
        tokio::time::timeout(CHILD_TIMEOUT, scenarios::run(name, &ctx))
            .await
            .map_err(|_| BoxError::from("timed out"))?
    })?;
    let mut sample = Sample::new(
        name,
        c,
        timed.latencies_ns,
        timed.wall,
        stats::peak_rss_kib(),
    );
    sample.setup_us = setup_us;
    if args.json {
        println!("{}", serde_json::to_string(&sample)?);
    } else {
        println!(
            "{name} c={c}: {:.0} calls/s, p50 {:.1} µs, p99 {:.1} µs, peak RSS {} KiB",
            sample.calls_per_s, sample.p50_us, sample.p99_us, sample.peak_rss_kib
        );
    }
    Ok(())
}

/// Calls per run for a scenario (see [`Scenario::divisor`]).
fn effective_n(scenario: &Scenario, n: usize) -> usize {
    (n / scenario.divisor).max(1)
}

fn selected(only: Option<&Vec<String>>) -> Vec<&'static Scenario> {
    scenarios::ALL
        .iter()
        .filter(|s| {
            only.is_none_or(|only| {
                only.iter().any(|o| {
                    s.name == o
                        || s.name
                            .strip_prefix(o.as_str())
                            .is_some_and(|r| r.starts_with('-'))
                })
            })
        })
        .collect()
}

/// Parent mode: canned server, one child per scenario × concurrency × repetition, report.
fn parent(args: &Args) -> Result<(), BoxError> {
    let chosen = selected(args.only.as_ref());
    if chosen.is_empty() {
        return Err("--only matched no scenario (see --list)".into());
    }
    let load_before = report::load_average();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let server = runtime.block_on(canned_server::CannedServer::start())?;
    let endpoint = server.endpoint();
    let exe = std::env::current_exe()?;
    let official = if chosen.iter().any(|s| s.name == "token-official") {
        match official_runner(&exe) {
            Ok(path) => Some(path),
            Err(e) => {
                eprintln!("appwrite-bench: the official-SDK runner did not build: {e}");
                None
            }
        }
    } else {
        None
    };
    let started = Instant::now();

    let mut samples: Vec<Sample> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    // Repetition-major order, so that drift in the machine's load spreads over all scenarios,
    // and within a repetition each concurrency's scenarios back to back, so that a scenario and
    // its baseline run seconds apart (their ratio is taken per repetition).
    for rep in 1..=args.reps {
        for &c in &args.cs {
            for scenario in &chosen {
                if failures
                    .iter()
                    .any(|f| f.starts_with(&format!("{} c={c}:", scenario.name)))
                {
                    continue;
                }
                let exe = if scenario.name == "token-official" {
                    official.as_deref().unwrap_or(&exe)
                } else {
                    &exe
                };
                match run_child(
                    exe,
                    scenario.name,
                    c,
                    effective_n(scenario, args.n),
                    &endpoint,
                ) {
                    Ok(mut sample) => {
                        sample.rep = rep;
                        eprintln!(
                            "[{:>5.1}s] rep {rep}/{} {:<16} c={c:<3} {:>9.0} calls/s  p50 {:>8.1} µs  p99 {:>8.1} µs  {:>6} KiB",
                            started.elapsed().as_secs_f64(),
                            args.reps,
                            scenario.name,
                            sample.calls_per_s,
                            sample.p50_us,
                            sample.p99_us,
                            sample.peak_rss_kib
                        );
                        samples.push(sample);
                    }
                    Err(e) => {
                        eprintln!("rep {rep} {} c={c}: FAILED: {e}", scenario.name);
                        failures.push(format!("{} c={c}: {e}", scenario.name));
                    }
                }
            }
        }
    }

    let mut summaries = Vec::new();
    for scenario in &chosen {
        for &c in &args.cs {
            let reps: Vec<Sample> = samples
                .iter()
                .filter(|s| s.scenario == scenario.name && s.c == c)
                .cloned()
                .collect();
            summaries.extend(Summary::of(&reps));
        }
    }
    let settings = report::Settings {
        n: args.n,
        cs: args.cs.clone(),
        reps: args.reps,
        elapsed: started.elapsed(),
        load_before,
        load_after: report::load_average(),
    };
    report::print(&settings, &chosen, &summaries, &samples, &failures);
    drop(runtime);
    Ok(())
}

/// The official crate's runner (`bench/official`, a workspace of its own so that its pinned
/// dependencies stay out of ours). A release build of the bench has built it already (see
/// `build.rs`); otherwise it is built now, with this binary's profile, into
/// `<target>/official-runner`.
fn official_runner(exe: &Path) -> Result<PathBuf, BoxError> {
    let built = env!("APPWRITE_BENCH_OFFICIAL_RUNNER");
    if !built.is_empty() && Path::new(built).exists() {
        return Ok(PathBuf::from(built));
    }
    let profile_dir = exe.parent().ok_or("no directory for the running binary")?;
    let profile = profile_dir
        .file_name()
        .and_then(|d| d.to_str())
        .ok_or("no profile directory for the running binary")?;
    let target = profile_dir
        .parent()
        .ok_or("no target directory for the running binary")?
        .join("official-runner");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("official/Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "appwrite-bench: building the official-SDK runner ({})",
        manifest.display()
    );
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    if profile == "release" {
        command.arg("--release");
    }
    let status = command.status()?;
    if !status.success() {
        return Err(format!("cargo build exited with {status}").into());
    }
    let profile = if profile == "release" {
        "release"
    } else {
        "debug"
    };
    Ok(target.join(profile).join(format!(
        "appwrite-bench-official{}",
        std::env::consts::EXE_SUFFIX
    )))
}

/// Runs one scenario in a child process and reads its JSON line.
fn run_child(
    exe: &Path,
    name: &str,
    c: usize,
    n: usize,
    endpoint: &str,
) -> Result<Sample, BoxError> {
    let output = Command::new(exe)
        .args([
            "--scenario",
            name,
            "--c",
            &c.to_string(),
            "--n",
            &n.to_string(),
        ])
        .args(["--endpoint", endpoint, "--json"])
        .stdin(Stdio::null())
        .output()?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("no message").to_owned();
        return Err(format!("exit {}: {last}", output.status).into());
    }
    let stdout = String::from_utf8(output.stdout)?;
    let line = stdout.lines().last().ok_or("no output")?;
    Ok(serde_json::from_str(line)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Args, BoxError> {
        parse_args(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn defaults_and_flags() {
        let a = parse("").unwrap();
        assert_eq!((a.n, a.cs.clone(), a.reps), (DEFAULT_N, vec![1, 32], 3));
        let a = parse("--n 100 --c 1,4,8 --reps 5 --only token,emulator-token").unwrap();
        assert_eq!((a.n, a.cs.clone(), a.reps), (100, vec![1, 4, 8], 5));
        assert_eq!(a.only.unwrap(), ["token", "emulator-token"]);
        assert!(parse("--c 0").is_err());
        assert!(parse("--bogus").is_err());
        assert!(parse("--n").is_err());
    }

    #[test]
    fn only_matches_names_and_prefixes() {
        let names = |only: &[&str]| {
            let only: Vec<String> = only.iter().map(|s| (*s).to_owned()).collect();
            selected(Some(&only))
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&["token"]),
            ["token-raw", "token-server", "token-official"]
        );
        assert_eq!(names(&["filestore-load"]), ["filestore-load"]);
        assert!(names(&["tok"]).is_empty());
        assert_eq!(selected(None).len(), scenarios::ALL.len());
    }
}
