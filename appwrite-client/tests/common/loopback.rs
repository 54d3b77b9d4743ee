//! A browser for the loopback login's tests: follows redirects itself and keeps the cookies the
//! servers set (host and path matched), as a real browser would.

use appwrite_client::login::LoopbackLogin;
use appwrite_client::reqwest::{self, Url, header};

/// Where the start page sends the browser in tests that do not follow it.
pub const PROVIDER: &str = "https://provider.example/authorize?client=cli";

/// Binds a login whose start page leads to [`PROVIDER`].
pub async fn login() -> LoopbackLogin {
    LoopbackLogin::bind().await.unwrap().sign_in_url(PROVIDER)
}

/// GETs `url` without cookies and returns the status and page.
pub async fn get(url: &str) -> (u16, String) {
    let response = reqwest::Client::new().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// One answer: status, `Location`, the `Set-Cookie` headers, page.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub page: String,
}

/// A browser with a cookie jar.
#[derive(Clone, Debug)]
pub struct Browser {
    http: reqwest::Client,
    /// (host, path, name, value)
    jar: Vec<(String, String, String, String)>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            jar: Vec::new(),
        }
    }

    /// One GET, not following a redirect; keeps the cookies it sets.
    pub async fn step(&mut self, url: &str) -> Answer {
        let parsed = Url::parse(url).unwrap();
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let cookies: Vec<String> = self
            .jar
            .iter()
            .filter(|(h, path, _, _)| *h == host && parsed.path().starts_with(path.as_str()))
            .map(|(_, _, name, value)| format!("{name}={value}"))
            .collect();
        let mut request = self.http.get(url);
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| parsed.join(v.to_str().unwrap()).unwrap().to_string());
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for set in &set_cookies {
            let mut parts = set.split(';');
            let (name, value) = parts.next().unwrap().trim().split_once('=').unwrap();
            let path = parts
                .filter_map(|a| a.trim().split_once('='))
                .find(|(k, _)| k.eq_ignore_ascii_case("path"))
                .map_or("/".to_owned(), |(_, v)| v.to_owned());
            self.jar
                .retain(|(h, p, n, _)| !(*h == host && *p == path && n == name));
            self.jar
                .push((host.clone(), path, name.to_owned(), value.to_owned()));
        }
        let page = response.text().await.unwrap();
        Answer {
            status,
            location,
            set_cookies,
            page,
        }
    }

    /// A browser that visited `start` (a login's start page) and holds its cookie.
    pub async fn started(start: &str) -> Self {
        let mut browser = Self::new();
        let answer = browser.step(start).await;
        assert_eq!(answer.status, 303, "{}", answer.page);
        browser
    }

    /// Opens `url` and follows redirects (up to 10): where it ended, the status and the page.
    pub async fn open(&mut self, url: &str) -> (String, u16, String) {
        let mut url = url.to_owned();
        for _ in 0..10 {
            let answer = self.step(&url).await;
            match answer.location {
                Some(next) if (300..400).contains(&answer.status) => url = next,
                _ => return (url, answer.status, answer.page),
            }
        }
        panic!("too many redirects from {url}");
    }
}
