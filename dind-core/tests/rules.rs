//! Every rule, separately: a pod that must trigger it and a near miss that must not. Each case
//! edits one clean base pod.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use dind_core::lint::lint_yaml;
use dind_core::rules::Context;

const BASE: &str = r#"
containers:
- name: dind
  image: docker:29.7.2-dind
  args: [dockerd, --host=unix:///dind/docker.sock]
  env: [{name: DOCKER_TLS_CERTDIR, value: ""}]
  securityContext: {privileged: true}
  resources: {requests: {memory: 1Gi}}
  startupProbe: {exec: {command: [docker, --host=unix:///dind/docker.sock, info]}, periodSeconds: 1}
  volumeMounts: [{name: data, mountPath: /var/lib/docker}, {name: sock, mountPath: /dind}]
- name: docker
  image: docker:29.7.2-cli
  command: [sleep, 99d]
  env: [{name: DOCKER_HOST, value: unix:///var/run/docker.sock}]
  volumeMounts: [{name: sock, mountPath: /var/run}]
volumes: [{name: data, emptyDir: {}}, {name: sock, emptyDir: {}}]
"#;

fn codes_with(yaml: &str, ctx: &Context) -> Vec<String> {
    lint_yaml(yaml, ctx)
        .unwrap()
        .into_iter()
        .map(|f| {
            f.diagnostic
                .code
                .map_or_else(|| format!("input: {}", f.diagnostic.message), |c| c.to_string())
        })
        .collect()
}

fn codes(yaml: &str) -> Vec<String> {
    codes_with(yaml, &Context::default())
}

fn edit(pairs: &[(&str, &str)]) -> String {
    let mut s = BASE.to_string();
    for (from, to) in pairs {
        assert!(s.contains(from), "base lacks {from}");
        s = s.replacen(from, to, 1);
    }
    s
}

fn case(code: &str, trigger: &[(&str, &str)], near_miss: &[(&str, &str)]) {
    let t = codes(&edit(trigger));
    assert!(t.iter().any(|c| c == code), "{code} not found in trigger: {t:?}");
    let n = codes(&edit(near_miss));
    assert!(!n.iter().any(|c| c == code), "{code} found in near miss: {n:?}");
}

#[test]
fn base_is_clean() {
    assert_eq!(codes(BASE), Vec::<String>::new());
}

#[test]
fn dind001_command_override() {
    case(
        "DIND001",
        &[("  args: [dockerd,", "  command: [dockerd]\n  args: [")],
        &[(
            "  args: [dockerd,",
            "  command: [dockerd-entrypoint.sh]\n  args: [dockerd,",
        )],
    );
}

#[test]
fn dind002_probe_port() {
    let probe = "startupProbe: {exec: {command: [docker, --host=unix:///dind/docker.sock, info]}, periodSeconds: 1}";
    case(
        "DIND002",
        &[(
            probe,
            "startupProbe: {tcpSocket: {port: \"tcp://localhost:8989\"}, periodSeconds: 1}",
        )],
        &[(
            probe,
            "ports: [{name: docker, containerPort: 2376}]\n  startupProbe: {tcpSocket: {port: docker}, periodSeconds: 1}",
        )],
    );
    case(
        "DIND002",
        &[(probe, "startupProbe: {tcpSocket: {port: 70000}, periodSeconds: 1}")],
        &[(probe, "readinessProbe: {tcpSocket: {port: 2376}, periodSeconds: 1}")],
    );
}

#[test]
fn dind003_probe_misses_daemon() {
    let cmd = "command: [docker, --host=unix:///dind/docker.sock, info]";
    case(
        "DIND003",
        &[(cmd, "command: [docker, --host=unix:///other/docker.sock, info]")],
        &[(cmd, "command: [test, -S, /dind/docker.sock]")],
    );
    case(
        "DIND003",
        &[(cmd, "command: [stat, \"unix:///dind/docker.sock\"]")],
        &[(
            cmd,
            "command: [sh, -c, \"docker --host=unix:///dind/docker.sock info\"]",
        )],
    );
}

#[test]
fn dind004_endpoint_unserved() {
    let host = "value: unix:///var/run/docker.sock";
    case(
        "DIND004",
        &[(host, "value: tcp://localhost:2375")],
        &[(host, "value: unix:///var/run/docker.sock")],
    );
    case(
        "DIND004",
        &[(
            "{name: sock, mountPath: /var/run}]",
            "{name: data, mountPath: /var/run}]",
        )],
        &[],
    );
    case(
        "DIND004",
        &[
            ("--host=unix:///dind/docker.sock]", "--host=tcp://127.0.0.1:2375]"),
            (host, "value: tcp://docker:2375"),
        ],
        &[
            ("--host=unix:///dind/docker.sock]", "--host=tcp://127.0.0.1:2375]"),
            (host, "value: tcp://localhost:2375"),
        ],
    );
}

#[test]
fn dind005_tls_client_incomplete() {
    let daemon = "args: [dockerd, --host=unix:///dind/docker.sock]\n  env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]";
    let tls = "env: [{name: DOCKER_TLS_CERTDIR, value: /certs}]";
    let mounts = "volumeMounts: [{name: data, mountPath: /var/lib/docker}, {name: sock, mountPath: /dind}]";
    let certs = "volumeMounts: [{name: data, mountPath: /var/lib/docker}, {name: sock, mountPath: /certs/client}]";
    let client = "env: [{name: DOCKER_HOST, value: unix:///var/run/docker.sock}]\n  volumeMounts: [{name: sock, mountPath: /var/run}]";
    case(
        "DIND005",
        &[
            (daemon, tls),
            (mounts, certs),
            (client, "env: [{name: DOCKER_HOST, value: tcp://localhost:2376}]"),
        ],
        &[
            (daemon, tls),
            (mounts, certs),
            (
                client,
                "env: [{name: DOCKER_HOST, value: tcp://localhost:2376}, {name: DOCKER_TLS_VERIFY, value: \"1\"}, {name: DOCKER_CERT_PATH, value: /certs/client}]\n  volumeMounts: [{name: sock, mountPath: /certs/client}]",
            ),
        ],
    );
}

#[test]
fn dind006_plaintext_exposed() {
    let host = "--host=unix:///dind/docker.sock]";
    case(
        "DIND006",
        &[(host, "--host=unix:///dind/docker.sock, --host=tcp://0.0.0.0:2375]")],
        &[(host, "--host=unix:///dind/docker.sock, --host=tcp://127.0.0.1:2375]")],
    );
}

#[test]
fn dind006_can_be_accepted_by_annotation() {
    let yaml = format!(
        "metadata: {{annotations: {{dind/allow: DIND006}}}}\nspec:{}",
        edit(&[(
            "--host=unix:///dind/docker.sock]",
            "--host=unix:///dind/docker.sock, --host=tcp://0.0.0.0:2375]"
        )])
        .replace('\n', "\n  ")
    );
    let findings = lint_yaml(&yaml, &Context::default()).unwrap();
    let f = findings
        .iter()
        .find(|f| f.diagnostic.code.is_some_and(|c| c.as_str() == "DIND006"))
        .expect("still reported");
    assert_eq!(f.diagnostic.severity, dind_core::Severity::Warning);
}

#[test]
fn dind007_not_privileged() {
    case(
        "DIND007",
        &[(
            "securityContext: {privileged: true}",
            "securityContext: {privileged: false}",
        )],
        &[],
    );
}

#[test]
fn dind008_no_data_root() {
    case(
        "DIND008",
        &[("{name: data, mountPath: /var/lib/docker}, ", "")],
        &[(
            "{name: data, mountPath: /var/lib/docker}, ",
            "{name: data, mountPath: /var/lib/docker/}, ",
        )],
    );
}

#[test]
fn dind009_unpinned() {
    case(
        "DIND009",
        &[("image: docker:29.7.2-dind", "image: docker:29-dind")],
        &[("image: docker:29.7.2-dind", "image: docker@sha256:0123456789abcdef")],
    );
    case("DIND009", &[("image: docker:29.7.2-cli", "image: docker:cli")], &[]);
}

#[test]
fn dind010_not_awaited() {
    let probe =
        "  startupProbe: {exec: {command: [docker, --host=unix:///dind/docker.sock, info]}, periodSeconds: 1}\n";
    case(
        "DIND010",
        &[(probe, "")],
        &[(
            probe,
            "  readinessProbe: {exec: {command: [docker, --host=unix:///dind/docker.sock, info]}, periodSeconds: 1}\n",
        )],
    );
}

#[test]
fn dind011_experimental_obsolete() {
    let image = "image: docker:29.7.2-dind\n  args: [dockerd, --host=unix:///dind/docker.sock]";
    let rootless = "securityContext: {privileged: true}";
    case(
        "DIND011",
        &[
            (
                image,
                "image: docker:29.7.2-dind-rootless\n  args: [dockerd, --host=unix:///dind/docker.sock, --experimental]",
            ),
            (
                "{name: data, mountPath: /var/lib/docker}",
                "{name: data, mountPath: /home/rootless/.local/share/docker}",
            ),
            (rootless, rootless),
        ],
        &[(
            image,
            "image: docker:19.03.15-dind-rootless\n  args: [dockerd, --host=unix:///dind/docker.sock, --experimental]",
        )],
    );
}

#[test]
fn dind012_user_conflict() {
    let sc = "securityContext: {privileged: true}";
    case(
        "DIND012",
        &[(sc, "securityContext: {privileged: true, runAsNonRoot: true}")],
        &[(
            sc,
            "securityContext: {privileged: true, runAsNonRoot: false, runAsUser: 0}",
        )],
    );
    case(
        "DIND012",
        &[(sc, "securityContext: {privileged: true, runAsUser: 1000}")],
        &[],
    );
}

#[test]
fn dind013_socket_path() {
    let long = format!("/{}/docker.sock", "d".repeat(100));
    case(
        "DIND013",
        &[("--host=unix:///dind/docker.sock]", &format!("--host=unix://{long}]"))],
        &[("--host=unix:///dind/docker.sock]", "--host=unix:///dind/docker.sock]")],
    );
    case(
        "DIND013",
        &[(
            "{name: sock, mountPath: /var/run}]",
            "{name: sock, mountPath: /var/run/docker.sock}]",
        )],
        &[],
    );
}

#[test]
fn dind014_duplicate_listener() {
    let host = "--host=unix:///dind/docker.sock]";
    case(
        "DIND014",
        &[(host, "--host=unix:///dind/docker.sock, -H, unix:///dind/docker.sock]")],
        &[(host, "--host=unix:///dind/docker.sock, -H, unix:///dind/other.sock]")],
    );
}

#[test]
fn dind015_unix_setup_opens_tcp() {
    let args = "args: [dockerd, --host=unix:///dind/docker.sock]";
    case("DIND015", &[(args, "args: [--host=unix:///dind/docker.sock]")], &[]);
}

#[test]
fn dind016_privileged_without_escalation() {
    let sc = "securityContext: {privileged: true}";
    case(
        "DIND016",
        &[(
            sc,
            "securityContext: {privileged: true, allowPrivilegeEscalation: false}",
        )],
        &[(
            sc,
            "securityContext: {privileged: true, allowPrivilegeEscalation: true}",
        )],
    );
}

#[test]
fn dind017_client_exits() {
    let cmd = "command: [sleep, 99d]";
    case(
        "DIND017",
        &[(cmd, "command: [cat]")],
        &[(cmd, "command: [cat]\n  tty: true")],
    );
    case(
        "DIND017",
        &[("  command: [sleep, 99d]\n", "")],
        &[(cmd, "command: [sleep, infinity]")],
    );
    case("DIND017", &[(cmd, "command: [sleep, \"30\"]")], &[]);
}

#[test]
fn dind018_mtu() {
    let host = "--host=unix:///dind/docker.sock]";
    case(
        "DIND018",
        &[(host, "--host=unix:///dind/docker.sock, --mtu=20]")],
        &[(host, "--host=unix:///dind/docker.sock, --mtu=1440]")],
    );
}

#[test]
fn dind019_host_docker_socket() {
    case(
        "DIND019",
        &[(
            "{name: sock, emptyDir: {}}",
            "{name: sock, hostPath: {path: /var/run/docker.sock}}",
        )],
        &[(
            "{name: sock, emptyDir: {}}",
            "{name: sock, hostPath: {path: /srv/cache}}",
        )],
    );
}

#[test]
fn dind020_names() {
    case(
        "DIND020",
        &[("- name: docker\n", "- name: Docker_Client\n")],
        &[("- name: docker\n", "- name: docker-client\n")],
    );
    case("DIND020", &[("- name: docker\n", "- name: dind\n")], &[]);
    case("DIND020", &[("- name: dind\n", "- name: jnlp\n")], &[]);
    case(
        "DIND020",
        &[("{name: sock, emptyDir: {}}", "{name: data, emptyDir: {}}")],
        &[],
    );
}

#[test]
fn dind021_memory() {
    case(
        "DIND021",
        &[("  resources: {requests: {memory: 1Gi}}\n", "")],
        &[(
            "  resources: {requests: {memory: 1Gi}}\n",
            "  resources: {limits: {memory: 4Gi}}\n",
        )],
    );
}

#[test]
fn dind022_native_sidecar_version() {
    let yaml = "initContainers:\n- name: dind\n  image: docker:29.7.2-dind\n  restartPolicy: Always\n  args: [dockerd]\n  securityContext: {privileged: true}\ncontainers:\n- name: jnlp\n  image: jenkins/inbound-agent:3307.v632ed11b_3a_c7-2\n";
    let old = Context {
        kube_version: dind_core::facts::KubeVersion::new(1, 28),
    };
    assert!(codes_with(yaml, &old).iter().any(|c| c == "DIND022"));
    assert!(!codes(yaml).iter().any(|c| c == "DIND022"));
}

#[test]
fn dind024_probe_slow() {
    let period = "periodSeconds: 1}";
    case(
        "DIND024",
        &[(period, "periodSeconds: 6, initialDelaySeconds: 5}")],
        &[(period, "periodSeconds: 2}")],
    );
}

#[test]
fn dind025_certdir_null() {
    let env = "env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]";
    case("DIND025", &[(env, "env: [{name: DOCKER_TLS_CERTDIR, value: }]")], &[]);
}

#[test]
fn registry_codes_are_in_order_and_documented() {
    for (i, code) in dind_core::Code::ALL.iter().enumerate() {
        assert_eq!(code.as_str(), format!("DIND{:03}", i + 1));
        let info = code.info();
        assert!(
            !info.why.is_empty() && !info.example.is_empty() && !info.fix.is_empty(),
            "{code}"
        );
    }
}
