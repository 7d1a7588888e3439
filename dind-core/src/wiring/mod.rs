//! The one model of what a dind container does: how dockerd is started (the image's
//! entrypoint, `hack/dind`, rootlesskit), what it listens on and with which TLS, where its data
//! and client certificates are, and which of its endpoints other containers can reach. The
//! builder asks it about the daemon it writes; the topology asks it about any container of a
//! linted pod. Nothing else in dind decides these things.

mod buildkit;
mod endpoint;
mod entrypoint;
mod env;
pub(crate) mod words;

pub use buildkit::{
    BuildkitLaunch, BuildkitWiring, Confinement, ROOTFUL_BUILDKIT_SOCKET, ROOTLESS_BUILDKIT_STATE,
    ROOTLESS_RUNTIME_DIR, apparmor_annotation, buildkit_client_host, buildkitd,
};
pub use endpoint::Endpoint;
pub use entrypoint::{Bypass, Launch};
pub use env::{Env, EnvValue};
pub(crate) use words::{argv, command_words, program, shell_script};
pub use words::{expand, flag_on, flag_setting, flag_values, shell_words};

use std::fmt;

use k8s_openapi::api::core::v1::{Container, PodSecurityContext};

use crate::conventions::{CERT_DIR, DATA_ROOT, ROOTLESS_DATA_ROOT, ROOTLESS_UID};
use crate::facts::{Behaviour, DockerImage, ImageRole};

/// The plaintext port the entrypoint listens on without TLS.
pub const ENTRYPOINT_PLAINTEXT_PORT: u16 = 2375;
/// The TLS port the entrypoint listens on.
pub const ENTRYPOINT_TLS_PORT: u16 = 2376;

/// How a TCP listener is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsMode {
    /// No TLS.
    Plain,
    /// `--tls` without `--tlsverify`: encrypted, but any client is accepted (dockerd treats it as
    /// unauthenticated).
    Encrypted,
    /// `--tlsverify`: mutual TLS, only clients with a certificate of the CA.
    Verified,
}

impl TlsMode {
    /// Whether clients must prove who they are.
    pub fn authenticates(self) -> bool {
        self == TlsMode::Verified
    }
}

/// Where a listener comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A `--host` in the container's arguments.
    Args,
    /// One of the entrypoint's default listeners.
    EntrypointDefault,
    /// The entrypoint's socket, taken from `DOCKER_HOST` in the daemon's environment.
    DockerHost,
    /// dockerd's own default socket (no `--host` at all).
    DockerdDefault,
}

/// A listener of a daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// Where.
    pub endpoint: Endpoint,
    /// For TCP: how it is protected; `None` when that cannot be told (`DOCKER_TLS_VERIFY` from
    /// `valueFrom`).
    pub tls: Option<TlsMode>,
    /// The `--host` value as dockerd gets it.
    pub raw: String,
    /// Where it comes from.
    pub origin: Origin,
}

/// Why an endpoint the daemon serves is not reachable from other containers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hidden {
    /// A rootless daemon created the socket in rootlesskit's private copy of `/run`.
    CopiedUpRun {
        /// The socket.
        path: String,
    },
    /// rootlesskit does not forward the port out of its network namespace.
    NotForwarded {
        /// The port.
        port: u16,
        /// The ports it forwards.
        forwarded: Vec<u16>,
    },
    /// `hack/dind` mounted a tmpfs over `/tmp`, hiding the volume the socket is on.
    TmpfsOverTmp {
        /// The socket.
        path: String,
    },
}

