//! The helper embeds what dind generates for its derived config, for every subcommand; the copies
//! checked in under `generated/` are current.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

#[path = "../src/agent.rs"]
#[allow(dead_code)]
mod agent;

use std::path::PathBuf;
use std::process::Command;

use dind::DindConfig;
use dind::codegen::{CHECK_ENV, Codegen, CodegenError};

fn helper(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_jenkins-helper"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn each_subcommand_prints_its_own_file() {
    let agent = agent::agent();
    let options = agent::jenkins_options(&agent);
    let jenkins = agent.build_jenkins().unwrap();
    assert_eq!(helper(&["pod-yaml"]), agent.build().unwrap().to_yaml());
    assert_eq!(helper(&["jenkins-yaml"]), jenkins.to_yaml());
    assert_eq!(helper(&["jenkinsfile"]), jenkins.scripted(&options).unwrap());
    assert_eq!(
        helper(&["jenkinsfile-declarative"]),
        jenkins.declarative(&options).unwrap()
    );
    assert_eq!(helper(&["jcasc"]), jenkins.jcasc(&options).unwrap());
}

/// The checked-in `generated/` files equal what dind generates now. When they do not, the test
/// fails; outside check mode (`DIND_CODEGEN_CHECK=1`, set in CI) it also rewrites them, so the
/// fix is to review and commit the new files.
#[test]
fn generated_files_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("generated");
    let check = std::env::var(CHECK_ENV).is_ok_and(|v| v == "1");
    let mut out = Codegen::checked_in(&dir).check_mode(check);
    agent::generate(&agent::agent(), &mut out).unwrap();
    match out.finish() {
        Ok(report) => assert!(
            report.written.is_empty(),
            "generated/ was stale and has been rewritten: {:?}; review and commit it",
            report.written
        ),
        Err(e @ CodegenError::Stale(_)) => panic!("{e}"),
        Err(e) => panic!("cannot check generated/: {e}"),
    }
}

#[test]
fn a_stale_checked_in_file_is_found_in_check_mode() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("helper-stale");
    let _ = std::fs::remove_dir_all(&dir);
    let mut write = Codegen::checked_in(&dir).check_mode(false);
    agent::generate(&agent::agent(), &mut write).unwrap();
    write.finish().unwrap();
    std::fs::write(dir.join("Jenkinsfile"), "// edited by hand\n").unwrap();
    let mut check = Codegen::checked_in(&dir).check_mode(true);
    agent::generate(&agent::agent(), &mut check).unwrap();
    match check.finish() {
        Err(CodegenError::Stale(paths)) => assert_eq!(paths, vec![dir.join("Jenkinsfile")]),
        other => panic!("expected the edited file to be stale: {other:?}"),
    }
}

#[test]
fn output_flag_writes_the_file() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("helper-pod.yaml");
    helper(&["pod-yaml", "--output", path.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), helper(&["pod-yaml"]));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_jenkins-helper"))
        .arg("kubeconfig")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
