//! Pods and the pod templates of the built-in workloads.

use serde_json::Value;

use super::{Found, PathMap, Site, label, object_at, pod_of};
use crate::rules::Runner;

/// Where each workload kind keeps its pod template, and who runs it.
const TEMPLATES: &[(&str, &str, Runner)] = &[
    ("PodTemplate", "/template", Runner::Kubernetes),
    ("Deployment", "/spec/template", Runner::Kubernetes),
    ("ReplicaSet", "/spec/template", Runner::Kubernetes),
    ("StatefulSet", "/spec/template", Runner::Kubernetes),
    ("DaemonSet", "/spec/template", Runner::Kubernetes),
    ("ReplicationController", "/spec/template", Runner::Kubernetes),
    ("Job", "/spec/template", Runner::Batch),
    ("CronJob", "/spec/jobTemplate/spec/template", Runner::Batch),
];

/// A document with a `kind` outside the CRD groups dind reads.
pub(super) fn locate(kind: &str, doc: &Value) -> Found {
    if kind == "Pod" {
        return match doc.pointer("/spec/containers") {
            Some(_) => Found::Pods(vec![Site {
                label: label("Pod", doc),
                pod: doc.clone(),
                paths: PathMap::identity(),
                runner: Runner::Kubernetes,
            }]),
            None => Found::Skipped("a Pod without `spec.containers`".into()),
        };
    }
    let Some((_, pointer, runner)) = TEMPLATES.iter().find(|(k, _, _)| *k == kind) else {
        return Found::Skipped(format!("`kind: {kind}` holds no pod"));
    };
    let Some(template) = object_at(doc, pointer) else {
        return Found::Skipped(format!("a {kind} without a pod template"));
    };
    let Some(spec) = template.get("spec").filter(|s| s.get("containers").is_some()) else {
        return Found::Skipped(format!("a {kind} whose template has no `spec.containers`"));
    };
    let at = pointer.trim_start_matches('/').replace('/', ".");
    Found::Pods(vec![Site {
        label: label(kind, doc),
        pod: pod_of(template.get("metadata"), spec.clone()),
        paths: PathMap::template(&at),
        runner: *runner,
    }])
}

/// The fields of a PodSpec (Kubernetes 1.25 to 1.37).
const POD_SPEC_FIELDS: &[&str] = &[
    "activeDeadlineSeconds",
    "affinity",
    "automountServiceAccountToken",
    "containers",
    "dnsConfig",
    "dnsPolicy",
    "enableServiceLinks",
    "ephemeralContainers",
    "hostAliases",
    "hostIPC",
    "hostNetwork",
    "hostPID",
    "hostUsers",
    "hostname",
    "hostnameOverride",
    "imagePullSecrets",
    "initContainers",
    "nodeName",
    "nodeSelector",
    "os",
    "overhead",
    "preemptionPolicy",
    "priority",
    "priorityClassName",
    "readinessGates",
    "resourceClaims",
    "resources",
    "restartPolicy",
    "runtimeClassName",
    "schedulerName",
    "schedulingGates",
    "securityContext",
    "serviceAccount",
    "serviceAccountName",
    "setHostnameAsFQDN",
    "shareProcessNamespace",
    "subdomain",
    "terminationGracePeriodSeconds",
    "tolerations",
    "topologySpreadConstraints",
    "volumes",
];

/// A bare pod spec: `containers` is a list, and every key is a PodSpec field whose value has
/// the field's shape where it is a string (`serviceAccount`, `hostname`, ...). The values of a
/// chart that merely has a `containers:` key beside `image:` or `serviceAccount: {create: true}`
/// are not one.
fn is_bare_pod_spec(doc: &Value) -> bool {
    const STRINGS: &[&str] = &[
        "dnsPolicy",
        "hostname",
        "nodeName",
        "preemptionPolicy",
        "priorityClassName",
        "restartPolicy",
        "runtimeClassName",
        "schedulerName",
        "serviceAccount",
        "serviceAccountName",
        "subdomain",
    ];
    let Some(map) = doc.as_object() else {
        return false;
    };
    map.get("containers").is_some_and(Value::is_array)
        && map.iter().all(|(k, v)| {
            POD_SPEC_FIELDS.contains(&k.as_str()) && (!STRINGS.contains(&k.as_str()) || v.is_string() || v.is_null())
        })
}

