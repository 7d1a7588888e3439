//! Jenkinsfiles and Groovy files: the pods their `podTemplate`/`kubernetes` templates build (container
//! templates with their `yaml`), the pod YAML of `yaml` values written as literals, constants,
//! `.stripIndent()`, joins or another file (`yamlFile`, `libraryResource`, `readTrusted`,
//! `readFile`), and the string constants of a shared library that hold a pod and that no call in
//! the file uses.

use super::groovy_calls::{GValue, Tok};
use super::jenkinsfile::{self, FileRef, GroovyLiteral, GroovyText, Scan, YamlValue};
use super::pods::{self, Fragment, MergeStrategy, Outcome};
use super::unknown::Templating;
use super::{Finding, Skipped, groovy_calls, pod_templates};
use crate::rules::{Context, Runner, Steps};
use crate::yaml::{Limits, read_documents};
use crate::{Code, Diagnostic};

/// What a Groovy file's `yaml` comes from when it names another file: its text, or why dind
/// cannot read it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup {
    /// The file's text.
    Found(String),
    /// The repository has no such file (where dind looked).
    Missing(String),
    /// dind cannot tell (no repository root, a library kept elsewhere, a file a build may write).
    Unknown,
}

/// Where the files a Groovy file names are: the repository around it.
pub trait Repository {
    /// The file `r` names, for the Groovy file `from` (as it was named to the linter).
    fn lookup(&self, from: &str, r: &FileRef) -> Lookup;
}

/// No repository: every named file is [`Lookup::Unknown`].
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRepository;

impl Repository for NoRepository {
    fn lookup(&self, _: &str, _: &FileRef) -> Lookup {
        Lookup::Unknown
    }
}

/// A Groovy file read: what its tokens say, its templates, and for each template with containers
/// the `yaml` use it combines with.
pub(super) struct JenkinsParts {
    /// The file's tokens.
    pub toks: Vec<groovy_calls::Token>,
    pub scan: Scan,
    pub templates: Vec<pod_templates::TemplatePod>,
    /// Per template with containers (in order), the index of its `yaml` use.
    pub combined: Vec<Option<usize>>,
}

impl JenkinsParts {
    /// The templates with containers, each with the index of its `yaml` use.
    pub fn with_containers(&self) -> impl Iterator<Item = (&pod_templates::TemplatePod, Option<usize>)> {
        self.templates
            .iter()
            .filter(|t| !t.containers.is_empty())
            .zip(self.combined.iter().copied())
    }

    /// The uses that no template combines with.
    pub fn standalone(&self) -> impl Iterator<Item = (usize, &jenkinsfile::YamlUse)> {
        self.scan
            .uses
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.combined.contains(&Some(*i)))
    }

    /// The texts that hold pod YAML and that no use names: constants (labelled by name) and
    /// values a method returns (a shared library's `def call() { return \"\"\"...\"\"\" }`).
    pub fn pod_constants(&self) -> Vec<(String, &GroovyText)> {
        self.scan
            .constants
            .iter()
            .filter(|(name, _)| !self.scan.uses.iter().any(|u| u.constant.as_deref() == Some(name)))
            .map(|(name, t)| (format!("constant `{name}`"), t))
            .chain(
                self.scan
                    .returned
                    .iter()
                    .map(|t| (format!("the value returned at line {}", t.line), t)),
            )
            .filter(|(_, t)| holds_pod(&t.value))
            .collect()
    }

    /// The literals that hold a pod on their own (not combined with container templates), for
    /// `--fix`: standalone uses and pod constants that are one literal as written, or one literal
    /// stripped once (`.stripIndent()`, `.stripMargin()`), with the strip.
    pub fn standalone_literals(&self) -> Vec<(GroovyLiteral, Option<crate::groovy::Strip>)> {
        let mut out: Vec<(usize, Option<crate::groovy::Strip>)> = Vec::new();
        let mut add = |v: &YamlValue| {
            if let YamlValue::Text(t) = v
                && let Some(i) = t.literal
                && !out.contains(&(i, t.strip))
            {
                out.push((i, t.strip));
            }
        };
        for (_, u) in self.standalone() {
            add(&u.value);
        }
        for (_, t) in self.pod_constants() {
            add(&YamlValue::Text(t.clone()));
        }
        // A literal a template uses is not standalone, even when a constant also names it.
        let combined: Vec<usize> = self
            .combined
            .iter()
            .flatten()
            .filter_map(|&u| match &self.scan.uses[u].value {
                YamlValue::Text(t) => t.literal,
                _ => None,
            })
            .collect();
        out.into_iter()
            .filter(|(i, _)| !combined.contains(i))
            .filter_map(|(i, strip)| Some((self.scan.literals.get(i)?.clone(), strip)))
            .collect()
    }
}

