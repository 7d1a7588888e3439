//! Mutual TLS on 2376 with the certificates the entrypoint generates, shared through /certs/client.
//!
//! Run: `cargo run --example tls`. The same pod from settings: `dind render --config examples/config/tls.toml`.

#[allow(unused_imports)]
use dind::{Client, DindPod, Probe, Transport};

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
fn main() {
    match pod().build() {
        Ok(built) => {
            for w in built.warnings() {
                eprintln!("{w}");
            }
            print!("{}", built.to_yaml());
        }
        Err(errors) => {
            eprintln!("{errors}");
            std::process::exit(1);
        }
    }
}
