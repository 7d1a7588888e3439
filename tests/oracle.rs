//! Oracles: the unedited output of every example, the Jenkins-shaped pods and a hostile pod, for
//! every Kubernetes minor dind supports, passes `kubernetes-validate --strict`'s schemas (pinned,
//! in the venv scripts/test.sh creates) and the API server's own checks (common/apiserver.rs).
//! PyYAML (a YAML 1.1 reader) loads our YAML to exactly our JSON.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use dind::DindPod;
use dind::facts::KubeVersion;

/// Every pod of the matrix for one minor: (name, YAML, whether it must carry a name).
fn pods_for(minor: KubeVersion) -> Vec<(String, String, bool)> {
    let mut pods: Vec<(String, DindPod)> = common::examples()
        .into_iter()
        .map(|(n, p)| (n.to_string(), p))
        .collect();
    pods.push(("hostile".into(), common::hostile_pod()));
    let mut out = Vec::new();
    for (name, pod) in pods {
        let pod = pod.kube_version(minor.to_string());
        match (pod.build(), pod.build_jenkins()) {
            (Ok(manifest), Ok(agent)) => {
                out.push((format!("{name}-{minor}"), manifest.to_yaml(), true));
                out.push((format!("{name}-jenkins-{minor}"), agent.to_yaml(), false));
            }
            (Err(e), _) | (_, Err(e)) => {
                // Only a native sidecar below 1.29 and Sysbox's `hostUsers: false` below 1.30 may
                // be refused, and with their codes.
                let allowed = |code: &str| match code {
                    "DIND022" => !minor.has_native_sidecars(),
                    "DIND029" => minor.minor < dind::facts::kube::HOST_USERS.minor,
                    _ => false,
                };
                assert!(
                    e.iter().all(|d| d.code.is_some_and(|c| allowed(c.as_str()))),
                    "{name} on {minor}: {e}"
                );
            }
        }
    }
    out
}

#[test]
fn every_pod_we_build_passes_the_schema_and_the_api_server_checks_for_every_minor() {
    let python = common::venv_bin("python");
    let dir = common::scratch("oracle-validate");
    let mut files: BTreeMap<KubeVersion, Vec<std::path::PathBuf>> = BTreeMap::new();
    let mut checked = 0;
    for minor in KubeVersion::all() {
        for (name, yaml, named) in pods_for(minor) {
            // The API server's own checks, on the pod as the linter reads the YAML back.
            let doc = &dind::yaml::read_documents(&yaml, dind::yaml::Limits::default()).unwrap()[0];
            let (pod, _) = dind::lint::pod_from_value(&doc.value).unwrap();
            let errors = common::apiserver::check(&pod, minor.minor, named);
            assert!(errors.is_empty(), "{name}: {errors:#?}");
            let path = dir.join(format!("{name}.yaml"));
            std::fs::write(&path, yaml).unwrap();
            files.entry(minor).or_default().push(path);
            checked += 1;
        }
    }
    // Every example and the hostile pod, manifest and agent, for every minor; less the native
    // sidecar below 1.29 (4 minors) and Sysbox below 1.30 (5 minors), which are refused.
    let minors = KubeVersion::all().count();
    let expected = 2 * (common::examples().len() + 1) * minors - 2 * (4 + 5);
    assert_eq!(checked, expected, "the matrix changed");
    for (minor, paths) in &files {
        let out = Command::new(&python)
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/validate.py"))
            .arg(format!("{minor}.0"))
            .args(paths)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), paths.len());
        for l in &lines {
            assert_eq!(l["ok"], true, "{l}");
        }
    }
}

#[test]
fn the_oracles_reject_what_the_api_server_rejects() {
    // Negative controls: each oracle fails on a pod the API server refuses.
    let python = common::venv_bin("python");
    let dir = common::scratch("oracle-negative");
    let bad_schema = dir.join("bad.yaml");
    std::fs::write(&bad_schema, "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: a\n    image: b\n    bogus: 1\n").unwrap();
    let out = Command::new(&python)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/validate.py"))
        .arg("1.37.0")
        .arg(&bad_schema)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"ok\": false"));
    let built = DindPod::new().build().unwrap();
    let mut pod = built.pod().clone();
    let spec = pod.spec.as_mut().unwrap();
    let mount = spec.containers[1].volume_mounts.as_ref().unwrap()[0].clone();
    spec.containers[1].volume_mounts.as_mut().unwrap().push(mount);
    spec.containers[0]
        .env
        .as_mut()
        .unwrap()
        .push(k8s_openapi::api::core::v1::EnvVar {
            name: "my var".into(),
            value: Some("x".into()),
            value_from: None,
        });
    spec.active_deadline_seconds = Some(2_147_483_648);
    let errors = common::apiserver::check(&pod, 31, true);
    for needle in ["must be unique", "not a valid name for 1.31", "activeDeadlineSeconds"] {
        assert!(errors.iter().any(|e| e.contains(needle)), "{needle}: {errors:#?}");
    }
    assert!(
        !common::apiserver::check(&pod, 32, true)
            .iter()
            .any(|e| e.contains("valid name"))
    );
}

#[test]
fn pyyaml_reads_our_yaml_as_our_json() {
    let python = common::venv_bin("python");
    let dir = common::scratch("oracle-pyyaml");
    let mut args = Vec::new();
    let mut pods: Vec<(String, DindPod)> = common::examples()
        .into_iter()
        .map(|(n, p)| (n.to_string(), p))
        .collect();
    pods.push(("hostile".into(), common::hostile_pod()));
    for (name, pod) in pods {
        let built = pod.build().unwrap();
        let yaml = dir.join(format!("{name}.yaml"));
        let json = dir.join(format!("{name}.json"));
        std::fs::write(&yaml, built.to_yaml()).unwrap();
        std::fs::write(&json, built.to_json()).unwrap();
        args.push(yaml);
        args.push(json);
    }
    let script = "import json, sys, yaml\nbad = []\nfor y, j in zip(sys.argv[1::2], sys.argv[2::2]):\n    with open(y, encoding='utf-8') as a, open(j, encoding='utf-8') as b:\n        if yaml.safe_load(a) != json.load(b):\n            bad.append(y)\nprint('\\n'.join(bad))\nsys.exit(1 if bad else 0)\n";
    let out = Command::new(&python).args(["-c", script]).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "PyYAML reads a different value: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
