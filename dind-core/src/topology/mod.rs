//! Analysis: from any `k8s_openapi` Pod (built by us or read from a file) to its [`Topology`]:
//! the daemon containers and what they listen on (from [`crate::wiring`], the one model of dind
//! semantics), the clients and where they connect, the volumes they share, and what cannot be
//! told because a value comes from `valueFrom` or `envFrom`.

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, Volume};

use crate::facts::{BuildkitImage, DockerImage, ImageRole};
pub use crate::wiring::Endpoint;
use crate::wiring::{self, BuildkitWiring, DaemonWiring, Env, EnvValue, Hidden};

/// A container with its place in the pod.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    /// The container.
    pub container: &'a Container,
    /// Its index in `containers` or `initContainers`.
    pub index: usize,
    /// Whether it is in `initContainers`.
    pub init: bool,
}

impl<'a> Place<'a> {
    /// The field path of the container, `spec.containers[1]` or `spec.initContainers[0]`.
    pub fn path(&self) -> String {
        if self.init {
            format!("spec.initContainers[{}]", self.index)
        } else {
            format!("spec.containers[{}]", self.index)
        }
    }

    /// The container's name.
    pub fn name(&self) -> &'a str {
        &self.container.name
    }

    /// The container's environment.
    pub fn env(&self) -> Env<'a> {
        Env::of(self.container)
    }

    /// Whether it is a native sidecar (`initContainers` with `restartPolicy: Always`).
    pub fn is_native_sidecar(&self) -> bool {
        self.init && self.container.restart_policy.as_deref() == Some("Always")
    }

    /// The mount path and volume that contain `path` in this container (the longest mount
    /// prefix), and the rest of the path below the mount.
    pub fn mount_at(&self, path: &str) -> Option<(&'a str, &'a str, String)> {
        let mounts = self.container.volume_mounts.as_deref().unwrap_or_default();
        mounts
            .iter()
            .filter(|m| m.sub_path.as_deref().is_none_or(str::is_empty) && m.sub_path_expr.is_none())
            .filter_map(|m| {
                let base = m.mount_path.trim_end_matches('/');
                let rest = if path == base {
                    Some("")
                } else {
                    path.strip_prefix(base).filter(|r| r.starts_with('/'))
                };
                rest.map(|r| (m.name.as_str(), m.mount_path.as_str(), base.len(), r.to_string()))
            })
            .max_by_key(|(_, _, len, _)| *len)
            .map(|(name, mount, _, rest)| (name, mount, rest))
    }

    /// Whether a volume (any, `subPath` or not) is mounted at exactly `path` in this container.
    pub fn has_mount_at(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        self.container
            .volume_mounts
            .iter()
            .flatten()
            .any(|m| m.mount_path.trim_end_matches('/') == path)
    }

    /// The volume that contains `path` in this container, and where in the volume it is (`""`
    /// for its root, else `/dir/...`). A `subPath` mount shows that directory of the volume.
    pub fn volume_at(&self, path: &str) -> Option<(&'a str, String)> {
        let mounts = self.container.volume_mounts.as_deref().unwrap_or_default();
        mounts
            .iter()
            .filter(|m| m.sub_path_expr.is_none())
            .filter_map(|m| {
                let base = m.mount_path.trim_end_matches('/');
                let rest = if path == base {
                    ""
                } else {
                    path.strip_prefix(base).filter(|r| r.starts_with('/'))?
                };
                let inside = match m.sub_path.as_deref().map(|s| s.trim_matches('/')) {
                    Some(sub) if !sub.is_empty() => format!("/{sub}{rest}"),
                    _ => rest.to_string(),
                };
                Some((m.name.as_str(), base.len(), inside))
            })
            .max_by_key(|(_, len, _)| *len)
            .map(|(name, _, inside)| (name, inside))
    }

    /// Every path at which this container sees `volume` + `rest` (`rest` as [`Self::volume_at`]
    /// gives it).
    pub fn paths_of(&self, volume: &str, rest: &str) -> Vec<String> {
        let mounts = self.container.volume_mounts.as_deref().unwrap_or_default();
        mounts
            .iter()
            .filter(|m| m.name == volume && m.sub_path_expr.is_none())
            .filter_map(|m| {
                let base = m.mount_path.trim_end_matches('/');
                let below = match m.sub_path.as_deref().map(|s| s.trim_matches('/')) {
                    Some(sub) if !sub.is_empty() => {
                        let r = rest.strip_prefix('/')?.strip_prefix(sub)?;
                        (r.is_empty() || r.starts_with('/')).then_some(r)?
                    }
                    _ => rest,
                };
                Some(format!("{base}{below}"))
            })
            .collect()
    }
}

