//! Argo Workflows: every template that runs a container (`container`, `script`, `containerSet`)
//! is one pod: the main container (named `main`, as Argo names it) beside the template's
//! `sidecars`, with the volumes of the workflow spec and the template. Argo starts sidecars
//! beside the main container and waits for none of them ([`Runner::Argo`]). A sidecar with
//! `mirrorVolumeMounts: true` gets the main container's mounts.

use serde_json::{Map, Value, json};

use super::{Found, PathMap, Site, join, label};
use crate::rules::Runner;
use crate::wiring::words::program;

/// Shells whose `-c` takes a script: Argo runs `command` with the script file, so for the
/// analysis a shell script is the shell's `-c` argument.
fn is_shell(command: &[Value]) -> bool {
    command
        .first()
        .and_then(Value::as_str)
        .is_some_and(|c| matches!(program(c), "sh" | "bash" | "ash" | "dash" | "zsh"))
}

pub(super) fn locate(kind: &str, doc: &Value) -> Found {
    let spec_at = match kind {
        "Workflow" | "WorkflowTemplate" | "ClusterWorkflowTemplate" => "spec",
        "CronWorkflow" => "spec.workflowSpec",
        _ => return Found::Skipped(format!("Argo `kind: {kind}` holds no pod")),
    };
    locate_at(kind, doc, spec_at)
}

/// Where a document of another group keeps Argo-shaped templates (`spec.templates[]`, or
/// `spec.workflowSpec.templates[]`, with a `container`, `script` or `containerSet`): a fork of
/// Argo Workflows under its own `apiVersion`.
pub(super) fn shaped(doc: &Value) -> Option<&'static str> {
    ["spec", "spec.workflowSpec"].into_iter().find(|at| {
        doc.pointer(&format!("/{}/templates", at.replace('.', "/")))
            .and_then(Value::as_array)
            .is_some_and(|ts| {
                ts.iter().any(|t| {
                    ["container", "script", "containerSet"]
                        .iter()
                        .any(|k| t.get(k).is_some_and(Value::is_object))
                })
            })
    })
}

/// The pods of an Argo-shaped document whose workflow spec is at `spec_at`.
pub(super) fn locate_at(kind: &str, doc: &Value, spec_at: &str) -> Found {
    let pointer = format!("/{}", spec_at.replace('.', "/"));
    let Some(spec) = doc.pointer(&pointer).and_then(Value::as_object) else {
        return Found::Skipped(format!("an Argo {kind} without a spec"));
    };
    let templates = spec
        .get("templates")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut sites = Vec::new();
    for (i, t) in templates.iter().enumerate() {
        let at = format!("{spec_at}.templates[{i}]");
        if let Some(site) = template(doc, kind, spec, t, &at, spec_at) {
            sites.push(site);
        }
    }
    if sites.is_empty() {
        Found::Skipped(format!("an Argo {kind} without container templates"))
    } else {
        Found::Pods(sites)
    }
}

