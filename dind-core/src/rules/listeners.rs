//! Rules about where the daemon listens.

use serde_json::Value;

use super::{Context, checks};
use crate::facts::Behaviour;
use crate::fix::{Fix, PodEdit};
use crate::topology::{Daemon, Place, Topology};
use crate::wiring::{Endpoint, Launch, Listener, Origin, TlsMode};
use crate::{Code, Diagnostic};

/// The `args` items that give listener `raw` (`--host=raw`, `-H=raw`, `-Hraw`, or `--host`/`-H`
/// then `raw`), as (first index, item count), last occurrence first.
fn host_args(d: &Daemon<'_>, raw: &str) -> Vec<(usize, usize)> {
    let args = d.place.container.args.as_deref().unwrap_or_default();
    let mut found = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if [format!("--host={raw}"), format!("-H={raw}"), format!("-H{raw}")].contains(a) {
            found.push((i, 1));
        } else if (a == "--host" || a == "-H") && args.get(i + 1).map(String::as_str) == Some(raw) {
            found.push((i, 2));
        }
    }
    found.reverse();
    found
}

/// `args` written anew: `dockerd`, then `extra`, then the container's own args.
fn args_with_dockerd(d: &Daemon<'_>, extra: &[String]) -> Value {
    let own = d.place.container.args.as_deref().unwrap_or_default();
    Value::from(
        std::iter::once("dockerd".to_string())
            .chain(extra.iter().cloned())
            .chain(own.iter().cloned())
            .collect::<Vec<_>>(),
    )
}

/// The unix socket the entrypoint's default mode serves (from `DOCKER_HOST` or its default),
/// which a rewrite to `args: [dockerd, ...]` must keep.
fn default_socket<'d>(d: &'d Daemon<'_>) -> Option<&'d Listener> {
    d.wiring.listeners.iter().find(|l| {
        matches!(l.endpoint, Endpoint::Unix(_)) && matches!(l.origin, Origin::DockerHost | Origin::EntrypointDefault)
    })
}

/// DIND006's repair: the listener on loopback, and clients that named another address on its
/// port pointed at loopback too.
fn loopback_fix(t: &Topology<'_>, d: &Daemon<'_>, l: &Listener) -> Option<Fix> {
    let Endpoint::Tcp { port: Some(port), .. } = &l.endpoint else {
        return None;
    };
    if d.wiring.uncertain.is_some() {
        return None;
    }
    let loopback = format!("tcp://127.0.0.1:{port}");
    let mut edits = match (l.origin, &d.wiring.launch) {
        (Origin::Args, _) => {
            let (i, n) = *host_args(d, &l.raw).first()?;
            let item = format!("{}.args[{}]", d.place.path(), i + n - 1);
            let args = d.place.container.args.as_deref().unwrap_or_default();
            let value = args[i + n - 1].replace(&l.raw, &loopback);
            vec![PodEdit::set(item, value)]
        }
        (Origin::EntrypointDefault, Launch::Defaults) => {
            // The entrypoint's own `tcp://0.0.0.0:2375`: take over its listeners explicitly.
            let mut extra: Vec<String> = default_socket(d)
                .map(|s| format!("--host={}", s.raw))
                .into_iter()
                .collect();
            extra.push(format!("--host={loopback}"));
            vec![PodEdit::set(
                format!("{}.args", d.place.path()),
                args_with_dockerd(d, &extra),
            )]
        }
        _ => return None,
    };
    // Kubelet probes the pod IP: a TCP probe of that port would now fail; the daemon's CLI asks
    // on loopback instead.
    let c = d.place.container;
    for (kind, probe) in [
        ("startupProbe", &c.startup_probe),
        ("readinessProbe", &c.readiness_probe),
        ("livenessProbe", &c.liveness_probe),
    ] {
        let on_port = probe
            .as_ref()
            .and_then(|p| p.tcp_socket.as_ref())
            .is_some_and(|s| match &s.port {
                k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => *n == i32::from(*port),
                k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(t) => {
                    t.rsplit(':').next().and_then(|n| n.parse::<u16>().ok()) == Some(*port)
                }
            });
        if on_port {
            let at = format!("{}.{kind}", d.place.path());
            edits.push(PodEdit::remove(format!("{at}.tcpSocket")));
            edits.push(PodEdit::set(
                format!("{at}.exec"),
                serde_json::json!({"command": ["docker", format!("--host={loopback}"), "info"]}),
            ));
        }
    }
    for c in &t.clients {
        if let Some(Endpoint::Tcp { host, port: Some(p) }) = &c.endpoint
            && p == port
            && !Endpoint::is_loopback_host(host)
            && c.explicit_host
            && let Some(i) = c.place.env().index("DOCKER_HOST")
        {
            edits.push(PodEdit::set(
                format!("{}.env[{i}].value", c.place.path()),
                loopback.clone(),
            ));
        }
    }
    Some(Fix::unsafe_(
        format!("listen on `{loopback}` (reachable from every container of the pod, and only from them)"),
        edits,
    ))
}

