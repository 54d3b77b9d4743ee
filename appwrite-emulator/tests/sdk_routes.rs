//! Every route the SDKs call (`appwrite_models::protocol::routes`) is one the emulator serves:
//! none is answered `general_route_not_found`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use appwrite_models::protocol::routes;
use common::{Env, KEY, PROJECT};

#[tokio::test(flavor = "multi_thread")]
async fn every_sdk_route_is_served() {
    let env = Env::start().await;
    let mut unserved = Vec::new();
    // A route nobody serves, first: the check below must see it as unserved.
    let made_up = routes::Route {
        method: reqwest::Method::GET,
        path: "/account/no-such-route",
    };
    for route in std::iter::once(&made_up).chain(routes::ALL) {
        // Each `{placeholder}` becomes an id that exists nowhere: the route must still be known.
        let path = route
            .path
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    "nobody"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let response = env
            .http
            .request(
                route.method.clone(),
                format!("{}{path}", env.emu.endpoint()),
            )
            .header("x-appwrite-project", PROJECT)
            .header("x-appwrite-key", KEY)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        // Unmatched requests get Appwrite's HTML error page; the helper reads either form.
        let kind = common::error_type(response).await;
        if kind == "general_route_not_found" || status == 405 {
            unserved.push(format!(
                "{} {} -> {status} {kind}",
                route.method, route.path
            ));
        }
    }
    assert_eq!(
        unserved,
        ["GET /account/no-such-route -> 404 general_route_not_found"],
        "only the made-up route may be unserved"
    );
    assert!(routes::ALL.len() >= 33);
}
