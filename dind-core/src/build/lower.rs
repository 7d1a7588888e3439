//! Lowering: the checked settings and their wiring → a `k8s_openapi` Pod. The only place that
//! writes pod fields.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    AppArmorProfile, Container, EmptyDirVolumeSource, EnvVar, ExecAction, Pod, PodSecurityContext, PodSpec,
    Probe as KProbe, ResourceRequirements, SeccompProfile, SecretVolumeSource, SecurityContext, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::Shape;
use super::input::Resolved;
use super::wiring::{Wiring, env, mount};
use crate::Code;
use crate::conventions::*;
use crate::facts::Behaviour;
use crate::model::{
    CRIO_USERNS_ANNOTATION, CRIO_USERNS_MODE, Client, DindPod, Engine, Probe, SYSBOX_RUNTIME_CLASS, UserNamespace,
};

/// The name a manifest's pod gets when none is given (Jenkins names its agent pods itself).
pub const DEFAULT_POD_NAME: &str = "dind";
/// The uid and gid the default client runs as: the Jenkins agent's, and not root.
pub const DEFAULT_CLIENT_USER: (i64, i64) = (1000, 1000);

fn empty_dir(name: &str, size: Option<&String>, medium: Option<&String>) -> Volume {
    Volume {
        name: name.into(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: size.map(|s| Quantity(s.clone())),
            medium: medium.cloned(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn resources(
    memory_request: Option<&str>,
    memory_limit: Option<&str>,
    cpu_request: Option<&str>,
) -> Option<ResourceRequirements> {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    if let Some(m) = memory_request {
        requests.insert("memory".to_string(), Quantity(m.to_string()));
    }
    if let Some(c) = cpu_request {
        requests.insert("cpu".to_string(), Quantity(c.to_string()));
    }
    if let Some(m) = memory_limit {
        limits.insert("memory".to_string(), Quantity(m.to_string()));
    }
    (!requests.is_empty() || !limits.is_empty()).then(|| ResourceRequirements {
        requests: (!requests.is_empty()).then_some(requests),
        limits: (!limits.is_empty()).then_some(limits),
        ..Default::default()
    })
}

/// The client a pod gets when none is given: `docker`, or `buildctl` under engine `buildkit`.
pub(super) fn default_client(engine: Engine) -> [Client; 1] {
    [Client::new(match engine {
        Engine::Buildkit => BUILDKIT_CLIENT,
        _ => DEFAULT_CLIENT,
    })]
}

/// The daemon's data volume: `dind-storage`, or `buildkit-state` under engine `buildkit`.
fn storage_volume(engine: Engine) -> &'static str {
    match engine {
        Engine::Buildkit => BUILDKIT_STATE_VOLUME,
        _ => STORAGE_VOLUME,
    }
}

/// The daemon container's name: `dind`, or `buildkitd` under engine `buildkit`.
pub(super) fn daemon_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Buildkit => BUILDKIT_NAME,
        _ => DAEMON_NAME,
    }
}

/// What `registry_auth` adds to a container where pushes happen: `DOCKER_CONFIG` pointing at a
/// writable emptyDir, with the Secret's `.dockerconfigjson` mounted read-only as `config.json`.
fn registry_auth_side(spec: &DindPod) -> Option<(EnvVar, [VolumeMount; 2])> {
    spec.registry_auth.as_ref()?;
    let config = VolumeMount {
        name: REGISTRY_AUTH_VOLUME.into(),
        mount_path: format!("{REGISTRY_DOCKER_CONFIG}/config.json"),
        sub_path: Some(DOCKERCONFIGJSON_KEY.into()),
        read_only: Some(true),
        ..Default::default()
    };
    Some((
        env("DOCKER_CONFIG", REGISTRY_DOCKER_CONFIG),
        [mount(DOCKER_CONFIG_VOLUME, REGISTRY_DOCKER_CONFIG, false), config],
    ))
}

/// The volumes `registry_auth` needs.
fn registry_auth_volumes(spec: &DindPod) -> Vec<Volume> {
    let Some(secret) = &spec.registry_auth else {
        return Vec::new();
    };
    vec![
        empty_dir(DOCKER_CONFIG_VOLUME, None, None),
        Volume {
            name: REGISTRY_AUTH_VOLUME.into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret.clone()),
                ..Default::default()
            }),
            ..Default::default()
        },
    ]
}

