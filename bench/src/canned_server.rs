//! A minimal Appwrite look-alike on loopback that answers from canned responses: hyper 1,
//! HTTP/1.1 keep-alive, on the caller's multi-thread runtime. It does as little as it can per
//! request (a route match, two header checks, a clone of prebuilt bytes) so that it is never what
//! limits a benchmark; the `server-capacity` scenario measures how much it can take.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use appwrite_models::Datetime;
use appwrite_models::time::OffsetDateTime;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::BoxError;

/// The project id every scenario uses.
pub const PROJECT: &str = "bench";
/// The API key every server-side scenario uses.
pub const API_KEY: &str = "bench-key";
/// The user every canned scenario logs in.
pub const USER_ID: &str = "user-42";
/// The token secret the canned token carries and the session scenarios send.
pub const TOKEN_SECRET: &str = "a1b2c3";

/// The 256-hex session secret inside the canned credential.
const SESSION_SECRET: &str = "5e4f1d0c7b3a29186e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f7e\
6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3a29180f7e6\
d5c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d\
5c4b3a2918f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c";

/// `{now}`, `{in15m}` and `{in1y}` are replaced by datetimes relative to the server's start, so that
/// the SDKs see a live token and session whenever the bench runs.
const TOKEN_JSON: &str = r#"{"$id":"6530b3f4a1b2c3d4e5f6","$createdAt":"{now}","userId":"user-42","secret":"a1b2c3","expire":"{in15m}","phrase":""}"#;

const SESSION_JSON: &str = r#"{"$id":"6530b3f4c9d8e7f6a5b4","$createdAt":"{now}","$updatedAt":"{now}","userId":"user-42","expire":"{in1y}","provider":"token","providerUid":"user-42","providerAccessToken":"","providerAccessTokenExpiry":"","providerRefreshToken":"","ip":"127.0.0.1","osCode":"","osName":"","osVersion":"","clientType":"library","clientCode":"","clientName":"","clientVersion":"","clientEngine":"","clientEngineVersion":"","deviceName":"","deviceBrand":"","deviceModel":"","countryCode":"--","countryName":"Unknown","current":true,"factors":["token"],"secret":"","mfaUpdatedAt":""}"#;

const USER_JSON: &str = r#"{"$id":"user-42","$createdAt":"2025-10-01T09:12:44.000+00:00","$updatedAt":"2025-10-15T06:38:01.000+00:00","name":"Ada Lovelace","registration":"2025-10-01T09:12:44.000+00:00","status":true,"labels":["beta"],"passwordUpdate":"","email":"ada@example.com","phone":"+14155550142","emailVerification":true,"phoneVerification":false,"mfa":false,"prefs":{"theme":"dark","locale":"en"},"targets":[{"$id":"6530b3f4e1e2e3e4e5e6","$createdAt":"2025-10-01T09:12:44.000+00:00","$updatedAt":"2025-10-01T09:12:44.000+00:00","name":"","userId":"user-42","providerId":null,"providerType":"email","identifier":"ada@example.com","expired":false}],"accessedAt":"2025-10-15T06:38:01.000+00:00"}"#;

const ERROR_404: &str = r#"{"message":"The requested route was not found. Please refer to the API docs and try again.","code":404,"type":"general_route_not_found","version":"1.9.6"}"#;
const ERROR_401: &str = r#"{"message":"User (role: guests) missing scopes ([\"account\"])","code":401,"type":"general_unauthorized_scope","version":"1.9.6"}"#;

