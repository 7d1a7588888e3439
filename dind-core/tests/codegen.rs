//! `codegen`: rewrite only on change, check mode names stale files, nothing half-written.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use dind_core::DindPod;
use dind_core::codegen::{Codegen, CodegenError};
use dind_core::render::jenkins::JenkinsOptions;

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn writes_new_files_and_leaves_unchanged_ones_alone() {
    let d = dir("codegen-write");
    let built = DindPod::new().build().unwrap();
    let agent = DindPod::new().build_jenkins().unwrap();
    let run = || {
        let mut g = Codegen::checked_in(&d).check_mode(false);
        g.pod_yaml("pod.yaml", &built)
            .jenkinsfile("Jenkinsfile", &agent, &JenkinsOptions::default())
            .unwrap();
        g.finish().unwrap()
    };
    let first = run();
    assert_eq!(first.written.len(), 2);
    let mtime = std::fs::metadata(d.join("pod.yaml")).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = run();
    assert!(second.written.is_empty());
    assert_eq!(second.unchanged.len(), 2);
    assert_eq!(
        std::fs::metadata(d.join("pod.yaml")).unwrap().modified().unwrap(),
        mtime,
        "an unchanged file keeps its mtime"
    );
    assert_eq!(std::fs::read_to_string(d.join("pod.yaml")).unwrap(), built.to_yaml());
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 2, "no temporary files left");
}

#[test]
fn check_mode_names_stale_files_and_writes_nothing() {
    let d = dir("codegen-check");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("pod.yaml"), "old\n").unwrap();
    let built = DindPod::new().build().unwrap();
    let mut g = Codegen::checked_in(&d).check_mode(true);
    g.pod_yaml("pod.yaml", &built).pod_yaml("missing.yaml", &built);
    let err = g.finish().unwrap_err();
    let CodegenError::Stale(paths) = &err else {
        panic!("{err}")
    };
    assert_eq!(paths.len(), 2);
    let message = err.to_string();
    assert!(
        message.contains("pod.yaml") && message.contains("missing.yaml") && message.contains("DIND_CODEGEN_CHECK"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(d.join("pod.yaml")).unwrap(), "old\n");
    assert!(!d.join("missing.yaml").exists());
    let mut ok = Codegen::checked_in(&d).check_mode(true);
    ok.file("pod.yaml", "old\n");
    assert!(ok.finish().is_ok(), "an up-to-date file passes the check");
}
