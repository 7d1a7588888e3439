//! A text diagram of what a pod wires up: the daemon's listeners, each client's endpoint and the
//! volumes they share. Computed from the [`Topology`], so it shows what the pod does, not what
//! the builder meant.

use k8s_openapi::api::core::v1::Pod;

use crate::topology::{Endpoint, Topology};

fn endpoint(e: &Endpoint) -> String {
    match e {
        Endpoint::Unix(p) => format!("unix://{p}"),
        Endpoint::Tcp { host, port } => format!("tcp://{host}:{}", port.map_or("?".into(), |p| p.to_string())),
        Endpoint::Other(o) => o.clone(),
    }
}

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
            "[{}] {} ({kind}{})\n",
            d.place.name(),
            d.image.repository.clone() + &d.image.tag.as_ref().map(|t| format!(":{t}")).unwrap_or_default(),
            if d.rootless { ", rootless" } else { "" }
        ));
        out.push_str(&format!("  data root   {}\n", d.data_root));
        for l in &d.listeners {
            let tls = match (&l.endpoint, l.tls) {
                (Endpoint::Tcp { .. }, true) => " (mutual TLS)",
                (Endpoint::Tcp { .. }, false) => " (plaintext)",
                _ => "",
            };
            out.push_str(&format!("  listens     {}{tls}\n", endpoint(&l.endpoint)));
        }
        for m in d.place.container.volume_mounts.iter().flatten() {
            out.push_str(&format!("  volume      {} at {}\n", m.name, m.mount_path));
        }
    }
    for c in &t.clients {
        let tls = if c.tls_verify {
            format!(" with TLS certs from {}", c.cert_path.as_deref().unwrap_or("?"))
        } else {
            String::new()
        };
        out.push_str(&format!("[{}] --> {}{tls}\n", c.place.name(), endpoint(&c.endpoint)));
        for m in c.place.container.volume_mounts.iter().flatten() {
            out.push_str(&format!("  volume      {} at {}\n", m.name, m.mount_path));
        }
    }
    out
}
