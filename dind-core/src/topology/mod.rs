//! Analysis: from any `k8s_openapi` Pod (built by us or read from a file) to its [`Topology`]:
//! the daemon containers and what they listen on, the clients and where they connect, the
//! volumes they share, the probes and the effective security context.

mod endpoint;
pub mod entrypoint;

pub use endpoint::Endpoint;
pub use entrypoint::{Invocation, Launch};

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, Volume};

use crate::conventions::{DATA_ROOT, ROOTLESS_DATA_ROOT};
use crate::facts::{Behaviour, DockerImage, Flavour};

/// A container with its place in the pod.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    /// The container.
    pub container: &'a Container,
    /// Its field path, `spec.containers[1]` or `spec.initContainers[0]`.
    pub index: usize,
    /// Whether it is in `initContainers`.
    pub init: bool,
}

impl<'a> Place<'a> {
    /// The field path of the container.
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

    /// Whether it is a native sidecar (`initContainers` with `restartPolicy: Always`).
    pub fn is_native_sidecar(&self) -> bool {
        self.init && self.container.restart_policy.as_deref() == Some("Always")
    }

    /// The volume and mount path that contain `path` in this container (the longest mount prefix),
    /// and the rest of the path below the mount.
    pub fn volume_at(&self, path: &str) -> Option<(&'a str, String)> {
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
                rest.map(|r| (m.name.as_str(), base.len(), r.to_string()))
            })
            .max_by_key(|(_, len, _)| *len)
            .map(|(name, _, rest)| (name, rest))
    }

    /// Every path at which this container sees `volume` + `rest`.
    pub fn paths_of(&self, volume: &str, rest: &str) -> Vec<String> {
        let mounts = self.container.volume_mounts.as_deref().unwrap_or_default();
        mounts
            .iter()
            .filter(|m| {
                m.name == volume && m.sub_path.as_deref().is_none_or(str::is_empty) && m.sub_path_expr.is_none()
            })
            .map(|m| format!("{}{rest}", m.mount_path.trim_end_matches('/')))
            .collect()
    }
}

/// A listener of a daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// Where.
    pub endpoint: Endpoint,
    /// Whether TCP is TLS-protected (`--tlsverify` or `--tls`).
    pub tls: bool,
    /// The `--host` value as written.
    pub raw: String,
}

/// A Docker daemon container.
#[derive(Clone, Debug)]
pub struct Daemon<'a> {
    /// The container.
    pub place: Place<'a>,
    /// Its image.
    pub image: DockerImage,
    /// Whether it runs the rootless image.
    pub rootless: bool,
    /// The effective dockerd command line.
    pub invocation: Invocation,
    /// What it listens on (the dockerd default socket when no `--host` is given).
    pub listeners: Vec<Listener>,
    /// The data root (`--data-root` or the image default).
    pub data_root: String,
    /// The client certificate directory the entrypoint writes, when TLS is generated.
    pub client_cert_dir: Option<String>,
}

/// A client container: where `docker` commands run against the daemon.
#[derive(Clone, Debug)]
pub struct ClientView<'a> {
    /// The container.
    pub place: Place<'a>,
    /// `DOCKER_HOST`, or the CLI default `unix:///var/run/docker.sock`.
    pub endpoint: Endpoint,
    /// Whether `DOCKER_HOST` was set.
    pub explicit_host: bool,
    /// `DOCKER_TLS_VERIFY` non-empty.
    pub tls_verify: bool,
    /// `DOCKER_CERT_PATH`.
    pub cert_path: Option<String>,
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
    /// The daemons.
    pub daemons: Vec<Daemon<'a>>,
    /// The clients.
    pub clients: Vec<ClientView<'a>>,
}

/// The value of a plain environment variable (`value`, null counted as empty).
pub fn env_value(container: &Container, name: &str) -> Option<String> {
    container
        .env
        .as_ref()?
        .iter()
        .rev()
        .find(|e| e.name == name)
        .map(|e| e.value.clone().unwrap_or_default())
}

