//! Without `privileged`: the plain dind image under Sysbox (`runtimeClassName: sysbox-runc`) in
//! the pod's own user namespace (`hostUsers: false`). `docker run`, compose and Testcontainers
//! work as with a privileged daemon; the nodes need Sysbox installed.
//!
//! Run: `cargo run --example sysbox`. The same pod from settings: `dind render --config examples/config/sysbox.toml`.

mod support;

use dind::{Client, DindPod, Runtime};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .runtime(Runtime::Sysbox)
        .mtu(1440)
        .client(Client::new("docker"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
