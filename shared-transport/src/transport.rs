//! Sending a request: retries, the body limit, tracing.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use appwrite_models::headers::Platform;
use appwrite_models::headers::{KEY_HEADER, WARNING_HEADER};
use appwrite_models::protocol::{Endpoint, api_error};

use crate::error::{InvalidInput, RequestError, TransportError};
use crate::future::ResponseFuture;
use crate::request::{Request, Response};
use crate::retry::RetryPolicy;

/// A configured connection to one Appwrite project: cheap to clone (an `Arc` inside), immutable,
/// `Send + Sync`. Built by [`HttpConfig::build`](crate::HttpConfig::build).
#[derive(Clone)]
pub struct Transport {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: Endpoint,
    pub(crate) project: String,
    pub(crate) headers: HeaderMap,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Option<Duration>,
    /// Whether `http` is the user's own client, which may follow redirects.
    pub(crate) custom_client: bool,
    pub(crate) max_response_bytes: usize,
    pub(crate) redact: Vec<SecretString>,
    /// Which SDK this is: it names the target of the `tracing` events.
    pub(crate) platform: Platform,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.inner.endpoint)
            .field("project", &self.inner.project)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// How one attempt ended.
enum Attempt {
    Done(Response),
    Failed(RequestError),
}

/// What follows a failed attempt.
enum Retry {
    /// The call ends with this error.
    No(RequestError),
    /// Another attempt, after this wait.
    After(Duration),
}

impl Transport {
    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The project id.
    pub fn project(&self) -> &str {
        &self.inner.project
    }

