//! Every example, rendered in every format, is snapshotted; each equals its settings file.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use dind::config::Settings;
use dind::render::jenkins::JenkinsOptions;

/// The Jenkins options of an example's settings file (its `[jenkins]` table), else the defaults.
fn jenkins_options(name: &str) -> JenkinsOptions {
    let path = format!("{}/examples/config/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let settings = Settings::parse(&text, Some(&path)).unwrap();
    JenkinsOptions::from_settings(&settings.jenkins.unwrap_or_default()).unwrap()
}

#[test]
fn every_example_renders_in_every_format() {
    for (name, pod) in common::examples() {
        let built = pod.build().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(built.warnings().is_empty(), "{name}: {:?}", built.warnings());
        insta::assert_snapshot!(format!("{name}.yaml"), built.to_yaml());
        insta::assert_snapshot!(format!("{name}.json"), built.to_json());
        insta::assert_snapshot!(format!("{name}.diagram"), dind::render::diagram::diagram(built.pod()));
        let jenkins = pod.build_jenkins().unwrap();
        let o = jenkins_options(name);
        insta::assert_snapshot!(format!("{name}.jenkins-yaml"), jenkins.to_yaml());
        insta::assert_snapshot!(format!("{name}.jenkins"), jenkins.scripted(&o).unwrap());
        insta::assert_snapshot!(format!("{name}.jenkins-declarative"), jenkins.declarative(&o).unwrap());
        insta::assert_snapshot!(format!("{name}.jcasc"), jenkins.jcasc(&o).unwrap());
    }
}

#[test]
fn every_example_equals_its_settings_file() {
    for (name, pod) in common::examples() {
        let path = format!("{}/examples/config/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let settings = Settings::parse(&text, Some(&path)).unwrap();
        let from_file = settings.to_pod().unwrap().build().unwrap();
        assert_eq!(from_file.to_yaml(), pod.build().unwrap().to_yaml(), "{name}");
    }
}

/// The README's "Without privileged" table states the Pod Security level of each mode; it must be
/// the level dind computes for the pod it builds.
#[test]
fn readme_pod_security_levels_are_the_computed_ones() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let row = readme
        .lines()
        .find(|l| l.starts_with("| Pod Security level |"))
        .expect("the README has the Pod Security row");
    let stated: Vec<&str> = row
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .skip(1)
        .collect();
    let modes = [
        dind::DindPod::new(),
        dind::DindPod::new().rootless(),
        dind::DindPod::new().runtime(dind::Runtime::Sysbox),
        dind::DindPod::new().engine(dind::Engine::Buildkit),
    ];
    let computed: Vec<String> = modes
        .iter()
        .map(|p| p.build().unwrap().pod_security().level.to_string())
        .collect();
    assert_eq!(stated, computed);
}