/// A document without `kind`: a pod without `kind`/`apiVersion`, or a bare pod spec
/// (`containers:` at the top, as Jenkins `yaml:` fragments and Helm values often are).
pub(super) fn locate_unkinded(doc: &Value) -> Found {
    if doc.pointer("/spec/containers").is_some() {
        return Found::Pods(vec![Site {
            label: "Pod".into(),
            pod: doc.clone(),
            paths: PathMap::identity(),
            runner: Runner::Kubernetes,
        }]);
    }
    if is_bare_pod_spec(doc) {
        return Found::Pods(vec![Site {
            label: "pod spec".into(),
            pod: pod_of(None, doc.clone()),
            paths: PathMap::rooted("").rule("spec", ""),
            runner: Runner::Kubernetes,
        }]);
    }
    if let Some(map) = doc.as_object().filter(|m| m.contains_key("containers")) {
        let other: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !POD_SPEC_FIELDS.contains(k))
            .take(3)
            .collect();
        let why = if other.is_empty() {
            "fields of the wrong shape".to_string()
        } else {
            format!("keys that are not pod spec fields (`{}`)", other.join("`, `"))
        };
        return Found::Skipped(format!("no `kind`, and not a pod spec: `containers:` beside {why}"));
    }
    Found::Skipped("no `kind` and no pod".into())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::locate;
    use super::*;

    fn one(doc: Value) -> Site {
        match locate(&doc) {
            Found::Pods(mut s) if s.len() == 1 => s.remove(0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn values_that_resemble_a_pod_spec_are_not_one() {
        let spec = json!({"containers": [{"name": "a"}], "serviceAccountName": "ci", "volumes": []});
        assert!(matches!(locate(&spec), Found::Pods(_)));
        for not_spec in [
            json!({"containers": [{"name": "a"}], "serviceAccount": {"create": true}}),
            json!({"containers": [{"name": "a"}], "image": {"repository": "x"}, "replicaCount": 1}),
            json!({"containers": {"a": {"image": "x"}}}),
        ] {
            assert!(matches!(locate(&not_spec), Found::Skipped(_)), "{not_spec}");
        }
    }

    #[test]
    fn every_workload_template_is_found_with_its_paths() {
        let c = json!({"containers": [{"name": "a"}]});
        for (kind, doc, path) in [
            (
                "Deployment",
                json!({"kind": "Deployment", "spec": {"template": {"spec": c}}}),
                "spec.template.spec.containers[0]",
            ),
            (
                "Job",
                json!({"kind": "Job", "spec": {"template": {"spec": c}}}),
                "spec.template.spec.containers[0]",
            ),
            (
                "CronJob",
                json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": c}}}}}),
                "spec.jobTemplate.spec.template.spec.containers[0]",
            ),
            (
                "PodTemplate",
                json!({"kind": "PodTemplate", "template": {"spec": c}}),
                "template.spec.containers[0]",
            ),
        ] {
            let s = one(doc);
            assert_eq!(s.paths.map("spec.containers[0]"), path, "{kind}");
            assert_eq!(s.pod["spec"], c, "{kind}");
        }
        let s = one(json!({"kind": "Job", "spec": {"template": {"spec": c}}}));
        assert_eq!(s.runner, Runner::Batch);
    }

    #[test]
    fn lists_are_opened_and_other_kinds_are_skipped() {
        let pod = json!({"kind": "Pod", "spec": {"containers": [{"name": "a"}]}});
        let list = json!({"kind": "List", "items": [{"kind": "ConfigMap"}, pod]});
        let Found::Pods(s) = locate(&list) else { panic!() };
        assert_eq!(
            s[0].paths.map("spec.containers[0].image"),
            "items[1].spec.containers[0].image"
        );
        for doc in [
            json!({"kind": "ConfigMap", "data": {"a": "b"}}),
            json!({"kind": "Service"}),
            json!({"kind": "Deployment"}),
            json!({"kind": "Pod"}),
            json!({"name": "values"}),
            json!("text"),
            json!([1, 2]),
        ] {
            assert!(matches!(locate(&doc), Found::Skipped(_)), "{doc}");
        }
    }

    #[test]
    fn a_bare_spec_maps_spec_away() {
        let s = one(json!({"containers": [{"name": "a"}]}));
        assert_eq!(s.paths.map("spec.containers[0].args"), "containers[0].args");
    }
}
