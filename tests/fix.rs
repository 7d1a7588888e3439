//! `dind lint --fix`: every fixable rule repairs its trigger (the fixed file is a reviewed
//! snapshot) with none of its findings left and no new error; fixing twice is fixing once;
//! marked lines and line endings survive byte for byte; fixed pods pass the schema oracle for
//! every minor; a fixed Jenkinsfile still evaluates in Groovy 2.4 to the fixed YAML.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dind::fix::Applicability;
use dind::lint::{fix_file, lint_file};
use dind::rules::Context;
use dind::{Code, Severity};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(format!("{}/tests/fixtures/{dir}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> (String, String) {
    (
        path.file_name().unwrap().to_string_lossy().into_owned(),
        std::fs::read_to_string(path).unwrap(),
    )
}

/// The findings of a text, per code and severity.
fn census(name: &str, text: &str) -> BTreeMap<(Option<Code>, Severity), usize> {
    let mut out = BTreeMap::new();
    for f in lint_file(name, text, &Context::default()).unwrap().findings {
        *out.entry((f.diagnostic.code, f.diagnostic.severity)).or_insert(0) += 1;
    }
    out
}

#[test]
fn every_fixable_rule_repairs_its_trigger() {
    let with_fix: Vec<Code> = Code::ALL
        .iter()
        .copied()
        .filter(|c| c.info().autofix.is_some())
        .collect();
    let files = fixtures("fix");
    // One trigger per fixable rule, named by its code.
    let names: Vec<String> = files.iter().map(|p| read(p).0).collect();
    for code in &with_fix {
        assert!(
            names.contains(&format!("{code}.yaml")),
            "{code} has an automatic fix but no trigger in tests/fixtures/fix"
        );
    }
    for path in &files {
        let (name, text) = read(path);
        let code = Code::parse(name.trim_end_matches(".yaml")).unwrap();
        let (class, _) = code.info().autofix.unwrap();
        let before = census(&name, &text);
        assert!(
            before.keys().any(|(c, _)| *c == Some(code)),
            "{name} does not trigger {code}"
        );
        if class == Applicability::Unsafe {
            // Not without --unsafe-fixes.
            let safe_only = fix_file(&name, &text, &Context::default(), false).unwrap();
            assert!(
                !safe_only.applied.iter().any(|a| a.diagnostic.code == Some(code)),
                "{name}: an unsafe fix was applied without --unsafe-fixes"
            );
            assert!(safe_only.unsafe_available > 0, "{name}");
        }
        let fixed = fix_file(&name, &text, &Context::default(), class == Applicability::Unsafe).unwrap();
        assert!(fixed.refused.is_empty(), "{name}: {:#?}", fixed.refused);
        assert!(
            fixed.applied.iter().any(|a| a.diagnostic.code == Some(code)),
            "{name}: {code} was not fixed"
        );
        let after = census(&name, &fixed.text);
        assert!(
            !after.keys().any(|(c, _)| *c == Some(code)),
            "{name}: {code} remains: {after:?}"
        );
        for ((c, severity), n) in &after {
            if *severity == Severity::Error {
                assert!(
                    before.get(&(*c, *severity)).is_some_and(|b| b >= n),
                    "{name}: the fix brought a new error {c:?}"
                );
            }
        }
        insta::assert_snapshot!(format!("fix-{name}"), fixed.text);
    }
}

/// The Jenkins-side fixtures (Groovy literals with escapes and constants, JCasC blocks with
/// `^${`), fixed with every fix: reviewed snapshots.
#[test]
fn jenkins_files_are_fixed_in_place() {
    for path in fixtures("fix-jenkins") {
        let (name, text) = read(&path);
        let fixed = fix_file(&name, &text, &Context::default(), true).unwrap();
        assert!(!fixed.applied.is_empty(), "{name}: nothing fixed");
        insta::assert_snapshot!(format!("fix-jenkins-{name}"), fixed.text);
    }
}

/// The wiring errors that break builds, each repaired by one fix that keeps what the user chose
/// (the transport, then the port, then the paths), settling the findings it would otherwise
/// leave: no error is left, nothing is refused. The real-daemon test runs the fixed pods.
#[test]
fn wiring_errors_are_repaired_whole() {
    for path in fixtures("wiring") {
        let (name, text) = read(&path);
        let before = census(&name, &text);
        assert!(
            before.keys().any(|(_, s)| *s == Severity::Error),
            "{name}: no error to repair"
        );
        let fixed = fix_file(&name, &text, &Context::default(), true).unwrap();
        assert!(fixed.refused.is_empty(), "{name}: {:#?}", fixed.refused);
        let after = census(&name, &fixed.text);
        assert!(
            !after.keys().any(|(_, s)| *s == Severity::Error),
            "{name}: errors remain: {after:?}\n{}",
            fixed.text
        );
        insta::assert_snapshot!(format!("fix-wiring-{name}"), fixed.text);
    }
}

/// Every fixture of every kind, fixed with unsafe fixes too.
fn all_fixed() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for dir in ["fix", "fix-jenkins", "seed", "real", "wiring"] {
        for path in fixtures(dir) {
            let (name, text) = read(&path);
            let fixed = fix_file(&name, &text, &Context::default(), true).unwrap();
            out.push((format!("{dir}/{name}"), text, fixed.text));
        }
    }
    out
}

