//! Every rule, separately: a pod that must trigger it and a near miss that must not. Each case
//! edits one clean base pod.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use dind_core::Severity;
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

/// The messages of the findings of `code`.
fn messages(yaml: &str, code: &str) -> Vec<String> {
    lint_yaml(yaml, &Context::default())
        .unwrap()
        .into_iter()
        .filter(|f| f.diagnostic.code.is_some_and(|c| c.as_str() == code))
        .map(|f| f.diagnostic.message)
        .collect()
}

fn codes(yaml: &str) -> Vec<String> {
    codes_with(yaml, &Context::default())
}

fn edit(pairs: &[(&str, &str)]) -> String {
    edit_of(BASE, pairs)
}

fn edit_of(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = base.to_string();
    for (from, to) in pairs {
        assert!(s.contains(from), "base lacks {from}");
        s = s.replacen(from, to, 1);
    }
    s
}

/// A trigger that must report `code` and a near miss (a different edit of the base, close to the
/// trigger) that must not.
fn case(code: &str, trigger: &[(&str, &str)], near_miss: &[(&str, &str)]) {
    case_on(BASE, code, trigger, near_miss);
}

/// [`case`] on another base pod.
fn case_on(base: &str, code: &str, trigger: &[(&str, &str)], near_miss: &[(&str, &str)]) {
    let (t_text, n_text) = (edit_of(base, trigger), edit_of(base, near_miss));
    assert!(
        t_text != base && n_text != base && t_text != n_text,
        "{code}: the edits must change the base, differently"
    );
    let t = codes(&t_text);
    assert!(t.iter().any(|c| c == code), "{code} not found in trigger: {t:?}");
    let n = codes(&n_text);
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
    // A path to dockerd in `args` is execed without the entrypoint's wrappers; the word is not.
    case(
        "DIND001",
        &[("  args: [dockerd,", "  args: [/usr/local/bin/dockerd,")],
        &[("  args: [dockerd,", "  args: [dockerd, --mtu=1400,")],
    );
    // A shell that calls the entrypoint keeps it.
    case(
        "DIND001",
        &[(
            "  args: [dockerd,",
            "  command: [sh, -c, \"dockerd --host=unix:///dind/docker.sock\"]\n  args: [",
        )],
        &[(
            "  args: [dockerd,",
            "  command: [sh, -c, \"exec dockerd-entrypoint.sh dockerd --host=unix:///dind/docker.sock\"]\n  args: [",
        )],
    );
}

/// A dind image that runs `sleep` in a pod with no daemon: nothing ever serves the socket.
const LONE_DIND: &str = r#"
containers:
- name: docker
  image: docker:29.7.2-dind
  command: [sleep, 99d]
"#;

#[test]
fn dind001_a_dind_image_that_runs_no_daemon() {
    // The dind image with `sleep`, nothing else: no daemon ever runs. The near miss is the
    // pre-22.06 bare tag, the CLI image then, which is a plain client.
    case_on(
        LONE_DIND,
        "DIND001",
        &[("command: [sleep, 99d]", "command: [cat]")],
        &[("image: docker:29.7.2-dind", "image: docker:19.03.1")],
    );
    // A node socket, or a daemon in another container, serves it: no finding.
    let with_daemon =
        format!("{LONE_DIND}- name: dind\n  image: docker:29.7.2-dind\n  securityContext: {{privileged: true}}\n");
    assert!(
        !codes(&with_daemon).contains(&"DIND001".to_string()),
        "{:?}",
        codes(&with_daemon)
    );
    // A remote daemon it points at cannot be judged from this pod.
    let remote = format!("{LONE_DIND}  env: [{{name: DOCKER_HOST, value: tcp://docker.ci:2376}}]\n");
    assert!(!codes(&remote).contains(&"DIND001".to_string()));
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
        &[(probe, "startupProbe: {tcpSocket: {port: 65535}, periodSeconds: 1}")],
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
    let daemon = "--host=unix:///dind/docker.sock]";
    case(
        "DIND004",
        &[(host, "value: tcp://localhost:2375")],
        &[
            (daemon, "--host=unix:///dind/docker.sock, --host=tcp://127.0.0.1:2375]"),
            (host, "value: tcp://localhost:2375"),
        ],
    );
    case(
        "DIND004",
        &[(
            "{name: sock, mountPath: /var/run}]",
            "{name: data, mountPath: /var/run}]",
        )],
        &[
            ("{name: sock, mountPath: /var/run}]", "{name: sock, mountPath: /sock}]"),
            (host, "value: unix:///sock/docker.sock"),
        ],
    );
    case(
        "DIND004",
        &[
            (daemon, "--host=tcp://127.0.0.1:2375]"),
            (host, "value: tcp://docker:2375"),
        ],
        &[
            (daemon, "--host=tcp://127.0.0.1:2375]"),
            (host, "value: tcp://localhost:2375"),
        ],
    );
}