/// DIND006: a TCP listener on a non-loopback address that does not authenticate clients.
pub(super) fn plaintext_exposed(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        for l in &d.wiring.listeners {
            let Endpoint::Tcp { host, .. } = &l.endpoint else {
                continue;
            };
            if Endpoint::is_loopback_host(host) {
                continue;
            }
            let how = match l.tls {
                Some(TlsMode::Plain) => "plaintext TCP listener",
                Some(TlsMode::Encrypted) => {
                    "TCP listener with `--tls` but without `--tlsverify` (encrypted, but any client is accepted)"
                }
                Some(TlsMode::Verified) | None => continue,
            };
            let before_tls = d.image.version().is_some_and(|v| !v.has(Behaviour::TlsByDefault));
            let origin = match (l.origin, d.wiring.launch.clone()) {
                (Origin::EntrypointDefault, Launch::Defaults) if before_tls => {
                    " (the entrypoint of images before 19.03 always opens it)"
                }
                (Origin::EntrypointDefault, Launch::Defaults) => {
                    " (the entrypoint's default with `DOCKER_TLS_CERTDIR` empty)"
                }
                _ => "",
            };
            let gives = if d.wiring.rootless {
                "gives the daemon's API (as its non-root user: every container and image on it, not the node)"
            } else {
                "gives root on a privileged container"
            };
            let mut diagnostic = Diagnostic::rule(
                Code::Dind006,
                format!("{}.args", d.place.path()),
                format!(
                    "{how} `{}`{origin} is reachable from every pod in the cluster and {gives}",
                    l.raw
                ),
            )
            .in_container(d.place.name());
            if let Some(fix) = loopback_fix(t, d, l) {
                diagnostic = diagnostic.with_fix(fix);
            }
            out.push(diagnostic);
        }
    }
}

/// Whether volume `name` mounts one file, not a directory: a hostPath of `type: Socket` or
/// `File`, or of a socket file of the node (the node's Docker socket: DIND019's case).
fn file_mount(t: &Topology<'_>, name: &str) -> bool {
    t.volume(name).and_then(|v| v.host_path.as_ref()).is_some_and(|hp| {
        matches!(hp.type_.as_deref(), Some("Socket" | "File"))
            || (hp.type_.as_deref().is_none_or(str::is_empty) && hp.path.ends_with(".sock"))
    })
}

/// DIND013: socket paths the kernel or the mounts make unusable.
pub(super) fn socket_path_invalid(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut check = |place: &Place<'_>, path: &str, field: String| {
        let problem = checks::socket_path(path).or_else(|| {
            place
                .container
                .volume_mounts
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|m| m.mount_path.trim_end_matches('/') == path && !file_mount(t, &m.name))
                .then(|| {
                    format!(
                        "a volume is mounted at the socket `{path}` itself, so it is a directory; mount the socket's directory instead"
                    )
                })
        });
        if let Some(message) = problem {
            let mut d = Diagnostic::rule(Code::Dind013, field, message).in_container(place.name());
            if let Some(fix) = socket_mount_fix(t, place, path) {
                d = d.with_fix(fix);
            }
            out.push(d);
        }
    };
    for d in &t.daemons {
        for l in &d.wiring.listeners {
            if let Endpoint::Unix(path) = &l.endpoint {
                check(&d.place, path, format!("{}.args", d.place.path()));
            }
        }
    }
    for c in &t.clients {
        if let Some(Endpoint::Unix(path)) = &c.endpoint
            && c.explicit_host
        {
            let i = c.place.env().index("DOCKER_HOST").unwrap_or(0);
            check(&c.place, path, format!("{}.env[{i}].value", c.place.path()));
        }
    }
}

