//! Linting pods people already have, wherever they keep them: Pods and the pod templates of
//! workloads, Argo workflows, Tekton tasks and actions-runner-controller runner sets (one or many
//! documents, fragments welcome), Jenkinsfiles and Groovy files (`yaml` literals,
//! `podTemplate(containers: [containerTemplate(...)])` and declarative `kubernetes { ... }`) and
//! JCasC files. The same rules as [`crate::DindPod::build`]; every finding carries the field path
//! and the line in the original file. A document that holds no pod is skipped, never an error.

mod agent;
mod casc;
mod fields;
mod fix;
mod groovy_calls;
mod jenkins;
mod jenkinsfile;
mod lenient;
mod pod_templates;
mod pods;
mod sites;
mod suppressions;
mod unknown;

pub use fix::{Applied, FileFix, Refused, WORK_BUDGET, fix_file, fix_jcasc, fix_jenkinsfile, fix_yaml};
pub use jenkins::{Lookup, NoRepository, Repository, file_refs};
pub use jenkinsfile::{FileRef, GroovyLiteral, RefKind, jenkinsfile_literals};
pub use pods::pod_from_value;
pub use suppressions::suppress;
pub use unknown::Templating;

use pods::Outcome;

use crate::Diagnostic;
use crate::rules::{Context, Runner, Steps};
use crate::yaml::{Limits, read_documents};

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
    /// Whether the pod runs or uses Docker (a daemon, a client, a Docker socket). A pod that does
    /// not is out of dind's scope: it gets no findings, and the summary counts it apart.
    pub dind: bool,
    /// What the pod wires, when linting was asked for it
    /// ([`crate::rules::Context::with_explain`]); `None` otherwise, and for a pod without Docker.
    pub wiring: Option<crate::explain::PodWiring>,
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
    /// The values dind could not know (templating), which the rules did not judge.
    pub unknown: Vec<UnknownValue>,
}

impl From<Outcome> for FileReport {
    fn from(o: Outcome) -> Self {
        // Two pods made from the same text (the chart's agents share the agent's values) report
        // a finding at its line once.
        let mut seen = std::collections::HashSet::new();
        let findings: Vec<Finding> = o
            .findings
            .into_iter()
            .filter(|f| {
                seen.insert((
                    f.line,
                    f.diagnostic.code,
                    f.diagnostic.path.clone(),
                    f.diagnostic.message.clone(),
                ))
            })
            .collect();
        FileReport {
            findings,
            pods: o.pods,
            skipped: o.skipped,
            unknown: o.unknown,
        }
    }
}

/// A value dind could not know, because something fills it in before the pod exists (a
/// template, a substituted variable, a placeholder): the rules say nothing about it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownValue {
    /// Its field path (as findings give it).
    pub path: String,
    /// Its line.
    pub line: usize,
    /// What was written.
    pub written: String,
    /// What kind of templating it is.
    pub why: &'static str,
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
    jenkins_report("Jenkinsfile", text, ctx, &NoRepository).map(|r| r.findings)
}

/// The `yaml` literals of a Jenkinsfile that hold a pod on their own (not combined with
/// container templates), for `--fix`.
pub(crate) fn standalone_literals(text: &str) -> Result<Vec<(GroovyLiteral, Option<crate::groovy::Strip>)>, String> {
    jenkins::jenkins_parts(text).map(|p| p.standalone_literals())
}

/// The pod YAML a Groovy file gives the Kubernetes plugin on its own, as Groovy evaluates it
/// (constants resolved, `.stripIndent()`/`.stripMargin()` applied, known strings joined): each
/// `yaml` use that no `containerTemplate` combines with, in order, then the pod constants no
/// use names. Values dind cannot know are left out.
///
/// ```
/// let groovy = "def POD = \"\"\"\n    spec:\n      containers: []\n    \"\"\".stripIndent()\npodTemplate(yaml: POD) {}\n";
/// assert_eq!(dind_core::lint::jenkins_pod_yaml(groovy).unwrap(), vec!["\nspec:\n  containers: []\n".to_string()]);
/// ```
pub fn jenkins_pod_yaml(text: &str) -> Result<Vec<String>, String> {
    let parts = jenkins::jenkins_parts(text)?;
    let mut out: Vec<String> = parts
        .standalone()
        .filter_map(|(_, u)| match &u.value {
            jenkinsfile::YamlValue::Text(t) => Some(t.value.clone()),
            _ => None,
        })
        .collect();
    out.extend(parts.pod_constants().into_iter().map(|(_, t)| t.value.clone()));
    Ok(out)
}

fn jenkins_report(name: &str, text: &str, ctx: &Context, repo: &dyn Repository) -> Result<FileReport, String> {
    jenkins::report(name, text, ctx, repo).map(FileReport::from)
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

/// Whether a document is JCasC: a `jenkins:` mapping that is not an umbrella chart's values.
pub(super) fn is_jcasc(doc: &serde_json::Value) -> bool {
    doc.get("jenkins")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|j| {
            j.contains_key("clouds")
                || !sites::jenkins_chart::values_in(doc)
                    .iter()
                    .any(|h| matches!(h, sites::jenkins_chart::Held::At(at, _) if at == "jenkins"))
        })
}

