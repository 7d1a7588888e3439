//! YAML documents → the pods they hold ([`super::sites`]) → `k8s_openapi` Pods read as Jenkins
//! reads them ([`super::lenient`]) → findings, with the document's own field paths and lines.

use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

use super::jenkinsfile::GroovyLiteral;
use super::lenient::{self, Coercion};
use super::pod_templates::{TemplatePod, build_pod};
use super::sites::{self, Found, Site};
use super::unknown::{self, Unknown};
use super::{Finding, PodFound, Skipped};
use crate::rules::{Context, Runner, check_if_docker};
use crate::yaml::{Limits, read_documents};
use crate::{Code, Diagnostic};

/// Reads a pod from a YAML/JSON value as the Jenkins plugin does: a whole `Pod`, a pod without
/// `kind`/`metadata`, or a bare pod spec (`containers:` at the top); scalars of the wrong type
/// are converted as Jackson converts them. Returns the pod and whether it was a bare spec.
///
/// ```
/// let v = serde_json::json!({"containers": [{"name": "a", "args": [99]}]});
/// let (pod, bare) = dind_core::lint::pod_from_value(&v).unwrap();
/// assert!(bare);
/// assert_eq!(pod.spec.unwrap().containers[0].args.as_deref(), Some(&["99".to_string()][..]));
/// ```
pub fn pod_from_value(value: &Value) -> Result<(Pod, bool), String> {
    let Value::Object(map) = value else {
        return Err("expected a Pod (a mapping with `spec.containers`)".to_string());
    };
    if let Some(kind) = map.get("kind").and_then(Value::as_str)
        && kind != "Pod"
    {
        return Err(format!("`kind: {kind}` is not a Pod"));
    }
    let bare = !map.contains_key("spec") && map.contains_key("containers");
    let pod = if bare {
        sites::pod_of(None, value.clone())
    } else {
        value.clone()
    };
    if pod.pointer("/spec/containers").is_none() {
        return Err("no `spec.containers`: not a pod".to_string());
    }
    read_pod(&pod, &[]).map(|(p, _)| (p, bare))
}

/// A pod-shaped value as a Pod, with the conversions made on the way; the strings at the paths
/// `unknown` are templated values ([`super::unknown`]).
fn read_pod(value: &Value, unknown: &[String]) -> Result<(Pod, Vec<Coercion>), String> {
    let invalid = |e: String| format!("not a valid Pod: {e}");
    let (metadata, mut coerced) = match value.get("metadata") {
        Some(m) if !m.is_null() => lenient::from_value_at(m, "metadata", unknown).map_err(invalid)?,
        _ => (Default::default(), Vec::new()),
    };
    let spec = match value.get("spec") {
        Some(s) if !s.is_null() => {
            let (spec, more) = lenient::from_value_at(s, "spec", unknown).map_err(invalid)?;
            coerced.extend(more);
            Some(spec)
        }
        _ => None,
    };
    Ok((
        Pod {
            metadata,
            spec,
            status: None,
        },
        coerced,
    ))
}

/// What one text of YAML documents holds.
#[derive(Default)]
pub(super) struct Outcome {
    pub findings: Vec<Finding>,
    pub pods: Vec<PodFound>,
    pub skipped: Vec<Skipped>,
    pub unknown: Vec<super::UnknownValue>,
    /// The names of the containers the pods run (long-running ones: native sidecars, not init
    /// containers), for the Jenkins steps that name one.
    pub container_names: Vec<String>,
    /// Whether a pod has a container whose name dind cannot tell.
    pub unnamed: bool,
}

impl Outcome {
    pub fn extend(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.pods.extend(other.pods);
        self.skipped.extend(other.skipped);
        self.unknown.extend(other.unknown);
        self.container_names.extend(other.container_names);
        self.unnamed |= other.unnamed;
    }