/// A Docker daemon container.
#[derive(Clone, Debug)]
pub struct Daemon<'a> {
    /// The container.
    pub place: Place<'a>,
    /// Its image.
    pub image: DockerImage,
    /// What it does: launch, listeners, data root, rootless setup.
    pub wiring: DaemonWiring,
}

/// A BuildKit daemon container (`buildkitd`).
#[derive(Clone, Debug)]
pub struct BuildkitDaemon<'a> {
    /// The container.
    pub place: Place<'a>,
    /// Its image, when it is `moby/buildkit`.
    pub image: Option<BuildkitImage>,
    /// What it does: launch, rootlesskit, listeners, confinement.
    pub wiring: BuildkitWiring,
}

/// A client container: where `docker` commands run against the daemon.
#[derive(Clone, Debug)]
pub struct ClientView<'a> {
    /// The container.
    pub place: Place<'a>,
    /// `DOCKER_HOST`, or the CLI default `unix:///var/run/docker.sock`; `None` when it comes from
    /// `valueFrom`/`envFrom`.
    pub endpoint: Option<Endpoint>,
    /// Whether `DOCKER_HOST` was set.
    pub explicit_host: bool,
    /// `DOCKER_TLS_VERIFY` non-empty; `None` when unknown.
    pub tls_verify: Option<bool>,
    /// `DOCKER_CERT_PATH` (`Some(None)` unset); `None` when unknown.
    pub cert_path: Option<Option<String>>,
}

/// Where a client sees a daemon's unix socket.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SocketReach {
    /// At these paths.
    Seen(Vec<String>),
    /// The socket is on a shared volume, but the daemon's wrapper hides it.
    Hidden(Hidden),
    /// Not on a volume the client mounts.
    NotShared,
}

/// The analysed pod.
#[derive(Clone, Debug)]
pub struct Topology<'a> {
    /// The pod.
    pub pod: &'a Pod,
    /// Its spec (an empty one for a pod without `spec`).
    pub spec: &'a PodSpec,
    /// Every container, `containers` then `initContainers`.
    pub containers: Vec<Place<'a>>,
    /// The Docker daemons.
    pub daemons: Vec<Daemon<'a>>,
    /// The BuildKit daemons.
    pub buildkitds: Vec<BuildkitDaemon<'a>>,
    /// The clients.
    pub clients: Vec<ClientView<'a>>,
}

/// The plain value of an environment variable (`value`, null counted as empty); `None` when it
/// is unset or unknown.
pub fn env_value(container: &Container, name: &str) -> Option<String> {
    Env::of(container).get(name).known().map(str::to_string)
}

/// Whether a container is a Docker client: `DOCKER_HOST` set, the CLI image, or an image with the
/// docker CLI that does not start dockerd.
fn is_client(container: &Container) -> bool {
    let image = DockerImage::parse(container.image.as_deref().unwrap_or(""));
    Env::of(container).get("DOCKER_HOST") != EnvValue::Unset
        || matches!(image.role(), ImageRole::Cli | ImageRole::Daemon { .. })
        || image.repository.ends_with("docker-cli")
}

/// The node paths whose hostPath gives a container the node's Docker daemon: its socket, or the
/// directory that holds it.
pub const NODE_SOCKET_PATHS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run",
    "/run",
    "/var/run/docker",
    "/run/docker",
];

/// Whether `words` (a container's command and args, or a step's script) run Docker: `docker`,
/// `dockerd`, `buildctl` or `buildkitd`.
fn words_run_docker(words: &[String]) -> bool {
    let script = words.join(" ");
    crate::rules::waits::runs_docker(&script)
        || script
            .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | '\'' | '"'))
            .any(|w| {
                matches!(
                    w.rsplit('/').next().unwrap_or(w),
                    "dockerd" | "buildctl" | "buildkitd" | "dockerd-entrypoint.sh"
                )
            })
}

/// Whether an image reference names Docker-in-Docker: `dind` in its repository or tag.
fn named_for_dind(image: &str) -> bool {
    let last = image.rsplit('/').next().unwrap_or(image).to_ascii_lowercase();
    last.split([':', '@', '-', '_', '.']).any(|w| w == "dind")
}

static EMPTY_SPEC: std::sync::LazyLock<PodSpec> = std::sync::LazyLock::new(PodSpec::default);
static EMPTY_ANNOTATIONS: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();

