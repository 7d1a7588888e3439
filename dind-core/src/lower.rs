//! Model → `k8s_openapi` Pod: the only place that writes pod fields. [`build`] first checks the
//! input (collecting every error), then lowers, then runs every rule on the result.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, EmptyDirVolumeSource, EnvVar, ExecAction, Pod, PodSecurityContext, PodSpec, Probe as KProbe,
    ResourceRequirements, SecurityContext, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::conventions::*;
use crate::facts::{self, Behaviour, DockerImage, DockerVersion, Flavour, KubeVersion};
use crate::model::{DEFAULT_DAEMON_MEMORY_REQUEST, DindPod, MIN_PROBE_BUDGET, TLS_PORT, Transport};
use crate::syntax;
use crate::{Built, Code, Diagnostic, Diagnostics, Severity};

/// Where the daemon listens and how clients connect: decided once, from the transport.
#[derive(Clone, Debug)]
enum Wiring {
    Socket { daemon_path: String, client_path: String },
    Tcp { port: u16, all_interfaces: bool },
    Tls { port: u16 },
    InContainer { path: String, volume: bool },
}

struct Plan<'a> {
    spec: &'a DindPod,
    kube: KubeVersion,
    image: String,
    version: Option<DockerVersion>,
    rootless: bool,
    wiring: Wiring,
    cli_image: Option<String>,
}

fn err(errors: &mut Vec<Diagnostic>, path: &str, message: String) {
    errors.push(Diagnostic::input(path, message));
}

fn coded(errors: &mut Vec<Diagnostic>, code: Code, path: &str, message: String) {
    errors.push(Diagnostic::rule(code, path, message));
}

