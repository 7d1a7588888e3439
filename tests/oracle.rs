//! Oracles: `kubernetes-validate --strict` (pinned, in the venv scripts/test.sh creates) accepts
//! every example for Kubernetes 1.29 and 1.37, and PyYAML (a YAML 1.1 reader) loads our YAML to
//! exactly our JSON.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::process::Command;

#[test]
fn kubernetes_validate_accepts_every_example() {
    let validate = common::venv_bin("kubernetes-validate");
    let dir = common::scratch("oracle-validate");
    let mut files = Vec::new();
    for (name, pod) in common::examples() {
        let path = dir.join(format!("{name}.yaml"));
        let mut yaml = pod.build().unwrap().to_yaml();
        // The schema wants a name; Jenkins fills it in for templates.
        yaml = yaml.replacen("metadata: {}", "metadata:\n  name: dind-example", 1);
        std::fs::write(&path, yaml).unwrap();
        files.push(path);
    }
    for version in ["1.29.0", "1.37.0"] {
        let out = Command::new(&validate)
            .args(["--strict", "--kubernetes-version", version])
            .args(&files)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "kubernetes-validate {version}:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout.matches(" passed for resource ").count(), files.len(), "{stdout}");
    }
}

#[test]
fn pyyaml_reads_our_yaml_as_our_json() {
    let python = common::venv_bin("python");
    let dir = common::scratch("oracle-pyyaml");
    for (name, pod) in common::examples() {
        let built = pod
            .clone()
            .env("EDGE", "on")
            .env("TIME", "12:30")
            .env("OCT", "0777")
            .env("NUL", "~")
            .build()
            .unwrap();
        let yaml = dir.join(format!("{name}.yaml"));
        let json = dir.join(format!("{name}.json"));
        std::fs::write(&yaml, built.to_yaml()).unwrap();
        std::fs::write(&json, built.to_json()).unwrap();
        let script = "import json, sys, yaml\nwith open(sys.argv[1]) as y, open(sys.argv[2]) as j:\n    a, b = yaml.safe_load(y), json.load(j)\nsys.exit(0 if a == b else 1)\n";
        let status = Command::new(&python)
            .args(["-c", script])
            .arg(&yaml)
            .arg(&json)
            .status()
            .unwrap();
        assert!(status.success(), "{name}: PyYAML reads a different value");
    }
}
