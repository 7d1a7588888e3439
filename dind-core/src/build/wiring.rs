//! The builder's side of the wiring: what the transport asks of the daemon and the clients
//! (arguments, environment, volumes, the probe's endpoint), and the check that the daemon the
//! builder wrote serves what the clients use, asked of [`crate::wiring`] — the same model the
//! linter uses.

use k8s_openapi::api::core::v1::{Container, EnvVar, PodSecurityContext, VolumeMount};

use super::input::{coded, err, parent};
use crate::conventions::*;
use crate::model::{DAEMON_SOCKET_DIR, DEFAULT_CLIENT_SOCKET, Transport};
use crate::wiring::{self as model, Endpoint, TlsMode};
use crate::{Code, Diagnostic};

/// Where the daemon listens and how clients connect: decided once, from the transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Wiring {
    /// A socket on a shared emptyDir: the daemon's path and where clients see it.
    Socket { daemon_path: String, client_path: String },
    /// Plaintext TCP, on loopback unless all interfaces are asked for.
    Tcp { port: u16, all_interfaces: bool },
    /// The entrypoint's mutual TLS (plus another port when asked).
    Tls { port: u16 },
    /// No clients; the daemon's socket, on a volume when rootless.
    InContainer { path: String, volume: bool },
    /// Engine `buildkit`: rootless buildkitd serving `socket` on an emptyDir shared with the
    /// clients, which name it in `BUILDKIT_HOST`.
    Buildkit { socket: String },
}

pub(super) fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        value_from: None,
    }
}

pub(super) fn mount(volume: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: volume.into(),
        mount_path: path.into(),
        read_only: read_only.then_some(true),
        ..Default::default()
    }
}

/// What the transport adds to the daemon container.
pub(super) struct DaemonSide {
    pub args: Vec<String>,
    pub env: Vec<EnvVar>,
    pub mounts: Vec<VolumeMount>,
    /// Volumes the transport needs (emptyDirs).
    pub volumes: Vec<&'static str>,
}

/// What the transport adds to each client.
pub(super) struct ClientSide {
    pub env: Vec<EnvVar>,
    pub mounts: Vec<VolumeMount>,
}

impl Wiring {
    /// The wiring of engine `buildkit`.
    pub(super) fn buildkit() -> Wiring {
        Wiring::Buildkit {
            socket: BUILDKIT_SOCKET.to_string(),
        }
    }

    /// The wiring of a transport.
    pub(super) fn of(transport: &Transport, rootless: bool, all_interfaces: bool) -> Wiring {
        match transport {
            Transport::Unix(path) => {
                let (daemon_path, client_path) = match path {
                    None => (
                        format!("{DAEMON_SOCKET_DIR}/docker.sock"),
                        DEFAULT_CLIENT_SOCKET.to_string(),
                    ),
                    Some(p) => (p.clone(), p.clone()),
                };
                Wiring::Socket {
                    daemon_path,
                    client_path,
                }
            }
            Transport::Tcp { port } => Wiring::Tcp {
                port: *port,
                all_interfaces,
            },
            Transport::Tls { port } => Wiring::Tls { port: *port },
            Transport::InContainer if rootless => Wiring::InContainer {
                path: format!("{DAEMON_SOCKET_DIR}/docker.sock"),
                volume: true,
            },
            Transport::InContainer => Wiring::InContainer {
                path: DEFAULT_CLIENT_SOCKET.to_string(),
                volume: false,
            },
        }
    }

    /// The endpoint the daemon must serve for clients (and its own probe).
    pub(super) fn served(&self) -> (Endpoint, Option<TlsMode>) {
        match self {
            Wiring::Socket { daemon_path, .. } => (Endpoint::Unix(daemon_path.clone()), None),
            Wiring::InContainer { path, .. } => (Endpoint::Unix(path.clone()), None),
            Wiring::Buildkit { socket } => (Endpoint::Unix(socket.clone()), None),
            Wiring::Tcp { port, all_interfaces } => (
                Endpoint::Tcp {
                    host: if *all_interfaces { "0.0.0.0" } else { "127.0.0.1" }.into(),
                    port: Some(*port),
                },
                Some(TlsMode::Plain),
            ),
            Wiring::Tls { port } => (
                Endpoint::Tcp {
                    host: "0.0.0.0".into(),
                    port: Some(*port),
                },
                Some(TlsMode::Verified),
            ),
        }
    }

