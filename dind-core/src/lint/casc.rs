//! JCasC pod templates (`jenkins.clouds[].kubernetes.templates[]`), as the Kubernetes plugin
//! reads them: `containers:` carry the `containerTemplate` fields by the same names (`name`,
//! `image`, `command`, `args`, `privileged`, `ttyEnabled`, `envVars` of `envVar` and
//! `secretEnvVar`, `resourceRequestMemory`, `ports`, `livenessProbe`, ...), `volumes:` and
//! `envVars:` hold one-key mappings named for their kind (`hostPathVolume:`, `envVar:`), and
//! `yaml` is pod YAML merged with them. A template's `inheritFrom` names other templates of the
//! same cloud (space-separated): their containers, volumes, environment and `yaml` come first,
//! as `PodTemplateUtils.unwrap` combines them, and `yamlMergeStrategy` (`override` by default)
//! says whether only the last `yaml` counts or all of them merge.
//!
//! The same reader serves JCasC files, JCasC held in the Jenkins Helm chart's values
//! (`controller.JCasC.configScripts`, `agent.podTemplates`), and the templates the chart makes of
//! its `agent` values ([`super::chart`]). JCasC substitutes `${VAR}` from its sources before the
//! plugin sees a value, so such a value is unknown; `^${` is a literal `${`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Outcome;
use super::groovy_calls::{GValue, Node};
use super::pod_templates::{TemplatePod, template_pod};
use super::pods::{Fragment, MergeStrategy, lint_template};
use super::unknown::Templating;
use crate::rules::{Context, Runner};

/// The one-key mappings of JCasC lists that name a describable (`- envVar: {...}`).
const SYMBOLS: &[&str] = &[
    "envVar",
    "secretEnvVar",
    "containerEnvVar",
    "podEnvVar",
    "keyValueEnvVar",
    "emptyDirVolume",
    "hostPathVolume",
    "secretVolume",
    "configMapVolume",
    "persistentVolumeClaim",
    "nfsVolume",
    "genericEphemeralVolume",
];

/// How a JCasC string reads: a `{{ ... }}` (a Helm value passed through `tpl`) or a `${...}`
/// (substituted by JCasC) is unknown; `^${` is a literal `${`.
fn scalar(s: &str, helm: bool) -> GValue {
    if helm && s.contains("{{") {
        return GValue::Unknown("a Helm template".into());
    }
    let unescaped = s.replace("^${", "\u{0}");
    if unescaped.contains("${") {
        return GValue::Unknown("a JCasC variable (`${...}`)".into());
    }
    GValue::Str(unescaped.replace('\u{0}', "${"))
}

/// A JCasC value as a Groovy-like [`Node`], so the `containerTemplate` reader reads it: lists of
/// container mappings become `containerTemplate` calls, `ports` entries `portMapping` calls, and
/// one-key mappings named for a describable become calls of that name. `line_of` gives the file
/// line of a path below the value (`containers[0].image`).
pub(super) fn node(v: &Value, path: &str, parent_key: &str, line_of: &dyn Fn(&str) -> usize, helm: bool) -> Node {
    let line = line_of(path);
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    let value = match v {
        Value::Null => GValue::Null,
        Value::Bool(b) => GValue::Bool(*b),
        Value::Number(n) => GValue::Num(n.to_string()),
        Value::String(s) => scalar(s, helm),
        Value::Array(items) => GValue::List(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| node(x, &format!("{path}[{i}]"), parent_key, line_of, helm))
                .collect(),
        ),
        Value::Object(m) => {
            if m.len() == 1
                && let Some((k, inner @ Value::Object(_))) = m.iter().next()
                && SYMBOLS.contains(&k.as_str())
            {
                let n = node(inner, &at(k), "", line_of, helm);
                GValue::Call {
                    name: k.clone(),
                    named: match n.value {
                        GValue::Map(named) => named,
                        _ => Vec::new(),
                    },
                    positional: Vec::new(),
                }
            } else {
                let named: Vec<(String, Node)> = m
                    .iter()
                    .map(|(k, x)| (k.clone(), node(x, &at(k), k, line_of, helm)))
                    .collect();
                match parent_key {
                    "containers" => GValue::Call {
                        name: "containerTemplate".into(),
                        named,
                        positional: Vec::new(),
                    },
                    "ports" => GValue::Call {
                        name: "portMapping".into(),
                        named,
                        positional: Vec::new(),
                    },
                    _ => GValue::Map(named),
                }
            }
        }
    };
    Node { value, line, offset: 0 }
}

