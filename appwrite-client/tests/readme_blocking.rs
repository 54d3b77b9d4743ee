//! The README's blocking section is `examples/blocking_login.rs`, which the build compiles with
//! the `blocking` feature (the README's other blocks are doctests): keep them equal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn readme_blocking_section_is_the_compiled_example() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{dir}/README.md")).unwrap();
    let example = std::fs::read_to_string(format!("{dir}/examples/blocking_login.rs")).unwrap();
    let code = &example[example.find("use ").unwrap()..];
    assert!(code.contains(".send()?"), "{code}");
    assert!(
        readme.contains(&format!("```rust,ignore\n{code}```")),
        "README.md's blocking section differs from examples/blocking_login.rs"
    );
}
