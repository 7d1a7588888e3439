//! The daemon as a native sidecar (Kubernetes >= 1.29), with a Jenkins agent client running as uid 1000.
//!
//! Run: `cargo run --example native_sidecar`. The same pod from settings: `dind render --config examples/config/native_sidecar.toml`.

#[allow(unused_imports)]
use dind::{Client, DindPod, Probe, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .native_sidecar()
        .kube_version("1.33")
        .client(Client::new("docker").run_as(1000, 1000))
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