/// A pod template to lint: its fields (a JCasC template mapping), where they are written, and its
/// `yaml` as a fragment of the file.
pub(super) struct Template<'a> {
    /// What to call it in the report.
    pub label: String,
    /// The template mapping.
    pub value: &'a Value,
    /// The file line of a path below the template (`containers[0].image`; `""` for the entry).
    pub line_of: Box<dyn Fn(&str) -> usize + 'a>,
    /// Its `yaml`, when it has one.
    pub yaml: Option<Fragment>,
    /// Whether its strings went through Helm's `tpl` (a `{{` in them is unknown).
    pub helm: bool,
    /// Where a field below the template (`containers[0].privileged`) is written in the text, for
    /// `--fix`: the document path to edit, or why it cannot be edited.
    pub written: Box<dyn Fn(&str) -> Written + 'a>,
}

/// What is called with each set of templates that inherit from one another, and how many of
/// them are written in the values at hand.
pub(super) type EachSet<'f> = dyn FnMut(&[Template<'_>], usize) -> Result<(), String> + 'f;

/// Where a pod template's field is written in the text, for `--fix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Written {
    /// At this document path, as the field's value (created there when absent).
    Same(String),
    /// At this document path as an image tag, the field being `prefix` and the tag (the chart's
    /// `image.repository` and `image.tag`).
    Tag { path: String, prefix: String },
    /// Nowhere dind can edit, and why.
    No(String),
}

impl Template<'_> {
    fn name(&self) -> Option<&str> {
        self.value.get("name").and_then(Value::as_str)
    }

    fn node(&self) -> Node {
        node(self.value, "", "", &*self.line_of, self.helm)
    }

    fn strategy(&self) -> Option<MergeStrategy> {
        match self.value.get("yamlMergeStrategy")? {
            Value::String(s) if s.starts_with("merge") => Some(MergeStrategy::Merge),
            Value::String(s) if s.starts_with("override") => Some(MergeStrategy::Override),
            // The explicit form, `yamlMergeStrategy: {merge: {}}`.
            Value::Object(m) if m.contains_key("merge") => Some(MergeStrategy::Merge),
            Value::Object(m) if m.contains_key("override") => Some(MergeStrategy::Override),
            _ => None,
        }
    }

    fn inherits_strategy(&self) -> bool {
        self.value.get("inheritYamlMergeStrategy").and_then(Value::as_bool) == Some(true)
    }

    fn parents(&self) -> Vec<String> {
        self.value
            .get("inheritFrom")
            .and_then(Value::as_str)
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default()
    }
}

/// A template with its parents applied: its fields as one node, its fragments (parents' first),
/// the merge strategy, and the parents it names that are not in the file.
struct Unwrapped {
    node: Node,
    /// The templates it is made of, parents first, itself last.
    chain: Vec<usize>,
    fragments: Vec<Fragment>,
    strategy: Option<MergeStrategy>,
    inherit_strategy: bool,
    missing: Vec<String>,
}

/// Whether a template field holds its default (the child then takes its parent's).
fn is_default(n: &Node) -> bool {
    match &n.value {
        GValue::Null => true,
        GValue::Str(s) => s.is_empty(),
        GValue::Bool(b) => !b,
        GValue::List(l) => l.is_empty(),
        _ => false,
    }
}

/// The named arguments of a call or map node.
fn named(n: &Node) -> &[(String, Node)] {
    match &n.value {
        GValue::Call { named, .. } | GValue::Map(named) => named,
        _ => &[],
    }
}

fn with_named(n: &Node, named: Vec<(String, Node)>) -> Node {
    let value = match &n.value {
        GValue::Call { name, positional, .. } => GValue::Call {
            name: name.clone(),
            named,
            positional: positional.clone(),
        },
        _ => GValue::Map(named),
    };
    Node {
        value,
        line: n.line,
        offset: n.offset,
    }
}

