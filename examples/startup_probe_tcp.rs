//! Seed "Wait Docker-Daemon Up" over TCP: an exec probe `docker --host=tcp://127.0.0.1:8989 info` every second.
//!
//! Run: `cargo run --example startup_probe_tcp`. The same pod from settings: `dind render --config examples/config/startup_probe_tcp.toml`.

mod support;

use dind::{Client, DindPod, Probe, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .transport(Transport::Tcp { port: 8989 })
        .probe(Probe::startup().budget(180))
        .client(Client::new("demo"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
