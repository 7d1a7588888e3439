//! Tekton: a task spec is one pod. Steps are containers named `step-<name>`, run one after
//! another; sidecars (`sidecar-<name>`) start first, and the steps wait until every sidecar is
//! ready ([`Runner::Tekton`]). `stepTemplate` fills what a step leaves unset; a step's `script`
//! runs in a shell; `computeResources` is the step's `resources`.

use serde_json::{Map, Value, json};

use super::{Found, PathMap, Site, join, label};
use crate::rules::Runner;

pub(super) fn locate(kind: &str, doc: &Value) -> Found {
    let mut specs: Vec<(String, &Value, String)> = Vec::new();
    match kind {
        "Task" | "ClusterTask" => {
            if let Some(s) = doc.get("spec") {
                specs.push(("spec".into(), s, String::new()));
            }
        }
        "TaskRun" => {
            if let Some(s) = doc.pointer("/spec/taskSpec") {
                specs.push(("spec.taskSpec".into(), s, String::new()));
            }
        }
        "Pipeline" | "PipelineRun" => {
            let base = if kind == "Pipeline" {
                "spec"
            } else {
                "spec.pipelineSpec"
            };
            let pointer = format!("/{}", base.replace('.', "/"));
            for list in ["tasks", "finally"] {
                let tasks = doc
                    .pointer(&format!("{pointer}/{list}"))
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                for (i, t) in tasks.iter().enumerate() {
                    if let Some(s) = t.get("taskSpec") {
                        let name = t.get("name").and_then(Value::as_str).unwrap_or("").to_string();
                        specs.push((format!("{base}.{list}[{i}].taskSpec"), s, name));
                    }
                }
            }
        }
        _ => return Found::Skipped(format!("Tekton `kind: {kind}` holds no pod")),
    }
    let sites: Vec<Site> = specs
        .into_iter()
        .filter_map(|(at, spec, task)| {
            let mut site = task_spec(spec, &at)?;
            site.label = if task.is_empty() {
                label(kind, doc)
            } else {
                format!("{}, task {task}", label(kind, doc))
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
}
