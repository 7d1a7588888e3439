//! Linting pods people already have, wherever they keep them: Pods and the pod templates of
//! workloads, Argo workflows, Tekton tasks and actions-runner-controller runner sets (one or many
//! documents, fragments welcome), Jenkinsfiles and Groovy files (`yaml` literals,
//! `podTemplate(containers: [containerTemplate(...)])` and declarative `kubernetes { ... }`) and
//! JCasC files. The same rules as [`crate::DindPod::build`]; every finding carries the field path
//! and the line in the original file. A document that holds no pod is skipped, never an error.

mod fix;
mod groovy_calls;
mod jenkinsfile;
mod lenient;
mod pod_templates;
mod pods;
mod sites;
mod suppressions;

pub use fix::{Applied, FileFix, Refused, WORK_BUDGET, fix_file, fix_jcasc, fix_jenkinsfile, fix_yaml};
pub use jenkinsfile::{GroovyLiteral, jenkinsfile_literals};
pub use pods::pod_from_value;
pub use suppressions::suppress;

use pods::Outcome;

use crate::rules::{Context, Runner, Steps};
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

/// A pod that was analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PodFound {
    /// What holds it: `Deployment web`, `Workflow ci, template build`, `podTemplate`.
    pub label: String,
    /// The line where it starts.
    pub line: usize,
}

/// A document (or a whole file) that holds no pod.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// The line where it starts.
    pub line: usize,
    /// Why: its kind, or what it is.
    pub reason: String,
}

/// What linting one file found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileReport {
    /// The findings, in the order of the pods.
    pub findings: Vec<Finding>,
    /// The pods analysed.
    pub pods: Vec<PodFound>,
    /// The documents that hold no pod.
    pub skipped: Vec<Skipped>,
}

impl From<Outcome> for FileReport {
    fn from(o: Outcome) -> Self {
        FileReport {
            findings: o.findings,
            pods: o.pods,
            skipped: o.skipped,
        }
    }
}

/// What kind of file is linted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputKind {
    /// YAML or JSON documents (pods, workloads, CRDs, values, anything else).
    Pod,
    /// A Jenkinsfile or a Groovy file.
    Jenkinsfile,
    /// A JCasC file.
    Jcasc,
}

impl InputKind {
    /// Tells the kind from the file name and content: `Jenkinsfile*`, `*.jenkinsfile`,
    /// `*.groovy` and `*.gvy` are Groovy; YAML with a top-level `jenkins:` key is JCasC; the rest
    /// is YAML.
    ///
    /// ```
    /// use dind_core::lint::InputKind;
    /// assert_eq!(InputKind::detect("ci/Jenkinsfile.release", ""), InputKind::Jenkinsfile);
    /// assert_eq!(InputKind::detect("vars/buildImage.groovy", ""), InputKind::Jenkinsfile);
    /// assert_eq!(InputKind::detect("casc.yaml", "jenkins:\n  clouds: []\n"), InputKind::Jcasc);
    /// assert_eq!(InputKind::detect("k8s/app.yaml", "kind: Deployment\n"), InputKind::Pod);
    /// ```
    pub fn detect(name: &str, text: &str) -> InputKind {
        if is_groovy_name(name) {
            InputKind::Jenkinsfile
        } else if text.lines().any(|l| l.trim_end() == "jenkins:") {
            InputKind::Jcasc
        } else {
            InputKind::Pod
        }
    }
}

fn is_groovy_name(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase();
    base.starts_with("jenkinsfile")
        || base.ends_with(".groovy")
        || base.ends_with(".jenkinsfile")
        || base.ends_with(".gvy")
}

/// Whether `dind lint DIR` reads a file of this name: YAML and JSON, Jenkinsfiles and Groovy.
///
/// ```
/// use dind_core::lint::is_lintable_name;
/// assert!(is_lintable_name("k8s/pod.yml"));
/// assert!(is_lintable_name("Jenkinsfile"));
/// assert!(!is_lintable_name("src/main.rs"));
/// ```
pub fn is_lintable_name(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase();
    is_groovy_name(name) || base.ends_with(".yaml") || base.ends_with(".yml") || base.ends_with(".json")
}

