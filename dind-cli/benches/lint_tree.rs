//! `dind lint DIR` over a generated tree of mixed files, the way a repository looks: pods,
//! workloads, Argo and Tekton files, runner values, Jenkins chart values and JCasC, Jenkinsfiles
//! (with pod files they name) and shared-library Groovy, and
//! unrelated YAML (configs, Services, Kustomizations), in nested directories with a .gitignore.
//! `kubernetes-validate` runs on the same YAML files in one invocation and `checkov -d` on the
//! same tree, so all three are measured in one run. Run: `./scripts/bench.sh` (2,000 files; it
//! creates the pinned checkov venv); under `cargo test --benches` it lints a 100-file tree once,
//! as a smoke test.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use std::time::Instant;

fn fixture(name: &str) -> String {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures")).join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("bench dir");
    }
    std::fs::write(path, text).expect("write");
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let count = if bench { 2000 } else { 100 };
    let kinds: Vec<(&str, String)> = vec![
        ("yaml", fixture("real/deployment.yaml")),
        ("yaml", fixture("real/cronjob.yaml")),
        ("yaml", fixture("real/argo-workflow.yaml")),
        ("yaml", fixture("real/tekton-task.yaml")),
        ("yaml", fixture("real/runner-values.yaml")),
        ("yaml", fixture("real/unrelated.yaml")),
        ("yaml", fixture("seed/tcp-env.yaml")),
        ("yaml", fixture("peers/jenkins-plugin.yaml")),
        ("Jenkinsfile", fixture("real/Jenkinsfile.containers")),
        ("groovy", fixture("real/build-image.groovy")),
        // The places Jenkins teams keep agents: chart values, JCasC `containers:`, a pod in a
        // Groovy variable, a library step's `@Field`, and a pipeline with its `yamlFile`.
        ("yaml", fixture("real/jenkins-values.yaml")),
        ("yaml", fixture("real/jcasc-containers.yaml")),
        ("Jenkinsfile", fixture("real/Jenkinsfile.podyaml")),
        ("groovy", fixture("real/library/vars/dindAgent.groovy")),
        ("pipeline", fixture("real/repo/Jenkinsfile")),
    ];
    let root = std::env::temp_dir().join(format!("dind-lint-tree-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    write(&root.join(".gitignore"), "build/\n");
    write(
        &root.join("build/ignored.yaml"),
        "kind: Pod\nspec: {containers: [{name: x, image: docker:dind}]}\n",
    );
    let mut yaml_files = Vec::new();
    for i in 0..count {
        let (ext, text) = &kinds[i % kinds.len()];
        let dir = root.join(format!("team-{}/svc-{}", i % 17, i % 5));
        let path = match *ext {
            "Jenkinsfile" => dir.join(format!("ci-{i}/Jenkinsfile")),
            "groovy" => dir.join(format!("vars/step{i}.groovy")),
            "pipeline" => {
                let pod = dir.join(format!("app-{i}/ci/pod.yaml"));
                write(&pod, &fixture("real/repo/ci/pod.yaml"));
                yaml_files.push(pod);
                dir.join(format!("app-{i}/Jenkinsfile"))
            }
            _ => dir.join(format!("manifest-{i}.yaml")),
        };
        write(&path, text);
        if *ext == "yaml" {
            yaml_files.push(path);
        }
    }
    let files_written = count + kinds.iter().cycle().take(count).filter(|k| k.0 == "pipeline").count();
    let dind = PathBuf::from(env!("CARGO_BIN_EXE_dind"));
    let runs = if bench { 5 } else { 1 };
    let mut best = f64::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let out = Command::new(&dind)
            .args(["lint", "--format", "json"])
            .arg(&root)
            .output()
            .expect("dind lint");
        best = best.min(start.elapsed().as_secs_f64());
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "dind lint failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let files = report["files"].as_array().map_or(0, Vec::len);
        assert_eq!(files, files_written, "every file but the ignored one is read");
    }
    println!(
        "dind lint DIR, {count} mixed files, one process: {:.1} ms (best of {runs})",
        best * 1000.0
    );
    if !bench {
        let _ = std::fs::remove_dir_all(&root);
        return;
    }
    let kv = support::kubernetes_validate(&yaml_files);
    println!(
        "kubernetes-validate --strict, the {} YAML files of the same tree, one process: {:.1} ms",
        yaml_files.len(),
        kv * 1000.0
    );
    let ck = support::checkov(&root);
    println!(
        "checkov -d DIR --framework kubernetes, the same tree: {:.1} ms",
        ck * 1000.0
    );
    println!(
        "ratio: {:.0}x kubernetes-validate, {:.0}x checkov (dind also reads the {} Groovy files)",
        kv / best,
        ck / best,
        files_written - yaml_files.len()
    );
    if std::env::var_os("DIND_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&root);
    } else {
        println!("tree kept at {}", root.display());
    }
}
