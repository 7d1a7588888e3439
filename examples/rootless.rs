//! Seed "Security": rootless, still privileged, no `--experimental`, MTU through rootlesskit.
//!
//! Run: `cargo run --example rootless`. The same pod from settings: `dind render --config examples/config/rootless.toml`.

#[allow(unused_imports)]
use dind::{Client, DindPod, Probe, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new().rootless().mtu(1440).client(Client::new("docker"))
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
