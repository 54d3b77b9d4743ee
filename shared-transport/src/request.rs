//! A request as the SDKs describe it, and the response they get back.

use std::fmt;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use appwrite_models::protocol::routes::Route;
use appwrite_models::protocol::{DecodeError, PathSegmentError, RoutePath, decode_json};

use crate::error::InvalidInput;

/// One API call: method, route template with its ids filled in (each percent-encoded as one
/// segment), query, JSON body and extra headers. Built by the SDKs' service methods, sent by
/// [`Transport::send`](crate::Transport::send).
pub struct Request {
    pub(crate) method: Method,
    pub(crate) route: &'static str,
    pub(crate) path: Result<RoutePath, PathSegmentError>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Result<Option<Bytes>, InvalidInput>,
    /// Extra headers, each name at most once. Rarely more than one: a list keeps the request
    /// (which every layer of a call's future holds) small.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) idempotent: bool,
}

impl Request {
    /// A request to `route` under the endpoint, its `{placeholders}` filled with `ids` in order.
    ///
    /// The template is the only spelling of the path: it is what traces show, and the ids are
    /// percent-encoded one segment each, so an id holding `/`, `?` or `#` cannot change the path.
    /// The count of ids must match the count of placeholders (debug builds assert it). An empty
    /// id, `.` or `..` cannot be sent: the request then fails when sent, with
    /// [`InvalidInput`], before anything goes out ([`checked`](Self::checked) reports it at once).
    /// GET, PUT, PATCH and DELETE count as idempotent, POST does not.
    ///
    /// ```
    /// use appwrite_transport::{Request, reqwest::Method};
    ///
    /// let request = Request::new(
    ///     Method::DELETE,
    ///     "/users/{userId}/sessions/{sessionId}",
    ///     ["user/42", "s1"],
    /// );
    /// assert_eq!(request.route(), "/users/{userId}/sessions/{sessionId}");
    /// assert_eq!(request.path(), Ok("/users/user%2F42/sessions/s1"));
    /// assert!(Request::new(Method::GET, "/users/{userId}", [".."]).checked().is_err());
    /// ```
    pub fn new<const N: usize>(method: Method, route: &'static str, ids: [&str; N]) -> Self {
        let idempotent = method != Method::POST;
        Self {
            method,
            route,
            path: RoutePath::fill(route, &ids),
            query: Vec::new(),
            body: Ok(None),
            headers: Vec::new(),
            idempotent,
        }
    }

    /// A request to one of Appwrite's [`routes`](appwrite_models::protocol::routes), its
    /// placeholders filled with `ids` in order (see [`new`](Self::new)).
    ///
    /// ```
    /// use appwrite_models::protocol::routes;
    /// use appwrite_transport::Request;
    ///
    /// let request = Request::to(routes::users::CREATE_TOKEN, ["user-42"]);
    /// assert_eq!(request.path(), Ok("/users/user-42/tokens"));
    /// ```
    pub fn to<const N: usize>(route: Route, ids: [&str; N]) -> Self {
        Self::new(route.method, route.path, ids)
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
    /// Setting a header twice keeps the last value.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.retain(|(held, _)| *held != name);
        self.headers.push((name, value));
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

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path under the endpoint, ids percent-encoded, or why an id cannot be sent.
    pub fn path(&self) -> Result<&str, InvalidInput> {
        self.route_path().map(RoutePath::as_str)
    }

    pub(crate) fn route_path(&self) -> Result<&RoutePath, InvalidInput> {
        self.path
            .as_ref()
            .map_err(|e| InvalidInput::new(e.to_string()))
    }

    /// The query parameters, in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The JSON body, if any, or why it could not be encoded.
    pub fn body(&self) -> Result<Option<&[u8]>, InvalidInput> {
        match &self.body {
            Ok(body) => Ok(body.as_deref()),
            Err(e) => Err(e.clone()),
        }
    }

    /// Whether the request may be sent again after it may have reached the server.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// The request itself if it can be sent, else why not (an id that cannot be a path segment,
    /// a body that could not be encoded): lets a builder refuse it before anything is sent.
    pub fn checked(self) -> Result<Self, InvalidInput> {
        self.path()?;
        if let Err(e) = &self.body {
            return Err(e.clone());
        }
        Ok(self)
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
