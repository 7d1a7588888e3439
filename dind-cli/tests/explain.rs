//! `dind explain PATH`: the four drawings of what a pod wires, for every seed pod, every broken
//! fixture and Jenkinsfiles; the DOT drawn by Graphviz (`dot -Tsvg`), the JSON checked against
//! `dind schema explain` (Python's `jsonschema`, from the oracle venv), the Mermaid parsed by
//! Mermaid's own parser (from the npm registry, run by Node without a browser).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn dind(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dind"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run dind")
}

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.code() == Some(0),
        "dind failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The fixtures drawn: every seed pod, every broken fixture, the wiring fixtures and Jenkinsfiles.
fn fixtures() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["tests/fixtures/seed", "tests/fixtures/fix", "tests/fixtures/wiring"] {
        let mut names: Vec<String> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        out.extend(names.into_iter().map(|n| format!("{dir}/{n}")));
    }
    out.push("tests/fixtures/real/Jenkinsfile.containers".to_string());
    out.push("tests/fixtures/real/Jenkinsfile.podyaml".to_string());
    out
}

fn explain(file: &str, format: &str) -> String {
    stdout(&dind(&["explain", "--format", format, file]))
}

#[test]
fn every_fixture_in_every_format() {
    for file in fixtures() {
        let mut all = String::new();
        for format in ["text", "json", "dot", "mermaid"] {
            all.push_str(&format!("==> {format}\n{}\n", explain(&file, format)));
        }
        let name = Path::new(&file)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        let dir = Path::new(&file)
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        insta::assert_snapshot!(format!("{dir}__{name}"), all);
    }
}

#[test]
fn graphviz_draws_every_dot_output() {
    for file in fixtures() {
        let dot = explain(&file, "dot");
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("Graphviz `dot` (Debian's graphviz; ./scripts/test.sh installs it)");
        child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{file}: dot -Tsvg: {}\n{dot}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"), "{file}");
    }
}

#[test]
fn graphviz_refuses_a_broken_drawing() {
    // The oracle can fail: a DOT graph with an unbalanced brace is refused.
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Graphviz `dot`");
    child.stdin.take().unwrap().write_all(b"digraph x { a -> ").unwrap();
    assert!(!child.wait().unwrap().success());
}

/// The oracle venv's Python (`DIND_ORACLE_VENV`, made by ./scripts/test.sh).
fn python() -> PathBuf {
    let venv = std::env::var("DIND_ORACLE_VENV").expect("DIND_ORACLE_VENV (./scripts/test.sh sets it)");
    PathBuf::from(venv).join("bin/python")
}

/// Validates `instances` against `schema` with `jsonschema`; the errors, one per line.
fn schema_errors(schema: &str, instances: &[(String, String)]) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("explain-schema");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("schema.json"), schema).unwrap();
    let mut names = Vec::new();
    for (i, (name, json)) in instances.iter().enumerate() {
        let path = dir.join(format!("{i}.json"));
        std::fs::write(&path, json).unwrap();
        names.push((name.clone(), path));
    }
    let script = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for name, path in zip(sys.argv[2::2], sys.argv[3::2]):
    for e in v.iter_errors(json.load(open(path))):
        print(f"{name}: {list(e.absolute_path)}: {e.message}")
"#;
    let mut cmd = Command::new(python());
    cmd.arg("-c").arg(script).arg(dir.join("schema.json"));
    for (name, path) in &names {
        cmd.arg(name).arg(path);
    }
    let out = cmd.output().expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_json_output_follows_its_schema() {
    let schema = stdout(&dind(&["schema", "explain"]));
    let instances: Vec<(String, String)> = fixtures()
        .into_iter()
        .map(|f| (f.clone(), explain(&f, "json")))
        .collect();
    let errors = schema_errors(&schema, &instances);
    assert!(errors.is_empty(), "{errors}");
    // The oracle can fail: a pod without its `served` verdict is refused.
    let (name, json) = &instances[0];
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    let pods = v["files"][0]["pods"].as_array_mut().unwrap();
    pods[0]
        .as_object_mut()
        .unwrap()
        .insert("served".into(), serde_json::json!(1));
    pods[0].as_object_mut().unwrap().remove("pod_security");
    let broken = schema_errors(&schema, &[(name.clone(), v.to_string())]);
    assert!(broken.contains("pod_security") && broken.contains("served"), "{broken}");
}

