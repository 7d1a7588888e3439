//! What a pod wires, drawn: which container runs a daemon and what it listens on, with which
//! TLS and how far each listener reaches, where its data and client certificates live, what each
//! client points at and whether that is served, what waits for the daemon, which volumes the
//! containers share, and the Pod Security level the pod needs.
//!
//! A [`PodWiring`] is read from the same [`Topology`] the rules use, and takes its verdicts from
//! the rules' own findings: a client is not served when a rule says so (DIND004, DIND005,
//! DIND013), or when the daemon it reaches cannot start (DIND001, DIND007, DIND012, DIND016,
//! DIND027, DIND041). What dind cannot know (a `DOCKER_HOST` from `valueFrom`, an endpoint
//! outside the pod) is said to be unknown, never guessed. [`text`], [`dot`] and [`mermaid`] draw
//! it; its JSON form is `serde_json::to_value` of it, described by [`schema`].
//!
//! ```
//! use dind_core::explain::{PodWiring, Role};
//! let built = dind_core::DindPod::new().build().unwrap();
//! let wiring = PodWiring::of_pod(built.pod(), &dind_core::rules::Context::default());
//! assert!(wiring.containers.iter().any(|c| c.role == Role::Daemon));
//! assert!(wiring.clients.iter().all(|c| c.served == Some(true)));
//! ```

mod graph;
mod text;

pub use graph::{dot, mermaid};
pub use text::text;

use k8s_openapi::api::core::v1::{Container, Pod, Probe, Volume};
use schemars::JsonSchema;
use serde::Serialize;

use crate::pod_security::PodSecurity;
use crate::rules::{Context, waits};
use crate::topology::{BuildkitDaemon, Daemon, Topology};
use crate::wiring::{BuildkitLaunch, Endpoint, Launch, TlsMode};
use crate::{Code, Diagnostic};

/// What a pod wires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PodWiring {
    /// Every container, `containers` then `initContainers`, with its role.
    pub containers: Vec<ContainerRole>,
    /// The daemons: dockerd, then buildkitd.
    pub daemons: Vec<DaemonView>,
    /// The clients (of dockerd, then of buildkitd) and where they connect.
    pub clients: Vec<ClientLink>,
    /// What waits for the daemons before the first `docker` command.
    pub waits: Vec<Wait>,
    /// Why the first `docker` command races a daemon (the DIND010 finding), when it does.
    pub not_awaited: Option<String>,
    /// The pod's volumes and who mounts them where.
    pub volumes: Vec<VolumeView>,
    /// The least permissive Pod Security level that admits the pod.
    pub pod_security: String,
    /// The pod's `runtimeClassName`, if any (`sysbox-runc`: Sysbox gives the daemon its data root).
    pub runtime_class: Option<String>,
}

/// What a container does in the pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Role {
    /// Runs dockerd.
    Daemon,
    /// Runs buildkitd.
    Buildkitd,
    /// Runs `docker` commands against a daemon.
    Client,
    /// The Jenkins agent (`jnlp`).
    Agent,
    /// Anything else.
    Other,
}

impl Role {
    /// The role's name, as the JSON form gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Daemon => "daemon",
            Role::Buildkitd => "buildkitd",
            Role::Client => "client",
            Role::Agent => "agent",
            Role::Other => "other",
        }
    }
}

/// A container and its role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ContainerRole {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its image, as written.
    pub image: Option<String>,
    /// Whether it is an init container (`native sidecar` when it restarts always).
    pub init: Option<String>,
}

/// How a listener is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Tls {
    /// No TLS.
    Plain,
    /// TLS without client verification: encrypted, any client accepted.
    Encrypted,
    /// Mutual TLS.
    Verified,
}

/// How far a listener reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Reach {
    /// Only its own container: a socket on no shared volume.
    Container,
    /// The pod's containers: loopback TCP, or a socket on a shared volume.
    Pod,
    /// Anything that reaches the pod's IP: TCP on a non-loopback address.
    Cluster,
}

