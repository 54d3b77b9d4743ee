//! The Markdown report: machine, settings, the table, dependency-tree sizes, and PASS/MISS per
//! target.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::scenarios::Scenario;
use crate::stats::{Sample, Summary, paired_ratio, proc_field};

/// How the run was made.
#[derive(Debug)]
pub struct Settings {
    /// Timed calls per scenario run.
    pub n: usize,
    /// Concurrencies.
    pub cs: Vec<usize>,
    /// Repetitions.
    pub reps: usize,
    /// Wall-clock time of all the runs.
    pub elapsed: Duration,
    /// `/proc/loadavg` before the runs.
    pub load_before: String,
    /// `/proc/loadavg` after the runs.
    pub load_after: String,
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let memory = proc_field("/proc/meminfo", "MemTotal:").map_or_else(
        || "unknown memory".to_owned(),
        |kib| format!("{:.1} GiB", kib_f64(kib) / 1024.0 / 1024.0),
    );
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{cores} cores (available_parallelism), {memory} RAM (MemTotal), {cpu}, {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

#[allow(clippy::cast_precision_loss)]
fn kib_f64(kib: u64) -> f64 {
    kib as f64
}

fn find<'a>(summaries: &'a [Summary], name: &str, c: usize) -> Option<&'a Summary> {
    summaries.iter().find(|s| s.scenario == name && s.c == c)
}

fn calls_per_s(s: &Sample) -> f64 {
    s.calls_per_s
}

fn p50(s: &Sample) -> f64 {
    s.p50_us
}

/// Prints the whole report to stdout.
pub fn print(
    settings: &Settings,
    chosen: &[&Scenario],
    summaries: &[Summary],
    samples: &[Sample],
    failures: &[String],
) {
    let mut out = String::new();
    let _ = writeln!(out, "## appwrite-bench results\n");
    let _ = writeln!(out, "- Machine: {}", machine());
    let _ = writeln!(
        out,
        "- Load average (1/5/15 min) before: {}, after: {}",
        settings.load_before, settings.load_after
    );
    let _ = writeln!(
        out,
        "- Settings: N = {} timed calls per run (session-file, filestore-save: N/10), C = {}, {} repetitions, median reported; {:.0} s of runs",
        settings.n,
        settings
            .cs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        settings.reps,
        settings.elapsed.as_secs_f64()
    );
    let _ = writeln!(out);
    table(&mut out, settings, chosen, summaries, samples);
    if let Some(capacity) = find(
        summaries,
        "server-capacity",
        settings.cs.iter().copied().max().unwrap_or(1),
    ) {
        let fastest = summaries
            .iter()
            .filter(|s| s.scenario.starts_with("token-") || s.scenario.starts_with("session-"))
            .map(|s| s.calls_per_s)
            .fold(0.0, f64::max);
        if fastest > 0.0 {
            let _ = writeln!(
                out,
                "\nCanned server capacity (raw hyper client, C={}): {:.0} requests/s, {:.1}x the fastest client scenario against it ({fastest:.0} calls/s).",
                capacity.c,
                capacity.calls_per_s,
                capacity.calls_per_s / fastest
            );
        }
    }
    let _ = writeln!(out, "\nWhat each scenario's call is:\n");
    for scenario in chosen {
        let _ = writeln!(out, "- `{}`: {}", scenario.name, scenario.call);
    }
    if !failures.is_empty() {
        let _ = writeln!(out, "\nFailed runs:\n");
        for failure in failures {
            let _ = writeln!(out, "- {failure}");
        }
    }

    let trees = dependency_trees();
    let _ = writeln!(
        out,
        "\n### Dependency trees (`cargo tree -e normal`, unique crates incl. the root)\n"
    );
    for (label, count) in &trees {
        let _ = writeln!(
            out,
            "- {label}: {}",
            count
                .as_ref()
                .map_or_else(|e| format!("unavailable ({e})"), usize::to_string)
        );
    }

    let _ = writeln!(
        out,
        "\n### Call futures (this build; each call boxes one, and glibc's per-thread cache serves up to {TCACHE_MAX_BYTES} bytes)\n"
    );
    match crate::sdk_scenarios::future_sizes() {
        Ok(sizes) => {
            for (call, bytes) in sizes {
                let over = if bytes > TCACHE_MAX_BYTES {
                    " (over: ~1.6k more instructions per call, see BENCHMARKS.md)"
                } else {
                    ""
                };
                let _ = writeln!(out, "- {call}: {bytes} bytes{over}");
            }
        }
        Err(e) => {
            let _ = writeln!(out, "- unavailable: {e}");
        }
    }

    let _ = writeln!(out, "\n### Targets\n");
    for (verdict, text) in targets(settings, summaries, samples, &trees) {
        let _ = writeln!(out, "- {verdict} {text}");
    }
    print!("{out}");
}

