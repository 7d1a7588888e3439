//! Seed "By Custom Entry-Point" (TCP 8989): the daemon keeps the image entrypoint (`args: [dockerd, ...]`, no `command:`).
//!
//! Run: `cargo run --example tcp_custom_port`. The same pod from settings: `dind render --config examples/config/tcp_custom_port.toml`.

mod support;

use dind::{Client, DindPod, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .transport(Transport::Tcp { port: 8989 })
        .client(Client::new("demo"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
