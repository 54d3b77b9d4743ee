//! `FileStore` under `kill -9`: a child process that saves in a loop is killed again and again;
//! the file is never empty, never corrupt, and the next save leaves no temporary file behind.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod store_common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use appwrite_client::{FileStore, SessionStore};
use common::{PROJECT, credential, in_days, stored};
use store_common::*;

/// Tells the child (this test binary, run again) which store to hammer.
const CHILD_ENV: &str = "APPWRITE_CLIENT_CRASH_TEST_STORE";
const CHILD_TEST: &str = "child_process_for_the_crash_test";
/// Kills, at most.
const ROUNDS: usize = 20;
/// The whole loop stops after this, whatever the count (the checks still run).
const TIME_BOUND: Duration = Duration::from_secs(60);
/// A child nobody kills stops after this many saves.
const CHILD_SAVES: usize = 10_000;

/// Not a test of its own: the body of the child process the crash test starts and kills.
#[test]
#[ignore = "run by saves_killed_with_sigkill_leave_no_empty_corrupt_or_leftover_file in a child process"]
fn child_process_for_the_crash_test() {
    let Some(file) = std::env::var_os(CHILD_ENV) else {
        eprintln!("note: {CHILD_TEST} only runs inside the crash test");
        return;
    };
    let store = FileStore::new(file);
    let mut out = std::io::stdout().lock();
    for round in 0..CHILD_SAVES {
        // Two profiles, so every save rewrites a document holding more than the one it changes.
        let profile = if round % 2 == 0 { PROJECT } else { "second" };
        store
            .save(
                &key(profile),
                &stored(&format!("credential-{round}"), in_days(300)),
            )
            .unwrap();
        writeln!(out, "saved {round}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn saves_killed_with_sigkill_leave_no_empty_corrupt_or_leftover_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let store = FileStore::new(&file);
    store
        .save(&key(PROJECT), &stored(&credential(), in_days(300)))
        .unwrap();
    let me = std::env::current_exe().unwrap();
    let started = Instant::now();
    let (mut kills, mut leftovers) = (0, 0);

    for round in 0..ROUNDS {
        if started.elapsed() > TIME_BOUND {
            break;
        }
        let mut child = Command::new(&me)
            .args([CHILD_TEST, "--exact", "--ignored", "--nocapture"])
            .args(["--test-threads", "1"])
            .env(CHILD_ENV, &file)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        // Let it finish a few saves, then kill it in the middle of the next one.
        let wanted = 1 + round % 5;
        let saves = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map_while(Result::ok)
            .filter(|line| line.starts_with("saved "))
            .take(wanted)
            .count();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(saves, wanted, "the child stopped before it was killed");
        kills += 1;

        // Whole after every kill: present, not empty, and it parses.
        assert!(std::fs::metadata(&file).unwrap().len() > 0, "empty file");
        let kept = store.load(&key(PROJECT)).unwrap().unwrap();
        let credential_kept = kept.credential.expose_secret();
        assert!(
            credential_kept == credential() || credential_kept.starts_with("credential-"),
            "an unexpected credential"
        );
        leftovers += names_in(dir.path())
            .iter()
            .filter(|name| !["sessions.json", "sessions.json.lock"].contains(&name.as_str()))
            .count();
    }
    assert!(kills > 0);

    // The next save sweeps whatever the kills left.
    store
        .save(&key(PROJECT), &stored(&credential(), in_days(300)))
        .unwrap();
    assert_eq!(
        names_in(dir.path()),
        ["sessions.json", "sessions.json.lock"]
    );
    assert_eq!(store.profiles().unwrap().len(), 2);
    eprintln!(
        "note: {kills} kills left {leftovers} temporary files in all; the next save removed them"
    );
}