/// The results table: one row per scenario and concurrency; "vs raw" is the median of the
/// per-repetition ratios to the scenario's baseline.
fn table(
    out: &mut String,
    settings: &Settings,
    chosen: &[&Scenario],
    summaries: &[Summary],
    samples: &[Sample],
) {
    let _ = writeln!(
        out,
        "| scenario | C | calls/s (median) | calls/s min–max | vs raw | p50 µs | p99 µs | peak RSS MiB | setup µs/call |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for scenario in chosen {
        for &c in &settings.cs {
            let Some(s) = find(summaries, scenario.name, c) else {
                let _ = writeln!(out, "| {} | {c} | failed | | | | | | |", scenario.name);
                continue;
            };
            let ratio = scenario
                .baseline
                .and_then(|b| paired_ratio(samples, scenario.name, b, c, calls_per_s));
            let vs = match (scenario.baseline, ratio) {
                (Some(b), _) if b == scenario.name => "1.00x".to_owned(),
                (_, Some(r)) => format!("{r:.2}x"),
                _ => "—".to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | {c} | {:.0} | {:.0}–{:.0} | {vs} | {:.1} | {:.1} | {:.1} | {} |",
                scenario.name,
                s.calls_per_s,
                s.calls_per_s_range.0,
                s.calls_per_s_range.1,
                s.p50_us,
                s.p99_us,
                kib_f64(s.peak_rss_kib) / 1024.0,
                s.setup_us.map_or_else(String::new, |u| format!("{u:.1}"))
            );
        }
    }
}

/// The largest allocation glibc's per-thread cache (tcache) serves on 64-bit Linux; a larger one
/// goes to the bins, and a large-bin request first consolidates the fast bins.
const TCACHE_MAX_BYTES: usize = 1032;

/// The dependency-tree sizes: ours with default features, ours as the bench builds it, and the
/// official crate's.
fn dependency_trees() -> Vec<(String, Result<usize, String>)> {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = bench.join("../Cargo.toml");
    // The official crate is counted in bench/official, a workspace of its own, so that its tree is
    // resolved as a user of it would get it (and ours as ours, without its pins).
    let official = bench.join("official/Cargo.toml");
    let cases: [(&str, &Path, &[&str]); 3] = [
        (
            "appwrite-server (default features)",
            &workspace,
            &["-p", "appwrite-server"],
        ),
        (
            "appwrite-server (--no-default-features, as benched)",
            &workspace,
            &["-p", "appwrite-server", "--no-default-features"],
        ),
        (
            "appwrite 0.22.0 (official, default features)",
            &official,
            &["-p", "appwrite@0.22.0"],
        ),
    ];
    cases
        .iter()
        .map(|(label, manifest, args)| ((*label).to_owned(), count_tree(manifest, args)))
        .collect()
}

/// The tree's size, or why `cargo tree` gave none (its last line of stderr).
fn count_tree(manifest: &Path, args: &[&str]) -> Result<usize, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .arg("tree")
        .arg("--manifest-path")
        .arg(manifest)
        .args(args)
        // `--locked`, not `--offline`: on a fresh machine the official crate's packages are only
        // downloaded by a release build of the bench, and the tree test runs before that.
        .args(["-e", "normal", "--prefix", "none", "--locked"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|line| !line.trim().is_empty());
        return Err(last.unwrap_or("cargo tree failed").trim().to_owned());
    }
    Ok(unique_crates(&String::from_utf8_lossy(&output.stdout)))
}

/// Unique `name version` pairs in `cargo tree --prefix none` output.
fn unique_crates(tree: &str) -> usize {
    tree.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?, words.next()?))
        })
        .collect::<BTreeSet<_>>()
        .len()
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "PASS",
        Some(false) => "MISS",
        None => "n/a ",
    }
}

