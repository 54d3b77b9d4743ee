//! Where a request goes: the endpoint, checked once, and a route's path with its ids filled in.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use url::Url;

use super::route_urls::RouteUrls;

/// What an id is percent-encoded against: the `url` crate's set for one path segment of an
/// `http(s)` URL, so `/`, `\`, `?`, `#` and `%` are data, never structure.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// An Appwrite API endpoint such as `https://cloud.appwrite.io/v1`, checked once.
#[derive(Clone)]
pub struct Endpoint {
    url: Url,
    routes: Arc<RouteUrls>,
}

impl PartialEq for Endpoint {
    fn eq(&self, other: &Self) -> bool {
        self.url == other.url
    }
}

impl Eq for Endpoint {}

/// Why an endpoint string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// Not a URL at all.
    #[error(
        "endpoint is not a valid URL (expected something like https://appwrite.example.com/v1)"
    )]
    Unparsable,
    /// A scheme other than `http` or `https`.
    #[error("endpoint must start with http:// or https://")]
    Scheme,
    /// A query string or fragment, which would end up in every request.
    #[error("endpoint must not have a query string or fragment")]
    QueryOrFragment,
    /// User name or password in the URL.
    #[error("endpoint must not contain a user name or password")]
    Credentials,
}

impl Endpoint {
    /// Checks an endpoint: `http(s)://host[:port][/path]`, no query, fragment or user info;
    /// white space around it is ignored.
    pub fn parse(text: &str) -> Result<Self, EndpointError> {
        let text = text.trim();
        if !(text.starts_with("http://") || text.starts_with("https://")) {
            // Checked before parsing: `localhost:8080/v1` parses as scheme `localhost`.
            return Err(if Url::parse(text).is_ok() {
                EndpointError::Scheme
            } else {
                EndpointError::Unparsable
            });
        }
        let mut url = Url::parse(text).map_err(|_| EndpointError::Unparsable)?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(EndpointError::Unparsable);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(EndpointError::QueryOrFragment);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointError::Credentials);
        }
        // Drop a trailing slash so routes append cleanly.
        if url.path().ends_with('/') {
            let trimmed = url.path().trim_end_matches('/').to_owned();
            url.set_path(&trimmed);
        }
        Ok(Self {
            url,
            routes: Arc::default(),
        })
    }

    /// The endpoint as given (without a trailing slash).
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    /// The endpoint's URL.
    pub fn as_url(&self) -> &Url {
        &self.url
    }

    /// The URL of `path` under this endpoint: `https://x/v1` and `/users/a%2Fb` give
    /// `https://x/v1/users/a%2Fb`. The URL of a route without ids is made once and then cloned.
    pub fn url(&self, path: &RoutePath) -> Url {
        match path.0 {
            Cow::Borrowed(route) => self.routes.get_or_make(route, || self.join(route)),
            Cow::Owned(ref filled) => self.join(filled),
        }
    }

    fn join(&self, path: &str) -> Url {
        let mut url = self.url.clone();
        let base = url.path().trim_end_matches('/');
        let mut full = String::with_capacity(base.len() + path.len());
        full.push_str(base);
        full.push_str(path);
        // Every id in `path` is percent-encoded, `%` included, so parsing it again keeps each id
        // one segment and can never produce a `.` or `..` segment.
        url.set_path(&full);
        url
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({:?})", self.as_str())
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A route's path with its ids filled in and percent-encoded, ready to be put under an
/// [`Endpoint`]: `/users/{userId}/sessions` with `a/b` is `/users/a%2Fb/sessions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutePath(Cow<'static, str>);

impl RoutePath {
    /// Fills the `{placeholders}` of `template` with `ids`, in order, each percent-encoded as one
    /// path segment, so an id holding `/`, `?` or `#` can never change the path's structure. A
    /// template without placeholders is used as it is, without allocating.
    ///
    /// An empty id, `.` or `..` is refused: URLs give those a meaning of their own (even
    /// percent-encoded), so they cannot be sent as data, and none is a valid Appwrite id. So is a
    /// count of ids that differs from the count of placeholders (a bug in the caller, which debug
    /// builds assert).
    ///
    /// ```
    /// use appwrite_models::protocol::{PathSegmentError, RoutePath};
    ///
    /// let path = RoutePath::fill("/users/{userId}/sessions/{sessionId}", &["a/b", "s1"])?;
    /// assert_eq!(path.as_str(), "/users/a%2Fb/sessions/s1");
    /// assert_eq!(
    ///     RoutePath::fill("/users/{userId}", &[".."]),
    ///     Err(PathSegmentError::DotSegment)
    /// );
    /// # Ok::<(), PathSegmentError>(())
    /// ```
    pub fn fill(template: &'static str, ids: &[&str]) -> Result<Self, PathSegmentError> {
        let placeholders = template.matches('{').count();
        debug_assert_eq!(
            placeholders,
            ids.len(),
            "{template} has {placeholders} placeholders"
        );
        if placeholders != ids.len() {
            return Err(PathSegmentError::Count {
                expected: placeholders,
                given: ids.len(),
            });
        }
        if ids.is_empty() {
            return Ok(Self(Cow::Borrowed(template)));
        }
        let mut path =
            String::with_capacity(template.len() + ids.iter().map(|id| id.len()).sum::<usize>());
        let mut rest = template;
        for id in ids {
            match *id {
                "" => return Err(PathSegmentError::Empty),
                "." | ".." => return Err(PathSegmentError::DotSegment),
                _ => {}
            }
            // Both exist: the count of `{` matched the count of ids.
            let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else {
                return Err(PathSegmentError::Count {
                    expected: placeholders,
                    given: ids.len(),
                });
            };
            path.push_str(&rest[..open]);
            path.extend(utf8_percent_encode(id, SEGMENT));
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        Ok(Self(Cow::Owned(path)))
    }

    /// The path, ids percent-encoded.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A path segment (an id) that cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathSegmentError {
    /// The id is empty.
    #[error("id must not be empty")]
    Empty,
    /// The id is `.` or `..`, which a URL path cannot carry as data.
    #[error("id must not be '.' or '..'")]
    DotSegment,
    /// The route has a different number of placeholders than ids were given.
    #[error("the route has {expected} placeholders but {given} ids were given")]
    Count {
        /// Placeholders in the route.
        expected: usize,
        /// Ids given.
        given: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_checks() {
        assert_eq!(
            Endpoint::parse("localhost:8080/v1"),
            Err(EndpointError::Scheme)
        );
        assert_eq!(Endpoint::parse("ftp://x/v1"), Err(EndpointError::Scheme));
        assert_eq!(Endpoint::parse("http://"), Err(EndpointError::Unparsable));
        assert_eq!(
            Endpoint::parse("https://x/v1?a=b"),
            Err(EndpointError::QueryOrFragment)
        );
        assert_eq!(
            Endpoint::parse("https://u:p@x/v1"),
            Err(EndpointError::Credentials)
        );
        let e = Endpoint::parse("https://appwrite.example.com/v1/").unwrap();
        assert_eq!(e.as_str(), "https://appwrite.example.com/v1");
    }

    #[test]
    fn a_route_without_ids_has_the_same_url_every_time_under_each_endpoint() {
        let one = Endpoint::parse("http://routes-one.example.com/v1").unwrap();
        let other = Endpoint::parse("https://routes-other.example.com:8443/base/v1/").unwrap();
        let account = RoutePath::fill("/account", &[]).unwrap();
        for _ in 0..2 {
            assert_eq!(
                one.url(&account).as_str(),
                "http://routes-one.example.com/v1/account"
            );
            assert_eq!(
                other.clone().url(&account).as_str(),
                "https://routes-other.example.com:8443/base/v1/account"
            );
        }
        // A route with ids is filled each time, never taken from the kept URLs.
        let user = |id| one.url(&RoutePath::fill("/users/{userId}", &[id]).unwrap());
        assert_eq!(user("a").path(), "/v1/users/a");
        assert_eq!(user("b").path(), "/v1/users/b");
    }

    fn path(template: &'static str, ids: &[&str]) -> Result<String, PathSegmentError> {
        let e = Endpoint::parse("http://127.0.0.1:8080/v1").unwrap();
        RoutePath::fill(template, ids).map(|p| e.url(&p).path().to_owned())
    }

    #[test]
    fn ids_are_encoded_never_structure() {
        assert_eq!(
            path("/users/{userId}/tokens", &["a/b?c#d"]).unwrap(),
            "/v1/users/a%2Fb%3Fc%23d/tokens"
        );
        assert_eq!(
            path("/users/{userId}", &["a/../b"]).unwrap(),
            "/v1/users/a%2F..%2Fb"
        );
        assert_eq!(
            path("/users/{userId}", &["50%"]).unwrap(),
            "/v1/users/50%25"
        );
        assert_eq!(
            path("/users/{userId}", &["%2e%2e"]).unwrap(),
            "/v1/users/%252e%252e"
        );
        assert_eq!(
            path("/users/{userId}", &["a\\b"]).unwrap(),
            "/v1/users/a%5Cb"
        );
        assert_eq!(
            path("/users/{userId}", &["é {x}"]).unwrap(),
            "/v1/users/%C3%A9%20%7Bx%7D"
        );
        assert_eq!(
            path("/users/{userId}", &[".."]),
            Err(PathSegmentError::DotSegment)
        );
        assert_eq!(
            path("/users/{userId}", &["."]),
            Err(PathSegmentError::DotSegment)
        );
        assert_eq!(path("/users/{userId}", &[""]), Err(PathSegmentError::Empty));
    }

    #[test]
    fn placeholders_are_filled_in_order() {
        assert_eq!(
            path("/users/{userId}/sessions/{sessionId}", &["u", "s"]).unwrap(),
            "/v1/users/u/sessions/s"
        );
        assert_eq!(path("/account", &[]).unwrap(), "/v1/account");
        let e = Endpoint::parse("http://127.0.0.1:8080").unwrap();
        let p = RoutePath::fill("/health/{kind}", &["version"]).unwrap();
        assert_eq!(e.url(&p).as_str(), "http://127.0.0.1:8080/health/version");
    }

    #[test]
    #[cfg(not(debug_assertions))]
    fn a_wrong_id_count_is_an_error_in_release() {
        assert_eq!(
            RoutePath::fill("/users/{userId}", &[]),
            Err(PathSegmentError::Count {
                expected: 1,
                given: 0
            })
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "placeholders")]
    fn a_wrong_id_count_is_asserted_in_debug() {
        let _ = RoutePath::fill("/users/{userId}", &["a", "b"]);
    }
}
