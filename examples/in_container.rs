//! Seed "Use Docker in docker:dind": steps run in the daemon container itself (no clients).
//!
//! Run: `cargo run --example in_container`. The same pod from settings: `dind render --config examples/config/in_container.toml`.

mod support;

use dind::{DindPod, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new().transport(Transport::InContainer)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
