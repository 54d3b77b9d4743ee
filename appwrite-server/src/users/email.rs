//! `find_by_email` and `get_or_create_by_email`: users keyed by their email address.

use std::future::IntoFuture;

use appwrite_models::{ErrorType, ID, User};

use super::{CreateUser, Users};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::future::ResponseFuture;
use crate::query::Query;

impl Users {
    /// The user with this email address, if there is one: `GET /users` with an `equal` query on
    /// `email`, scope `users.read`.
    ///
    /// Appwrite stores addresses with ASCII letters lower-cased, so the address is lower-cased
    /// the same way before the lookup: `Ada@Example.com` finds `ada@example.com`.
    pub fn find_by_email(&self, email: impl Into<String>) -> ResponseFuture<Option<User>> {
        ResponseFuture::new(find_by_email(self.client.clone(), email.into()))
    }

    /// The user with this email address, created (with a new unique id and the name, phone and
    /// password set on the builder) if there is none: the "make sure the user exists" step of an
    /// email-first login.
    ///
    /// Safe against a concurrent call for the same address: find, then on no match a create,
    /// and if that meets a conflict because someone else created the user meanwhile, find
    /// again. An existing user is returned as it is, even if its name differs.
    ///
    /// ```no_run
    /// # async fn run(users: appwrite_server::Users) -> Result<(), appwrite_server::Error> {
    /// let user = users.get_or_create_by_email("ada@example.com").name("Ada").await?;
    /// if !user.status {
    ///     // Blocked: Appwrite would still let it redeem a token, so refuse here.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_or_create_by_email(&self, email: impl Into<String>) -> GetOrCreateByEmail {
        let email = email.into();
        GetOrCreateByEmail {
            create: CreateUser::new(self.client.clone(), ID::unique().into()).email(email.clone()),
            email,
        }
    }
}

/// A request that returns the user with an email address, creating it first if there is none,
/// from [`Users::get_or_create_by_email`]. Await it.
///
/// The optional fields are used only when the user is created. `Debug` never shows the password.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct GetOrCreateByEmail {
    email: String,
    create: CreateUser,
}

impl GetOrCreateByEmail {
    /// The display name of a user that has to be created.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.create = self.create.name(name);
        self
    }

    /// The phone number (E.164) of a user that has to be created.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.create = self.create.phone(phone);
        self
    }

    /// The password of a user that has to be created. Never printed.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.create = self.create.password(password);
        self
    }
}

impl IntoFuture for GetOrCreateByEmail {
    type Output = Result<User>;
    type IntoFuture = ResponseFuture<User>;

    fn into_future(self) -> Self::IntoFuture {
        ResponseFuture::new(get_or_create_by_email(self.email, self.create))
    }
}

async fn find_by_email(client: Client, email: String) -> Result<Option<User>> {
    let page = super::ListUsers::new(client)
        .query(Query::equal("email", email.to_ascii_lowercase()))
        .query(Query::limit(1))
        .total(false)
        .await?;
    Ok(page.users.into_iter().next())
}

async fn get_or_create_by_email(email: String, create: CreateUser) -> Result<User> {
    let client = create.client().clone();
    let find = move || find_by_email(client.clone(), email.clone());
    // Someone created a user with this address between our lookup and our create.
    super::create::find_or_create(find, create, is_email_taken).await
}

/// The conflicts a concurrent creation with the same address produces (`user_already_exists`
/// on Appwrite versions that do not say which field clashed).
fn is_email_taken(error: &Error) -> bool {
    matches!(
        error.error_type(),
        Some(ErrorType::UserEmailAlreadyExists | ErrorType::UserAlreadyExists)
    )
}
