//! Rules about probes: valid ports, probing what the daemon serves, waiting for it, and quickly.

use k8s_openapi::api::core::v1::{Container, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Context, Runner, waits};
use crate::fix::{Fix, PodEdit};
use crate::topology::{Daemon, Topology, env_value};
use crate::wiring::{Endpoint, flag_values, program, shell_script, shell_words};
use crate::{Code, Diagnostic};

fn probes(c: &Container) -> [(&'static str, Option<&Probe>); 3] {
    [
        ("startupProbe", c.startup_probe.as_ref()),
        ("readinessProbe", c.readiness_probe.as_ref()),
        ("livenessProbe", c.liveness_probe.as_ref()),
    ]
}

fn is_svc_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 15
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.iter().any(u8::is_ascii_lowercase)
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && !name.contains("--")
}

/// DIND002: probe ports are integers 1-65535 or named ports of the container.
pub(super) fn probe_port_invalid(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for place in &t.containers {
        let c = place.container;
        for (kind, probe) in probes(c) {
            let Some(p) = probe else { continue };
            let ports = [
                ("tcpSocket", p.tcp_socket.as_ref().map(|s| &s.port)),
                ("httpGet", p.http_get.as_ref().map(|h| &h.port)),
            ];
            for (action, port) in ports {
                let Some(port) = port else { continue };
                let path = format!("{}.{kind}.{action}.port", place.path());
                let problem = match port {
                    IntOrString::Int(n) if !(1..=65535).contains(n) => {
                        Some(format!("probe port {n} is out of range (1..=65535)"))
                    }
                    IntOrString::Int(_) => None,
                    IntOrString::String(name) => {
                        let named = c
                            .ports
                            .as_deref()
                            .unwrap_or_default()
                            .iter()
                            .any(|p| p.name.as_deref() == Some(name.as_str()));
                        if named && is_svc_name(name) {
                            None
                        } else if name.parse::<i64>().is_ok() {
                            Some(format!(
                                "probe port `\"{name}\"` is a string; write the number without quotes"
                            ))
                        } else {
                            Some(format!(
                                "probe port `{name}` is neither a number nor a named port of container `{}`; the API rejects the pod",
                                c.name
                            ))
                        }
                    }
                };
                if let Some(message) = problem {
                    let mut d = Diagnostic::rule(Code::Dind002, path.clone(), message).in_container(place.name());
                    if let IntOrString::String(text) = port
                        && let Some(n) = port_number(text)
                    {
                        d = d.with_fix(Fix::safe(format!("set the port to {n}"), vec![PodEdit::set(path, n)]));
                    }
                    out.push(d);
                }
            }
        }
    }
}

/// The port number a mistyped probe port names: `"8989"`, `tcp://localhost:8989`,
/// `localhost:8989`.
fn port_number(text: &str) -> Option<u16> {
    let t = text.trim();
    let digits = t.rsplit_once(':').map_or(t, |(_, p)| p).trim_end_matches('/');
    digits.parse::<u16>().ok().filter(|n| *n > 0)
}

/// What an exec probe checks, as far as it can be read.
enum ExecCheck {
    /// `docker [--host=X] ...`.
    Docker(Endpoint),
    /// `stat|test -S|ls PATH`.
    Path(String),
    /// Something else.
    Opaque,
}

fn read_exec(command: &[String], container: &Container) -> ExecCheck {
    let words: Vec<String> = match shell_script(command) {
        Some(script) => shell_words(script),
        None => command.to_vec(),
    };
    let Some(first) = words.first() else {
        return ExecCheck::Opaque;
    };
    match program(first) {
        "docker" => {
            let hosts = flag_values(&words, "--host", Some("-H"));
            let host = hosts
                .last()
                .map(|(_, h)| h.clone())
                .or_else(|| env_value(container, "DOCKER_HOST").filter(|h| !h.is_empty()));
            ExecCheck::Docker(Endpoint::parse(
                host.as_deref().unwrap_or("unix:///var/run/docker.sock"),
            ))
        }
        "stat" | "test" | "ls" | "[" => match words.iter().skip(1).find(|w| !w.starts_with('-') && *w != "]") {
            Some(p) => ExecCheck::Path(p.clone()),
            None => ExecCheck::Opaque,
        },
        _ => ExecCheck::Opaque,
    }
}

/// Why the daemon's own probe cannot reach an endpoint the daemon serves (rootlesskit keeps it
/// in its own namespaces), if it cannot.
fn probe_cannot_reach(d: &Daemon<'_>, endpoint: &Endpoint) -> Option<String> {
    match endpoint {
        Endpoint::Tcp { port: Some(p), .. } => d.wiring.tcp_hidden(*p).map(|h| h.to_string()),
        Endpoint::Unix(path) => {
            let mount = d.place.mount_at(path).map_or("/", |(_, m, _)| m);
            d.wiring.socket_hidden(path, mount).map(|h| h.to_string())
        }
        _ => None,
    }
}

