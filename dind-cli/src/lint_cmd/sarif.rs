//! `dind lint --format sarif`: SARIF 2.1.0, as GitHub code scanning and Jenkins Warnings NG read
//! it. One run; every rule in `tool.driver.rules`; one result per finding, at its file and line.

use dind_core::{Code, Severity};
use serde_json::{Value, json};

use super::Report;

/// A relative URI reference for a path: forward slashes, with the characters a URI cannot hold
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.trim_start_matches("./").to_string()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        _ => "warning",
    }
}

/// The SARIF log of a lint run.
pub fn log(reports: &[Report]) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            let i = c.info();
            json!({
                "id": i.code,
                "name": i.name,
                "shortDescription": {"text": i.summary},
                "fullDescription": {"text": i.why},
                "help": {"text": i.fix},
                "defaultConfiguration": {"level": level(i.severity)},
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for r in reports {
        match &r.result {
            Err(e) => notifications.push(json!({
                "level": "error",
                "message": {"text": e},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&r.label)}}}],
            })),
            Ok(file) => {
                let shown = file.findings.iter().map(|f| (f, false));
                let hidden = r.suppressed.iter().map(|f| (f, true));
                for (f, suppressed) in shown.chain(hidden) {
                    let d = &f.diagnostic;
                    let mut text = d.message.clone();
                    if let Some(c) = &d.container {
                        text.push_str(&format!(" (container `{c}`)"));
                    }
                    let mut result = json!({
                        "level": level(d.severity),
                        "message": {"text": text},
                        "locations": [{
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri(&r.label)},
                                "region": {"startLine": f.line.max(1)},
                            },
                            "logicalLocations": [{"fullyQualifiedName": d.path, "kind": "member"}],
                        }],
                    });
                    if let Some(code) = d.code {
                        result["ruleId"] = json!(code.as_str());
                        result["ruleIndex"] = json!(Code::ALL.iter().position(|c| *c == code).unwrap_or(0));
                    }
                    if d.path.is_empty() {
                        result["locations"][0]
                            .as_object_mut()
                            .map(|l| l.remove("logicalLocations"));
                    }
                    if suppressed {
                        // Kept, and marked: a `dind: ignore` comment in the file.
                        result["suppressions"] = json!([{"kind": "inSource", "justification": "dind: ignore comment"}]);
                    }
                    results.push(result);
                }
            }
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dind",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("./k8s/my pod.yaml"), "k8s/my%20pod.yaml");
        assert_eq!(uri("ci\\Jenkinsfile"), "ci/Jenkinsfile");
        assert_eq!(uri("a#b?.yml"), "a%23b%3F.yml");
    }
}