/// A daemon's listener.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListenerView {
    /// The endpoint, `unix:///...` or `tcp://host:port`.
    pub endpoint: String,
    /// For TCP, its protection; `null` for a unix socket, or when it cannot be told.
    pub tls: Option<Tls>,
    /// How far it reaches.
    pub reach: Reach,
    /// Where it comes from: `args`, `entrypoint default`, `DOCKER_HOST`, `dockerd default`.
    pub origin: String,
}

/// A daemon: dockerd or buildkitd.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DaemonView {
    /// Its container.
    pub container: String,
    /// Which daemon: `dockerd` or `buildkitd`.
    pub engine: String,
    /// How it starts: for dockerd `entrypoint defaults`, `explicit args`, `bypassed entrypoint`;
    /// for buildkitd `rootlesskit`, `direct`.
    pub launch: String,
    /// Whether it runs rootless.
    pub rootless: bool,
    /// What it listens on.
    pub listeners: Vec<ListenerView>,
    /// Its data root (dockerd's; `null` for buildkitd).
    pub data_root: Option<String>,
    /// The volume at its data root, if any.
    pub data_root_volume: Option<String>,
    /// Where the entrypoint writes the client certificates, if it makes them.
    pub cert_dir: Option<String>,
    /// The volume at the client certificate directory, if any.
    pub cert_dir_volume: Option<String>,
    /// Why its listeners cannot all be told (a script starts it, a value is unknown).
    pub uncertain: Option<String>,
    /// Why it does not start, or not as written: the finding (`DIND007: ...`), if any.
    pub start_problem: Option<String>,
}

/// Where a client's endpoint comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Via {
    /// Its `DOCKER_HOST` value.
    Env,
    /// `DOCKER_HOST` from `valueFrom` or `envFrom`: unknown.
    EnvUnknown,
    /// No `DOCKER_HOST`: the CLI's default socket.
    DefaultSocket,
    /// A BuildKit client's `BUILDKIT_HOST`.
    BuildkitHost,
    /// A BuildKit client's `buildctl --addr`.
    BuildctlAddr,
}

/// A client and where it connects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ClientLink {
    /// Its container.
    pub container: String,
    /// The endpoint it uses; `null` when unknown.
    pub endpoint: Option<String>,
    /// Where the endpoint comes from.
    pub via: Via,
    /// Whether a daemon of the pod serves it to this client; `null` when dind cannot tell.
    pub served: Option<bool>,
    /// The finding that says why not.
    pub code: Option<String>,
    /// One line on why it is not served, or why dind cannot tell.
    pub why: Option<String>,
    /// The daemon container it reaches.
    pub daemon: Option<String>,
    /// The listener it reaches.
    pub listener: Option<String>,
}

/// Something that waits for a daemon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Wait {
    /// The container that waits, or has the probe (`steps` for a pipeline's own steps).
    pub container: String,
    /// How: a probe and what it runs, a wait loop.
    pub how: String,
}

/// A volume of the pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct VolumeView {
    /// Its name.
    pub name: String,
    /// Its kind: `emptyDir`, `emptyDir (Memory)`, `hostPath /var/run`, `secret`, ...
    pub kind: String,
    /// Who mounts it, where.
    pub mounts: Vec<MountView>,
}

/// A mount of a volume.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MountView {
    /// The container.
    pub container: String,
    /// Where it sees the volume (with `subPath`, the directory it sees).
    pub path: String,
    /// The `subPath`, if any.
    pub sub_path: Option<String>,
}

/// The findings that say a client does not reach its daemon.
const CLIENT_CODES: &[Code] = &[Code::Dind004, Code::Dind005, Code::Dind013];
/// The findings that say a daemon does not start (or not as written).
const DAEMON_CODES: &[Code] = &[
    Code::Dind001,
    Code::Dind007,
    Code::Dind012,
    Code::Dind016,
    Code::Dind027,
    Code::Dind041,
];

/// The findings that say a buildkitd does not start.
const BUILDKITD_CODES: &[Code] = &[Code::Dind030, Code::Dind031];

