//! Real Groovy 2.4 (Debian's `groovy`, as Jenkins ships) evaluates every rendered scripted and
//! declarative Jenkinsfile with stub steps (tests/groovy/harness.groovy). The YAML the stubs
//! receive must equal our YAML byte for byte, for every example and for a hostile-content matrix.
//! The JCasC output, read by a YAML parser and expanded by a model of JCasC's variable
//! substitution, gives the same pod.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use dind::render::jenkins::{JenkinsOptions, MergeStrategy, PodRetention};
use dind::{Client, DindPod, JenkinsPod};

const HOSTILE: &[&str] = &[
    "$HOME",
    "${x}",
    "\\",
    "\\n",
    "\\u0041",
    "'''",
    "\"\"\"",
    "trailing'",
    "trailing\\",
    "tab\there",
    "crlf\r\nline",
    "grüße ✓ 😀",
    "'",
    "\\'",
    "$",
    "a'''b\\'''c",
    "^${y}",
    "line\nbreak",
    "\u{fffe}\u{ffff}\u{fdd0}\u{1ffff}",
    "^^${z} $${w} ^",
];

fn hostile_pod() -> JenkinsPod {
    let mut client = Client::new("docker");
    for (i, v) in HOSTILE.iter().enumerate() {
        client = client.env(format!("HOSTILE_{i}"), *v);
    }
    DindPod::new().client(client).build_jenkins().unwrap()
}

/// `JAVA_HOME` as set, or else derived from the `java` on `PATH` (Debian's groovy script needs it).
#[test]
fn the_groovy_oracle_is_groovy_2_4_as_in_jenkins() {
    let out = common::groovy_command()
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("groovy (Debian package `groovy`, run ./scripts/test.sh): {e}"));
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(
        version.contains("Groovy Version: 2.4."),
        "the tests need Groovy 2.4, found: {version}"
    );
}

#[test]
fn groovy_reads_back_exactly_our_yaml() {
    let dir = common::scratch("jenkins-groovy");
    let hostile_steps = JenkinsOptions {
        // U+FFFF is Groovy's end of file: a step holding it is refused (tested below).
        steps: HOSTILE
            .iter()
            .map(|s| format!("echo {}", s.replace('\u{ffff}', "")))
            .collect(),
        ..JenkinsOptions::default()
    };
    let all_options = JenkinsOptions {
        cloud: Some("k8s'cloud".into()),
        namespace: Some("ci".into()),
        service_account: Some("builder".into()),
        idle_minutes: Some(5),
        pod_retention: Some(PodRetention::OnFailure),
        show_raw_yaml: Some(false),
        yaml_merge_strategy: Some(MergeStrategy::Merge),
        inherit_from: Some("base".into()),
        ..JenkinsOptions::default()
    };
    let mut cases: Vec<(String, JenkinsPod, JenkinsOptions)> = common::examples()
        .into_iter()
        .map(|(n, p)| (n.to_string(), p.build_jenkins().unwrap(), JenkinsOptions::default()))
        .collect();
    cases.push(("hostile".into(), hostile_pod(), hostile_steps));
    cases.push((
        "all-options".into(),
        DindPod::new().build_jenkins().unwrap(),
        all_options,
    ));
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for (name, built, o) in &cases {
        for (kind, text) in [
            ("scripted", built.scripted(o).unwrap()),
            ("declarative", built.declarative(o).unwrap()),
        ] {
            let path = dir.join(format!("{name}.{kind}.groovy"));
            std::fs::write(&path, text).unwrap();
            files.push(path);
            expected.push((
                format!("{name}.{kind}"),
                built.to_yaml(),
                built.steps_container().to_string(),
                built.steps(o),
            ));
        }
    }
    let results = common::groovy(&files);
    assert_eq!(results.len(), expected.len());
    for (got, (name, yaml, container, steps)) in results.iter().zip(&expected) {
        assert_eq!(
            got["yaml"].as_str(),
            Some(yaml.as_str()),
            "{name}: Groovy read different YAML"
        );
        assert_eq!(got["container"].as_str(), Some(container.as_str()), "{name}");
        let got_steps: Vec<String> = got["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        assert_eq!(&got_steps, steps, "{name}");
    }
    let all = results
        .iter()
        .find(|r| r["path"].as_str().unwrap().contains("all-options.scripted"))
        .unwrap();
    let keys: Vec<&str> = all["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "activeDeadlineSeconds",
            "cloud",
            "idleMinutes",
            "inheritFrom",
            "namespace",
            "podRetention",
            "serviceAccount",
            "showRawYaml",
            "yamlMergeStrategy"
        ]
    );
}