#[test]
fn fixing_twice_is_fixing_once() {
    for (name, _, once) in all_fixed() {
        for unsafe_fixes in [false, true] {
            let twice = fix_file(&name, &once, &Context::default(), unsafe_fixes).unwrap();
            assert_eq!(twice.text, once, "{name}");
            assert!(twice.applied.is_empty(), "{name}: {:#?}", twice.applied);
        }
    }
}

#[test]
fn lines_outside_the_edits_survive_byte_for_byte() {
    for (name, before, after) in all_fixed() {
        // Every line marked `# keep` is still there, in order, exactly.
        let mut rest = after.as_str();
        for line in before.split_inclusive('\n').filter(|l| l.contains("# keep")) {
            let at = rest
                .find(line)
                .unwrap_or_else(|| panic!("{name}: the line {line:?} changed or moved\n{after}"));
            rest = &rest[at + line.len()..];
        }
        // Every comment stays, on whatever line the edit left it.
        for line in before.lines() {
            if let Some(at) = line.find(" #").or_else(|| line.starts_with('#').then_some(0)) {
                let comment = line[at..].trim();
                assert!(
                    after.contains(comment),
                    "{name}: the comment {comment:?} was lost\n{after}"
                );
            }
        }
        // Line endings stay as they were.
        assert_eq!(before.contains("\r\n"), after.contains("\r\n"), "{name}");
        if before.contains("\r\n") {
            assert!(
                !after.replace("\r\n", "").contains('\n'),
                "{name}: a bare LF was written"
            );
        }
        // A file that needed no fix is not touched at all.
        if fix_file(&name, &before, &Context::default(), true)
            .unwrap()
            .applied
            .is_empty()
        {
            assert_eq!(before, after, "{name}");
        }
    }
}

/// The pods a fixed text holds, as Pod manifests: a Pod, a bare pod spec (a Jenkins fragment),
/// or a workload's pod template. (Argo and Tekton pods are assembled by their controllers.)
fn pods_of(text: &str) -> Vec<serde_json::Value> {
    let docs = dind::yaml::read_documents(text, dind::yaml::Limits::default()).unwrap();
    let mut out = Vec::new();
    for doc in docs {
        let v = doc.value;
        let (metadata, spec) = match v.get("kind").and_then(|k| k.as_str()) {
            Some("Pod") => (v.get("metadata").cloned(), v.get("spec").cloned()),
            Some("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job") => (
                v.pointer("/spec/template/metadata").cloned(),
                v.pointer("/spec/template/spec").cloned(),
            ),
            Some(_) => (None, None),
            None if v.get("spec").is_some() => (v.get("metadata").cloned(), v.get("spec").cloned()),
            None => (None, v.get("containers").map(|_| v.clone())),
        };
        if let Some(spec) = spec {
            out.push(serde_json::json!({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": metadata.unwrap_or_else(|| serde_json::json!({})),
                "spec": spec,
            }));
        }
    }
    out
}