/// A rootless daemon as the builder writes it, so that the rootless edits below start clean.
fn rootless(edits: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = vec![
        (
            "image: docker:29.7.2-dind".into(),
            "image: docker:29.7.2-dind-rootless".into(),
        ),
        (
            "{name: data, mountPath: /var/lib/docker}".into(),
            "{name: data, mountPath: /home/rootless/.local/share/docker}".into(),
        ),
    ];
    all.extend(edits.iter().map(|(a, b)| ((*a).to_string(), (*b).to_string())));
    all
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

#[test]
fn dind004_rootless_endpoints_follow_rootlesskit() {
    assert_eq!(codes(&edit(&refs(&rootless(&[])))), Vec::<String>::new());
    // A socket created directly in rootlesskit's copy of /run is private; one on a volume
    // mounted below /run is shared through the copy-up symlink.
    let sock = rootless(&[
        ("--host=unix:///dind/docker.sock]", "--host=unix:///run/docker.sock]"),
        ("{name: sock, mountPath: /dind}]", "{name: sock, mountPath: /run}]"),
        ("value: unix:///var/run/docker.sock", "value: unix:///run/docker.sock"),
        ("{name: sock, mountPath: /var/run}]", "{name: sock, mountPath: /run}]"),
        (
            "command: [docker, --host=unix:///dind/docker.sock, info]",
            "command: [docker, --host=unix:///run/docker.sock, info]",
        ),
    ]);
    let below = rootless(&[
        (
            "--host=unix:///dind/docker.sock]",
            "--host=unix:///run/dind/docker.sock]",
        ),
        ("{name: sock, mountPath: /dind}]", "{name: sock, mountPath: /run/dind}]"),
        (
            "value: unix:///var/run/docker.sock",
            "value: unix:///run/dind/docker.sock",
        ),
        (
            "{name: sock, mountPath: /var/run}]",
            "{name: sock, mountPath: /run/dind}]",
        ),
        (
            "command: [docker, --host=unix:///dind/docker.sock, info]",
            "command: [docker, --host=unix:///run/dind/docker.sock, info]",
        ),
    ]);
    case("DIND004", &refs(&sock), &refs(&below));
    // TCP is reachable only through a port rootlesskit forwards.
    let tcp = rootless(&[
        (
            "--host=unix:///dind/docker.sock]",
            "--host=tcp://0.0.0.0:8989, --tlsverify]",
        ),
        ("value: unix:///var/run/docker.sock", "value: tcp://localhost:8989"),
    ]);
    let forwarded = rootless(&[
        (
            "--host=unix:///dind/docker.sock]",
            "--host=tcp://0.0.0.0:8989, --tlsverify]",
        ),
        ("value: unix:///var/run/docker.sock", "value: tcp://localhost:8989"),
        (
            "{name: DOCKER_TLS_CERTDIR, value: \"\"}]",
            "{name: DOCKER_TLS_CERTDIR, value: \"\"}, {name: DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS, value: \"-p 0.0.0.0:8989:8989/tcp\"}]",
        ),
    ]);
    let t = codes(&edit(&refs(&tcp)));
    assert!(t.contains(&"DIND004".to_string()), "{t:?}");
    let f = codes(&edit(&refs(&forwarded)));
    assert!(!f.contains(&"DIND004".to_string()), "{f:?}");
}

#[test]
fn dind005_tls_client_incomplete() {
    let daemon = "args: [dockerd, --host=unix:///dind/docker.sock]\n  env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]";
    let tls = "env: [{name: DOCKER_TLS_CERTDIR, value: /certs}]";
    let mounts = "volumeMounts: [{name: data, mountPath: /var/lib/docker}, {name: sock, mountPath: /dind}]";
    let certs = "volumeMounts: [{name: data, mountPath: /var/lib/docker}, {name: sock, mountPath: /certs/client}]";
    let client = "env: [{name: DOCKER_HOST, value: unix:///var/run/docker.sock}]\n  volumeMounts: [{name: sock, mountPath: /var/run}]";
    let probe = "command: [docker, --host=unix:///dind/docker.sock, info]";
    let tls_probe = "command: [docker, --host=unix:///var/run/docker.sock, info]";
    case(
        "DIND005",
        &[
            (daemon, tls),
            (mounts, certs),
            (probe, tls_probe),
            (client, "env: [{name: DOCKER_HOST, value: tcp://localhost:2376}]"),
        ],
        &[
            (daemon, tls),
            (mounts, certs),
            (probe, tls_probe),
            (
                client,
                "env: [{name: DOCKER_HOST, value: tcp://localhost:2376}, {name: DOCKER_TLS_VERIFY, value: \"1\"}, {name: DOCKER_CERT_PATH, value: /certs/client}]\n  volumeMounts: [{name: sock, mountPath: /certs/client}]",
            ),
        ],
    );
}

#[test]
fn dind006_exposed_listeners() {
    let host = "--host=unix:///dind/docker.sock]";
    case(
        "DIND006",
        &[(host, "--host=unix:///dind/docker.sock, --host=tcp://0.0.0.0:2375]")],
        &[(host, "--host=unix:///dind/docker.sock, --host=tcp://127.0.0.1:2375]")],
    );
    // `--tls` without `--tlsverify` accepts any client.
    case(
        "DIND006",
        &[(
            host,
            "--host=unix:///dind/docker.sock, --host=tcp://0.0.0.0:2376, --tls]",
        )],
        &[(
            host,
            "--host=unix:///dind/docker.sock, --host=tcp://0.0.0.0:2376, --tlsverify]",
        )],
    );
    // The message says why: an image before 19.03 opens plaintext 2375 whatever the
    // certificate directory; the entrypoint's default otherwise.
    let defaults = edit(&[
        ("args: [dockerd, --host=unix:///dind/docker.sock]", "args: []"),
        ("image: docker:29.7.2-dind", "image: docker:18.09.9-dind"),
        ("env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]", "env: []"),
    ]);
    let m = messages(&defaults, "DIND006");
    assert!(m.iter().any(|m| m.contains("images before 19.03 always open")), "{m:?}");
    let m = messages(
        &defaults
            .replace("docker:18.09.9-dind", "docker:29.7.2-dind")
            .replace("env: []", "env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]"),
        "DIND006",
    );
    assert!(
        m.iter()
            .any(|m| m.contains("`DOCKER_TLS_CERTDIR` empty") && m.contains("root on a privileged")),
        "{m:?}"
    );
    // A rootless daemon's listener gives its API, not root on the node.
    let rootless = "containers:\n- name: dind\n  image: docker:29.7.2-dind-rootless\n  args: [--host=tcp://0.0.0.0:2375]\n  env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]\n  securityContext: {privileged: true}\n";
    let m = messages(rootless, "DIND006");
    assert!(
        !m.is_empty()
            && m.iter()
                .all(|m| m.contains("not the node") && !m.contains("gives root")),
        "{m:?}"
    );
    // A certificate directory from a ConfigMap cannot be told: no finding, not a guessed one.
    let args = "args: [dockerd, --host=unix:///dind/docker.sock]";
    let env = "env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]";
    case(
        "DIND006",
        &[(args, "args: [--host=unix:///dind/docker.sock]")],
        &[
            (args, "args: [--host=unix:///dind/docker.sock]"),
            (
                env,
                "env: [{name: DOCKER_TLS_CERTDIR, valueFrom: {configMapKeyRef: {name: dind, key: certdir}}}]",
            ),
        ],
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
        &[(
            "command: [sleep, 99d]",
            "command: [sleep, 99d]\n  securityContext: {privileged: false}",
        )],
    );
    // kubectl reads YAML 1.1: `yes` is true.
    case(
        "DIND007",
        &[(
            "securityContext: {privileged: true}",
            "securityContext: {privileged: no}",
        )],
        &[(
            "securityContext: {privileged: true}",
            "securityContext: {privileged: yes}",
        )],
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
    // An error where the daemon cannot start (Docker 29, a forced overlay2), a warning where it
    // is only slow (vfs, up to 28).
    let severity = |edits: &[(&str, &str)]| {
        let mut all = vec![("{name: data, mountPath: /var/lib/docker}, ", "")];
        all.extend_from_slice(edits);
        lint_yaml(&edit(&all), &Context::default())
            .unwrap()
            .into_iter()
            .find(|f| f.diagnostic.code.is_some_and(|c| c.as_str() == "DIND008"))
            .map(|f| f.diagnostic.severity)
    };
    assert_eq!(severity(&[]), Some(Severity::Error));
    assert_eq!(
        severity(&[("image: docker:29.7.2-dind", "image: docker:28.5.2-dind")]),
        Some(Severity::Warning)
    );
    assert_eq!(
        severity(&[
            ("image: docker:29.7.2-dind", "image: docker:28.5.2-dind"),
            (
                "--host=unix:///dind/docker.sock]",
                "--host=unix:///dind/docker.sock, --storage-driver=overlay2]"
            ),
        ]),
        Some(Severity::Error)
    );
}

#[test]
fn dind009_unpinned() {
    case(
        "DIND009",
        &[("image: docker:29.7.2-dind", "image: docker:29-dind")],
        &[("image: docker:29.7.2-dind", "image: docker@sha256:0123456789abcdef")],
    );
    case(
        "DIND009",
        &[("image: docker:29.7.2-cli", "image: docker:cli")],
        &[("image: docker:29.7.2-cli", "image: docker:29.7.2-cli-alpine3.22")],
    );
    // Any image that runs the daemon, not only `docker`: a runner image's moving channel.
    case(
        "DIND009",
        &[(
            "image: docker:29.7.2-dind",
            "image: ghcr.io/example/runner:nightly-dind",
        )],
        &[(
            "image: docker:29.7.2-dind",
            "image: ghcr.io/example/runner:2.320.0-dind",
        )],
    );
}

#[test]
fn dind009_suggests_a_pin_for_the_role() {
    let messages = |yaml: &str| -> Vec<String> {
        lint_yaml(yaml, &Context::default())
            .unwrap()
            .into_iter()
            .filter(|f| f.diagnostic.code.is_some_and(|c| c.as_str() == "DIND009"))
            .map(|f| f.diagnostic.message)
            .collect()
    };
    let m = messages(&edit(&refs(&rootless(&[
        ("image: docker:29.7.2-dind-rootless", "image: docker:dind-rootless"),
        ("image: docker:29.7.2-cli", "image: docker:cli"),
    ]))));
    assert!(m.iter().any(|m| m.contains("`docker:29.7.2-dind-rootless`")), "{m:?}");
    assert!(m.iter().any(|m| m.contains("`docker:29.7.2-cli`")), "{m:?}");
    let m = messages(&edit(&[("image: docker:29.7.2-dind", "image: docker:27-dind")]));
    assert!(m[0].contains("`docker:27.5.1-dind`"), "{m:?}");
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

/// A Jenkins agent whose only daemon is also where the build runs races it as a sidecar client
/// would: with no client beside it, the daemon is its own client, unless the steps are known and
/// run no `docker`.
#[test]
fn dind010_a_jenkins_daemon_without_clients_is_its_own_client() {
    use dind_core::rules::{Runner, Steps};
    let probe =
        "  startupProbe: {exec: {command: [docker, --host=unix:///dind/docker.sock, info]}, periodSeconds: 1}\n";
    let alone = BASE[..BASE.find("- name: docker\n").unwrap()].to_string()
        + "volumes: [{name: data, emptyDir: {}}, {name: sock, emptyDir: {}}]\n";
    let racing = alone.replace(probe, "");
    let jenkins = Context::default().with_runner(Runner::Jenkins);
    assert!(codes_with(&racing, &jenkins).contains(&"DIND010".to_string()));
    assert!(!codes_with(&alone, &jenkins).contains(&"DIND010".to_string()));
    // Known steps that run no `docker`: nothing uses the daemon.
    let make = jenkins.with_steps(Steps::of("sh 'make test'"));
    assert!(!codes_with(&racing, &make).contains(&"DIND010".to_string()));
    // A plain Pod's lone daemon may serve clients elsewhere: no guess.
    assert!(!codes(&racing).contains(&"DIND010".to_string()));
}

/// The kubelet starts the main containers once a native sidecar's startupProbe succeeds; its
/// readinessProbe holds nothing back.
#[test]
fn dind010_a_native_sidecar_waits_only_by_its_startup_probe() {
    let sidecar = edit(&[
        (
            "containers:\n- name: dind\n",
            "initContainers:\n- name: dind\n  restartPolicy: Always\n",
        ),
        ("- name: docker\n", "containers:\n- name: docker\n"),
    ]);
    assert!(
        !codes(&sidecar).contains(&"DIND010".to_string()),
        "{:?}",
        codes(&sidecar)
    );
    let readiness = sidecar.replace("  startupProbe: {exec:", "  readinessProbe: {exec:");
    assert!(
        codes(&readiness).contains(&"DIND010".to_string()),
        "{:?}",
        codes(&readiness)
    );
}

#[test]
fn dind011_experimental_obsolete() {
    let args = "args: [dockerd, --host=unix:///dind/docker.sock]";
    let trigger = rootless(&[(args, "args: [dockerd, --host=unix:///dind/docker.sock, --experimental]")]);
    let near = rootless(&[
        (
            "image: docker:29.7.2-dind-rootless",
            "image: docker:19.03.15-dind-rootless",
        ),
        (args, "args: [dockerd, --host=unix:///dind/docker.sock, --experimental]"),
    ]);
    case("DIND011", &refs(&trigger), &refs(&near));
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
        &refs(&rootless(&[(
            sc,
            "securityContext: {privileged: true, runAsUser: 1000}",
        )])),
    );
}

#[test]
fn dind013_socket_path() {
    let long = format!("/{}/docker.sock", "d".repeat(100));
    let limit = format!("/{}/docker.sock", "d".repeat(107 - 13));
    assert_eq!(limit.len(), 107);
    case(
        "DIND013",
        &[("--host=unix:///dind/docker.sock]", &format!("--host=unix://{long}]"))],
        &[("--host=unix:///dind/docker.sock]", &format!("--host=unix://{limit}]"))],
    );
    case(
        "DIND013",
        &[(
            "{name: sock, mountPath: /var/run}]",
            "{name: sock, mountPath: /var/run/docker.sock}]",
        )],
        &[(
            "{name: sock, mountPath: /var/run}]",
            "{name: sock, mountPath: /var/run/}]",
        )],
    );
    // The node's socket file mounted at the socket path is a file, not the directory mistake:
    // docker-outside-of-docker (DIND019), and DIND013 says nothing.
    let dood = [
        (
            "{name: sock, mountPath: /var/run}]",
            "{name: host, mountPath: /var/run/docker.sock}]",
        ),
        (
            "{name: sock, emptyDir: {}}]",
            "{name: sock, emptyDir: {}}, {name: host, hostPath: {path: /var/run/docker.sock, type: Socket}}]",
        ),
    ];
    let c = codes(&edit(&dood));
    assert!(
        c.contains(&"DIND019".to_string()) && !c.contains(&"DIND013".to_string()),
        "{c:?}"
    );
    let directory = [
        dood[0],
        (
            "{name: sock, emptyDir: {}}]",
            "{name: sock, emptyDir: {}}, {name: host, hostPath: {path: /srv/sock, type: DirectoryOrCreate}}]",
        ),
    ];
    assert!(codes(&edit(&directory)).contains(&"DIND013".to_string()));
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
    case(
        "DIND015",
        &[(args, "args: [--host=unix:///dind/docker.sock]")],
        &[
            (args, "args: [--host=unix:///dind/docker.sock]"),
            ("value: unix:///var/run/docker.sock", "value: tcp://localhost:2375"),
        ],
    );
    // A Jenkins agent whose one daemon runs the builds itself, on its entrypoint's defaults: the
    // builds use the socket, and the TLS listener on 0.0.0.0:2376 serves nobody.
    use dind_core::rules::{Runner, Steps};
    let lone = "containers:\n- name: dind\n  image: docker:29.7.2-dind\n  securityContext: {privileged: true}\n  volumeMounts: [{name: data, mountPath: /var/lib/docker}]\nvolumes: [{name: data, emptyDir: {}}]\n";
    let jenkins = Context::default().with_runner(Runner::Jenkins);
    assert!(
        codes_with(lone, &jenkins).contains(&"DIND015".to_string()),
        "{:?}",
        codes_with(lone, &jenkins)
    );
    let docker_steps = jenkins.with_steps(Steps::of("sh 'docker build .'"));
    assert!(codes_with(lone, &docker_steps).contains(&"DIND015".to_string()));
    // Steps known to run no `docker`, or a plain Pod whose daemon may serve others over TCP.
    assert!(!codes_with(lone, &jenkins.with_steps(Steps::of("sh 'make'"))).contains(&"DIND015".to_string()));
    assert!(!codes(lone).contains(&"DIND015".to_string()));
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
    // No command but a terminal: the CLI image's `sh` waits on it, as `cat` does.
    case(
        "DIND017",
        &[("  command: [sleep, 99d]\n", "")],
        &[("  command: [sleep, 99d]\n", "  tty: true\n")],
    );
    case(
        "DIND017",
        &[(cmd, "command: [sleep, \"30\"]")],
        &[(cmd, "command: [sleep, \"3600\"]")],
    );
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
    // A volume counts only where a container mounts it: the node's /var/run declared and never
    // mounted gives nobody the node's daemon.
    case(
        "DIND019",
        &[
            (
                "{name: sock, emptyDir: {}}]",
                "{name: sock, emptyDir: {}}, {name: node, hostPath: {path: /var/run}}]",
            ),
            (
                "{name: sock, mountPath: /var/run}]",
                "{name: sock, mountPath: /var/run}, {name: node, mountPath: /node/run}]",
            ),
        ],
        &[(
            "{name: sock, emptyDir: {}}]",
            "{name: sock, emptyDir: {}}, {name: node, hostPath: {path: /var/run}}]",
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
    case(
        "DIND020",
        &[("- name: docker\n", "- name: dind\n")],
        &[("- name: docker\n", "- name: dind2\n")],
    );
    case(
        "DIND020",
        &[("- name: dind\n", "- name: jnlp\n")],
        &[("- name: docker\n", "- name: jnlp\n")],
    );
    case(
        "DIND020",
        &[("{name: sock, emptyDir: {}}", "{name: data, emptyDir: {}}")],
        &[("{name: sock, emptyDir: {}}", "{name: sock, emptyDir: {medium: Memory}}")],
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
    let at = |minor| Context::new(dind_core::facts::KubeVersion::new(1, minor));
    assert!(codes_with(yaml, &at(28)).iter().any(|c| c == "DIND022"));
    assert!(!codes_with(yaml, &at(29)).iter().any(|c| c == "DIND022"));
}

#[test]
fn dind024_probe_slow() {
    let period = "periodSeconds: 1}";
    case(
        "DIND024",
        &[(period, "periodSeconds: 6, initialDelaySeconds: 5}")],
        &[(period, "periodSeconds: 2}")],
    );
    // int32 extremes are added without overflow.
    let f = lint_yaml(
        &edit(&[(period, "periodSeconds: 2147483647, initialDelaySeconds: 2147483647}")]),
        &Context::default(),
    )
    .unwrap();
    let d = f
        .iter()
        .find(|f| f.diagnostic.code.is_some_and(|c| c.as_str() == "DIND024"))
        .unwrap();
    assert!(
        d.diagnostic.message.contains("4294967293 s"),
        "{}",
        d.diagnostic.message
    );
}

#[test]
fn dind025_certdir_null() {
    let env = "env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]";
    case(
        "DIND025",
        &[(env, "env: [{name: DOCKER_TLS_CERTDIR, value: }]")],
        &[(
            env,
            "env: [{name: DOCKER_TLS_CERTDIR, value: }, {name: DOCKER_TLS_CERTDIR, value: \"\"}]",
        )],
    );
}

#[test]
fn duplicate_env_entries_are_read_last_wins_everywhere() {
    // The entrypoint, DIND006 and DIND025 all read the last entry, as kubelet does.
    let env = "env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]";
    let args = "args: [dockerd, --host=unix:///dind/docker.sock]";
    let c = codes(&edit(&[
        (args, "args: [--host=unix:///dind/docker.sock]"),
        (
            env,
            "env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}, {name: DOCKER_TLS_CERTDIR, value: /certs}]",
        ),
    ]));
    assert!(
        !c.contains(&"DIND006".to_string()),
        "the last entry turns TLS on: {c:?}"
    );
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

#[test]
fn dind026_value_type_kubectl_rejects() {
    // `value: 1` is the string "1" to Jenkins and an error to kubectl; quoted, it is neither.
    case(
        "DIND026",
        &[("  command: [sleep, 99d]", "  command: [sleep, 99d]\n  tty: \"true\"")],
        &[("  command: [sleep, 99d]", "  command: [sleep, 99d]\n  tty: true")],
    );
    case(
        "DIND026",
        &[(
            "{name: DOCKER_TLS_CERTDIR, value: \"\"}",
            "{name: DOCKER_TLS_CERTDIR, value: \"\"}, {name: DEBUG, value: 1}",
        )],
        &[(
            "{name: DOCKER_TLS_CERTDIR, value: \"\"}",
            "{name: DOCKER_TLS_CERTDIR, value: \"\"}, {name: DEBUG, value: \"1\"}",
        )],
    );
    // A number is a quantity as kubectl reads it: no finding.
    assert!(codes(&edit(&[("requests: {memory: 1Gi}", "requests: {memory: 1073741824}")])).is_empty());
}

/// The selection reaches the findings made while reading a pod (DIND026) and a Jenkinsfile
/// (DIND023), not only the rules': ignored, they are gone; warned, they are warnings.
#[test]
fn the_selection_covers_findings_made_while_reading() {
    use dind_core::rules::Selection;
    use dind_core::{Severity, lint::lint_file};
    let select = |ignore: &[&str], warn: &[&str]| {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Context::default().with_selection(Selection::new(&[], &[], &list(ignore), &list(warn), &[]).unwrap())
    };
    let coerced = edit(&[("  command: [sleep, 99d]", "  command: [sleep, 99d]\n  tty: \"true\"")]);
    assert!(codes(&coerced).contains(&"DIND026".to_string()));
    assert!(!codes_with(&coerced, &select(&["DIND026"], &[])).contains(&"DIND026".to_string()));
    let warned = lint_yaml(&coerced, &select(&[], &["DIND026"])).unwrap();
    let d26 = warned
        .iter()
        .find(|f| f.diagnostic.code.is_some_and(|c| c.as_str() == "DIND026"));
    assert_eq!(d26.unwrap().diagnostic.severity, Severity::Warning);

    let long = format!(
        "podTemplate(yaml: '''{BASE}# {}\n''') {{ node(POD_LABEL) {{ }} }}\n",
        "x".repeat(70_000)
    );
    let found = |ctx: &Context| -> Vec<String> {
        lint_file("Jenkinsfile", &long, ctx)
            .unwrap()
            .findings
            .iter()
            .filter_map(|f| f.diagnostic.code.map(|c| c.to_string()))
            .collect()
    };
    assert!(found(&Context::default()).contains(&"DIND023".to_string()));
    assert!(!found(&select(&["DIND023"], &[])).contains(&"DIND023".to_string()));
}

/// The base pod under Sysbox: no `privileged`, no data-root volume, its own user namespace.
const SYSBOX: &str = r#"
runtimeClassName: sysbox-runc
hostUsers: false
containers:
- name: dind
  image: docker:29.7.2-dind
  args: [dockerd, --host=unix:///dind/docker.sock]
  env: [{name: DOCKER_TLS_CERTDIR, value: ""}]
  resources: {requests: {memory: 1Gi}}
  startupProbe: {exec: {command: [docker, --host=unix:///dind/docker.sock, info]}, periodSeconds: 1}
  volumeMounts: [{name: sock, mountPath: /dind}]
- name: docker
  image: docker:29.7.2-cli
  command: [sleep, 99d]
  env: [{name: DOCKER_HOST, value: unix:///var/run/docker.sock}]
  volumeMounts: [{name: sock, mountPath: /var/run}]
volumes: [{name: sock, emptyDir: {}}]
"#;

#[test]
fn sysbox_base_is_clean_without_privileged_or_a_data_root_volume() {
    assert_eq!(codes(SYSBOX), Vec::<String>::new());
    // The same pod without the runtime class is an unprivileged daemon without storage: two
    // defects, each to fix.
    let runc = codes(&edit_of(SYSBOX, &[("runtimeClassName: sysbox-runc\n", "")]));
    assert!(
        runc.contains(&"DIND007".to_string()) && runc.contains(&"DIND008".to_string()),
        "{runc:?}"
    );
}

#[test]
fn dind027_sysbox_unsupported() {
    let sc = "resources: {requests: {memory: 1Gi}}";
    case_on(
        SYSBOX,
        "DIND027",
        &[(
            sc,
            "resources: {requests: {memory: 1Gi}}\n  securityContext: {privileged: true}",
        )],
        &[(
            sc,
            "resources: {requests: {memory: 1Gi}}\n  securityContext: {privileged: false}",
        )],
    );
    // A host namespace without `hostUsers: false` (CRI-O's annotation instead): Sysbox's
    // restriction. With `hostUsers: false` it is DIND028, not both.
    case_on(
        SYSBOX,
        "DIND027",
        &[("hostUsers: false\n", "hostPID: true\n")],
        &[("hostUsers: false\n", "hostPID: false\n")],
    );
    assert!(
        !codes(&edit_of(
            SYSBOX,
            &[("hostUsers: false\n", "hostUsers: false\nhostIPC: true\n")]
        ))
        .contains(&"DIND027".to_string())
    );
    // A rootless daemon cannot nest its user namespace.
    case_on(
        SYSBOX,
        "DIND027",
        &[("image: docker:29.7.2-dind\n", "image: docker:29.7.2-dind-rootless\n")],
        &[("image: docker:29.7.2-dind\n", "image: docker:29.7.2-dind-alpine3.22\n")],
    );
}

#[test]
fn dind028_host_users_with_host_namespace() {
    case_on(
        SYSBOX,
        "DIND028",
        &[("hostUsers: false\n", "hostUsers: false\nhostNetwork: true\n")],
        &[("hostUsers: false\n", "hostUsers: true\nhostNetwork: true\n")],
    );
}

#[test]
fn dind029_host_users_gate_off() {
    let at = |minor| Context::new(dind_core::facts::KubeVersion::new(1, minor));
    for (minor, fires) in [(25, true), (29, true), (30, true), (32, true), (33, false), (37, false)] {
        let found = codes_with(SYSBOX, &at(minor)).contains(&"DIND029".to_string());
        assert_eq!(found, fires, "1.{minor}");
    }
    // Without `hostUsers: false` (CRI-O's annotation), there is no gate to be off.
    let crio = edit_of(SYSBOX, &[("hostUsers: false\n", "")]);
    assert!(!codes_with(&crio, &at(31)).contains(&"DIND029".to_string()));
}

/// A rootless BuildKit pod as dind builds it: no `privileged`, Unconfined profiles, a socket on a
/// shared emptyDir.
const BUILDKIT: &str = r#"
containers:
- name: buildkitd
  image: moby/buildkit:v0.32.2-rootless
  args: [--oci-worker-no-process-sandbox, --addr=unix:///run/buildkit/buildkitd.sock]
  securityContext:
    allowPrivilegeEscalation: true
    runAsUser: 1000
    seccompProfile: {type: Unconfined}
    appArmorProfile: {type: Unconfined}
  startupProbe: {exec: {command: [buildctl, debug, workers]}, periodSeconds: 1}
  volumeMounts: [{name: state, mountPath: /home/user/.local/share/buildkit}, {name: sock, mountPath: /run/buildkit}]
- name: buildctl
  image: moby/buildkit:v0.32.2-rootless
  command: [sleep, 99d]
  env: [{name: BUILDKIT_HOST, value: unix:///run/buildkit/buildkitd.sock}]
  volumeMounts: [{name: sock, mountPath: /run/buildkit}]
volumes: [{name: state, emptyDir: {}}, {name: sock, emptyDir: {}}]
"#;

#[test]
fn buildkit_base_is_clean_without_privileged() {
    assert_eq!(codes(BUILDKIT), Vec::<String>::new());
    // Its own probe, its own data: none of the docker rules speak about it.
    let k = Context::new(dind_core::facts::KubeVersion::new(1, 29));
    let older = edit_of(BUILDKIT, &[("    appArmorProfile: {type: Unconfined}\n", "")]);
    // Before the field, the annotation form counts.
    let annotated = format!(
        "metadata:\n  annotations: {{container.apparmor.security.beta.kubernetes.io/buildkitd: unconfined}}\nspec:\n{}",
        older.lines().map(|l| format!("  {l}\n")).collect::<String>()
    );
    assert_eq!(codes_with(&annotated, &k), Vec::<String>::new(), "{annotated}");
}

#[test]
fn dind030_buildkitd_command_override() {
    let args = "  args: [--oci-worker-no-process-sandbox, --addr=unix:///run/buildkit/buildkitd.sock]\n";
    case_on(
        BUILDKIT,
        "DIND030",
        &[(
            args,
            "  command: [buildkitd]\n  args: [--oci-worker-no-process-sandbox, --addr=unix:///run/buildkit/buildkitd.sock]\n",
        )],
        &[(
            args,
            "  command: [rootlesskit, buildkitd]\n  args: [--oci-worker-no-process-sandbox, --addr=unix:///run/buildkit/buildkitd.sock]\n",
        )],
    );
    // The rootful image runs buildkitd itself: not this rule's business.
    let rootful = edit_of(
        BUILDKIT,
        &[
            (
                "image: moby/buildkit:v0.32.2-rootless\n  args",
                "image: moby/buildkit:v0.32.2\n  args",
            ),
            (args, "  command: [buildkitd]\n"),
            ("runAsUser: 1000", "runAsUser: 0"),
        ],
    );
    assert!(!codes(&rootful).contains(&"DIND030".to_string()));
}

#[test]
fn dind031_buildkitd_rootless_confined() {
    case_on(
        BUILDKIT,
        "DIND031",
        &[("[--oci-worker-no-process-sandbox, --addr", "[--addr")],
        &[(
            "[--oci-worker-no-process-sandbox, --addr",
            "[--oci-worker-no-process-sandbox=true, --addr",
        )],
    );
    case_on(
        BUILDKIT,
        "DIND031",
        &[(
            "seccompProfile: {type: Unconfined}",
            "seccompProfile: {type: RuntimeDefault}",
        )],
        &[(
            "seccompProfile: {type: Unconfined}",
            "seccompProfile: {type: unconfined}",
        )],
    );
    case_on(
        BUILDKIT,
        "DIND031",
        &[("allowPrivilegeEscalation: true", "allowPrivilegeEscalation: false")],
        &[("allowPrivilegeEscalation: true", "allowPrivilegeEscalation: null")],
    );
    // No profile at all: the node decides, so a warning, not an error.
    let unset = edit_of(BUILDKIT, &[("    appArmorProfile: {type: Unconfined}\n", "")]);
    let findings = lint_yaml(&unset, &Context::default()).unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].diagnostic.severity, dind_core::Severity::Warning);
    // A privileged buildkitd is confined by nothing.
    let privileged = edit_of(
        BUILDKIT,
        &[(
            "seccompProfile: {type: Unconfined}",
            "seccompProfile: {type: RuntimeDefault}\n    privileged: true",
        )],
    );
    assert!(!codes(&privileged).contains(&"DIND031".to_string()));
}

#[test]
fn dind032_buildkit_client_endpoint_unserved() {
    let client_mount = "  volumeMounts: [{name: sock, mountPath: /run/buildkit}]\nvolumes";
    case_on(
        BUILDKIT,
        "DIND032",
        &[(
            client_mount,
            "  volumeMounts: [{name: state, mountPath: /run/buildkit}]\nvolumes",
        )],
        &[(
            client_mount,
            "  volumeMounts: [{name: sock, mountPath: /run/buildkit/}]\nvolumes",
        )],
    );
    case_on(
        BUILDKIT,
        "DIND032",
        &[(
            "value: unix:///run/buildkit/buildkitd.sock",
            "value: unix:///run/user/1000/buildkit/buildkitd.sock",
        )],
        &[(
            "value: unix:///run/buildkit/buildkitd.sock",
            "value: unix:///run/buildkit//buildkitd.sock",
        )],
    );
    // `buildctl --addr` in the client's own command counts too; a Service address is out of sight.
    case_on(
        BUILDKIT,
        "DIND032",
        &[(
            "command: [sleep, 99d]",
            "command: [sh, -c, 'buildctl --addr tcp://127.0.0.1:1234 build .']",
        )],
        &[(
            "command: [sleep, 99d]",
            "command: [sh, -c, 'buildctl --addr tcp://buildkitd.ci:1234 build .']",
        )],
    );
    // A value from a Secret is unknown: silent.
    let from = edit_of(
        BUILDKIT,
        &[(
            "{name: BUILDKIT_HOST, value: unix:///run/buildkit/buildkitd.sock}",
            "{name: BUILDKIT_HOST, valueFrom: {configMapKeyRef: {name: b, key: h}}}",
        )],
    );
    assert!(!codes(&from).contains(&"DIND032".to_string()));
}

#[test]
fn dind033_buildkit_image_unpinned() {
    case_on(
        BUILDKIT,
        "DIND033",
        &[(
            "image: moby/buildkit:v0.32.2-rootless\n  command",
            "image: moby/buildkit:rootless\n  command",
        )],
        &[(
            "image: moby/buildkit:v0.32.2-rootless\n  command",
            "image: moby/buildkit:v0.31.2-rootless\n  command",
        )],
    );
    // A tag dind does not know (a release candidate) is neither.
    let rc = edit_of(
        BUILDKIT,
        &[(
            "image: moby/buildkit:v0.32.2-rootless\n  command",
            "image: moby/buildkit:v0.33.0-rc1-rootless\n  command",
        )],
    );
    assert!(!codes(&rc).contains(&"DIND033".to_string()));
}

#[test]
fn dind034_registry_credentials_in_plain_text() {
    let env = "{name: DOCKER_HOST, value: unix:///var/run/docker.sock}";
    case(
        "DIND034",
        &[(
            env,
            "{name: DOCKER_HOST, value: unix:///var/run/docker.sock}, {name: CI_REGISTRY_PASSWORD, value: hunter2}",
        )],
        &[(
            env,
            "{name: DOCKER_HOST, value: unix:///var/run/docker.sock}, {name: CI_REGISTRY_PASSWORD, valueFrom: {secretKeyRef: {name: r, key: p}}}",
        )],
    );
    case(
        "DIND034",
        &[(
            env,
            "{name: DOCKER_HOST, value: unix:///var/run/docker.sock}, {name: DOCKER_AUTH_CONFIG, value: '{\"auths\":{\"r.example.com\":{\"auth\":\"dTpw\"}}}'}",
        )],
        &[(
            env,
            "{name: DOCKER_HOST, value: unix:///var/run/docker.sock}, {name: DOCKER_AUTH_CONFIG, value: '{\"credHelpers\":{\"r.example.com\":\"ecr-login\"}}'}",
        )],
    );
    case(
        "DIND034",
        &[(
            env,
            "{name: DOCKER_HOST, value: unix:///var/run/docker.sock}, {name: REGISTRY_TOKEN, value: abc}",
        )],
        &[(
            env,
            "{name: DOCKER_HOST, value: unix:///var/run/docker.sock}, {name: REGISTRY_TOKEN, value: $(TOKEN_FROM_SECRET)}",
        )],
    );
    case(
        "DIND034",
        &[(
            "command: [sleep, 99d]",
            "command: [sh, -c, 'docker login -u ci -p hunter2 r.example.com && sleep 99d']",
        )],
        &[(
            "command: [sleep, 99d]",
            "command: [sh, -c, 'echo \"$P\" | docker login -u ci --password-stdin r.example.com && sleep 99d']",
        )],
    );
}

/// dockerd's `--tlsverify` (here from the entrypoint's defaults, certificates on) makes every TCP
/// listener mutual TLS, even one added with `--tls=false`: that listener is no plaintext exposure
/// (DIND006), and a client of it without certificates is DIND005.
#[test]
fn tlsverify_makes_every_tcp_listener_verified() {
    let text = edit(&[
        (
            "  args: [dockerd, --host=unix:///dind/docker.sock]",
            "  args: [--host=tcp://0.0.0.0:2375, --tls=false]",
        ),
        ("  env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]\n", ""),
        ("value: unix:///var/run/docker.sock", "value: tcp://localhost:2375"),
    ]);
    let c = codes(&text);
    assert!(
        c.contains(&"DIND005".to_string()) && !c.contains(&"DIND006".to_string()),
        "{c:?}"
    );
    // The near miss: certificates off, so the same listener is plaintext on 0.0.0.0.
    let plain = text.replace(
        "  args: [--host=tcp://0.0.0.0:2375, --tls=false]",
        "  args: [--host=tcp://0.0.0.0:2375, --tls=false]\n  env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]",
    );
    assert!(codes(&plain).contains(&"DIND006".to_string()), "{:?}", codes(&plain));
}

/// A Jenkins agent pod whose `jnlp` runs something else never connects.
#[test]
fn dind037_jenkins_agent_replaced() {
    use dind_core::rules::Runner;
    let jenkins = Context::default().with_runner(Runner::Jenkins);
    let with_jnlp = |extra: &str| {
        edit(&[(
            "volumes: [",
            &format!("- name: jnlp\n  image: jenkins/inbound-agent:3309.v27b_9314fd1a_4-1\n{extra}volumes: ["),
        )])
    };
    let trigger = with_jnlp("  command: [cat]\n  tty: true\n");
    assert!(
        codes_with(&trigger, &jenkins).contains(&"DIND037".to_string()),
        "{:?}",
        codes_with(&trigger, &jenkins)
    );
    // Arguments for the agent, or a command that still starts it: the agent runs.
    for near in [
        "  args: [\"${computer.jnlpmac}\", \"${computer.name}\"]\n",
        "  command: [/usr/local/bin/jenkins-agent]\n",
    ] {
        let near = with_jnlp(near);
        assert!(!codes_with(&near, &jenkins).contains(&"DIND037".to_string()), "{near}");
    }
    // Outside Jenkins a container named `jnlp` is just a container.
    assert!(!codes(&trigger).contains(&"DIND037".to_string()));
}

#[test]
fn dind038_node_docker_state() {
    case(
        "DIND038",
        &[(
            "{name: data, emptyDir: {}}",
            "{name: data, hostPath: {path: /var/lib/docker}}",
        )],
        &[(
            "{name: data, emptyDir: {}}",
            "{name: data, hostPath: {path: /var/lib/docker-cache}}",
        )],
    );
    // Declared and never mounted: nothing shares it.
    let unmounted = edit(&[(
        "{name: data, emptyDir: {}}",
        "{name: data, emptyDir: {}}, {name: node, hostPath: {path: /var/lib/containerd}}",
    )]);
    assert!(!codes(&unmounted).contains(&"DIND038".to_string()));
}

#[test]
fn dind039_socket_world_writable() {
    case(
        "DIND039",
        &[(
            "  command: [sleep, 99d]",
            "  command: [sh, -c, \"chmod 666 /var/run/docker.sock && sleep 99d\"]",
        )],
        &[(
            "  command: [sleep, 99d]",
            "  command: [sh, -c, \"chmod 660 /var/run/docker.sock && sleep 99d\"]",
        )],
    );
}

#[test]
fn dind040_privilege_beyond_the_daemon() {
    case(
        "DIND040",
        &[(
            "  command: [sleep, 99d]\n",
            "  command: [sleep, 99d]\n  securityContext: {privileged: true}\n",
        )],
        &[(
            "  command: [sleep, 99d]\n",
            "  command: [sleep, 99d]\n  securityContext: {privileged: false}\n",
        )],
    );
    case(
        "DIND040",
        &[(
            "  command: [sleep, 99d]",
            "  command: [sh, -c, \"docker run --privileged --rm tonistiigi/binfmt --install all && sleep 99d\"]",
        )],
        &[(
            "  command: [sleep, 99d]",
            "  command: [sh, -c, \"docker run --rm tonistiigi/binfmt && sleep 99d\"]",
        )],
    );
}

/// TLS files named by hand, with nothing to create them: dockerd exits at start.
#[test]
fn dind041_tls_files_missing() {
    let tls = "  args: [dockerd, --host=unix:///dind/docker.sock, --host=tcp://0.0.0.0:2376, --tlsverify, --tlscacert=/certs/server/ca.pem, --tlscert=/certs/server/cert.pem, --tlskey=/certs/server/key.pem]";
    case(
        "DIND041",
        &[("  args: [dockerd, --host=unix:///dind/docker.sock]", tls)],
        // The near miss: the certificates come from a Secret mounted where dockerd reads them.
        &[
            ("  args: [dockerd, --host=unix:///dind/docker.sock]", tls),
            (
                "{name: sock, mountPath: /dind}]",
                "{name: sock, mountPath: /dind}, {name: certs, mountPath: /certs/server}]",
            ),
            (
                "{name: sock, emptyDir: {}}]",
                "{name: sock, emptyDir: {}}, {name: certs, secret: {secretName: dind-tls}}]",
            ),
        ],
    );
    let m = messages(
        &edit(&[("  args: [dockerd, --host=unix:///dind/docker.sock]", tls)]),
        "DIND041",
    );
    assert!(
        m[0].contains("`--tlscert=/certs/server/cert.pem`") && m[0].contains("start with `dockerd`"),
        "{m:?}"
    );
    // On the entrypoint's default path with `DOCKER_TLS_CERTDIR` set, it writes them itself.
    let defaults = edit(&[
        (
            "  args: [dockerd, --host=unix:///dind/docker.sock]",
            "  args: [--tlscert=/certs/server/cert.pem]",
        ),
        ("value: \"\"}]", "value: /certs}]"),
    ]);
    assert!(
        !codes(&defaults).contains(&"DIND041".to_string()),
        "{:?}",
        codes(&defaults)
    );
    // `--tlsverify` with no certificate flags: dockerd looks in `~/.docker` and finds nothing.
    let bare = "  args: [dockerd, --host=unix:///dind/docker.sock, --host=tcp://0.0.0.0:2376, --tlsverify]";
    case(
        "DIND041",
        &[("  args: [dockerd, --host=unix:///dind/docker.sock]", bare)],
        &[
            ("  args: [dockerd, --host=unix:///dind/docker.sock]", bare),
            (
                "{name: sock, mountPath: /dind}]",
                "{name: sock, mountPath: /dind}, {name: certs, mountPath: /root/.docker}]",
            ),
            (
                "{name: sock, emptyDir: {}}]",
                "{name: sock, emptyDir: {}}, {name: certs, secret: {secretName: dind-tls}}]",
            ),
        ],
    );
    let m = messages(
        &edit(&[("  args: [dockerd, --host=unix:///dind/docker.sock]", bare)]),
        "DIND041",
    );
    assert!(m[0].contains("`/root/.docker/cert.pem`"), "{m:?}");
    // A shell script that starts dockerd may create them first: dind cannot tell.
    let script = edit(&[(
        "  args: [dockerd, --host=unix:///dind/docker.sock]",
        "  command: [sh, -c, \"make-certs /certs && dockerd --tlsverify --tlscert=/certs/server/cert.pem\"]",
    )]);
    assert!(!codes(&script).contains(&"DIND041".to_string()), "{:?}", codes(&script));
}

/// A key where Kubernetes does not read it: misplaced, or misspelt.
#[test]
fn dind043_field_not_read() {
    case(
        "DIND043",
        &[("  securityContext: {privileged: true}\n", "  privileged: true\n")],
        &[(
            "  securityContext: {privileged: true}\n",
            "  securityContext: {privileged: true, runAsUser: 0}\n",
        )],
    );
    let m = messages(
        &edit(&[("  securityContext: {privileged: true}\n", "  privileged: true\n")]),
        "DIND043",
    );
    assert!(
        m[0].contains("at `spec.containers[0].securityContext.privileged`") && m[0].contains("runs unprivileged"),
        "{m:?}"
    );
    // The consequence is in that message, not a second finding.
    let c = codes(&edit(&[(
        "  securityContext: {privileged: true}\n",
        "  privileged: true\n",
    )]));
    assert!(!c.contains(&"DIND007".to_string()), "{c:?}");
    case(
        "DIND043",
        &[(
            "  command: [sleep, 99d]",
            "  command: [sleep, 99d]\n  imagePullPolcy: Always",
        )],
        &[(
            "  command: [sleep, 99d]",
            "  command: [sleep, 99d]\n  imagePullPolicy: Always",
        )],
    );
}

/// A step in a container the agent pod does not have (a Jenkins rule: it reads the steps).
#[test]
fn dind042_jenkins_container_missing() {
    let jenkinsfile = |step: &str| {
        format!(
            "podTemplate(containers: [containerTemplate(name: 'dind', image: 'docker:29.7.2-dind', privileged: true)]) {{\n  node(POD_LABEL) {{\n    container('{step}') {{ sh 'docker build .' }}\n  }}\n}}\n"
        )
    };
    let codes_of = |text: &str| -> Vec<(String, usize)> {
        dind_core::lint::lint_file("Jenkinsfile", text, &Context::default())
            .unwrap()
            .findings
            .into_iter()
            .filter_map(|f| f.diagnostic.code.map(|c| (c.to_string(), f.line)))
            .collect()
    };
    assert!(codes_of(&jenkinsfile("docker")).contains(&("DIND042".to_string(), 3)));
    // The near miss: the daemon's own container, where the step runs.
    assert!(!codes_of(&jenkinsfile("dind")).iter().any(|(c, _)| c == "DIND042"));
}

/// One seeded defect, one error: over a clean pod whose decorations vary (the image version, the
/// probe, the memory request, the client's image), each defect below must bring exactly its own
/// code at error level, never a consequence of it under another code.
mod one_root_cause {
    use super::*;
    use proptest::prelude::*;

    /// The defects: a code and the edits of [`BASE`] that make it.
    const DEFECTS: &[(&str, &[(&str, &str)])] = &[
        ("DIND001", &[("  args: [dockerd,", "  command: [dockerd]\n  args: [")]),
        (
            "DIND003",
            &[(
                "[docker, --host=unix:///dind/docker.sock, info]",
                "[docker, --host=unix:///other/docker.sock, info]",
            )],
        ),
        (
            "DIND004",
            &[(
                "value: unix:///var/run/docker.sock",
                "value: unix:///elsewhere/docker.sock",
            )],
        ),
        (
            "DIND006",
            &[(
                "--host=unix:///dind/docker.sock]",
                "--host=unix:///dind/docker.sock, --host=tcp://0.0.0.0:2375]",
            )],
        ),
        ("DIND007", &[("  securityContext: {privileged: true}\n", "")]),
        (
            "DIND012",
            &[(
                "  securityContext: {privileged: true}\n",
                "  securityContext: {privileged: true, runAsUser: 1000}\n",
            )],
        ),
        (
            "DIND016",
            &[(
                "  securityContext: {privileged: true}\n",
                "  securityContext: {privileged: true, allowPrivilegeEscalation: false}\n",
            )],
        ),
        (
            "DIND018",
            &[(
                "--host=unix:///dind/docker.sock]",
                "--host=unix:///dind/docker.sock, --mtu=20]",
            )],
        ),
        ("DIND020", &[("- name: docker\n", "- name: Docker_Client\n")]),
        (
            "DIND043",
            &[("  securityContext: {privileged: true}\n", "  privileged: true\n")],
        ),
        (
            "DIND041",
            &[(
                "--host=unix:///dind/docker.sock]",
                "--host=unix:///dind/docker.sock, --tlsverify, --tlscert=/certs/server/cert.pem, --tlskey=/certs/server/key.pem]",
            )],
        ),
    ];

    fn errors(yaml: &str) -> Vec<String> {
        let mut e: Vec<String> = lint_yaml(yaml, &Context::default())
            .unwrap()
            .into_iter()
            .filter(|f| f.diagnostic.severity == Severity::Error)
            .map(|f| {
                f.diagnostic
                    .code
                    .map_or_else(|| format!("input: {}", f.diagnostic.message), |c| c.to_string())
            })
            .collect();
        e.dedup();
        e
    }

    proptest! {
        #[test]
        fn each_defect_is_its_own_one_error(
            defect in 0..DEFECTS.len(),
            version in prop::sample::select(vec!["29.7.2", "28.5.2", "27.5.1"]),
            probe in any::<bool>(),
            memory in any::<bool>(),
            cli_latest in any::<bool>(),
        ) {
            let mut edits: Vec<(&str, String)> = vec![("image: docker:29.7.2-dind", format!("image: docker:{version}-dind"))];
            if !probe {
                edits.push(("  startupProbe: {exec: {command: [docker, --host=unix:///dind/docker.sock, info]}, periodSeconds: 1}\n", String::new()));
            }
            if !memory {
                edits.push(("  resources: {requests: {memory: 1Gi}}\n", String::new()));
            }
            if cli_latest {
                edits.push(("image: docker:29.7.2-cli", "image: docker:cli".to_string()));
            }
            let (code, seed) = DEFECTS[defect];
            // The defect's edits first: they name text of the base as written.
            let mut text = BASE.to_string();
            for (from, to) in seed.iter() {
                prop_assume!(text.contains(from));
                text = text.replacen(from, to, 1);
            }
            for (from, to) in &edits {
                if text.contains(from) {
                    text = text.replacen(from, to, 1);
                }
            }
            prop_assert_eq!(errors(&text), vec![code.to_string()], "{}", text);
        }
    }
}
