//! Mutual TLS on 2376 with the certificates the entrypoint generates, shared through /certs/client.
//!
//! Run: `cargo run --example tls`. The same pod from settings: `dind render --config examples/config/tls.toml`.

mod support;

use dind::{Client, DindPod, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .transport(Transport::Tls { port: 2376 })
        .mtu(1440)
        .registry_mirror("https://mirror.gcr.io")
        .client(Client::new("docker"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
