//! Shared by the integration tests: the examples' pods, and the oracle venv.
#![allow(dead_code)]
// Every example is included for its pod, and each brings the shared `examples/support` module.
#![allow(clippy::duplicate_mod)]

pub mod apiserver;

use std::path::PathBuf;

#[path = "../../examples/buildkit.rs"]
mod buildkit;
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
#[path = "../../examples/sysbox.rs"]
mod sysbox;
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
        ("sysbox", sysbox::pod()),
        ("buildkit", buildkit::pod()),
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

/// The Go YAML 1.1 reader that kubectl uses (gopkg.in/yaml.v2 behind sigs.k8s.io/yaml), built
/// once per test binary from tests/oracle/goyaml with Debian's `golang-go` and
/// `golang-gopkg-yaml.v2-dev` (scripts/test.sh installs both). Panics (never skips) when either
/// is missing.
pub fn go_yaml_bin() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let gopath = std::env::var_os("DIND_GOPATH").unwrap_or_else(|| "/usr/share/gocode".into());
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("goyaml-oracle");
        let build = std::process::Command::new("go")
            .args(["build", "-o"])
            .arg(&out)
            .arg(root.join("tests/oracle/goyaml/main.go"))
            .env("GO111MODULE", "off")
            .env("GOPATH", &gopath)
            .env("GOFLAGS", "")
            .output()
            .unwrap_or_else(|e| {
                panic!("oracle `go` is missing ({e}): run ./scripts/test.sh, which installs golang-go")
            });
        assert!(
            build.status.success(),
            "building the Go YAML oracle failed (is golang-gopkg-yaml.v2-dev installed?):\n{}",
            String::from_utf8_lossy(&build.stderr)
        );
        out
    })
    .clone()
}

/// The JSON lines an oracle printed, after checking that it succeeded (`what` names it in the
/// failure message, with its stdout and stderr).
pub fn json_lines(out: &std::process::Output, what: &str) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .expect("oracle output is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON value per line"))
        .collect()
}

/// A fresh scratch directory under target/.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Values that YAML 1.1 readers, Groovy or the emitter could mangle.
pub const TRICKY_VALUES: &[&str] = &[
    "on",
    "Yes",
    "no",
    "~",
    "null",
    "12:30",
    "190:20:30",
    "0777",
    "017",
    "0x1F",
    "1e3",
    "-.5",
    ".inf",
    "=",
    "<<",
    "- x",
    "a: b",
    "#x",
    "x #y",
    "",
    " lead",
    "trail ",
    "\"q\"",
    "'s'",
    "${x}",
    "$(VAR)",
    "\\",
    "\t",
    "é",
    "😀",
    "\u{fffe}\u{ffff}\u{fdd0}\u{1ffff}",
    "\u{85}\u{2028}",
    "line\nbreak",
    "crlf\r\n",
];

/// A pod that uses every setting near its limits, with hostile values.
pub fn hostile_pod() -> dind::DindPod {
    use dind::{Client, DindPod, Transport};
    use k8s_openapi::api::core::v1::Toleration;
    let mut client = Client::new("build")
        .memory_request("256Mi")
        .memory_limit("1Gi")
        .cpu_request("500m")
        .mount("/cache", "cache")
        .run_as(2_147_483_647, 2_147_483_647);
    for (i, v) in TRICKY_VALUES.iter().enumerate() {
        client = client.env(format!("TRICKY_{i}"), *v);
    }
    DindPod::new()
        .transport(Transport::Unix(Some("/dind-only/docker.sock".into())))
        .client(client)
        .client(Client::new("second").mount("/cache", "cache"))
        .mtu(1400)
        .registry_mirror("https://mirror.gcr.io")
        .insecure_registry("10.0.0.0/8")
        .memory_limit("512Mi")
        .storage_size("20Gi")
        .name("a.b-c")
        .namespace("ci")
        .label("app.kubernetes.io/name", "dind")
        .annotation("example.com/on", "on")
        .service_account("builder")
        .node_selector("kubernetes.io/os", "linux")
        .toleration(Toleration {
            key: Some("dedicated".into()),
            operator: Some("Equal".into()),
            value: Some("ci".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: Some(60),
        })
        .active_deadline_seconds(2_147_483_647)
}

/// The JDK for Groovy: `JAVA_HOME`, else the one `java` on the PATH belongs to.
pub fn java_home() -> Option<std::path::PathBuf> {
    if let Some(home) = std::env::var_os("JAVA_HOME").map(std::path::PathBuf::from)
        && home.join("bin/java").exists()
    {
        return Some(home);
    }
    let path = std::env::var_os("PATH")?;
    let java = std::env::split_paths(&path)
        .map(|d| d.join("java"))
        .find(|j| j.exists())?;
    std::fs::canonicalize(java)
        .ok()?
        .parent()?
        .parent()
        .map(std::path::Path::to_path_buf)
}

/// `groovy` with a JDK.
pub fn groovy_command() -> std::process::Command {
    let mut cmd = std::process::Command::new("groovy");
    if let Some(home) = java_home() {
        cmd.env("JAVA_HOME", home);
    }
    cmd
}

/// Evaluates Jenkinsfiles under Groovy 2.4 with stub pipeline steps: one JSON line per file
/// (the pod YAML, the container and the `sh` steps the stubs received).
pub fn groovy(files: &[std::path::PathBuf]) -> Vec<serde_json::Value> {
    let harness = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/groovy/harness.groovy");
    let mut cmd = groovy_command();
    let out = cmd
        .arg(harness)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("groovy (Debian package `groovy`, run ./scripts/test.sh): {e}"));
    json_lines(&out, "groovy")
}