/// DIND013's repair for a volume mounted at the socket path itself: the volume goes to the
/// socket's directory, in every container that mounts it there (the socket path stays, so each
/// client still finds it). `None` when the directory is `/`, or another mount is already there.
fn socket_mount_fix(t: &Topology<'_>, place: &Place<'_>, path: &str) -> Option<Fix> {
    let path = path.trim_end_matches('/');
    let (dir, _) = path.rsplit_once('/')?;
    if dir.is_empty() {
        return None;
    }
    let volume = place
        .container
        .volume_mounts
        .iter()
        .flatten()
        .find(|m| m.mount_path.trim_end_matches('/') == path)?
        .name
        .clone();
    if file_mount(t, &volume) {
        return None;
    }
    let mut edits = Vec::new();
    for other in &t.containers {
        if other.has_mount_at(dir) {
            return None;
        }
        let mounts = other.container.volume_mounts.as_deref().unwrap_or_default();
        for (i, m) in mounts.iter().enumerate() {
            if m.name == volume && m.mount_path.trim_end_matches('/') == path {
                edits.push(PodEdit::set(
                    format!("{}.volumeMounts[{i}].mountPath", other.path()),
                    dir,
                ));
            }
        }
    }
    Some(Fix::unsafe_(
        format!("mount `{volume}` at the socket's directory `{dir}` (in every container that mounts it at `{path}`)"),
        edits,
    ))
}

/// DIND014: the same `--host` twice.
pub(super) fn duplicate_listener(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let ls = &d.wiring.listeners;
        for (i, l) in ls.iter().enumerate() {
            if let Some(first) = ls[..i].iter().find(|p| p.endpoint == l.endpoint) {
                let hint = if first.origin == Origin::DockerHost {
                    " (once from `DOCKER_HOST`, which the entrypoint turns into `--host`, once from `args`)"
                } else {
                    ""
                };
                let mut diagnostic = Diagnostic::rule(
                    Code::Dind014,
                    format!("{}.args", d.place.path()),
                    format!("listener `{}` is given twice{hint}", l.raw),
                )
                .in_container(d.place.name());
                // The later occurrence in `args` goes; an earlier one stays.
                if l.origin == Origin::Args
                    && let Some(&(i, n)) = host_args(d, &l.raw).first()
                {
                    let edits = (i..i + n)
                        .rev()
                        .map(|k| PodEdit::remove(format!("{}.args[{k}]", d.place.path())))
                        .collect();
                    diagnostic = diagnostic.with_fix(Fix::safe(format!("drop the second `--host={}`", l.raw), edits));
                }
                out.push(diagnostic);
            }
        }
    }
}

/// DIND015: a socket setup that still gets the entrypoint's default TCP listener.
pub(super) fn unix_setup_opens_tcp(t: &Topology<'_>, ctx: &Context, out: &mut Vec<Diagnostic>) {
    // With no client container, the builds' `docker` runs in the daemon's own container and
    // uses its socket (Jenkins steps, or steps known to run `docker`).
    let own_client = t.clients.is_empty()
        && (ctx.steps.is_some_and(|s| s.use_docker) || (ctx.runner == super::Runner::Jenkins && ctx.steps.is_none()));
    if t.clients.iter().any(|c| c.endpoint.is_none()) {
        return;
    }
    let tcp_clients = t
        .clients
        .iter()
        .any(|c| matches!(c.endpoint, Some(Endpoint::Tcp { .. })));
    for d in &t.daemons {
        if d.wiring.launch != Launch::Defaults || d.wiring.uncertain.is_some() {
            continue;
        }
        let Some(tcp) = d
            .wiring
            .listeners
            .iter()
            .find(|l| l.origin == Origin::EntrypointDefault && matches!(l.endpoint, Endpoint::Tcp { .. }))
        else {
            continue;
        };
        let wants_socket =
            d.wiring.listeners.iter().any(|l| {
                matches!(l.endpoint, Endpoint::Unix(_)) && matches!(l.origin, Origin::Args | Origin::DockerHost)
            }) || (!t.clients.is_empty() && t.clients.iter().all(|c| matches!(c.endpoint, Some(Endpoint::Unix(_)))))
                || own_client;
        if wants_socket && !tcp_clients {
            let kind = if tcp.tls == Some(TlsMode::Verified) {
                "TLS"
            } else {
                "plaintext"
            };
            // `args: [dockerd, ...]` keeps the sockets and drops the default TCP listener.
            let own = d.place.container.args.as_deref().unwrap_or_default();
            let extra: Vec<String> = default_socket(d)
                .filter(|s| host_args(d, &s.raw).is_empty() && !own.iter().any(|a| a.contains(&s.raw)))
                .map(|s| format!("--host={}", s.raw))
                .into_iter()
                .collect();
            out.push(
                Diagnostic::rule(
                    Code::Dind015,
                    format!("{}.args", d.place.path()),
                    format!(
                        "the daemon is used through a unix socket, but `args` start with `-` (or are empty), so the entrypoint also opens `{}` ({kind})",
                        tcp.raw
                    ),
                )
                .in_container(d.place.name())
                .with_fix(Fix::unsafe_(
                    "start `args` with `dockerd`, which opens only the listed sockets",
                    vec![PodEdit::set(format!("{}.args", d.place.path()), args_with_dockerd(d, &extra))],
                )),
            );
        }
    }
}
