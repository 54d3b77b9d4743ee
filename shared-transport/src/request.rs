//! A request as the SDKs describe it, and the response they get back.

use std::fmt;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use appwrite_models::protocol::{DecodeError, decode_json};

use crate::error::InvalidInput;

/// One API call: method, route, path segments (ids are percent-encoded one segment each), query,
/// JSON body and extra headers. Built by the SDKs' service methods, sent by
/// [`Transport::send`](crate::Transport::send).
pub struct Request {
    pub(crate) method: Method,
    pub(crate) route: &'static str,
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Result<Option<Bytes>, InvalidInput>,
    pub(crate) headers: HeaderMap,
    pub(crate) idempotent: bool,
}

impl Request {
    /// A request to `segments` under the endpoint; `route` is the template shown in traces, e.g.
    /// `/users/{userId}/tokens`. GET, PUT, PATCH and DELETE count as idempotent, POST does not.
    pub fn new<S: Into<String>>(
        method: Method,
        route: &'static str,
        segments: impl IntoIterator<Item = S>,
    ) -> Self {
        let idempotent = method != Method::POST;
        Self {
            method,
            route,
            segments: segments.into_iter().map(Into::into).collect(),
            query: Vec::new(),
            body: Ok(None),
            headers: HeaderMap::new(),
            idempotent,
        }
    }

    /// Adds a query parameter (repeat the key for arrays, e.g. `queries[]`).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sets the JSON body.
    pub fn json(mut self, body: &impl serde::Serialize) -> Self {
        self.body = serde_json::to_vec(body)
            .map(|b| Some(Bytes::from(b)))
            .map_err(|_| InvalidInput::new("the request body could not be encoded as JSON"));
        self
    }

    /// Adds a header for this request only (a session credential, say: mark it sensitive).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Overrides whether the request may be sent again after it may have reached the server.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// The route template.
    pub fn route(&self) -> &'static str {
        self.route
    }
}

impl fmt::Debug for Request {
    // Headers and body may hold credentials: show only where the request goes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

/// A 2xx response: status, headers and the body, read in full (up to the size limit).
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Response headers (they may carry the session credential: never log them).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// Decodes the body as JSON into `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        let content_type = self
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        decode_json(self.status, content_type, &self.body)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}
