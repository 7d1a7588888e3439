//! Rendering a built pod: a manifest ([`Built`]: YAML that YAML 1.1 and 1.2 readers read alike,
//! or JSON) or a Jenkins agent ([`JenkinsPod`]: scripted, declarative, JCasC, or its plain YAML).

use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

use crate::Diagnostic;
use crate::build::Output;
use crate::facts::KubeVersion;
use crate::model::Engine;
use crate::wiring::Endpoint;

pub mod diagram;
pub mod jenkins;

/// A pod manifest that passed every check, with its warnings.
#[derive(Clone, Debug)]
pub struct Built {
    pod: Pod,
    warnings: Vec<Diagnostic>,
    kube_version: KubeVersion,
    client_endpoint: Option<Endpoint>,
}

impl Built {
    pub(crate) fn from_output(o: Output) -> Self {
        Built {
            pod: o.pod,
            warnings: o.warnings,
            kube_version: o.kube,
            client_endpoint: o.client_endpoint,
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

    /// The Kubernetes version the pod was checked for.
    pub fn kube_version(&self) -> KubeVersion {
        self.kube_version
    }

    /// The Pod Security Standards level the namespace must allow for this pod, and why.
    ///
    /// ```
    /// use dind_core::{DindPod, PodSecurityLevel};
    /// let built = DindPod::new().build()?;
    /// assert_eq!(built.pod_security().level, PodSecurityLevel::Privileged);
    /// # Ok::<(), dind_core::Diagnostics>(())
    /// ```
    pub fn pod_security(&self) -> crate::PodSecurity {
        crate::PodSecurity::of(&self.pod)
    }

    /// The endpoint the clients use (`DOCKER_HOST`), `None` for the `in-container` transport.
    pub fn client_endpoint(&self) -> Option<&Endpoint> {
        self.client_endpoint.as_ref()
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
        pretty_json(&self.to_value())
    }
}

/// A Jenkins agent pod that passed every check: render it as a scripted or declarative
/// Jenkinsfile, a JCasC template, or plain YAML for `yamlFile` / `readTrusted`.
#[derive(Clone, Debug)]
pub struct JenkinsPod {
    pod: Pod,
    warnings: Vec<Diagnostic>,
    steps_container: String,
    kube_version: KubeVersion,
    engine: Engine,
}

impl JenkinsPod {
    pub(crate) fn from_output(o: Output) -> Self {
        JenkinsPod {
            pod: o.pod,
            warnings: o.warnings,
            steps_container: o.steps_container,
            kube_version: o.kube,
            engine: o.engine,
        }
    }

    /// The shell steps a pipeline runs: the options' steps, or when they give none, the engine's
    /// own check that the daemon answers (`docker version`, `docker info`; for BuildKit
    /// `buildctl debug workers` and a build of the workspace's Dockerfile).
    ///
    /// ```
    /// use dind_core::{DindPod, Engine};
    /// let agent = DindPod::new().engine(Engine::Buildkit).build_jenkins()?;
    /// let steps = agent.steps(&Default::default());
    /// assert!(steps[0].starts_with("buildctl"));
    /// # Ok::<(), dind_core::Diagnostics>(())
    /// ```
    pub fn steps(&self, options: &crate::render::jenkins::JenkinsOptions) -> Vec<String> {
        if !options.steps.is_empty() {
            return options.steps.clone();
        }
        match self.engine {
            Engine::Buildkit => vec![
                "buildctl debug workers".into(),
                "buildctl build --frontend dockerfile.v0 --local context=. --local dockerfile=.".into(),
            ],
            _ => vec!["docker version".into(), "docker info".into()],
        }
    }

    /// The Pod Security Standards level the namespace must allow for this pod.
    pub fn pod_security(&self) -> crate::PodSecurity {
        crate::PodSecurity::of(&self.pod)
    }

    /// The pod.
    pub fn pod(&self) -> &Pod {
        &self.pod
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

    /// The pod as a JSON value.
    pub fn to_value(&self) -> Value {
        pod_value(&self.pod)
    }

    /// The pod as YAML (what the Jenkinsfiles embed; for `yamlFile 'pod.yaml'`).
    pub fn to_yaml(&self) -> String {
        crate::yaml::to_yaml(&self.to_value())
    }

    /// The pod as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        pretty_json(&self.to_value())
    }
}

fn pretty_json(v: &Value) -> String {
    // A Pod's value is strings, numbers, maps and lists: pretty-printing cannot fail.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// A pod as a JSON value in reading order (see [`crate::yaml::to_yaml`]).
pub fn pod_value(pod: &Pod) -> Value {
    // A Pod's fields are strings, numbers, maps and lists: serialization cannot fail.
    serde_json::to_value(pod).unwrap_or(Value::Null)
}