    /// Records the names of the containers of `pod` (a Pod-shaped value).
    fn name_containers(&mut self, pod: &serde_json::Value) {
        for key in ["containers", "initContainers"] {
            let Some(list) = pod
                .get("spec")
                .and_then(|s| s.get(key))
                .and_then(serde_json::Value::as_array)
            else {
                continue;
            };
            for c in list {
                let sidecar = c.get("restartPolicy").and_then(serde_json::Value::as_str) == Some("Always");
                if key == "initContainers" && !sidecar {
                    continue;
                }
                match c.get("name").and_then(serde_json::Value::as_str) {
                    Some(n) if !n.is_empty() && !n.contains("${") && !n.contains("{{") => {
                        self.container_names.push(n.to_string());
                    }
                    _ => self.unnamed = true,
                }
            }
        }
    }
}

/// Lints every document of `text`. `offset` lines are added to every line (for YAML embedded in
/// another file) and `map_line` maps a line of `text` to the original file's.
pub(super) fn lint_pods(
    text: &str,
    ctx: &Context,
    offset: usize,
    map_line: &dyn Fn(usize) -> usize,
) -> Result<Outcome, String> {
    let docs = read_documents(text, Limits::default())?;
    let mut out = Outcome::default();
    for doc in &docs {
        lint_document(doc, ctx, offset, map_line, &mut out);
    }
    Ok(out)
}

/// Lints one document's pods (see [`lint_pods`]).
pub(super) fn lint_document(
    doc: &crate::yaml::Document,
    ctx: &Context,
    offset: usize,
    map_line: &dyn Fn(usize) -> usize,
    out: &mut Outcome,
) {
    if doc.value.is_null() {
        return;
    }
    match sites::locate(&doc.value) {
        Found::Pods(found) => {
            for site in &found {
                lint_site(site, &|p| map_line(doc.line_of(p) + offset), ctx, out);
            }
        }
        Found::Skipped(reason) => out.skipped.push(Skipped {
            line: map_line(doc.line + offset),
            reason,
        }),
    }
}

fn coercion_finding(c: &Coercion, path: String) -> Diagnostic {
    Diagnostic::rule(
        Code::Dind026,
        path,
        format!(
            "`{}` is not {}: Jenkins converts it, but kubectl refuses the pod (cannot unmarshal it)",
            c.written, c.wanted
        ),
    )
}

/// What the rules found on a site's pod: the findings, with pod paths (fix edits included), the
/// Jackson conversions made reading it, and the values dind could not know.
pub(super) struct Diagnosis {
    /// Whether the pod runs or uses Docker; when it does not, the rest is empty.
    pub docker: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub coerced: Vec<Coercion>,
    pub unknown: Vec<Unknown>,
    /// What the pod wires, when the context asks for it ([`Context::explain`]).
    pub wiring: Option<crate::explain::PodWiring>,
}

