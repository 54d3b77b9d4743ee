//! `list`.

use std::future::IntoFuture;

use appwrite_models::UserList;
use appwrite_models::protocol::{routes, rules};
use appwrite_transport::{InvalidInput, Request};

use crate::client::Client;
use crate::error::Result;
use crate::future::ResponseFuture;

/// A request for a page of users, from [`Users::list`](crate::Users::list). Await it.
///
/// Queries are Appwrite's JSON query strings, each sent as a `queries[]` parameter; build the
/// common ones with [`Query`](crate::Query).
///
/// ```no_run
/// use appwrite_server::Query;
///
/// # async fn run(users: appwrite_server::Users) -> Result<(), appwrite_server::Error> {
/// let page = users
///     .list()
///     .query(Query::equal("email", "ada@example.com"))
///     .query(Query::limit(10))
///     .total(false)
///     .await?;
/// for user in page.users {
///     println!("{} {}", user.id, user.name);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct ListUsers {
    client: Client,
    queries: Vec<String>,
    search: Option<String>,
    total: Option<bool>,
}

impl ListUsers {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            queries: Vec::new(),
            search: None,
            total: None,
        }
    }

    /// Adds a query: a [`Query`](crate::Query) or any JSON query string Appwrite accepts (up to
    /// 100 queries of up to 4096 characters each). Filterable attributes include `name`,
    /// `email`, `phone`, `status`, `labels` and `registration`.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.queries.push(query.into());
        self
    }

    /// Adds several queries, as [`query`](Self::query) does.
    pub fn queries<Q: Into<String>>(mut self, queries: impl IntoIterator<Item = Q>) -> Self {
        self.queries.extend(queries.into_iter().map(Into::into));
        self
    }

    /// A full-text search over the users' id, name, email and phone (up to 256 characters).
    pub fn search(mut self, search: impl Into<String>) -> Self {
        self.search = Some(search.into());
        self
    }

    /// Whether to count all matching users into [`UserList::total`] (Appwrite's default is
    /// `true`; `false` is faster and leaves `total` at 0).
    pub fn total(mut self, total: bool) -> Self {
        self.total = Some(total);
        self
    }

    /// The request this builder sends, built without sending it (to check its query in a
    /// test); more queries, or longer ones, than Appwrite takes ([`rules`]) are an error here.
    /// Await the builder to send it.
    pub fn request(&self) -> Result<Request, InvalidInput> {
        rules::check_queries(&self.queries)?;
        if let Some(search) = &self.search {
            rules::check_search(search)?;
        }
        let mut request = Request::to(routes::users::LIST, []);
        for query in &self.queries {
            request = request.query("queries[]", query.as_str());
        }
        if let Some(search) = &self.search {
            request = request.query("search", search.as_str());
        }
        if let Some(total) = self.total {
            request = request.query("total", if total { "true" } else { "false" });
        }
        Ok(request)
    }
}

impl IntoFuture for ListUsers {
    type Output = Result<UserList>;
    type IntoFuture = ResponseFuture<UserList>;

    fn into_future(self) -> Self::IntoFuture {
        self.client.try_json(self.request())
    }
}
