//! `dind explain`: a rule's documentation (`dind explain DIND005`), or what the pods of files
//! wire (`dind explain ci/pod.yaml Jenkinsfile`), read as `dind lint` reads them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use dind_core::explain::{self, PodWiring};
use dind_core::facts::KubeVersion;
use rayon::prelude::*;
use serde_json::json;

use super::{Gathered, Report, gather, lint_input, settings};
use crate::exit;

/// The formats of `dind explain PATH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// Per pod: containers and roles, daemons and listeners, clients and whether they are
    /// served, what waits, shared volumes, Pod Security level.
    Text,
    /// `{"files": [{"path", "pods": [...]}]}` (`dind schema explain`).
    Json,
    /// A Graphviz digraph (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (GitHub draws it in Markdown).
    Mermaid,
}

/// Flags of `dind explain`.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A rule code (`DIND005`) for the rule's documentation; or files and directories (any file
    /// `dind lint` reads; `-` reads standard input) for what their pods wire.
    #[arg(required = true, value_name = "CODE|PATH")]
    targets: Vec<PathBuf>,
    /// Output format (for paths; a rule is explained as text).
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
    /// Target Kubernetes minor (1.25 to 1.37).
    #[arg(long)]
    kube_version: Option<String>,
}

/// Whether `target` asks for a rule: it reads as a rule code (`DIND005`, `dind005`) and is not a
/// file or directory.
fn rule_code(target: &std::path::Path) -> Option<&str> {
    let s = target.to_str()?;
    let digits = s
        .get(4..)
        .filter(|_| s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("dind")));
    let looks = digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    (looks && !target.exists()).then_some(s)
}

/// Runs `dind explain`.
pub fn run(args: ExplainArgs) -> u8 {
    if let [target] = args.targets.as_slice()
        && let Some(code) = rule_code(target)
    {
        if args.format != ExplainFormat::Text {
            eprintln!("error: --format applies to paths; a rule is explained as text");
            return exit::USAGE;
        }
        return super::explain(code);
    }
    if let Some(code) = args.targets.iter().find_map(|t| rule_code(t)) {
        eprintln!(
            "error: `{code}` is a rule code and no such file: explain one rule at a time (`dind explain {code}`)"
        );
        return exit::USAGE;
    }
    if let Some(Err(e)) = args.kube_version.as_deref().map(KubeVersion::parse) {
        eprintln!("error: --kube-version: {e}");
        return exit::USAGE;
    }
    let overrides = settings::Overrides {
        kube_version: args.kube_version.clone(),
        ..Default::default()
    };
    let Gathered {
        inputs,
        contexts,
        excluded: _,
    } = match gather(&args.targets, overrides) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let repos = super::Repositories;
    let reports: Vec<Report> = inputs
        .into_par_iter()
        .zip(contexts)
        .map(|(i, ctx)| lint_input(i, &ctx.with_explain(), &repos))
        .collect();
    let mut code = exit::OK;
    for r in &reports {
        if let Err(e) = &r.result {
            eprintln!("error: {e}");
            code = exit::USAGE;
        }
    }
    let out = match args.format {
        ExplainFormat::Text => text(&reports),
        ExplainFormat::Json => {
            let mut s = serde_json::to_string_pretty(&json_report(&reports)).unwrap_or_default();
            s.push('\n');
            s
        }
        ExplainFormat::Dot => explain::dot(
            &drawn(&reports)
                .iter()
                .map(|(l, w)| (l.as_str(), *w))
                .collect::<Vec<_>>(),
        ),
        ExplainFormat::Mermaid => explain::mermaid(
            &drawn(&reports)
                .iter()
                .map(|(l, w)| (l.as_str(), *w))
                .collect::<Vec<_>>(),
        ),
    };
    if let Err(e) = crate::output::emit(&out, None) {
        eprintln!("error: {e}");
        return exit::USAGE;
    }
    code
}

/// Every pod with Docker of the reports, labelled `file: label (line N)`.
fn drawn(reports: &[Report]) -> Vec<(String, &PodWiring)> {
    reports
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|f| (r, f)))
        .flat_map(|(r, f)| {
            f.pods.iter().filter_map(move |p| {
                p.wiring
                    .as_ref()
                    .map(|w| (format!("{}: {} (line {})", r.label, p.label, p.line), w))
            })
        })
        .collect()
}

fn text(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        let Ok(f) = &r.result else { continue };
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{}\n", r.label));
        let with: Vec<_> = f.pods.iter().filter(|p| p.wiring.is_some()).collect();
        for p in &with {
            if let Some(w) = &p.wiring {
                out.push_str(&explain::text(w, &format!("{} (line {})", p.label, p.line)));
            }
        }
        let without = f.pods.len() - with.len();
        if without > 0 {
            out.push_str(&format!("  {without} pod(s) without Docker: nothing to draw\n"));
        }
        if f.pods.is_empty() {
            let why = f.skipped.first().map_or("no pod", |s| s.reason.as_str());
            out.push_str(&format!("  no pod: {why}\n"));
        }
    }
    out
}

fn json_report(reports: &[Report]) -> serde_json::Value {
    let files: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| match &r.result {
            Err(e) => json!({"path": r.label, "error": e, "pods": []}),
            Ok(f) => {
                let pods: Vec<serde_json::Value> = f
                    .pods
                    .iter()
                    .filter_map(|p| {
                        let w = p.wiring.as_ref()?;
                        let mut v = serde_json::to_value(w).ok()?;
                        let o = v.as_object_mut()?;
                        o.insert("label".to_string(), json!(p.label));
                        o.insert("line".to_string(), json!(p.line));
                        Some(v)
                    })
                    .collect();
                json!({"path": r.label, "pods": pods})
            }
        })
        .collect();
    json!({ "files": files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_code_is_a_rule_unless_such_a_file_exists() {
        assert_eq!(rule_code(std::path::Path::new("DIND005")), Some("DIND005"));
        assert_eq!(rule_code(std::path::Path::new("dind043")), Some("dind043"));
        assert_eq!(rule_code(std::path::Path::new("pod.yaml")), None);
        assert_eq!(rule_code(std::path::Path::new("dind")), None);
        assert_eq!(rule_code(std::path::Path::new("dé05")), None);
        let dir = std::env::temp_dir().join(format!("dind-explain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("DIND005");
        std::fs::write(&file, "kind: Pod\n").unwrap();
        assert_eq!(rule_code(&file), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn every_pod_of_the_json_form_has_its_label_and_line() {
        let schema = explain::schema();
        let required = &schema["$defs"]["PodWiring"]["required"];
        for key in [
            "label",
            "line",
            "containers",
            "daemons",
            "clients",
            "waits",
            "volumes",
            "pod_security",
        ] {
            assert!(required.as_array().unwrap().iter().any(|k| k == key), "{key}");
        }
    }
}
