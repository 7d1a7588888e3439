//! Seed "Wait Docker-Daemon Up" over the socket: `docker --host=unix://... info`, not `stat` of a URL.
//!
//! Run: `cargo run --example startup_probe_unix`. The same pod from settings: `dind render --config examples/config/startup_probe_unix.toml`.

mod support;

use dind::{Client, DindPod, Probe, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .transport(Transport::Unix(Some("/dind-only/docker.sock".into())))
        .probe(Probe::startup().budget(180))
        .client(Client::new("demo"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