impl fmt::Display for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hidden::CopiedUpRun { path } => write!(
                f,
                "the rootless daemon creates `{path}` in rootlesskit's private copy of /run (--copy-up=/run), which other containers never see; mount the shared volume at the socket's own directory below /run, or put the socket outside /run"
            ),
            Hidden::NotForwarded { port, forwarded } => {
                let list: Vec<String> = forwarded.iter().map(u16::to_string).collect();
                let list = if list.is_empty() {
                    "no port".to_string()
                } else {
                    list.join(", ")
                };
                write!(
                    f,
                    "the rootless daemon listens on port {port} inside rootlesskit's network namespace, and rootlesskit forwards {list}; forward it with DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS=\"-p 0.0.0.0:{port}:{port}/tcp\" or use a unix socket"
                )
            }
            Hidden::TmpfsOverTmp { path } => write!(
                f,
                "the image's dind wrapper mounts a tmpfs over /tmp, hiding the volume that holds `{path}`; put the socket outside /tmp"
            ),
        }
    }
}

/// What a daemon container does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DaemonWiring {
    /// How dockerd is started.
    pub launch: Launch,
    /// dockerd's arguments, after the entrypoint's defaults.
    pub argv: Vec<String>,
    /// The uid dockerd runs as, when known (`runAsUser`, else the image's user).
    pub uid: Option<i64>,
    /// Whether it runs as a non-root user (the rootless setup).
    pub rootless: bool,
    /// Whether it runs under rootlesskit (rootless through the entrypoint).
    pub rootlesskit: bool,
    /// Whether it runs inside `hack/dind` (rootful through the entrypoint).
    pub hack_dind: bool,
    /// What it listens on.
    pub listeners: Vec<Listener>,
    /// Its data root.
    pub data_root: String,
    /// The directory the entrypoint writes client certificates to, when it generates them.
    pub client_cert_dir: Option<String>,
    /// The ports rootlesskit forwards (`None` when unknown or not rootless).
    pub forwarded_ports: Option<Vec<u16>>,
    /// The runtime directory of a rootless daemon (`$XDG_RUNTIME_DIR`).
    pub runtime_dir: Option<String>,
    /// Why the listeners may be incomplete or wrong: a value from `valueFrom`/`envFrom`, an image
    /// dind does not know. Rules that need the whole picture stay silent then.
    pub uncertain: Option<String>,
    tmp_is_mountpoint: bool,
}

fn norm_run(path: &str) -> String {
    match path.strip_prefix("/var/run") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run{rest}"),
        _ => path.to_string(),
    }
}

fn under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// The ports in rootlesskit `-p`/`--publish` flags (`[IP:]PORT:CHILDPORT[/PROTO]`): the parent
/// side, where other containers connect.
fn published_ports(flags: &str) -> Vec<u16> {
    let words = shell_words(flags);
    let mut specs = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w == "-p" || w == "--publish" {
            if let Some(v) = words.get(i + 1) {
                specs.push(v.clone());
            }
            i += 1;
        } else if let Some(v) = w.strip_prefix("--publish=").or_else(|| w.strip_prefix("-p=")) {
            specs.push(v.to_string());
        }
        i += 1;
    }
    specs
        .iter()
        .filter_map(|s| {
            let spec = s.split('/').next().unwrap_or("");
            let parts: Vec<&str> = spec.rsplit(':').collect();
            parts.get(1).and_then(|p| p.parse().ok())
        })
        .collect()
}

impl DaemonWiring {
    /// Why other containers cannot see the socket at `path`, which the daemon's container has on
    /// a volume mounted at `mount`; `None` when they can.
    pub fn socket_hidden(&self, path: &str, mount: &str) -> Option<Hidden> {
        let (p, m) = (norm_run(path), norm_run(mount));
        if self.rootlesskit && under(&p, "/run") {
            // rootlesskit's copy-up mounts a tmpfs on /run whose entries are symlinks to a
            // recursive bind of the original /run: a volume mounted below /run stays reachable
            // through its symlink; a new entry created in /run itself is private. The entrypoint
            // creates $XDG_RUNTIME_DIR before rootlesskit starts.
            let mounted_below = under(&m, "/run");
            let in_runtime_dir = self
                .runtime_dir
                .as_deref()
                .is_some_and(|d| under(&p, &norm_run(d)) && matches!(self.launch, Launch::Defaults | Launch::Explicit));
            if !mounted_below && !in_runtime_dir {
                return Some(Hidden::CopiedUpRun { path: path.to_string() });
            }
        }
        if self.hack_dind && under(&p, "/tmp") && !self.tmp_is_mountpoint {
            return Some(Hidden::TmpfsOverTmp { path: path.to_string() });
        }
        None
    }