    /// The headers sent with every request (sensitive ones are marked so).
    pub fn default_headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// The same connection (one pool, the same settings) without the default header `name`: how
    /// the server SDK acts as a user without sending its API key.
    pub fn without_default_header(&self, name: &str) -> Self {
        let inner = &self.inner;
        let mut headers = inner.headers.clone();
        headers.remove(name);
        Self {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                endpoint: inner.endpoint.clone(),
                project: inner.project.clone(),
                headers,
                retry: inner.retry.clone(),
                timeout: inner.timeout,
                max_response_bytes: inner.max_response_bytes,
                redact: inner.redact.clone(),
                platform: inner.platform,
                custom_client: inner.custom_client,
            }),
        }
    }

    /// Sends `request`, retrying as the policy allows. A 2xx answer is returned; a 3xx is a
    /// [`TransportError::Redirect`]; 400 and above is [`RequestError::Api`], its message
    /// cleared of any secret this transport sends.
    ///
    /// The request is borrowed, not moved: every layer of an SDK call's future then holds a
    /// reference instead of its own copy, which keeps the boxed future small.
    pub async fn send(&self, request: &Request) -> Result<Response, RequestError> {
        self.send_carrying(request, None).await
    }

    /// [`send`](Self::send) with one more header on every attempt (a session credential, made
    /// once by the caller): the request itself is left as it is.
    pub async fn send_carrying(
        &self,
        request: &Request,
        credential: Option<&(HeaderName, HeaderValue)>,
    ) -> Result<Response, RequestError> {
        let span = tracing::info_span!(
            "appwrite.request",
            method = %request.method,
            route = request.route,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        if span.is_disabled() {
            // Nobody records it: entering and leaving it at every poll would be work for nothing.
            drop(span);
            return self.send_with_retries(request, credential).await;
        }
        self.send_with_retries(request, credential)
            .instrument(span)
            .await
    }

    /// Sends `request` and decodes the JSON body into `T`.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        request: &Request,
    ) -> Result<T, RequestError> {
        let response = self.send(request).await?;
        Ok(response.json()?)
    }

    /// Sends `request` whose answer has no body (204).
    pub async fn send_empty(&self, request: &Request) -> Result<(), RequestError> {
        self.send(request).await.map(drop)
    }

    /// A `'static` future that sends `request` and decodes the JSON answer, for an SDK's call
    /// that needs nothing else; a request refused before sending resolves at once.
    pub fn json_future<T, E>(&self, request: Result<Request, InvalidInput>) -> ResponseFuture<T, E>
    where
        T: DeserializeOwned + Send + 'static,
        E: From<RequestError> + Send + 'static,
    {
        match request {
            Ok(request) => {
                let transport = self.clone();
                ResponseFuture::new(async move { Ok(transport.send_json(&request).await?) })
            }
            Err(invalid) => ResponseFuture::ready(Err(RequestError::from(invalid).into())),
        }
    }

    /// A `'static` future that sends `request`, whose answer has no body (204).
    pub fn empty_future<E>(&self, request: Request) -> ResponseFuture<(), E>
    where
        E: From<RequestError> + Send + 'static,
    {
        let transport = self.clone();
        ResponseFuture::new(async move { Ok(transport.send_empty(&request).await?) })
    }

    /// The URL `request` goes to.
    fn url(&self, request: &Request) -> Result<reqwest::Url, RequestError> {
        let mut url = self.inner.endpoint.url(request.route_path()?);
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        Ok(url)
    }

    // The futures below are kept small on purpose: an SDK call boxes the whole chain, and a box
    // of more than about 1 KiB misses the allocator's per-thread cache. So little is held across
    // an `.await`: the request is borrowed, each attempt's HTTP request is built in a plain
    // function, and what an answer means is worked out in another.
    async fn send_with_retries(
        &self,
        request: &Request,
        credential: Option<&(HeaderName, HeaderValue)>,
    ) -> Result<Response, RequestError> {
        if let Err(e) = &request.body {
            return Err(e.clone().into());
        }
        // Read the clock for the span's latency only when a subscriber records the span.
        let started = (!tracing::Span::current().is_disabled()).then(Instant::now);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let sent_at = Instant::now();
            let pending = self.start(request, credential)?;
            let outcome = self.finish(request, pending).await;
            let delay = match self.judge(request, outcome, attempt, sent_at, started) {
                Ok(response) => return Ok(response),
                Err(Retry::No(error)) => return Err(error),
                Err(Retry::After(delay)) => delay,
            };
            tokio::time::sleep(delay).await;
        }
    }

    /// Builds one attempt's HTTP request and starts it.
    fn start(
        &self,
        request: &Request,
        credential: Option<&(HeaderName, HeaderValue)>,
    ) -> Result<impl Future<Output = Result<reqwest::Response, reqwest::Error>> + use<>, RequestError>
    {
        let mut http_request = reqwest::Request::new(request.method.clone(), self.url(request)?);
        let headers = http_request.headers_mut();
        headers.clone_from(&self.inner.headers);
        for (name, value) in request.headers.iter().chain(credential) {
            headers.insert(name, value.clone());
        }
        if let Ok(Some(body)) = &request.body {
            *http_request.body_mut() = Some(reqwest::Body::from(body.clone()));
        }
        *http_request.timeout_mut() = self.inner.timeout;
        Ok(self.inner.http.execute(http_request))
    }

    /// Waits for the answer to one attempt and reads it.
    async fn finish(
        &self,
        request: &Request,
        pending: impl Future<Output = Result<reqwest::Response, reqwest::Error>>,
    ) -> Attempt {
        let mut response = match pending.await {
            Ok(response) => response,
            Err(e) => return Attempt::Failed(TransportError::from_reqwest(e).into()),
        };
        // Only a user's own client may follow a redirect: an answer from elsewhere is never
        // taken for Appwrite's.
        if self.inner.custom_client && self.url(request).ok().as_ref() != Some(response.url()) {
            return Attempt::Failed(TransportError::RedirectFollowed.into());
        }
        let status = response.status().as_u16();
        if let Some(warning) = response.headers().get(WARNING_HEADER) {
            sdk_event!(
                self.inner.platform,
                warn,
                route = request.route,
                warning = %String::from_utf8_lossy(warning.as_bytes()),
                "appwrite warning"
            );
        }
        if (300..400).contains(&status) {
            return Attempt::Failed(TransportError::Redirect { status }.into());
        }
        match self.read_body(&mut response).await {
            Ok(body) => self.answer(status, std::mem::take(response.headers_mut()), body),
            Err(e) => Attempt::Failed(e.into()),
        }
    }

    /// A read answer: a response below 400, else the API error it carries.
    fn answer(&self, status: u16, headers: HeaderMap, body: Bytes) -> Attempt {
        if status < 400 {
            return Attempt::Done(Response {
                status,
                headers,
                body,
            });
        }
        let mut error = api_error(status, &headers, &body, SystemTime::now());
        for secret in &self.inner.redact {
            error.redact(secret.expose_secret());
        }
        let sent_key = self.inner.headers.contains_key(KEY_HEADER);
        error.hint = crate::hints::api_hint(&error, &self.inner.endpoint, sent_key);
        Attempt::Failed(RequestError::Api(error))
    }

    /// What one attempt's outcome means: the answer, or an error to return, or a wait before the
    /// next attempt. Logs the attempt and records the span when the call ends.
    fn judge(
        &self,
        request: &Request,
        outcome: Attempt,
        attempt: u32,
        sent_at: Instant,
        started: Option<Instant>,
    ) -> Result<Response, Retry> {
        let status = match &outcome {
            Attempt::Done(response) => Some(response.status),
            Attempt::Failed(RequestError::Api(api)) => Some(api.status),
            Attempt::Failed(_) => None,
        };
        sdk_event!(
            self.inner.platform,
            debug,
            method = %request.method,
            route = request.route,
            status,
            duration_ms = millis(sent_at.elapsed()),
            attempt,
            "appwrite request"
        );
        let error = match outcome {
            Attempt::Done(response) => {
                record(started, attempt, response.status);
                return Ok(response);
            }
            Attempt::Failed(error) => error,
        };
        let Some(delay) = self.inner.retry.decide(attempt, request.idempotent, &error) else {
            if let RequestError::Api(api) = &error {
                record(started, attempt, api.status);
            }
            return Err(Retry::No(error));
        };
        sdk_event!(
            self.inner.platform,
            warn,
            method = %request.method,
            route = request.route,
            attempt,
            delay_ms = millis(delay),
            status,
            error = %retry_reason(&error),
            "retrying appwrite request"
        );
        Err(Retry::After(delay))
    }

    /// Reads the body, refusing to hold more than the limit.
    async fn read_body(&self, response: &mut reqwest::Response) -> Result<Bytes, TransportError> {
        let limit = self.inner.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|len| usize::try_from(len).map_or(true, |len| len > limit))
        {
            return Err(TransportError::BodyTooLarge { limit });
        }
        // Appwrite's answers usually arrive in one chunk: keep it as it is, copy only when a
        // second one follows.
        let mut first: Option<Bytes> = None;
        let mut joined: Option<BytesMut> = None;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(TransportError::from_reqwest)?
        {
            let held =
                first.as_ref().map_or(0, Bytes::len) + joined.as_ref().map_or(0, BytesMut::len);
            if held + chunk.len() > limit {
                return Err(TransportError::BodyTooLarge { limit });
            }
            match (&mut joined, first.take()) {
                (Some(buffer), _) => buffer.extend_from_slice(&chunk),
                (None, None) => first = Some(chunk),
                (None, Some(previous)) => {
                    let mut buffer = BytesMut::with_capacity(previous.len() + chunk.len());
                    buffer.extend_from_slice(&previous);
                    buffer.extend_from_slice(&chunk);
                    joined = Some(buffer);
                }
            }
        }
        Ok(joined.map_or_else(|| first.unwrap_or_default(), BytesMut::freeze))
    }
}

/// Records the call's outcome on its span (the current one), if the span is recorded.
fn record(started: Option<Instant>, attempts: u32, status: u16) {
    let Some(started) = started else { return };
    let span = tracing::Span::current();
    span.record("status", status);
    span.record("attempts", attempts);
    span.record("latency_ms", millis(started.elapsed()));
}

/// Why a request is tried again, for the warning (only answers and transport errors are).
fn retry_reason(error: &RequestError) -> String {
    match error {
        RequestError::Api(api) => api.to_string(),
        RequestError::Transport(transport) => transport.to_string(),
        RequestError::Decode(_) | RequestError::InvalidInput(_) => String::new(),
    }
}

/// Whole milliseconds, saturating.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
