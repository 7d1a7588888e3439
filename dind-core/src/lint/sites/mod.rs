//! Where pods live in a YAML document: a Pod, the pod template of a workload, an Argo template, a
//! Tekton task, an actions-runner-controller runner set. Each is lowered to a pod-shaped value (a
//! [`Site`]) that the rules can read, with a [`PathMap`] back to the fields as written and the
//! [`Runner`] whose semantics decide what waits for what. Every other document is skipped, with
//! a reason, and is never an error.

mod argo;
pub(crate) mod jenkins_chart;
mod runners;
mod tekton;
mod workloads;

use serde_json::{Map, Value};

use crate::rules::Runner;

/// A pod found in a document.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    /// What holds it, for the report: `Deployment web`, `Workflow ci, template build`.
    pub label: String,
    /// The pod, as a Pod-shaped value (`metadata`, `spec`).
    pub pod: Value,
    /// Pod field paths back to the document's.
    pub paths: PathMap,
    /// Who starts the containers.
    pub runner: Runner,
}

/// What a document holds.
#[derive(Clone, Debug)]
pub(crate) enum Found {
    /// Pods to lint.
    Pods(Vec<Site>),
    /// Nothing dind reads: the kind or the reason.
    Skipped(String),
}

/// Maps a field path of a [`Site`]'s pod (`spec.containers[1].args`) to the document's
/// (`spec.template.spec.containers[1].args`): the longest matching prefix is replaced; a path no
/// rule covers maps to the site's root.
#[derive(Clone, Debug, Default)]
pub(crate) struct PathMap {
    rules: Vec<(String, String)>,
    root: String,
    /// Document paths whose value was written elsewhere (a substituted parameter's default).
    redirects: Vec<(String, String)>,
}

/// `path` without `prefix`, when `prefix` ends at a segment boundary of `path`.
fn below<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    let rest = path.strip_prefix(prefix)?;
    (rest.is_empty() || rest.starts_with(['.', '['])).then_some(rest)
}

/// `a.b` joined with `c`: `a.b.c`; either side may be empty; `[i]` joins without a dot.
pub(crate) fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.trim_start_matches('.').to_string()
    } else if b.is_empty() {
        a.to_string()
    } else if b.starts_with('[') {
        format!("{a}{b}")
    } else {
        format!("{a}.{}", b.trim_start_matches('.'))
    }
}

impl PathMap {
    /// The identity map (a Pod at the document's root).
    pub fn identity() -> PathMap {
        PathMap::rooted("").rule("", "")
    }

    /// A map whose uncovered paths go to `root`.
    pub fn rooted(root: impl Into<String>) -> PathMap {
        PathMap {
            rules: Vec::new(),
            root: root.into(),
            redirects: Vec::new(),
        }
    }

    /// Adds a rule: pod paths under `pod` map under `doc`.
    pub fn rule(mut self, pod: impl Into<String>, doc: impl Into<String>) -> PathMap {
        self.rules.push((pod.into(), doc.into()));
        self
    }

    /// Adds a redirect: the value at document path `from` was written at `to`.
    pub fn redirect(mut self, from: impl Into<String>, to: impl Into<String>) -> PathMap {
        self.redirects.push((from.into(), to.into()));
        self
    }

    /// A pod template at `at` (`metadata` and `spec` below it).
    pub fn template(at: &str) -> PathMap {
        PathMap::rooted(at)
            .rule("metadata", join(at, "metadata"))
            .rule("spec", join(at, "spec"))
    }

    /// The same map with every document path placed below `prefix` (a `List` item).
    pub fn within(mut self, prefix: &str) -> PathMap {
        for (_, doc) in &mut self.rules {
            *doc = join(prefix, doc);
        }
        for (from, to) in &mut self.redirects {
            *from = join(prefix, from);
            *to = join(prefix, to);
        }
        self.root = join(prefix, &self.root);
        self
    }

    /// The document path of a pod path.
    pub fn map(&self, pod_path: &str) -> String {
        let best = self
            .rules
            .iter()
            .filter_map(|(pod, doc)| {
                let rest = if pod.is_empty() {
                    Some(pod_path)
                } else {
                    below(pod_path, pod)
                }?;
                Some((pod.len(), doc, rest))
            })
            .max_by_key(|(len, _, _)| *len);
        let doc = match best {
            Some((_, doc, rest)) => join(doc, rest),
            None => self.root.clone(),
        };
        match self.redirects.iter().find(|(from, _)| *from == doc) {
            Some((_, to)) => to.clone(),
            None => doc,
        }
    }
}

/// The mapping at `pointer` (`/spec/template`), if it is one.
pub(crate) fn object_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v Map<String, Value>> {
    value.pointer(pointer).and_then(Value::as_object)
}

/// A pod-shaped value from a template's `metadata` and `spec`.
pub(crate) fn pod_of(metadata: Option<&Value>, spec: Value) -> Value {
    let mut pod = Map::new();
    if let Some(m) = metadata.filter(|m| m.is_object()) {
        pod.insert("metadata".into(), m.clone());
    }
    pod.insert("spec".into(), spec);
    Value::Object(pod)
}

