//! `lint` on the seed's pods (every mistake of the seed article is found), on the peers'
//! patterns (no errors), and on the three input kinds.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use dind::lint::{Finding, lint_source};
use dind::rules::Context;
use dind::{DindPod, Severity};

fn lint_file(rel: &str) -> Vec<Finding> {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    lint_source(&path, &text, &Context::default()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn codes(findings: &[Finding]) -> Vec<String> {
    let mut c: Vec<String> = findings
        .iter()
        .map(|f| f.diagnostic.code.map_or("input".to_string(), |c| c.to_string()))
        .collect();
    c.sort();
    c.dedup();
    c
}

fn has(findings: &[Finding], code: &str, line: usize) -> bool {
    findings
        .iter()
        .any(|f| f.diagnostic.code.is_some_and(|c| c.as_str() == code) && f.line == line)
}

#[test]
fn every_seed_mistake_is_found_at_its_line() {
    // 1. a URL as the probe port; 9. initialDelaySeconds 5 + periodSeconds 6.
    let f = lint_file("seed/probe-tcp.yaml");
    assert!(has(&f, "DIND002", 14) && has(&f, "DIND024", 12), "{f:#?}");
    // 2. `stat` of a URL, and of a variable that is never defined.
    let f = lint_file("seed/probe-unix.yaml");
    assert!(has(&f, "DIND003", 19), "{f:#?}");
    let f = lint_file("seed/probe-unix.Jenkinsfile");
    assert!(
        has(&f, "DIND036", 24)
            && f.iter()
                .any(|x| x.line == 24 && x.diagnostic.message.contains("docker_host_sock_file")),
        "{f:#?}"
    );
    // 3. `command:` skips the entrypoint; 4. plaintext TCP on 0.0.0.0.
    let f = lint_file("seed/tcp-custom.Jenkinsfile");
    assert!(has(&f, "DIND001", 11) && has(&f, "DIND006", 12), "{f:#?}");
    // 5. the socket setup keeps TCP open and passes the socket twice.
    let f = lint_file("seed/unix.Jenkinsfile");
    assert!(has(&f, "DIND014", 21) && has(&f, "DIND015", 21), "{f:#?}");
    assert!(
        !codes(&f).contains(&"DIND004".to_string()),
        "the seed's socket sharing itself works: {f:#?}"
    );
    // 6. `DOCKER_TLS_CERTDIR` with a null value (and the plaintext listener it opens).
    let f = lint_file("seed/tcp-env.yaml");
    assert!(
        has(&f, "DIND025", 12) && codes(&f).contains(&"DIND006".to_string()),
        "{f:#?}"
    );
    // 7. rootless "needs --experimental" and "avoids privileged".
    let f = lint_file("seed/rootless.yaml");
    assert!(has(&f, "DIND011", 8) && has(&f, "DIND007", 6), "{f:#?}");
    // 8. unpinned `docker:dind`, no data-root volume.
    let f = lint_file("seed/mini.Jenkinsfile");
    assert!(has(&f, "DIND009", 8) && has(&f, "DIND008", 7), "{f:#?}");
}

#[test]
fn peer_patterns_lint_without_errors() {
    for peer in [
        "peers/jenkins-plugin.yaml",
        "peers/arc-sidecar.yaml",
        "peers/tekton-tls.yaml",
    ] {
        let f = lint_file(peer);
        // The plugin's and ARC's examples keep the data root on the container's overlay root:
        // with Docker 29 (pinned here) that fails, so it is their one error.
        let dind008 = |x: &dind::lint::Finding| x.diagnostic.code.is_some_and(|c| c.as_str() == "DIND008");
        assert!(
            f.iter().all(|x| x.diagnostic.severity != Severity::Error || dind008(x)),
            "{peer}: {f:#?}"
        );
    }
    for peer in ["peers/jenkins-plugin.yaml", "peers/arc-sidecar.yaml"] {
        assert!(
            lint_file(peer).iter().any(|x| x.diagnostic.severity == Severity::Error),
            "{peer}"
        );
    }
    assert!(lint_file("peers/tekton-tls.yaml").is_empty());
}

#[test]
fn every_example_lints_clean_as_yaml_jenkinsfile_and_jcasc() {
    let ctx = Context::default();
    let o = dind::render::jenkins::JenkinsOptions::default();
    let mut pods = vec![
        ("default".to_string(), DindPod::new()),
        ("tls".to_string(), DindPod::new().transport(dind::Transport::tls())),
    ];
    pods.extend(common::examples().into_iter().map(|(n, p)| (n.to_string(), p)));
    for (name, pod) in pods {
        let manifest = pod.build().unwrap();
        let agent = pod.build_jenkins().unwrap();
        for (kind, text) in [
            ("pod.yaml", manifest.to_yaml()),
            ("jenkins-pod.yaml", agent.to_yaml()),
            ("Jenkinsfile", agent.scripted(&o).unwrap()),
            ("x.jenkinsfile", agent.declarative(&o).unwrap()),
            ("jcasc.yaml", agent.jcasc(&o).unwrap()),
        ] {
            let f = lint_source(kind, &text, &ctx).unwrap();
            assert!(f.is_empty(), "{name} as {kind}: {f:#?}");
        }
    }
}

#[test]
fn fragments_and_multi_document_files_are_linted() {
    let text = "containers:\n- name: dind\n  image: docker:dind\n---\n---\nspec:\n  containers:\n  - name: Bad_Name\n    image: docker:29.7.2-cli\n";
    let f = lint_source("x.yaml", text, &Context::default()).unwrap();
    assert!(has(&f, "DIND009", 3), "{f:#?}");
    assert!(has(&f, "DIND020", 8), "{f:#?}");
    // The same mistake in a pod that neither runs nor uses Docker is out of scope.
    let app = text.replace("docker:29.7.2-cli", "busybox:1.36");
    let f = lint_source("x.yaml", &app, &Context::default()).unwrap();
    assert!(!has(&f, "DIND020", 8), "{f:#?}");
}

#[test]
fn jcasc_lines_and_caret_escapes() {
    let text = "jenkins:\n  clouds:\n  - kubernetes:\n      templates:\n      - name: x\n        yaml: |\n          spec:\n            containers:\n            - name: dind\n              image: docker:dind\n              env:\n              - name: X\n                value: ^${NOT_JCASC}\n";
    let f = lint_source("casc.yaml", text, &Context::default()).unwrap();
    assert!(has(&f, "DIND009", 10), "{f:#?}");
}

#[test]
fn text_output_is_stable() {
    let path = format!("{}/tests/fixtures/seed/probe-tcp.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let f = lint_source("probe-tcp.yaml", &text, &Context::default()).unwrap();
    let rendered: Vec<String> = f
        .iter()
        .map(|x| format!("{}:{} {}", "probe-tcp.yaml", x.line, x.diagnostic))
        .collect();
    insta::assert_snapshot!(rendered.join("\n"));
}
