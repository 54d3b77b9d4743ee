//! [`Client::from_env`]: the endpoint and project from the environment, as the server SDK reads
//! them.

use appwrite_transport::HttpConfig;

use crate::builder::ClientBuilder;
use crate::client::Client;
use crate::error::Result;

/// The API endpoint, e.g. `https://cloud.appwrite.io/v1`.
const ENV_ENDPOINT: &str = "APPWRITE_ENDPOINT";
/// The project id.
const ENV_PROJECT_ID: &str = "APPWRITE_PROJECT_ID";

impl Client {
    /// A client configured from the environment: `APPWRITE_ENDPOINT` and `APPWRITE_PROJECT_ID`
    /// (the names the server SDK reads), with every other setting at its default: a
    /// [`MemoryStore`](crate::MemoryStore). Use [`builder_from_env`](Self::builder_from_env) to
    /// set a session store or anything else.
    ///
    /// A variable that is missing or empty is an error that names it
    /// ([`ConfigError::MissingEnv`](crate::ConfigError::MissingEnv)); leading and trailing
    /// whitespace is trimmed.
    ///
    /// ```no_run
    /// # fn run() -> appwrite_client::Result<()> {
    /// let client = appwrite_client::Client::from_env()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::builder_from_env().build()
    }

    /// A builder holding what [`from_env`](Self::from_env) reads, to set further options on. A
    /// missing variable is reported by [`build`](ClientBuilder::build), unless the setting has
    /// been given explicitly by then.
    ///
    /// ```no_run
    /// # fn run() -> appwrite_client::Result<()> {
    /// let client = appwrite_client::Client::builder_from_env()
    ///     .session_store(appwrite_client::FileStore::for_app("my-app")?)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder_from_env() -> ClientBuilder {
        ClientBuilder::from_lookup(&|name| {
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        })
    }
}

impl ClientBuilder {
    /// Reads the environment through `lookup`.
    pub(crate) fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Self {
        Self::with_http(HttpConfig::from_env(
            lookup,
            &[ENV_ENDPOINT],
            &[ENV_PROJECT_ID],
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use appwrite_transport::ConfigError;

    use super::*;
    use crate::error::Error;

    fn builder(vars: &[(&str, &str)]) -> ClientBuilder {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ClientBuilder::from_lookup(&move |name| vars.get(name).cloned())
    }

    fn missing(builder: ClientBuilder) -> Option<&'static str> {
        match builder.build() {
            Err(Error::Config(ConfigError::MissingEnv(name))) => Some(name),
            Err(other) => panic!("unexpected error: {other}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn env_reads_endpoint_and_project_trimmed() {
        let client = builder(&[
            ("APPWRITE_ENDPOINT", " http://127.0.0.1:9/v1\n"),
            ("APPWRITE_PROJECT_ID", "demo\n"),
        ])
        .build()
        .unwrap();
        assert_eq!(client.endpoint(), "http://127.0.0.1:9/v1");
        assert_eq!(client.project(), "demo");
    }

    #[test]
    fn a_missing_or_empty_variable_is_named() {
        assert_eq!(missing(builder(&[])), Some("APPWRITE_ENDPOINT"));
        assert_eq!(
            missing(builder(&[("APPWRITE_ENDPOINT", "http://127.0.0.1:9/v1")])),
            Some("APPWRITE_PROJECT_ID")
        );
        assert_eq!(
            missing(builder(&[
                ("APPWRITE_ENDPOINT", "   "),
                ("APPWRITE_PROJECT_ID", "demo")
            ])),
            Some("APPWRITE_ENDPOINT")
        );
        let error = builder(&[]).build().unwrap_err();
        assert_eq!(
            error.to_string(),
            "environment variable APPWRITE_ENDPOINT is not set"
        );
        // The server SDK's Functions fallbacks are not read by an app.
        assert_eq!(
            missing(builder(&[
                ("APPWRITE_FUNCTION_API_ENDPOINT", "http://127.0.0.1:9/v1"),
                ("APPWRITE_PROJECT_ID", "demo")
            ])),
            Some("APPWRITE_ENDPOINT")
        );
    }

    #[test]
    fn an_explicit_setting_replaces_a_missing_variable() {
        let client = builder(&[("APPWRITE_PROJECT_ID", "demo")])
            .endpoint("http://127.0.0.1:9/v1")
            .build()
            .unwrap();
        assert_eq!(client.project(), "demo");
    }
}
