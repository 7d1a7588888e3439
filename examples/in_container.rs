//! Seed "Use Docker in docker:dind": steps run in the daemon container itself (no clients).
//!
//! Run: `cargo run --example in_container`. The same pod from settings: `dind render --config examples/config/in_container.toml`.

#[allow(unused_imports)]
use dind::{Client, DindPod, Probe, Transport};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new().transport(Transport::InContainer)
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