fn name_of(doc: &Value) -> String {
    doc.pointer("/metadata/name")
        .or_else(|| doc.pointer("/metadata/generateName"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The label of a document: `Deployment web`.
pub(crate) fn label(kind: &str, doc: &Value) -> String {
    let name = name_of(doc);
    if name.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} {name}")
    }
}

/// The pods of one document (a `List` is opened, item by item).
pub(crate) fn locate(doc: &Value) -> Found {
    locate_depth(doc, 0)
}

/// `List`s nest at most this deep.
const MAX_LIST_DEPTH: usize = 8;

/// Whether a document is a helm-unittest suite: `suite` or `templates`, and `tests` whose entries
/// have `it` or `asserts`.
fn is_helm_unittest(map: &serde_json::Map<String, Value>) -> bool {
    let named = map.get("suite").is_some_and(Value::is_string) || map.get("templates").is_some_and(Value::is_array);
    let tests = map
        .get("tests")
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty() && t.iter().all(|x| x.get("it").is_some() || x.get("asserts").is_some()));
    named && tests && !map.contains_key("kind")
}

fn locate_depth(doc: &Value, depth: usize) -> Found {
    let Some(map) = doc.as_object() else {
        return Found::Skipped(format!("{}, not a mapping", kind_of(doc)));
    };
    if is_helm_unittest(map) {
        return Found::Skipped(
            "a helm-unittest suite: its `set` values and `asserts` are a test's inputs and expectations, not a pod"
                .into(),
        );
    }
    let kind = map.get("kind").and_then(Value::as_str);
    let api = map.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api.split_once('/').map_or("", |(g, _)| g);
    match kind {
        Some(k) if k == "List" || (k.ends_with("List") && map.get("items").is_some_and(Value::is_array)) => {
            let items = map
                .get("items")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            if depth >= MAX_LIST_DEPTH {
                return Found::Skipped(format!("a `{k}` nested more than {MAX_LIST_DEPTH} deep"));
            }
            let mut sites = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if let Found::Pods(found) = locate_depth(item, depth + 1) {
                    let prefix = format!("items[{i}]");
                    sites.extend(found.into_iter().map(|mut s| {
                        s.paths = s.paths.within(&prefix);
                        s
                    }));
                }
            }
            if sites.is_empty() {
                Found::Skipped(format!("a `{k}` without pods"))
            } else {
                Found::Pods(sites)
            }
        }
        Some(k) if group == "argoproj.io" => argo::locate(k, doc),
        Some(k) if group == "tekton.dev" => tekton::locate(k, doc),
        Some(k) if group.starts_with("actions.") || group == "helm.toolkit.fluxcd.io" => runners::locate(k, doc),
        Some(k) => match workloads::locate(k, doc) {
            Found::Skipped(why) if !group.is_empty() => forks(k, doc).unwrap_or(Found::Skipped(why)),
            found => found,
        },
        None => {
            if let Some(found) = runners::values(doc) {
                return found;
            }
            workloads::locate_unkinded(doc)
        }
    }
}

/// A document of another group shaped as an Argo workflow or a Tekton task (a fork of either
/// under its own `apiVersion`), read as one.
fn forks(kind: &str, doc: &Value) -> Option<Found> {
    let relabel = |found: Found, engine: &str| match found {
        Found::Pods(sites) => Some(Found::Pods(
            sites
                .into_iter()
                .map(|mut s| {
                    s.label = format!("{} (read as {engine})", s.label);
                    s
                })
                .collect(),
        )),
        Found::Skipped(_) => None,
    };
    if let Some(at) = argo::shaped(doc) {
        return relabel(argo::locate_at(kind, doc, at), "an Argo workflow");
    }
    if tekton::shaped(doc) {
        return relabel(tekton::locate_task(kind, doc), "a Tekton task");
    }
    None
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_by_the_longest_prefix_at_a_segment_boundary() {
        let m = PathMap::rooted("spec.templates[0]")
            .rule("spec.containers[0]", "spec.templates[0].container")
            .rule("spec.containers[1]", "spec.templates[0].sidecars[0]")
            .rule("spec", "spec.templates[0]");
        assert_eq!(m.map("spec.containers[0].args"), "spec.templates[0].container.args");
        assert_eq!(m.map("spec.containers[1]"), "spec.templates[0].sidecars[0]");
        // `containers[1]` is not a prefix of `containers[10]`.
        assert_eq!(m.map("spec.containers[10]"), "spec.templates[0].containers[10]");
        assert_eq!(m.map("metadata.name"), "spec.templates[0]");
        let t = PathMap::template("spec.template").within("items[2]");
        assert_eq!(
            t.map("spec.containers[1].args"),
            "items[2].spec.template.spec.containers[1].args"
        );
        assert_eq!(PathMap::identity().map("spec.volumes[0]"), "spec.volumes[0]");
    }
}