/// Checks a unix socket path (DIND013): absolute, at most 107 bytes, in a directory below `/`.
pub(crate) fn socket_path_problem(path: &str) -> Option<String> {
    if let Some(problem) = syntax::socket_path_problem(path) {
        Some(problem)
    } else if path.ends_with('/') || path.split('/').any(|s| s == ".." || s == ".") {
        Some(format!(
            "socket path `{path}` must name a file without `.` or `..` segments"
        ))
    } else if parent(path) == "/" {
        Some(format!(
            "socket `{path}` sits directly in `/`; it needs a directory of its own to share as a volume"
        ))
    } else {
        None
    }
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

fn check_quantity(errors: &mut Vec<Diagnostic>, path: &str, q: Option<&String>) {
    if let Some(q) = q
        && !syntax::is_quantity(q)
    {
        err(
            errors,
            path,
            format!("`{q}` is not a Kubernetes quantity (e.g. `512Mi`, `20Gi`, `500m`)"),
        );
    }
}

fn check_env(errors: &mut Vec<Diagnostic>, path: &str, env: &[(String, String)], reserved: &[&str]) {
    for (name, _) in env {
        if !syntax::is_env_name(name) {
            err(
                errors,
                path,
                format!("`{name}` is not a valid environment variable name"),
            );
        } else if reserved.contains(&name.as_str()) {
            err(
                errors,
                path,
                format!("`{name}` is set by the transport; choose the transport instead of setting it"),
            );
        }
    }
}

const CLIENT_RESERVED: &[&str] = &["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"];
const DAEMON_RESERVED: &[&str] = &["DOCKER_TLS_CERTDIR", "DOCKER_HOST", "DOCKERD_ROOTLESS_ROOTLESSKIT_MTU"];
/// dockerd flags the builder sets from its own settings; `daemon_arg` rejects them.
const OWNED_FLAGS: &[(&str, &str)] = &[
    ("--host", "transport"),
    ("-H", "transport"),
    ("--tlsverify", "transport"),
    ("--tls", "transport"),
    ("--tlscacert", "transport"),
    ("--tlscert", "transport"),
    ("--tlskey", "transport"),
    ("--mtu", "mtu"),
    ("--registry-mirror", "registry_mirror"),
    ("--insecure-registry", "insecure_registry"),
    ("--data-root", "storage (the data root is fixed by the image)"),
    ("--group", "a client's run_as"),
];

fn resolve(spec: &DindPod) -> Result<Plan<'_>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let kube = match spec.kube_version.as_deref().map(KubeVersion::parse) {
        None => KubeVersion::default(),
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            err(&mut errors, "kube_version", e);
            KubeVersion::default()
        }
    };

    // The daemon image and its version.
    let mut rootless = spec.rootless;
    let (image, version) = match (&spec.image, &spec.docker_version) {
        (Some(_), Some(_)) => {
            err(
                &mut errors,
                "image",
                "give either `image` or `docker_version`, not both (the image's tag names the version)".into(),
            );
            (String::new(), None)
        }
        (Some(image), None) => {
            let trimmed = image.trim();
            if trimmed.is_empty() || trimmed != image || image.contains(char::is_whitespace) {
                err(&mut errors, "image", format!("`{image}` is not an image reference"));
            }
            let parsed = DockerImage::parse(image);
            match parsed.flavour() {
                Flavour::DindRootless => rootless = true,
                Flavour::Cli => err(
                    &mut errors,
                    "image",
                    format!("`{image}` is the CLI image; the daemon needs a `-dind` image"),
                ),
                Flavour::Dind if spec.rootless => err(
                    &mut errors,
                    "image",
                    format!("`{image}` is the rootful image; rootless needs a `-dind-rootless` tag"),
                ),
                _ => {}
            }
            (image.clone(), parsed.version())
        }
        (None, version) => {
            let v = match version.as_deref().map(facts::resolve_docker_version) {
                None => Some(facts::latest_docker()),
                Some(Ok(v)) => Some(v),
                Some(Err(e)) => {
                    err(&mut errors, "docker_version", e);
                    None
                }
            };
            let suffix = if rootless { "dind-rootless" } else { "dind" };
            (v.map(|v| format!("docker:{v}-{suffix}")).unwrap_or_default(), v)
        }
    };
    if rootless
        && let Some(v) = version
        && v < DockerVersion::new(19, 3, 0)
    {
        err(
            &mut errors,
            "docker_version",
            format!("Docker {v} has no rootless image (rootless starts with 19.03)"),
        );
    }

    // The transport, with `port` and `socket` applied.
    let mut transport = spec.transport.clone();
    if let Some(socket) = &spec.socket {
        match &mut transport {
            Transport::Unix(path) => *path = Some(socket.clone()),
            other => err(
                &mut errors,
                "socket",
                format!("`socket` applies to the `unix` transport, not `{}`", other.kind()),
            ),
        }
    }
    if let Some(port) = spec.port {
        match (u16::try_from(port), &mut transport) {
            (Ok(p), Transport::Tcp { port } | Transport::Tls { port }) if p != 0 => *port = p,
            (_, Transport::Tcp { .. } | Transport::Tls { .. }) => err(
                &mut errors,
                "port",
                format!("{port} is not a valid TCP port (1..=65535)"),
            ),
            (_, other) => err(
                &mut errors,
                "port",
                format!(
                    "`port` applies to the `tcp` and `tls` transports, not `{}`",
                    other.kind()
                ),
            ),
        }
    }
    let wiring = match &transport {
        Transport::Unix(path) => {
            let (daemon_path, client_path) = match path {
                None => (
                    format!("{}/docker.sock", crate::model::DAEMON_SOCKET_DIR),
                    crate::model::DEFAULT_CLIENT_SOCKET.to_string(),
                ),
                Some(p) => (p.clone(), p.clone()),
            };
            if let Some(problem) = socket_path_problem(&daemon_path) {
                coded(&mut errors, Code::Dind013, "socket", problem);
            } else if rootless && (daemon_path.starts_with("/run/") || daemon_path.starts_with("/var/run/")) {
                err(
                    &mut errors,
                    "socket",
                    format!(
                        "a rootless daemon cannot share `{daemon_path}`: rootlesskit gives it a private copy of /run (--copy-up=/run), so a socket there is invisible to other containers; use a path outside /run such as `/dind/docker.sock`"
                    ),
                );
            } else if [DATA_ROOT, ROOTLESS_DATA_ROOT, CERT_DIR, JENKINS_WORKSPACE]
                .iter()
                .any(|d| parent(&daemon_path) == *d || daemon_path.starts_with(&format!("{d}/")))
            {
                err(
                    &mut errors,
                    "socket",
                    format!(
                        "socket `{daemon_path}` lies in a directory dind or Jenkins already mounts; give it a directory of its own"
                    ),
                );
            }
            Wiring::Socket {
                daemon_path,
                client_path,
            }
        }
        Transport::Tcp { port } => {
            if *port == 0 {
                err(&mut errors, "port", "0 is not a valid TCP port (1..=65535)".into());
            }
            if rootless {
                err(&mut errors, "transport", "plaintext TCP cannot work rootless: dockerd listens inside rootlesskit's network namespace, and only the entrypoint's TLS port is forwarded; use `unix` or `tls`".into());
            }
            Wiring::Tcp {
                port: *port,
                all_interfaces: spec.insecure_tcp_all_interfaces,
            }
        }
        Transport::Tls { port } => {
            if *port == 0 {
                err(&mut errors, "port", "0 is not a valid TCP port (1..=65535)".into());
            }
            if rootless && *port != TLS_PORT {
                err(
                    &mut errors,
                    "port",
                    format!(
                        "a rootless daemon serves TLS only on {TLS_PORT}, the port the entrypoint forwards through rootlesskit"
                    ),
                );
            }
            if version.is_some_and(|v| !v.has(Behaviour::TlsByDefault)) {
                err(
                    &mut errors,
                    "transport",
                    "the image generates TLS certificates only from Docker 19.03".into(),
                );
            }
            Wiring::Tls { port: *port }
        }
        Transport::InContainer => {
            if rootless {
                Wiring::InContainer {
                    path: format!("{}/docker.sock", crate::model::DAEMON_SOCKET_DIR),
                    volume: true,
                }
            } else {
                Wiring::InContainer {
                    path: crate::model::DEFAULT_CLIENT_SOCKET.to_string(),
                    volume: false,
                }
            }
        }
    };
    if spec.insecure_tcp_all_interfaces && !matches!(wiring, Wiring::Tcp { .. }) {
        err(
            &mut errors,
            "insecure_tcp_all_interfaces",
            "applies only to the `tcp` transport".into(),
        );
    }
    if transport == Transport::InContainer && !spec.clients.is_empty() {
        err(&mut errors, "clients", "the `in-container` transport runs steps in the daemon container; it has no clients (use `unix` to add client containers)".into());
    }

    // Daemon options.
    if let Some(mtu) = spec.mtu
        && !(68..=65535).contains(&mtu)
    {
        coded(
            &mut errors,
            Code::Dind018,
            "mtu",
            format!("{mtu} is out of range (68..=65535)"),
        );
    }
    for url in &spec.registry_mirrors {
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) {
            err(
                &mut errors,
                "registry_mirrors",
                format!("`{url}` is not a registry mirror URL (expected `https://host[:port]`)"),
            );
        }
    }
    for host in &spec.insecure_registries {
        if host.is_empty() || host.contains(char::is_whitespace) || host.contains("://") {
            err(
                &mut errors,
                "insecure_registries",
                format!("`{host}` is not a registry host (expected `host[:port]` or a CIDR)"),
            );
        }
    }
    for arg in &spec.daemon_args {
        let flag = arg.split('=').next().unwrap_or(arg);
        if let Some((_, owner)) = OWNED_FLAGS.iter().find(|(f, _)| *f == flag) {
            err(
                &mut errors,
                "daemon_args",
                format!("`{arg}` is set by the builder; use `{owner}` instead"),
            );
        } else if !arg.starts_with('-') {
            err(
                &mut errors,
                "daemon_args",
                format!("`{arg}` is not a dockerd flag (flags start with `-`)"),
            );
        }
    }
    check_env(&mut errors, "daemon_env", &spec.daemon_env, DAEMON_RESERVED);
    check_env(&mut errors, "env", &spec.env, CLIENT_RESERVED);
    if spec.native_sidecar && !kube.has_native_sidecars() {
        coded(
            &mut errors,
            Code::Dind022,
            "native_sidecar",
            format!(
                "native sidecars need Kubernetes >= {}, the target is {kube}",
                facts::kube::NATIVE_SIDECAR
            ),
        );
    }
    if let Some(p) = spec.probe
        && p.budget_seconds < MIN_PROBE_BUDGET
    {
        err(
            &mut errors,
            "probe",
            format!(
                "a startup budget of {} s is too short for a cold daemon; give at least {MIN_PROBE_BUDGET}",
                p.budget_seconds
            ),
        );
    }
    check_quantity(&mut errors, "storage_size", spec.storage.size_limit.as_ref());
    check_quantity(&mut errors, "memory_request", spec.memory_request.as_ref());
    check_quantity(&mut errors, "memory_limit", spec.memory_limit.as_ref());

    // Clients.
    let cli_image = DockerImage::cli_for(&DockerImage::parse(&image));
    let mut names = vec![DAEMON_NAME.to_string()];
    for (i, c) in spec.clients.iter().enumerate() {
        let path = format!("clients[{i}]");
        if !syntax::is_dns_label(&c.name) {
            coded(
                &mut errors,
                Code::Dind020,
                &format!("{path}.name"),
                format!(
                    "`{}` is not an RFC 1123 label (lowercase letters, digits, `-`, at most 63)",
                    c.name
                ),
            );
        } else if names.contains(&c.name) {
            coded(
                &mut errors,
                Code::Dind020,
                &format!("{path}.name"),
                format!("container name `{}` is used twice", c.name),
            );
        }
        names.push(c.name.clone());
        match &c.image {
            Some(img) if img.trim().is_empty() || img.contains(char::is_whitespace) => {
                err(
                    &mut errors,
                    &format!("{path}.image"),
                    format!("`{img}` is not an image reference"),
                );
            }
            None if cli_image.is_none() && !image.is_empty() => err(
                &mut errors,
                &format!("{path}.image"),
                format!(
                    "the daemon image `{image}` names no version, so the matching CLI image is unknown; give the client an image"
                ),
            ),
            _ => {}
        }
        if c.command
            .as_ref()
            .is_some_and(|cmd| cmd.is_empty() || cmd[0].is_empty())
        {
            err(
                &mut errors,
                &format!("{path}.command"),
                "an empty command; leave it unset for `sleep 99d`".into(),
            );
        }
        check_env(&mut errors, &format!("{path}.env"), &c.env, CLIENT_RESERVED);
        check_quantity(
            &mut errors,
            &format!("{path}.memory_request"),
            c.memory_request.as_ref(),
        );
        check_quantity(&mut errors, &format!("{path}.memory_limit"), c.memory_limit.as_ref());
        check_quantity(&mut errors, &format!("{path}.cpu_request"), c.cpu_request.as_ref());
        for m in &c.mounts {
            if !syntax::is_dns_label(&m.volume)
                || [STORAGE_VOLUME, SOCKET_VOLUME, CERTS_VOLUME, WORKSPACE_VOLUME].contains(&m.volume.as_str())
            {
                coded(
                    &mut errors,
                    Code::Dind020,
                    &format!("{path}.mounts"),
                    format!(
                        "volume name `{}` is not an RFC 1123 label or is one dind uses",
                        m.volume
                    ),
                );
            }
            if !m.path.starts_with('/') {
                err(
                    &mut errors,
                    &format!("{path}.mounts"),
                    format!("mount path `{}` is not absolute", m.path),
                );
            }
        }
        if let Some((uid, gid)) = c.run_as
            && (uid < 0 || gid < 0)
        {
            err(
                &mut errors,
                &format!("{path}.run_as"),
                format!("{uid}:{gid} is not a valid uid:gid"),
            );
        }
    }

    // Pod metadata.
    let meta = &spec.meta;
    if let Some(n) = &meta.name
        && !syntax::is_dns_subdomain(n)
    {
        err(
            &mut errors,
            "name",
            format!("`{n}` is not a valid pod name (RFC 1123 subdomain)"),
        );
    }
    if let Some(n) = &meta.namespace
        && !syntax::is_dns_label(n)
    {
        err(
            &mut errors,
            "namespace",
            format!("`{n}` is not a valid namespace (RFC 1123 label)"),
        );
    }
    if let Some(n) = &meta.service_account
        && !syntax::is_dns_subdomain(n)
    {
        err(
            &mut errors,
            "service_account",
            format!("`{n}` is not a valid service account name"),
        );
    }
    for (k, v) in meta.labels.iter().chain(meta.node_selector.iter()) {
        if !syntax::is_qualified_name(k) || !syntax::is_label_value(v) {
            err(
                &mut errors,
                "labels",
                format!("`{k}: {v}` is not a valid label (key `[prefix/]name`, value up to 63 of `[A-Za-z0-9._-]`)"),
            );
        }
    }
    for k in meta.annotations.keys() {
        if !syntax::is_qualified_name(k) {
            err(
                &mut errors,
                "annotations",
                format!("`{k}` is not a valid annotation key"),
            );
        }
    }
    if meta.active_deadline_seconds.is_some_and(|s| s <= 0) {
        err(
            &mut errors,
            "active_deadline_seconds",
            "must be a positive number of seconds".into(),
        );
    }

    if errors.is_empty() {
        Ok(Plan {
            spec,
            kube,
            image,
            version,
            rootless,
            wiring,
            cli_image,
        })
    } else {
        Err(errors)
    }
}

fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        value_from: None,
    }
}

fn mount(volume: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: volume.into(),
        mount_path: path.into(),
        read_only: read_only.then_some(true),
        ..Default::default()
    }
}

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
    memory_request: Option<&String>,
    memory_limit: Option<&String>,
    cpu_request: Option<&String>,
) -> Option<ResourceRequirements> {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    if let Some(m) = memory_request {
        requests.insert("memory".to_string(), Quantity(m.clone()));
    }
    if let Some(c) = cpu_request {
        requests.insert("cpu".to_string(), Quantity(c.clone()));
    }
    if let Some(m) = memory_limit {
        limits.insert("memory".to_string(), Quantity(m.clone()));
    }
    (!requests.is_empty() || !limits.is_empty()).then(|| ResourceRequirements {
        requests: (!requests.is_empty()).then_some(requests),
        limits: (!limits.is_empty()).then_some(limits),
        ..Default::default()
    })
}

/// The endpoint the daemon's own probe talks to, as `docker` global flags.
fn probe_command(wiring: &Wiring) -> Vec<String> {
    let mut cmd = vec!["docker".to_string()];
    match wiring {
        Wiring::Socket { daemon_path, .. } => cmd.push(format!("--host=unix://{daemon_path}")),
        Wiring::InContainer { path, .. } => cmd.push(format!("--host=unix://{path}")),
        Wiring::Tcp { port, .. } => cmd.push(format!("--host=tcp://127.0.0.1:{port}")),
        Wiring::Tls { port } => {
            cmd.push(format!("--host=tcp://localhost:{port}"));
            cmd.push("--tlsverify".into());
            cmd.push(format!("--tlscacert={CLIENT_CERTS}/ca.pem"));
            cmd.push(format!("--tlscert={CLIENT_CERTS}/cert.pem"));
            cmd.push(format!("--tlskey={CLIENT_CERTS}/key.pem"));
        }
    }
    cmd.push("info".into());
    cmd
}

