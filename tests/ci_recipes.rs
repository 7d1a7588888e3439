//! The CI recipes: the pre-commit hooks, the Jenkins stage and the GitHub Actions job parse, name
//! `dind lint` as documented. (What their command does is run in dind-cli/tests/cli.rs.)

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::process::Command;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn yaml(path: &str) -> serde_json::Value {
    dind::yaml::read_documents(&read(path), dind::yaml::Limits::default())
        .unwrap()
        .remove(0)
        .value
}

#[test]
fn the_pre_commit_hooks_run_dind_lint_on_the_files_it_reads() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["dind-lint", "dind-lint-fix"]);
    for h in hooks {
        for key in ["name", "entry", "language", "files"] {
            assert!(h[key].is_string(), "{key} of {}", h["id"]);
        }
        assert!(h["entry"].as_str().unwrap().starts_with("dind lint"));
        // The file pattern picks what `dind lint DIR` reads, and not other files.
        let pattern = h["files"].as_str().unwrap();
        let re = |name: &str| {
            let out = Command::new("python3")
                .args([
                    "-c",
                    "import re,sys; print(bool(re.search(sys.argv[1], sys.argv[2])))",
                    pattern,
                    name,
                ])
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap().trim() == "True"
        };
        for name in [
            "k8s/pod.yaml",
            "ci/Jenkinsfile",
            "Jenkinsfile.release",
            "vars/build.groovy",
            "casc.yml",
        ] {
            assert!(re(name), "{name}");
            assert!(dind::lint::is_lintable_name(name), "{name}");
        }
        for name in ["src/main.rs", "README.md"] {
            assert!(!re(name), "{name}");
        }
    }
}

#[test]
fn the_jenkins_stage_evaluates_and_runs_dind_lint_into_sarif() {
    let dir = common::scratch("ci-recipes");
    let path = dir.join("Jenkinsfile");
    std::fs::write(&path, read("examples/ci/Jenkinsfile")).unwrap();
    let result = &common::groovy(&[path])[0];
    let steps: Vec<&str> = result["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(steps, ["dind lint --format sarif . > dind-lint.sarif || test $? -eq 1"]);
}

#[test]
fn the_github_actions_job_lints_and_uploads_the_same_file() {
    let job = yaml("examples/ci/github-actions.yml");
    let steps = job["jobs"]["dind-lint"]["steps"].as_array().unwrap();
    let run = steps.iter().find(|s| s["name"] == "Lint").unwrap()["run"]
        .as_str()
        .unwrap();
    assert_eq!(run, "dind lint --format sarif . > dind-lint.sarif || test $? -eq 1");
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .unwrap();
    assert_eq!(upload["with"]["sarif_file"], "dind-lint.sarif");
    assert_eq!(job["jobs"]["dind-lint"]["permissions"]["security-events"], "write");
}
