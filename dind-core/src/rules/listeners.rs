//! Rules about where the daemon listens.

use super::Context;
use crate::topology::{Endpoint, Launch, Topology, entrypoint};
use crate::{Code, Diagnostic};

/// DIND006: plaintext TCP on a non-loopback address.
pub(super) fn plaintext_exposed(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        for l in &d.listeners {
            if let Endpoint::Tcp { host, .. } = &l.endpoint
                && !l.tls
                && !Endpoint::is_loopback_host(host)
            {
                let origin = match d.invocation.launch {
                    Launch::Defaults { tls: false, .. } => {
                        " (the entrypoint's default with `DOCKER_TLS_CERTDIR` empty)"
                    }
                    _ => "",
                };
                out.push(
                    Diagnostic::rule(Code::Dind006, format!("{}.args", d.place.path()), format!("plaintext TCP listener `{}`{origin} is reachable from every pod in the cluster and gives root on a privileged container", l.raw))
                        .in_container(d.place.name()),
                );
            }
        }
    }
}

/// DIND013: socket paths the kernel or the mounts make unusable.
pub(super) fn socket_path_invalid(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut check = |place: &crate::topology::Place<'_>, path: &str, field: String| {
        let problem = if let Some(problem) = crate::syntax::socket_path_problem(path) {
            Some(problem)
        } else if place
            .container
            .volume_mounts
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|m| m.mount_path.trim_end_matches('/') == path)
        {
            Some(format!(
                "a volume is mounted at the socket `{path}` itself, so it is a directory; mount the socket's directory instead"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            out.push(Diagnostic::rule(Code::Dind013, field, message).in_container(place.name()));
        }
    };
    for d in &t.daemons {
        for l in &d.listeners {
            if let Endpoint::Unix(path) = &l.endpoint {
                check(&d.place, path, format!("{}.args", d.place.path()));
            }
        }
    }
    for c in &t.clients {
        if let Endpoint::Unix(path) = &c.endpoint
            && c.explicit_host
        {
            check(&c.place, path, format!("{}.env", c.place.path()));
        }
    }
}

/// DIND014: the same `--host` twice.
pub(super) fn duplicate_listener(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        for (i, l) in d.listeners.iter().enumerate() {
            if d.listeners[..i].iter().any(|p| p.endpoint == l.endpoint) {
                let hint = if matches!(d.invocation.launch, Launch::Defaults { .. })
                    && crate::topology::env_value(d.place.container, "DOCKER_HOST").is_some_and(|h| h == l.raw)
                {
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
    let tcp_clients = t.clients.iter().any(|c| matches!(c.endpoint, Endpoint::Tcp { .. }));
    for d in &t.daemons {
        let Launch::Defaults { tls, .. } = d.invocation.launch else {
            continue;
        };
        let user_args = d.place.container.args.as_deref().unwrap_or_default();
        let wants_socket = entrypoint::flag_values(user_args, "--host", Some("-H"))
            .iter()
            .any(|(_, h)| h.starts_with("unix://"))
            || crate::topology::env_value(d.place.container, "DOCKER_HOST").is_some_and(|h| h.starts_with("unix://"))
            || (!t.clients.is_empty() && t.clients.iter().all(|c| matches!(c.endpoint, Endpoint::Unix(_))));
        if wants_socket && !tcp_clients {
            let port = if tls {
                "0.0.0.0:2376 (TLS)"
            } else {
                "0.0.0.0:2375 (plaintext)"
            };
            out.push(
                Diagnostic::rule(Code::Dind015, format!("{}.args", d.place.path()), format!("the daemon is used through a unix socket, but `args` start with `-` (or are empty), so the entrypoint also opens TCP on {port}"))
                    .in_container(d.place.name()),
            );
        }
    }
}
