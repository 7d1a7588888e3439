//! Seed "Through Unix-Domain Socket": the socket at /dind-only/docker.sock on a shared emptyDir, no TCP listener.
//!
//! Run: `cargo run --example unix_socket`. The same pod from settings: `dind render --config examples/config/unix_socket.toml`.

mod support;

use dind::{Client, DindPod, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .transport(Transport::Unix(Some("/dind-only/docker.sock".into())))
        .client(Client::new("demo"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
