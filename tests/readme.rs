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

/// Each README's dependency lines, as a stranger pastes them into a project beside a checkout of
/// this repository (`../appwrite-custom-token/`): each names a crate folder of this checkout whose
/// package has that name, and the future version line is marked "once published".
#[test]
fn dependency_lines_resolve_before_publication() {
    for readme in [
        "README.md",
        "appwrite-server/README.md",
        "appwrite-client/README.md",
        "appwrite-emulator/README.md",
    ] {
        let text = std::fs::read_to_string(Path::new(ROOT).join(readme)).unwrap();
        let ours: Vec<String> = blocks(&text, "toml")
            .iter()
            .flat_map(|block| block.lines().map(str::to_owned).collect::<Vec<_>>())
            .filter(|line| line.starts_with("appwrite-"))
            .collect();
        assert!(!ours.is_empty(), "{readme} shows no dependency line");
        for line in &ours {
            let (name, value) = line.split_once(" = ").unwrap();
            let folder = value
                .split_once("path = \"../appwrite-custom-token/")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map_or_else(
                    || panic!("{readme}: a line that works today is a path: {line}"),
                    |(folder, _)| folder,
                );
            let manifest = std::fs::read_to_string(Path::new(ROOT).join(folder).join("Cargo.toml"))
                .unwrap_or_else(|e| panic!("{readme}: {line}: {e}"));
            assert!(
                manifest.contains(&format!("\nname = \"{name}\"\n")),
                "{readme}: {folder}/Cargo.toml is not the package {name}"
            );
        }
        assert!(
            text.lines()
                .any(|l| l.starts_with("# appwrite-") && l.ends_with("# once published")),
            "{readme}: the future version line is marked \"once published\""
        );
    }
}
