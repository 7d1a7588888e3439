//! Tekton: a task spec is one pod. Steps are containers named `step-<name>`, run one after
//! another; sidecars (`sidecar-<name>`) start first, and the steps wait until every sidecar is
//! ready ([`Runner::Tekton`]). `stepTemplate` fills what a step leaves unset; a step's `script`
//! runs in a shell; `computeResources` is the step's `resources`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Found, PathMap, Site, join, label};
use crate::rules::Runner;

/// A task spec found in a document: where it is, the spec, the pipeline task's name, and the
/// parameter values given to it (a TaskRun's or a pipeline task's `params`).
struct Embedded<'d> {
    at: String,
    spec: &'d Value,
    task: String,
    given: Params,
}

pub(super) fn locate(kind: &str, doc: &Value) -> Found {
    let mut specs: Vec<Embedded> = Vec::new();
    match kind {
        "Task" | "ClusterTask" => return locate_task(kind, doc),
        "TaskRun" => {
            if let Some(spec) = doc.pointer("/spec/taskSpec") {
                let given = given(doc.pointer("/spec/params"), "spec.params", &Params::new());
                specs.push(Embedded {
                    at: "spec.taskSpec".into(),
                    spec,
                    task: String::new(),
                    given,
                });
            }
        }
        "Pipeline" | "PipelineRun" => {
            let base = if kind == "Pipeline" {
                "spec"
            } else {
                "spec.pipelineSpec"
            };
            let pointer = format!("/{}", base.replace('.', "/"));
            // The pipeline's own parameters: its defaults, a PipelineRun's values over them.
            let mut outer = declared(doc.pointer(&pointer), base);
            if kind == "PipelineRun" {
                outer.extend(given(doc.pointer("/spec/params"), "spec.params", &Params::new()));
            }
            for list in ["tasks", "finally"] {
                let tasks = doc
                    .pointer(&format!("{pointer}/{list}"))
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                for (i, t) in tasks.iter().enumerate() {
                    if let Some(spec) = t.get("taskSpec") {
                        let name = t.get("name").and_then(Value::as_str).unwrap_or("").to_string();
                        let at = format!("{base}.{list}[{i}]");
                        let given = given(t.get("params"), &join(&at, "params"), &outer);
                        specs.push(Embedded {
                            at: join(&at, "taskSpec"),
                            spec,
                            task: name,
                            given,
                        });
                    }
                }
            }
        }
        _ => return Found::Skipped(format!("Tekton `kind: {kind}` holds no pod")),
    }
    let sites: Vec<Site> = specs
        .into_iter()
        .filter_map(|e| {
            let mut site = with_params(e.spec, &e.at, e.given)?;
            site.label = if e.task.is_empty() {
                label(kind, doc)
            } else {
                format!("{}, task {}", label(kind, doc), e.task)
            };
            Some(site)
        })
        .collect();
    if sites.is_empty() {
        Found::Skipped(format!("a Tekton {kind} without steps"))
    } else {
        Found::Pods(sites)
    }
}

/// A task at the document's `spec` (a Tekton Task, or a fork's task-shaped kind).
pub(super) fn locate_task(kind: &str, doc: &Value) -> Found {
    match doc.get("spec").and_then(|s| with_params(s, "spec", Params::new())) {
        Some(mut site) => {
            site.label = label(kind, doc);
            Found::Pods(vec![site])
        }
        None => Found::Skipped(format!("a Tekton {kind} without steps")),
    }
}

/// Whether a document of another group is shaped as a Tekton task: `spec.steps[]` with images.
pub(super) fn shaped(doc: &Value) -> bool {
    doc.pointer("/spec/steps")
        .and_then(Value::as_array)
        .is_some_and(|steps| !steps.is_empty() && steps.iter().all(|s| s.get("image").is_some_and(Value::is_string)))
}

/// Known parameter values: name, the value, and the document path it is written at.
type Params = BTreeMap<String, (Value, String)>;