/// List items combined by a key (the child's winning), the parent's order first.
fn by_key(parent: Option<&Node>, child: Option<&Node>, key: &dyn Fn(&Node) -> Option<String>) -> Option<Node> {
    let (p, c) = (parent?, child);
    let Some(c) = c else { return Some(p.clone()) };
    let mut items: Vec<Node> = p.items().into_iter().cloned().collect();
    for item in c.items() {
        match key(item).and_then(|k| items.iter().position(|x| key(x).as_deref() == Some(&k))) {
            Some(i) => items[i] = item.clone(),
            None => items.push(item.clone()),
        }
    }
    Some(Node {
        value: GValue::List(items),
        line: c.line,
        offset: c.offset,
    })
}

fn text_of(n: Option<&Node>) -> Option<String> {
    match &n?.value {
        GValue::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// `PodTemplateUtils.combine(ContainerTemplate parent, ContainerTemplate template)`: the child's
/// fields where it sets them, the parent's elsewhere; environment combined by key, ports by name.
fn combine_container(parent: &Node, child: &Node) -> Node {
    let mut out: Vec<(String, Node)> = named(parent).to_vec();
    for (k, v) in named(child) {
        let merged = match k.as_str() {
            "envVars" => by_key(parent.get("envVars"), Some(v), &|e| text_of(e.get("key"))),
            "ports" => by_key(parent.get("ports"), Some(v), &|e| text_of(e.get("name"))),
            _ if is_default(v) => continue,
            _ => Some(v.clone()),
        };
        if let Some(m) = merged {
            out.retain(|(x, _)| x != k);
            out.push((k.clone(), m));
        }
    }
    with_named(child, out)
}

/// `PodTemplateUtils.combine(PodTemplate parent, PodTemplate template)`, for the fields that make
/// the pod: containers by name, volumes by mount path, environment by key; other fields the
/// child's where it sets them.
fn combine_template(parent: &Node, child: &Node) -> Node {
    let mut out: Vec<(String, Node)> = named(parent).to_vec();
    for (k, v) in named(child) {
        let merged = match k.as_str() {
            "containers" => {
                let mut items: Vec<Node> = parent
                    .get("containers")
                    .map(|p| p.items().into_iter().cloned().collect())
                    .unwrap_or_default();
                for c in v.items() {
                    let name = text_of(c.get("name"));
                    match items
                        .iter()
                        .position(|x| name.is_some() && text_of(x.get("name")) == name)
                    {
                        Some(i) => items[i] = combine_container(&items[i], c),
                        None => items.push(c.clone()),
                    }
                }
                Some(Node {
                    value: GValue::List(items),
                    line: v.line,
                    offset: v.offset,
                })
            }
            "volumes" => by_key(parent.get("volumes"), Some(v), &|vol| {
                named(vol)
                    .iter()
                    .find(|(k, _)| k == "mountPath")
                    .and_then(|(_, m)| text_of(Some(m)))
            }),
            "envVars" => by_key(parent.get("envVars"), Some(v), &|e| text_of(e.get("key"))),
            _ if is_default(v) => continue,
            _ => Some(v.clone()),
        };
        if let Some(m) = merged {
            out.retain(|(x, _)| x != k);
            out.push((k.clone(), m));
        }
    }
    with_named(child, out)
}

/// Template `i` with the templates it inherits from (by name among `all`), depth first; `seen`
/// stops cycles.
fn unwrap(all: &[Template<'_>], i: usize, seen: &mut Vec<usize>) -> Unwrapped {
    let t = &all[i];
    seen.push(i);
    let mut parent: Option<Unwrapped> = None;
    let mut missing = Vec::new();
    for name in t.parents() {
        let Some(p) = all.iter().position(|x| x.name() == Some(name.as_str())) else {
            missing.push(name);
            continue;
        };
        if seen.contains(&p) {
            continue;
        }
        let next = unwrap(all, p, seen);
        parent = Some(match parent {
            None => next,
            Some(prev) => join(prev, next),
        });
    }
    seen.pop();
    let own = Unwrapped {
        node: t.node(),
        chain: vec![i],
        fragments: t.yaml.clone().into_iter().collect(),
        strategy: t.strategy(),
        inherit_strategy: t.inherits_strategy(),
        missing,
    };
    match parent {
        None => own,
        Some(p) => join(p, own),
    }
}

fn join(parent: Unwrapped, child: Unwrapped) -> Unwrapped {
    let strategy = match child.strategy {
        None if parent.inherit_strategy => parent.strategy,
        s => s,
    };
    let mut fragments = parent.fragments;
    fragments.extend(child.fragments);
    let mut missing = parent.missing;
    missing.extend(child.missing);
    let mut chain = parent.chain;
    chain.extend(child.chain);
    Unwrapped {
        node: combine_template(&parent.node, &child.node),
        chain,
        fragments,
        strategy,
        inherit_strategy: parent.inherit_strategy,
        missing,
    }
}

/// The context a JCasC template's pod is judged in: the Jenkins runner, `${...}` substituted.
fn template_context(ctx: &Context) -> Context {
    ctx.with_runner(Runner::Jenkins)
        .with_templating(Templating::SUBSTITUTED)
}

/// Lints pod templates that may inherit from one another (one cloud's `templates`): each one's
/// pod as the plugin builds it.
pub(super) fn lint_templates(all: &[Template<'_>], ctx: &Context, out: &mut Outcome) -> Result<(), String> {
    let ctx = template_context(ctx);
    for i in 0..all.len() {
        let u = unwrap(all, i, &mut Vec::new());
        let pod: TemplatePod = template_pod(&u.node, 0);
        if pod.containers.is_empty() && u.fragments.is_empty() {
            out.skipped.push(super::Skipped {
                line: (all[i].line_of)(""),
                reason: format!("{}: a pod template without containers or `yaml`", all[i].label),
            });
            continue;
        }
        let mut label = all[i].label.clone();
        if !u.missing.is_empty() {
            label.push_str(&format!(
                " (inherits from {}, not in this file: what it adds is not known)",
                u.missing.join(", ")
            ));
        }
        let strategy = u.strategy.unwrap_or_default();
        out.extend(lint_template(&pod, &u.fragments, strategy, &label, &ctx)?);
    }
    Ok(())
}

/// The pod one of a list of templates builds, with the rules' findings on it, for `--fix`.
pub(super) struct Judged {
    /// The template, by index in the list.
    pub template: usize,
    /// The templates it is made of, parents first, itself last.
    pub chain: Vec<usize>,
    /// The pod.
    pub pod: serde_json::Value,
    /// The findings, each with the line lint reports it at.
    pub diagnostics: Vec<(crate::Diagnostic, usize)>,
}

/// Every template's pod and findings, as [`lint_templates`] judges them.
pub(super) fn judge_templates(all: &[Template<'_>], ctx: &Context) -> Result<Vec<Judged>, String> {
    let ctx = template_context(ctx);
    let mut out = Vec::new();
    for i in 0..all.len() {
        let u = unwrap(all, i, &mut Vec::new());
        let pod: TemplatePod = template_pod(&u.node, 0);
        if pod.containers.is_empty() && u.fragments.is_empty() {
            continue;
        }
        let strategy = u.strategy.unwrap_or_default();
        let built = super::pods::BuiltTemplate::new(&pod, &u.fragments, strategy)?;
        let site = super::sites::Site {
            label: all[i].label.clone(),
            pod: built.pod.clone(),
            paths: super::sites::PathMap::identity(),
            runner: Runner::Jenkins,
        };
        let Ok(d) = super::pods::diagnose(&site, &ctx) else {
            continue;
        };
        let diagnostics = d
            .diagnostics
            .into_iter()
            .map(|x| {
                let line = built.line_of(&x.path);
                (x, line)
            })
            .collect();
        out.push(Judged {
            template: i,
            chain: u.chain,
            pod: built.pod,
            diagnostics,
        });
    }
    Ok(out)
}

/// The label of a JCasC template: its `name`, else its `label`, else its index.
pub(super) fn template_label(prefix: &str, t: &Value, index: usize) -> String {
    let name = t
        .get("name")
        .or_else(|| t.get("label"))
        .and_then(Value::as_str)
        .map_or_else(|| format!("#{index}"), |n| format!("`{n}`"));
    format!("{prefix}pod template {name}")
}

/// Where the lines of a text are in the file: the text is a whole file (`identity`) or a block
/// string of another text.
pub(super) type LineMap<'a> = &'a dyn Fn(usize) -> usize;

/// The `yaml` of the JCasC template at `path` in a document of `text`, as a fragment, its lines
/// mapped to the file by `to_file`.
pub(super) fn yaml_fragment(
    doc: &crate::yaml::Document,
    text: &str,
    path: &str,
    to_file: LineMap<'_>,
) -> Option<Fragment> {
    let yaml_path = format!("{path}.yaml");
    let value = doc.value.pointer(&pointer(&yaml_path)?)?.as_str()?;
    let lines = super::TemplateLines::new(text, doc.line_of(&yaml_path));
    let value = value.replace("^${", "${");
    let count = value.lines().count().max(1);
    Some(Fragment {
        lines: (1..=count).map(|l| to_file(lines.line(l))).collect(),
        line: to_file(lines.line(1)),
        value,
    })
}

/// A JSON pointer for a document path of keys and indexes.
pub(super) fn pointer(path: &str) -> Option<String> {
    let mut p = String::new();
    for s in crate::fix::segments(path)? {
        match s {
            crate::fix::Segment::Key(k) => p.push_str(&format!("/{}", k.replace('~', "~0").replace('/', "~1"))),
            crate::fix::Segment::Index(i) => p.push_str(&format!("/{i}")),
        }
    }
    Some(p)
}

/// The template lists of every Kubernetes cloud of a JCasC document, each with its path
/// (`jenkins.clouds[0].kubernetes.templates`); clouds of another kind are left out.
pub(super) fn cloud_template_lists(doc: &Value) -> Vec<(String, &Value)> {
    doc.pointer("/jenkins/clouds")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .enumerate()
        .filter_map(|(ci, cloud)| {
            let list = cloud.pointer("/kubernetes/templates")?;
            Some((format!("jenkins.clouds[{ci}].kubernetes.templates"), list))
        })
        .collect()
}

/// Lints the templates of every cloud of a JCasC document (`jenkins.clouds[].kubernetes`) of
/// `text`, whose lines map to the file by `to_file`; `helm` when the text went through Helm's
/// `tpl`. Returns how many templates it found.
pub(super) fn lint_document(
    doc: &crate::yaml::Document,
    text: &str,
    to_file: LineMap<'_>,
    prefix: &str,
    helm: bool,
    ctx: &Context,
    out: &mut Outcome,
) -> Result<usize, String> {
    let mut found = 0;
    for (at, list) in cloud_template_lists(&doc.value) {
        found += lint_list(doc, text, list, &at, to_file, prefix, helm, ctx, out)?;
    }
    Ok(found)
}

/// Lints a list of JCasC templates at `at` in `doc` (a cloud's `templates`, or the chart's
/// `agent.podTemplates` string, which holds such a list at its top).
#[allow(clippy::too_many_arguments)]
pub(super) fn lint_list(
    doc: &crate::yaml::Document,
    text: &str,
    list: &Value,
    at: &str,
    to_file: LineMap<'_>,
    prefix: &str,
    helm: bool,
    ctx: &Context,
    out: &mut Outcome,
) -> Result<usize, String> {
    let templates = templates_of_list(doc, text, list, at, to_file, prefix, helm);
    lint_templates(&templates, ctx, out)?;
    Ok(templates.len())
}

/// The templates of a list of JCasC templates at `at` in `doc`, for [`lint_templates`].
pub(super) fn templates_of_list<'a>(
    doc: &'a crate::yaml::Document,
    text: &'a str,
    list: &'a Value,
    at: &str,
    to_file: LineMap<'a>,
    prefix: &str,
    helm: bool,
) -> Vec<Template<'a>> {
    let Some(items) = list.as_array() else {
        return Vec::new();
    };
    let mut templates = Vec::new();
    for (ti, t) in items.iter().enumerate() {
        if !t.is_object() {
            continue;
        }
        let path = if at.is_empty() {
            format!("[{ti}]")
        } else {
            format!("{at}[{ti}]")
        };
        let base = path.clone();
        let written_at = path.clone();
        templates.push(Template {
            label: template_label(prefix, t, ti),
            value: t,
            written: Box::new(move |p: &str| Written::Same(format!("{written_at}.{p}"))),
            line_of: Box::new(move |p: &str| {
                let full = if p.is_empty() {
                    base.clone()
                } else if p.starts_with('[') {
                    format!("{base}{p}")
                } else {
                    format!("{base}.{p}")
                };
                to_file(doc.line_of(&full))
            }),
            yaml: yaml_fragment(doc, text, &path, to_file),
            helm,
        });
    }
    templates
}

/// The lines of every path a synthetic value holds, for values dind builds itself (the templates
/// the chart makes of its values): each path's line, else its nearest ancestor's.
#[derive(Clone, Debug, Default)]
pub(super) struct Lines(pub BTreeMap<String, usize>);

impl Lines {
    /// The line of `path`, or of its nearest ancestor that has one, or `fallback`.
    pub fn of(&self, path: &str, fallback: usize) -> usize {
        let mut p = path;
        loop {
            if let Some(l) = self.0.get(p) {
                return *l;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.0.get("").copied().unwrap_or(fallback),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, read_documents};

    fn lint(text: &str) -> Outcome {
        let docs = read_documents(text, Limits::default()).unwrap();
        let mut out = Outcome::default();
        lint_document(&docs[0], text, &|l| l, "", false, &Context::default(), &mut out).unwrap();
        out
    }

    fn codes(o: &Outcome) -> Vec<(String, usize, String)> {
        o.findings
            .iter()
            .map(|f| {
                (
                    f.diagnostic.code.map_or("input".into(), |c| c.to_string()),
                    f.line,
                    f.diagnostic.path.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn containers_read_as_container_templates() {
        let text = "jenkins:\n  clouds:\n  - kubernetes:\n      templates:\n      - name: dind\n        containers:\n        - name: dind\n          image: docker:29.7.2-dind\n          privileged: true\n          args: dockerd --host=tcp://0.0.0.0:2375\n          envVars:\n          - envVar:\n              key: DOCKER_TLS_CERTDIR\n              value: ''\n        volumes:\n        - emptyDirVolume:\n            mountPath: /var/lib/docker\n";
        let o = lint(text);
        assert_eq!(o.pods.len(), 1);
        let f = codes(&o);
        assert!(
            f.iter()
                .any(|(c, l, p)| c == "DIND006" && *l == 10 && p.starts_with("spec.containers[0].args")),
            "{f:#?}"
        );
        assert!(!f.iter().any(|(c, _, _)| c == "DIND007" || c == "DIND008"), "{f:#?}");
    }

    #[test]
    fn inherit_from_combines_the_parent_first_and_yaml_by_strategy() {
        let text = "jenkins:\n  clouds:\n  - kubernetes:\n      templates:\n      - name: base\n        yaml: |\n          spec:\n            containers:\n            - name: dind\n              image: docker:29.7.2-dind\n              securityContext: {privileged: true}\n      - name: child\n        inheritFrom: base\n        containers:\n        - name: dind\n          image: docker:dind\n";
        let o = lint(text);
        assert_eq!(o.pods.len(), 2);
        let f = codes(&o);
        // The child's image is its own, written at line 16; the parent's privileged stays.
        assert!(f.iter().any(|(c, l, _)| c == "DIND009" && *l == 16), "{f:#?}");
        assert!(!f.iter().any(|(c, _, _)| c == "DIND007"), "{f:#?}");
    }

    #[test]
    fn jcasc_variables_are_unknown_and_caret_escapes_are_literal() {
        assert!(matches!(scalar("docker:${TAG}", false), GValue::Unknown(_)));
        assert_eq!(scalar("echo ^${HOME}", false), GValue::Str("echo ${HOME}".into()));
        assert!(matches!(scalar("{{ .Values.x }}", true), GValue::Unknown(_)));
        assert_eq!(scalar("{{ x }}", false), GValue::Str("{{ x }}".into()));
    }
}
