//! Numbers: the measurement a child process reports, percentiles, medians over repetitions, and
//! the process's peak memory.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What one scenario run (one child process) measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sample {
    /// Scenario name.
    pub scenario: String,
    /// Concurrency: calls in flight at once.
    pub c: usize,
    /// Timed calls.
    pub n: usize,
    /// Wall-clock time of the timed phase, in seconds.
    pub wall_s: f64,
    /// Calls per second over the timed phase.
    pub calls_per_s: f64,
    /// Median latency of one call, in microseconds.
    pub p50_us: f64,
    /// 99th-percentile latency of one call, in microseconds.
    pub p99_us: f64,
    /// Peak resident set size of the whole child process (`VmHWM`), in KiB.
    pub peak_rss_kib: u64,
    /// Mean untimed per-call setup (a fresh client), in µs, for scenarios that have one: left out
    /// of the latencies, inside the wall-clock time.
    #[serde(default)]
    pub setup_us: Option<f64>,
    /// Which repetition this was (set by the parent; 0 in a child's own output).
    #[serde(default)]
    pub rep: usize,
}

impl Sample {
    /// Summarises a timed phase: `latencies_ns` holds one entry per call.
    pub fn new(
        scenario: &str,
        c: usize,
        mut latencies_ns: Vec<u64>,
        wall: Duration,
        peak_rss_kib: u64,
    ) -> Self {
        latencies_ns.sort_unstable();
        let n = latencies_ns.len();
        let wall_s = wall.as_secs_f64();
        Self {
            scenario: scenario.to_owned(),
            c,
            n,
            wall_s,
            calls_per_s: if wall_s > 0.0 {
                count_f64(n) / wall_s
            } else {
                0.0
            },
            p50_us: percentile(&latencies_ns, 50.0) / 1_000.0,
            p99_us: percentile(&latencies_ns, 99.0) / 1_000.0,
            peak_rss_kib,
            setup_us: None,
            rep: 0,
        }
    }
}

/// The median over repetitions of `metric(a) / metric(b)`, each ratio taken within one
/// repetition (the two ran seconds apart), so that the machine's drift between repetitions
/// cancels out. `None` when no repetition has both.
pub fn paired_ratio(
    samples: &[Sample],
    a: &str,
    b: &str,
    c: usize,
    metric: fn(&Sample) -> f64,
) -> Option<f64> {
    let of = |name: &str, rep: usize| {
        samples
            .iter()
            .find(|s| s.scenario == name && s.c == c && s.rep == rep)
    };
    let ratios: Vec<f64> = samples
        .iter()
        .filter(|s| s.scenario == a && s.c == c)
        .filter_map(|x| {
            let y = of(b, x.rep)?;
            Some(metric(x) / metric(y)).filter(|r| r.is_finite())
        })
        .collect();
    (!ratios.is_empty()).then(|| median(ratios))
}

/// The median of several repetitions, metric by metric (each column is the median of that
/// column, so a row need not come from a single repetition).
#[derive(Clone, Debug)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Concurrency.
    pub c: usize,
    /// Median calls per second.
    pub calls_per_s: f64,
    /// Lowest and highest calls per second over the repetitions.
    pub calls_per_s_range: (f64, f64),
    /// Median p50 latency, µs.
    pub p50_us: f64,
    /// Median p99 latency, µs.
    pub p99_us: f64,
    /// Median peak RSS, KiB.
    pub peak_rss_kib: u64,
    /// Median per-call setup, µs, where the scenario has one.
    pub setup_us: Option<f64>,
}

impl Summary {
    /// Folds the repetitions of one scenario at one concurrency; `None` if there are none.
    pub fn of(samples: &[Sample]) -> Option<Self> {
        let first = samples.first()?;
        let rates: Vec<f64> = samples.iter().map(|s| s.calls_per_s).collect();
        let low = rates.iter().copied().fold(f64::INFINITY, f64::min);
        let high = rates.iter().copied().fold(0.0, f64::max);
        let mut rss: Vec<u64> = samples.iter().map(|s| s.peak_rss_kib).collect();
        rss.sort_unstable();
        Some(Self {
            scenario: first.scenario.clone(),
            c: first.c,
            calls_per_s: median(rates),
            calls_per_s_range: (low, high),
            p50_us: median(samples.iter().map(|s| s.p50_us).collect()),
            p99_us: median(samples.iter().map(|s| s.p99_us).collect()),
            peak_rss_kib: rss[rss.len() / 2],
            setup_us: first
                .setup_us
                .map(|_| median(samples.iter().filter_map(|s| s.setup_us).collect())),
        })
    }
}