    /// Why a TCP listener on `port` is unreachable outside the daemon's rootlesskit namespace;
    /// `None` when it is reachable (or that cannot be told).
    pub fn tcp_hidden(&self, port: u16) -> Option<Hidden> {
        match &self.forwarded_ports {
            Some(f) if self.rootlesskit && !f.contains(&port) => Some(Hidden::NotForwarded {
                port,
                forwarded: f.clone(),
            }),
            _ => None,
        }
    }

    /// Whether the daemon listens on `endpoint` (the same socket, or a TCP listener that a client
    /// at that host and port reaches from inside the pod).
    pub fn serves(&self, endpoint: &Endpoint) -> Option<&Listener> {
        self.listeners.iter().find(|l| match (&l.endpoint, endpoint) {
            (Endpoint::Unix(a), Endpoint::Unix(b)) => a == b,
            (Endpoint::Tcp { host: lh, port: lp }, Endpoint::Tcp { host, port }) => {
                lp == port
                    && (Endpoint::is_wildcard_host(lh)
                        || lh == host
                        || (Endpoint::is_loopback_host(lh) && Endpoint::is_loopback_host(host)))
            }
            _ => false,
        })
    }
}

/// The uid a container's process runs as: its `runAsUser`, else the pod's, else the image's user
/// (`rootless`, 1000, for the rootless image; root for the others dind knows).
pub fn effective_uid(container: &Container, pod: Option<&PodSecurityContext>, role: ImageRole) -> Option<i64> {
    container
        .security_context
        .as_ref()
        .and_then(|s| s.run_as_user)
        .or_else(|| pod.and_then(|p| p.run_as_user))
        .or(match role {
            ImageRole::Daemon { rootless: true } => Some(ROOTLESS_UID),
            ImageRole::Daemon { rootless: false } | ImageRole::Cli => Some(0),
            ImageRole::Unknown => None,
        })
}

fn expanded(words: &[String], env: &Env<'_>, uncertain: &mut Option<String>) -> Vec<String> {
    words
        .iter()
        .map(|w| {
            expand(w, env).unwrap_or_else(|| {
                uncertain.get_or_insert_with(|| {
                    format!("`{w}` refers to a variable whose value comes from valueFrom or envFrom")
                });
                w.clone()
            })
        })
        .collect()
}