fn targets(
    settings: &Settings,
    summaries: &[Summary],
    samples: &[Sample],
    trees: &[(String, Result<usize, String>)],
) -> Vec<(&'static str, String)> {
    let rate = |name: &str, c: usize| find(summaries, name, c).map(|s| s.calls_per_s);
    let ratio_of = |a: &str, b: &str, c: usize| paired_ratio(samples, a, b, c, calls_per_s);
    // Latency ratio (baseline p50 / this p50). At C=1 it leaves out the per-call client build
    // of the session scenarios, which calls/s includes.
    let p50_ratio = |a: &str, b: &str, c: usize| paired_ratio(samples, b, a, c, p50);
    let mut out = Vec::new();
    for &c in &settings.cs {
        let r = ratio_of("token-server", "token-raw", c);
        out.push((
            verdict(r.map(|r| r >= 0.95)),
            format!(
                "appwrite-server create_token ≥ 0.95x raw reqwest at C={c}: {} (p50 latency: {})",
                show_ratio(r),
                show_ratio(p50_ratio("token-server", "token-raw", c))
            ),
        ));
    }
    for &c in &settings.cs {
        let r = ratio_of("token-server", "token-official", c);
        out.push((
            verdict(r.map(|r| r >= 1.0)),
            format!(
                "appwrite-server create_token ≥ official appwrite 0.22.0 at C={c}: {}",
                show_ratio(r)
            ),
        ));
    }
    for &c in &settings.cs {
        let r = ratio_of("session-memory", "session-raw", c);
        out.push((
            verdict(r.map(|r| r >= 0.95)),
            format!(
                "appwrite-client (MemoryStore) create_session + get ≥ 0.95x raw reqwest at C={c}: {} (p50 latency: {})",
                show_ratio(r),
                show_ratio(p50_ratio("session-memory", "session-raw", c))
            ),
        ));
    }
    for (name, floor, what) in [
        ("emulator-token", 10_000.0, "create_token/s"),
        ("emulator-session", 5_000.0, "sessions/s"),
    ] {
        let r = rate(name, 32);
        out.push((
            verdict(r.map(|r| r >= floor)),
            format!(
                "emulator ≥ {floor:.0} {what} at C=32 (client in the same process): {}",
                r.map_or_else(|| "not measured".to_owned(), |r| format!("{r:.0}"))
            ),
        ));
    }
    for (name, limit_us, what) in [
        (
            "filestore-save",
            5_000.0,
            "FileStore save (with fsync) p50 < 5 ms",
        ),
        ("filestore-load", 200.0, "FileStore load p50 < 200 µs"),
    ] {
        let p50 = find(summaries, name, 1).map(|s| s.p50_us);
        out.push((
            verdict(p50.map(|p| p < limit_us)),
            format!(
                "{what} (C=1): {}",
                p50.map_or_else(|| "not measured".to_owned(), |p| format!("{p:.1} µs"))
            ),
        ));
    }
    let ours = trees.first().and_then(|t| t.1.as_ref().ok().copied());
    let official = trees.get(2).and_then(|t| t.1.as_ref().ok().copied());
    out.push((
        verdict(ours.zip(official).map(|(a, b)| a <= b)),
        format!(
            "appwrite-server dependency tree ≤ official crate's: {} vs {}",
            ours.map_or_else(|| "?".to_owned(), |n| n.to_string()),
            official.map_or_else(|| "?".to_owned(), |n| n.to_string())
        ),
    ));
    out
}

fn show_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "not measured".to_owned(), |r| format!("{r:.3}x"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_unique_crates_once() {
        let tree = "a v1.0.0 (/x)\nb v0.1.0\nc v2.0.0 (proc-macro)\nb v0.1.0 (*)\nb v0.2.0\n\n";
        assert_eq!(unique_crates(tree), 4);
    }

    /// The tree target, checked by every `cargo test` and not only by a benchmark run: the tree
    /// once grew past the official crate's (sha2 for the JWT cache, a second base64) unnoticed.
    #[test]
    fn our_default_tree_is_no_larger_than_the_official_crates() {
        let trees = dependency_trees();
        let count = |i: usize| {
            let (label, count) = &trees[i];
            count
                .clone()
                .unwrap_or_else(|e| panic!("`cargo tree` failed for {label}: {e}"))
        };
        let (ours, official) = (count(0), count(2));
        assert!(
            ours <= official,
            "appwrite-server (default features) has {ours} crates, appwrite 0.22.0 {official}"
        );
    }

    #[test]
    fn machine_line_names_cores() {
        assert!(machine().contains("cores"));
    }
}