/// The clients the pod gets: the given ones, or the default client (none in-container).
pub(super) fn clients<'a>(spec: &'a DindPod, wiring: &Wiring, default: &'a [Client; 1]) -> &'a [Client] {
    match (wiring, spec.clients.is_empty()) {
        (Wiring::InContainer { .. }, _) => &[],
        (_, true) => default,
        (_, false) => &spec.clients,
    }
}

/// A client's uid and gid: as given, or the Jenkins agent's for a client on dind's own CLI image
/// (which works as any user); a client image dind does not know keeps its own user.
pub(super) fn client_user(c: &Client) -> Option<(i64, i64)> {
    c.run_as.or(c.image.is_none().then_some(DEFAULT_CLIENT_USER))
}

/// The daemon container (without the wiring check).
pub(super) fn daemon(
    spec: &DindPod,
    r: &Resolved,
    wiring: &Wiring,
    shape: Shape,
    socket_group: bool,
) -> (Container, Vec<&'static str>) {
    let side = wiring.daemon_side();
    let buildkit = r.engine == Engine::Buildkit;
    let data_root = if buildkit {
        BUILDKIT_STATE
    } else if r.rootless {
        ROOTLESS_DATA_ROOT
    } else {
        DATA_ROOT
    };
    // Sysbox mounts the data root from the node itself.
    let mut mounts = if r.sysbox.is_some() {
        Vec::new()
    } else {
        vec![mount(storage_volume(r.engine), data_root, false)]
    };
    mounts.extend(side.mounts);
    let mut volumes = side.volumes;
    let mut args = side.args;
    let mut daemon_env = side.env;
    if socket_group {
        args.push(format!("--group={SOCKET_GID}"));
    }
    if let Some(mtu) = spec.mtu {
        if r.rootless {
            daemon_env.push(env("DOCKERD_ROOTLESS_ROOTLESSKIT_MTU", &mtu.to_string()));
        } else {
            args.push(format!("--mtu={mtu}"));
            if r.version.is_none_or(|v| v.has(Behaviour::DefaultNetworkOpt)) {
                args.push(format!(
                    "--default-network-opt=bridge=com.docker.network.driver.mtu={mtu}"
                ));
            }
        }
    }
    args.extend(spec.registry_mirrors.iter().map(|m| format!("--registry-mirror={m}")));
    args.extend(
        spec.insecure_registries
            .iter()
            .map(|h| format!("--insecure-registry={h}")),
    );
    if r.rootless && r.version.is_some_and(|v| v.has(Behaviour::RootlessNeedsExperimental)) {
        args.push("--experimental".into());
    }
    args.extend(spec.daemon_args.iter().cloned());
    if let Some(host) = wiring.daemon_cli_host(r.rootless) {
        daemon_env.push(env("DOCKER_HOST", &host));
    }
    if spec.iptables_legacy {
        daemon_env.push(env("DOCKER_IPTABLES_LEGACY", "1"));
    }
    daemon_env.extend(spec.daemon_env.iter().map(|(k, v)| env(k, v)));
    if matches!(wiring, Wiring::InContainer { .. }) {
        daemon_env.extend(spec.env.iter().map(|(k, v)| env(k, v)));
        // The steps run here: pushes read the credentials here too.
        if let Some((config_env, config_mounts)) = registry_auth_side(spec) {
            daemon_env.push(config_env);
            mounts.extend(config_mounts);
        }
    }
    if spec.native_sidecar && shape == Shape::Jenkins {
        // The plugin mounts the workspace into `containers` only: the sidecar daemon needs it too,
        // so that `docker run -v $WORKSPACE:...` finds the files.
        mounts.push(mount(WORKSPACE_VOLUME, JENKINS_WORKSPACE, false));
        volumes.push(WORKSPACE_VOLUME);
    }
    let security = if buildkit {
        // Rootless BuildKit: the image's user, no `privileged`; rootlesskit needs `unshare` and
        // `mount` (seccomp and AppArmor Unconfined) and its setuid `newuidmap`
        // (`allowPrivilegeEscalation` must not be false, which restricted-PSS defaults would set).
        SecurityContext {
            allow_privilege_escalation: Some(true),
            run_as_non_root: Some(true),
            run_as_user: Some(ROOTLESS_UID),
            run_as_group: Some(ROOTLESS_UID),
            seccomp_profile: Some(SeccompProfile {
                type_: "Unconfined".into(),
                localhost_profile: None,
            }),
            app_armor_profile: (r.kube.minor >= dind_facts::APPARMOR_FIELD_MINOR).then(|| AppArmorProfile {
                type_: "Unconfined".into(),
                localhost_profile: None,
            }),
            ..Default::default()
        }
    } else if r.sysbox.is_some() {
        // Sysbox runs the daemon as root of the pod's user namespace: no `privileged`, and no
        // explicit `allowPrivilegeEscalation` (Sysbox rejects the first; the daemon needs the
        // default of the second for setuid programs in inner containers).
        SecurityContext {
            run_as_non_root: Some(false),
            ..Default::default()
        }
    } else if r.rootless {
        SecurityContext {
            privileged: Some(true),
            allow_privilege_escalation: Some(true),
            run_as_non_root: Some(true),
            run_as_user: Some(ROOTLESS_UID),
            run_as_group: Some(ROOTLESS_UID),
            ..Default::default()
        }
    } else {
        SecurityContext {
            privileged: Some(true),
            allow_privilege_escalation: Some(true),
            run_as_non_root: Some(false),
            ..Default::default()
        }
    };
    let probe = spec.probe.or((!spec.no_probe).then(Probe::startup)).map(|p| {
        let command = wiring.probe_command();
        KProbe {
            exec: Some(ExecAction { command: Some(command) }),
            period_seconds: Some(1),
            timeout_seconds: Some(3),
            failure_threshold: Some(i32::try_from(p.budget_seconds).unwrap_or(i32::MAX)),
            ..Default::default()
        }
    });
    let container = Container {
        name: daemon_name(r.engine).into(),
        image: Some(r.image.clone()),
        args: (!args.is_empty()).then_some(args),
        env: Some(daemon_env),
        security_context: Some(security),
        volume_mounts: Some(mounts),
        startup_probe: probe,
        resources: resources(Some(&r.daemon_memory_request), spec.memory_limit.as_deref(), None),
        restart_policy: spec.native_sidecar.then(|| "Always".to_string()),
        ..Default::default()
    };
    (container, volumes)
}

