//! Shared by the lint benchmarks: `kubernetes-validate` from the oracle venv, timed.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Runs `kubernetes-validate --strict` on `files` in one process; returns the seconds it took.
/// Panics when the venv is missing or the tool prints nothing on stdout.
pub fn kubernetes_validate(files: &[PathBuf]) -> f64 {
    let venv = std::env::var("DIND_ORACLE_VENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv").to_string());
    let validate = PathBuf::from(venv).join("bin/kubernetes-validate");
    let start = Instant::now();
    let out = Command::new(&validate)
        .arg("--strict")
        .args(files)
        .output()
        .expect("kubernetes-validate (run ./scripts/test.sh to create the venv)");
    let seconds = start.elapsed().as_secs_f64();
    assert!(!out.stdout.is_empty(), "kubernetes-validate printed nothing");
    seconds
}

/// Runs `checkov -d DIR --framework kubernetes --quiet` (from the bench venv that
/// `scripts/bench.sh` creates, or `DIND_BENCH_VENV`); returns the seconds it took. Panics when
/// checkov is missing or prints nothing.
#[allow(dead_code)] // lint_tree uses it, lint_200 does not
pub fn checkov(dir: &std::path::Path) -> f64 {
    let venv = std::env::var("DIND_BENCH_VENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv-bench").to_string());
    let checkov = PathBuf::from(venv).join("bin/checkov");
    let start = Instant::now();
    let out = Command::new(&checkov)
        .args(["--framework", "kubernetes", "--quiet", "--compact", "-o", "json", "-d"])
        .arg(dir)
        .output()
        .expect("checkov (run ./scripts/bench.sh to create the bench venv)");
    let seconds = start.elapsed().as_secs_f64();
    assert!(
        !out.stdout.is_empty(),
        "checkov printed nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    seconds
}
