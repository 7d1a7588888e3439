//! Rules about clients: do they reach the daemon, with the TLS material, and do they stay up.

use super::{Context, Runner};
use crate::facts::{DockerImage, ImageRole};
use crate::fix::{Fix, PodEdit};
use crate::topology::{ClientView, Daemon, SocketReach, Topology};
use crate::wiring::{Endpoint, Listener, TlsMode, program, shell_script, shell_words};
use crate::{Code, Diagnostic};

/// Whether `host` reaches this pod's own network namespace.
fn is_pod_local(t: &Topology<'_>, host: &str) -> bool {
    Endpoint::is_loopback_host(host)
        || Endpoint::is_wildcard_host(host)
        || t.spec.host_aliases.as_deref().unwrap_or_default().iter().any(|a| {
            Endpoint::is_loopback_host(&a.ip) && a.hostnames.as_deref().unwrap_or_default().iter().any(|h| h == host)
        })
}

/// The TCP listener a client at `host:port` reaches inside the pod, if any.
fn tcp_target<'t, 'a>(t: &'t Topology<'a>, host: &str, port: Option<u16>) -> Option<(&'t Daemon<'a>, &'t Listener)> {
    t.daemons.iter().find_map(|d| {
        d.wiring
            .listeners
            .iter()
            .find(|l| match &l.endpoint {
                Endpoint::Tcp { host: lh, port: lp } => {
                    *lp == port && (Endpoint::is_wildcard_host(lh) || Endpoint::is_loopback_host(lh) || lh == host)
                }
                _ => false,
            })
            .map(|l| (d, l))
    })
}

/// Why a client's unix endpoint is not served to it, or `None` when it is.
fn unix_problem(t: &Topology<'_>, c: &ClientView<'_>, path: &str, what: &str) -> Option<String> {
    let mut seen = Vec::new();
    let mut hidden = None;
    let mut same_socket_unshared = false;
    for d in &t.daemons {
        for l in &d.wiring.listeners {
            let Endpoint::Unix(served) = &l.endpoint else { continue };
            match t.socket_reach(d, served, &c.place) {
                SocketReach::Seen(paths) => {
                    if paths.iter().any(|p| p == path) {
                        return None;
                    }
                    seen.extend(paths);
                }
                SocketReach::Hidden(h) => {
                    if served == path || c.place.volume_at(path) == d.place.volume_at(served) {
                        hidden = Some(h);
                    }
                }
                SocketReach::NotShared => same_socket_unshared |= served == path,
            }
        }
    }
    if let Some(h) = hidden {
        Some(format!("{what} `unix://{path}` is not reachable: {h}"))
    } else if same_socket_unshared {
        Some(format!(
            "{what} `unix://{path}` names the daemon's socket, but it is not on a volume shared with this container"
        ))
    } else if let Some(s) = seen.first() {
        Some(format!(
            "{what} `unix://{path}` is not where this container sees the daemon's socket (`{s}`)"
        ))
    } else {
        Some(format!(
            "{what} `unix://{path}` is not a socket the daemon serves on a shared volume"
        ))
    }
}

/// The daemon and listener a client's endpoint reaches inside the pod, as the rules read it: a
/// TCP listener on a pod-local host and port, or a unix socket the client sees at its path.
/// `None` when nothing of the pod serves it (or the endpoint is unknown).
pub(crate) fn reached<'t, 'a>(t: &'t Topology<'a>, c: &ClientView<'_>) -> Option<(&'t Daemon<'a>, &'t Listener)> {
    match c.endpoint.as_ref()? {
        Endpoint::Tcp { host, port } if is_pod_local(t, host) => tcp_target(t, host, *port),
        Endpoint::Unix(path) => t.daemons.iter().find_map(|d| {
            d.wiring.listeners.iter().find_map(|l| match &l.endpoint {
                Endpoint::Unix(served) => match t.socket_reach(d, served, &c.place) {
                    SocketReach::Seen(paths) if paths.iter().any(|p| p == path) => Some((d, l)),
                    _ => None,
                },
                _ => None,
            })
        }),
        _ => None,
    }
}

/// Sets a client's env var: the entry that sets it, or a new one.
fn set_env(c: &ClientView<'_>, name: &str, value: &str) -> PodEdit {
    match c.place.env().index(name) {
        Some(i) => PodEdit::set(format!("{}.env[{i}].value", c.place.path()), value),
        None => PodEdit::append(
            format!("{}.env", c.place.path()),
            serde_json::json!({"name": name, "value": value}),
        ),
    }
}

