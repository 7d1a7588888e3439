//! The daemon as a native sidecar (Kubernetes >= 1.29), with a Jenkins agent client running as uid 1000.
//!
//! Run: `cargo run --example native_sidecar`. The same pod from settings: `dind render --config examples/config/native_sidecar.toml`.

mod support;

use dind::{Client, DindPod};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .native_sidecar()
        .kube_version("1.33")
        .client(Client::new("docker").run_as(1000, 1000))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
