//! Input checks: every problem with the settings, collected at once, with the setting's name as
//! the path. Checks that belong to a rule code use that rule's check (`rules::checks`), so a code
//! is decided in one place whether the builder or the linter meets it.

use crate::conventions::*;
use crate::facts::{self, Behaviour, BuildkitImage, DockerImage, DockerVersion, ImageRole, KubeVersion};
use crate::model::{
    DAEMON_SOCKET_DIR, DEFAULT_DAEMON_MEMORY_REQUEST, DindPod, Engine, MIN_PROBE_BUDGET, Runtime, Transport,
    UserNamespace,
};
use crate::rules::checks;
use crate::syntax;
use crate::{Code, Diagnostic, Severity};

/// The settings, checked and resolved.
pub(super) struct Resolved {
    pub kube: KubeVersion,
    pub image: String,
    pub version: Option<DockerVersion>,
    pub rootless: bool,
    pub transport: Transport,
    pub cli_image: Option<String>,
    pub daemon_memory_request: String,
    /// Under [`Runtime::Sysbox`], how the pod gets its user namespace; `None` under runc.
    pub sysbox: Option<UserNamespace>,
    /// The build engine; with [`Engine::Buildkit`], `image` and `cli_image` are BuildKit's.
    pub engine: Engine,
}

pub(super) fn err(errors: &mut Vec<Diagnostic>, path: &str, message: String) {
    errors.push(Diagnostic::input(path, message));
}

pub(super) fn coded(errors: &mut Vec<Diagnostic>, code: Code, path: &str, message: String) {
    errors.push(Diagnostic::rule(code, path, message));
}