/// The `default`s of a spec's `params`.
fn declared(spec: Option<&Value>, at: &str) -> Params {
    let mut out = Params::new();
    for (i, p) in spec
        .and_then(|s| s.get("params"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let (Some(name), Some(default)) = (p.get("name").and_then(Value::as_str), p.get("default")) {
            out.insert(name.into(), (default.clone(), format!("{at}.params[{i}].default")));
        }
    }
    out
}

/// The `value`s of a run's or a pipeline task's `params`, with `outer`'s parameters substituted
/// in them; a value that still holds a `$(...)` is not known.
fn given(list: Option<&Value>, at: &str, outer: &Params) -> Params {
    let mut out = Params::new();
    for (i, p) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
        let (Some(name), Some(value)) = (p.get("name").and_then(Value::as_str), p.get("value")) else {
            continue;
        };
        let mut value = value.clone();
        let mut written = format!("{at}[{i}].value");
        if let Value::String(s) = &value
            && s.contains("$(")
        {
            match substitute_str(s, outer) {
                Some((v, whole)) if !v.contains("$(") => {
                    if let Some(w) = whole {
                        written = w;
                    }
                    value = Value::String(v);
                }
                _ => continue,
            }
        }
        out.insert(name.into(), (value, written));
    }
    out
}

/// A task spec with its parameters substituted (`given` over the spec's own defaults), as a site
/// whose substituted values point at the lines of the values they came from.
fn with_params(spec: &Value, at: &str, given: Params) -> Option<Site> {
    let mut params = declared(Some(spec), at);
    params.extend(given);
    if params.is_empty() {
        return task_spec(spec, at);
    }
    let mut spec = spec.clone();
    let mut redirects = Vec::new();
    for key in ["steps", "sidecars", "stepTemplate", "volumes"] {
        if let Some(v) = spec.get_mut(key) {
            substitute(v, &join(at, key), &params, &mut redirects);
        }
    }
    let mut site = task_spec(&spec, at)?;
    for (from, to) in redirects {
        site.paths = site.paths.redirect(from, to);
    }
    Some(site)
}

/// Substitutes `$(params.NAME)` (and `$(params["NAME"])`, `$(params.OBJECT.KEY)`) in every
/// string below `v`; an argument that is exactly `$(params.NAME[*])` of an array parameter
/// becomes its items. A string that is exactly one reference points at the parameter's line.
fn substitute(v: &mut Value, at: &str, params: &Params, redirects: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => {
            if let Some((new, whole)) = substitute_str(s, params) {
                if let Some(w) = whole {
                    redirects.push((at.to_string(), w));
                }
                *s = new;
            }
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, mut item) in std::mem::take(items).into_iter().enumerate() {
                let spliced = item.as_str().and_then(|s| array_param(s, params));
                match spliced {
                    Some(values) => out.extend(values.iter().cloned()),
                    None => {
                        substitute(&mut item, &format!("{at}[{i}]"), params, redirects);
                        out.push(item);
                    }
                }
            }
            *items = out;
        }
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                substitute(item, &join(at, k), params, redirects);
            }
        }
        _ => {}
    }
}

/// The items of an array parameter that `s` is exactly (`$(params.NAME[*])`).
fn array_param<'p>(s: &str, params: &'p Params) -> Option<&'p Vec<Value>> {
    let name = s.strip_prefix("$(params.")?.strip_suffix("[*])")?;
    params.get(name)?.0.as_array()
}

/// `s` with every known string parameter substituted, and, when `s` is exactly one reference,
/// the path of the value it came from; `None` when nothing was substituted.
fn substitute_str(s: &str, params: &Params) -> Option<(String, Option<String>)> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    let mut whole = None;
    while let Some(i) = rest.find("$(params") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match reference(tail).and_then(|(name, key, len)| Some((lookup(params, name, key)?, len))) {
            Some(((value, written), len)) => {
                if i == 0 && len == rest.len() && out.is_empty() {
                    whole = Some(written.clone());
                }
                out.push_str(value);
                rest = &tail[len..];
                changed = true;
            }
            None => {
                out.push_str("$(params");
                rest = &tail["$(params".len()..];
            }
        }
    }
    out.push_str(rest);
    changed.then_some((out, whole))
}