/// The `p`th percentile of sorted values (nearest rank), as `f64`.
pub fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p / 100.0 * count_f64(sorted.len())).ceil();
    // `rank` is in 0..=len, so the cast cannot truncate anything that matters.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let index = (rank as usize).clamp(1, sorted.len()) - 1;
    #[allow(clippy::cast_precision_loss)]
    let value = sorted[index] as f64;
    value
}

/// The median (mean of the middle two for an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        f64::midpoint(values[mid - 1], values[mid])
    }
}

/// A count as `f64` (counts here are far below 2^52).
#[allow(clippy::cast_precision_loss)]
pub fn count_f64(n: usize) -> f64 {
    n as f64
}

/// This process's peak resident set size (`VmHWM` in `/proc/self/status`), in KiB; 0 where
/// `/proc` is not available.
pub fn peak_rss_kib() -> u64 {
    proc_field("/proc/self/status", "VmHWM:").unwrap_or(0)
}

/// A `Name:   1234 kB` field of a `/proc` file, as a number.
pub fn proc_field(path: &str, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert!((percentile(&values, 50.0) - 50.0).abs() < f64::EPSILON);
        assert!((percentile(&values, 99.0) - 99.0).abs() < f64::EPSILON);
        assert!((percentile(&[7], 99.0) - 7.0).abs() < f64::EPSILON);
        assert!(percentile(&[], 50.0).abs() < f64::EPSILON);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert!((median(vec![3.0, 1.0, 2.0]) - 2.0).abs() < f64::EPSILON);
        assert!((median(vec![4.0, 1.0, 2.0, 3.0]) - 2.5).abs() < f64::EPSILON);
    }

    #[test]
    fn summary_takes_the_median_of_each_column() {
        let sample = |rate: f64, p50: f64| Sample {
            scenario: "x".into(),
            c: 1,
            n: 10,
            wall_s: 1.0,
            calls_per_s: rate,
            p50_us: p50,
            p99_us: p50 * 2.0,
            peak_rss_kib: 100,
            setup_us: None,
            rep: 0,
        };
        let summary =
            Summary::of(&[sample(10.0, 5.0), sample(30.0, 1.0), sample(20.0, 3.0)]).unwrap();
        assert!((summary.calls_per_s - 20.0).abs() < f64::EPSILON);
        assert!((summary.p50_us - 3.0).abs() < f64::EPSILON);
        assert_eq!(summary.calls_per_s_range, (10.0, 30.0));
    }

    #[test]
    fn ratios_pair_repetitions() {
        let sample = |name: &str, rep: usize, rate: f64| Sample {
            scenario: name.into(),
            c: 1,
            n: 10,
            wall_s: 1.0,
            calls_per_s: rate,
            p50_us: 1.0,
            p99_us: 1.0,
            peak_rss_kib: 1,
            setup_us: None,
            rep,
        };
        // The machine was twice as fast in repetition 2: each pair still says 0.9.
        let samples = [
            sample("a", 1, 90.0),
            sample("b", 1, 100.0),
            sample("a", 2, 180.0),
            sample("b", 2, 200.0),
            sample("a", 3, 45.0),
        ];
        let r = paired_ratio(&samples, "a", "b", 1, |s| s.calls_per_s).unwrap();
        assert!((r - 0.9).abs() < 1e-9);
        assert!(paired_ratio(&samples, "a", "missing", 1, |s| s.calls_per_s).is_none());
    }

    #[test]
    fn reads_our_own_peak_rss() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(peak_rss_kib() > 0);
        }
    }
}
