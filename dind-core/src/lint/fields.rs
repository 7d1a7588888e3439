//! Fields where Kubernetes does not read them (DIND043). Every key of a pod, as written, is checked
//! against the Kubernetes API schema of k8s-openapi's types (their JSON Schema, built once), not a
//! hand-kept list. A key the schema does not have at its place is reported with where Kubernetes
//! reads a key of that name nearest to it (`privileged` beside `securityContext` belongs in it),
//! or the field of that place it most resembles (a misspelling).
//!
//! `kubectl apply` refuses such a pod (strict field validation: `unknown field`); the Jenkins
//! plugin reads pod YAML with fabric8, which drops the key without a word, so a `privileged` in
//! the wrong place leaves the daemon unprivileged and the build fails later (`docs/FACTS.md`,
//! "Kubernetes API" and "Jenkins: the Kubernetes plugin").

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::fix::{Fix, PodEdit};
use crate::rules::Runner;
use crate::{Code, Diagnostic};

/// What a place of the schema holds.
#[derive(Clone, Debug)]
enum Shape {
    /// An object with known fields: the index of its type.
    Object(usize),
    /// An object with any keys (labels, annotations), each value of this shape.
    Map(Box<Shape>),
    /// A list of this shape.
    Array(Box<Shape>),
    /// A scalar, or a value the schema leaves free (`RawExtension`).
    Opaque,
}

/// A type's fields, sorted by name.
#[derive(Debug, Default)]
struct Type {
    fields: Vec<(String, Shape)>,
}

impl Type {
    fn field(&self, key: &str) -> Option<&Shape> {
        self.fields
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.fields[i].1)
    }
}

/// The Pod schema as types, and every place (a path with `[*]` for list items) where a key of
/// each name is read.
struct PodSchema {
    types: Vec<Type>,
    root: Shape,
    places: HashMap<String, Vec<Vec<String>>>,
}

/// How deep the places of a key are looked for below the pod (`spec.containers[*].securityContext.
/// seLinuxOptions.level` is 5 deep).
const PLACE_DEPTH: usize = 7;

struct Builder<'s> {
    defs: &'s serde_json::Map<String, Value>,
    types: Vec<Type>,
    by_name: HashMap<String, usize>,
}

impl Builder<'_> {
    fn shape(&mut self, schema: &Value) -> Shape {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or(r);
            if let Some(&i) = self.by_name.get(name) {
                return Shape::Object(i);
            }
            let Some(def) = self.defs.get(name) else {
                return Shape::Opaque;
            };
            if def.get("properties").is_none() {
                return self.shape(def);
            }
            // Registered before its fields are read: the schema may refer back to it.
            let i = self.types.len();
            self.types.push(Type::default());
            self.by_name.insert(name.to_string(), i);
            self.types[i] = self.object(def);
            return Shape::Object(i);
        }
        if schema.get("properties").is_some() {
            let i = self.types.len();
            self.types.push(Type::default());
            self.types[i] = self.object(schema);
            return Shape::Object(i);
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => Shape::Array(Box::new(
                schema.get("items").map_or(Shape::Opaque, |items| self.shape(items)),
            )),
            Some("object") => match schema.get("additionalProperties") {
                Some(values @ Value::Object(_)) => Shape::Map(Box::new(self.shape(values))),
                _ => Shape::Opaque,
            },
            _ => Shape::Opaque,
        }
    }

    fn object(&mut self, schema: &Value) -> Type {
        let mut fields: Vec<(String, Shape)> = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| props.iter().map(|(k, v)| (k.clone(), self.shape(v))).collect())
            .unwrap_or_default();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        Type { fields }
    }
}