impl PodWiring {
    /// What `pod` wires, with the verdicts of the rules' `diagnostics` on it (the findings of
    /// [`crate::rules::check`], paths of the pod).
    pub fn of(pod: &Pod, diagnostics: &[Diagnostic], ctx: &Context) -> PodWiring {
        let t = Topology::of(pod);
        let role_of = |name: &str, init: bool| {
            if t.daemons.iter().any(|d| d.place.name() == name && d.place.init == init) {
                Role::Daemon
            } else if t
                .buildkitds
                .iter()
                .any(|b| b.place.name() == name && b.place.init == init)
            {
                Role::Buildkitd
            } else if !init
                && t.containers.iter().any(|p| {
                    p.name() == name
                        && !p.init
                        && (t.clients.iter().any(|c| c.place.name() == name)
                            || crate::wiring::buildkit_client_host(p.container).is_some())
                })
            {
                Role::Client
            } else if name == crate::conventions::JENKINS_AGENT_CONTAINER && !init {
                Role::Agent
            } else {
                Role::Other
            }
        };
        let containers = t
            .containers
            .iter()
            .map(|p| ContainerRole {
                name: p.name().to_string(),
                role: role_of(p.name(), p.init),
                image: p.container.image.clone(),
                init: p.init.then(|| {
                    if p.is_native_sidecar() {
                        "native sidecar"
                    } else {
                        "init"
                    }
                    .to_string()
                }),
            })
            .collect();
        let mut daemons: Vec<DaemonView> = t.daemons.iter().map(|d| daemon_view(&t, d)).collect();
        daemons.extend(t.buildkitds.iter().map(|b| buildkitd_view(&t, b)));
        for d in &mut daemons {
            let codes: &[Code] = if d.engine == "buildkitd" {
                BUILDKITD_CODES
            } else {
                DAEMON_CODES
            };
            d.start_problem = diagnostics
                .iter()
                .find(|f| {
                    f.container.as_deref() == Some(d.container.as_str()) && f.code.is_some_and(|c| codes.contains(&c))
                })
                .and_then(|f| f.code.map(|c| format!("{c}: {}", f.message)));
        }
        let finding = |container: &str, codes: &[Code]| {
            diagnostics
                .iter()
                .find(|d| d.container.as_deref() == Some(container) && d.code.is_some_and(|c| codes.contains(&c)))
        };
        let mut clients: Vec<ClientLink> = t
            .clients
            .iter()
            .map(|c| {
                let via = match (&c.endpoint, c.explicit_host) {
                    (None, _) => Via::EnvUnknown,
                    (Some(_), true) => Via::Env,
                    (Some(_), false) => Via::DefaultSocket,
                };
                let reached = crate::rules::reached(&t, c);
                let mut link = ClientLink {
                    container: c.place.name().to_string(),
                    endpoint: c.endpoint.as_ref().map(Endpoint::to_url),
                    via,
                    served: None,
                    code: None,
                    why: None,
                    daemon: reached.map(|(d, _)| d.place.name().to_string()),
                    listener: reached.map(|(_, l)| l.endpoint.to_url()),
                };
                if let Some(f) = finding(c.place.name(), CLIENT_CODES) {
                    link.served = Some(false);
                    link.code = f.code.map(|c| c.as_str().to_string());
                    link.why = Some(f.message.clone());
                } else if c.endpoint.is_none() {
                    link.why = Some("unknown (from valueFrom)".to_string());
                } else if let Some((d, _)) = reached {
                    if let Some(f) = finding(d.place.name(), DAEMON_CODES) {
                        link.served = Some(false);
                        link.code = f.code.map(|c| c.as_str().to_string());
                        link.why = Some(format!("its daemon `{}`: {}", d.place.name(), f.message));
                    } else {
                        link.served = Some(true);
                    }
                } else if let Some(why) = t.daemons.iter().find_map(|d| d.wiring.uncertain.clone()) {
                    link.why = Some(format!("unknown: {why}"));
                } else if t.daemons.is_empty() {
                    link.why = Some("unknown: no daemon of this pod serves it (a daemon elsewhere?)".to_string());
                } else {
                    link.why = Some("unknown: it names a daemon outside the pod".to_string());
                }
                link
            })
            .collect();
        clients.extend(t.containers.iter().filter_map(|place| {
            if t.buildkitds.iter().any(|b| b.place.name() == place.name()) {
                return None;
            }
            let (endpoint, source) = crate::wiring::buildkit_client_host(place.container)?;
            let reached = crate::rules::buildkit_reached(&t, place, &endpoint);
            let mut link = ClientLink {
                container: place.name().to_string(),
                endpoint: Some(endpoint.to_url()),
                via: if source == "--addr" {
                    Via::BuildctlAddr
                } else {
                    Via::BuildkitHost
                },
                served: None,
                code: None,
                why: None,
                daemon: reached.map(|(b, _)| b.place.name().to_string()),
                listener: reached.map(|(_, l)| l.to_url()),
            };
            if let Some(f) = finding(place.name(), &[Code::Dind032]) {
                link.served = Some(false);
                link.code = f.code.map(|c| c.as_str().to_string());
                link.why = Some(f.message.clone());
            } else if let Some((b, _)) = reached {
                match finding(b.place.name(), BUILDKITD_CODES) {
                    Some(f) => {
                        link.served = Some(false);
                        link.code = f.code.map(|c| c.as_str().to_string());
                        link.why = Some(format!("its daemon `{}`: {}", b.place.name(), f.message));
                    }
                    None => link.served = Some(true),
                }
            } else {
                link.why = Some("unknown: no buildkitd of this pod serves it (a daemon elsewhere?)".to_string());
            }
            Some(link)
        }));
        PodWiring {
            containers,
            daemons,
            clients,
            waits: waits_of(&t, ctx),
            not_awaited: diagnostics
                .iter()
                .find(|d| d.code == Some(Code::Dind010))
                .map(|d| format!("{}: {}", Code::Dind010, d.message)),
            volumes: volumes_of(&t),
            pod_security: PodSecurity::of(pod).level.as_str().to_string(),
            runtime_class: t.sysbox().then(|| t.spec.runtime_class_name.clone()).flatten(),
        }
    }

