//! Rules about clients: do they reach the daemon, with the TLS material, and do they stay up.

use super::Context;
use crate::topology::{ClientView, Daemon, Endpoint, Listener, Topology, entrypoint};
use crate::{Code, Diagnostic};

/// Whether `host` reaches this pod's own network namespace.
fn is_pod_local(t: &Topology<'_>, host: &str) -> bool {
    Endpoint::is_loopback_host(host)
        || Endpoint::is_wildcard_host(host)
        || t.spec.host_aliases.as_deref().unwrap_or_default().iter().any(|a| {
            Endpoint::is_loopback_host(&a.ip) && a.hostnames.as_deref().unwrap_or_default().iter().any(|h| h == host)
        })
}

/// The TCP listener a client at `host:port` reaches, if any.
fn tcp_target<'t, 'a>(t: &'t Topology<'a>, host: &str, port: Option<u16>) -> Option<(&'t Daemon<'a>, &'t Listener)> {
    t.daemons.iter().find_map(|d| {
        d.listeners
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

fn served_sockets(t: &Topology<'_>, client: &ClientView<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for d in &t.daemons {
        for l in &d.listeners {
            if let Endpoint::Unix(path) = &l.endpoint {
                out.extend(t.socket_paths_for(d, path, &client.place));
            }
        }
    }
    out
}

/// DIND004: every client's `DOCKER_HOST` is served.
pub(super) fn endpoint_unserved(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    if t.daemons.is_empty()
        || t.daemons
            .iter()
            .all(|d| d.invocation.launch == crate::topology::Launch::Unknown)
    {
        return;
    }
    for c in &t.clients {
        let path = format!("{}.env", c.place.path());
        let what = if c.explicit_host {
            "`DOCKER_HOST`"
        } else {
            "the default"
        };
        let problem = match &c.endpoint {
            Endpoint::Unix(p) => {
                let served = served_sockets(t, c);
                if served.iter().any(|s| s == p) {
                    None
                } else if t.daemons.iter().any(|d| d.listeners.iter().any(|l| l.endpoint == Endpoint::Unix(p.clone()))) {
                    Some(format!("{what} `unix://{p}` names the daemon's socket, but it is not on a volume shared with this container"))
                } else if let Some(s) = served.first() {
                    Some(format!("{what} `unix://{p}` is not where this container sees the daemon's socket (`{s}`)"))
                } else {
                    Some(format!("{what} `unix://{p}` is not a socket the daemon serves on a shared volume"))
                }
            }
            Endpoint::Tcp { host, port } if is_pod_local(t, host) => match tcp_target(t, host, *port) {
                None => {
                    let serves: Vec<&str> = t.daemons.iter().flat_map(|d| d.listeners.iter().map(|l| l.raw.as_str())).collect();
                    Some(format!("`DOCKER_HOST` points at port {}, but the daemon serves {}", port.map_or("?".into(), |p| p.to_string()), serves.join(", ")))
                }
                Some((_, l)) if !l.tls && c.tls_verify => Some(format!("`DOCKER_TLS_VERIFY` is set, but `{}` is plaintext", l.raw)),
                _ => None,
            },
            Endpoint::Tcp { host, .. } if host == "docker" => {
                Some("the name `docker` does not resolve inside a plain pod (GitLab adds that alias, Kubernetes does not); use `localhost`".to_string())
            }
            _ => None,
        };
        if let Some(message) = problem {
            out.push(Diagnostic::rule(Code::Dind004, path, message).in_container(c.place.name()));
        }
    }
}

/// DIND005: clients of a TLS listener have the TLS variables and the shared certificates.
pub(super) fn tls_incomplete(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for c in &t.clients {
        let Endpoint::Tcp { host, port } = &c.endpoint else {
            continue;
        };
        if !is_pod_local(t, host) {
            continue;
        }
        let Some((daemon, listener)) = tcp_target(t, host, *port) else {
            continue;
        };
        if !listener.tls {
            continue;
        }
        let mut missing = Vec::new();
        if !c.tls_verify {
            missing.push("`DOCKER_TLS_VERIFY=1`".to_string());
        }
        match (&c.cert_path, &daemon.client_cert_dir) {
            (None, _) => missing.push("`DOCKER_CERT_PATH`".to_string()),
            (Some(cp), Some(dir)) => {
                let shared = match (daemon.place.volume_at(dir), c.place.volume_at(cp)) {
                    (Some((dv, dr)), Some((cv, cr))) => dv == cv && dr == cr,
                    _ => false,
                };
                if !shared {
                    missing.push(format!("the daemon's `{dir}` shared at `{cp}` through a volume"));
                }
            }
            (Some(_), None) => {}
        }
        if !missing.is_empty() {
            out.push(
                Diagnostic::rule(
                    Code::Dind005,
                    format!("{}.env", c.place.path()),
                    format!(
                        "the daemon serves `{}` with TLS, but this client lacks {}",
                        listener.raw,
                        missing.join(", ")
                    ),
                )
                .in_container(c.place.name()),
            );
        }
    }
}

fn duration_seconds(text: &str) -> Option<f64> {
    if text == "infinity" {
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
    let words: Vec<String> = c
        .command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .cloned()
        .collect();
    if words.is_empty() {
        let image = crate::facts::DockerImage::parse(c.image.as_deref().unwrap_or(""));
        return (image.flavour() == crate::facts::Flavour::Cli)
            .then(|| "it has no command, so the CLI image runs `docker` and exits".to_string());
    }
    let prog = words[0].rsplit('/').next().unwrap_or("");
    match prog {
        "sleep" => {
            let total: Option<f64> = words[1..].iter().map(|w| duration_seconds(w)).sum();
            total
                .filter(|s| *s < 3600.0)
                .map(|s| format!("`sleep {}` ends after {s} s", words[1..].join(" ")))
        }
        "cat" if words.len() == 1 => (c.tty != Some(true) && c.stdin != Some(true))
            .then(|| "`cat` without `tty: true` or `stdin: true` reads end-of-file and exits".to_string()),
        "true" | "echo" | "docker" | "exit" => Some(format!("`{}` returns at once", words.join(" "))),
        "sh" | "bash" | "ash" => {
            let script = words.iter().skip(1).find(|w| !w.starts_with('-'))?;
            let tokens = entrypoint::shell_words(script);
            (tokens.is_empty()).then(|| "an empty shell script returns at once".to_string())
        }
        _ => None,
    }
}

/// DIND017: idle clients stay alive.
pub(super) fn client_exits(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
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
