//! `cli_login`'s second factor: asking for it after a sign-in that needs one, `mfa verify`,
//! `mfa totp-setup` and `mfa on|off`. Kept apart from the login code in `cli_login.rs`.

use std::error::Error;
use std::io::{BufRead as _, Read as _};

use appwrite_client::{Account, AuthenticatorType, Factor, Session};
use tokio::io::AsyncWriteExt as _;
use tokio::sync::{mpsc, oneshot};

/// How many wrong codes a prompt takes before it gives up (Appwrite allows 10 per challenge).
const ATTEMPTS: usize = 3;

/// The longest line read from the terminal: a code is short, and a paste is a URL.
const MAX_LINE: usize = 8 * 1024;

/// Standard input as lines, read by one thread for the whole run, so the browser login's paste
/// prompt and the code prompt after it never race for the same line.
pub struct Terminal {
    lines: mpsc::UnboundedReceiver<String>,
}

impl Terminal {
    pub fn start() -> Self {
        let (tx, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            while let Some(line) = read_line(&mut stdin) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { lines }
    }

    /// The next line typed, `None` at the end of input.
    pub async fn line(&mut self) -> Option<String> {
        self.lines.recv().await
    }

    /// Lends the lines to `LoopbackLogin::paste_from` until the returned [`Paste::end`].
    pub fn paste(self) -> (tokio::io::BufReader<tokio::io::DuplexStream>, Paste) {
        let (mut writer, reader) = tokio::io::duplex(MAX_LINE);
        let (stop, mut stopped) = oneshot::channel::<()>();
        let mut lines = self.lines;
        let forward = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    line = lines.recv() => match line {
                        Some(line) => {
                            let sent = writer.write_all(format!("{line}\n").as_bytes()).await;
                            if sent.is_err() {
                                break;
                            }
                        }
                        None => break,
                    },
                }
            }
            Self { lines }
        });
        (tokio::io::BufReader::new(reader), Paste { stop, forward })
    }
}

/// One line of at most [`MAX_LINE`] bytes (the rest of a longer one is skipped), without its
/// line end; `None` at the end of input or on an error.
fn read_line(input: &mut impl std::io::BufRead) -> Option<String> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX);
    let read = input
        .by_ref()
        .take(limit)
        .read_until(b'\n', &mut bytes)
        .ok()?;
    if read == 0 {
        return None;
    }
    if bytes.last() != Some(&b'\n') && bytes.len() >= MAX_LINE {
        // Too long: skip to the end of the line, a bounded buffer at a time.
        loop {
            let chunk = input.fill_buf().ok()?;
            if chunk.is_empty() {
                break;
            }
            let (used, done) = match chunk.iter().position(|b| *b == b'\n') {
                Some(at) => (at + 1, true),
                None => (chunk.len(), false),
            };
            input.consume(used);
            if done {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    Some(text.trim_end_matches(['\r', '\n']).to_owned())
}

/// Standard input lent to the paste prompt.
pub struct Paste {
    stop: oneshot::Sender<()>,
    forward: tokio::task::JoinHandle<Terminal>,
}

impl Paste {
    /// Takes standard input back.
    pub async fn end(self) -> Result<Terminal, Box<dyn Error>> {
        let _ = self.stop.send(());
        Ok(self.forward.await?)
    }
}

/// `--factor`: `totp`, `email`, `phone` or `recovery-code`.
pub fn parse_factor(name: &str) -> Result<Factor, String> {
    match name {
        "recovery-code" => Ok(Factor::RecoveryCode),
        name => Factor::parse(name).ok_or_else(|| {
            format!("unknown factor {name}: use totp, email, phone or recovery-code")
        }),
    }
}

/// After a sign-in to `session`: asks Appwrite whether it needs a second factor (a refused
/// `GET /account`) and, if it does, asks the user for it.
pub async fn after_sign_in(
    account: &Account,
    session: &Session,
    factor: Option<Factor>,
    terminal: &mut Terminal,
) -> Result<(), Box<dyn Error>> {
    match account.get().await {
        Ok(_) => Ok(()),
        Err(error) if error.is_more_factors_required() => {
            eprintln!("This account has two-step verification on.");
            verify(account, &session.factors, factor, terminal).await
        }
        Err(error) => Err(error.into()),
    }
}

/// Passes a challenge for the held session, which has proven `proven` already: `factor`, else
/// the first the user has of TOTP, email, phone, recovery code that is not among them (Appwrite
/// counts a factor once: an email challenge adds nothing to a session made from an email or
/// OAuth2 token, `MFA/Challenges/Update.php`'s `array_unique`).
pub async fn verify(
    account: &Account,
    proven: &[String],
    factor: Option<Factor>,
    terminal: &mut Terminal,
) -> Result<(), Box<dyn Error>> {
    let factors = account.list_mfa_factors().await?;
    let factor = match factor {
        Some(factor) if factors.has(factor) => factor,
        Some(factor) => return Err(format!("the account has no {factor} factor").into()),
        None => factors
            .available()
            .into_iter()
            .find(|factor| !proven.iter().any(|name| name == factor.as_str()))
            .ok_or("the account has no other factor to verify with")?,
    };
    let challenge = account.create_mfa_challenge(factor).await?;
    eprintln!(
        "{}",
        match factor {
            Factor::Totp => "Enter the 6-digit code from your authenticator app:",
            Factor::Email => "A code was sent to your email address. Enter it:",
            Factor::Phone => "A code was sent to your phone by SMS. Enter it:",
            _ => "Enter one of your recovery codes:",
        }
    );
    for attempt in 1..=ATTEMPTS {
        let code = terminal.line().await.ok_or("no code was entered")?;
        match account
            .update_mfa_challenge(challenge.id.clone(), code.trim())
            .await
        {
            Ok(session) => {
                println!(
                    "verified: the session's factors are {}",
                    session.factors.join(", ")
                );
                return Ok(());
            }
            Err(error) if error.is_unauthorized() && attempt < ATTEMPTS => {
                eprintln!("That code was not accepted. Try again:");
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err("the code was not accepted".into())
}

/// `mfa totp-setup`: adds an authenticator, prints its `otpauth://` URI, and verifies a first
/// code.
pub async fn totp_setup(account: &Account, terminal: &mut Terminal) -> Result<(), Box<dyn Error>> {
    let kind = account
        .create_mfa_authenticator(AuthenticatorType::Totp)
        .await?;
    eprintln!("Add this to your authenticator app (as a QR code, or type the secret):");
    // Alone on its line, so scripts and tests can pick it up. It holds the secret.
    println!("{}", kind.uri.expose_secret());
    eprintln!("secret: {}", kind.secret.expose_secret());
    eprintln!("Then enter the 6-digit code it shows:");
    for attempt in 1..=ATTEMPTS {
        let code = terminal.line().await.ok_or("no code was entered")?;
        match account
            .update_mfa_authenticator(AuthenticatorType::Totp, code.trim())
            .await
        {
            Ok(user) => {
                println!(
                    "authenticator verified{}",
                    if user.mfa {
                        ""
                    } else {
                        "; turn two-step verification on with `cli_login mfa on`"
                    }
                );
                return Ok(());
            }
            Err(error) if error.is_unauthorized() && attempt < ATTEMPTS => {
                eprintln!("That code was not accepted. Try again:");
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err("the code was not accepted".into())
}

/// `mfa on` / `mfa off`.
pub async fn switch(account: &Account, on: bool) -> Result<(), Box<dyn Error>> {
    let user = account.update_mfa(on).await?;
    println!(
        "two-step verification is {}",
        if user.mfa { "on" } else { "off" }
    );
    Ok(())
}
