//! TOTP codes as an authenticator app computes them, on the emulator's clock: shared by
//! `appwrite-client/tests/cli_mfa.rs` and the workspace's `tests/mfa.rs` (included by path).

use std::time::{Duration, UNIX_EPOCH};

use appwrite_emulator::Emulator;

/// The code for `secret` (base32) at the emulator's time: RFC 6238 as Appwrite's otphp
/// configures it (SHA-1, 6 digits, 30 s), with the emulator's crate, totp-rs.
pub fn totp(emulator: &Emulator, secret: &str) -> String {
    let now = emulator.now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 0, 30, bytes).generate(now)
}

/// Moves the emulator's clock half a second into a fresh 30-second period, so that a code
/// computed now is still current when it arrives.
pub fn start_of_totp_period(emulator: &Emulator) {
    let ms = emulator
        .now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let into = u64::try_from(ms % 30_000).unwrap();
    emulator.advance_time(Duration::from_millis(30_000 - into + 500));
}