/// Whether a text is pod YAML: it reads as YAML and a document holds a pod.
fn holds_pod(text: &str) -> bool {
    (text.contains("containers:") || text.contains("\"containers\""))
        && read_documents(text, Limits::default()).is_ok_and(|docs| {
            docs.iter()
                .any(|d| matches!(super::sites::locate(&d.value), super::sites::Found::Pods(_)))
        })
}

pub(super) fn jenkins_parts(text: &str) -> Result<JenkinsParts, String> {
    let toks = groovy_calls::tokens(text)?;
    let scan = jenkinsfile::scan_tokens(&toks)?;
    let templates = pod_templates::pod_templates(&toks, text.len(), &scan.vars);
    let combined = templates
        .iter()
        .filter(|t| !t.containers.is_empty())
        .map(|t| {
            t.yaml_offset
                .and_then(|o| scan.uses.iter().position(|u| u.offset == o))
                .or_else(|| {
                    scan.uses
                        .iter()
                        .position(|u| u.offset >= t.span.0 && u.offset < t.span.1)
                })
        })
        .collect();
    Ok(JenkinsParts {
        toks,
        scan,
        templates,
        combined,
    })
}

impl JenkinsParts {
    /// The `yaml` fragment of a template whose use is `use_index`, when it is text, and the
    /// templating of its values.
    pub fn text_fragment(&self, use_index: Option<usize>) -> (Vec<Fragment>, Templating) {
        match use_index.map(|i| &self.scan.uses[i].value) {
            Some(YamlValue::Text(t)) => (vec![fragment(t)], templating(t)),
            _ => (Vec::new(), Templating::YAML),
        }
    }
}

/// The files a Groovy file reads its pod YAML from (`yamlFile`, `libraryResource`,
/// `readTrusted`, `readFile`), as written; [`FileRef::combined`] says whether a template also
/// gives containers (then the file is only part of the pod).
///
/// ```
/// let refs = dind_core::lint::file_refs("pipeline { agent { kubernetes { yamlFile 'ci/pod.yaml' } } }").unwrap();
/// assert_eq!(refs[0].path, "ci/pod.yaml");
/// assert!(!refs[0].combined);
/// ```
pub fn file_refs(text: &str) -> Result<Vec<FileRef>, String> {
    let parts = jenkins_parts(text)?;
    Ok(parts
        .scan
        .uses
        .iter()
        .enumerate()
        .filter_map(|(i, u)| match &u.value {
            YamlValue::File(f) => Some(FileRef {
                combined: parts.combined.contains(&Some(i)),
                ..f.clone()
            }),
            _ => None,
        })
        .collect())
}

/// What templating a text's values hold: every `${...}` left in a `"` literal is an
/// interpolation Groovy could not resolve for dind.
fn templating(t: &GroovyText) -> Templating {
    if t.double {
        Templating::SUBSTITUTED
    } else {
        Templating::YAML
    }
}

/// A text as a fragment of the Groovy file.
fn fragment(t: &GroovyText) -> Fragment {
    Fragment {
        value: t.value.clone(),
        lines: t.lines.clone(),
        line: t.line,
    }
}

/// Jenkins names an upper-case `${NAME}` from the build's environment, and these globals.
const GLOBALS: &[&str] = &["env", "params", "currentBuild", "scm", "docker", "POD_LABEL"];

/// DIND036 for each `${name}` of a text that the file does not define.
fn undefined(t: &GroovyText, scan: &Scan, ctx: &Context, out: &mut Outcome) {
    for u in &t.unresolved {
        let name = u.name.trim();
        let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let env_like = name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !plain || env_like || scan.declared.contains(name) || GLOBALS.contains(&name) {
            continue;
        }
        if let Some(diagnostic) = ctx.selection.apply(Diagnostic::rule(
            Code::Dind036,
            "",
            format!(
                "`${{{name}}}` names nothing this file defines: Groovy fails with MissingPropertyException \
                 (or it comes from somewhere dind cannot see), and the value it stands for is not checked"
            ),
        )) {
            out.findings.push(Finding {
                diagnostic,
                line: u.line,
            });
        }
    }
}