impl PodSchema {
    fn get() -> &'static PodSchema {
        static SCHEMA: OnceLock<PodSchema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let schema = schemars::schema_for!(k8s_openapi::api::core::v1::Pod);
            let value = schema.as_value();
            let empty = serde_json::Map::new();
            let defs = value.get("$defs").and_then(Value::as_object).unwrap_or(&empty);
            let mut b = Builder {
                defs,
                types: Vec::new(),
                by_name: HashMap::new(),
            };
            let root = b.shape(value);
            let mut s = PodSchema {
                types: b.types,
                root,
                places: HashMap::new(),
            };
            let mut places = HashMap::new();
            s.collect_places(&s.root, &mut Vec::new(), &mut Vec::new(), &mut places);
            s.places = places;
            s
        })
    }

    /// Every path (below the pod, `status` left out) where a key is read, by key.
    fn collect_places(
        &self,
        shape: &Shape,
        path: &mut Vec<String>,
        seen: &mut Vec<usize>,
        out: &mut HashMap<String, Vec<Vec<String>>>,
    ) {
        if path.len() >= PLACE_DEPTH {
            return;
        }
        match shape {
            Shape::Object(i) => {
                if seen.contains(i) {
                    return;
                }
                seen.push(*i);
                for (k, child) in &self.types[*i].fields {
                    if path.is_empty() && k == "status" {
                        continue;
                    }
                    path.push(k.clone());
                    out.entry(k.clone()).or_default().push(path.clone());
                    self.collect_places(child, path, seen, out);
                    path.pop();
                }
                seen.pop();
            }
            Shape::Array(item) => {
                if let Some(last) = path.last_mut() {
                    last.push_str("[*]");
                    self.collect_places(item, path, seen, out);
                    if let Some(last) = path.last_mut() {
                        last.truncate(last.len() - 3);
                    }
                }
            }
            Shape::Map(_) | Shape::Opaque => {}
        }
    }
}

/// The keys written where Kubernetes does not read them, as findings, and the containers that
/// are unprivileged because of one (`privileged` beside `securityContext`, a misspelt
/// `securityContext` that holds it).
pub(super) struct Misplacements {
    pub diagnostics: Vec<Diagnostic>,
    pub unprivileged: Vec<String>,
}

/// A key written where Kubernetes does not read it.
struct Misplaced {
    /// Its path in the pod (`spec.containers[1].privileged`).
    path: String,
    key: String,
    /// The type's fields, for a misspelling.
    near: Option<String>,
    /// Where a key of this name is read, nearest first.
    belongs: Option<String>,
    /// Whether it is (or holds) `privileged: true`, which Kubernetes then does not apply.
    privilege: bool,
    /// Its value, for the fix that moves it.
    value: Value,
}

/// The segments of a path, with list indices as `[*]` (`spec.containers[*]`).
fn pattern(segments: &[String]) -> Vec<String> {
    segments
        .iter()
        .map(|s| match s.find('[') {
            Some(i) => format!("{}[*]", &s[..i]),
            None => s.clone(),
        })
        .collect()
}

/// The place of `key` nearest to the object at `at`: the longest shared start, then the shortest.
/// `None` when no place, or several equally near, fit.
fn nearest(places: &[Vec<String>], at: &[String]) -> Option<String> {
    let here = pattern(at);
    let shared = |p: &[String]| p.iter().zip(&here).take_while(|(a, b)| a == b).count();
    let best = places
        .iter()
        .map(|p| (shared(p), p.len()))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))?;
    let mut fits: Vec<&Vec<String>> = places.iter().filter(|p| (shared(p), p.len()) == best).collect();
    // The same field of every kind of container: the app containers' is meant.
    if fits.len() > 1 {
        let other = |p: &&Vec<String>| {
            p.iter()
                .any(|s| s == "initContainers[*]" || s == "ephemeralContainers[*]")
        };
        fits.retain(|p| !other(p));
    }
    // Only a place below the pod's spec (or its metadata) that shares some of the path.
    if fits.len() != 1 || best.0 == 0 {
        return None;
    }
    // The shared start keeps the written indices (`spec.containers[1]`).
    let place = fits[0];
    let written: Vec<String> = place
        .iter()
        .enumerate()
        .map(|(i, seg)| if i < best.0 { at[i].clone() } else { seg.clone() })
        .collect();
    Some(written.join("."))
}

/// A field of the type that `key` resembles (a misspelling: an edit distance of at most 2, and
/// less than a third of its length).
fn resembles(t: &Type, key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    t.fields
        .iter()
        .map(|(k, _)| (strsim::damerau_levenshtein(&lower, &k.to_ascii_lowercase()), k))
        .filter(|(d, k)| *d <= 2 && *d * 3 < k.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone())
}