/// A reference at the start of `s`: the parameter, an object key, and its length.
fn reference(s: &str) -> Option<(&str, Option<&str>, usize)> {
    let body = s.strip_prefix("$(params")?;
    let end = body.find(')')?;
    let inner = &body[..end];
    let len = "$(params".len() + end + 1;
    if let Some(dotted) = inner.strip_prefix('.') {
        return match dotted.split_once('.') {
            Some((name, key)) => Some((name, Some(key), len)),
            None => Some((dotted, None, len)),
        };
    }
    for q in ['"', '\''] {
        if let Some(name) = inner
            .strip_prefix(&format!("[{q}"))
            .and_then(|r| r.strip_suffix(&format!("{q}]")))
        {
            return Some((name, None, len));
        }
    }
    None
}

/// A string parameter's value (or an object parameter's key) and where it is written.
fn lookup<'p>(params: &'p Params, name: &str, key: Option<&str>) -> Option<(&'p str, &'p String)> {
    // A name with dots is written in brackets; a dotted reference to one is tried whole first.
    if let Some(k) = key
        && let Some((Value::String(v), at)) = params.get(&format!("{name}.{k}"))
    {
        return Some((v, at));
    }
    let (value, at) = params.get(name)?;
    match (value, key) {
        (Value::String(v), None) => Some((v, at)),
        (Value::Object(o), Some(k)) => o.get(k).and_then(Value::as_str).map(|v| (v, at)),
        _ => None,
    }
}

