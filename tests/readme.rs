//! Every Rust snippet in the top-level README is a file the build compiles (an example, or the
//! emulator test `tests/readme_emulator.rs`): keep them equal. Dependency lines say how to depend
//! on the crates before they are published.

// Test helpers outside #[test] functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The fenced blocks of `text` whose info string is `lang`.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}\n");
    text.split(&open)
        .skip(1)
        .map(|rest| rest[..rest.find("```").unwrap()].to_owned())
        .collect()
}

/// A file's code without its leading `//!` docs.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut code = String::new();
    for line in text
        .lines()
        .skip_while(|line| line.starts_with("//!") || line.is_empty())
    {
        code.push_str(line);
        code.push('\n');
    }
    code
}

#[test]
fn every_rust_snippet_is_compiled() {
    let mut compiled = vec![code(&Path::new(ROOT).join("tests/readme_emulator.rs"))];
    for dir in ["examples", "appwrite-server/examples"] {
        for entry in std::fs::read_dir(Path::new(ROOT).join(dir)).unwrap() {
            compiled.push(code(&entry.unwrap().path()));
        }
    }
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let snippets = blocks(&readme, "rust");
    assert_eq!(snippets.len(), 3, "backend, app and emulator quick starts");
    for snippet in &snippets {
        assert!(
            compiled.contains(snippet),
            "this README snippet is not a compiled file:\n{snippet}"
        );
    }
}

#[test]
fn dependency_lines_resolve_before_publication() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let toml = blocks(&readme, "toml").join("\n");
    let git = format!(
        "appwrite-emulator = {{ git = \"{}\" }}",
        env!("CARGO_PKG_REPOSITORY")
    );
    assert!(toml.contains(&git), "{toml}");
    assert!(toml.contains("# appwrite-emulator = { path = \""), "{toml}");
    for line in toml.lines() {
        assert!(
            !(line.starts_with("appwrite-")
                && line
                    .split_once(" = ")
                    .is_some_and(|(_, value)| value.starts_with('"'))),
            "a bare version line does not resolve before publication: {line}"
        );
    }
}
