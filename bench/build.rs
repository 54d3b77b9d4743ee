//! Builds `bench/official`, the official `appwrite` crate's runner, while the rest of the bench
//! compiles (release builds only).
//!
//! The runner is a workspace of its own, so that appwrite 0.22.0's pinned dependencies stay out of
//! our Cargo.lock (see `official/Cargo.toml`). Building it here rather than when the bench starts
//! lets its compilation overlap with ours: the nested `cargo` shares this build's jobserver, so
//! the two never run more jobs than `-j` allows, and neither waits for the other's slowest crate.
//! Its target directory is `<target>/<profile>/../official-runner`. A failure only warns: the
//! bench still builds and reports the `token-official` scenario as failed.

use std::env;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    for input in [
        "official/Cargo.toml",
        "official/Cargo.lock",
        "official/src/main.rs",
        "src/driver.rs",
        "src/stats.rs",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            manifest_dir.join(input).display()
        );
    }
    let runner = if env::var("PROFILE").is_ok_and(|p| p == "release") {
        build_official(&manifest_dir).unwrap_or_else(|why| {
            println!("cargo:warning=the official-SDK runner was not built: {why}");
            String::new()
        })
    } else {
        // Debug builds (tests, clippy) leave it to the bench, which builds it when it is run.
        String::new()
    };
    println!("cargo:rustc-env=APPWRITE_BENCH_OFFICIAL_RUNNER={runner}");
}

fn build_official(manifest_dir: &Path) -> Result<String, String> {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    // OUT_DIR is <target>/<profile>/build/<package>-<hash>/out.
    let target = out_dir
        .ancestors()
        .nth(4)
        .ok_or("OUT_DIR is not inside a target directory")?
        .join("official-runner");
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    let log_path = target.join("build.log");
    let log = File::create(&log_path).map_err(|e| e.to_string())?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--manifest-path"])
        .arg(manifest_dir.join("official/Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        // `cargo clippy --release` sets this for our workspace; the runner is not ours to lint.
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .status()
        .map_err(|e| format!("cargo did not start: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo build exited with {status}; see {}",
            log_path.display()
        ));
    }
    let runner = target.join("release").join(format!(
        "appwrite-bench-official{}",
        env::consts::EXE_SUFFIX
    ));
    runner
        .to_str()
        .map(str::to_owned)
        .ok_or_else(|| "the runner's path is not UTF-8".to_owned())
}