/// A pod volume name not taken yet: `base`, else `base-2`, `base-3`, ...
fn free_volume_name(t: &Topology<'_>, base: &str) -> String {
    let taken: Vec<&str> = t.spec.volumes.iter().flatten().map(|v| v.name.as_str()).collect();
    std::iter::once(base.to_string())
        .chain((2..).map(|i| format!("{base}-{i}")))
        .find(|n| !taken.contains(&n.as_str()))
        .unwrap_or_default()
}

/// What a client of `daemon`'s mutual-TLS listener needs, as edits: `DOCKER_TLS_VERIFY=1`,
/// `DOCKER_CERT_PATH`, and the daemon's client certificates where the client reads them. Those
/// come from the volume the daemon writes them to (only its `client` directory is mounted in the
/// client: the CA and server keys stay with the daemon), or from a new emptyDir mounted at the
/// daemon's client cert dir in both. `None` when the daemon generates no certificates, or a
/// mount of the client's is in the way.
fn tls_wiring(t: &Topology<'_>, daemon: &Daemon<'_>, c: &ClientView<'_>) -> Option<Vec<PodEdit>> {
    let dir = daemon.wiring.client_cert_dir.as_deref()?;
    let mut edits = Vec::new();
    if c.tls_verify != Some(true) {
        edits.push(set_env(c, "DOCKER_TLS_VERIFY", "1"));
    }
    let cert_path = c.cert_path.clone().flatten();
    let mount = |volume: &str, sub: &str| {
        let mut m = serde_json::json!({"name": volume, "mountPath": dir, "readOnly": true});
        if !sub.is_empty() {
            m["subPath"] = serde_json::Value::from(sub);
        }
        PodEdit::append(format!("{}.volumeMounts", c.place.path()), m)
    };
    // A mount of the client's at the very path would hide what is added there.
    let in_the_way = c.place.has_mount_at(dir);
    let target = match daemon.place.volume_at(dir) {
        Some((volume, rest)) => {
            let seen = c.place.paths_of(volume, &rest);
            match cert_path.as_deref() {
                Some(p) if seen.iter().any(|s| s == p) => p.to_string(),
                _ if !seen.is_empty() => seen[0].clone(),
                _ if in_the_way => return None,
                _ => {
                    edits.push(mount(volume, rest.trim_matches('/')));
                    dir.to_string()
                }
            }
        }
        None => {
            if in_the_way || daemon.place.has_mount_at(dir) {
                return None;
            }
            let volume = free_volume_name(t, "docker-certs-client");
            edits.push(PodEdit::append(
                "spec.volumes",
                serde_json::json!({"name": volume, "emptyDir": {}}),
            ));
            edits.push(PodEdit::append(
                format!("{}.volumeMounts", daemon.place.path()),
                serde_json::json!({"name": volume, "mountPath": dir}),
            ));
            edits.push(mount(&volume, ""));
            dir.to_string()
        }
    };
    if cert_path.as_deref() != Some(target.as_str()) {
        edits.push(set_env(c, "DOCKER_CERT_PATH", &target));
    }
    Some(edits)
}