/// The rules' findings on a site's pod ([`Diagnosis`]).
pub(super) fn diagnose(site: &Site, ctx: &Context) -> Result<Diagnosis, String> {
    // A pod the Jenkins plugin starts from YAML gets the plugin's agent defaults (the `jnlp`
    // container, the workspace volume); a pod built from templates has them already.
    let agent = ctx.runner == Runner::Jenkins && site.runner == Runner::Kubernetes;
    let templated = unknown::any_marker(&site.pod, ctx.templating);
    let mut owned;
    let mut pod_value = &site.pod;
    let mut unknowns = Vec::new();
    if agent || templated {
        owned = site.pod.clone();
        if agent {
            super::agent::apply(&mut owned);
        }
        if templated {
            unknowns = unknown::neutralise(&mut owned, ctx.templating);
        }
        pod_value = &owned;
    }
    // The fields read as they are: findings about them are left out.
    let kept: Vec<String> = unknowns
        .iter()
        .filter(|(_, neutralised)| !neutralised)
        .map(|(u, _)| u.path.clone())
        .collect();
    let (pod, coerced) = read_pod(pod_value, &kept)?;
    let runner = if ctx.runner == Runner::Jenkins {
        Runner::Jenkins
    } else {
        site.runner
    };
    let ctx = ctx.with_runner(runner);
    let mut unprivileged = Vec::new();
    let fields = || {
        if super::fields::checked(runner) {
            let m = super::fields::misplaced(&site.pod, runner);
            unprivileged = m.unprivileged;
            m.diagnostics
        } else {
            Vec::new()
        }
    };
    let Some(mut diagnostics) = check_if_docker(&pod, &ctx, fields) else {
        return Ok(Diagnosis {
            docker: false,
            diagnostics: Vec::new(),
            coerced: Vec::new(),
            unknown: Vec::new(),
            wiring: None,
        });
    };
    if !kept.is_empty() {
        diagnostics.retain(|d| !kept.iter().any(|k| unknown::touches(&d.path, k)));
    }
    // A `privileged` written where Kubernetes does not read it is why its container is
    // unprivileged: one finding (DIND043, which says so), not also DIND007.
    diagnostics
        .retain(|d| !(d.code == Some(Code::Dind007) && d.container.as_ref().is_some_and(|c| unprivileged.contains(c))));
    let wiring = ctx
        .explain
        .then(|| crate::explain::PodWiring::of(&pod, &diagnostics, &ctx));
    Ok(Diagnosis {
        docker: true,
        diagnostics,
        coerced,
        unknown: unknowns.into_iter().map(|(u, _)| u).collect(),
        wiring,
    })
}

/// Lints one site; `line_of` gives the line of a document path.
fn lint_site(site: &Site, line_of: &dyn Fn(&str) -> usize, ctx: &Context, out: &mut Outcome) {
    let root_line = line_of(&site.paths.map(""));
    let (mut diagnosis, docker) = match diagnose(site, ctx) {
        Ok(d) => {
            let docker = d.docker;
            (Ok(d), docker)
        }
        // A pod that cannot be read is judged by what is written in it.
        Err(message) => (Err(message), mentions_docker(&site.pod)),
    };
    out.pods.push(PodFound {
        label: site.label.clone(),
        line: root_line,
        dind: docker,
        wiring: diagnosis.as_mut().ok().and_then(|d| d.wiring.take()),
    });
    out.name_containers(&site.pod);
    let Diagnosis {
        diagnostics,
        coerced,
        unknown,
        ..
    } = match diagnosis {
        Ok(d) => d,
        Err(_) if !docker => return,
        Err(message) => {
            out.findings.push(Finding {
                diagnostic: Diagnostic::input(site.paths.map(""), message),
                line: root_line,
            });
            return;
        }
    };
    let place = |path: &str| {
        let doc_path = site.paths.map(path);
        let line = line_of(&doc_path);
        (doc_path, line)
    };
    for u in unknown {
        let (path, line) = place(&u.path);
        out.unknown.push(super::UnknownValue {
            path,
            line,
            written: u.written,
            why: u.why,
        });
    }
    for c in &coerced {
        let (path, line) = place(&c.path);
        if let Some(diagnostic) = ctx.selection.apply(coercion_finding(c, path)) {
            out.findings.push(Finding { diagnostic, line });
        }
    }
    for mut d in diagnostics {
        let (path, line) = place(&d.path);
        d.path = path;
        if let Some(fix) = &mut d.fix {
            fix.edits = fix.edits.iter().map(|e| e.at(site.paths.map(e.path()))).collect();
        }
        out.findings.push(Finding { diagnostic: d, line });
    }
}

/// Whether a pod value that is not a valid Pod names Docker anywhere (an image, a command, a
/// variable, a path): then its reading error is reported; otherwise it is out of scope.
fn mentions_docker(v: &Value) -> bool {
    match v {
        Value::String(s) => {
            let s = s.to_ascii_lowercase();
            ["docker", "dind", "buildkit", "buildctl"].iter().any(|w| s.contains(w))
        }
        Value::Array(a) => a.iter().any(mentions_docker),
        Value::Object(m) => m
            .iter()
            .any(|(k, x)| k.to_ascii_lowercase().contains("docker") || mentions_docker(x)),
        _ => false,
    }
}

