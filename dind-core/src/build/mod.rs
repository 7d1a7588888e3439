//! Building a pod, in four rooms: [`input`] checks the settings (every error at once),
//! [`wiring`] says what the transport asks of the containers and checks the result against the
//! one wiring model, [`lower`] writes the Pod, and this module runs them and then every rule.

mod input;
mod lower;
mod wiring;

pub use lower::{DEFAULT_CLIENT_USER, DEFAULT_POD_NAME};

use k8s_openapi::api::core::v1::Pod;

use crate::conventions::{DAEMON_NAME, JENKINS_WORKSPACE, REGISTRY_DOCKER_CONFIG};
use crate::facts::KubeVersion;
use crate::model::{DindPod, Engine};
use crate::wiring::Endpoint;
use crate::{Diagnostic, Diagnostics, Severity};

/// Who names and completes the pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A manifest for `kubectl apply`: it carries a name.
    Manifest,
    /// A Jenkins agent template: the plugin names the pod and adds the workspace and `jnlp`.
    Jenkins,
}

/// A built pod with what the builder decided.
pub(crate) struct Output {
    pub pod: Pod,
    pub warnings: Vec<Diagnostic>,
    pub steps_container: String,
    pub kube: KubeVersion,
    pub client_endpoint: Option<Endpoint>,
    /// The engine, which decides the default Jenkins steps.
    pub engine: Engine,
}

/// `ValidateVolumeMounts`: a container's mount paths are unique. Clients add their own mounts to
/// the transport's and, in a Jenkins agent, to the plugin's workspace mount.
fn check_mounts(spec: &DindPod, w: &wiring::Wiring, shape: Shape) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let default_client = lower::default_client(spec.engine);
    for (i, c) in lower::clients(spec, w, &default_client).iter().enumerate() {
        // (path, who mounts it, whether nothing may be mounted below it either)
        let mut taken: Vec<(String, &str, bool)> = w
            .client_side()
            .mounts
            .iter()
            .map(|m| (m.mount_path.clone(), "the transport's volume", false))
            .collect();
        if shape == Shape::Jenkins {
            taken.push((JENKINS_WORKSPACE.to_string(), "the Jenkins workspace", false));
        }
        if spec.registry_auth.is_some() {
            // registry_auth mounts `config.json` inside its directory.
            taken.push((
                REGISTRY_DOCKER_CONFIG.to_string(),
                "registry_auth's DOCKER_CONFIG",
                true,
            ));
        }
        for m in &c.mounts {
            let path = m.path.trim_end_matches('/').to_string();
            if let Some((_, owner, _)) = taken.iter().find(|(p, _, below)| {
                let p = p.trim_end_matches('/');
                p == path || (*below && path.starts_with(&format!("{p}/")))
            }) {
                input::err(
                    &mut errors,
                    &format!("clients[{i}].mounts"),
                    format!(
                        "mount path `{}` is already used by {owner}; mount paths must be unique in a container",
                        m.path
                    ),
                );
            }
            taken.push((path, "another mount of this client", false));
        }
    }
    errors
}

/// Checks, lowers, verifies the wiring and runs every rule.
pub(crate) fn build(spec: &DindPod, shape: Shape) -> Result<Output, Diagnostics> {
    let r = input::check(spec).map_err(Diagnostics::new)?;
    let w = match r.engine {
        Engine::Buildkit => wiring::Wiring::buildkit(),
        _ => wiring::Wiring::of(&r.transport, r.rootless, spec.insecure_tcp_all_interfaces),
    };
    let mut errors = check_mounts(spec, &w, shape);
    let pod = lower::pod(spec, &r, &w, shape);
    let pod_spec = pod.spec.as_ref();
    let daemon = pod_spec.and_then(|s| {
        s.containers
            .iter()
            .chain(s.init_containers.iter().flatten())
            .find(|c| c.name == lower::daemon_name(r.engine))
    });
    if let Some(daemon) = daemon {
        errors.extend(wiring::verify(
            &w,
            daemon,
            pod_spec.and_then(|s| s.security_context.as_ref()),
        ));
    }
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }
    let findings = crate::rules::check(&pod, &crate::rules::Context::new(r.kube));
    if findings.iter().any(|d| d.severity == Severity::Error) {
        return Err(Diagnostics::new(findings));
    }
    let steps_container = match w {
        wiring::Wiring::InContainer { .. } => DAEMON_NAME.to_string(),
        _ => spec
            .clients
            .first()
            .map_or_else(|| lower::default_client(r.engine)[0].name.clone(), |c| c.name.clone()),
    };
    Ok(Output {
        pod,
        warnings: findings,
        steps_container,
        kube: r.kube,
        client_endpoint: w.client_endpoint(),
        engine: r.engine,
    })
}
