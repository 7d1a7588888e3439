//! Lints 200 pod files in one process (the seed's and the peers' pods, repeated), and runs
//! `kubernetes-validate` on the same files in one invocation, so both are measured in one run.
//! Run: `DIND_ORACLE_VENV=$PWD/.venv cargo bench -p dind-cli --bench lint_200`.

use std::path::PathBuf;
use std::process::Command;

mod support;
use std::time::Instant;

fn main() {
    let fixtures = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures"));
    let sources: Vec<PathBuf> = [
        "seed/tcp-env.yaml",
        "seed/probe-tcp.yaml",
        "seed/probe-unix.yaml",
        "seed/rootless.yaml",
        "peers/jenkins-plugin.yaml",
        "peers/arc-sidecar.yaml",
        "peers/tekton-tls.yaml",
    ]
    .iter()
    .map(|p| fixtures.join(p))
    .collect();
    let dir = std::env::temp_dir().join(format!("dind-lint-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let mut files = Vec::new();
    for i in 0..200 {
        let text = std::fs::read_to_string(&sources[i % sources.len()]).expect("fixture");
        let text = text.replacen("metadata:\n  name: runner\n", "", 1).replacen(
            "apiVersion: v1\nkind: Pod\n",
            &format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n"),
            1,
        );
        let path = dir.join(format!("pod-{i}.yaml"));
        std::fs::write(&path, text).expect("write");
        files.push(path);
    }
    let dind = PathBuf::from(env!("CARGO_BIN_EXE_dind"));
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let out = Command::new(&dind)
            .arg("lint")
            .arg("--format")
            .arg("json")
            .args(&files)
            .output()
            .expect("dind lint");
        assert!(out.status.code().is_some_and(|c| c <= 1), "dind lint failed");
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!("dind lint, 200 files, one process: {:.1} ms (best of 5)", best * 1000.0);
    let kv = support::kubernetes_validate(&files);
    println!(
        "kubernetes-validate --strict, same 200 files, one process: {:.1} ms",
        kv * 1000.0
    );
    println!("ratio: {:.0}x", kv / best);
    let _ = std::fs::remove_dir_all(&dir);
}
