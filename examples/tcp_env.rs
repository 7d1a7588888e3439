//! Seed "By Environment" (TCP 2375): plaintext TCP, bound to 127.0.0.1 instead of 0.0.0.0.
//!
//! Run: `cargo run --example tcp_env`. The same pod from settings: `dind render --config examples/config/tcp_env.toml`.

mod support;

use dind::{Client, DindPod, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .transport(Transport::Tcp { port: 2375 })
        .client(Client::new("demo"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
