//! [`PodWiring`] as text: one block per pod, one line per fact.

use std::fmt::Write as _;

use super::{ClientLink, DaemonView, PodWiring, Role, Tls, Via};

/// The width of the fact names in the first column.
const KEY: usize = 15;

fn fact(out: &mut String, indent: &str, key: &str, value: &str) {
    let _ = writeln!(out, "{indent}{key:<KEY$}{value}");
}

fn more(out: &mut String, indent: &str, value: &str) {
    let _ = writeln!(out, "{indent}{:<KEY$}{value}", "");
}

fn tls_words(tls: Option<Tls>) -> &'static str {
    match tls {
        Some(Tls::Plain) => "plain",
        Some(Tls::Encrypted) => "encrypted (TLS, no client verification)",
        Some(Tls::Verified) => "verified (mutual TLS)",
        None => "",
    }
}

fn daemon(out: &mut String, d: &DaemonView, sysbox: bool) {
    let _ = writeln!(out, "  {} {}", d.engine, d.container);
    let rootless = if d.rootless { ", rootless" } else { "" };
    fact(out, "    ", "launch", &format!("{}{rootless}", d.launch));
    if let Some(problem) = &d.start_problem {
        fact(out, "    ", "starts", &format!("no: {problem}"));
    }
    if d.listeners.is_empty() {
        fact(out, "    ", "listens", "nothing dind can tell");
    }
    for (i, l) in d.listeners.iter().enumerate() {
        let tls = tls_words(l.tls);
        let tls = if tls.is_empty() {
            String::new()
        } else {
            format!("  {tls}")
        };
        let line = format!("{}{tls}  reach: {}  ({})", l.endpoint, reach_word(l.reach), l.origin);
        if i == 0 {
            fact(out, "    ", "listens", &line);
        } else {
            more(out, "    ", &line);
        }
    }
    if let Some(root) = &d.data_root {
        let on = match &d.data_root_volume {
            Some(v) => format!(" on volume {v}"),
            None if sysbox => " (no volume: Sysbox mounts one there)".to_string(),
            None => " (no volume: the container's own filesystem)".to_string(),
        };
        fact(out, "    ", "data root", &format!("{root}{on}"));
    }
    if let Some(dir) = &d.cert_dir {
        let vol = d.cert_dir_volume.as_ref().map_or_else(
            || " (no volume: no other container sees them)".to_string(),
            |v| format!(" on volume {v}"),
        );
        fact(out, "    ", "client certs", &format!("{dir}{vol}"));
    }
    if let Some(why) = &d.uncertain {
        fact(out, "    ", "uncertain", why);
    }
}

fn reach_word(r: super::Reach) -> &'static str {
    match r {
        super::Reach::Container => "container",
        super::Reach::Pod => "pod",
        super::Reach::Cluster => "cluster",
    }
}

fn client(out: &mut String, c: &ClientLink, served: &[String]) {
    let _ = writeln!(out, "  client {}", c.container);
    let via = match c.via {
        Via::Env | Via::EnvUnknown => "from DOCKER_HOST",
        Via::DefaultSocket => "the CLI's default: no DOCKER_HOST",
        Via::BuildkitHost => "from BUILDKIT_HOST",
        Via::BuildctlAddr => "from buildctl --addr",
    };
    match &c.endpoint {
        Some(e) => fact(out, "    ", "endpoint", &format!("{e}  ({via})")),
        None => fact(out, "    ", "endpoint", "unknown (from valueFrom)"),
    }
    match (c.served, &c.code, &c.why) {
        (Some(true), _, _) => {
            let to = match (&c.daemon, &c.listener) {
                (Some(d), Some(l)) => format!("ok: daemon {d} serves it ({l})"),
                _ => "ok".to_string(),
            };
            fact(out, "    ", "served", &to);
        }
        (Some(false), code, why) => {
            let code = code.as_deref().map_or_else(String::new, |c| format!("{c} "));
            fact(
                out,
                "    ",
                "served",
                &format!("no: {code}{}", why.as_deref().unwrap_or("")),
            );
            if !served.is_empty() {
                fact(out, "    ", "daemon serves", &served.join(", "));
            }
        }
        (None, _, why) => fact(out, "    ", "served", why.as_deref().unwrap_or("unknown")),
    }
}

/// The text of one pod's wiring, under `title` (which pod it is: `Pod build (line 3)`).
///
/// ```
/// use dind_core::explain::{PodWiring, text};
/// let built = dind_core::DindPod::new().build().unwrap();
/// let w = PodWiring::of_pod(built.pod(), &dind_core::rules::Context::default());
/// let t = text(&w, "Pod dind-agent");
/// assert!(t.contains("served         ok"));
/// ```
pub fn text(w: &PodWiring, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}");
    let width = w.containers.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for (i, c) in w.containers.iter().enumerate() {
        let init = c.init.as_deref().map_or_else(String::new, |k| format!(" ({k})"));
        let image = c.image.as_deref().unwrap_or("(no image)");
        let line = format!("{:<width$}  {:<9}  {image}{init}", c.name, c.role.as_str());
        if i == 0 {
            fact(&mut out, "  ", "containers", &line);
        } else {
            more(&mut out, "  ", &line);
        }
    }
    for d in &w.daemons {
        daemon(&mut out, d, w.runtime_class.is_some());
    }
    let (docker, buildkit) = (w.served_endpoints("dockerd"), w.served_endpoints("buildkitd"));
    for c in &w.clients {
        let served = match c.via {
            Via::BuildkitHost | Via::BuildctlAddr => &buildkit,
            _ => &docker,
        };
        client(&mut out, c, served);
    }
    let has_daemon = w.containers.iter().any(|c| c.role == Role::Daemon);
    if has_daemon {
        match (&w.not_awaited, w.waits.is_empty()) {
            (Some(why), _) => fact(&mut out, "  ", "waits", &format!("nothing: {why}")),
            (None, true) => fact(
                &mut out,
                "  ",
                "waits",
                "nothing (no container of the pod uses the daemon)",
            ),
            (None, false) => {}
        }
        for (i, wt) in w.waits.iter().enumerate() {
            let line = format!("{}: {}", wt.container, wt.how);
            if i == 0 && w.not_awaited.is_none() {
                fact(&mut out, "  ", "waits", &line);
            } else {
                more(&mut out, "  ", &line);
            }
        }
    }
    let shared: Vec<_> = w.volumes.iter().filter(|v| v.mounts.len() > 1).collect();
    for (i, v) in shared.iter().enumerate() {
        let mounts: Vec<String> = v
            .mounts
            .iter()
            .map(|m| match &m.sub_path {
                Some(s) => format!("{} at {} (subPath {s})", m.container, m.path),
                None => format!("{} at {}", m.container, m.path),
            })
            .collect();
        let line = format!("{} ({}): {}", v.name, v.kind, mounts.join(", "));
        if i == 0 {
            fact(&mut out, "  ", "shared", &line);
        } else {
            more(&mut out, "  ", &line);
        }
    }
    if let Some(class) = &w.runtime_class {
        fact(&mut out, "  ", "runtime", &format!("{class} (Sysbox)"));
    }
    fact(&mut out, "  ", "pod security", &w.pod_security);
    out
}