/// DIND003: the daemon's probes check what it serves.
pub(super) fn probe_misses_daemon(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        if d.wiring.uncertain.is_some() {
            continue;
        }
        for (kind, probe) in probes(d.place.container) {
            let Some(p) = probe else { continue };
            let base = format!("{}.{kind}", d.place.path());
            // The repair: ask the daemon where its own CLI reaches it, as an exec probe.
            let fix = probe_host(d).map(|host| {
                let mut edits = Vec::new();
                if p.tcp_socket.is_some() {
                    edits.push(PodEdit::remove(format!("{base}.tcpSocket")));
                }
                let command = serde_json::json!(["docker", format!("--host={host}"), "info"]);
                if p.exec.is_some() {
                    edits.push(PodEdit::set(format!("{base}.exec.command"), command));
                } else {
                    edits.push(PodEdit::set(
                        format!("{base}.exec"),
                        serde_json::json!({"command": command}),
                    ));
                }
                Fix::safe(format!("probe with `docker --host={host} info`"), edits)
            });
            let mut report = |field: &str, message: String| {
                let mut d =
                    Diagnostic::rule(Code::Dind003, format!("{base}.{field}"), message).in_container(d.place.name());
                if let Some(f) = &fix {
                    d = d.with_fix(f.clone());
                }
                out.push(d);
            };
            if let Some(IntOrString::Int(port)) = p.tcp_socket.as_ref().map(|s| &s.port) {
                let tcp: Vec<_> = d
                    .wiring
                    .listeners
                    .iter()
                    .filter_map(|l| {
                        if let Endpoint::Tcp { host, port } = &l.endpoint {
                            Some((host, *port))
                        } else {
                            None
                        }
                    })
                    .collect();
                let hit = tcp.iter().find(|(_, p)| i64::from(p.unwrap_or(0)) == i64::from(*port));
                match hit {
                    None => report(
                        "tcpSocket.port",
                        format!("the probe checks port {port}, but the daemon listens on no such TCP port"),
                    ),
                    Some((host, _)) if Endpoint::is_loopback_host(host) => report(
                        "tcpSocket.port",
                        format!(
                            "the daemon listens on {host}:{port}, but kubelet probes the pod IP; use an exec probe `docker --host=tcp://{host}:{port} info`"
                        ),
                    ),
                    _ => {}
                }
            }
            let Some(command) = p.exec.as_ref().and_then(|e| e.command.as_deref()) else {
                continue;
            };
            match read_exec(command, d.place.container) {
                ExecCheck::Docker(endpoint) => {
                    if d.wiring.serves(&endpoint).is_some() {
                        if let Some(why) = probe_cannot_reach(d, &endpoint) {
                            report("exec.command", format!("the probe cannot reach the daemon: {why}"));
                        }
                    } else {
                        let what = match &endpoint {
                            Endpoint::Unix(p) => format!("socket `{p}`"),
                            Endpoint::Tcp { host, port } => {
                                format!("`{host}:{}`", port.map_or("?".into(), |p| p.to_string()))
                            }
                            Endpoint::Other(o) => format!("`{o}`"),
                        };
                        report(
                            "exec.command",
                            format!("the probe asks the daemon at {what}, which it does not serve"),
                        );
                    }
                }
                ExecCheck::Path(path) if path.contains("://") => {
                    report(
                        "exec.command",
                        format!("the probe checks `{path}`, a URL, not a path; it always fails"),
                    );
                }
                ExecCheck::Path(path) => {
                    let socket = d
                        .wiring
                        .listeners
                        .iter()
                        .any(|l| l.endpoint == Endpoint::Unix(path.clone()));
                    let cert_marker = d
                        .wiring
                        .client_cert_dir
                        .as_deref()
                        .is_some_and(|dir| path.starts_with(dir));
                    if !socket && !cert_marker {
                        report(
                            "exec.command",
                            format!(
                                "the probe checks `{path}`, which is neither a socket the daemon serves nor a certificate it writes"
                            ),
                        );
                    }
                }
                ExecCheck::Opaque => {}
            }
        }
    }
}