fn lower(plan: &Plan<'_>) -> Pod {
    let spec = plan.spec;
    let non_root_clients = spec.clients.iter().any(|c| c.run_as.is_some_and(|(uid, _)| uid != 0));
    let socket_group = non_root_clients && matches!(plan.wiring, Wiring::Socket { .. });
    let mut volumes = vec![empty_dir(
        STORAGE_VOLUME,
        spec.storage.size_limit.as_ref(),
        spec.storage.medium.as_ref(),
    )];

    // The daemon.
    let data_root = if plan.rootless { ROOTLESS_DATA_ROOT } else { DATA_ROOT };
    let mut daemon_mounts = vec![mount(STORAGE_VOLUME, data_root, false)];
    let mut args: Vec<String> = Vec::new();
    let mut daemon_env = Vec::new();
    match &plan.wiring {
        Wiring::Socket { daemon_path, .. } => {
            args.push("dockerd".into());
            args.push(format!("--host=unix://{daemon_path}"));
            daemon_mounts.push(mount(SOCKET_VOLUME, parent(daemon_path), false));
            volumes.push(empty_dir(SOCKET_VOLUME, None, None));
            daemon_env.push(env("DOCKER_TLS_CERTDIR", ""));
        }
        Wiring::Tcp { port, all_interfaces } => {
            let addr = if *all_interfaces { "0.0.0.0" } else { "127.0.0.1" };
            args.push("dockerd".into());
            args.push(format!("--host=tcp://{addr}:{port}"));
            daemon_env.push(env("DOCKER_TLS_CERTDIR", ""));
        }
        Wiring::Tls { port } => {
            // Default mode: args start with `-`, so the entrypoint generates the certificates and
            // adds its unix socket and `--host=tcp://0.0.0.0:2376 --tlsverify ...`.
            if *port != TLS_PORT {
                args.push(format!("--host=tcp://0.0.0.0:{port}"));
            }
            daemon_env.push(env("DOCKER_TLS_CERTDIR", CERT_DIR));
            daemon_mounts.push(mount(CERTS_VOLUME, CLIENT_CERTS, false));
            volumes.push(empty_dir(CERTS_VOLUME, None, None));
        }
        Wiring::InContainer { path, volume } => {
            args.push("dockerd".into());
            args.push(format!("--host=unix://{path}"));
            daemon_env.push(env("DOCKER_TLS_CERTDIR", ""));
            if *volume {
                daemon_mounts.push(mount(SOCKET_VOLUME, parent(path), false));
                volumes.push(empty_dir(SOCKET_VOLUME, None, None));
                daemon_env.push(env("DOCKER_HOST", &format!("unix://{path}")));
            }
        }
    }
    if socket_group {
        args.push(format!("--group={SOCKET_GID}"));
    }
    if let Some(mtu) = spec.mtu {
        if plan.rootless {
            daemon_env.push(env("DOCKERD_ROOTLESS_ROOTLESSKIT_MTU", &mtu.to_string()));
        } else {
            args.push(format!("--mtu={mtu}"));
            if plan.version.is_none_or(|v| v.has(Behaviour::DefaultNetworkOpt)) {
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
    if plan.rootless
        && plan
            .version
            .is_some_and(|v| v.has(Behaviour::RootlessNeedsExperimental))
    {
        args.push("--experimental".into());
    }
    args.extend(spec.daemon_args.iter().cloned());
    if spec.iptables_legacy {
        daemon_env.push(env("DOCKER_IPTABLES_LEGACY", "1"));
    }
    daemon_env.extend(spec.daemon_env.iter().map(|(k, v)| env(k, v)));
    if matches!(plan.wiring, Wiring::InContainer { .. }) {
        daemon_env.extend(spec.env.iter().map(|(k, v)| env(k, v)));
    }
    if spec.native_sidecar && spec.jenkins_workspace {
        daemon_mounts.push(mount(WORKSPACE_VOLUME, JENKINS_WORKSPACE, false));
        volumes.push(empty_dir(WORKSPACE_VOLUME, None, None));
    }
    let daemon_security = if plan.rootless {
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
    let probe = spec
        .probe
        .or((!spec.no_probe).then(crate::Probe::startup))
        .map(|p| KProbe {
            exec: Some(ExecAction {
                command: Some(probe_command(&plan.wiring)),
            }),
            period_seconds: Some(1),
            timeout_seconds: Some(3),
            failure_threshold: Some(i32::try_from(p.budget_seconds).unwrap_or(i32::MAX)),
            ..Default::default()
        });
    let daemon = Container {
        name: DAEMON_NAME.into(),
        image: Some(plan.image.clone()),
        args: (!args.is_empty()).then_some(args),
        env: Some(daemon_env),
        security_context: Some(daemon_security),
        volume_mounts: Some(daemon_mounts),
        startup_probe: probe,
        resources: resources(
            Some(
                spec.memory_request
                    .clone()
                    .unwrap_or_else(|| DEFAULT_DAEMON_MEMORY_REQUEST.into()),
            )
            .as_ref(),
            spec.memory_limit.as_ref(),
            None,
        ),
        restart_policy: spec.native_sidecar.then(|| "Always".to_string()),
        ..Default::default()
    };

    // The clients.
    let mut clients = Vec::new();
    let default_client = [crate::Client::new(DEFAULT_CLIENT)];
    let client_specs: &[crate::Client] = match (&plan.wiring, spec.clients.is_empty()) {
        (Wiring::InContainer { .. }, _) => &[],
        (_, true) => &default_client,
        (_, false) => &spec.clients,
    };
    for c in client_specs {
        let mut envs = Vec::new();
        let mut mounts = Vec::new();
        match &plan.wiring {
            Wiring::Socket { client_path, .. } => {
                envs.push(env("DOCKER_HOST", &format!("unix://{client_path}")));
                mounts.push(mount(SOCKET_VOLUME, parent(client_path), false));
            }
            Wiring::Tcp { port, .. } => envs.push(env("DOCKER_HOST", &format!("tcp://127.0.0.1:{port}"))),
            Wiring::Tls { port } => {
                envs.push(env("DOCKER_HOST", &format!("tcp://localhost:{port}")));
                envs.push(env("DOCKER_TLS_VERIFY", "1"));
                envs.push(env("DOCKER_CERT_PATH", CLIENT_CERTS));
                mounts.push(mount(CERTS_VOLUME, CLIENT_CERTS, true));
            }
            Wiring::InContainer { .. } => {}
        }
        envs.extend(spec.env.iter().map(|(k, v)| env(k, v)));
        envs.extend(c.env.iter().map(|(k, v)| env(k, v)));
        for m in &c.mounts {
            mounts.push(mount(&m.volume, &m.path, false));
            if !volumes.iter().any(|v| v.name == m.volume) {
                volumes.push(empty_dir(&m.volume, None, None));
            }
        }
        let (command, args) = match &c.command {
            Some(cmd) => (cmd.clone(), None),
            None => (vec!["sleep".to_string()], Some(vec!["99d".to_string()])),
        };
        let security = match c.run_as {
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
        clients.push(Container {
            name: c.name.clone(),
            image: Some(c.image.clone().or_else(|| plan.cli_image.clone()).unwrap_or_default()),
            command: Some(command),
            args,
            env: (!envs.is_empty()).then_some(envs),
            volume_mounts: (!mounts.is_empty()).then_some(mounts),
            security_context: Some(security),
            resources: resources(
                c.memory_request.as_ref(),
                c.memory_limit.as_ref(),
                c.cpu_request.as_ref(),
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
        plan.wiring,
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
    Pod {
        metadata: ObjectMeta {
            name: meta.name.clone(),
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
            node_selector: (!meta.node_selector.is_empty()).then(|| meta.node_selector.clone()),
            tolerations: (!meta.tolerations.is_empty()).then(|| meta.tolerations.clone()),
            active_deadline_seconds: meta.active_deadline_seconds,
            security_context: socket_group.then(|| PodSecurityContext {
                supplemental_groups: Some(vec![SOCKET_GID]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        status: None,
    }
}

/// Checks, lowers and runs every rule (see [`DindPod::build`]).
pub(crate) fn build(spec: &DindPod) -> Result<Built, Diagnostics> {
    let plan = resolve(spec).map_err(Diagnostics)?;
    let pod = lower(&plan);
    let findings = crate::rules::check(
        &pod,
        &crate::rules::Context {
            kube_version: plan.kube,
        },
    );
    if findings.iter().any(|d| d.severity == Severity::Error) {
        return Err(Diagnostics(findings));
    }
    let steps_container = match plan.wiring {
        Wiring::InContainer { .. } => DAEMON_NAME.to_string(),
        _ => spec
            .clients
            .first()
            .map_or_else(|| DEFAULT_CLIENT.to_string(), |c| c.name.clone()),
    };
    Ok(Built::new(pod, findings, steps_container, plan.kube))
}