    /// The endpoint clients use (`DOCKER_HOST`), `None` without clients.
    pub(super) fn client_endpoint(&self) -> Option<Endpoint> {
        match self {
            Wiring::Socket { client_path, .. } => Some(Endpoint::Unix(client_path.clone())),
            Wiring::Buildkit { socket } => Some(Endpoint::Unix(socket.clone())),
            Wiring::Tcp { port, .. } => Some(Endpoint::Tcp {
                host: "127.0.0.1".into(),
                port: Some(*port),
            }),
            Wiring::Tls { port } => Some(Endpoint::Tcp {
                host: "localhost".into(),
                port: Some(*port),
            }),
            Wiring::InContainer { .. } => None,
        }
    }

    pub(super) fn daemon_side(&self) -> DaemonSide {
        let mut side = DaemonSide {
            args: Vec::new(),
            env: Vec::new(),
            mounts: Vec::new(),
            volumes: Vec::new(),
        };
        match self {
            Wiring::Socket { daemon_path, .. } => {
                side.args
                    .extend(["dockerd".to_string(), format!("--host=unix://{daemon_path}")]);
                side.mounts.push(mount(SOCKET_VOLUME, parent(daemon_path), false));
                side.volumes.push(SOCKET_VOLUME);
                side.env.push(env("DOCKER_TLS_CERTDIR", ""));
            }
            Wiring::Tcp { port, all_interfaces } => {
                let addr = if *all_interfaces { "0.0.0.0" } else { "127.0.0.1" };
                side.args
                    .extend(["dockerd".to_string(), format!("--host=tcp://{addr}:{port}")]);
                side.env.push(env("DOCKER_TLS_CERTDIR", ""));
            }
            Wiring::Tls { port } => {
                // Default mode: args start with `-`, so the entrypoint generates the certificates
                // and adds its unix socket and `--host=tcp://0.0.0.0:2376 --tlsverify ...`.
                if *port != model::ENTRYPOINT_TLS_PORT {
                    side.args.push(format!("--host=tcp://0.0.0.0:{port}"));
                }
                side.env.push(env("DOCKER_TLS_CERTDIR", CERT_DIR));
                side.mounts.push(mount(CERTS_VOLUME, CLIENT_CERTS, false));
                side.volumes.push(CERTS_VOLUME);
            }
            Wiring::InContainer { path, volume } => {
                side.args
                    .extend(["dockerd".to_string(), format!("--host=unix://{path}")]);
                side.env.push(env("DOCKER_TLS_CERTDIR", ""));
                if *volume {
                    side.mounts.push(mount(SOCKET_VOLUME, parent(path), false));
                    side.volumes.push(SOCKET_VOLUME);
                }
            }
            Wiring::Buildkit { socket } => {
                // The image's entrypoint (`rootlesskit buildkitd`) gets only flags: no process
                // sandbox (the container's /proc is masked), and the shared socket.
                side.args.extend([
                    "--oci-worker-no-process-sandbox".to_string(),
                    format!("--addr=unix://{socket}"),
                ]);
                side.mounts.push(mount(BUILDKIT_SOCKET_VOLUME, parent(socket), false));
                side.volumes.push(BUILDKIT_SOCKET_VOLUME);
                // The image presets BUILDKIT_HOST to `$XDG_RUNTIME_DIR/buildkit/buildkitd.sock`;
                // buildkitd does not read it, but `kubectl exec -c buildkitd -- buildctl` does.
                side.env.push(env("BUILDKIT_HOST", &format!("unix://{socket}")));
            }
        }
        side
    }

    pub(super) fn client_side(&self) -> ClientSide {
        let mut side = ClientSide {
            env: Vec::new(),
            mounts: Vec::new(),
        };
        match self {
            Wiring::Socket { client_path, .. } => {
                side.env.push(env("DOCKER_HOST", &format!("unix://{client_path}")));
                side.mounts.push(mount(SOCKET_VOLUME, parent(client_path), false));
            }
            Wiring::Tcp { port, .. } => side.env.push(env("DOCKER_HOST", &format!("tcp://127.0.0.1:{port}"))),
            Wiring::Tls { port } => {
                side.env.push(env("DOCKER_HOST", &format!("tcp://localhost:{port}")));
                side.env.push(env("DOCKER_TLS_VERIFY", "1"));
                side.env.push(env("DOCKER_CERT_PATH", CLIENT_CERTS));
                side.mounts.push(mount(CERTS_VOLUME, CLIENT_CERTS, true));
            }
            Wiring::InContainer { .. } => {}
            Wiring::Buildkit { socket } => {
                side.env.push(env("BUILDKIT_HOST", &format!("unix://{socket}")));
                side.mounts.push(mount(BUILDKIT_SOCKET_VOLUME, parent(socket), false));
            }
        }
        side
    }