/// Mermaid's parser under Node (`DIND_MERMAID_CHECK`: scripts/mermaid/check.mjs, installed
/// with its pinned packages by ./scripts/test.sh), over every text at once (Node takes seconds to
/// start): the parser's errors, one line per text it refuses.
fn mermaid_errors(texts: &[(String, String)]) -> String {
    let script = std::env::var("DIND_MERMAID_CHECK").expect("DIND_MERMAID_CHECK (./scripts/test.sh sets it)");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("explain-mermaid");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new("node");
    cmd.arg(&script);
    for (i, (name, text)) in texts.iter().enumerate() {
        let safe: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let path = dir.join(format!("{i}-{safe}.mmd"));
        std::fs::write(&path, text).unwrap();
        cmd.arg(path);
    }
    let out = cmd.output().expect("node (./scripts/test.sh installs it)");
    let errors = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.success(), errors.trim().is_empty(), "{errors}");
    errors
}

#[test]
fn mermaid_parses_every_mermaid_output() {
    let mut texts: Vec<(String, String)> = fixtures()
        .into_iter()
        .map(|f| (f.clone(), explain(&f, "mermaid")))
        .collect();
    for transport in ["unix", "tcp", "tls", "in-container"] {
        let text = stdout(&dind(&["render", "--format", "mermaid", "--transport", transport]));
        texts.push((format!("render-{transport}"), text));
    }
    let errors = mermaid_errors(&texts);
    assert!(errors.is_empty(), "{errors}");
    // The oracle can fail: a subgraph that is never closed, an edge to the keyword `end`.
    let broken = [
        (
            "open".to_string(),
            "flowchart LR\n  subgraph a[\"x\"]\n    b[\"y\"]\n".to_string(),
        ),
        ("keyword".to_string(), "flowchart LR\n  a --> end\n".to_string()),
    ];
    let errors = mermaid_errors(&broken);
    assert_eq!(errors.lines().filter(|l| l.contains(".mmd: ")).count(), 2, "{errors}");
}

#[test]
fn a_client_on_the_wrong_port_sees_what_is_served() {
    let text = explain("tests/fixtures/wiring/tls-port.yaml", "text");
    let client = text.split("client docker").nth(1).unwrap();
    assert!(client.contains("endpoint       tcp://localhost:2375"), "{text}");
    assert!(client.contains("served         no: DIND004"), "{text}");
    assert!(
        client.contains("daemon serves  unix:///var/run/docker.sock, tcp://0.0.0.0:2376"),
        "{text}"
    );
}

#[test]
fn every_client_of_a_pod_dind_renders_is_served() {
    for transport in ["unix", "tcp", "tls"] {
        for extra in [&[][..], &["--rootless"][..]] {
            if transport == "tcp" && !extra.is_empty() {
                continue;
            }
            let mut args = vec!["render", "--format", "diagram", "--transport", transport];
            args.extend_from_slice(extra);
            let text = stdout(&dind(&args));
            let served: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with("served")).collect();
            assert!(!served.is_empty(), "{transport} {extra:?}: {text}");
            assert!(
                served.iter().all(|l| l.contains("served         ok")),
                "{transport} {extra:?}: {text}"
            );
        }
    }
}

#[test]
fn a_rule_code_still_explains_the_rule() {
    let text = stdout(&dind(&["explain", "DIND005"]));
    assert!(text.starts_with("DIND005 (tls-client-incomplete"), "{text}");
    let o = dind(&["explain", "--format", "json", "DIND005"]);
    assert_eq!(o.status.code(), Some(2));
    let o = dind(&["explain", "DIND999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown rule code"));
}

#[test]
fn a_missing_file_is_unreadable_input() {
    let o = dind(&["explain", "no/such/pod.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
}

#[test]
fn lint_ends_a_file_with_errors_with_the_explain_hint() {
    let o = dind(&["lint", "tests/fixtures/wiring/tls-port.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("  see: dind explain tests/fixtures/wiring/tls-port.yaml\n"),
        "{text}"
    );
    let clean = dind(&["lint", "tests/fixtures/real/deployment.yaml"]);
    assert!(!String::from_utf8_lossy(&clean.stdout).contains("see: dind explain"));
}
