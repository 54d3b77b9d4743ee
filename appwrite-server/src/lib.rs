//! Appwrite server SDK for custom-token login: mint login tokens and manage users with an API key.
