//! Appwrite client SDK for desktop and CLI apps: exchange a login token for a session and keep it safely on disk.