/// A step of the path being walked, kept borrowed: the path becomes text only for a key that is
/// reported.
#[derive(Clone, Copy)]
enum At<'v> {
    Key(&'v str),
    Index(usize),
}

/// The path as segments with list indices on their key (`spec`, `containers[1]`).
fn segments(at: &[At<'_>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in at {
        match a {
            At::Key(k) => out.push((*k).to_string()),
            At::Index(n) => {
                if let Some(last) = out.last_mut() {
                    last.push_str(&format!("[{n}]"));
                }
            }
        }
    }
    out
}

fn walk<'v>(s: &PodSchema, value: &'v Value, shape: &Shape, at: &mut Vec<At<'v>>, out: &mut Vec<Misplaced>) {
    match (value, shape) {
        (Value::Object(map), Shape::Object(i)) => {
            let t = &s.types[*i];
            for (k, v) in map {
                match t.field(k) {
                    Some(child) => {
                        at.push(At::Key(k));
                        walk(s, v, child, at, out);
                        at.pop();
                    }
                    None => {
                        let here = segments(at);
                        let belongs = s.places.get(k.as_str()).and_then(|p| nearest(p, &here));
                        let near = if belongs.is_none() { resembles(t, k) } else { None };
                        let mut path = here;
                        path.push(k.clone());
                        let privilege = match v {
                            Value::Bool(true) => k == "privileged",
                            Value::Object(inner) => inner.get("privileged") == Some(&Value::Bool(true)),
                            _ => false,
                        };
                        out.push(Misplaced {
                            path: path.join("."),
                            key: k.clone(),
                            near,
                            belongs,
                            privilege,
                            value: v.clone(),
                        });
                    }
                }
            }
        }
        (Value::Object(map), Shape::Map(values)) => {
            for (k, v) in map {
                at.push(At::Key(k));
                walk(s, v, values, at, out);
                at.pop();
            }
        }
        (Value::Array(items), Shape::Array(item)) => {
            // A list at the root has no key to index.
            if at.is_empty() {
                return;
            }
            for (n, v) in items.iter().enumerate() {
                at.push(At::Index(n));
                walk(s, v, item, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Whether dind reads the pods of this runner as Kubernetes' own types: a Pod, a workload's pod
/// template, a Jenkins agent pod, a runner's pod template. (An Argo template or a Tekton step
/// has fields of its own.)
pub(super) fn checked(runner: Runner) -> bool {
    matches!(
        runner,
        Runner::Kubernetes | Runner::Batch | Runner::Jenkins | Runner::ActionsRunner
    )
}

/// DIND043 for every key of `pod` (Pod-shaped: `metadata`, `spec`) that Kubernetes does not read
/// where it is written. A key holding a template marker is left alone.
pub(super) fn misplaced(pod: &Value, runner: Runner) -> Misplacements {
    let s = PodSchema::get();
    let mut found = Vec::new();
    walk(s, pod, &s.root, &mut Vec::new(), &mut found);
    let reader = if runner == Runner::Jenkins {
        "Jenkins reads pod YAML with fabric8, which drops it without a word"
    } else {
        "`kubectl apply` refuses the pod (strict field validation: unknown field)"
    };
    found.retain(|m| !m.key.contains("{{") && !m.key.contains("${"));
    let unprivileged = found
        .iter()
        .filter(|m| m.privilege)
        .filter_map(|m| container_of(pod, &m.path))
        .map(str::to_string)
        .collect();
    let diagnostics = found
        .into_iter()
        .map(|m| {
            let hint = match (&m.belongs, &m.near) {
                (Some(place), _) => format!("; Kubernetes reads `{}` at `{place}`", m.key),
                (None, Some(near)) => format!("; did you mean `{near}`?"),
                (None, None) => String::new(),
            };
            let consequence = if m.privilege && container_of(pod, &m.path).is_some() {
                "; the container runs unprivileged, and a daemon there cannot start"
            } else {
                ""
            };
            let d = Diagnostic::rule(
                Code::Dind043,
                m.path.clone(),
                format!(
                    "`{}` is not a field Kubernetes reads here: {reader}{hint}{consequence}",
                    m.key
                ),
            );
            let d = match move_to(pod, &m) {
                Some(to) => d.with_fix(Fix::unsafe_(
                    format!("move it to `{to}`"),
                    vec![PodEdit::remove(m.path.clone()), PodEdit::set(to, m.value.clone())],
                )),
                None => d,
            };
            match container_of(pod, &m.path) {
                Some(name) => d.in_container(name),
                None => d,
            }
        })
        .collect();
    Misplacements {
        diagnostics,
        unprivileged,
    }
}

/// Where the fix moves a misplaced key: the one place Kubernetes reads it nearest (in the same
/// container, not "every container"), or the field it resembles beside it; only when nothing is
/// written there yet.
fn move_to(pod: &Value, m: &Misplaced) -> Option<String> {
    let to = match (&m.belongs, &m.near) {
        (Some(place), _) if !place.contains("[*]") => place.clone(),
        (None, Some(near)) => match m.path.rsplit_once('.') {
            Some((parent, _)) => format!("{parent}.{near}"),
            None => near.clone(),
        },
        _ => return None,
    };
    (value_at(pod, &to).is_none()).then_some(to)
}

/// The value at a dotted path with `[n]` indices.
fn value_at<'p>(pod: &'p Value, path: &str) -> Option<&'p Value> {
    let mut v = pod;
    for seg in path.split('.') {
        let (key, indices) = seg.split_once('[').map_or((seg, ""), |(k, r)| (k, r));
        v = v.get(key)?;
        for i in indices.split('[').filter(|s| !s.is_empty()) {
            v = v.get(i.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(v)
}

/// The name of the container a path is in (`spec.containers[1].privileged`).
fn container_of<'p>(pod: &'p Value, path: &str) -> Option<&'p str> {
    let rest = path.strip_prefix("spec.")?;
    let (list, rest) = rest.split_once('[')?;
    if !matches!(list, "containers" | "initContainers" | "ephemeralContainers") {
        return None;
    }
    let index: usize = rest.split_once(']')?.0.parse().ok()?;
    pod.get("spec")?.get(list)?.get(index)?.get("name")?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(yaml: &str) -> Vec<(String, String)> {
        let pod: Value = serde_yaml::from_str(yaml).unwrap();
        misplaced(&pod, Runner::Kubernetes)
            .diagnostics
            .into_iter()
            .map(|d| (d.path, d.message))
            .collect()
    }

    #[test]
    fn keys_are_checked_against_the_schema_with_where_they_belong() {
        let found = messages(
            "spec:\n  securityContext: {fsGroup: 1000, privileged: true}\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    privileged: true\n    requests: {memory: 1Gi}\n    imagePullPolcy: Always\n    securityContext: {fsGroup: 1}\n    env: [{name: A, valeu: b}]\n",
        );
        let by_path: HashMap<&str, &str> = found.iter().map(|(p, m)| (p.as_str(), m.as_str())).collect();
        assert!(
            by_path["spec.containers[0].privileged"].contains("at `spec.containers[0].securityContext.privileged`"),
            "{found:#?}"
        );
        assert!(by_path["spec.containers[0].requests"].contains("at `spec.containers[0].resources.requests`"));
        assert!(
            by_path["spec.securityContext.privileged"].contains("at `spec.containers[*].securityContext.privileged`")
        );
        assert!(by_path["spec.containers[0].securityContext.fsGroup"].contains("at `spec.securityContext.fsGroup`"));
        assert!(by_path["spec.containers[0].imagePullPolcy"].contains("did you mean `imagePullPolicy`?"));
        assert!(by_path["spec.containers[0].env[0].valeu"].contains("did you mean `value`?"));
        // The pod's own `fsGroup` and the container's fields are where they belong.
        assert_eq!(found.len(), 6, "{found:#?}");
    }

    #[test]
    fn maps_free_values_and_known_fields_are_not_findings() {
        let found = messages(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {app.kubernetes.io/name: x}\n  annotations: {dind/allow: DIND006}\nspec:\n  nodeSelector: {kubernetes.io/os: linux}\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    resources: {requests: {memory: 1Gi, cpu: 500m}}\n    ports: [{containerPort: 2376}]\n    startupProbe: {exec: {command: [docker, info]}}\n  volumes: [{name: d, emptyDir: {medium: Memory}}]\n",
        );
        assert!(found.is_empty(), "{found:#?}");
    }
}