/// Lints the documents of a YAML file: JCasC templates, the Jenkins Helm chart's values, and
/// every pod-carrying document.
fn yaml_report(text: &str, ctx: &Context) -> Result<FileReport, String> {
    let docs = read_documents(text, Limits::default())?;
    let mut out = Outcome::default();
    for doc in &docs {
        if is_jcasc(&doc.value) {
            if casc::lint_document(doc, text, &|l| l, "", false, ctx, &mut out)? == 0 {
                out.skipped.push(Skipped {
                    line: doc.line,
                    reason: "JCasC without `jenkins.clouds[].kubernetes.templates`".into(),
                });
            }
        } else if let Some(n) = sites::jenkins_chart::lint_document(doc, text, &|l| l, ctx, &mut out)? {
            if n == 0 {
                out.skipped.push(Skipped {
                    line: doc.line,
                    reason: "Jenkins chart values that make no agent pod template".into(),
                });
            }
        } else {
            pods::lint_document(doc, ctx, 0, &|l| l, &mut out);
        }
    }
    Ok(out.into())
}

fn jcasc_report(text: &str, ctx: &Context) -> Result<FileReport, String> {
    yaml_report(text, ctx)
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
    lint_file_in(name, text, ctx, &NoRepository)
}

/// [`lint_file`], with the repository around the file: a Groovy file's `yamlFile`,
/// `libraryResource`, `readTrusted` and `readFile` are looked up in it (DIND035 when one is
/// missing; the pod file itself is linted as the agent's pod with [`lint_agent_pod`]).
pub fn lint_file_in(name: &str, text: &str, ctx: &Context, repo: &dyn Repository) -> Result<FileReport, String> {
    match InputKind::detect(name, text) {
        InputKind::Pod => yaml_report(text, ctx),
        InputKind::Jenkinsfile => jenkins_report(name, text, ctx, repo),
        InputKind::Jcasc => jcasc_report(text, ctx),
    }
}

/// A Groovy file that reads a pod file as its agent's pod, and the line where it does.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgentUse {
    /// The Groovy file, as named to the linter.
    pub file: String,
    /// The line of its `yamlFile`, `libraryResource`, `readTrusted` or `readFile`.
    pub line: usize,
    /// What its steps do with the pod (run `docker`, wait for the daemon).
    pub steps: Steps,
}

impl AgentUse {
    /// A use at `line` of `file`, whose text is `groovy` (its steps are read from it).
    pub fn new(file: impl Into<String>, line: usize, groovy: &str) -> Self {
        AgentUse {
            file: file.into(),
            line,
            steps: Steps::of(groovy),
        }
    }
}

/// Lints a YAML file that Groovy files read as their Jenkins agent's pod (`yamlFile`,
/// `libraryResource`, `readTrusted`): with the plugin's agent defaults (`jnlp`, the workspace
/// volume), the Jenkins runner's semantics and what the users' steps do; its pods' labels name the
/// users.
///
/// ```
/// use dind_core::lint::{AgentUse, lint_agent_pod};
/// use dind_core::rules::Context;
/// let pod = "spec:\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    securityContext: {privileged: true}\n";
/// let users = [AgentUse::new("Jenkinsfile", 3, "sh 'docker build .'")];
/// let r = lint_agent_pod(pod, &Context::default(), &users).unwrap();
/// assert!(r.pods[0].label.contains("agent of Jenkinsfile:3"));
/// // Nothing waits for the daemon that the build's `docker` uses.
/// assert!(r.findings.iter().any(|f| f.diagnostic.code.unwrap().as_str() == "DIND010"));
/// ```
pub fn lint_agent_pod(text: &str, ctx: &Context, users: &[AgentUse]) -> Result<FileReport, String> {
    let ctx = agent_context(ctx, users);
    let mut out = pods::lint_pods(text, &ctx, 0, &|l| l)?;
    let names: Vec<String> = users.iter().map(|u| format!("{}:{}", u.file, u.line)).collect();
    for p in &mut out.pods {
        p.label = format!("{} (agent of {})", p.label, names.join(", "));
    }
    Ok(out.into())
}

/// The context a pod file is read in when `users` read it as their agent's pod: the Jenkins
/// runner, and what any of their steps do (for [`lint_agent_pod`] and for fixing such a file).
///
/// ```
/// use dind_core::lint::{AgentUse, agent_context};
/// use dind_core::rules::{Context, Runner};
/// let ctx = agent_context(&Context::default(), &[AgentUse::new("Jenkinsfile", 1, "sh 'docker ps'")]);
/// assert_eq!(ctx.runner, Runner::Jenkins);
/// assert!(ctx.steps.unwrap().use_docker);
/// ```
pub fn agent_context(ctx: &Context, users: &[AgentUse]) -> Context {
    let steps = users.iter().fold(Steps::default(), |a, u| Steps {
        use_docker: a.use_docker || u.steps.use_docker,
        wait: a.wait || u.steps.wait,
    });
    ctx.with_runner(Runner::Jenkins).with_steps(steps)
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