/// JCasC's variable substitution (configuration-as-code's `SecretSourceResolver`, built on
/// commons-text `StringSubstitutor` with prefix `${`, suffix `}` and escape character `^`): an
/// escaped `^${` is written `${` and not resolved; every other `${...}` is replaced by whatever
/// its secret source says (here the marker `RESOLVED`, so that any expansion shows).
fn jcasc_substitute(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("^${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("${") {
            match after.find('}') {
                Some(end) => {
                    out.push_str("RESOLVED");
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("${");
                    rest = after;
                }
            }
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[test]
fn the_jcasc_model_expands_and_escapes_as_jcasc_does() {
    assert_eq!(
        jcasc_substitute("a ${X} ^${Y} ^^${Z} $ ^ ${unclosed"),
        "a RESOLVED ${Y} ^${Z} $ ^ ${unclosed"
    );
}

#[test]
fn jcasc_reads_back_as_the_same_pod() {
    let built = hostile_pod();
    let jcasc = built.jcasc(&JenkinsOptions::default()).unwrap();
    let doc: serde_json::Value = serde_yaml::from_str(&jcasc).unwrap();
    let template = &doc["jenkins"]["clouds"][0]["kubernetes"]["templates"][0];
    assert_eq!(template["name"], "dind");
    let yaml = template["yaml"].as_str().unwrap();
    assert_eq!(jcasc_substitute(yaml), built.to_yaml());
}

#[test]
fn a_pod_too_large_for_groovy_is_dind023() {
    let big = DindPod::new()
        .client(Client::new("docker").env("PAD", "é".repeat(40_000)))
        .build_jenkins()
        .unwrap();
    let err = big.scripted(&JenkinsOptions::default()).unwrap_err();
    assert_eq!(err.as_slice()[0].code.map(|c| c.as_str()), Some("DIND023"));
    let err = big.declarative(&JenkinsOptions::default()).unwrap_err();
    assert_eq!(err.as_slice()[0].code.map(|c| c.as_str()), Some("DIND023"));
}

#[test]
fn a_step_that_groovy_cannot_hold_is_refused() {
    let agent = DindPod::new().build_jenkins().unwrap();
    let o = JenkinsOptions {
        steps: vec!["echo \u{ffff}".into()],
        ..JenkinsOptions::default()
    };
    let err = agent.scripted(&o).unwrap_err();
    assert_eq!(err.as_slice()[0].path, "jenkins.steps[0]");
    assert!(err.to_string().contains("U+FFFF"), "{err}");
    let err = agent.declarative(&o).unwrap_err();
    assert_eq!(err.as_slice()[0].path, "jenkins.steps[0]");
    assert!(err.to_string().contains("U+FFFF"), "{err}");
}

#[test]
fn the_linter_reads_our_jenkinsfiles_back_to_our_yaml() {
    let built = hostile_pod();
    let o = JenkinsOptions::default();
    for text in [built.scripted(&o).unwrap(), built.declarative(&o).unwrap()] {
        let literals = dind::lint::jenkinsfile_literals(&text).unwrap();
        assert_eq!(literals.len(), 1);
        assert_eq!(literals[0].value, built.to_yaml());
    }
}
