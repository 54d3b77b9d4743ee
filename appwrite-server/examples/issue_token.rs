//! A token-issuing backend step, as an Appwrite Function or any backend would run it: make sure the
//! user exists, mint a custom login token for it, and hand the secret over.
//!
//! ```sh
//! APPWRITE_ENDPOINT=http://127.0.0.1:8080/v1 APPWRITE_PROJECT_ID=demo APPWRITE_API_KEY=dev-key \
//!     cargo run -p appwrite-server --example issue_token -- user-42 ada@example.com
//! ```
//!
//! A real backend checks who the caller is first (a password, a captcha, a code sent by SMS), and
//! sends the secret over its own channel instead of printing it.

use std::time::Duration;

use appwrite_server::{Client, Users};

#[tokio::main]
async fn main() -> Result<(), appwrite_server::Error> {
    let mut args = std::env::args().skip(1);
    let user_id = args.next().unwrap_or_else(|| "user-42".to_owned());
    let email = args.next();

    // APPWRITE_ENDPOINT, APPWRITE_PROJECT_ID and APPWRITE_API_KEY (or the Functions runtime's).
    let client = Client::from_env()?;
    let users = Users::new(&client);

    let mut ensure = users.get_or_create(user_id.as_str());
    if let Some(email) = email {
        ensure = ensure.email(email);
    }
    let user = ensure.await?;

    let token = users
        .create_token(user.id.clone())
        .length(8)
        .expire(Duration::from_secs(10 * 60))
        .await?;

    println!("user:    {}", token.user_id);
    println!("secret:  {}", mask(token.secret.expose_secret()));
    println!("expires: {}", token.expire);
    Ok(())
}

/// The first two characters and a mask: enough to tell tokens apart in a log, useless to log in.
fn mask(secret: &str) -> String {
    let shown: String = secret.chars().take(2).collect();
    format!(
        "{shown}{}",
        "*".repeat(secret.chars().count().saturating_sub(2))
    )
}