/// The container index and the field below it, of `spec.containers[3].env[0]`: `(3, "env")`.
pub(super) fn container_field(path: &str) -> Option<(usize, &str)> {
    let rest = path.strip_prefix("spec.containers[")?;
    let (index, rest) = rest.split_once(']')?;
    let field = rest.trim_start_matches('.').split(['.', '[']).next().unwrap_or("");
    Some((index.parse().ok()?, field))
}

/// A YAML text inside another file (a Jenkinsfile literal, a JCasC template's `yaml`, a Helm
/// value), with the file's line of each of its lines.
#[derive(Clone, Debug, Default)]
pub(super) struct Fragment {
    /// The YAML, as the plugin reads it.
    pub value: String,
    /// For each line of `value` (0-based), its line in the file.
    pub lines: Vec<usize>,
    /// The file's line for a line `lines` does not hold.
    pub line: usize,
}

impl Fragment {
    /// The file's line of the text's line `l` (1-based).
    pub fn line(&self, l: usize) -> usize {
        self.lines.get(l.saturating_sub(1)).copied().unwrap_or(self.line)
    }
}

impl From<&GroovyLiteral> for Fragment {
    fn from(l: &GroovyLiteral) -> Self {
        Fragment {
            value: l.value.clone(),
            lines: l.line_starts.clone(),
            line: l.line,
        }
    }
}

/// One fragment read: its documents and its first pod (the document's index and its site).
struct ReadFragment {
    docs: Vec<crate::yaml::Document>,
    pod: Option<(usize, Site)>,
}

fn read_fragment(f: &Fragment) -> Result<ReadFragment, String> {
    let docs = read_documents(&f.value, Limits::default())?;
    let pod = docs
        .iter()
        .enumerate()
        .find(|(_, d)| !d.value.is_null())
        .and_then(|(i, d)| match sites::locate(&d.value) {
            Found::Pods(mut s) if !s.is_empty() => Some((i, s.remove(0))),
            _ => None,
        });
    Ok(ReadFragment { docs, pod })
}

/// How a template's `yaml` fragments (its own after its parents') make one pod: the plugin's
/// `yamlMergeStrategy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum MergeStrategy {
    /// `override()` (the default): the last fragment alone.
    #[default]
    Override,
    /// `merge()`: every fragment, combined in order (`PodTemplateUtils.combine`).
    Merge,
}

/// The pod a Jenkins pod template builds (its container templates combined with its `yaml`
/// fragments), and where each of its fields is written in the file.
pub(super) struct BuiltTemplate<'a> {
    /// The pod.
    pub pod: Value,
    /// Where each container's template arguments are, for the containers templates made.
    pub origin: Vec<Option<super::pod_templates::FieldLines>>,
    template_line: usize,
    fragments: &'a [Fragment],
    read: Vec<ReadFragment>,
    /// For each container the fragments gave, the fragment and its index there.
    owners: Vec<(usize, usize)>,
    /// The fragment whose pod-level fields the pod has (the last one with a pod).
    main: Option<usize>,
}