/// DIND004's repair: point the client at an endpoint it can reach, keeping what the user chose
/// where it can: the transport first (a TCP client stays on TCP, a socket client on a socket),
/// then the port, then the paths. For a socket: a daemon socket the client already sees, else
/// the daemon's socket volume mounted into the client too. For TCP: a plaintext listener of the
/// pod (on loopback), else a mutual-TLS one with everything it needs (the TLS variables and the
/// client certificates: one fix, not a second finding).
fn reach_fix(t: &Topology<'_>, c: &ClientView<'_>) -> Option<Fix> {
    let mut seen_socket = None;
    let mut socket_volume = None;
    for d in &t.daemons {
        for l in &d.wiring.listeners {
            if let Endpoint::Unix(served) = &l.endpoint {
                match t.socket_reach(d, served, &c.place) {
                    SocketReach::Seen(paths) if !paths.is_empty() && seen_socket.is_none() => {
                        seen_socket = Some(paths[0].clone());
                    }
                    SocketReach::NotShared => {
                        socket_volume =
                            socket_volume.or_else(|| d.place.mount_at(served).map(|(v, m, _)| (v, m, served)));
                    }
                    _ => {}
                }
            }
        }
    }
    let socket = || -> Option<Fix> {
        if let Some(path) = &seen_socket {
            let target = format!("unix://{path}");
            return Some(Fix::unsafe_(
                format!("point `DOCKER_HOST` at `{target}`"),
                vec![set_env(c, "DOCKER_HOST", &target)],
            ));
        }
        let (volume, mount_path, served) = socket_volume?;
        if c.place
            .mount_at(mount_path)
            .is_some_and(|(_, m, _)| m.trim_end_matches('/') == mount_path.trim_end_matches('/'))
        {
            return None;
        }
        Some(Fix::unsafe_(
            format!("mount the daemon's `{volume}` at `{mount_path}` and use `unix://{served}`"),
            vec![
                PodEdit::append(
                    format!("{}.volumeMounts", c.place.path()),
                    serde_json::json!({"name": volume, "mountPath": mount_path}),
                ),
                set_env(c, "DOCKER_HOST", &format!("unix://{served}")),
            ],
        ))
    };
    let wanted_port = match &c.endpoint {
        Some(Endpoint::Tcp { port, .. }) => *port,
        _ => None,
    };
    let tcp = |mode: TlsMode| {
        let mut found: Vec<(&Daemon<'_>, u16)> = t
            .daemons
            .iter()
            .flat_map(|d| {
                d.wiring.listeners.iter().filter_map(move |l| match &l.endpoint {
                    Endpoint::Tcp { host, port: Some(p) }
                        if l.tls == Some(mode)
                            && (Endpoint::is_loopback_host(host) || Endpoint::is_wildcard_host(host))
                            && d.wiring.tcp_hidden(*p).is_none() =>
                    {
                        Some((d, *p))
                    }
                    _ => None,
                })
            })
            .collect();
        // The client's own port first.
        found.sort_by_key(|(_, p)| Some(*p) != wanted_port);
        found.into_iter().next()
    };
    let plain = || {
        let (_, port) = tcp(TlsMode::Plain)?;
        let target = format!("tcp://127.0.0.1:{port}");
        Some(Fix::unsafe_(
            format!("point `DOCKER_HOST` at `{target}`"),
            vec![set_env(c, "DOCKER_HOST", &target)],
        ))
    };
    let verified = || {
        let (d, port) = tcp(TlsMode::Verified)?;
        let target = format!("tcp://localhost:{port}");
        let mut edits = vec![set_env(c, "DOCKER_HOST", &target)];
        edits.extend(tls_wiring(t, d, c)?);
        Some(Fix::unsafe_(
            format!(
                "point the client at `{target}` with mutual TLS (its variables and the daemon's client certificates)"
            ),
            edits,
        ))
    };
    if wanted_port.is_some() || matches!(c.endpoint, Some(Endpoint::Tcp { .. })) {
        plain().or_else(verified).or_else(socket)
    } else {
        socket().or_else(plain).or_else(verified)
    }
}

/// DIND004: every client's `DOCKER_HOST` is served.
pub(super) fn endpoint_unserved(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    // Only a complete picture of the daemons' listeners can tell that an endpoint is not served.
    if t.daemons.is_empty() || t.daemons.iter().any(|d| d.wiring.uncertain.is_some()) {
        return;
    }
    for c in &t.clients {
        let Some(endpoint) = &c.endpoint else { continue };
        let what = if c.explicit_host {
            "`DOCKER_HOST`"
        } else {
            "the default"
        };
        let problem = match endpoint {
            Endpoint::Unix(p) => unix_problem(t, c, p, what),
            Endpoint::Tcp { host, port } if is_pod_local(t, host) => match tcp_target(t, host, *port) {
                None => {
                    let serves: Vec<&str> = t
                        .daemons
                        .iter()
                        .flat_map(|d| d.wiring.listeners.iter().map(|l| l.raw.as_str()))
                        .collect();
                    Some(format!(
                        "`DOCKER_HOST` points at port {}, but the daemon serves {}",
                        port.map_or_else(|| "?".to_string(), |p| p.to_string()),
                        serves.join(", ")
                    ))
                }
                Some((d, _)) if port.and_then(|p| d.wiring.tcp_hidden(p)).is_some() => port
                    .and_then(|p| d.wiring.tcp_hidden(p))
                    .map(|h| format!("`DOCKER_HOST` is not reachable: {h}")),
                Some((_, l)) if l.tls == Some(TlsMode::Plain) && c.tls_verify == Some(true) => {
                    Some(format!("`DOCKER_TLS_VERIFY` is set, but `{}` is plaintext", l.raw))
                }
                _ => None,
            },
            Endpoint::Tcp { host, .. } if host == "docker" => Some(
                "the name `docker` does not resolve inside a plain pod (GitLab adds that alias, Kubernetes does not); use `localhost`"
                    .to_string(),
            ),
            _ => None,
        };
        if let Some(message) = problem {
            let path = match c.place.env().index("DOCKER_HOST") {
                Some(i) => format!("{}.env[{i}].value", c.place.path()),
                None => format!("{}.env", c.place.path()),
            };
            let mut d = Diagnostic::rule(Code::Dind004, path, message).in_container(c.place.name());
            if let Some(fix) = reach_fix(t, c) {
                d = d.with_fix(fix);
            }
            out.push(d);
        }
    }
}

/// DIND005: clients of a TLS listener have the TLS variables and the shared certificates.
pub(super) fn tls_incomplete(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for c in &t.clients {
        let Some(Endpoint::Tcp { host, port }) = &c.endpoint else {
            continue;
        };
        if !is_pod_local(t, host) {
            continue;
        }
        let Some((daemon, listener)) = tcp_target(t, host, *port) else {
            continue;
        };
        if listener.tls != Some(TlsMode::Verified) {
            continue;
        }
        let (Some(verify), Some(cert_path)) = (c.tls_verify, &c.cert_path) else {
            continue;
        };
        let mut missing = Vec::new();
        if !verify {
            missing.push("`DOCKER_TLS_VERIFY=1`".to_string());
        }
        let dir = daemon.wiring.client_cert_dir.as_deref();
        let shared = |cp: &str| match (dir.and_then(|d| daemon.place.volume_at(d)), c.place.volume_at(cp)) {
            (Some((dv, dr)), Some((cv, cr))) => dv == cv && dr == cr,
            _ => false,
        };
        match (cert_path, dir) {
            (None, _) => missing.push("`DOCKER_CERT_PATH`".to_string()),
            (Some(cp), Some(dir)) if !shared(cp) => {
                missing.push(format!("the daemon's `{dir}` shared at `{cp}` through a volume"));
            }
            _ => {}
        }
        let edits = tls_wiring(t, daemon, c).unwrap_or_default();
        if !missing.is_empty() {
            let mut d = Diagnostic::rule(
                Code::Dind005,
                format!("{}.env", c.place.path()),
                format!(
                    "the daemon serves `{}` with TLS, but this client lacks {}",
                    listener.raw,
                    missing.join(", ")
                ),
            )
            .in_container(c.place.name());
            if !edits.is_empty() {
                d = d.with_fix(Fix::unsafe_(
                    "give the client the daemon's client certificates and `DOCKER_TLS_VERIFY=1`",
                    edits,
                ));
            }
            out.push(d);
        }
    }
}

/// A `sleep` duration in seconds (`99d`, `1h`, `30`, `infinity`); `None` when unreadable.
fn duration_seconds(text: &str) -> Option<f64> {
    if text == "infinity" || text == "inf" {
        return Some(f64::INFINITY);
    }
    let (num, unit) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len()));
    let n: f64 = num.parse().ok()?;
    let factor = match unit {
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        _ => return None,
    };
    Some(n * factor)
}