const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// `Set-Cookie`'s `expires` format: `Thu, 15 Oct 2026 06:38:01 GMT`.
fn http_date(at: SystemTime) -> String {
    let at = OffsetDateTime::from(at);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        &at.weekday().to_string()[..3],
        at.day(),
        &at.month().to_string()[..3],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn fill(template: &str) -> Bytes {
    let now = Datetime::now();
    Bytes::from(
        template
            .replace("{now}", &now.to_string())
            .replace(
                "{in15m}",
                &now.saturating_add(Duration::from_secs(900)).to_string(),
            )
            .replace("{in1y}", &now.saturating_add(YEAR).to_string()),
    )
}

/// The canned responses, built once: every request only clones `Bytes` and `HeaderValue`s.
struct Canned {
    token: Bytes,
    session: Bytes,
    common: Vec<(HeaderName, HeaderValue)>,
    set_cookies: [HeaderValue; 2],
    fallback: HeaderValue,
    clear_cookies: [HeaderValue; 2],
}

impl Canned {
    fn new() -> Result<Self, BoxError> {
        let credential = appwrite_models::credential::encode(USER_ID, SESSION_SECRET);
        let expires = http_date(SystemTime::now() + YEAR);
        // Appwrite URL-encodes the cookie value and PHP-escapes `/` in the fallback JSON.
        let cookie_value = credential
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        let fallback = format!(
            r#"{{"a_session_{PROJECT}":"{}"}}"#,
            credential.replace('/', "\\/")
        );
        let set_cookies = [
            format!(
                "a_session_{PROJECT}_legacy={cookie_value}; expires={expires}; path=/; httponly"
            ),
            format!(
                "a_session_{PROJECT}={cookie_value}; expires={expires}; path=/; httponly; samesite=None"
            ),
        ];
        let clear = [
            format!(
                "a_session_{PROJECT}_legacy=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; path=/; httponly"
            ),
            format!(
                "a_session_{PROJECT}=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; path=/; httponly; samesite=None"
            ),
        ];
        let common = [
            ("server", "Appwrite"),
            ("x-content-type-options", "nosniff"),
            ("access-control-allow-credentials", "true"),
            (
                "access-control-expose-headers",
                "X-Appwrite-Session, X-Fallback-Cookies",
            ),
            ("x-debug-speed", "0.0041"),
            ("x-debug-fallback", "true"),
        ];
        Ok(Self {
            token: fill(TOKEN_JSON),
            session: fill(SESSION_JSON),
            common: common
                .iter()
                .map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v)))
                .collect(),
            set_cookies: [
                HeaderValue::from_str(&set_cookies[0])?,
                HeaderValue::from_str(&set_cookies[1])?,
            ],
            fallback: HeaderValue::from_str(&fallback)?,
            clear_cookies: [
                HeaderValue::from_str(&clear[0])?,
                HeaderValue::from_str(&clear[1])?,
            ],
        })
    }

    fn json(&self, status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        for (name, value) in &self.common {
            headers.insert(name.clone(), value.clone());
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        );
        response
    }

    fn with_session_headers(
        mut response: Response<Full<Bytes>>,
        cookies: &[HeaderValue; 2],
        fallback: HeaderValue,
    ) -> Response<Full<Bytes>> {
        let headers = response.headers_mut();
        for cookie in cookies {
            headers.append(header::SET_COOKIE, cookie.clone());
        }
        headers.insert(HeaderName::from_static("x-fallback-cookies"), fallback);
        response
    }

    fn answer(
        &self,
        method: &Method,
        path: &str,
        headers: &http::HeaderMap,
    ) -> Response<Full<Bytes>> {
        let project_ok = headers
            .get("x-appwrite-project")
            .is_some_and(|v| v.as_bytes() == PROJECT.as_bytes());
        let key_ok = headers
            .get("x-appwrite-key")
            .is_some_and(|v| v.as_bytes() == API_KEY.as_bytes());
        let has_session = headers.contains_key("x-appwrite-session")
            || headers.contains_key(header::COOKIE)
            || headers.contains_key("x-fallback-cookies");

        match (method, path) {
            (&Method::GET, "/ping") => {
                let mut response = Response::new(Full::new(Bytes::from_static(b"ok")));
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
                response
            }
            (&Method::POST, p) if p.starts_with("/v1/users/") && p.ends_with("/tokens") => {
                if project_ok && key_ok {
                    self.json(StatusCode::CREATED, self.token.clone())
                } else {
                    self.json(
                        StatusCode::UNAUTHORIZED,
                        Bytes::from_static(ERROR_401.as_bytes()),
                    )
                }
            }
            (&Method::POST, "/v1/account/sessions/token") => {
                if project_ok && !has_session {
                    Self::with_session_headers(
                        self.json(StatusCode::CREATED, self.session.clone()),
                        &self.set_cookies,
                        self.fallback.clone(),
                    )
                } else {
                    self.json(
                        StatusCode::UNAUTHORIZED,
                        Bytes::from_static(ERROR_401.as_bytes()),
                    )
                }
            }
            (&Method::GET, "/v1/account") => {
                if project_ok && has_session {
                    self.json(StatusCode::OK, Bytes::from_static(USER_JSON.as_bytes()))
                } else {
                    self.json(
                        StatusCode::UNAUTHORIZED,
                        Bytes::from_static(ERROR_401.as_bytes()),
                    )
                }
            }
            (&Method::DELETE, p) if p.starts_with("/v1/account/sessions/") => {
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = StatusCode::NO_CONTENT;
                Self::with_session_headers(
                    response,
                    &self.clear_cookies,
                    HeaderValue::from_static("[]"),
                )
            }
            _ => self.json(
                StatusCode::NOT_FOUND,
                Bytes::from_static(ERROR_404.as_bytes()),
            ),
        }
    }
}

/// A running canned server.
#[derive(Debug)]
pub struct CannedServer {
    addr: SocketAddr,
}

impl CannedServer {
    /// Binds 127.0.0.1 on a free port and serves on the current runtime until the process ends.
    pub async fn start() -> Result<Self, BoxError> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let canned = std::sync::Arc::new(Canned::new()?);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let canned = canned.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let canned = canned.clone();
                        async move {
                            let (parts, body) = request.into_parts();
                            // Read the body so the connection stays reusable.
                            let _ = body.collect().await;
                            Ok::<_, Infallible>(canned.answer(
                                &parts.method,
                                parts.uri.path(),
                                &parts.headers,
                            ))
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { addr })
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn endpoint(&self) -> String {
        format!("http://{}/v1", self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_bodies_decode_into_the_models() {
        let _: appwrite_models::Token = serde_json::from_slice(&fill(TOKEN_JSON)).unwrap();
        let session: appwrite_models::Session =
            serde_json::from_slice(&fill(SESSION_JSON)).unwrap();
        assert!(!session.expire.is_before(SystemTime::now()));
        assert!(session.secret.is_empty());
        let user: appwrite_models::User = serde_json::from_str(USER_JSON).unwrap();
        assert_eq!(user.id, USER_ID);
        assert_eq!(SESSION_SECRET.len(), 256);
    }

    #[test]
    fn cookie_dates_look_like_http_dates() {
        let date = http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(1_760_510_281));
        assert_eq!(date, "Wed, 15 Oct 2025 06:38:01 GMT");
    }
}