/// DIND010: something waits for the daemon.
pub(super) fn not_awaited(t: &Topology<'_>, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let steps = ctx.steps.unwrap_or_default();
    // Only a daemon that something uses can be raced. A Jenkins agent's daemon with no client
    // beside it is used where it runs, by the builds' `container('dind') { sh 'docker ...' }`,
    // unless the steps are known and run no `docker`.
    let own_client = ctx.runner == Runner::Jenkins && ctx.steps.is_none();
    if t.clients.is_empty() && !steps.use_docker && !own_client {
        return;
    }
    let client_waits = t.clients.iter().any(|c| {
        let cmd = c
            .place
            .container
            .command
            .iter()
            .flatten()
            .chain(c.place.container.args.iter().flatten());
        let script: Vec<&str> = cmd.map(String::as_str).collect();
        waits::wait_loop(&script.join(" "))
            || (ctx.runner == Runner::ActionsRunner
                && c.place
                    .env()
                    .get("RUNNER_WAIT_FOR_DOCKER_IN_SECONDS")
                    .known()
                    .is_some_and(|v| !v.is_empty() && v != "0"))
    });
    let client_probe_waits = || {
        t.clients.iter().any(|c| {
            let k = c.place.container;
            [k.readiness_probe.as_ref(), k.startup_probe.as_ref()]
                .into_iter()
                .flatten()
                .any(|p| probe_asks_daemon(p, t))
        })
    };
    if client_waits || steps.wait {
        return;
    }
    for d in &t.daemons {
        let c = d.place.container;
        let waited = if d.place.is_native_sidecar() {
            c.startup_probe.is_some()
        } else if ctx.runner == Runner::Argo {
            // Argo waits for no sidecar: only the main container's own loop counts.
            false
        } else {
            c.startup_probe.is_some() || c.readiness_probe.is_some() || client_probe_waits()
        };
        if !waited {
            let message = if d.place.is_native_sidecar() {
                "the native-sidecar daemon has no startupProbe: the next containers start before dockerd answers"
            } else if ctx.runner == Runner::Argo {
                "Argo starts the main container beside its sidecars and waits for none: the first `docker` command races dockerd unless the main container loops until `docker info` answers"
            } else {
                "nothing waits for the daemon (no startupProbe or readinessProbe, no wait loop): the first `docker` command races dockerd"
            };
            let mut diagnostic =
                Diagnostic::rule(Code::Dind010, d.place.path(), message.to_string()).in_container(d.place.name());
            if let Some(host) = probe_host(d)
                && c.startup_probe.is_none()
            {
                diagnostic = diagnostic.with_fix(Fix::safe(
                    format!("add a startup probe: `docker --host={host} info` every second"),
                    vec![PodEdit::set(
                        format!("{}.startupProbe", d.place.path()),
                        serde_json::json!({
                            "exec": {"command": ["docker", format!("--host={host}"), "info"]},
                            "periodSeconds": 1,
                            "timeoutSeconds": 3,
                            "failureThreshold": crate::model::DEFAULT_PROBE_BUDGET,
                        }),
                    )],
                ));
            }
            out.push(diagnostic);
        }
    }
}

/// Where the daemon's own CLI reaches it without certificates: its unix socket, else a
/// plaintext TCP listener on loopback.
fn probe_host(d: &Daemon<'_>) -> Option<String> {
    if d.wiring.uncertain.is_some() {
        return None;
    }
    let ls = &d.wiring.listeners;
    ls.iter()
        .find(|l| matches!(l.endpoint, Endpoint::Unix(_)))
        .or_else(|| {
            ls.iter()
                .find(|l| matches!(&l.endpoint, Endpoint::Tcp { .. }) && l.tls == Some(crate::wiring::TlsMode::Plain))
        })
        .map(|l| match &l.endpoint {
            Endpoint::Tcp { port: Some(p), .. } => format!("tcp://127.0.0.1:{p}"),
            e => e.to_url(),
        })
}

/// Whether a client's probe asks a daemon: an exec that runs `docker` or tests a socket, or a
/// TCP check of a port a daemon listens on.
fn probe_asks_daemon(p: &Probe, t: &Topology<'_>) -> bool {
    if let Some(exec) = &p.exec {
        let words = exec
            .command
            .iter()
            .flatten()
            .flat_map(|w| shell_words(w))
            .collect::<Vec<_>>();
        if words.iter().any(|w| w == "docker" || w.ends_with(".sock") || w == "-S") {
            return true;
        }
    }
    if let Some(IntOrString::Int(port)) = p.tcp_socket.as_ref().map(|s| &s.port) {
        return t.daemons.iter().any(|d| {
            d.wiring
                .listeners
                .iter()
                .any(|l| matches!(&l.endpoint, Endpoint::Tcp { port: Some(q), .. } if i32::from(*q) == *port))
        });
    }
    false
}

/// DIND024: probes that wait longer than needed.
pub(super) fn probe_slow(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        for (kind, probe) in probes(d.place.container).into_iter().take(2) {
            let Some(p) = probe else { continue };
            // Numbers from a file: widen before adding, so no value can overflow.
            let delay = i64::from(p.initial_delay_seconds.unwrap_or(0).max(0));
            let period = i64::from(p.period_seconds.unwrap_or(10).max(1));
            if delay > 0 || period > 2 {
                let extra = delay + period - 1;
                let path = format!("{}.{kind}", d.place.path());
                // The same time budget, checked every second from the start.
                let threshold = i64::from(p.failure_threshold.unwrap_or(3).max(1));
                let budget = (delay + period * threshold).min(i64::from(i32::MAX));
                let mut edits = vec![
                    PodEdit::set(format!("{path}.periodSeconds"), 1),
                    PodEdit::set(format!("{path}.failureThreshold"), budget),
                ];
                if p.initial_delay_seconds.is_some() {
                    edits.push(PodEdit::remove(format!("{path}.initialDelaySeconds")));
                }
                out.push(
                    Diagnostic::rule(
                        Code::Dind024,
                        path,
                        format!(
                            "the {kind} waits up to {extra} s longer than needed (initialDelaySeconds {delay}, periodSeconds {period})"
                        ),
                    )
                    .in_container(d.place.name())
                    .with_fix(Fix::safe(
                        format!("check every second from the start, within the same {budget} s"),
                        edits,
                    )),
                );
            }
        }
    }
}