/// A step with `stepTemplate` applied: the step's fields win; `env` and `volumeMounts` are
/// merged by name and mount path, the step's entries winning.
fn with_template(step: &Map<String, Value>, template: Option<&Map<String, Value>>) -> Map<String, Value> {
    let mut out = template.cloned().unwrap_or_default();
    for (k, v) in step {
        match (k.as_str(), out.get(k), v) {
            ("env" | "volumeMounts", Some(Value::Array(base)), Value::Array(own)) => {
                let key = if k == "env" { "name" } else { "mountPath" };
                let mut merged: Vec<Value> = base
                    .iter()
                    .filter(|b| !own.iter().any(|o| o.get(key) == b.get(key)))
                    .cloned()
                    .collect();
                merged.extend(own.iter().cloned());
                out.insert(k.clone(), Value::Array(merged));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// A step or sidecar as a container: its Tekton name, `script` as a shell's `-c` argument,
/// `computeResources` as `resources`.
fn container(
    c: &Map<String, Value>,
    prefix: &str,
    index: usize,
    at: &str,
    paths: &mut PathMap,
    pod_index: usize,
) -> Value {
    let mut c = c.clone();
    let name = match c.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => format!("{prefix}-{n}"),
        _ => format!("{prefix}-unnamed-{index}"),
    };
    c.insert("name".into(), json!(name));
    let here = format!("spec.containers[{pod_index}]");
    if let Some(script) = c.remove("script") {
        let shebang = script.as_str().is_some_and(|s| s.starts_with("#!"));
        if shebang {
            c.insert("command".into(), json!([script]));
        } else {
            c.insert("command".into(), json!(["sh", "-c"]));
            c.insert("args".into(), json!([script]));
        }
        let to = join(at, "script");
        *paths = std::mem::take(paths)
            .rule(format!("{here}.command"), to.clone())
            .rule(format!("{here}.args"), to);
    }
    if let Some(r) = c.remove("computeResources") {
        c.insert("resources".into(), r);
        *paths = std::mem::take(paths).rule(format!("{here}.resources"), join(at, "computeResources"));
    }
    *paths = std::mem::take(paths).rule(here, at.to_string());
    Value::Object(c)
}

fn task_spec(spec: &Value, at: &str) -> Option<Site> {
    let spec = spec.as_object()?;
    let steps = spec.get("steps").and_then(Value::as_array)?;
    let template = spec.get("stepTemplate").and_then(Value::as_object);
    let mut paths = PathMap::rooted(at).rule("spec", at);
    let mut containers = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let Some(s) = s.as_object() else { continue };
        let merged = with_template(s, template);
        let index = containers.len();
        containers.push(container(
            &merged,
            "step",
            i,
            &join(at, &format!("steps[{i}]")),
            &mut paths,
            index,
        ));
    }
    for (i, s) in spec
        .get("sidecars")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(s) = s.as_object() else { continue };
        let index = containers.len();
        containers.push(container(
            s,
            "sidecar",
            i,
            &join(at, &format!("sidecars[{i}]")),
            &mut paths,
            index,
        ));
    }
    if containers.is_empty() {
        return None;
    }
    let mut pod_spec = Map::new();
    pod_spec.insert("containers".into(), Value::Array(containers));
    if let Some(v) = spec.get("volumes") {
        pod_spec.insert("volumes".into(), v.clone());
        paths = paths.rule("spec.volumes", join(at, "volumes"));
    }
    Some(Site {
        label: String::new(),
        pod: json!({ "spec": pod_spec }),
        paths,
        runner: Runner::Tekton,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{Found, locate};

    #[test]
    fn steps_and_sidecars_become_one_pod_with_tekton_names() {
        let doc = json!({"apiVersion": "tekton.dev/v1", "kind": "Task", "metadata": {"name": "build"},
        "spec": {
            "stepTemplate": {"env": [{"name": "DOCKER_HOST", "value": "tcp://localhost:2376"}, {"name": "A", "value": "1"}]},
            "steps": [{"name": "build", "image": "docker:29.7.2-cli", "script": "docker build .",
                       "env": [{"name": "A", "value": "2"}], "computeResources": {"limits": {"memory": "1Gi"}}}],
            "sidecars": [{"name": "server", "image": "docker:29.7.2-dind"}],
            "volumes": [{"name": "certs", "emptyDir": {}}]
        }});
        let Found::Pods(sites) = locate(&doc) else { panic!() };
        let s = &sites[0];
        let c = &s.pod["spec"]["containers"];
        assert_eq!(c[0]["name"], "step-build");
        assert_eq!(c[1]["name"], "sidecar-server");
        assert_eq!(c[0]["args"], json!(["docker build ."]));
        assert_eq!(
            c[0]["env"],
            json!([{"name": "DOCKER_HOST", "value": "tcp://localhost:2376"}, {"name": "A", "value": "2"}])
        );
        assert_eq!(c[0]["resources"]["limits"]["memory"], "1Gi");
        assert_eq!(s.paths.map("spec.containers[0].args"), "spec.steps[0].script");
        assert_eq!(
            s.paths.map("spec.containers[0].resources.limits"),
            "spec.steps[0].computeResources.limits"
        );
        assert_eq!(
            s.paths.map("spec.containers[1].securityContext"),
            "spec.sidecars[0].securityContext"
        );
        assert_eq!(s.paths.map("spec.volumes[0]"), "spec.volumes[0]");
    }

    #[test]
    fn pipelines_yield_one_pod_per_embedded_task_spec() {
        let task = json!({"steps": [{"name": "s", "image": "alpine"}]});
        let doc = json!({"apiVersion": "tekton.dev/v1", "kind": "PipelineRun",
            "spec": {"pipelineSpec": {"tasks": [{"name": "a", "taskRef": {"name": "x"}}, {"name": "b", "taskSpec": task}],
                                      "finally": [{"name": "c", "taskSpec": task}]}}});
        let Found::Pods(sites) = locate(&doc) else { panic!() };
        assert_eq!(sites.len(), 2);
        assert_eq!(
            sites[0].paths.map("spec.containers[0]"),
            "spec.pipelineSpec.tasks[1].taskSpec.steps[0]"
        );
        assert_eq!(
            sites[1].paths.map("spec.containers[0]"),
            "spec.pipelineSpec.finally[0].taskSpec.steps[0]"
        );
        let refs_only = json!({"apiVersion": "tekton.dev/v1", "kind": "Pipeline", "spec": {"tasks": [{"name": "a", "taskRef": {"name": "x"}}]}});
        assert!(matches!(locate(&refs_only), Found::Skipped(_)));
    }

    #[test]
    fn parameter_defaults_and_given_values_are_substituted() {
        let doc = json!({"apiVersion": "tekton.dev/v1", "kind": "Task", "spec": {
            "params": [{"name": "dind", "default": "docker:29.7.2-dind"}, {"name": "tag", "default": "29"},
                       {"name": "flags", "type": "array", "default": ["--mtu=1400", "--debug"]},
                       {"name": "unknown"}],
            "steps": [{"name": "b", "image": "docker:$(params.tag)-cli", "args": ["$(params.flags[*])", "$(params.unknown)"]}],
            "sidecars": [{"name": "d", "image": "$(params.dind)"}]}});
        let Found::Pods(sites) = locate(&doc) else { panic!() };
        let c = &sites[0].pod["spec"]["containers"];
        assert_eq!(c[0]["image"], "docker:29-cli");
        assert_eq!(c[0]["args"], json!(["--mtu=1400", "--debug", "$(params.unknown)"]));
        assert_eq!(c[1]["image"], "docker:29.7.2-dind");
        // A value that is one reference is written at the parameter's default.
        assert_eq!(sites[0].paths.map("spec.containers[1].image"), "spec.params[0].default");
        assert_eq!(sites[0].paths.map("spec.containers[0].image"), "spec.steps[0].image");

        let run = json!({"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "spec": {
            "params": [{"name": "version", "value": "29.7.2"}],
            "pipelineSpec": {"params": [{"name": "version", "default": "28"}],
                "tasks": [{"name": "t", "params": [{"name": "img", "value": "docker:$(params.version)-dind"}],
                           "taskSpec": {"params": [{"name": "img"}], "steps": [{"name": "s", "image": "$(params['img'])"}]}}]}}});
        let Found::Pods(sites) = locate(&run) else { panic!() };
        assert_eq!(sites[0].pod["spec"]["containers"][0]["image"], "docker:29.7.2-dind");
        assert_eq!(
            sites[0].paths.map("spec.containers[0].image"),
            "spec.pipelineSpec.tasks[0].params[0].value"
        );
    }

    #[test]
    fn forks_are_read_by_their_shape() {
        let argo = json!({"apiVersion": "flows.example.com/v1", "kind": "Workflow", "spec": {"templates": [
            {"name": "build", "container": {"image": "docker:29.7.2-cli"},
             "sidecars": [{"name": "dind", "image": "docker:29.7.2-dind"}]}]}});
        let Found::Pods(sites) = locate(&argo) else { panic!() };
        assert!(
            sites[0].label.contains("read as an Argo workflow"),
            "{}",
            sites[0].label
        );
        assert_eq!(
            sites[0].paths.map("spec.containers[1]"),
            "spec.templates[0].sidecars[0]"
        );
        let tekton = json!({"apiVersion": "ci.example.com/v1", "kind": "BuildTask", "spec": {
            "steps": [{"name": "b", "image": "docker:29.7.2-cli"}]}});
        let Found::Pods(sites) = locate(&tekton) else { panic!() };
        assert_eq!(sites[0].pod["spec"]["containers"][0]["name"], "step-b");
        let other = json!({"apiVersion": "example.com/v1", "kind": "Thing", "spec": {"templates": [{"name": "x"}]}});
        assert!(matches!(locate(&other), Found::Skipped(_)));
    }
}