    /// What `pod` wires, checking it with the rules first (for a pod dind built or read).
    pub fn of_pod(pod: &Pod, ctx: &Context) -> PodWiring {
        PodWiring::of(pod, &crate::rules::check(pod, ctx), ctx)
    }

    /// The endpoints the daemons of `engine` (`dockerd`, `buildkitd`) serve: for a client that
    /// is not served, what is.
    pub fn served_endpoints(&self, engine: &str) -> Vec<String> {
        self.daemons
            .iter()
            .filter(|d| d.engine == engine)
            .flat_map(|d| d.listeners.iter().map(|l| l.endpoint.clone()))
            .collect()
    }
}

fn daemon_view(t: &Topology<'_>, d: &Daemon<'_>) -> DaemonView {
    let w = &d.wiring;
    let launch = match &w.launch {
        Launch::Defaults => "entrypoint defaults".to_string(),
        Launch::Explicit => "explicit args".to_string(),
        Launch::Bypassed(_) => "bypassed entrypoint".to_string(),
    };
    let listeners = w
        .listeners
        .iter()
        .map(|l| {
            let (tls, reach) = match &l.endpoint {
                Endpoint::Tcp { host, .. } => {
                    let reach = if Endpoint::is_loopback_host(host) {
                        Reach::Pod
                    } else {
                        Reach::Cluster
                    };
                    let tls = l.tls.map(|m| match m {
                        TlsMode::Plain => Tls::Plain,
                        TlsMode::Encrypted => Tls::Encrypted,
                        TlsMode::Verified => Tls::Verified,
                    });
                    (tls, reach)
                }
                Endpoint::Unix(path) => {
                    let shared = t.containers.iter().any(|p| {
                        (p.name() != d.place.name() || p.init != d.place.init)
                            && !t.socket_paths_for(d, path, p).is_empty()
                    });
                    (None, if shared { Reach::Pod } else { Reach::Container })
                }
                _ => (None, Reach::Container),
            };
            let origin = match l.origin {
                crate::wiring::Origin::Args => "args",
                crate::wiring::Origin::EntrypointDefault => "entrypoint default",
                crate::wiring::Origin::DockerHost => "DOCKER_HOST",
                crate::wiring::Origin::DockerdDefault => "dockerd default",
            };
            ListenerView {
                endpoint: l.endpoint.to_url(),
                tls,
                reach,
                origin: origin.to_string(),
            }
        })
        .collect();
    let volume_at = |path: &str| d.place.mount_at(path).map(|(v, _, _)| v.to_string());
    DaemonView {
        container: d.place.name().to_string(),
        engine: "dockerd".to_string(),
        launch,
        rootless: w.rootless,
        listeners,
        data_root: Some(w.data_root.clone()),
        data_root_volume: volume_at(&w.data_root),
        cert_dir: w.client_cert_dir.clone(),
        cert_dir_volume: w.client_cert_dir.as_deref().and_then(volume_at),
        uncertain: w.uncertain.clone(),
        start_problem: None,
    }
}