/// The YAML texts of a fixture: the file, its JCasC templates, or the pod YAML of its
/// Jenkinsfile as Groovy evaluates it.
fn yaml_texts(name: &str, text: &str) -> Vec<String> {
    if name.ends_with(".yaml") && text.lines().any(|l| l == "jenkins:") {
        let doc = &dind::yaml::read_documents(text, dind::yaml::Limits::default()).unwrap()[0];
        doc.value
            .pointer("/jenkins/clouds")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
            .flat_map(|c| {
                c.pointer("/kubernetes/templates")
                    .and_then(|t| t.as_array())
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|t| t.get("yaml").and_then(|y| y.as_str()).map(|y| y.replace("^${", "${")))
            .collect()
    } else if name.ends_with(".yaml") {
        vec![text.to_string()]
    } else {
        dind::lint::jenkins_pod_yaml(text).unwrap()
    }
}

/// A fixed pod passes the schemas of every minor where the pod as written passed them: a fix
/// never makes a pod invalid. (A fixture may use a field that only newer minors have, such as
/// `appArmorProfile` from 1.30; the seed's pods and most fixtures pass everywhere.)
#[test]
fn fixed_pods_pass_the_schema_oracle_for_every_minor() {
    let python = common::venv_bin("python");
    let dir = common::scratch("fix-oracle");
    // (original, fixed) file pairs.
    let mut pairs = Vec::new();
    for (name, before, fixed) in all_fixed() {
        let (olds, news) = (yaml_texts(&name, &before), yaml_texts(&name, &fixed));
        assert_eq!(olds.len(), news.len(), "{name}");
        for (i, (old, new)) in olds.iter().zip(&news).enumerate() {
            let (old_pods, new_pods) = (pods_of(old), pods_of(new));
            assert_eq!(old_pods.len(), new_pods.len(), "{name}");
            for (j, (o, n)) in old_pods.iter().zip(&new_pods).enumerate() {
                let stem = format!("{}-{i}-{j}", name.replace('/', "-"));
                let (op, np) = (
                    dir.join(format!("{stem}.before.json")),
                    dir.join(format!("{stem}.after.json")),
                );
                std::fs::write(&op, serde_json::to_string(o).unwrap()).unwrap();
                std::fs::write(&np, serde_json::to_string(n).unwrap()).unwrap();
                pairs.push((op, np));
            }
        }
    }
    assert!(pairs.len() >= 30, "too few fixed pods: {}", pairs.len());
    let mut valid_everywhere = vec![true; pairs.len()];
    for minor in dind::facts::KubeVersion::all() {
        let paths: Vec<&PathBuf> = pairs.iter().flat_map(|(o, n)| [o, n]).collect();
        let out = std::process::Command::new(&python)
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/validate.py"))
            .arg(format!("{minor}.0"))
            .args(&paths)
            .output()
            .unwrap();
        let lines = common::json_lines(&out, "kubernetes-validate");
        assert_eq!(lines.len(), paths.len(), "{minor}");
        for (k, pair) in lines.chunks(2).enumerate() {
            let (before_ok, after_ok) = (pair[0]["ok"] == true, pair[1]["ok"] == true);
            assert!(!before_ok || after_ok, "{minor}: the fix made it invalid: {}", pair[1]);
            valid_everywhere[k] &= after_ok;
        }
    }
    let everywhere = valid_everywhere.iter().filter(|v| **v).count();
    assert!(
        everywhere * 10 >= pairs.len() * 8,
        "only {everywhere} of {} fixed pods pass every minor",
        pairs.len()
    );
}

#[test]
fn a_fixed_jenkinsfile_evaluates_in_groovy_to_the_fixed_yaml() {
    let dir = common::scratch("fix-groovy");
    let mut expected = Vec::new();
    let mut files = Vec::new();
    for (name, before, fixed) in all_fixed() {
        if name.ends_with(".yaml") || before == fixed {
            continue;
        }
        let lits = dind::lint::jenkinsfile_literals(&fixed).unwrap();
        // Only `yaml` pods that Groovy can evaluate: the seed's undefined variables fail there too.
        if lits.is_empty() || lits.iter().any(|l| !l.problems.is_empty()) {
            continue;
        }
        // What dind reads as the pod: the literal as Groovy evaluates it (constants, strips).
        let Some(yaml) = dind::lint::jenkins_pod_yaml(&fixed).unwrap().pop() else {
            continue;
        };
        let path = dir.join(name.replace('/', "-"));
        std::fs::write(&path, &fixed).unwrap();
        files.push(path);
        expected.push((name, yaml));
    }
    assert!(files.len() >= 3, "too few fixed Jenkinsfiles: {}", files.len());
    let results = common::groovy(&files);
    assert_eq!(results.len(), expected.len());
    for (got, (name, yaml)) in results.iter().zip(&expected) {
        assert_eq!(got["yaml"].as_str(), Some(yaml.as_str()), "{name}");
    }
}

/// The README's table of fixes names every fixable rule with its registry class, and no other.
#[test]
fn the_readme_table_of_fixes_is_the_registry() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table: Vec<(String, String)> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| rule | class | the fix |"))
        .skip(2)
        .take_while(|l| l.starts_with("| DIND"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].to_string(), cells[2].to_string())
        })
        .collect();
    let registry: Vec<(String, String)> = Code::ALL
        .iter()
        .filter_map(|c| c.info().autofix.map(|(a, _)| (c.to_string(), a.as_str().to_string())))
        .collect();
    assert_eq!(table, registry);
}

