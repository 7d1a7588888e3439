//! Linting pods people already have: Pod YAML (one or many documents, fragments welcome),
//! Jenkinsfiles (the `yaml` literals of `podTemplate` and declarative `kubernetes` agents) and JCasC
//! files. The same rules as [`crate::DindPod::build`]; every finding carries the line in the
//! original file.

mod jenkinsfile;
mod pods;

pub use jenkinsfile::{GroovyLiteral, jenkinsfile_literals};
pub use pods::pod_from_value;

use crate::rules::Context;
use crate::yaml::{Limits, read_documents};
use crate::{Code, Diagnostic};

/// A finding with its line in the linted file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What was found.
    pub diagnostic: Diagnostic,
    /// The 1-based line in the original file.
    pub line: usize,
}

/// What kind of file is linted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputKind {
    /// Pod YAML.
    Pod,
    /// A Jenkinsfile.
    Jenkinsfile,
    /// A JCasC file.
    Jcasc,
}

impl InputKind {
    /// Guesses the kind from the file name and content: `Jenkinsfile`/`*.groovy`/`*.jenkinsfile`
    /// are Jenkinsfiles; YAML with a top-level `jenkins:` key is JCasC; the rest is Pod YAML.
    pub fn detect(name: &str, text: &str) -> InputKind {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase();
        if base.starts_with("jenkinsfile")
            || base.ends_with(".groovy")
            || base.ends_with(".jenkinsfile")
            || base.ends_with(".gvy")
        {
            InputKind::Jenkinsfile
        } else if text.lines().any(|l| l.trim_end() == "jenkins:") {
            InputKind::Jcasc
        } else {
            InputKind::Pod
        }
    }
}

/// Lints Pod YAML text (see [`lint_source`]).
pub fn lint_yaml(text: &str, ctx: &Context) -> Result<Vec<Finding>, String> {
    pods::lint_pods(text, ctx, 0, |l| l)
}

/// Lints the pod YAML literals of a Jenkinsfile.
pub fn lint_jenkinsfile(text: &str, ctx: &Context) -> Result<Vec<Finding>, String> {
    let literals = jenkinsfile_literals(text)?;
    let mut out = Vec::new();
    if literals.is_empty() {
        out.push(Finding {
            diagnostic: Diagnostic::input("", "no `yaml` literal of a `podTemplate` or `kubernetes` agent found")
                .with_help(
                    "dind lint reads `podTemplate(yaml: '''...''')` and `agent { kubernetes { yaml '''...''' } }`",
                ),
            line: 1,
        });
    }
    for lit in literals {
        for problem in &lit.problems {
            out.push(Finding {
                diagnostic: problem.0.clone(),
                line: problem.1,
            });
        }
        if lit.utf8_len_modified > crate::groovy::LITERAL_LIMIT {
            out.push(Finding {
                diagnostic: Diagnostic::rule(
                    Code::Dind023,
                    "",
                    format!(
                        "the yaml literal takes {} bytes in the class file; Groovy compiles at most {}",
                        lit.utf8_len_modified,
                        crate::groovy::LITERAL_LIMIT
                    ),
                ),
                line: lit.line,
            });
        }
        let map = lit.line_starts.clone();
        let first = lit.line;
        out.extend(pods::lint_pods(&lit.value, ctx, 0, move |l| {
            map.get(l.saturating_sub(1)).copied().unwrap_or(first)
        })?);
    }
    Ok(out)
}

/// Lints the pod templates of a JCasC file (`jenkins.clouds[].kubernetes.templates[].yaml`,
/// `^${` read as `${`).
pub fn lint_jcasc(text: &str, ctx: &Context) -> Result<Vec<Finding>, String> {
    let docs = read_documents(text, Limits::default())?;
    let mut out = Vec::new();
    let mut found = false;
    for doc in &docs {
        let clouds = doc
            .value
            .pointer("/jenkins/clouds")
            .and_then(serde_json::Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (ci, cloud) in clouds.iter().enumerate() {
            let templates = cloud
                .pointer("/kubernetes/templates")
                .and_then(serde_json::Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            for (ti, template) in templates.iter().enumerate() {
                let Some(yaml) = template.get("yaml").and_then(|y| y.as_str()) else {
                    continue;
                };
                found = true;
                let path = format!("jenkins.clouds[{ci}].kubernetes.templates[{ti}].yaml");
                let key_line = doc.line_of(&path);
                let unescaped = yaml.replace("^${", "${");
                // A literal block scalar (`|`, `|-`, `|+`) starts on the line after its key.
                let block = text
                    .lines()
                    .nth(key_line.saturating_sub(1))
                    .is_some_and(|l| l.trim_end().trim_end_matches(['-', '+']).ends_with('|'));
                let offset = if block { key_line } else { key_line.saturating_sub(1) };
                out.extend(pods::lint_pods(&unescaped, ctx, offset, |l| l)?);
            }
        }
    }
    if !found {
        out.push(Finding {
            diagnostic: Diagnostic::input("", "no `jenkins.clouds[].kubernetes.templates[].yaml` found"),
            line: 1,
        });
    }
    Ok(out)
}

/// Lints one file of any kind; the kind comes from [`InputKind::detect`]. Errors are unreadable
/// input (exit 2); findings include input that is readable but not a pod.
pub fn lint_source(name: &str, text: &str, ctx: &Context) -> Result<Vec<Finding>, String> {
    match InputKind::detect(name, text) {
        InputKind::Pod => lint_yaml(text, ctx),
        InputKind::Jenkinsfile => lint_jenkinsfile(text, ctx),
        InputKind::Jcasc => lint_jcasc(text, ctx),
    }
}