fn buildkitd_view(t: &Topology<'_>, b: &BuildkitDaemon<'_>) -> DaemonView {
    let w = &b.wiring;
    let launch = match (w.launch, w.rootlesskit) {
        (BuildkitLaunch::Direct, _) => "direct (no rootlesskit)",
        (_, true) => "rootlesskit",
        (_, false) => "rootful",
    };
    let listeners = w
        .listeners
        .iter()
        .map(|l| {
            let reach = match l {
                Endpoint::Tcp { host, .. } if Endpoint::is_loopback_host(host) => Reach::Pod,
                Endpoint::Tcp { .. } => Reach::Cluster,
                Endpoint::Unix(path) => {
                    let shared = t.containers.iter().any(|p| {
                        (p.name() != b.place.name() || p.init != b.place.init)
                            && !t.shared_paths(&b.place, path, p).is_empty()
                    });
                    if shared { Reach::Pod } else { Reach::Container }
                }
                Endpoint::Other(_) => Reach::Container,
            };
            ListenerView {
                endpoint: l.to_url(),
                tls: None,
                reach,
                origin: "buildkitd".to_string(),
            }
        })
        .collect();
    DaemonView {
        container: b.place.name().to_string(),
        engine: "buildkitd".to_string(),
        launch: launch.to_string(),
        rootless: w.rootless,
        listeners,
        data_root: None,
        data_root_volume: None,
        cert_dir: None,
        cert_dir_volume: None,
        uncertain: w.uncertain.clone(),
        start_problem: None,
    }
}

/// A probe in a few words: `startupProbe: docker info`.
fn probe_words(kind: &str, p: &Probe) -> String {
    if let Some(exec) = &p.exec {
        let words = exec.command.as_deref().unwrap_or_default().join(" ");
        format!("{kind}: `{words}`")
    } else if let Some(tcp) = &p.tcp_socket {
        format!("{kind}: TCP port {}", int_or_string(&tcp.port))
    } else if let Some(http) = &p.http_get {
        format!("{kind}: HTTP port {}", int_or_string(&http.port))
    } else {
        kind.to_string()
    }
}

fn int_or_string(v: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString) -> String {
    match v {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i) => i.to_string(),
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
    }
}