/// DIND023 for a literal Groovy cannot compile.
fn literal_size(lit: &GroovyLiteral, ctx: &Context, out: &mut Outcome) {
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

/// DIND035 for a named file the repository does not have.
fn missing(r: &FileRef, looked: &str, ctx: &Context, out: &mut Outcome) {
    if let Some(diagnostic) = ctx.selection.apply(Diagnostic::rule(
        Code::Dind035,
        "",
        format!(
            "`{} '{}'`: the repository has no such file ({looked}); Jenkins fails the build when it reads it",
            r.kind.step(),
            r.path
        ),
    )) {
        out.findings.push(Finding {
            diagnostic,
            line: r.line,
        });
    }
}

/// Looks a named file up; DIND035 when it is missing. Its text when found.
fn lookup(name: &str, r: &FileRef, repo: &dyn Repository, ctx: &Context, out: &mut Outcome) -> Option<String> {
    match repo.lookup(name, r) {
        Lookup::Found(text) => Some(text),
        Lookup::Missing(looked) => {
            missing(r, &looked, ctx, out);
            None
        }
        Lookup::Unknown => None,
    }
}

/// The findings of a Groovy file's pods ([`super::lint_file`]); `name` is how the file was named,
/// for `repo` to find the files it reads.
pub(super) fn report(name: &str, text: &str, ctx: &Context, repo: &dyn Repository) -> Result<Outcome, String> {
    let parts = jenkins_parts(text)?;
    let ctx = ctx.with_runner(Runner::Jenkins).with_steps(Steps::of(text));
    let mut out = Outcome::default();
    let scan = &parts.scan;
    // The size limit, for the literals pod YAML is made of.
    let pod_texts: Vec<&GroovyText> = scan
        .uses
        .iter()
        .filter_map(|u| match &u.value {
            YamlValue::Text(t) => Some(t),
            _ => None,
        })
        .chain(parts.pod_constants().into_iter().map(|(_, t)| t))
        .collect();
    for (i, lit) in scan.literals.iter().enumerate() {
        if pod_texts.iter().any(|t| t.parts.contains(&i)) {
            literal_size(lit, &ctx, &mut out);
        }
    }
    for (t, use_index) in parts.with_containers() {
        let mut tctx = ctx;
        let mut fragments = Vec::new();
        if let Some(u) = use_index.map(|i| &scan.uses[i]) {
            match &u.value {
                YamlValue::Text(text) => {
                    undefined(text, scan, &ctx, &mut out);
                    tctx = tctx.with_templating(templating(text));
                    fragments.push(fragment(text));
                }
                YamlValue::File(r) => {
                    if let Some(other) = lookup(name, r, repo, &ctx, &mut out) {
                        // The file's findings are its own; here they stand at the step's line.
                        let lines = other.lines().count().max(1);
                        fragments.push(Fragment {
                            value: other,
                            lines: vec![r.line; lines],
                            line: r.line,
                        });
                    }
                }
                YamlValue::Unknown(_) => {}
            }
        }
        out.extend(pods::lint_template(
            t,
            &fragments,
            MergeStrategy::Override,
            "podTemplate",
            &tctx,
        )?);
    }
    for (_, u) in parts.standalone() {
        match &u.value {
            YamlValue::Text(t) => {
                undefined(t, scan, &ctx, &mut out);
                let f = fragment(t);
                let ctx = ctx.with_templating(templating(t));
                out.extend(pods::lint_pods(&t.value, &ctx, 0, &|l| f.line(l))?);
            }
            YamlValue::File(r) => {
                // The file is linted as the agent's pod under its own name; here only whether it exists.
                let reason = match repo.lookup(name, r) {
                    Lookup::Found(_) => "linted under its own name",
                    Lookup::Missing(looked) => {
                        missing(r, &looked, &ctx, &mut out);
                        "missing"
                    }
                    Lookup::Unknown => {
                        "which dind cannot see (a library kept elsewhere, the repository of the job, a file the build writes)"
                    }
                };
                out.skipped.push(Skipped {
                    line: r.line,
                    reason: format!("the agent's pod is `{} '{}'`, {reason}", r.kind.step(), r.path),
                });
            }
            YamlValue::Unknown(_) => {}
        }
    }
    for (what, t) in parts.pod_constants() {
        undefined(t, scan, &ctx, &mut out);
        let f = fragment(t);
        let ctx = ctx.with_templating(templating(t));
        let mut found = pods::lint_pods(&t.value, &ctx, 0, &|l| f.line(l))?;
        for p in &mut found.pods {
            p.label = format!("{what}: {}", p.label);
        }
        out.extend(found);
    }
    let own_pod = parts.with_containers().next().is_some()
        || parts.standalone().any(|(_, u)| matches!(u.value, YamlValue::Text(_)));
    if own_pod {
        containers_missing(&parts, &ctx, &mut out);
    }
    if out.pods.is_empty() && out.findings.is_empty() && out.skipped.is_empty() {
        out.skipped.push(Skipped {
            line: 1,
            reason: "no pod: no `yaml` value, `containerTemplate`, `kubernetes` agent or pod constant".into(),
        });
    }
    Ok(out)
}

/// Whether every `node` and declarative `agent` of the file runs on a pod the file builds: `node`
/// with `POD_LABEL` or a label of one of its `podTemplate`s, agents that are `kubernetes` (or
/// `none`). Otherwise a step may run in a pod dind does not see.
fn steps_run_on_own_pods(parts: &JenkinsParts) -> bool {
    let toks = &parts.toks;
    let vars = &parts.scan.vars;
    let labels: Vec<GValue> = groovy_calls::calls_in(toks, &["podTemplate"], vars)
        .iter()
        .filter_map(|t| t.get("label"))
        .map(|n| n.value.clone())
        .collect();
    let pod_label = GValue::Unknown("the variable `POD_LABEL`".into());
    let nodes = groovy_calls::calls_in(toks, &["node"], vars)
        .into_iter()
        .all(|n| match &n.value {
            GValue::Call { positional, .. } => positional
                .first()
                .is_some_and(|l| l.value == pod_label || labels.contains(&l.value)),
            _ => false,
        });
    let agent_any = toks
        .windows(2)
        .any(|w| matches!((&w[0].tok, &w[1].tok), (Tok::Ident(a), Tok::Ident(b)) if a == "agent" && b == "any"));
    let agents = groovy_calls::calls_in(toks, &["agent"], vars)
        .into_iter()
        .all(|a| match &a.value {
            // A block's `name value` statements are named, its calls positional.
            GValue::Call { named, positional, .. } => {
                named.iter().all(|(k, _)| k == "kubernetes")
                    && positional.iter().all(|p| p.call_name() == Some("kubernetes"))
            }
            _ => false,
        });
    nodes && agents && !agent_any
}

/// DIND042 (`docs/FACTS.md`, "Jenkins: the Kubernetes plugin"): `container('NAME')` steps and
/// `defaultContainer` that name a container no pod of the file has. Only when the file's pods
/// are whole in the file (no `inheritFrom`, no pod YAML from another file or an unknown value,
/// every container name known) and its steps run on them.
fn containers_missing(parts: &JenkinsParts, ctx: &Context, out: &mut Outcome) {
    let inherits = parts
        .toks
        .iter()
        .any(|t| matches!(&t.tok, Tok::Ident(id) if id == "inheritFrom"));
    let elsewhere = parts.scan.uses.iter().any(|u| !matches!(u.value, YamlValue::Text(_)));
    if inherits || elsewhere || out.unnamed || out.container_names.is_empty() || !steps_run_on_own_pods(parts) {
        return;
    }
    // The plugin adds the agent container `jnlp` to every pod that lacks one.
    let mut names: Vec<&str> = vec![crate::conventions::JENKINS_AGENT_CONTAINER];
    for n in &out.container_names {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    let listed = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let vars = &parts.scan.vars;
    let mut named: Vec<(String, String, usize)> = Vec::new();
    for c in groovy_calls::calls_in(&parts.toks, &["container"], vars) {
        let GValue::Call { positional, .. } = &c.value else {
            continue;
        };
        if let Some(GValue::Str(name)) = positional.first().or_else(|| c.get("name")).map(|n| &n.value) {
            named.push((format!("`container('{name}')`"), name.clone(), c.line));
        }
    }
    for k in groovy_calls::calls_in(&parts.toks, &["kubernetes"], vars) {
        if let Some(n) = k.get("defaultContainer")
            && let GValue::Str(name) = &n.value
        {
            named.push((format!("`defaultContainer '{name}'`"), name.clone(), n.line));
        }
    }
    let mut found = Vec::new();
    for (written, name, line) in named {
        if names.contains(&name.as_str()) {
            continue;
        }
        if let Some(diagnostic) = ctx.selection.apply(Diagnostic::rule(
            Code::Dind042,
            "",
            format!(
                "{written} names no container of the agent pod this file builds (it has {listed}): the plugin execs into it, and the step fails with \"container {name} not found in pod\""
            ),
        )) {
            found.push(Finding { diagnostic, line });
        }
    }
    out.findings.extend(found);
}
