//! The scenario list, and the scenarios that need none of this workspace's SDKs: the canned
//! server's own capacity and the raw-reqwest baselines. (`sdk_scenarios` drives our SDKs and the
//! emulator; `bench/official` drives the official crate.)

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http_body_util::{BodyExt as _, Empty};
use hyper_util::rt::TokioIo;

use appwrite_models::headers::{Platform, sdk_headers};
use appwrite_models::{Session, Token, User};

use crate::BoxError;
use crate::canned_server::{API_KEY, PROJECT, TOKEN_SECRET, USER_ID};
use crate::driver::{Ctx, Timed, drive};
use crate::sdk_scenarios;

/// One thing the benchmark measures.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// Name used by `--only` and `--scenario`.
    pub name: &'static str,
    /// What one call is, for the table.
    pub call: &'static str,
    /// The scenario whose calls/s this one is compared with, if any.
    pub baseline: Option<&'static str>,
    /// Runs `N / divisor` calls: an `fsync` per call makes the file scenarios thousands of times
    /// slower than the others.
    pub divisor: usize,
}

/// Every scenario, in table order.
pub const ALL: &[Scenario] = &[
    Scenario {
        name: "server-capacity",
        call: "canned server alone: GET /ping, raw hyper client",
        baseline: None,
        divisor: 1,
    },
    Scenario {
        name: "token-raw",
        call: "create_token: raw reqwest 0.13 + serde_json into appwrite_models::Token",
        baseline: Some("token-raw"),
        divisor: 1,
    },
    Scenario {
        name: "token-server",
        call: "create_token: appwrite-server Users::create_token",
        baseline: Some("token-raw"),
        divisor: 1,
    },
    Scenario {
        name: "token-official",
        call: "create_token: official appwrite 0.22.0 Users::create_token",
        baseline: Some("token-raw"),
        divisor: 1,
    },
    Scenario {
        name: "session-raw",
        call: "create_session + get: raw reqwest, Set-Cookie parsed, X-Appwrite-Session sent",
        baseline: Some("session-raw"),
        divisor: 1,
    },
    Scenario {
        name: "session-memory",
        call: "create_session + get: appwrite-client, MemoryStore",
        baseline: Some("session-raw"),
        divisor: 1,
    },
    Scenario {
        name: "get-raw",
        call: "authenticated GET /account: raw reqwest, X-Appwrite-Session made once",
        baseline: Some("get-raw"),
        divisor: 1,
    },
    Scenario {
        name: "get-client",
        call: "authenticated GET /account: appwrite-client Account::get, held session",
        baseline: Some("get-raw"),
        divisor: 1,
    },
    Scenario {
        name: "session-file",
        call: "create_session + get: appwrite-client, FileStore (temp dir)",
        baseline: Some("session-raw"),
        divisor: 10,
    },
    Scenario {
        name: "filestore-save",
        call: "FileStore save (write, fsync, rename)",
        baseline: None,
        divisor: 10,
    },
    Scenario {
        name: "filestore-load",
        call: "FileStore load",
        baseline: None,
        divisor: 1,
    },
    Scenario {
        name: "emulator-token",
        call: "emulator: POST /users/{id}/tokens via appwrite-server",
        baseline: None,
        divisor: 1,
    },
    Scenario {
        name: "emulator-session",
        call: "emulator: POST /account/sessions/token via appwrite-client",
        baseline: None,
        divisor: 1,
    },
];

/// The scenario called `name`.
pub fn find(name: &str) -> Option<&'static Scenario> {
    ALL.iter().find(|s| s.name == name)
}

/// Runs the scenario `name`; the second value is its mean untimed per-call setup in µs, where it
/// has one.
pub async fn run(name: &str, ctx: &Ctx) -> Result<(Timed, Option<f64>), BoxError> {
    match name {
        "server-capacity" => Ok((server_capacity(ctx).await?, None)),
        "token-raw" => Ok((token_raw(ctx).await?, None)),
        "session-raw" => Ok((session_raw(ctx).await?, None)),
        "get-raw" => Ok((get_raw(ctx).await?, None)),
        "token-official" => {
            Err("token-official runs in bench/official (the parent runs it)".into())
        }
        other => sdk_scenarios::run(other, ctx).await,
    }
}