fn script_of(c: &Container) -> String {
    c.command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

fn waits_of(t: &Topology<'_>, ctx: &Context) -> Vec<Wait> {
    let mut out = Vec::new();
    for d in &t.daemons {
        let c = d.place.container;
        for (kind, p) in [
            ("startupProbe", &c.startup_probe),
            ("readinessProbe", &c.readiness_probe),
        ] {
            if let Some(p) = p {
                out.push(Wait {
                    container: d.place.name().to_string(),
                    how: probe_words(kind, p),
                });
            }
        }
    }
    for c in &t.clients {
        let k = c.place.container;
        if waits::wait_loop(&script_of(k)) {
            out.push(Wait {
                container: c.place.name().to_string(),
                how: "a wait loop in its command".to_string(),
            });
        }
        for (kind, p) in [
            ("startupProbe", &k.startup_probe),
            ("readinessProbe", &k.readiness_probe),
        ] {
            if let Some(p) = p {
                out.push(Wait {
                    container: c.place.name().to_string(),
                    how: probe_words(kind, p),
                });
            }
        }
    }
    if ctx.steps.is_some_and(|s| s.wait) {
        out.push(Wait {
            container: "steps".to_string(),
            how: "the pipeline's steps wait until `docker info` answers".to_string(),
        });
    }
    out
}

fn volume_kind(v: &Volume) -> String {
    if let Some(e) = &v.empty_dir {
        return match e.medium.as_deref() {
            Some(m) if !m.is_empty() => format!("emptyDir ({m})"),
            _ => "emptyDir".to_string(),
        };
    }
    if let Some(h) = &v.host_path {
        return format!("hostPath {}", h.path);
    }
    let kinds = [
        (v.secret.is_some(), "secret"),
        (v.config_map.is_some(), "configMap"),
        (v.persistent_volume_claim.is_some(), "persistentVolumeClaim"),
        (v.projected.is_some(), "projected"),
        (v.downward_api.is_some(), "downwardAPI"),
        (v.ephemeral.is_some(), "ephemeral"),
        (v.csi.is_some(), "csi"),
        (v.nfs.is_some(), "nfs"),
    ];
    kinds
        .iter()
        .find(|(set, _)| *set)
        .map_or_else(|| "other".to_string(), |(_, k)| (*k).to_string())
}

fn volumes_of(t: &Topology<'_>) -> Vec<VolumeView> {
    let mounts_of = |name: &str| {
        t.containers
            .iter()
            .flat_map(|p| {
                p.container
                    .volume_mounts
                    .iter()
                    .flatten()
                    .filter(move |m| m.name == name)
                    .map(move |m| MountView {
                        container: p.name().to_string(),
                        path: m.mount_path.clone(),
                        sub_path: m.sub_path.clone().filter(|s| !s.is_empty()),
                    })
            })
            .collect::<Vec<_>>()
    };
    t.spec
        .volumes
        .iter()
        .flatten()
        .map(|v| VolumeView {
            name: v.name.clone(),
            kind: volume_kind(v),
            mounts: mounts_of(&v.name),
        })
        .collect()
}

/// The JSON Schema of `dind explain --format json`: `{"files": [{"path", "pods": [...]}]}`, each
/// pod a [`PodWiring`] with its `label` and `line`.
pub fn schema() -> serde_json::Value {
    let pod = schemars::schema_for!(PodWiring);
    let mut pod = serde_json::to_value(pod).unwrap_or_default();
    let defs = pod
        .as_object_mut()
        .and_then(|o| o.remove("$defs"))
        .unwrap_or_else(|| serde_json::json!({}));
    if let Some(o) = pod.as_object_mut() {
        o.remove("$schema");
        o.remove("title");
        if let Some(props) = o.get_mut("properties").and_then(serde_json::Value::as_object_mut) {
            props.insert(
                "label".to_string(),
                serde_json::json!({"type": "string", "description": "What holds the pod: `Deployment web`, `podTemplate`."}),
            );
            props.insert(
                "line".to_string(),
                serde_json::json!({"type": "integer", "minimum": 1, "description": "The line where the pod starts."}),
            );
        }
        if let Some(req) = o.get_mut("required").and_then(serde_json::Value::as_array_mut) {
            req.push("label".into());
            req.push("line".into());
        }
    }
    let mut defs = defs;
    if let Some(d) = defs.as_object_mut() {
        d.insert("PodWiring".to_string(), pod);
    }
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dind explain --format json",
        "type": "object",
        "required": ["files"],
        "additionalProperties": false,
        "properties": {
            "files": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["path", "pods"],
                    "additionalProperties": false,
                    "properties": {
                        "path": {"type": "string"},
                        "error": {"type": "string", "description": "Why the file could not be read."},
                        "pods": {"type": "array", "items": {"$ref": "#/$defs/PodWiring"}}
                    }
                }
            }
        },
        "$defs": defs,
    })
}