    /// `DOCKER_HOST` for the daemon container itself, so that `kubectl exec POD -c dind -- docker
    /// ps` (and the steps of the `in-container` transport) reach the daemon; `None` where the
    /// CLI's default socket already does. It never changes what the entrypoint does: with `args`
    /// starting with `dockerd` the entrypoint reads no `DOCKER_HOST`, and in its default mode
    /// (TLS) the value given is the socket it would pick anyway.
    pub(super) fn daemon_cli_host(&self, rootless: bool) -> Option<String> {
        let host = match self {
            Wiring::Socket { daemon_path: path, .. } | Wiring::InContainer { path, .. } => format!("unix://{path}"),
            Wiring::Tcp { port, .. } => format!("tcp://127.0.0.1:{port}"),
            Wiring::Tls { .. } if rootless => format!("unix:///run/user/{ROOTLESS_UID}/docker.sock"),
            Wiring::Tls { .. } => format!("unix://{DEFAULT_CLIENT_SOCKET}"),
            // `daemon_side` points the image's own `buildctl` at the socket.
            Wiring::Buildkit { .. } => return None,
        };
        (host != format!("unix://{DEFAULT_CLIENT_SOCKET}")).then_some(host)
    }

    /// The startup probe's command: it succeeds once the daemon answers on the endpoint the
    /// clients use (`docker info`, or `buildctl debug workers` once a worker is up).
    pub(super) fn probe_command(&self) -> Vec<String> {
        if let Wiring::Buildkit { socket } = self {
            return ["buildctl", &format!("--addr=unix://{socket}"), "debug", "workers"]
                .map(String::from)
                .to_vec();
        }
        let mut cmd = vec!["docker".to_string()];
        match self {
            Wiring::Buildkit { .. } => {}
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

    /// The settings a wiring problem is about.
    fn setting(&self) -> &'static str {
        match self {
            Wiring::Socket { .. } => "socket",
            Wiring::Tcp { .. } | Wiring::Tls { .. } => "port",
            Wiring::InContainer { .. } => "transport",
            Wiring::Buildkit { .. } => "engine",
        }
    }
}

/// Asks the wiring model whether the daemon the builder wrote serves the endpoint the clients
/// use, and whether they can reach it. Problems are DIND004 (an endpoint the clients cannot use)
/// at the setting that chose it.
pub(super) fn verify(wiring: &Wiring, daemon: &Container, pod: Option<&PodSecurityContext>) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    if let Wiring::Buildkit { socket } = wiring {
        let served = Endpoint::Unix(socket.clone());
        match model::buildkitd(daemon, &std::collections::BTreeMap::new(), pod) {
            Some(w) if w.rootlesskit && w.listeners.contains(&served) => {}
            Some(w) if !w.rootlesskit => err(
                &mut errors,
                "image",
                "buildkitd would not run under rootlesskit (the rootless image's entrypoint)".into(),
            ),
            Some(_) => err(
                &mut errors,
                "engine",
                format!("buildkitd would not serve `{}`", served.to_url()),
            ),
            None => err(&mut errors, "image", "the container would not start buildkitd".into()),
        }
        return errors;
    }
    let Some(w) = model::daemon(daemon, pod) else {
        err(
            &mut errors,
            "image",
            "the daemon container would not start dockerd".into(),
        );
        return errors;
    };
    let (endpoint, tls) = wiring.served();
    let Some(listener) = w.serves(&endpoint) else {
        err(
            &mut errors,
            "transport",
            format!("the daemon would not serve `{}`", endpoint.to_url()),
        );
        return errors;
    };
    if tls.is_some() && listener.tls != tls {
        err(
            &mut errors,
            "transport",
            format!("`{}` would not have the transport's TLS", listener.raw),
        );
    }
    let hidden = match &endpoint {
        Endpoint::Unix(path) => {
            let mount = daemon
                .volume_mounts
                .iter()
                .flatten()
                .filter(|m| path.starts_with(&format!("{}/", m.mount_path.trim_end_matches('/'))))
                .max_by_key(|m| m.mount_path.len())
                .map_or("/", |m| m.mount_path.as_str());
            w.socket_hidden(path, mount)
        }
        Endpoint::Tcp { port: Some(p), .. } => w.tcp_hidden(*p),
        _ => None,
    };
    if let Some(h) = hidden {
        coded(&mut errors, Code::Dind004, wiring.setting(), h.to_string());
    }
    errors
}