/// A reqwest 0.13 client with exactly the settings `appwrite-transport` gives the SDKs' own
/// client (connect 10 s, read 30 s, no redirects; HTTP/1.1 only, no TLS in this build).
pub fn raw_http_client() -> Result<reqwest::Client, BoxError> {
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

/// The headers the SDKs send: the shared SDK headers and the project, plus the key on the server
/// side.
fn raw_headers(platform: Platform) -> HeaderMap {
    let mut headers = sdk_headers(platform, env!("CARGO_PKG_VERSION"));
    headers.insert(
        HeaderName::from_static("x-appwrite-project"),
        HeaderValue::from_static(PROJECT),
    );
    if platform == Platform::Server {
        let mut key = HeaderValue::from_static(API_KEY);
        key.set_sensitive(true);
        headers.insert(HeaderName::from_static("x-appwrite-key"), key);
    }
    headers
}

fn expect_status(got: reqwest::StatusCode, want: u16) -> Result<(), BoxError> {
    if got.as_u16() == want {
        Ok(())
    } else {
        Err(format!("expected HTTP {want}, got {got}").into())
    }
}

/// The canned server alone: `GET /ping` over one raw hyper HTTP/1.1 connection per worker.
async fn server_capacity(ctx: &Ctx) -> Result<Timed, BoxError> {
    let authority = ctx
        .endpoint
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_owned();
    let mut connections = Vec::with_capacity(ctx.c);
    for _ in 0..ctx.c {
        let stream = tokio::net::TcpStream::connect(&authority).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        connections.push(tokio::sync::Mutex::new(sender));
    }
    let connections = Arc::new(connections);
    let uri: http::Uri = format!("http://{authority}/ping").parse()?;
    drive(ctx, move |worker, _| {
        let connections = connections.clone();
        let uri = uri.clone();
        async move {
            let mut sender = connections[worker].lock().await;
            let request = http::Request::get(uri).body(Empty::<Bytes>::new())?;
            let response = sender.send_request(request).await?;
            let body = response.into_body().collect().await?.to_bytes();
            black_box(body);
            Ok(None)
        }
    })
    .await
}

/// `create_token` through raw reqwest: one shared client, the SDK's headers, body `{}`, the
/// answer decoded into the same model the SDK returns.
async fn token_raw(ctx: &Ctx) -> Result<Timed, BoxError> {
    let http = raw_http_client()?;
    let url = reqwest::Url::parse(&format!("{}/users/{USER_ID}/tokens", ctx.endpoint))?;
    let headers = raw_headers(Platform::Server);
    drive(ctx, move |_, _| {
        let request = http
            .post(url.clone())
            .headers(headers.clone())
            .body(Bytes::from_static(b"{}"));
        async move {
            let response = request.send().await?;
            expect_status(response.status(), 201)?;
            let body = response.bytes().await?;
            let token: Token = serde_json::from_slice(&body)?;
            black_box(token);
            Ok(None)
        }
    })
    .await
}

/// `create_session` + `get` through raw reqwest: the credential is taken from
/// `Set-Cookie: a_session_<project>=…`, URL-decoded and sent back as `X-Appwrite-Session`.
async fn session_raw(ctx: &Ctx) -> Result<Timed, BoxError> {
    let http = raw_http_client()?;
    let create = reqwest::Url::parse(&format!("{}/account/sessions/token", ctx.endpoint))?;
    let account = reqwest::Url::parse(&format!("{}/account", ctx.endpoint))?;
    let headers = raw_headers(Platform::Client);
    let body = Bytes::from(serde_json::to_vec(
        &serde_json::json!({ "userId": USER_ID, "secret": TOKEN_SECRET }),
    )?);
    let cookie_prefix = format!("a_session_{PROJECT}=");
    drive(ctx, move |_, _| {
        let http = http.clone();
        let create = create.clone();
        let account = account.clone();
        let headers = headers.clone();
        let body = body.clone();
        let cookie_prefix = cookie_prefix.clone();
        async move {
            let response = http
                .post(create)
                .headers(headers.clone())
                .body(body)
                .send()
                .await?;
            expect_status(response.status(), 201)?;
            let credential = response
                .headers()
                .get_all(http::header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(|v| v.strip_prefix(cookie_prefix.as_str()))
                .map(|v| percent_decode(v.split(';').next().unwrap_or_default()))
                .ok_or("no session cookie")?;
            let session: Session = serde_json::from_slice(&response.bytes().await?)?;
            black_box(session);

            let mut value = HeaderValue::from_str(&credential)?;
            value.set_sensitive(true);
            let response = http
                .get(account)
                .headers(headers)
                .header("x-appwrite-session", value)
                .send()
                .await?;
            expect_status(response.status(), 200)?;
            let user: User = serde_json::from_slice(&response.bytes().await?)?;
            black_box(user);
            Ok(None)
        }
    })
    .await
}

/// `GET /account` with a session held: the header is made once, as an app holding a session
/// would, so only the request is measured.
async fn get_raw(ctx: &Ctx) -> Result<Timed, BoxError> {
    let http = raw_http_client()?;
    let account = reqwest::Url::parse(&format!("{}/account", ctx.endpoint))?;
    let mut headers = raw_headers(Platform::Client);
    let mut value = HeaderValue::from_str(&appwrite_models::credential::encode(USER_ID, "s"))?;
    value.set_sensitive(true);
    headers.insert(HeaderName::from_static("x-appwrite-session"), value);
    drive(ctx, move |_, _| {
        let request = http.get(account.clone()).headers(headers.clone());
        async move {
            let response = request.send().await?;
            expect_status(response.status(), 200)?;
            let user: User = serde_json::from_slice(&response.bytes().await?)?;
            black_box(user);
            Ok(None)
        }
    })
    .await
}

/// Undoes `%XX` escapes (the cookie value is URL-encoded; `X-Appwrite-Session` wants it plain).
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| char::from(b).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                // Two hex digits make one byte.
                #[allow(clippy::cast_possible_truncation)]
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("eyJh%3D%3D"), "eyJh==");
        assert_eq!(percent_decode("a%2Fb%2Bc"), "a/b+c");
        assert_eq!(percent_decode("plain"), "plain");
        assert_eq!(percent_decode("trail%3"), "trail%3");
    }

    /// Every scenario that runs in this binary completes its calls against the canned server and
    /// the emulator (a smoke test of the harness and of the SDKs' handling of the canned answers;
    /// nothing here is timed).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_in_process_scenario_completes() {
        let server = crate::canned_server::CannedServer::start().await.unwrap();
        let ctx = Ctx {
            endpoint: server.endpoint(),
            n: 20,
            c: 3,
        };
        for scenario in ALL.iter().filter(|s| s.name != "token-official") {
            let (timed, _) = run(scenario.name, &ctx)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", scenario.name));
            assert_eq!(timed.latencies_ns.len(), 20, "{}", scenario.name);
        }
    }

    #[test]
    fn every_baseline_is_a_scenario() {
        for scenario in ALL {
            if let Some(baseline) = scenario.baseline {
                assert!(find(baseline).is_some(), "{baseline}");
            }
        }
    }
}
