//! The defaults the Jenkins Kubernetes plugin gives every agent pod, whatever wrote it (a `yaml`
//! literal, `containerTemplate`s, a JCasC template, the Helm chart's values, a `yamlFile`), after
//! `PodTemplateBuilder.build` and its `DefaultWorkspaceVolume` decorator:
//! - the agent container is the one named `jnlp`; one is added when the pod has none, and its
//!   image is filled in when blank (`jenkins/inbound-agent`);
//! - every `spec.containers` entry without a `workingDir` gets the agent's;
//! - a `workspace-volume` emptyDir is added when the pod has no volume of that name, and it is
//!   mounted in every `spec.containers` entry at its working directory (`/home/jenkins/agent`
//!   by default) unless something is mounted there already. Init containers get nothing.

use serde_json::{Value, json};

use crate::conventions::{JENKINS_WORKSPACE, WORKSPACE_VOLUME};

pub(crate) use crate::conventions::JENKINS_AGENT_CONTAINER as AGENT_CONTAINER;
/// The image the plugin gives an agent container without one (`DEFAULT_AGENT_IMAGE`).
pub(crate) const AGENT_IMAGE: &str = "jenkins/inbound-agent";

/// The agent container the plugin adds, with the template's pod-level volume mounts.
pub(crate) fn added_agent(mounts: &[Value]) -> Value {
    let mut c = json!({"name": AGENT_CONTAINER, "image": AGENT_IMAGE});
    if !mounts.is_empty() {
        c["volumeMounts"] = Value::Array(mounts.to_vec());
    }
    c
}

/// Gives `pod` (a Pod-shaped value) the plugin's agent defaults. A value that is not a pod with
/// a `spec.containers` list is left as it is.
pub(crate) fn apply(pod: &mut Value) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(containers) = spec.get_mut("containers").and_then(Value::as_array_mut) else {
        return;
    };
    let agent = match containers
        .iter()
        .position(|c| c.get("name").and_then(Value::as_str) == Some(AGENT_CONTAINER))
    {
        Some(i) => i,
        None => {
            containers.push(added_agent(&[]));
            containers.len() - 1
        }
    };
    if let Some(a) = containers[agent].as_object_mut() {
        let blank = a
            .get("image")
            .and_then(Value::as_str)
            .is_none_or(|i| i.trim().is_empty());
        if blank {
            a.insert("image".into(), json!(AGENT_IMAGE));
        }
    }
    let working_dir = containers[agent].get("workingDir").filter(|w| w.is_string()).cloned();
    for c in containers.iter_mut() {
        let Some(c) = c.as_object_mut() else { continue };
        if let Some(wd) = &working_dir
            && c.get("workingDir").is_none_or(Value::is_null)
        {
            c.insert("workingDir".into(), wd.clone());
        }
        let wd = c
            .get("workingDir")
            .and_then(Value::as_str)
            .unwrap_or(JENKINS_WORKSPACE)
            .to_string();
        let mounts = c.entry("volumeMounts").or_insert_with(|| json!([]));
        if let Some(mounts) = mounts.as_array_mut()
            && !mounts
                .iter()
                .any(|m| m.get("mountPath").and_then(Value::as_str) == Some(wd.as_str()))
        {
            mounts.push(json!({"name": WORKSPACE_VOLUME, "mountPath": wd}));
        }
    }
    let volumes = spec.entry("volumes").or_insert_with(|| json!([]));
    if let Some(volumes) = volumes.as_array_mut()
        && !volumes
            .iter()
            .any(|v| v.get("name").and_then(Value::as_str) == Some(WORKSPACE_VOLUME))
    {
        volumes.push(json!({"name": WORKSPACE_VOLUME, "emptyDir": {}}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_pod_gets_the_agent_the_workspace_and_working_dirs() {
        let mut pod = json!({"spec": {
            "containers": [{"name": "dind", "image": "docker:29.7.2-dind",
                "volumeMounts": [{"name": "data", "mountPath": "/var/lib/docker"}]}],
            "initContainers": [{"name": "init", "image": "busybox:1.37"}],
            "volumes": [{"name": "data", "emptyDir": {}}]}});
        apply(&mut pod);
        let c = &pod["spec"]["containers"];
        assert_eq!(c[1]["name"], "jnlp");
        assert_eq!(c[1]["image"], "jenkins/inbound-agent");
        assert_eq!(
            c[0]["volumeMounts"][1],
            json!({"name": "workspace-volume", "mountPath": "/home/jenkins/agent"})
        );
        assert!(c[0].get("workingDir").is_none());
        assert!(pod["spec"]["initContainers"][0].get("volumeMounts").is_none());
        assert_eq!(pod["spec"]["volumes"][1]["name"], "workspace-volume");
        // Twice is once.
        let once = pod.clone();
        apply(&mut pod);
        assert_eq!(pod, once);
    }

    #[test]
    fn the_agent_s_working_dir_is_everyone_s_and_a_mount_there_is_kept() {
        let mut pod = json!({"spec": {"containers": [
            {"name": "jnlp", "workingDir": "/ws", "image": ""},
            {"name": "dind", "volumeMounts": [{"name": "pvc", "mountPath": "/ws"}]},
            {"name": "tools", "workingDir": "/src"}],
            "volumes": [{"name": "workspace-volume", "persistentVolumeClaim": {"claimName": "ws"}}]}});
        apply(&mut pod);
        let c = &pod["spec"]["containers"];
        assert_eq!(c[0]["image"], "jenkins/inbound-agent");
        assert_eq!(c[1]["workingDir"], "/ws");
        assert_eq!(c[1]["volumeMounts"].as_array().unwrap().len(), 1);
        assert_eq!(c[2]["volumeMounts"][0]["mountPath"], "/src");
        assert_eq!(pod["spec"]["volumes"].as_array().unwrap().len(), 1);
    }
}
