//! Every public method of the async types has a blocking twin of the same name in the SDK's
//! `blocking` module: a method added to `Account`, `Users`, a `Client` or a `ClientBuilder`
//! without one fails here. Read from the sources (the two APIs are written side by side).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The types that have a blocking twin.
const TYPES: [&str; 5] = ["Client", "ClientBuilder", "Account", "Users", "UserClient"];

/// Methods that need no twin, and why.
const NO_TWIN: [(&str, &str); 1] = [
    // Building the blocking client is what the blocking builder's `build` does.
    ("ClientBuilder", "build_blocking"),
];

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The type an `impl Type {` line (at any indent, as in a macro's input) opens, if it is one
/// of [`TYPES`].
fn opened_impl(line: &str) -> Option<&'static str> {
    let rest = line.trim_start().strip_prefix("impl ")?;
    let name = rest.strip_suffix(" {")?;
    TYPES.iter().copied().find(|t| *t == name)
}

/// The name of the function a line declares (`fn name(` or `fn name<`), if it declares one.
fn declared_fn(line: &str, public_only: bool) -> Option<String> {
    let trimmed = line.trim_start();
    let rest = match trimmed.strip_prefix("pub fn ") {
        Some(rest) => rest,
        None if !public_only => trimmed.strip_prefix("fn ")?,
        None => return None,
    };
    let end = rest.find(['(', '<'])?;
    Some(rest[..end].to_owned())
}

/// Methods per type in `text`: with `public_only`, the `pub fn`s at the impl's top level (four
/// spaces in); else every `fn` until the line that closes the impl (or the macro holding it)
/// at the left margin.
fn methods(text: &str, public_only: bool, into: &mut BTreeMap<&'static str, BTreeSet<String>>) {
    let mut current = None;
    for line in text.lines() {
        if line.starts_with('}') {
            current = None;
        } else if let Some(opened) = opened_impl(line) {
            current = Some(opened);
        } else if let Some(ty) = current {
            let top_level = line.starts_with("    pub fn ");
            if public_only && !top_level {
                continue;
            }
            if let Some(name) = declared_fn(line, public_only) {
                into.entry(ty).or_default().insert(name);
            }
        }
    }
}

/// The setters `appwrite_transport::blocking_builder!` writes for every SDK, from its list.
fn connection_settings() -> Vec<String> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "shared-transport",
        "src",
        "blocking.rs",
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(path).unwrap();
    let list = text
        .split_once("// The connection settings of both SDKs' builders")
        .and_then(|(_, rest)| rest.split_once("// (end of the connection settings)"))
        .map(|(list, _)| list)
        .expect("the macro's list of connection settings");
    let names: Vec<String> = list
        .lines()
        .filter_map(|line| declared_fn(line, false))
        .collect();
    assert!(names.contains(&"endpoint".to_owned()), "{names:?}");
    names
}

fn missing_twins(crate_dir: &str) -> Vec<String> {
    let src: PathBuf = [env!("CARGO_MANIFEST_DIR"), crate_dir, "src"]
        .iter()
        .collect();
    let mut files = Vec::new();
    sources(&src, &mut files);
    let blocking_file = src.join("blocking.rs");
    let mut async_api = BTreeMap::new();
    let mut blocking_api = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
        if *file == blocking_file {
            methods(&text, false, &mut blocking_api);
            // The macro writes the builder's `build` and the connection settings itself.
            if text.contains("appwrite_transport::blocking_builder!") {
                let setters = blocking_api.entry("ClientBuilder").or_default();
                setters.insert("build".to_owned());
                setters.extend(connection_settings());
            }
        } else {
            methods(&text, true, &mut async_api);
        }
    }
    assert!(
        async_api.get("Account").is_some_and(|m| m.contains("get"))
            && blocking_api
                .get("Account")
                .is_some_and(|m| m.contains("get")),
        "the sources were not read as expected: {async_api:?} {blocking_api:?}"
    );
    let mut missing = Vec::new();
    for (ty, names) in &async_api {
        for name in names {
            let twin = blocking_api.get(ty).is_some_and(|m| m.contains(name));
            if !twin && !NO_TWIN.contains(&(ty, name.as_str())) {
                missing.push(format!("{crate_dir}: {ty}::{name}"));
            }
        }
    }
    missing
}

#[test]
fn every_async_method_of_the_client_sdk_has_a_blocking_twin() {
    let missing = missing_twins("appwrite-client");
    assert!(missing.is_empty(), "no blocking twin: {missing:#?}");
}

#[test]
fn every_async_method_of_the_server_sdk_has_a_blocking_twin() {
    let missing = missing_twins("appwrite-server");
    assert!(missing.is_empty(), "no blocking twin: {missing:#?}");
}
