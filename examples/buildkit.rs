//! Without `privileged` and without anything on the nodes: rootless BuildKit
//! (`moby/buildkit:<v>-rootless`) builds and pushes the workspace's Dockerfile. buildkitd keeps
//! its image's entrypoint (`rootlesskit buildkitd`), runs as uid 1000 with seccomp and AppArmor
//! `Unconfined` (so the namespace needs Pod Security level `privileged`), and serves a socket on
//! an emptyDir that the `buildctl` client shares. Registry credentials come from a
//! `kubernetes.io/dockerconfigjson` Secret mounted as the client's `config.json`. There is no
//! `docker run` here: use the docker engine (or Sysbox) for that.
//!
//! Run: `cargo run --example buildkit`. The same pod from settings, with Jenkins steps that build
//! and push: `dind render --config examples/config/buildkit.toml --format jenkins`.

mod support;

use dind::{Client, DindPod, Engine};

/// The example's pod.
#[allow(dead_code)]
pub fn pod() -> DindPod {
    DindPod::new()
        .engine(Engine::Buildkit)
        .registry_auth("registry-credentials")
        .client(Client::new("buildctl"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    support::print(pod())
}
