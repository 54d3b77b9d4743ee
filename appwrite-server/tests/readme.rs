//! Every Rust snippet in the README is one of `examples/*.rs`, which the build compiles: keep them
//! equal. The dependency lines say how to depend on the crate before it is published.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

/// The fenced blocks of `text` whose info string is `lang`, each with its closing newline.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}\n");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let body = &rest[start + open.len()..];
        let end = body.find("```\n").or_else(|| body.find("```")).unwrap();
        found.push(body[..end].to_owned());
        rest = &body[end..];
    }
    found
}

/// An example's code without its leading `//!` docs.
fn example_code(path: &Path) -> String {
    let example = std::fs::read_to_string(path).unwrap();
    let mut code = String::new();
    for line in example
        .lines()
        .skip_while(|line| line.starts_with("//!") || line.is_empty())
    {
        code.push_str(line);
        code.push('\n');
    }
    code
}

fn readme() -> String {
    std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn every_rust_snippet_is_a_compiled_example() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let examples: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| example_code(&entry.unwrap().path()))
        .collect();
    let snippets = blocks(&readme(), "rust");
    assert!(snippets.len() >= 2, "the quick start and who-is-calling");
    for snippet in &snippets {
        assert!(
            examples.contains(snippet),
            "this README snippet is not one of examples/*.rs:\n{snippet}"
        );
    }
    assert!(snippets.iter().any(|s| s.contains("create_token")));
    assert!(snippets.iter().any(|s| s.contains("verify_jwt")));
}

#[test]
fn dependency_lines_resolve_before_publication() {
    // That these lines resolve is checked for every README by the workspace's tests/readme.rs.
    let toml = blocks(&readme(), "toml").join("\n");
    assert!(
        toml.contains("appwrite-server = { path = \"../appwrite-custom-token/appwrite-server\" }"),
        "{toml}"
    );
    assert!(toml.contains("# appwrite-server = \"0.1\""), "{toml}");
    // A bare version line does not resolve until the crate is on crates.io.
    assert!(
        !toml
            .lines()
            .any(|line| line.starts_with("appwrite-server = \"")),
        "{toml}"
    );
    let readme = readme();
    assert!(readme.contains("## Who is calling?"));
    assert!(readme.contains("RUST_LOG=appwrite_server=debug cargo run --example axum_backend"));
}

#[test]
fn the_blocking_section_is_the_blocking_example() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/blocking.rs");
    let example = example_code(&path);
    assert!(example.contains(".send()?"), "{example}");
    assert!(blocks(&readme(), "rust").contains(&example));
}