fn template(doc: &Value, kind: &str, spec: &Map<String, Value>, t: &Value, at: &str, spec_at: &str) -> Option<Site> {
    let t = t.as_object()?;
    let mut paths = PathMap::rooted(at)
        .rule("spec", at)
        .rule("metadata", join(at, "metadata"));
    let mut containers = Vec::new();
    if let Some(main) = t.get("container").and_then(Value::as_object) {
        let mut c = main.clone();
        c.entry("name").or_insert_with(|| json!("main"));
        paths = paths.rule("spec.containers[0]", join(at, "container"));
        containers.push(Value::Object(c));
    } else if let Some(script) = t.get("script").and_then(Value::as_object) {
        let mut c = script.clone();
        c.entry("name").or_insert_with(|| json!("main"));
        let source = c.remove("source").unwrap_or(Value::Null);
        let command = c.get("command").and_then(Value::as_array).cloned().unwrap_or_default();
        if is_shell(&command) {
            c.insert("args".into(), json!(["-c", source]));
            paths = paths.rule("spec.containers[0].args", join(at, "script.source"));
        }
        paths = paths.rule("spec.containers[0]", join(at, "script"));
        containers.push(Value::Object(c));
    } else if let Some(set) = t
        .get("containerSet")
        .and_then(|c| c.get("containers"))
        .and_then(Value::as_array)
    {
        for (k, c) in set.iter().enumerate() {
            paths = paths.rule(
                format!("spec.containers[{k}]"),
                join(at, &format!("containerSet.containers[{k}]")),
            );
            containers.push(c.clone());
        }
    } else {
        return None;
    }
    let main_mounts = containers
        .first()
        .and_then(|c| c.get("volumeMounts"))
        .cloned()
        .unwrap_or(Value::Null);
    for (k, s) in t
        .get("sidecars")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mut s = s.clone();
        if let Some(o) = s.as_object_mut()
            && o.get("mirrorVolumeMounts").and_then(Value::as_bool) == Some(true)
            && main_mounts.is_array()
        {
            let mut mounts = o
                .get("volumeMounts")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for m in main_mounts.as_array().into_iter().flatten() {
                let path = m.get("mountPath");
                if !mounts.iter().any(|x| x.get("mountPath") == path) {
                    mounts.push(m.clone());
                }
            }
            o.insert("volumeMounts".into(), Value::Array(mounts));
        }
        let index = containers.len();
        paths = paths.rule(format!("spec.containers[{index}]"), join(at, &format!("sidecars[{k}]")));
        containers.push(s);
    }
    // Volumes: the workflow's, the template's, and the workflow's volumeClaimTemplates (each a
    // PVC volume of the same name).
    let mut volumes = Vec::new();
    for (source, list) in [
        (join(spec_at, "volumes"), spec.get("volumes")),
        (join(at, "volumes"), t.get("volumes")),
    ] {
        for (k, v) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
            paths = paths.rule(format!("spec.volumes[{}]", volumes.len()), format!("{source}[{k}]"));
            volumes.push(v.clone());
        }
    }
    for (k, claim) in spec
        .get("volumeClaimTemplates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(name) = claim.pointer("/metadata/name").and_then(Value::as_str) {
            paths = paths.rule(
                format!("spec.volumes[{}]", volumes.len()),
                join(spec_at, &format!("volumeClaimTemplates[{k}]")),
            );
            volumes.push(json!({"name": name, "persistentVolumeClaim": {"claimName": name}}));
        }
    }
    let mut pod_spec = Map::new();
    pod_spec.insert("containers".into(), Value::Array(containers));
    if let Some(init) = t.get("initContainers") {
        pod_spec.insert("initContainers".into(), init.clone());
        paths = paths.rule("spec.initContainers", join(at, "initContainers"));
    }
    if !volumes.is_empty() {
        pod_spec.insert("volumes".into(), Value::Array(volumes));
    }
    for (field, value) in [
        (
            "securityContext",
            t.get("securityContext").or_else(|| spec.get("securityContext")),
        ),
        (
            "serviceAccountName",
            t.get("serviceAccountName").or_else(|| spec.get("serviceAccountName")),
        ),
        (
            "nodeSelector",
            t.get("nodeSelector").or_else(|| spec.get("nodeSelector")),
        ),
    ] {
        if let Some(v) = value {
            pod_spec.insert(field.into(), v.clone());
            let from = if t.contains_key(field) {
                join(at, field)
            } else {
                join(spec_at, field)
            };
            paths = paths.rule(format!("spec.{field}"), from);
        }
    }
    let name = t.get("name").and_then(Value::as_str).unwrap_or("");
    let mut pod = Map::new();
    if let Some(m) = t.get("metadata").filter(|m| m.is_object()) {
        pod.insert("metadata".into(), m.clone());
    }
    pod.insert("spec".into(), Value::Object(pod_spec));
    Some(Site {
        label: format!("{}, template {name}", label(kind, doc)),
        pod: Value::Object(pod),
        paths,
        runner: Runner::Argo,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{Found, locate};

    #[test]
    fn a_template_with_sidecars_is_one_pod_with_mirrored_mounts() {
        let doc = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "spec": {
                "volumes": [{"name": "cache", "emptyDir": {}}],
                "templates": [
                    {"name": "entry", "steps": [[{"name": "b", "template": "build"}]]},
                    {"name": "build",
                     "script": {"image": "docker:29.7.2-cli", "command": ["sh"], "source": "docker info",
                                "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]},
                     "sidecars": [{"name": "dind", "image": "docker:29.7.2-dind", "mirrorVolumeMounts": true}]}
                ]
            }
        });
        let Found::Pods(sites) = locate(&doc) else { panic!() };
        assert_eq!(sites.len(), 1);
        let s = &sites[0];
        let c = &s.pod["spec"]["containers"];
        assert_eq!(c[0]["name"], "main");
        assert_eq!(c[0]["args"], json!(["-c", "docker info"]));
        assert_eq!(c[1]["volumeMounts"][0]["mountPath"], "/cache");
        assert_eq!(
            s.paths.map("spec.containers[1].securityContext"),
            "spec.templates[1].sidecars[0].securityContext"
        );
        assert_eq!(
            s.paths.map("spec.containers[0].args"),
            "spec.templates[1].script.source"
        );
        assert_eq!(
            s.paths.map("spec.containers[0].image"),
            "spec.templates[1].script.image"
        );
        assert_eq!(s.paths.map("spec.volumes[0]"), "spec.volumes[0]");
    }

    #[test]
    fn cron_workflows_keep_their_spec_below_workflow_spec() {
        let doc = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow",
            "spec": {"workflowSpec": {"templates": [{"name": "t", "container": {"image": "alpine"}}]}}});
        let Found::Pods(sites) = locate(&doc) else { panic!() };
        assert_eq!(
            sites[0].paths.map("spec.containers[0]"),
            "spec.workflowSpec.templates[0].container"
        );
        let other = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "EventSource", "spec": {}});
        assert!(matches!(locate(&other), Found::Skipped(_)));
    }
}