/// Lints Pod YAML text (see [`lint_file`]); the findings only.
pub fn lint_yaml(text: &str, ctx: &Context) -> Result<Vec<Finding>, String> {
    pods::lint_pods(text, ctx, 0, &|l| l).map(|o| o.findings)
}

/// Lints the pods of a Jenkinsfile or Groovy file; the findings only.
pub fn lint_jenkinsfile(text: &str, ctx: &Context) -> Result<Vec<Finding>, String> {
    jenkins_report(text, ctx).map(|r| r.findings)
}

fn literal_findings(lit: &GroovyLiteral, ctx: &Context, out: &mut Outcome) {
    for problem in &lit.problems {
        out.findings.push(Finding {
            diagnostic: problem.0.clone(),
            line: problem.1,
        });
    }
    if lit.utf8_len_modified > crate::groovy::LITERAL_LIMIT
        && let Some(diagnostic) = ctx.selection.apply(Diagnostic::rule(
            Code::Dind023,
            "",
            format!(
                "the yaml literal takes {} bytes in the class file; Groovy compiles at most {}",
                lit.utf8_len_modified,
                crate::groovy::LITERAL_LIMIT
            ),
        ))
    {
        out.findings.push(Finding {
            diagnostic,
            line: lit.line,
        });
    }
}

/// A Jenkinsfile read: its `yaml` literals, its container templates, and for each template the
/// literal it combines with.
struct JenkinsParts {
    literals: Vec<GroovyLiteral>,
    templates: Vec<pod_templates::TemplatePod>,
    /// Per template with containers (in order), the index of its literal.
    combined: Vec<Option<usize>>,
}

fn jenkins_parts(text: &str) -> Result<JenkinsParts, String> {
    let toks = groovy_calls::tokens(text)?;
    let (literals, constants) = jenkinsfile::scan_tokens(&toks)?;
    let templates = pod_templates::pod_templates(&toks, text.len(), &constants);
    let combined = templates
        .iter()
        .filter(|t| !t.containers.is_empty())
        .map(|t| {
            t.yaml_offset
                .and_then(|o| literals.iter().position(|l| l.offset == o))
                .or_else(|| {
                    literals
                        .iter()
                        .position(|l| l.offset >= t.span.0 && l.offset < t.span.1)
                })
        })
        .collect();
    Ok(JenkinsParts {
        literals,
        templates,
        combined,
    })
}

/// The `yaml` literals of a Jenkinsfile that hold a pod on their own (not combined with
/// container templates), for `--fix`.
pub(crate) fn standalone_literals(text: &str) -> Result<Vec<GroovyLiteral>, String> {
    let parts = jenkins_parts(text)?;
    Ok(parts
        .literals
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !parts.combined.contains(&Some(*i)))
        .map(|(_, l)| l)
        .collect())
}

fn jenkins_report(text: &str, ctx: &Context) -> Result<FileReport, String> {
    let JenkinsParts {
        literals,
        templates,
        combined,
    } = jenkins_parts(text)?;
    let ctx = ctx.with_runner(Runner::Jenkins).with_steps(Steps::of(text));
    let mut out = Outcome::default();
    let mut used = vec![false; literals.len()];
    for (t, lit) in templates.iter().filter(|t| !t.containers.is_empty()).zip(combined) {
        if let Some(i) = lit {
            used[i] = true;
            literal_findings(&literals[i], &ctx, &mut out);
        }
        out.extend(pods::lint_template(t, lit.map(|i| &literals[i]), &ctx)?);
    }
    for (lit, _) in literals.iter().zip(&used).filter(|(_, u)| !**u) {
        literal_findings(lit, &ctx, &mut out);
        let map = lit.line_starts.clone();
        let first = lit.line;
        out.extend(pods::lint_pods(&lit.value, &ctx, 0, &move |l| {
            map.get(l.saturating_sub(1)).copied().unwrap_or(first)
        })?);
    }
    if out.pods.is_empty() && out.findings.is_empty() {
        out.skipped.push(Skipped {
            line: 1,
            reason: "no pod: no `yaml` literal, `containerTemplate` or `kubernetes` agent".into(),
        });
    }
    Ok(out.into())
}

