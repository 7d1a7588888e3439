//! YAML documents → the pods they hold ([`super::sites`]) → `k8s_openapi` Pods read as Jenkins
//! reads them ([`super::lenient`]) → findings, with the document's own field paths and lines.

use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

use super::jenkinsfile::GroovyLiteral;
use super::lenient::{self, Coercion};
use super::pod_templates::{TemplatePod, build_pod};
use super::sites::{self, Found, Site};
use super::{Finding, PodFound, Skipped};
use crate::rules::{Context, Runner, check};
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
    read_pod(&pod).map(|(p, _)| (p, bare))
}

/// A pod-shaped value as a Pod, with the conversions made on the way.
fn read_pod(value: &Value) -> Result<(Pod, Vec<Coercion>), String> {
    let mut v = value.clone();
    if let Value::Object(o) = &mut v {
        o.insert("apiVersion".into(), Value::String("v1".into()));
        o.insert("kind".into(), Value::String("Pod".into()));
    }
    lenient::from_value::<Pod>(&v).map_err(|e| format!("not a valid Pod: {e}"))
}

/// What one text of YAML documents holds.
#[derive(Default)]
pub(super) struct Outcome {
    pub findings: Vec<Finding>,
    pub pods: Vec<PodFound>,
    pub skipped: Vec<Skipped>,
}

impl Outcome {
    pub fn extend(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.pods.extend(other.pods);
        self.skipped.extend(other.skipped);
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
        if doc.value.is_null() {
            continue;
        }
        match sites::locate(&doc.value) {
            Found::Pods(found) => {
                for site in &found {
                    lint_site(site, &|p| map_line(doc.line_of(p) + offset), ctx, &mut out);
                }
            }
            Found::Skipped(reason) => out.skipped.push(Skipped {
                line: map_line(doc.line + offset),
                reason,
            }),
        }
    }
    Ok(out)
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

/// The rules' findings on a site's pod, with pod paths (fix edits included), and the Jackson
/// conversions made reading it.
pub(super) fn diagnose(site: &Site, ctx: &Context) -> Result<(Vec<Diagnostic>, Vec<Coercion>), String> {
    let (pod, coerced) = read_pod(&site.pod)?;
    let runner = if ctx.runner == Runner::Jenkins {
        Runner::Jenkins
    } else {
        site.runner
    };
    Ok((check(&pod, &ctx.with_runner(runner)), coerced))
}

/// Lints one site; `line_of` gives the line of a document path.
fn lint_site(site: &Site, line_of: &dyn Fn(&str) -> usize, ctx: &Context, out: &mut Outcome) {
    let root_line = line_of(&site.paths.map(""));
    out.pods.push(PodFound {
        label: site.label.clone(),
        line: root_line,
    });
    let (diagnostics, coerced) = match diagnose(site, ctx) {
        Ok(d) => d,
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

/// The container index and the field below it, of `spec.containers[3].env[0]`: `(3, "env")`.
pub(super) fn container_field(path: &str) -> Option<(usize, &str)> {
    let rest = path.strip_prefix("spec.containers[")?;
    let (index, rest) = rest.split_once(']')?;
    let field = rest.trim_start_matches('.').split(['.', '[']).next().unwrap_or("");
    Some((index.parse().ok()?, field))
}

/// A template literal's documents, and its first pod (its document's index and its site).
type Fragment = (Vec<crate::yaml::Document>, Option<(usize, Site)>);

/// The documents of a template's `yaml` literal, and the first pod among them (its document's
/// index and its site).
fn template_fragment(literal: Option<&GroovyLiteral>) -> Result<Fragment, String> {
    let docs = match literal {
        Some(l) => read_documents(&l.value, Limits::default())?,
        None => Vec::new(),
    };
    let fragment = docs
        .iter()
        .enumerate()
        .find(|(_, d)| !d.value.is_null())
        .and_then(|(i, d)| match sites::locate(&d.value) {
            Found::Pods(mut s) if !s.is_empty() => Some((i, s.remove(0))),
            _ => None,
        });
    Ok((docs, fragment))
}

/// The pod a Jenkins `podTemplate`/`kubernetes` block builds (its container templates combined
/// with its `yaml` literal), and where each of its fields is written in the Jenkinsfile.
pub(super) struct BuiltTemplate<'a> {
    /// The pod.
    pub pod: Value,
    /// Where each container's template arguments are, for the containers templates made.
    pub origin: Vec<Option<super::pod_templates::FieldLines>>,
    template_line: usize,
    literal: Option<&'a GroovyLiteral>,
    docs: Vec<crate::yaml::Document>,
    /// The literal's pod: its document's index and how its paths map to the pod's.
    fragment: Option<(usize, sites::PathMap)>,
}

impl<'a> BuiltTemplate<'a> {
    /// Builds the pod of template `t`, combined with its `yaml` literal when it has one.
    pub fn new(t: &TemplatePod, literal: Option<&'a GroovyLiteral>) -> Result<Self, String> {
        let (docs, fragment) = template_fragment(literal)?;
        let (pod, origin) = build_pod(t, fragment.as_ref().map(|(_, s)| &s.pod));
        Ok(BuiltTemplate {
            pod,
            origin,
            template_line: t.line,
            literal,
            docs,
            fragment: fragment.map(|(i, s)| (i, s.paths)),
        })
    }

    /// The Jenkinsfile line of the pod's `path`: the template argument that wrote the field, the
    /// literal's line for a field from the `yaml`, else the template's own line. Lint and
    /// `--fix` report a finding at this same line.
    pub fn line_of(&self, path: &str) -> usize {
        if let Some((i, field)) = container_field(path)
            && let Some(Some(lines)) = self.origin.get(i)
        {
            return lines.fields.get(field).copied().unwrap_or(lines.line);
        }
        match (&self.fragment, self.literal) {
            (Some((doc, paths)), Some(lit)) => {
                let l = self.docs[*doc].line_of(&paths.map(path));
                lit.line_starts.get(l.saturating_sub(1)).copied().unwrap_or(lit.line)
            }
            _ => self.template_line,
        }
    }
}

/// Lints the pod a Jenkins `podTemplate`/`kubernetes` block builds from its container templates,
/// combined with its `yaml` literal when it has one.
pub(super) fn lint_template(
    t: &TemplatePod,
    literal: Option<&GroovyLiteral>,
    ctx: &Context,
) -> Result<Outcome, String> {
    let built = BuiltTemplate::new(t, literal)?;
    let line_of = |path: &str| built.line_of(path);
    let site = Site {
        label: "podTemplate".into(),
        pod: built.pod.clone(),
        paths: sites::PathMap::identity(),
        runner: Runner::Jenkins,
    };
    let mut out = Outcome::default();
    lint_site(&site, &line_of, ctx, &mut out);
    Ok(out)
}