/// The directory of a path (`/` for a file in the root).
pub(crate) fn parent(path: &str) -> &str {
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

/// `ValidateResourceRequirements`: a request may not exceed its limit.
fn check_request_within_limit(errors: &mut Vec<Diagnostic>, path: &str, request: Option<&str>, limit: Option<&str>) {
    if let (Some(r), Some(l)) = (request, limit)
        && let (Some(rv), Some(lv)) = (syntax::quantity_value(r), syntax::quantity_value(l))
        && rv > lv
    {
        err(
            errors,
            path,
            format!("the memory request `{r}` is above the limit `{l}`; the API requires request <= limit"),
        );
    }
}

fn check_env(errors: &mut Vec<Diagnostic>, path: &str, env: &[(String, String)], reserved: &[&str], kube: KubeVersion) {
    for (name, _) in env {
        if let Some(problem) = syntax::env_name_problem(name, kube.minor) {
            err(errors, path, problem);
        } else if reserved.contains(&name.as_str()) {
            err(
                errors,
                path,
                format!("`{name}` is set by the transport; choose the transport instead of setting it"),
            );
        }
    }
}

fn check_int32(errors: &mut Vec<Diagnostic>, path: &str, what: &str, value: i64, min: i64) {
    if value < min || value > dind_facts::INT32_MAX {
        err(
            errors,
            path,
            format!(
                "{what} {value} is out of range ({min}..={}, an int32 in the API)",
                dind_facts::INT32_MAX
            ),
        );
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
/// The largest total size of a pod's annotations (`ValidateAnnotations`: 256 KiB).
const ANNOTATIONS_LIMIT: usize = 256 << 10;

fn resolve_image(spec: &DindPod, errors: &mut Vec<Diagnostic>) -> (String, Option<DockerVersion>, bool) {
    let mut rootless = spec.rootless;
    let (image, version) = match (&spec.image, &spec.docker_version) {
        (Some(_), Some(_)) => {
            err(
                errors,
                "image",
                "give either `image` or `docker_version`, not both (the image's tag names the version)".into(),
            );
            (String::new(), None)
        }
        (Some(image), None) => {
            if image.trim().is_empty() || image.contains(char::is_whitespace) {
                err(errors, "image", format!("`{image}` is not an image reference"));
            }
            let parsed = DockerImage::parse(image);
            match parsed.role() {
                ImageRole::Daemon { rootless: true } => rootless = true,
                ImageRole::Cli => err(
                    errors,
                    "image",
                    format!("`{image}` is the CLI image; the daemon needs a `-dind` image"),
                ),
                ImageRole::Daemon { rootless: false } if spec.rootless => err(
                    errors,
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
                    err(errors, "docker_version", e);
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
            errors,
            "docker_version",
            format!("Docker {v} has no rootless image (rootless starts with 19.03)"),
        );
    }
    (image, version, rootless)
}

fn resolve_transport(spec: &DindPod, errors: &mut Vec<Diagnostic>) -> Transport {
    let mut transport = spec.transport.clone().unwrap_or_default();
    if let Some(socket) = &spec.socket {
        match &mut transport {
            Transport::Unix(path) => *path = Some(socket.clone()),
            other => err(
                errors,
                "socket",
                format!("`socket` applies to the `unix` transport, not `{}`", other.kind()),
            ),
        }
    }
    if let Some(port) = spec.port {
        match (&mut transport, dind_facts::port_problem(port)) {
            (Transport::Tcp { port: p } | Transport::Tls { port: p }, None) => {
                *p = u16::try_from(port).unwrap_or(*p);
            }
            (Transport::Tcp { .. } | Transport::Tls { .. }, Some(problem)) => err(errors, "port", problem),
            (other, _) => err(
                errors,
                "port",
                format!(
                    "`port` applies to the `tcp` and `tls` transports, not `{}`",
                    other.kind()
                ),
            ),
        }
    }
    match &transport {
        Transport::Tcp { port } | Transport::Tls { port } => {
            if let Some(problem) = dind_facts::port_problem(u32::from(*port)) {
                err(errors, "port", problem);
            }
        }
        Transport::Unix(path) => {
            let daemon_path = path
                .clone()
                .unwrap_or_else(|| format!("{DAEMON_SOCKET_DIR}/docker.sock"));
            if let Some(problem) = checks::socket_path(&daemon_path) {
                coded(errors, Code::Dind013, "socket", problem);
            } else if daemon_path.ends_with('/') || daemon_path.split('/').any(|s| s == ".." || s == ".") {
                err(
                    errors,
                    "socket",
                    format!("socket path `{daemon_path}` must name a file without `.` or `..` segments"),
                );
            } else if parent(&daemon_path) == "/" {
                err(
                    errors,
                    "socket",
                    format!(
                        "socket `{daemon_path}` sits directly in `/`; it needs a directory of its own to share as a volume"
                    ),
                );
            } else if [DATA_ROOT, ROOTLESS_DATA_ROOT, CERT_DIR, JENKINS_WORKSPACE]
                .iter()
                .any(|d| parent(&daemon_path) == *d || daemon_path.starts_with(&format!("{d}/")))
            {
                err(
                    errors,
                    "socket",
                    format!(
                        "socket `{daemon_path}` lies in a directory dind or Jenkins already mounts; give it a directory of its own"
                    ),
                );
            }
        }
        Transport::InContainer => {}
    }
    transport
}

const BUILDKIT_CLIENT_RESERVED: &[&str] = &["BUILDKIT_HOST"];
/// buildkitd flags the builder sets itself; `daemon_arg` rejects them under engine `buildkit`.
const BUILDKIT_OWNED_FLAGS: &[(&str, &str)] = &[
    (
        "--addr",
        "the engine (buildkitd serves a unix socket shared with the clients)",
    ),
    ("--oci-worker-no-process-sandbox", "the engine (it is always given)"),
    ("--root", "storage_size (the state directory is fixed by the image)"),
];

/// The settings that describe dockerd and mean nothing to `buildkitd`, with what to do instead.
fn docker_only_settings(spec: &DindPod) -> Vec<(&'static str, &'static str)> {
    let mut given = Vec::new();
    let mut add = |on: bool, key: &'static str, instead: &'static str| {
        if on {
            given.push((key, instead));
        }
    };
    add(
        spec.transport.is_some(),
        "transport",
        "buildkitd serves a unix socket on an emptyDir shared with its clients (`BUILDKIT_HOST`)",
    );
    add(
        spec.socket.is_some(),
        "socket",
        "buildkitd's socket is fixed at `/run/buildkit/buildkitd.sock`, buildctl's own default",
    );
    add(
        spec.port.is_some(),
        "port",
        "buildkitd listens on a unix socket, not TCP",
    );
    add(spec.rootless, "rootless", "engine `buildkit` is always rootless");
    add(
        spec.docker_version.is_some(),
        "docker_version",
        "use `buildkit_version`",
    );
    add(
        spec.mtu.is_some(),
        "mtu",
        "rootless buildkitd uses the pod's network (rootlesskit `--net=host`)",
    );
    add(
        !spec.registry_mirrors.is_empty(),
        "registry_mirrors",
        "mirrors go into buildkitd.toml (`[registry.\"docker.io\"] mirrors`)",
    );
    add(
        !spec.insecure_registries.is_empty(),
        "insecure_registries",
        "push with `--output type=image,...,registry.insecure=true` or configure buildkitd.toml",
    );
    add(
        spec.iptables_legacy,
        "iptables_legacy",
        "buildkitd manages no iptables rules",
    );
    add(
        spec.insecure_tcp_all_interfaces,
        "insecure_tcp_all_interfaces",
        "buildkitd has no TCP listener",
    );
    add(
        spec.runtime == Runtime::Sysbox,
        "runtime",
        "Sysbox runs the docker engine unprivileged; rootless BuildKit needs no runtime of its own",
    );
    given
}

/// Under [`Engine::Buildkit`]: the settings that do not apply, and the image.
fn resolve_buildkit(spec: &DindPod, errors: &mut Vec<Diagnostic>) -> String {
    for (key, instead) in docker_only_settings(spec) {
        err(
            errors,
            key,
            format!("`{key}` does not apply to engine `buildkit`: {instead}"),
        );
    }
    match (&spec.image, &spec.buildkit_version) {
        (Some(_), Some(_)) => {
            err(
                errors,
                "image",
                "give either `image` or `buildkit_version`, not both (the image's tag names the version)".into(),
            );
            String::new()
        }
        (Some(image), None) => {
            match BuildkitImage::parse(image) {
                Some(b) if b.rootless() => {}
                Some(_) => err(
                    errors,
                    "image",
                    format!(
                        "`{image}` is the rootful BuildKit image, which needs `privileged`; engine `buildkit` runs the `-rootless` tag"
                    ),
                ),
                None => err(
                    errors,
                    "image",
                    format!(
                        "`{image}` is not a `moby/buildkit` image; engine `buildkit` runs `moby/buildkit:<v>-rootless` (or a mirror whose path ends in `moby/buildkit`)"
                    ),
                ),
            }
            image.clone()
        }
        (None, version) => {
            let v = match version.as_deref().map(facts::resolve_buildkit_version) {
                None => Some(facts::latest_buildkit()),
                Some(Ok(v)) => Some(v),
                Some(Err(e)) => {
                    err(errors, "buildkit_version", e);
                    None
                }
            };
            v.map(|v| format!("moby/buildkit:v{v}-rootless")).unwrap_or_default()
        }
    }
}

/// What only works under one runtime: the Sysbox mode's requirements and refusals.
fn check_runtime(
    spec: &DindPod,
    kube: KubeVersion,
    rootless: bool,
    errors: &mut Vec<Diagnostic>,
) -> Option<UserNamespace> {
    if spec.runtime != Runtime::Sysbox {
        if spec.user_namespace.is_some() {
            err(
                errors,
                "user_namespace",
                format!(
                    "`user_namespace` applies to runtime `sysbox`, not `{}` (a privileged daemon shares the node's user namespace)",
                    spec.runtime
                ),
            );
        }
        return None;
    }
    let userns = spec.user_namespace.unwrap_or_default();
    if rootless {
        err(
            errors,
            "rootless",
            "rootless adds nothing under runtime `sysbox`: the daemon already runs unprivileged in the pod's user namespace, and rootlesskit's own user namespace cannot nest inside Sysbox's; drop `rootless`".into(),
        );
    }
    if userns == UserNamespace::Kubernetes
        && kube.minor < dind_facts::HOST_USERS_BETA_MINOR
        && let Some(problem) = dind_facts::host_users_problem(kube.minor)
    {
        let mut d = Diagnostic::rule(
            Code::Dind029,
            "kube_version",
            format!(
                "{problem}; runtime `sysbox` needs Kubernetes >= 1.{} for `hostUsers: false`",
                dind_facts::HOST_USERS_BETA_MINOR
            ),
        )
        .with_help("Target Kubernetes 1.33 or newer, or set `user_namespace = \"cri-o\"` where the Sysbox installer put in CRI-O.");
        d.severity = Severity::Error;
        errors.push(d);
    }
    if spec.storage.size_limit.is_some() || spec.storage.medium.is_some() {
        err(
            errors,
            "storage_size",
            "the data-root volume does not apply to runtime `sysbox`: Sysbox mounts `/var/lib/docker` from the node itself, so that the inner overlay mounts work; there is no emptyDir to size".into(),
        );
    }
    Some(userns)
}

/// Checks every setting; the resolved settings or every problem found.
pub(super) fn check(spec: &DindPod) -> Result<Resolved, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let kube = match spec.kube_version.as_deref().map(KubeVersion::parse) {
        None => KubeVersion::default(),
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            err(&mut errors, "kube_version", e);
            KubeVersion::default()
        }
    };
    let buildkit = spec.engine == Engine::Buildkit;
    let (image, version, rootless, transport) = if buildkit {
        (resolve_buildkit(spec, &mut errors), None, true, Transport::unix())
    } else {
        if spec.buildkit_version.is_some() {
            err(
                &mut errors,
                "buildkit_version",
                "`buildkit_version` applies to engine `buildkit`; the docker engine takes `docker_version`".into(),
            );
        }
        let (image, version, rootless) = resolve_image(spec, &mut errors);
        (image, version, rootless, resolve_transport(spec, &mut errors))
    };
    if matches!(transport, Transport::Tls { .. }) && version.is_some_and(|v| !v.has(Behaviour::TlsByDefault)) {
        err(
            &mut errors,
            "transport",
            "the image generates TLS certificates only from Docker 19.03".into(),
        );
    }
    if spec.insecure_tcp_all_interfaces && !buildkit && !matches!(transport, Transport::Tcp { .. }) {
        err(
            &mut errors,
            "insecure_tcp_all_interfaces",
            "applies only to the `tcp` transport".into(),
        );
    }
    if transport == Transport::InContainer && spec.native_sidecar {
        err(&mut errors, "native_sidecar", "the `in-container` transport runs the steps in the daemon container, so it cannot be a native sidecar (the pod would have no `containers`)".into());
    }
    if transport == Transport::InContainer && !spec.clients.is_empty() {
        err(&mut errors, "clients", "the `in-container` transport runs steps in the daemon container; it has no clients (use `unix` to add client containers)".into());
    }

    // Under engine `buildkit` the runtime was refused above.
    let sysbox = if buildkit {
        None
    } else {
        check_runtime(spec, kube, rootless, &mut errors)
    };
    if let Some(problem) = spec.registry_auth.as_deref().and_then(dind_facts::secret_name_problem) {
        err(&mut errors, "registry_auth", problem);
    }

    // Daemon options.
    if let Some(mtu) = spec.mtu
        && let Some(problem) = checks::mtu(&mtu.to_string())
    {
        coded(&mut errors, Code::Dind018, "mtu", problem);
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
    let owned = if buildkit { BUILDKIT_OWNED_FLAGS } else { OWNED_FLAGS };
    for arg in &spec.daemon_args {
        let flag = arg.split('=').next().unwrap_or(arg);
        if let Some((_, owner)) = owned.iter().find(|(f, _)| *f == flag) {
            err(
                &mut errors,
                "daemon_args",
                format!("`{arg}` is set by the builder; use `{owner}` instead"),
            );
        } else if !arg.starts_with('-') {
            err(
                &mut errors,
                "daemon_args",
                format!(
                    "`{arg}` is not a {} flag (flags start with `-`)",
                    if buildkit { "buildkitd" } else { "dockerd" }
                ),
            );
        }
    }
    let client_reserved = if buildkit {
        BUILDKIT_CLIENT_RESERVED
    } else {
        CLIENT_RESERVED
    };
    check_env(
        &mut errors,
        "daemon_env",
        &spec.daemon_env,
        if buildkit { &[] } else { DAEMON_RESERVED },
        kube,
    );
    check_env(&mut errors, "env", &spec.env, client_reserved, kube);
    if spec.native_sidecar
        && let Some(problem) = checks::native_sidecar(kube)
    {
        coded(&mut errors, Code::Dind022, "native_sidecar", problem);
    }
    if let Some(p) = spec.probe {
        if p.budget_seconds < MIN_PROBE_BUDGET {
            err(
                &mut errors,
                "probe",
                format!(
                    "a startup budget of {} s is too short for a cold daemon; give at least {MIN_PROBE_BUDGET}",
                    p.budget_seconds
                ),
            );
        } else {
            check_int32(
                &mut errors,
                "probe",
                "a startup budget of",
                i64::from(p.budget_seconds),
                1,
            );
        }
    }
    check_quantity(&mut errors, "storage_size", spec.storage.size_limit.as_ref());
    check_quantity(&mut errors, "memory_request", spec.memory_request.as_ref());
    check_quantity(&mut errors, "memory_limit", spec.memory_limit.as_ref());
    check_request_within_limit(
        &mut errors,
        "memory_request",
        spec.memory_request.as_deref(),
        spec.memory_limit.as_deref(),
    );
    // Never default a request above a given limit.
    let daemon_memory_request = match (&spec.memory_request, &spec.memory_limit) {
        (Some(r), _) => r.clone(),
        (None, Some(l))
            if syntax::quantity_value(l)
                .zip(syntax::quantity_value(DEFAULT_DAEMON_MEMORY_REQUEST))
                .is_some_and(|(l, d)| l < d) =>
        {
            l.clone()
        }
        (None, _) => DEFAULT_DAEMON_MEMORY_REQUEST.to_string(),
    };

    // Clients.
    // BuildKit's clients run `buildctl` from the daemon's own image.
    let cli_image = if buildkit {
        Some(image.clone()).filter(|i| !i.is_empty())
    } else {
        DockerImage::cli_for(&DockerImage::parse(&image))
    };
    let mut names = vec![if buildkit { BUILDKIT_NAME } else { DAEMON_NAME }.to_string()];
    for (i, c) in spec.clients.iter().enumerate() {
        let path = format!("clients[{i}]");
        if let Some(problem) = checks::name("container", &c.name) {
            coded(&mut errors, Code::Dind020, &format!("{path}.name"), problem);
        } else if names.contains(&c.name) {
            coded(
                &mut errors,
                Code::Dind020,
                &format!("{path}.name"),
                checks::duplicate_name("container", &c.name),
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
        check_env(&mut errors, &format!("{path}.env"), &c.env, client_reserved, kube);
        check_quantity(
            &mut errors,
            &format!("{path}.memory_request"),
            c.memory_request.as_ref(),
        );
        check_quantity(&mut errors, &format!("{path}.memory_limit"), c.memory_limit.as_ref());
        check_quantity(&mut errors, &format!("{path}.cpu_request"), c.cpu_request.as_ref());
        check_request_within_limit(
            &mut errors,
            &format!("{path}.memory_request"),
            c.memory_request.as_deref(),
            c.memory_limit.as_deref(),
        );
        for m in &c.mounts {
            if let Some(problem) = checks::name("volume", &m.volume) {
                coded(&mut errors, Code::Dind020, &format!("{path}.mounts"), problem);
            } else if [
                STORAGE_VOLUME,
                SOCKET_VOLUME,
                CERTS_VOLUME,
                WORKSPACE_VOLUME,
                BUILDKIT_STATE_VOLUME,
                BUILDKIT_SOCKET_VOLUME,
                REGISTRY_AUTH_VOLUME,
                DOCKER_CONFIG_VOLUME,
            ]
            .contains(&m.volume.as_str())
            {
                coded(
                    &mut errors,
                    Code::Dind020,
                    &format!("{path}.mounts"),
                    format!("volume name `{}` is one dind uses; choose another", m.volume),
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
        if let Some((uid, gid)) = c.run_as {
            check_int32(&mut errors, &format!("{path}.run_as"), "uid", uid, 0);
            check_int32(&mut errors, &format!("{path}.run_as"), "gid", gid, 0);
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
    for (k, v) in &meta.labels {
        if !syntax::is_qualified_name(k) || !syntax::is_label_value(v) {
            err(
                &mut errors,
                "labels",
                format!("`{k}: {v}` is not a valid label (key `[prefix/]name`, value up to 63 of `[A-Za-z0-9._-]`)"),
            );
        }
    }
    for (k, v) in &meta.node_selector {
        if !syntax::is_qualified_name(k) || !syntax::is_label_value(v) {
            err(
                &mut errors,
                "node_selector",
                format!("`{k}: {v}` is not a valid node selector (a label key and value)"),
            );
        }
    }
    let mut annotation_bytes = 0usize;
    for (k, v) in &meta.annotations {
        annotation_bytes += k.len() + v.len();
        if !syntax::is_qualified_name(k) {
            err(
                &mut errors,
                "annotations",
                format!("`{k}` is not a valid annotation key"),
            );
        }
    }
    if annotation_bytes > ANNOTATIONS_LIMIT {
        err(
            &mut errors,
            "annotations",
            format!("the annotations take {annotation_bytes} bytes; the API allows at most {ANNOTATIONS_LIMIT}"),
        );
    }
    for t in &meta.tolerations {
        if let Some(problem) = syntax::toleration_problem(t) {
            err(&mut errors, "tolerations", problem);
        }
    }
    if let Some(s) = meta.active_deadline_seconds {
        check_int32(&mut errors, "active_deadline_seconds", "a deadline of", s, 1);
    }

    if errors.is_empty() {
        Ok(Resolved {
            kube,
            image,
            version,
            rootless,
            transport,
            cli_image,
            daemon_memory_request,
            sysbox,
            engine: spec.engine,
        })
    } else {
        Err(errors)
    }
}
