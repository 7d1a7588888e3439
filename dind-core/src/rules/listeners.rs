//! Rules about where the daemon listens.

use super::{Context, checks};
use crate::topology::{Place, Topology};
use crate::wiring::{Endpoint, Launch, Origin, TlsMode};
use crate::{Code, Diagnostic};

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
            let origin = match (l.origin, d.wiring.launch.clone()) {
                (Origin::EntrypointDefault, Launch::Defaults) => {
                    " (the entrypoint's default with `DOCKER_TLS_CERTDIR` empty)"
                }
                _ => "",
            };
            out.push(
                Diagnostic::rule(
                    Code::Dind006,
                    format!("{}.args", d.place.path()),
                    format!(
                        "{how} `{}`{origin} is reachable from every pod in the cluster and gives root on a privileged container",
                        l.raw
                    ),
                )
                .in_container(d.place.name()),
            );
        }
    }
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
                .any(|m| m.mount_path.trim_end_matches('/') == path)
                .then(|| {
                    format!(
                        "a volume is mounted at the socket `{path}` itself, so it is a directory; mount the socket's directory instead"
                    )
                })
        });
        if let Some(message) = problem {
            out.push(Diagnostic::rule(Code::Dind013, field, message).in_container(place.name()));
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
                out.push(
                    Diagnostic::rule(
                        Code::Dind014,
                        format!("{}.args", d.place.path()),
                        format!("listener `{}` is given twice{hint}", l.raw),
                    )
                    .in_container(d.place.name()),
                );
            }
        }
    }
}

/// DIND015: a socket setup that still gets the entrypoint's default TCP listener.
pub(super) fn unix_setup_opens_tcp(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
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
            }) || (!t.clients.is_empty() && t.clients.iter().all(|c| matches!(c.endpoint, Some(Endpoint::Unix(_)))));
        if wants_socket && !tcp_clients {
            let kind = if tcp.tls == Some(TlsMode::Verified) {
                "TLS"
            } else {
                "plaintext"
            };
            out.push(
                Diagnostic::rule(
                    Code::Dind015,
                    format!("{}.args", d.place.path()),
                    format!(
                        "the daemon is used through a unix socket, but `args` start with `-` (or are empty), so the entrypoint also opens `{}` ({kind})",
                        tcp.raw
                    ),
                )
                .in_container(d.place.name()),
            );
        }
    }
}
