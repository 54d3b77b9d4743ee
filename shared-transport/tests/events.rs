//! The `tracing` events go under the SDK's own target: `appwrite_client` for the client SDK,
//! `appwrite_server` for the server SDK.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use appwrite_models::headers::Platform;
use appwrite_transport::reqwest::Method;
use appwrite_transport::{HttpConfig, Request};
use common::{Answer, Server, quick_retries};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt as _};

/// Records each event's target and level.
#[derive(Clone, Default)]
struct Targets(Arc<Mutex<Vec<(String, Level)>>>);

impl<S: Subscriber> tracing_subscriber::Layer<S> for Targets {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        self.0
            .lock()
            .unwrap()
            .push((meta.target().to_owned(), *meta.level()));
    }
}

async fn events_of(platform: Platform) -> Vec<(String, Level)> {
    let server = Server::start(vec![
        Answer::status(503, ""),
        Answer::json(200, "x-appwrite-warning: old sdk\r\n", "{}"),
    ])
    .await;
    let transport = HttpConfig::default()
        .endpoint(server.endpoint.clone())
        .project("demo")
        .retry_policy(quick_retries())
        .build(platform, "0.1.0", Vec::new())
        .unwrap();
    let targets = Targets::default();
    let subscriber = tracing_subscriber::registry().with(targets.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    transport
        .send(&Request::new(Method::GET, "/account", []))
        .await
        .unwrap();
    targets.0.lock().unwrap().clone()
}

#[tokio::test]
async fn client_events_go_under_appwrite_client() {
    let events = events_of(Platform::Client).await;
    let target = |t: &str, l: Level| events.iter().filter(|e| e.0 == t && e.1 == l).count();
    assert_eq!(target("appwrite_client", Level::DEBUG), 2, "{events:?}");
    // One for the retry, one for the warning header.
    assert_eq!(target("appwrite_client", Level::WARN), 2, "{events:?}");
    assert!(
        !events.iter().any(|e| e.0 == "appwrite_server"),
        "{events:?}"
    );
}

#[tokio::test]
async fn server_events_go_under_appwrite_server() {
    let events = events_of(Platform::Server).await;
    assert!(
        events
            .iter()
            .any(|e| e.0 == "appwrite_server" && e.1 == Level::DEBUG)
    );
    assert!(
        !events.iter().any(|e| e.0 == "appwrite_client"),
        "{events:?}"
    );
}