/// Whether a container's main process returns at once; `None` when it cannot be told.
fn exits(c: &k8s_openapi::api::core::v1::Container) -> Option<String> {
    let words = crate::wiring::argv(c);
    if words.is_empty() {
        let image = DockerImage::parse(c.image.as_deref().unwrap_or(""));
        // Its `sh` waits on a terminal (`tty: true`) or an open stdin, as `cat` does.
        let held = c.tty == Some(true) || c.stdin == Some(true);
        return (image.role() == ImageRole::Cli && !held)
            .then(|| "it has no command, so the CLI image runs `sh` without a terminal and exits".to_string());
    }
    match program(&words[0]) {
        "sleep" => {
            let total: Option<f64> = words[1..].iter().map(|w| duration_seconds(w)).sum();
            total
                .filter(|s| *s < 3600.0)
                .map(|s| format!("`sleep {}` ends after {s} s", words[1..].join(" ")))
        }
        "cat" if words.len() == 1 => (c.tty != Some(true) && c.stdin != Some(true))
            .then(|| "`cat` without `tty: true` or `stdin: true` reads end-of-file and exits".to_string()),
        "true" | "echo" | "docker" | "exit" => Some(format!("`{}` returns at once", words.join(" "))),
        _ => {
            let script = shell_script(&words)?;
            shell_words(script)
                .is_empty()
                .then(|| "an empty shell script returns at once".to_string())
        }
    }
}

/// DIND017: idle clients stay alive.
pub(super) fn client_exits(t: &Topology<'_>, ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Jobs, workflow steps and runners are meant to finish.
    if !matches!(ctx.runner, Runner::Kubernetes | Runner::Jenkins) {
        return;
    }
    for c in &t.clients {
        if let Some(reason) = exits(c.place.container) {
            out.push(
                Diagnostic::rule(
                    Code::Dind017,
                    format!("{}.command", c.place.path()),
                    format!(
                        "client `{}` exits: {reason}; with `restartPolicy: Never` that ends the agent",
                        c.place.name()
                    ),
                )
                .in_container(c.place.name()),
            );
        }
    }
}