impl<'a> Topology<'a> {
    /// Analyses a pod.
    pub fn of(pod: &'a Pod) -> Topology<'a> {
        let spec: &PodSpec = pod.spec.as_ref().unwrap_or(&EMPTY_SPEC);
        let mut containers: Vec<Place<'a>> = spec
            .containers
            .iter()
            .enumerate()
            .map(|(index, container)| Place {
                container,
                index,
                init: false,
            })
            .collect();
        containers.extend(
            spec.init_containers
                .iter()
                .flatten()
                .enumerate()
                .map(|(index, container)| Place {
                    container,
                    index,
                    init: true,
                }),
        );
        let mut daemons = Vec::new();
        let mut buildkitds = Vec::new();
        let mut clients = Vec::new();
        let annotations = pod.metadata.annotations.as_ref().unwrap_or(&EMPTY_ANNOTATIONS);
        for place in &containers {
            let c = place.container;
            if let Some(w) = wiring::buildkitd(c, annotations, spec.security_context.as_ref()) {
                buildkitds.push(BuildkitDaemon {
                    place: *place,
                    image: BuildkitImage::parse(c.image.as_deref().unwrap_or("")),
                    wiring: w,
                });
            } else if let Some(w) = wiring::daemon(c, spec.security_context.as_ref()) {
                daemons.push(Daemon {
                    place: *place,
                    image: DockerImage::parse(c.image.as_deref().unwrap_or("")),
                    wiring: w,
                });
            } else if is_client(c) && !place.init {
                let env = Env::of(c);
                let (endpoint, explicit_host) = match env.get("DOCKER_HOST") {
                    EnvValue::Value(h) if !h.is_empty() => (Some(Endpoint::parse(h)), true),
                    EnvValue::Unknown => (None, true),
                    _ => (Some(Endpoint::parse("unix:///var/run/docker.sock")), false),
                };
                let tls_verify = match env.get("DOCKER_TLS_VERIFY") {
                    EnvValue::Value(v) => Some(!v.is_empty()),
                    EnvValue::Unset => Some(false),
                    EnvValue::Unknown => None,
                };
                let cert_path = match env.get("DOCKER_CERT_PATH") {
                    EnvValue::Value(p) if !p.is_empty() => Some(Some(p.to_string())),
                    EnvValue::Unknown => None,
                    _ => Some(None),
                };
                clients.push(ClientView {
                    place: *place,
                    endpoint,
                    explicit_host,
                    tls_verify,
                    cert_path,
                });
            }
        }
        Topology {
            pod,
            spec,
            containers,
            daemons,
            buildkitds,
            clients,
        }
    }

    /// Whether the pod runs under Sysbox: its `runtimeClassName` is the Sysbox installer's
    /// `sysbox-runc` (or another class named for Sysbox).
    pub fn sysbox(&self) -> bool {
        self.spec
            .runtime_class_name
            .as_deref()
            .is_some_and(|c| c == crate::model::SYSBOX_RUNTIME_CLASS || c.starts_with("sysbox"))
    }

    /// The pod's volume named `name`.
    pub fn volume(&self, name: &str) -> Option<&'a Volume> {
        self.spec
            .volumes
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|v| v.name == name)
    }

    /// Where `client` sees the unix socket that `daemon` serves at `path`.
    pub fn socket_reach(&self, daemon: &Daemon<'_>, path: &str, client: &Place<'_>) -> SocketReach {
        if daemon.place.name() == client.name() && daemon.place.init == client.init {
            return SocketReach::Seen(vec![path.to_string()]);
        }
        match daemon.place.mount_at(path) {
            Some((volume, mount, rest)) if !rest.is_empty() => {
                let paths = client.paths_of(volume, &rest);
                if paths.is_empty() {
                    SocketReach::NotShared
                } else if let Some(hidden) = daemon.wiring.socket_hidden(path, mount) {
                    SocketReach::Hidden(hidden)
                } else {
                    SocketReach::Seen(paths)
                }
            }
            _ => SocketReach::NotShared,
        }
    }

    /// Every path at which container `to` sees the file that container `from` has at `path` on
    /// a shared volume (empty when no volume is shared).
    pub fn shared_paths(&self, from: &Place<'_>, path: &str, to: &Place<'_>) -> Vec<String> {
        if from.name() == to.name() && from.init == to.init {
            return vec![path.to_string()];
        }
        match from.mount_at(path) {
            Some((volume, _, rest)) if !rest.is_empty() => to.paths_of(volume, &rest),
            _ => Vec::new(),
        }
    }

    /// Every path at which `client` sees the unix socket that `daemon` serves at `path`.
    pub fn socket_paths_for(&self, daemon: &Daemon<'_>, path: &str, client: &Place<'_>) -> Vec<String> {
        match self.socket_reach(daemon, path, client) {
            SocketReach::Seen(paths) => paths,
            _ => Vec::new(),
        }
    }

    /// The pod's hostPath volumes of the node's Docker socket (or the directory that holds it)
    /// that some container mounts, with their index in `volumes`: a volume no container mounts
    /// gives nothing to anyone.
    pub fn node_socket_volumes(&self) -> Vec<(usize, &'a Volume)> {
        self.spec
            .volumes
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, v)| {
                v.host_path
                    .as_ref()
                    .is_some_and(|hp| NODE_SOCKET_PATHS.contains(&hp.path.trim_end_matches('/')))
                    && self.mounted(&v.name)
            })
            .collect()
    }

    /// Whether some container mounts the volume `name`.
    pub fn mounted(&self, name: &str) -> bool {
        !self.mounted_by(name).is_empty()
    }

    /// The containers that mount the volume `name`.
    pub fn mounted_by(&self, name: &str) -> Vec<&'a str> {
        self.containers
            .iter()
            .filter(|p| p.container.volume_mounts.iter().flatten().any(|m| m.name == name))
            .map(|p| p.name())
            .collect()
    }

    /// Whether the pod runs or uses Docker, the pods dind's rules are for: a daemon (dockerd,
    /// buildkitd, a dind image), a client (`DOCKER_HOST` or `BUILDKIT_HOST` set, a Docker CLI
    /// image, `docker`/`buildctl` in a command, or steps that run `docker`), or a mounted
    /// hostPath of the node's Docker socket. Anything else (an app, a kaniko or Maven agent) is
    /// out of scope: dind says nothing about it.
    ///
    /// ```
    /// use dind_core::topology::Topology;
    /// use k8s_openapi::api::core::v1::Pod;
    /// let pod: Pod = serde_json::from_value(serde_json::json!({"spec": {"containers": [
    ///     {"name": "maven", "image": "maven:3.9", "command": ["sleep", "infinity"]}]}})).unwrap();
    /// assert!(!Topology::of(&pod).uses_docker(None));
    /// // An agent image named for dind that dind does not know is in scope.
    /// let agent: Pod = serde_json::from_value(serde_json::json!({"spec": {"containers": [
    ///     {"name": "jnlp", "image": "ghcr.io/example/jenkins-agent-dind:1.0"}]}})).unwrap();
    /// assert!(Topology::of(&agent).uses_docker(None));
    /// ```
    pub fn uses_docker(&self, steps: Option<crate::rules::Steps>) -> bool {
        !self.daemons.is_empty()
            || !self.buildkitds.is_empty()
            || !self.clients.is_empty()
            || steps.is_some_and(|s| s.use_docker)
            || !self.node_socket_volumes().is_empty()
            || self.containers.iter().any(|p| {
                let c = p.container;
                // An image named for Docker-in-Docker (`ghcr.io/org/jenkins-agent-dind`) that dind
                // does not know still says the pod is about Docker.
                named_for_dind(c.image.as_deref().unwrap_or(""))
                    || p.env().get("BUILDKIT_HOST") != EnvValue::Unset
                    || words_run_docker(c.command.as_deref().unwrap_or_default())
                    || words_run_docker(c.args.as_deref().unwrap_or_default())
            })
    }

    /// The other daemon that daemon `d` looks meant as a client of: `d` runs a dind image on its
    /// entrypoint's defaults (no `command`, no `args`), as people write a client with `docker` or
    /// `docker:latest` (the dind image since 22.06), and its `DOCKER_HOST` names an endpoint
    /// another daemon of the pod serves.
    pub fn meant_as_client(&self, d: &Daemon<'_>) -> Option<&Daemon<'a>> {
        let c = d.place.container;
        if d.wiring.launch != wiring::Launch::Defaults
            || c.command.as_ref().is_some_and(|w| !w.is_empty())
            || c.args.as_ref().is_some_and(|w| !w.is_empty())
        {
            return None;
        }
        let EnvValue::Value(host) = d.place.env().get("DOCKER_HOST") else {
            return None;
        };
        let endpoint = Endpoint::parse(host);
        self.daemons
            .iter()
            .filter(|o| o.place.name() != d.place.name())
            .find(|o| o.wiring.serves(&endpoint).is_some())
    }

    /// The rule codes the pod's author accepted in the `dind/allow` annotation.
    pub fn allowed(&self) -> Vec<String> {
        self.pod
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(crate::conventions::ALLOW_ANNOTATION))
            .map(|v| {
                v.split(',')
                    .map(|c| c.trim().to_ascii_uppercase())
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}