/// Analyses a container as a Docker daemon; `None` when it does not start dockerd.
///
/// ```
/// use dind_core::wiring::{daemon, Endpoint};
/// let c: k8s_openapi::api::core::v1::Container = serde_json::from_value(serde_json::json!({
///     "name": "dind", "image": "docker:29.7.2-dind",
///     "args": ["dockerd", "--host=unix:///dind/docker.sock"],
/// })).unwrap();
/// let w = daemon(&c, None).unwrap();
/// assert_eq!(w.listeners[0].endpoint, Endpoint::Unix("/dind/docker.sock".into()));
/// ```
pub fn daemon(container: &Container, pod: Option<&PodSecurityContext>) -> Option<DaemonWiring> {
    let image = DockerImage::parse(container.image.as_deref().unwrap_or(""));
    let role = image.role();
    let env = Env::of(container);
    let mut uncertain = None;
    let command = expanded(container.command.as_deref().unwrap_or_default(), &env, &mut uncertain);
    let args = expanded(container.args.as_deref().unwrap_or_default(), &env, &mut uncertain);
    let start = entrypoint::start(role, &command, &args)?;
    if role == ImageRole::Unknown {
        uncertain.get_or_insert_with(|| {
            format!(
                "the image `{}` is not one dind knows, so its defaults are assumed to be the official image's",
                container.image.as_deref().unwrap_or("")
            )
        });
    }
    let uid = effective_uid(container, pod, role);
    let rootless = match uid {
        Some(u) => u != 0,
        None => matches!(role, ImageRole::Daemon { rootless: true }),
    };
    let through = matches!(start.launch, Launch::Defaults | Launch::Explicit);
    let rootlesskit = through && rootless;
    let runtime_dir = rootless.then(|| match env.get("XDG_RUNTIME_DIR") {
        EnvValue::Value(d) if !d.is_empty() => d.to_string(),
        EnvValue::Unknown => {
            uncertain.get_or_insert_with(|| "`XDG_RUNTIME_DIR` comes from valueFrom or envFrom".to_string());
            format!("/run/user/{}", uid.unwrap_or(ROOTLESS_UID))
        }
        _ => format!("/run/user/{}", uid.unwrap_or(ROOTLESS_UID)),
    });
    let default_socket = match &runtime_dir {
        Some(dir) => format!("unix://{}/docker.sock", dir.trim_end_matches('/')),
        None => "unix:///var/run/docker.sock".to_string(),
    };
    let tls_era = image.version().is_none_or(|v| v.has(Behaviour::TlsByDefault));

    let mut argv = Vec::new();
    let mut origins = Vec::new();
    let mut client_cert_dir = None;
    let mut default_port = None;
    if start.launch == Launch::Defaults {
        let (socket, origin) = match env.get("DOCKER_HOST") {
            EnvValue::Value(h) if h.starts_with("unix://") => (h.to_string(), Origin::DockerHost),
            EnvValue::Unknown => {
                uncertain.get_or_insert_with(|| "`DOCKER_HOST` comes from valueFrom or envFrom".to_string());
                (default_socket.clone(), Origin::EntrypointDefault)
            }
            _ => (default_socket.clone(), Origin::EntrypointDefault),
        };
        argv.push(format!("--host={socket}"));
        origins.push(origin);
        let certdir = match env.get("DOCKER_TLS_CERTDIR") {
            EnvValue::Value(d) => Some(d.to_string()),
            EnvValue::Unset => Some(if tls_era { CERT_DIR.to_string() } else { String::new() }),
            EnvValue::Unknown => {
                uncertain.get_or_insert_with(|| "`DOCKER_TLS_CERTDIR` comes from valueFrom or envFrom".to_string());
                None
            }
        };
        match certdir {
            Some(dir) if !dir.is_empty() && tls_era => {
                let dir = dir.trim_end_matches('/').to_string();
                argv.extend([
                    format!("--host=tcp://0.0.0.0:{ENTRYPOINT_TLS_PORT}"),
                    "--tlsverify".to_string(),
                    "--tlscacert".to_string(),
                    format!("{dir}/server/ca.pem"),
                    "--tlscert".to_string(),
                    format!("{dir}/server/cert.pem"),
                    "--tlskey".to_string(),
                    format!("{dir}/server/key.pem"),
                ]);
                origins.push(Origin::EntrypointDefault);
                client_cert_dir = Some(format!("{dir}/client"));
                default_port = Some(ENTRYPOINT_TLS_PORT);
            }
            Some(_) => {
                argv.push(format!("--host=tcp://0.0.0.0:{ENTRYPOINT_PLAINTEXT_PORT}"));
                origins.push(Origin::EntrypointDefault);
                default_port = Some(ENTRYPOINT_PLAINTEXT_PORT);
            }
            None => {}
        }
    }
    argv.extend(start.args.iter().cloned());

    // TLS: the flags, or dockerd's default from DOCKER_TLS_VERIFY in its environment.
    let verify = match flag_setting(&argv, "--tlsverify") {
        Some(v) => Some(v),
        None => match env.get("DOCKER_TLS_VERIFY") {
            EnvValue::Value(v) => Some(!v.is_empty()),
            EnvValue::Unset => Some(false),
            EnvValue::Unknown => None,
        },
    };
    let tls_flag = flag_on(&argv, "--tls");
    let mode = verify.map(|v| {
        if v {
            TlsMode::Verified
        } else if tls_flag {
            TlsMode::Encrypted
        } else {
            TlsMode::Plain
        }
    });
    let mut listeners: Vec<Listener> = flag_values(&argv, "--host", Some("-H"))
        .into_iter()
        .enumerate()
        .map(|(n, (_, raw))| {
            let endpoint = Endpoint::parse(&raw);
            let tls = matches!(endpoint, Endpoint::Tcp { .. }).then_some(mode).flatten();
            Listener {
                endpoint,
                tls,
                raw,
                origin: origins.get(n).copied().unwrap_or(Origin::Args),
            }
        })
        .collect();
    if listeners.is_empty() {
        let raw = default_socket.clone();
        listeners.push(Listener {
            endpoint: Endpoint::parse(&raw),
            tls: None,
            raw,
            origin: Origin::DockerdDefault,
        });
    }
    let data_root = flag_values(&argv, "--data-root", None)
        .pop()
        .map(|(_, v)| v)
        .unwrap_or_else(|| if rootless { ROOTLESS_DATA_ROOT } else { DATA_ROOT }.to_string());
    let forwarded_ports = if rootlesskit {
        match env.get("DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS") {
            EnvValue::Unknown => None,
            value => {
                let mut ports = published_ports(value.known().unwrap_or(""));
                ports.extend(default_port);
                Some(ports)
            }
        }
    } else {
        None
    };
    let tmp_is_mountpoint = container
        .volume_mounts
        .iter()
        .flatten()
        .any(|m| m.mount_path.trim_end_matches('/') == "/tmp");
    Some(DaemonWiring {
        launch: start.launch,
        argv,
        uid,
        rootless,
        rootlesskit,
        hack_dind: through && !rootless,
        listeners,
        data_root,
        client_cert_dir,
        forwarded_ports,
        runtime_dir,
        uncertain,
        tmp_is_mountpoint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wiring(v: serde_json::Value) -> DaemonWiring {
        let mut v = v;
        v["name"] = json!("dind");
        daemon(&serde_json::from_value(v).unwrap(), None).unwrap()
    }

    fn hosts(w: &DaemonWiring) -> Vec<String> {
        w.listeners.iter().map(|l| l.raw.clone()).collect()
    }

    #[test]
    fn the_entrypoint_defaults_follow_the_environment() {
        let w = wiring(json!({"image": "docker:29.7.2-dind"}));
        assert_eq!(hosts(&w), ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"]);
        assert_eq!(w.listeners[1].tls, Some(TlsMode::Verified));
        assert_eq!(w.client_cert_dir.as_deref(), Some("/certs/client"));
        let w = wiring(json!({"image": "docker:29.7.2-dind", "env": [
            {"name": "DOCKER_TLS_CERTDIR", "value": "/certs"}, {"name": "DOCKER_TLS_CERTDIR", "value": ""},
            {"name": "DOCKER_HOST", "value": "unix:///dind/docker.sock"}]}));
        assert_eq!(
            hosts(&w),
            ["unix:///dind/docker.sock", "tcp://0.0.0.0:2375"],
            "last entry wins"
        );
        assert_eq!(w.listeners[1].tls, Some(TlsMode::Plain));
        let w = wiring(json!({"image": "docker:29.7.2-dind", "env": [
            {"name": "DOCKER_TLS_CERTDIR", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}]}));
        assert_eq!(hosts(&w), ["unix:///var/run/docker.sock"]);
        assert!(w.uncertain.is_some());
        let w = wiring(json!({"image": "docker:18.09.9-dind"}));
        assert_eq!(
            hosts(&w),
            ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"],
            "no TLS before 19.03"
        );
    }

    #[test]
    fn tls_without_verify_authenticates_nobody() {
        let w =
            wiring(json!({"image": "docker:29.7.2-dind", "args": ["dockerd", "--host=tcp://0.0.0.0:2376", "--tls"]}));
        assert_eq!(w.listeners[0].tls, Some(TlsMode::Encrypted));
        let w = wiring(
            json!({"image": "docker:29.7.2-dind", "args": ["dockerd", "--host=tcp://0.0.0.0:2376"],
            "env": [{"name": "DOCKER_TLS_VERIFY", "value": "1"}]}),
        );
        assert_eq!(w.listeners[0].tls, Some(TlsMode::Verified));
    }

    #[test]
    fn rootless_sockets_and_ports_follow_rootlesskit() {
        let w = wiring(json!({"image": "docker:29.7.2-dind-rootless"}));
        assert_eq!(hosts(&w)[0], "unix:///run/user/1000/docker.sock");
        assert!(w.rootlesskit && w.tcp_hidden(2376).is_none() && w.tcp_hidden(2375).is_some());
        assert!(w.socket_hidden("/run/user/1000/docker.sock", "/run").is_none());
        assert!(w.socket_hidden("/run/docker.sock", "/run").is_some());
        assert!(w.socket_hidden("/var/run/dind/docker.sock", "/var/run/dind").is_none());
        assert!(w.socket_hidden("/dind/docker.sock", "/dind").is_none());
        let w = wiring(
            json!({"image": "docker:29.7.2-dind-rootless", "args": ["dockerd", "--host=tcp://0.0.0.0:8989"],
            "env": [{"name": "DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS", "value": "-p 0.0.0.0:8989:8989/tcp"}]}),
        );
        assert!(w.tcp_hidden(8989).is_none());
        let w = wiring(json!({"image": "docker:29.7.2-dind-rootless", "securityContext": {"runAsUser": 2000}}));
        assert_eq!(hosts(&w)[0], "unix:///run/user/2000/docker.sock");
        let w = wiring(json!({"image": "docker:29.7.2-dind-rootless", "securityContext": {"runAsUser": 0}}));
        assert!(!w.rootless && w.hack_dind, "uid 0 takes the rootful path");
    }

    #[test]
    fn the_dind_wrapper_hides_tmp() {
        let w = wiring(
            json!({"image": "docker:29.7.2-dind", "args": ["dockerd", "--host=unix:///tmp/d/docker.sock"],
            "volumeMounts": [{"name": "s", "mountPath": "/tmp/d"}]}),
        );
        assert!(w.socket_hidden("/tmp/d/docker.sock", "/tmp/d").is_some());
        let w = wiring(
            json!({"image": "docker:29.7.2-dind", "args": ["dockerd", "--host=unix:///tmp/docker.sock"],
            "volumeMounts": [{"name": "s", "mountPath": "/tmp"}]}),
        );
        assert!(w.socket_hidden("/tmp/docker.sock", "/tmp").is_none());
    }

    #[test]
    fn kubernetes_expands_variable_references() {
        let w = wiring(
            json!({"image": "docker:29.7.2-dind", "args": ["dockerd", "--host=$(SOCK)"],
            "env": [{"name": "SOCK", "value": "unix:///s/docker.sock"}]}),
        );
        assert_eq!(hosts(&w), ["unix:///s/docker.sock"]);
    }

    #[test]
    fn rootlesskit_publish_flags_are_read() {
        assert_eq!(
            published_ports("-p 0.0.0.0:8989:8989/tcp --publish=127.0.0.1:1:2/tcp -p=3:3"),
            [8989, 1, 3]
        );
    }
}
