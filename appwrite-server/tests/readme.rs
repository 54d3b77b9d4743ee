//! The README's quick start is `examples/quick_start.rs`, which the build compiles: keep them equal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn readme_quick_start_is_the_compiled_example() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{dir}/README.md")).unwrap();
    let example = std::fs::read_to_string(format!("{dir}/examples/quick_start.rs")).unwrap();
    let mut code = String::new();
    for line in example
        .lines()
        .skip_while(|line| line.starts_with("//!") || line.is_empty())
    {
        code.push_str(line);
        code.push('\n');
    }
    assert!(code.contains("create_token"), "{code}");
    assert!(
        readme.contains(&format!("```rust\n{code}```")),
        "README.md's quick start differs from examples/quick_start.rs"
    );
}

#[test]
fn readme_blocking_section_is_the_compiled_example() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{dir}/README.md")).unwrap();
    let example = std::fs::read_to_string(format!("{dir}/examples/blocking.rs")).unwrap();
    let code = &example[example.find("use ").unwrap()..];
    assert!(code.contains(".send()?"), "{code}");
    assert!(
        readme.contains(&format!("```rust\n{code}```")),
        "README.md's blocking section differs from examples/blocking.rs"
    );
}
