//! Shared by the integration tests: the examples' pods, and the oracle venv.
#![allow(dead_code)]
// Every example is included for its pod, and each brings the shared `examples/support` module.
#![allow(clippy::duplicate_mod)]

use std::path::PathBuf;

#[path = "../../examples/in_container.rs"]
mod in_container;
#[path = "../../examples/native_sidecar.rs"]
mod native_sidecar;
#[path = "../../examples/rootless.rs"]
mod rootless;
#[path = "../../examples/startup_probe_tcp.rs"]
mod startup_probe_tcp;
#[path = "../../examples/startup_probe_unix.rs"]
mod startup_probe_unix;
#[path = "../../examples/tcp_custom_port.rs"]
mod tcp_custom_port;
#[path = "../../examples/tcp_env.rs"]
mod tcp_env;
#[path = "../../examples/tls.rs"]
mod tls;
#[path = "../../examples/unix_socket.rs"]
mod unix_socket;

/// Every example: its name and its pod.
pub fn examples() -> Vec<(&'static str, dind::DindPod)> {
    vec![
        ("in_container", in_container::pod()),
        ("tcp_env", tcp_env::pod()),
        ("tcp_custom_port", tcp_custom_port::pod()),
        ("unix_socket", unix_socket::pod()),
        ("startup_probe_tcp", startup_probe_tcp::pod()),
        ("startup_probe_unix", startup_probe_unix::pod()),
        ("rootless", rootless::pod()),
        ("tls", tls::pod()),
        ("native_sidecar", native_sidecar::pod()),
    ]
}

/// The oracle venv that scripts/test.sh creates. Panics (never skips) when it is missing.
pub fn venv_bin(tool: &str) -> PathBuf {
    let venv = std::env::var_os("DIND_ORACLE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv"));
    let bin = venv.join("bin").join(tool);
    assert!(
        bin.exists(),
        "oracle `{}` is missing: run ./scripts/test.sh, which creates the venv",
        bin.display()
    );
    bin
}

/// A fresh scratch directory under target/.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
