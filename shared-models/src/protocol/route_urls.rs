//! The URLs of routes without ids under one endpoint, made once.

use std::sync::{PoisonError, RwLock};

use url::Url;

/// How many routes are kept; an SDK has fewer routes without ids than this, so the bound only
/// matters for a caller inventing routes.
const MAX_ROUTES: usize = 64;

/// Most calls go to a route without ids (`GET /account`, the sign-in): their URL is made once
/// (a clone of the endpoint and a parse of the path) and then cloned, as a raw `reqwest` caller
/// would clone a URL it parsed once. Shared by the clones of an [`Endpoint`](super::Endpoint),
/// so clients built for the same endpoint share it too.
#[derive(Default)]
pub(crate) struct RouteUrls {
    known: RwLock<Vec<(&'static str, Url)>>,
}

impl RouteUrls {
    /// The URL of `route`, made by `make` the first time.
    pub(crate) fn get_or_make(&self, route: &'static str, make: impl FnOnce() -> Url) -> Url {
        let found = self
            .known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(known, _)| *known == route)
            .map(|(_, url)| url.clone());
        if let Some(url) = found {
            return url;
        }
        let url = make();
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        if known.len() < MAX_ROUTES && !known.iter().any(|(held, _)| *held == route) {
            known.push((route, url.clone()));
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_each_route_once_and_stays_bounded() {
        let urls = RouteUrls::default();
        let base = Url::parse("http://x/v1/account").unwrap();
        let mut made = 0;
        for _ in 0..3 {
            let url = urls.get_or_make("/account", || {
                made += 1;
                base.clone()
            });
            assert_eq!(url, base);
        }
        assert_eq!(made, 1);

        let routes: Vec<&'static str> = (0..MAX_ROUTES + 5)
            .map(|i| &*Box::leak(format!("/r{i}").into_boxed_str()))
            .collect();
        for route in &routes {
            urls.get_or_make(route, || base.clone());
        }
        assert_eq!(urls.known.read().unwrap().len(), MAX_ROUTES);
        // A route past the bound is still answered, made again each time.
        let mut again = 0;
        for _ in 0..2 {
            urls.get_or_make(routes[MAX_ROUTES + 1], || {
                again += 1;
                base.clone()
            });
        }
        assert_eq!(again, 2);
    }
}
