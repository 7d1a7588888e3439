//! Seed "Security": rootless, still privileged, no `--experimental`, MTU through rootlesskit.
//!
//! Run: `cargo run --example rootless`. The same pod from settings: `dind render --config examples/config/rootless.toml`.

mod support;

use dind::{Client, DindPod};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new().rootless().mtu(1440).client(Client::new("docker"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
