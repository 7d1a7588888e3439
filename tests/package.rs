//! What the package metadata claims holds: the workspace's `rust-version` is at least every
//! dependency's own (clippy's MSRV lints check our own use of std against it), every published
//! crate carries the license files of its license, and none names a placeholder repository.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

fn version(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

fn metadata() -> serde_json::Value {
    let out = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo metadata --offline needs every crate of the lock file, for every platform \
         (`cargo fetch --locked`; ./scripts/test.sh runs it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_declared_rust_version_covers_every_dependency() {
    let meta = metadata();
    let packages = meta["packages"].as_array().unwrap();
    let ours = packages.iter().find(|p| p["name"] == "dind").unwrap()["rust_version"]
        .as_str()
        .unwrap()
        .to_string();
    for p in packages {
        if let Some(theirs) = p["rust_version"].as_str() {
            assert!(
                version(theirs) <= version(&ours),
                "{} {} needs Rust {theirs}, above the declared {ours}",
                p["name"],
                p["version"]
            );
        }
    }
}

#[test]
fn published_crates_carry_their_licenses_and_no_placeholder() {
    let meta = metadata();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for p in meta["packages"].as_array().unwrap() {
        let manifest = std::path::Path::new(p["manifest_path"].as_str().unwrap());
        if !manifest.starts_with(root) || p["publish"] == serde_json::json!([]) {
            continue;
        }
        assert_eq!(p["license"], "MIT OR Apache-2.0", "{}", p["name"]);
        let dir = manifest.parent().unwrap();
        for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
            assert!(
                text.len() > 1000 || (file == "LICENSE-MIT" && text.contains("MIT License")),
                "{} lacks {file}",
                p["name"]
            );
        }
        assert!(
            !p["repository"].as_str().unwrap_or("").contains("example"),
            "{}: placeholder repository",
            p["name"]
        );
        assert!(
            p["documentation"]
                .as_str()
                .unwrap_or("")
                .starts_with("https://docs.rs/"),
            "{}",
            p["name"]
        );
    }
}