/// A finding that a `dind: ignore` comment suppresses is not fixed either.
#[test]
fn suppressed_findings_are_not_fixed() {
    let path = format!("{}/tests/fixtures/real/suppressed.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let fixed = fix_file("suppressed.yaml", &text, &Context::default(), true).unwrap();
    assert!(
        fixed
            .applied
            .iter()
            .all(|a| a.diagnostic.code != Code::parse("DIND009"))
    );
    assert!(fixed.text.contains("image: docker:dind  # dind: ignore[DIND009]"));
    // Without the comment, the same image is pinned.
    let bare = text.replace(
        "  # dind: ignore[DIND009] (we test against the newest release each night)",
        "",
    );
    let fixed = fix_file("suppressed.yaml", &bare, &Context::default(), true).unwrap();
    assert!(fixed.text.contains("image: docker:29.7.2-dind"));
}

/// A JCasC template dind cannot map back into the file (not a `|` or `|-` block) is left byte for
/// byte, and each of its fixes is refused with what kind of scalar it is.
#[test]
fn jcasc_templates_that_cannot_be_mapped_are_refused_with_the_reason() {
    let pod = "spec:\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    securityContext: {privileged: true, allowPrivilegeEscalation: false}\n";
    let block = |header: &str, indent: usize| {
        let pad = " ".repeat(indent);
        let body: String = pod.lines().map(|l| format!("{pad}{l}\n")).collect();
        format!(
            "jenkins:\n  clouds:\n  - kubernetes:\n      templates:\n      - name: dind\n        yaml: {header}\n{body}"
        )
    };
    let quoted = format!(
        "jenkins:\n  clouds:\n  - kubernetes:\n      templates:\n      - name: dind\n        yaml: {}\n",
        serde_json::to_string(pod).unwrap()
    );
    let cases = [
        ("a folded (`>`) scalar", block(">", 10)),
        ("a `|+` block", block("|+", 10)),
        ("a block with an indentation indicator", block("|2", 10)),
        ("a quoted string", quoted),
    ];
    for (kind, text) in cases {
        // The linter reads the template and finds what the fix would repair.
        let found = census("casc.yaml", &text);
        assert!(
            found.keys().any(|(c, _)| *c == Code::parse("DIND016")),
            "{kind}: {found:?}\n{text}"
        );
        let fixed = fix_file("casc.yaml", &text, &Context::default(), true).unwrap();
        assert_eq!(fixed.text, text, "{kind}: the file must stay as it was");
        assert!(fixed.applied.is_empty(), "{kind}");
        let refused = fixed
            .refused
            .iter()
            .find(|r| r.diagnostic.code == Code::parse("DIND016"))
            .unwrap_or_else(|| panic!("{kind}: DIND016 not refused: {:?}", fixed.refused));
        assert!(refused.reason.contains(kind), "{kind}: {}", refused.reason);
        // At the line lint reports it: the value's own line in a block, the key's line otherwise.
        let lint_line = lint_file("casc.yaml", &text, &Context::default())
            .unwrap()
            .findings
            .iter()
            .find(|f| f.diagnostic.code == Code::parse("DIND016"))
            .map(|f| f.line);
        let want = if kind == "a quoted string" { 6 } else { 11 };
        assert_eq!((refused.line, lint_line), (want, Some(want)), "{kind}");
    }
    // The same template as a `|` block is fixed.
    let fixed = fix_file("casc.yaml", &block("|", 10), &Context::default(), true).unwrap();
    assert!(fixed.text.contains("allowPrivilegeEscalation: true"));
    assert!(fixed.refused.is_empty(), "{:?}", fixed.refused);
}

/// The Jenkins chart's values: a `podTemplates` string dind cannot map back (not a `|` or `|-`
/// block) is left byte for byte and its fixes refused with the reason, at the line lint reports;
/// the same string as a block is fixed in place, and a fix no template field can express says so.
#[test]
fn chart_values_strings_that_cannot_be_mapped_are_refused_with_the_reason() {
    let templates = "- name: docker\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    privileged: false\n    resourceRequestMemory: 1Gi\n    args: dockerd --host=unix:///var/run/docker.sock\n";
    let values = |string: String| {
        format!(
            "agent:\n  volumes:\n  - type: EmptyDir\n    mountPath: /var/lib/docker\n  podTemplates:\n    docker: {string}\n"
        )
    };
    let block = |header: &str| {
        let body: String = templates.lines().map(|l| format!("      {l}\n")).collect();
        values(format!("{header}\n{body}")).replacen("\n\n", "\n", 1)
    };
    let cases = [
        ("a folded (`>`) scalar", block(">")),
        ("a quoted string", values(serde_json::to_string(templates).unwrap())),
    ];
    for (kind, text) in cases {
        let found = census("values.yaml", &text);
        assert!(
            found.keys().any(|(c, _)| *c == Code::parse("DIND007")),
            "{kind}: {found:?}\n{text}"
        );
        let fixed = fix_file("values.yaml", &text, &Context::default(), true).unwrap();
        assert_eq!(fixed.text, text, "{kind}: the file must stay as it was");
        let refused = fixed
            .refused
            .iter()
            .find(|r| r.diagnostic.code == Code::parse("DIND007"))
            .unwrap_or_else(|| panic!("{kind}: DIND007 not refused: {:?}", fixed.refused));
        assert!(refused.reason.contains(kind), "{kind}: {}", refused.reason);
        assert!(
            refused.reason.contains("agent.podTemplates.docker"),
            "{}",
            refused.reason
        );
        let lint_line = lint_file("values.yaml", &text, &Context::default())
            .unwrap()
            .findings
            .iter()
            .find(|f| f.diagnostic.code == Code::parse("DIND007"))
            .map(|f| f.line);
        assert_eq!(Some(refused.line), lint_line, "{kind}");
    }
    let text = block("|");
    let fixed = fix_file("values.yaml", &text, &Context::default(), true).unwrap();
    assert_eq!(
        fixed.text,
        text.replace("privileged: false", "privileged: true"),
        "{:?}",
        fixed.refused
    );
    assert_eq!(fixed.applied.len(), 1);
    assert_eq!(fixed.applied[0].line, 11);
    // A probe has no template field: the fix says where to write it instead.
    let text = "jenkins:\n  clouds:\n  - kubernetes:\n      templates:\n      - name: dind\n        containers:\n        - name: dind\n          image: docker:29.7.2-dind\n          privileged: true\n          resourceRequestMemory: 1Gi\n          args: dockerd --host=tcp://127.0.0.1:2375\n          envVars:\n          - envVar: {key: DOCKER_TLS_CERTDIR, value: \"\"}\n        - name: build\n          image: docker:29.7.2-cli\n          command: cat\n          ttyEnabled: true\n          envVars:\n          - envVar: {key: DOCKER_HOST, value: \"tcp://127.0.0.1:2375\"}\n        volumes:\n        - emptyDirVolume: {mountPath: /var/lib/docker}\n";
    let fixed = fix_file("casc.yaml", text, &Context::default(), true).unwrap();
    let probe = fixed
        .refused
        .iter()
        .find(|r| r.diagnostic.code == Code::parse("DIND010"))
        .unwrap_or_else(|| panic!("{:?}", fixed.refused));
    assert!(
        probe.reason.contains("set it in the template's `yaml`"),
        "{}",
        probe.reason
    );
    assert_eq!(fixed.text, text);
}

/// `--fix` reports each finding at the line lint reports it: for a `containerTemplate`, the line
/// of the argument the fix rewrites, not the line the template starts on.
#[test]
fn fixes_are_reported_at_the_lines_lint_reports() {
    let text = "podTemplate(containers: [\n    containerTemplate(name: 'dind',\n        image: 'docker:dind',\n        privileged: false)]) {\n    node(POD_LABEL) { container('dind') { sh 'docker version' } }\n}\n";
    let found: Vec<(Option<Code>, usize)> = lint_file("Jenkinsfile", text, &Context::default())
        .unwrap()
        .findings
        .iter()
        .map(|f| (f.diagnostic.code, f.line))
        .collect();
    let fixed = fix_file("Jenkinsfile", text, &Context::default(), true).unwrap();
    let applied: Vec<(Option<Code>, usize)> = fixed.applied.iter().map(|a| (a.diagnostic.code, a.line)).collect();
    // The image (line 3) and privileged (line 4) are rewritten in place, lines unchanged.
    assert!(applied.contains(&(Code::parse("DIND009"), 3)), "{applied:?}");
    assert!(applied.contains(&(Code::parse("DIND007"), 4)), "{applied:?}");
    for a in &applied {
        assert!(
            found.contains(a),
            "{a:?} fixed at a line lint does not report it at: {found:?}"
        );
    }
}

/// A fix's text in a `'''` or `"""` literal keeps a run of one or two quotes as written where they
/// cannot end the literal, and Groovy 2.4 (and dind's own reader) reads every such literal back
/// as the text meant, whatever stands around the edit: the delimiter, a quote, an escaped quote.
#[test]
fn quotes_in_triple_quoted_literals_are_escaped_only_where_groovy_needs_it() {
    let texts = [
        "\"",
        "\"\"",
        "\"\"\"",
        "a\"b",
        "\"a\"",
        "a\"\"b",
        "a\"\"\"b",
        "\"\"\"\"",
        "memory: \"1Gi\"",
        "$x \\",
    ];
    // (source, what Groovy reads, the character dind is told stands there); `Q` is the quote.
    let before = [
        ("", "", None),
        ("k: ", "k: ", Some(' ')),
        ("k: Q", "k: Q", Some('Q')),
        ("k: \\Q", "k: Q", Some('Q')),
    ];
    let after = [
        ("", "", None),
        (" x", " x", Some(' ')),
        ("Q x", "Q x", Some('Q')),
        ("\\Q x", "Q x", Some('\\')),
    ];
    let dir = common::scratch("triple-quotes");
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for double in [true, false] {
        let (q, delim) = if double { ("\"", "\"\"\"") } else { ("'", "'''") };
        let quoted = |s: &str| s.replace(['Q', '"'], q);
        let told = |c: Option<char>| c.map(|c| if c == 'Q' { q.chars().next().unwrap() } else { c });
        for text in texts.map(quoted) {
            for (bs, bv, bc) in before {
                for (a_s, av, ac) in after {
                    let escaped = dind::groovy::escape_in_literal_between(&text, double, true, told(bc), told(ac));
                    let (bs, a_s) = (bs.replace('Q', q), a_s.replace('Q', q));
                    let source = format!(
                        "podTemplate(yaml: {delim}{bs}{escaped}{a_s}{delim}) {{ node(POD_LABEL) {{ sh 'x' }} }}\n"
                    );
                    let value = format!("{}{text}{}", bv.replace('Q', q), av.replace('Q', q));
                    let lits = dind::lint::jenkinsfile_literals(&source).unwrap();
                    assert_eq!(lits.first().map(|l| l.value.as_str()), Some(value.as_str()), "{source}");
                    let path = dir.join(format!("case{}.Jenkinsfile", files.len()));
                    std::fs::write(&path, &source).unwrap();
                    files.push(path);
                    expected.push((source, value));
                }
            }
        }
    }
    // The quotes of `memory: "1Gi"` between ordinary characters stay as written.
    assert_eq!(
        dind::groovy::escape_in_literal_between("memory: \"1Gi\"", true, true, Some('\n'), Some('\n')),
        "memory: \"1Gi\""
    );
    let results = common::groovy(&files);
    assert_eq!(results.len(), expected.len());
    for (got, (source, value)) in results.iter().zip(&expected) {
        assert_eq!(got["yaml"].as_str(), Some(value.as_str()), "{source}");
    }
}

/// On every fixture, `--fix --unsafe-fixes` leaves no error-level wiring finding, except one
/// whose fix was refused with a reason that says what the user must decide.
#[test]
fn no_wiring_error_survives_the_fixes_unexplained() {
    const WIRING: &[&str] = &[
        "DIND001", "DIND002", "DIND004", "DIND005", "DIND006", "DIND007", "DIND011", "DIND012", "DIND013", "DIND014",
        "DIND015", "DIND016", "DIND025",
    ];
    let mut unexplained = Vec::new();
    for dir in ["fix", "fix-jenkins", "seed", "real", "wiring"] {
        for path in fixtures(dir) {
            let (name, text) = read(&path);
            let fixed = fix_file(&name, &text, &Context::default(), true).unwrap();
            let after = dind::lint::lint_file(&name, &fixed.text, &Context::default()).unwrap();
            for f in &after.findings {
                let d = &f.diagnostic;
                let Some(code) = d.code.filter(|c| WIRING.contains(&c.as_str())) else {
                    continue;
                };
                if d.severity != Severity::Error {
                    continue;
                }
                let explained = fixed.refused.iter().any(|r| {
                    r.diagnostic.code == Some(code) && r.diagnostic.container == d.container && !r.reason.is_empty()
                });
                if !explained {
                    unexplained.push(format!("{dir}/{name}:{} {code} {}", f.line, d.message));
                }
            }
        }
    }
    assert!(unexplained.is_empty(), "{unexplained:#?}");
}
