//! Rendering a built pod: YAML (YAML 1.1 safe), JSON, and the Jenkins formats.

use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

use crate::Diagnostic;

pub mod diagram;
pub mod jenkins;
use crate::facts::KubeVersion;

/// A pod that passed every check, with its warnings.
#[derive(Clone, Debug)]
pub struct Built {
    pod: Pod,
    warnings: Vec<Diagnostic>,
    steps_container: String,
    kube_version: KubeVersion,
}

impl Built {
    pub(crate) fn new(pod: Pod, warnings: Vec<Diagnostic>, steps_container: String, kube_version: KubeVersion) -> Self {
        Built {
            pod,
            warnings,
            steps_container,
            kube_version,
        }
    }

    /// The pod.
    pub fn pod(&self) -> &Pod {
        &self.pod
    }

    /// Consumes the result, returning the pod.
    pub fn into_pod(self) -> Pod {
        self.pod
    }

    /// Warning-level findings (the build fails on errors).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The container where build steps run: the first client, or the daemon for `in-container`.
    pub fn steps_container(&self) -> &str {
        &self.steps_container
    }

    /// The Kubernetes version the pod was checked for.
    pub fn kube_version(&self) -> KubeVersion {
        self.kube_version
    }

    /// The pod as a JSON value (`apiVersion` and `kind` included).
    pub fn to_value(&self) -> Value {
        pod_value(&self.pod)
    }

    /// The pod as YAML that YAML 1.1 and 1.2 readers load identically.
    pub fn to_yaml(&self) -> String {
        crate::yaml::to_yaml(&self.to_value())
    }

    /// The pod as pretty-printed JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_value()).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// A pod as a JSON value in reading order (see [`crate::yaml::to_yaml`]).
pub fn pod_value(pod: &Pod) -> Value {
    // A Pod's fields are strings, numbers, maps and lists: serialization cannot fail.
    serde_json::to_value(pod).unwrap_or(Value::Null)
}
