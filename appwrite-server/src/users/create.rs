//! `create` and `get_or_create`.

use std::fmt;
use std::future::{Future, IntoFuture};

use appwrite_models::protocol::{routes, rules};
use appwrite_models::{ErrorType, User, UserId};
use appwrite_transport::{InvalidInput, Request};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::future::ResponseFuture;

/// A request to create a user, from [`Users::create`](crate::Users::create). Await it.
///
/// `Debug` never shows the password.
///
/// ```no_run
/// use appwrite_server::ID;
///
/// # async fn run(users: appwrite_server::Users) -> Result<(), appwrite_server::Error> {
/// let user = users
///     .create(ID::unique())
///     .email("ada@example.com")
///     .name("Ada Lovelace")
///     .await?;
/// println!("created {}", user.id);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateUser {
    client: Client,
    user_id: UserId,
    email: Option<String>,
    phone: Option<String>,
    password: Option<SecretString>,
    name: Option<String>,
}

impl fmt::Debug for CreateUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateUser")
            .field("user_id", &self.user_id)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl CreateUser {
    pub(crate) fn new(client: Client, user_id: UserId) -> Self {
        Self {
            client,
            user_id,
            email: None,
            phone: None,
            password: None,
            name: None,
        }
    }

    /// The client the request goes through.
    pub(super) fn client(&self) -> &Client {
        &self.client
    }

    /// The user's email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// The user's phone number in E.164 form, `+` and 7 to 15 digits (`+14155552671`).
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    /// A password (8 to 256 bytes, subject to the project's password policy). It is never
    /// printed; Appwrite stores only its hash.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(SecretString::from(password.into()));
        self
    }

    /// The user's display name (up to 128 characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The request this builder sends, built without sending it (to check its body in a test);
    /// an id that cannot be sent, or a name, phone or password Appwrite would refuse
    /// ([`rules`]), is an error here. Await the builder to send it.
    pub fn request(&self) -> Result<Request, InvalidInput> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "userId")]
            user_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            email: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            phone: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            password: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            name: Option<&'a str>,
        }
        if let Some(name) = &self.name {
            rules::check_name(name)?;
        }
        if let Some(phone) = &self.phone {
            rules::check_phone(phone)?;
        }
        if let Some(password) = &self.password {
            rules::check_password(password.expose_secret())?;
        }
        Request::to(routes::users::CREATE, [])
            .json(&Body {
                user_id: self.user_id.as_str(),
                email: self.email.as_deref(),
                phone: self.phone.as_deref(),
                password: self.password.as_ref().map(ExposeSecret::expose_secret),
                name: self.name.as_deref(),
            })
            .checked()
    }
}

impl IntoFuture for CreateUser {
    type Output = Result<User>;
    type IntoFuture = ResponseFuture<User>;

    fn into_future(self) -> Self::IntoFuture {
        let created = self.client.try_json(self.request());
        let password = self.password;
        ResponseFuture::new(async move {
            created
                .await
                .map_err(|error| without_password(error, password.as_ref()))
        })
    }
}

/// `error` with the password hidden from Appwrite's message, in case a proxy echoes the request.
fn without_password(error: Error, password: Option<&SecretString>) -> Error {
    match (error, password) {
        (Error::Api(mut api), Some(password)) => {
            api.redact(password.expose_secret());
            Error::Api(api)
        }
        (error, _) => error,
    }
}

/// A request that returns a user, creating it first if it does not exist, from
/// [`Users::get_or_create`](crate::Users::get_or_create). Await it.
///
/// The optional fields are used only when the user is created. `Debug` never shows the password.
/// It sends up to three requests (`GET`, a create on `user_not_found`, a `GET` after a conflict),
/// so it has no single `request()`; [`CreateUser::request`] shows the create.
///
/// ```no_run
/// # async fn run(users: appwrite_server::Users) -> Result<(), appwrite_server::Error> {
/// let user = users
///     .get_or_create("user-42")
///     .email("ada@example.com")
///     .name("Ada Lovelace")
///     .await?;
/// # let _ = user;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct GetOrCreateUser {
    create: CreateUser,
}

impl GetOrCreateUser {
    pub(crate) fn new(client: Client, user_id: UserId) -> Self {
        Self {
            create: CreateUser::new(client, user_id),
        }
    }

    /// The email address of a user that has to be created.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.create = self.create.email(email);
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

    /// The display name of a user that has to be created.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.create = self.create.name(name);
        self
    }
}

impl IntoFuture for GetOrCreateUser {
    type Output = Result<User>;
    type IntoFuture = ResponseFuture<User>;

    fn into_future(self) -> Self::IntoFuture {
        ResponseFuture::new(get_or_create(self.create))
    }
}

/// Only Appwrite's own "no such user" counts: a 404 for a wrong route or project is an error.
fn is_user_not_found(error: &Error) -> bool {
    error.error_type() == Some(&ErrorType::UserNotFound)
}

async fn get_or_create(create: CreateUser) -> Result<User> {
    let client = create.client.clone();
    let user_id = create.user_id.clone();
    let find = move || {
        let get = client.json::<User>(super::get_request(&user_id));
        async move {
            match get.await {
                Err(error) if is_user_not_found(&error) => Ok(None),
                found => found.map(Some),
            }
        }
    };
    // Someone created the user between our GET and POST, or the email or phone belongs to
    // another user: only a second GET tells which.
    find_or_create(find, create, Error::is_conflict).await
}

/// The race-safe "make sure the user exists": `find` it; when there is none, `create` it; when
/// the create fails in a way `lost_race` says a concurrent request may explain, `find` again,
/// and return the create's error only if there is still none. The create's arguments are
/// checked before anything is sent.
pub(super) async fn find_or_create<F, Found>(
    find: F,
    create: CreateUser,
    lost_race: fn(&Error) -> bool,
) -> Result<User>
where
    F: Fn() -> Found,
    Found: Future<Output = Result<Option<User>>>,
{
    let request = create.request()?;
    if let Some(user) = find().await? {
        return Ok(user);
    }
    let created = create.client.try_json::<User>(Ok(request)).await;
    let conflict = match created.map_err(|e| without_password(e, create.password.as_ref())) {
        Err(error) if lost_race(&error) => error,
        created => return created,
    };
    tracing::debug!("user creation met a conflict; looking the user up again");
    find().await?.ok_or(conflict)
}