/// Lints the pod templates of a JCasC file (`jenkins.clouds[].kubernetes.templates[].yaml`,
/// `^${` read as `${`).
pub fn lint_jcasc(text: &str, ctx: &Context) -> Result<Vec<Finding>, String> {
    jcasc_report(text, ctx).map(|r| r.findings)
}

/// Where the lines of a JCasC template's `yaml` value are in the file. A block scalar (`|` or
/// `>`, with any indicators) holds the value from the line after its key, line for line; the
/// lines of a quoted or plain scalar cannot be told apart, so all are reported at the key's line.
pub(super) struct TemplateLines {
    key_line: usize,
    block: bool,
}

impl TemplateLines {
    /// The lines of the value whose key is on line `key_line` (1-based) of `text`.
    pub(super) fn new(text: &str, key_line: usize) -> Self {
        let block = text.lines().nth(key_line.saturating_sub(1)).is_some_and(|l| {
            let header = l
                .split_once(':')
                .map_or("", |(_, h)| h.split(" #").next().unwrap_or("").trim());
            let mut chars = header.chars();
            matches!(chars.next(), Some('|' | '>')) && chars.all(|c| matches!(c, '1'..='9' | '+' | '-'))
        });
        TemplateLines { key_line, block }
    }

    /// The file's line of the value's line `l` (1-based).
    pub(super) fn line(&self, l: usize) -> usize {
        if self.block { self.key_line + l } else { self.key_line }
    }
}

fn jcasc_report(text: &str, ctx: &Context) -> Result<FileReport, String> {
    let ctx = ctx.with_runner(Runner::Jenkins);
    let docs = read_documents(text, Limits::default())?;
    let mut out = Outcome::default();
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
                let lines = TemplateLines::new(text, doc.line_of(&path));
                let unescaped = yaml.replace("^${", "${");
                out.extend(pods::lint_pods(&unescaped, &ctx, 0, &|l| lines.line(l))?);
            }
        }
    }
    if !found {
        out.skipped.push(Skipped {
            line: 1,
            reason: "JCasC without `jenkins.clouds[].kubernetes.templates[].yaml`".into(),
        });
    }
    Ok(out.into())
}

/// Lints one file of any kind; the kind comes from [`InputKind::detect`]. Errors are unreadable
/// input (exit 2: not YAML, a string that never ends, over a limit); a readable file that holds
/// no pod is [`FileReport::skipped`].
///
/// ```
/// use dind_core::lint::lint_file;
/// use dind_core::rules::Context;
/// let text = "kind: ConfigMap\n---\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: dind\n        image: docker:29.7.2-dind\n";
/// let r = lint_file("k8s/app.yaml", text, &Context::default()).unwrap();
/// assert_eq!(r.pods.len(), 1);
/// assert_eq!(r.skipped.len(), 1);
/// let d = r.findings.iter().find(|f| f.diagnostic.code.map(|c| c.as_str()) == Some("DIND007")).unwrap();
/// assert_eq!(d.diagnostic.path, "spec.template.spec.containers[0].securityContext.privileged");
/// assert_eq!(d.line, 8);
/// ```
pub fn lint_file(name: &str, text: &str, ctx: &Context) -> Result<FileReport, String> {
    match InputKind::detect(name, text) {
        InputKind::Pod => pods::lint_pods(text, ctx, 0, &|l| l).map(FileReport::from),
        InputKind::Jenkinsfile => jenkins_report(text, ctx),
        InputKind::Jcasc => jcasc_report(text, ctx),
    }
}

/// Lints one file of any kind (see [`lint_file`]); the findings only.
pub fn lint_source(name: &str, text: &str, ctx: &Context) -> Result<Vec<Finding>, String> {
    lint_file(name, text, ctx).map(|r| r.findings)
}

/// A [`Skipped`] entry, for tools that skip a file before linting it (a template, a file that
/// does not parse).
pub fn skipped(line: usize, reason: impl Into<String>) -> Skipped {
    Skipped {
        line,
        reason: reason.into(),
    }
}
