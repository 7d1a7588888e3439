//! The helper prints exactly what dind generates for its derived config today (so the checked-in
//! files are current), for every subcommand.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

#[path = "../src/agent.rs"]
#[allow(dead_code)]
mod agent;

use std::process::Command;

use dind::DindConfig;

fn helper(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_jenkins-helper"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn embedded_files_equal_what_dind_generates_now() {
    let agent = agent::agent();
    let options = agent::jenkins_options(&agent);
    let jenkins = agent.dind_pod().jenkins_workspace().build().unwrap();
    assert_eq!(helper(&["pod-yaml"]), agent.build().unwrap().to_yaml());
    assert_eq!(helper(&["jenkinsfile"]), jenkins.jenkins_scripted(&options).unwrap());
    assert_eq!(
        helper(&["jenkinsfile-declarative"]),
        jenkins.jenkins_declarative(&options).unwrap()
    );
    assert_eq!(helper(&["jcasc"]), jenkins.jcasc(&options).unwrap());
}

#[test]
fn output_flag_writes_the_file() {
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("helper-pod.yaml");
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
