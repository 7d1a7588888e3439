//! A text diagram of what a pod wires up: the daemon's listeners, each client's endpoint and the
//! volumes they share. Computed from the [`Topology`], so it shows what the pod does, not what
//! the builder meant.

use k8s_openapi::api::core::v1::Pod;

use crate::topology::Topology;
use crate::wiring::{BuildkitLaunch, Endpoint, TlsMode, buildkit_client_host};

/// Renders the diagram.
///
/// ```
/// let built = dind_core::DindPod::new().build().unwrap();
/// let text = dind_core::render::diagram::diagram(built.pod());
/// assert!(text.contains("unix:///dind/docker.sock"));
/// ```
pub fn diagram(pod: &Pod) -> String {
    let t = Topology::of(pod);
    let mut out = String::new();
    for d in &t.daemons {
        let kind = if d.place.is_native_sidecar() {
            "native sidecar"
        } else {
            "container"
        };
        out.push_str(&format!(
            "[{}] {} ({kind}{}{})\n",
            d.place.name(),
            d.place.container.image.as_deref().unwrap_or(""),
            if d.wiring.rootless { ", rootless" } else { "" },
            if t.sysbox() { ", Sysbox" } else { "" }
        ));
        let mounted_by = if t.sysbox() { " (mounted by Sysbox)" } else { "" };
        out.push_str(&format!("  data root   {}{mounted_by}\n", d.wiring.data_root));
        for l in &d.wiring.listeners {
            let tls = match (&l.endpoint, l.tls) {
                (Endpoint::Tcp { .. }, Some(TlsMode::Verified)) => " (mutual TLS)",
                (Endpoint::Tcp { .. }, Some(TlsMode::Encrypted)) => {
                    " (TLS without client verification: unauthenticated)"
                }
                (Endpoint::Tcp { .. }, Some(TlsMode::Plain)) => " (plaintext)",
                (Endpoint::Tcp { .. }, None) => " (TLS unknown)",
                _ => "",
            };
            out.push_str(&format!("  listens     {}{tls}\n", l.endpoint.to_url()));
        }
        for m in d.place.container.volume_mounts.iter().flatten() {
            out.push_str(&format!("  volume      {} at {}\n", m.name, m.mount_path));
        }
    }
    for b in &t.buildkitds {
        let kind = if b.place.is_native_sidecar() {
            "native sidecar"
        } else {
            "container"
        };
        let how = match (b.wiring.launch, b.wiring.rootlesskit) {
            (BuildkitLaunch::Direct, _) => ", buildkitd without rootlesskit",
            (_, true) => ", rootless",
            (_, false) => ", rootful",
        };
        out.push_str(&format!(
            "[{}] {} (BuildKit, {kind}{how}{})\n",
            b.place.name(),
            b.place.container.image.as_deref().unwrap_or(""),
            if b.wiring.privileged { ", privileged" } else { "" }
        ));
        for l in &b.wiring.listeners {
            out.push_str(&format!("  listens     {}\n", l.to_url()));
        }
        for m in b.place.container.volume_mounts.iter().flatten() {
            out.push_str(&format!("  volume      {} at {}\n", m.name, m.mount_path));
        }
    }
    for place in t
        .containers
        .iter()
        .filter(|p| !t.buildkitds.iter().any(|b| b.place.name() == p.name()))
    {
        let Some((endpoint, source)) = buildkit_client_host(place.container) else {
            continue;
        };
        out.push_str(&format!("[{}] --> {} ({source})\n", place.name(), endpoint.to_url()));
        for m in place.container.volume_mounts.iter().flatten() {
            out.push_str(&format!("  volume      {} at {}\n", m.name, m.mount_path));
        }
    }
    for c in &t.clients {
        let tls = match (c.tls_verify, &c.cert_path) {
            (Some(true), Some(path)) => format!(" with TLS certs from {}", path.as_deref().unwrap_or("?")),
            _ => String::new(),
        };
        let target = c
            .endpoint
            .as_ref()
            .map_or_else(|| "(DOCKER_HOST from valueFrom)".to_string(), Endpoint::to_url);
        out.push_str(&format!("[{}] --> {target}{tls}\n", c.place.name()));
        for m in c.place.container.volume_mounts.iter().flatten() {
            out.push_str(&format!("  volume      {} at {}\n", m.name, m.mount_path));
        }
    }
    out
}
