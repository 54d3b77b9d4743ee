//! An in-memory, Appwrite-compatible server for the users, tokens and sessions endpoints, for tests and local development.