/// Whether the container is a Docker daemon: a dind image, or `dockerd` in its command line.
pub fn is_daemon(container: &Container) -> bool {
    let image = DockerImage::parse(container.image.as_deref().unwrap_or(""));
    let mentions = |words: &Option<Vec<String>>| {
        words.as_deref().unwrap_or_default().iter().any(|w| {
            entrypoint::shell_words(w)
                .iter()
                .any(|t| t == "dockerd" || t.ends_with("/dockerd"))
        })
    };
    matches!(image.flavour(), Flavour::Dind | Flavour::DindRootless)
        || mentions(&container.command)
        || mentions(&container.args)
}

fn is_client(container: &Container) -> bool {
    let image = DockerImage::parse(container.image.as_deref().unwrap_or(""));
    env_value(container, "DOCKER_HOST").is_some()
        || image.flavour() == Flavour::Cli
        || image.repository.ends_with("docker-cli")
}

static EMPTY_SPEC: std::sync::LazyLock<PodSpec> = std::sync::LazyLock::new(PodSpec::default);

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
        let mut clients = Vec::new();
        for place in &containers {
            let c = place.container;
            if is_daemon(c) {
                daemons.push(analyse_daemon(*place));
            } else if is_client(c) && !place.init {
                let host = env_value(c, "DOCKER_HOST").filter(|h| !h.is_empty());
                clients.push(ClientView {
                    place: *place,
                    endpoint: Endpoint::parse(host.as_deref().unwrap_or("unix:///var/run/docker.sock")),
                    explicit_host: host.is_some(),
                    tls_verify: env_value(c, "DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty()),
                    cert_path: env_value(c, "DOCKER_CERT_PATH").filter(|p| !p.is_empty()),
                });
            }
        }
        Topology {
            pod,
            spec,
            containers,
            daemons,
            clients,
        }
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

    /// Every path at which `client` sees the unix socket that `daemon` serves at `path`.
    pub fn socket_paths_for(&self, daemon: &Daemon<'_>, path: &str, client: &Place<'_>) -> Vec<String> {
        if daemon.place.name() == client.name() && daemon.place.init == client.init {
            return vec![path.to_string()];
        }
        match daemon.place.volume_at(path) {
            Some((volume, rest)) if !rest.is_empty() => client.paths_of(volume, &rest),
            _ => Vec::new(),
        }
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

fn analyse_daemon(place: Place<'_>) -> Daemon<'_> {
    let c = place.container;
    let image = DockerImage::parse(c.image.as_deref().unwrap_or(""));
    let rootless = image.flavour() == Flavour::DindRootless;
    let tls_default = image.version().is_none_or(|v| v.has(Behaviour::TlsByDefault));
    let invocation = entrypoint::invocation(c, rootless, tls_default);
    let argv = &invocation.argv;
    let tls = entrypoint::flag_on(argv, "--tlsverify") || entrypoint::flag_on(argv, "--tls");
    let mut listeners: Vec<Listener> = entrypoint::flag_values(argv, "--host", Some("-H"))
        .into_iter()
        .map(|(_, raw)| Listener {
            endpoint: Endpoint::parse(&raw),
            tls,
            raw,
        })
        .collect();
    if listeners.is_empty() && invocation.launch != Launch::Unknown {
        let raw = if rootless {
            "unix:///run/user/1000/docker.sock"
        } else {
            "unix:///var/run/docker.sock"
        }
        .to_string();
        listeners.push(Listener {
            endpoint: Endpoint::parse(&raw),
            tls: false,
            raw,
        });
    }
    let data_root = entrypoint::flag_values(argv, "--data-root", None)
        .pop()
        .map(|(_, v)| v)
        .unwrap_or_else(|| if rootless { ROOTLESS_DATA_ROOT } else { DATA_ROOT }.to_string());
    let client_cert_dir = match &invocation.launch {
        Launch::Defaults {
            tls: true,
            cert_dir: Some(dir),
        } => Some(format!("{}/client", dir.trim_end_matches('/'))),
        _ => None,
    };
    Daemon {
        place,
        image,
        rootless,
        invocation,
        listeners,
        data_root,
        client_cert_dir,
    }
}