/// The whole pod.
pub(super) fn pod(spec: &DindPod, r: &Resolved, wiring: &Wiring, shape: Shape) -> Pod {
    let default_client = default_client(r.engine);
    let client_specs = clients(spec, wiring, &default_client);
    let non_root_clients = client_specs
        .iter()
        .any(|c| client_user(c).is_some_and(|(uid, _)| uid != 0));
    // A rootful daemon's socket is root:root 0660: non-root clients need its group. A rootless
    // daemon's socket belongs to uid 1000, the default client's user.
    let socket_group = non_root_clients && !r.rootless && matches!(wiring, Wiring::Socket { .. });
    let mut volumes = Vec::new();
    let registry_auth = registry_auth_side(spec);
    if r.sysbox.is_none() {
        volumes.push(empty_dir(
            storage_volume(r.engine),
            spec.storage.size_limit.as_ref(),
            spec.storage.medium.as_ref(),
        ));
    }
    let (daemon, daemon_volumes) = daemon(spec, r, wiring, shape, socket_group);
    for v in daemon_volumes {
        volumes.push(empty_dir(v, None, None));
    }
    volumes.extend(registry_auth_volumes(spec));

    let mut clients = Vec::new();
    for c in client_specs {
        let side = wiring.client_side();
        let mut envs = side.env;
        let mut mounts = side.mounts;
        envs.extend(spec.env.iter().map(|(k, v)| env(k, v)));
        envs.extend(c.env.iter().map(|(k, v)| env(k, v)));
        for m in &c.mounts {
            mounts.push(mount(&m.volume, &m.path, false));
            if !volumes.iter().any(|v| v.name == m.volume) {
                volumes.push(empty_dir(&m.volume, None, None));
            }
        }
        if let Some((config_env, config_mounts)) = &registry_auth {
            envs.push(config_env.clone());
            mounts.extend(config_mounts.iter().cloned());
        }
        let (command, args) = match &c.command {
            Some(cmd) => (cmd.clone(), None),
            None => (vec!["sleep".to_string()], Some(vec!["99d".to_string()])),
        };
        let security = match client_user(c) {
            Some((uid, gid)) => SecurityContext {
                allow_privilege_escalation: Some(false),
                run_as_non_root: Some(uid != 0),
                run_as_user: Some(uid),
                run_as_group: Some(gid),
                ..Default::default()
            },
            None => SecurityContext {
                allow_privilege_escalation: Some(false),
                run_as_non_root: Some(false),
                ..Default::default()
            },
        };
        if registry_auth.is_none()
            && client_user(c).is_some_and(|(uid, _)| uid != 0)
            && !c.env.iter().any(|(k, _)| k == "DOCKER_CONFIG")
        {
            // A uid without a passwd entry gets HOME=/, where the CLI cannot write its config or
            // buildx state: give it a writable directory.
            envs.push(env("DOCKER_CONFIG", CLIENT_DOCKER_CONFIG));
        }
        clients.push(Container {
            name: c.name.clone(),
            image: Some(c.image.clone().or_else(|| r.cli_image.clone()).unwrap_or_default()),
            command: Some(command),
            args,
            env: (!envs.is_empty()).then_some(envs),
            volume_mounts: (!mounts.is_empty()).then_some(mounts),
            security_context: Some(security),
            resources: resources(
                c.memory_request.as_deref(),
                c.memory_limit.as_deref(),
                c.cpu_request.as_deref(),
            ),
            ..Default::default()
        });
    }

    let (containers, init_containers) = if spec.native_sidecar {
        (clients, Some(vec![daemon]))
    } else {
        let mut all = vec![daemon];
        all.extend(clients);
        (all, None)
    };
    let meta = &spec.meta;
    let mut annotations = meta.annotations.clone();
    if matches!(
        wiring,
        Wiring::Tcp {
            all_interfaces: true,
            ..
        }
    ) {
        let allowed = annotations.entry(ALLOW_ANNOTATION.to_string()).or_default();
        if !allowed.split(',').any(|c| c.trim() == Code::Dind006.as_str()) {
            if !allowed.is_empty() {
                allowed.push(',');
            }
            allowed.push_str(Code::Dind006.as_str());
        }
    }
    if r.sysbox == Some(UserNamespace::CriO) {
        annotations.insert(CRIO_USERNS_ANNOTATION.to_string(), CRIO_USERNS_MODE.to_string());
    }
    if r.engine == Engine::Buildkit && r.kube.minor < dind_facts::APPARMOR_FIELD_MINOR {
        // Before the `appArmorProfile` field, the annotation is the only way.
        annotations.insert(
            crate::wiring::apparmor_annotation(BUILDKIT_NAME),
            "unconfined".to_string(),
        );
    }
    let name = match shape {
        Shape::Manifest => Some(meta.name.clone().unwrap_or_else(|| DEFAULT_POD_NAME.to_string())),
        Shape::Jenkins => meta.name.clone(),
    };
    let token = spec.service_account_token.unwrap_or(meta.service_account.is_some());
    Pod {
        metadata: ObjectMeta {
            name,
            namespace: meta.namespace.clone(),
            labels: (!meta.labels.is_empty()).then(|| meta.labels.clone()),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers,
            init_containers,
            volumes: Some(volumes),
            restart_policy: Some("Never".into()),
            service_account_name: meta.service_account.clone(),
            automount_service_account_token: Some(token),
            node_selector: (!meta.node_selector.is_empty()).then(|| meta.node_selector.clone()),
            tolerations: (!meta.tolerations.is_empty()).then(|| meta.tolerations.clone()),
            active_deadline_seconds: meta.active_deadline_seconds,
            runtime_class_name: r.sysbox.map(|_| SYSBOX_RUNTIME_CLASS.to_string()),
            host_users: (r.sysbox == Some(UserNamespace::Kubernetes)).then_some(false),
            security_context: socket_group.then(|| PodSecurityContext {
                supplemental_groups: Some(vec![SOCKET_GID]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        status: None,
    }
}