impl<'a> BuiltTemplate<'a> {
    /// Builds the pod of template `t` with its `yaml` fragments (parents' first).
    pub fn new(t: &TemplatePod, fragments: &'a [Fragment], merge: MergeStrategy) -> Result<Self, String> {
        let read = fragments.iter().map(read_fragment).collect::<Result<Vec<_>, _>>()?;
        let used: Vec<usize> = match merge {
            MergeStrategy::Merge => (0..read.len()).collect(),
            MergeStrategy::Override => read.len().checked_sub(1).into_iter().collect(),
        };
        let mut combined: Option<Value> = None;
        let mut owners: Vec<(usize, usize)> = Vec::new();
        let mut main = None;
        for &f in &used {
            let Some((_, site)) = &read[f].pod else { continue };
            main = Some(f);
            let names = super::pod_templates::container_names(&site.pod);
            combined = Some(match combined {
                None => {
                    owners = (0..names.len()).map(|j| (f, j)).collect();
                    site.pod.clone()
                }
                Some(parent) => {
                    let before = super::pod_templates::container_names(&parent);
                    for (j, name) in names.iter().enumerate() {
                        match before.iter().position(|b| b == name) {
                            Some(i) => owners[i] = (f, j),
                            None => owners.push((f, j)),
                        }
                    }
                    super::pod_templates::combine_pods(&parent, &site.pod)
                }
            });
        }
        let (pod, origin) = build_pod(t, combined.as_ref());
        Ok(BuiltTemplate {
            pod,
            origin,
            template_line: t.line,
            fragments,
            read,
            owners,
            main,
        })
    }

    /// The file line of a path of fragment `f`'s pod.
    fn fragment_line(&self, f: usize, path: &str) -> Option<usize> {
        let (doc, site) = self.read[f].pod.as_ref()?;
        let l = self.read[f].docs[*doc].line_of(&site.paths.map(path));
        Some(self.fragments[f].line(l))
    }

    /// The line where a fragment wrote `field` of the built pod's container `i` (matched by
    /// name), when one did.
    fn fragment_field_line(&self, i: usize, field: &str, path: &str) -> Option<usize> {
        let name = self.pod.pointer(&format!("/spec/containers/{i}/name"))?.as_str()?;
        self.owners.iter().rev().find_map(|&(f, j)| {
            let (_, site) = self.read[f].pod.as_ref()?;
            let c = site.pod.pointer(&format!("/spec/containers/{j}"))?;
            if c.get("name").and_then(Value::as_str) != Some(name) || c.get(field).is_none() {
                return None;
            }
            let own = path.replacen(&format!("spec.containers[{i}]"), &format!("spec.containers[{j}]"), 1);
            self.fragment_line(f, &own)
        })
    }

    /// The file line of the pod's `path`: the template argument that wrote the field, the
    /// fragment's line for a field from a `yaml`, else the template's own line. Lint and `--fix`
    /// report a finding at this same line.
    pub fn line_of(&self, path: &str) -> usize {
        if let Some((i, field)) = container_field(path) {
            if let Some(Some(lines)) = self.origin.get(i) {
                if let Some(&l) = lines.fields.get(field) {
                    return l;
                }
                // A field the template leaves to its `yaml` (a probe, mounts): where that wrote it.
                return self.fragment_field_line(i, field, path).unwrap_or(lines.line);
            }
            if let Some(&(f, j)) = self.owners.get(i) {
                let own = path.replacen(&format!("spec.containers[{i}]"), &format!("spec.containers[{j}]"), 1);
                if let Some(l) = self.fragment_line(f, &own) {
                    return l;
                }
            }
        }
        self.main
            .and_then(|f| self.fragment_line(f, path))
            .unwrap_or(self.template_line)
    }
}

/// Lints the pod a Jenkins pod template builds from its container templates, combined with its
/// `yaml` fragments; `label` names it in the report.
pub(super) fn lint_template(
    t: &TemplatePod,
    fragments: &[Fragment],
    merge: MergeStrategy,
    label: &str,
    ctx: &Context,
) -> Result<Outcome, String> {
    let built = BuiltTemplate::new(t, fragments, merge)?;
    let line_of = |path: &str| built.line_of(path);
    let site = Site {
        label: label.into(),
        pod: built.pod.clone(),
        paths: sites::PathMap::identity(),
        runner: Runner::Jenkins,
    };
    let mut out = Outcome::default();
    lint_site(&site, &line_of, ctx, &mut out);
    Ok(out)
}
