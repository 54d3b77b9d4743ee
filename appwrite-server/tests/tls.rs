//! An `https://` endpoint in a build without a TLS backend is refused at `build()`, naming the
//! features, instead of failing later as if the server were offline (the check is in the transport
//! both SDKs share). CI runs this file twice: with
//! the default features and with `--no-default-features`.

use appwrite_server::Client;

fn build(endpoint: &str) -> Result<Client, appwrite_server::Error> {
    Client::builder()
        .endpoint(endpoint)
        .project("demo")
        .api_key("dev-key")
        .build()
}

#[test]
fn https_endpoint_needs_a_tls_backend() {
    let result = build("https://appwrite.example.com/v1");
    if cfg!(any(feature = "rustls", feature = "native-tls")) {
        assert!(result.is_ok(), "{:?}", result.err());
    } else {
        let message = result.expect_err("no TLS backend").to_string();
        assert!(message.contains("https://"), "{message}");
        assert!(
            message.contains("rustls") && message.contains("native-tls"),
            "{message}"
        );
    }
}

#[test]
fn plain_http_needs_no_tls_backend() {
    assert!(build("http://127.0.0.1:9/v1").is_ok());
}
