//! Compile-time errors of `#[derive(DindConfig)]`, by category (as serde's UI tests are grouped),
//! plus a crate outside the workspace that derives it successfully.
//!
//! The `.stderr` files are rustc's exact output and are pinned to the toolchain this workspace
//! builds with (rustc 1.95). After a toolchain change, regenerate them with
//! `TRYBUILD=overwrite cargo test --test derive_ui` and read every diff before committing.

#[test]
fn derive_errors_and_a_passing_crate() {
    let version = std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .expect("rustc --version");
    let version = String::from_utf8_lossy(&version.stdout);
    assert!(
        version.starts_with("rustc 1.95."),
        "the .stderr files are pinned to rustc 1.95; found {version}: regenerate them (see the module docs)"
    );
    let t = trybuild::TestCases::new();
    for category in ["keys", "literals", "socket", "conflicts", "types", "duplicates"] {
        t.compile_fail(format!("tests/ui/{category}/*.rs"));
    }
    t.pass("tests/ui/pass/*.rs");
}
