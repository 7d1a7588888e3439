//! actions-runner-controller: the runner pod template of an `AutoscalingRunnerSet` (and of the
//! `gha-runner-scale-set` chart's values, alone, under an umbrella chart's key, or in a Flux
//! `HelmRelease`'s `spec.values`), and of the older `RunnerSet`/`RunnerDeployment`.
//!
//! dind lints the pod that is written. With `containerMode.type: dind` and no `dind` container
//! of your own, the chart adds its own daemon, which dind does not re-create.

use serde_json::Value;

use super::{Found, PathMap, Site, join, label, pod_of};
use crate::rules::Runner;

/// Keys that only the gha-runner-scale-set values carry.
const VALUES_KEYS: &[&str] = &[
    "githubConfigUrl",
    "githubConfigSecret",
    "runnerScaleSetName",
    "containerMode",
];

pub(super) fn locate(kind: &str, doc: &Value) -> Found {
    match kind {
        "AutoscalingRunnerSet" | "EphemeralRunnerSet" | "RunnerSet" => template_at(doc, "spec.template", kind),
        "EphemeralRunner" => template_at(doc, "spec", kind),
        "RunnerDeployment" | "RunnerReplicaSet" => {
            if doc.pointer("/spec/template/spec/containers").is_some() {
                template_at(doc, "spec.template", kind)
            } else {
                Found::Skipped(format!(
                    "a {kind} without `containers`: the controller builds its pod (runner and docker sidecar)"
                ))
            }
        }
        "HelmRelease" => match doc.pointer("/spec/values").and_then(|v| values_at(v, "spec.values")) {
            Some(mut sites) => {
                for s in &mut sites {
                    s.label = format!("{} ({})", label(kind, doc), s.label);
                }
                Found::Pods(sites)
            }
            None => Found::Skipped("a HelmRelease whose values hold no runner pod".into()),
        },
        _ => Found::Skipped(format!("`kind: {kind}` holds no pod")),
    }
}

fn template_at(doc: &Value, at: &str, kind: &str) -> Found {
    let pointer = format!("/{}", at.replace('.', "/"));
    let template = doc.pointer(&pointer);
    match template
        .and_then(|t| t.get("spec"))
        .filter(|s| s.get("containers").is_some())
    {
        Some(spec) => Found::Pods(vec![Site {
            label: label(kind, doc),
            pod: pod_of(template.and_then(|t| t.get("metadata")), spec.clone()),
            paths: PathMap::template(at),
            runner: Runner::ActionsRunner,
        }]),
        None => Found::Skipped(format!("a {kind} without `spec.containers` in its template")),
    }
}

fn is_values(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| VALUES_KEYS.iter().any(|k| m.contains_key(*k)))
}

/// The runner pod of gha-runner-scale-set values at `at`, or of values one key down (an umbrella
/// chart's `gha-runner-scale-set:` section).
fn values_at(v: &Value, at: &str) -> Option<Vec<Site>> {
    let mut out = Vec::new();
    let mut one = |values: &Value, at: String| {
        if !is_values(values) {
            return;
        }
        if let Some(spec) = values
            .pointer("/template/spec")
            .filter(|s| s.get("containers").is_some())
        {
            let mode = values
                .pointer("/containerMode/type")
                .and_then(Value::as_str)
                .unwrap_or("");
            let label = if mode.is_empty() {
                "runner scale set values".to_string()
            } else {
                format!("runner scale set values, containerMode {mode}")
            };
            out.push(Site {
                label,
                pod: pod_of(values.pointer("/template/metadata"), spec.clone()),
                paths: PathMap::template(&join(&at, "template")),
                runner: Runner::ActionsRunner,
            });
        }
    };
    one(v, at.to_string());
    if let Some(map) = v.as_object() {
        for (k, sub) in map {
            // A key with a dot would make an ambiguous path; such charts are rare.
            if !k.contains(['.', '[']) {
                one(sub, join(at, k));
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A document without `kind` that is gha-runner-scale-set values; `None` when it is not.
pub(super) fn values(doc: &Value) -> Option<Found> {
    let direct = is_values(doc);
    let nested = doc.as_object().is_some_and(|m| m.values().any(is_values));
    if !direct && !nested {
        return None;
    }
    Some(match values_at(doc, "") {
        Some(sites) => Found::Pods(sites),
        None => Found::Skipped("runner scale set values without `template.spec.containers`".into()),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{Found, locate};

    #[test]
    fn values_files_alone_nested_and_in_a_helm_release() {
        let values = json!({"githubConfigUrl": "https://github.com/o", "containerMode": {"type": "dind"},
            "template": {"spec": {"containers": [{"name": "runner", "image": "ghcr.io/actions/actions-runner:2.330.0"}]}}});
        let Found::Pods(s) = locate(&values) else { panic!() };
        assert_eq!(
            s[0].paths.map("spec.containers[0].image"),
            "template.spec.containers[0].image"
        );
        let umbrella = json!({"namespace": "ci", "gha-runner-scale-set": values});
        let Found::Pods(s) = locate(&umbrella) else { panic!() };
        assert_eq!(
            s[0].paths.map("spec.containers[0]"),
            "gha-runner-scale-set.template.spec.containers[0]"
        );
        let release =
            json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "spec": {"values": values}});
        let Found::Pods(s) = locate(&release) else { panic!() };
        assert_eq!(
            s[0].paths.map("spec.containers[0]"),
            "spec.values.template.spec.containers[0]"
        );
        let other = json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "spec": {"values": {"replicas": 2}}});
        assert!(matches!(locate(&other), Found::Skipped(_)));
        assert!(matches!(locate(&json!({"githubConfigUrl": "x"})), Found::Skipped(_)));
    }

    #[test]
    fn runner_sets_and_deployments() {
        let set = json!({"apiVersion": "actions.github.com/v1alpha1", "kind": "AutoscalingRunnerSet",
            "spec": {"template": {"spec": {"containers": [{"name": "runner"}]}}}});
        let Found::Pods(s) = locate(&set) else { panic!() };
        assert_eq!(s[0].paths.map("spec.containers[0]"), "spec.template.spec.containers[0]");
        let dep = json!({"apiVersion": "actions.summerwind.dev/v1alpha1", "kind": "RunnerDeployment",
            "spec": {"template": {"spec": {"repository": "o/r"}}}});
        assert!(matches!(locate(&dep), Found::Skipped(_)));
    }
}
