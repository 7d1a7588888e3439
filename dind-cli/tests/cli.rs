//! The `dind` binary: exit codes (0 ok, 1 findings, 2 usage or unreadable input), nothing on stdout
//! when it fails, all-or-nothing `--output`, and hostile input.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::process::{Command, Output};

fn dind(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dind"))
        .args(args)
        .output()
        .expect("run dind")
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The entry of the JSON lint report for the file whose path ends with `suffix`.
fn file_entry(report: &serde_json::Value, suffix: &str) -> serde_json::Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("{suffix} in {report:#}"))
        .clone()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn default_render_is_the_recommended_pod() {
    let o = dind(&["render"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = String::from_utf8(o.stdout).unwrap();
    assert!(yaml.starts_with("apiVersion: v1\nkind: Pod\n"));
    assert!(yaml.contains("image: docker:29.7.2-dind") && yaml.contains("startupProbe:"));
}

#[test]
fn bad_flags_and_settings_exit_2_with_nothing_on_stdout() {
    let dir = scratch("cli-bad-settings");
    let unknown = dir.join("bad.toml");
    std::fs::write(&unknown, "transprot = \"tcp\"\n").unwrap();
    let wrong_type = dir.join("bad.yaml");
    std::fs::write(&wrong_type, "port: eighty\n").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["render".into(), "--port".into(), "70000".into()], "70000"),
        (vec!["render".into(), "--transport".into(), "ssh".into()], "ssh"),
        (vec!["render".into(), "--format".into(), "xml".into()], "xml"),
        (
            vec!["render".into(), "--config".into(), unknown.display().to_string()],
            "transprot",
        ),
        (
            vec!["render".into(), "--config".into(), wrong_type.display().to_string()],
            "port",
        ),
        (
            vec!["render".into(), "--config".into(), "/nonexistent/x.toml".into()],
            "cannot read",
        ),
        (
            vec!["lint".into(), "--kube-version".into(), "1.12".into(), "x".into()],
            "1.12",
        ),
        (vec!["explain".into(), "DIND999".into()], "DIND999"),
        (vec!["frobnicate".into()], "frobnicate"),
    ];
    for (args, needle) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = dind(&a);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?} wrote to stdout");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

/// Every invalid setting exits 2, from a flag or a settings file alike, with the rule code where
/// one fits.
#[test]
fn invalid_settings_exit_2_with_coded_messages_and_nothing_on_stdout() {
    let dir = scratch("cli-invalid-settings");
    let mtu_file = dir.join("mtu.toml");
    std::fs::write(&mtu_file, "mtu = 20\n").unwrap();
    let mtu_file = mtu_file.display().to_string();
    let cases: &[(&[&str], &str)] = &[
        (&["render", "--mtu", "20"], "DIND018"),
        (&["render", "--config", &mtu_file], "DIND018"),
        (&["render", "--socket", "relative/docker.sock"], "DIND013"),
        (&["render", "--native-sidecar", "--kube-version", "1.28"], "DIND022"),
        (&["render", "--client", "Bad_Name"], "DIND020"),
        (&["render", "--transport", "tcp", "--rootless"], "rootlesskit"),
        (
            &["render", "--transport", "tcp", "--socket", "/x/docker.sock"],
            "`socket` applies to the `unix` transport",
        ),
        (&["render", "--storage-size", "20GB"], "quantity"),
        (&["render", "--docker-version", "banana"], "banana"),
        (
            &["render", "--memory-request", "2Gi", "--memory-limit", "1Gi"],
            "request <= limit",
        ),
        (
            &["render", "--format", "jenkins", "--transport", "tcp", "--rootless"],
            "rootlesskit",
        ),
        (
            &["render", "--runtime", "sysbox", "--rootless"],
            "rootless adds nothing",
        ),
        (&["render", "--runtime", "sysbox", "--kube-version", "1.29"], "DIND029"),
        (
            &["render", "--runtime", "sysbox", "--storage-size", "20Gi"],
            "Sysbox mounts",
        ),
        (&["render", "--user-namespace", "cri-o"], "applies to runtime `sysbox`"),
        (&["render", "--runtime", "kata"], "kata"),
    ];
    for (args, needle) in cases {
        let o = dind(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?} wrote to stdout");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_memory_limit_below_the_default_request_lowers_the_request() {
    let o = dind(&["render", "--memory-limit", "512Mi"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = String::from_utf8(o.stdout).unwrap();
    assert!(
        yaml.contains("limits:\n        memory: \"512Mi\"\n      requests:\n        memory: \"512Mi\""),
        "{yaml}"
    );
}

/// Two processes (each with its own hash seed) render every example's settings identically.
#[test]
fn rendering_is_the_same_in_every_process() {
    let configs = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/config");
    for entry in std::fs::read_dir(configs).unwrap() {
        let path = entry.unwrap().path();
        for format in ["yaml", "jenkins", "jcasc"] {
            let run = || dind(&["render", "--config", path.to_str().unwrap(), "--format", format]);
            let (a, b) = (run(), run());
            assert_eq!(a.status.code(), Some(0), "{}: {}", path.display(), stderr(&a));
            assert_eq!(a.stdout, b.stdout, "{} as {format}", path.display());
        }
    }
}

#[test]
fn insecure_tcp_is_loud_and_strict_fails_on_it() {
    let o = dind(&["render", "--transport", "tcp", "--insecure-tcp-all-interfaces"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("DIND006"));
    assert!(String::from_utf8_lossy(&o.stdout).contains("dind/allow: DIND006"));
    let strict = dind(&[
        "render",
        "--transport",
        "tcp",
        "--insecure-tcp-all-interfaces",
        "--strict",
    ]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(strict.stdout.is_empty());
}

#[test]
fn output_is_written_whole_or_not_at_all() {
    let dir = scratch("cli-output");
    let target = dir.join("pod.yaml");
    let o = dind(&["render", "--output", target.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    let first = std::fs::read_to_string(&target).unwrap();
    let failed = dind(&["render", "--mtu", "20", "--output", target.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        first,
        "a failed render must not touch the file"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary files left behind"
    );
}

#[test]
fn flags_override_the_settings_file() {
    let dir = scratch("cli-override");
    let cfg = dir.join("s.toml");
    std::fs::write(&cfg, "transport = \"tcp\"\nport = 8989\n").unwrap();
    let o = dind(&["render", "--config", cfg.to_str().unwrap(), "--port", "2399"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = String::from_utf8(o.stdout).unwrap();
    assert!(yaml.contains("tcp://127.0.0.1:2399") && !yaml.contains("8989"));
}

#[test]
fn every_format_renders() {
    for format in [
        "yaml",
        "json",
        "jenkins",
        "jenkins-declarative",
        "jcasc",
        "jenkins-yaml",
        "diagram",
    ] {
        let o = dind(&["render", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        assert!(!o.stdout.is_empty());
    }
}

#[test]
fn lint_exit_codes_and_json_schema() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    let bad = format!("{fixtures}/seed/probe-tcp.yaml");
    let good = format!("{fixtures}/peers/tekton-tls.yaml");
    assert_eq!(dind(&["lint", &good]).status.code(), Some(0));
    let o = dind(&["lint", "--format", "json", &bad, &good]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["files"][0]["findings"][1];
    assert_eq!(f["code"], "DIND002");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["container"], "dind");
    assert_eq!(f["path"], "spec.containers[0].startupProbe.tcpSocket.port");
    assert!(f["message"].is_string() && f["help"].is_string());
    assert_eq!(v["files"][1]["findings"], serde_json::json!([]));
}

#[test]
fn rules_and_explain() {
    let o = dind(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), dind_core::Code::ALL.len());
    let o = dind(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rules"][1]["code"], "DIND002");
    let o = dind(&["explain", "dind013"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("DIND013 (socket-path-invalid, error)") && text.contains("Fix"));
}

#[test]
fn bad_jenkins_options_are_rejected() {
    let dir = scratch("cli-jenkins-options");
    let cfg = dir.join("j.toml");
    std::fs::write(
        &cfg,
        "[jenkins]\npod_retention = \"sometimes\"\nyaml_merge_strategy = \"mix\"\n",
    )
    .unwrap();
    let o = dind(&["render", "--format", "jenkins", "--config", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(err.contains("sometimes") && err.contains("mix"), "{err}");
}

#[test]
fn lint_text_output() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    let o = Command::new(env!("CARGO_BIN_EXE_dind"))
        .current_dir(fixtures)
        .args(["lint", "seed/unix.Jenkinsfile"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "warnings only");
    insta::assert_snapshot!(String::from_utf8(o.stdout).unwrap());
}

/// One lowering: the same settings as a derived struct, as builder calls and as `dind render`
/// flags give the same YAML, byte for byte.
#[test]
fn derive_builder_and_cli_agree() {
    use dind::{Client, DindConfig, DindPod};

    #[derive(DindConfig)]
    #[dind(transport = "tcp", docker_version = "29", native_sidecar, kube_version = "1.33")]
    struct Agent {
        port: u32,
        #[dind(mtu)]
        network_mtu: Option<u32>,
        registry_mirrors: Vec<String>,
        insecure_registries: Vec<&'static str>,
        clients: Vec<Client>,
        env: Vec<(String, String)>,
        labels: std::collections::BTreeMap<String, String>,
    }
    let agent = Agent {
        port: 8989,
        network_mtu: Some(1400),
        registry_mirrors: vec!["https://mirror.gcr.io".into()],
        insecure_registries: vec!["registry.local:5000"],
        clients: vec![Client::new("build").image("docker:29.7.2-cli")],
        env: vec![("BUILDKIT_PROGRESS".into(), "plain".into())],
        labels: [("team".to_string(), "ci".to_string())].into(),
    };
    let derived = agent.build().unwrap().to_yaml();
    let builder = DindPod::new()
        .transport(dind::Transport::tcp())
        .port(8989)
        .docker_version("29")
        .native_sidecar()
        .kube_version("1.33")
        .mtu(1400)
        .registry_mirror("https://mirror.gcr.io")
        .insecure_registry("registry.local:5000")
        .client(Client::new("build").image("docker:29.7.2-cli"))
        .env("BUILDKIT_PROGRESS", "plain")
        .label("team", "ci")
        .build()
        .unwrap()
        .to_yaml();
    let cli = dind(&[
        "render",
        "--transport",
        "tcp",
        "--port",
        "8989",
        "--docker-version",
        "29",
        "--native-sidecar",
        "--kube-version",
        "1.33",
        "--mtu",
        "1400",
        "--registry-mirror",
        "https://mirror.gcr.io",
        "--insecure-registry",
        "registry.local:5000",
        "--client",
        "build=docker:29.7.2-cli",
        "--env",
        "BUILDKIT_PROGRESS=plain",
        "--label",
        "team=ci",
    ]);
    assert_eq!(cli.status.code(), Some(0), "{}", stderr(&cli));
    assert_eq!(derived, builder);
    assert_eq!(String::from_utf8(cli.stdout).unwrap(), derived);
}

/// The Sysbox mode in one vocabulary: builder methods, derive literals, flags and settings keys
/// give the same pod.
#[test]
fn sysbox_is_one_vocabulary() {
    use dind::{DindConfig, DindPod, Runtime, UserNamespace};

    #[derive(DindConfig)]
    #[dind(
        runtime = "sysbox",
        user_namespace = "cri-o",
        transport = "tls",
        kube_version = "1.28"
    )]
    struct Agent {}

    let derived = Agent {}.build().unwrap().to_yaml();
    let builder = DindPod::new()
        .runtime(Runtime::Sysbox)
        .user_namespace(UserNamespace::CriO)
        .transport(dind::Transport::tls())
        .kube_version("1.28")
        .build()
        .unwrap()
        .to_yaml();
    let flags = dind(&[
        "render",
        "--runtime",
        "sysbox",
        "--user-namespace",
        "cri-o",
        "--transport",
        "tls",
        "--kube-version",
        "1.28",
    ]);
    let dir = scratch("cli-sysbox");
    let file = dir.join("sysbox.yaml");
    std::fs::write(
        &file,
        "runtime: sysbox\nuser_namespace: cri-o\ntransport: tls\nkube_version: \"1.28\"\n",
    )
    .unwrap();
    let from_file = dind(&["render", "--config", file.to_str().unwrap()]);
    assert_eq!(flags.status.code(), Some(0), "{}", stderr(&flags));
    assert_eq!(derived, builder);
    assert_eq!(String::from_utf8(flags.stdout).unwrap(), derived);
    assert_eq!(String::from_utf8(from_file.stdout).unwrap(), derived);
    assert!(derived.contains("io.kubernetes.cri-o.userns-mode: auto:size=65536") && !derived.contains("hostUsers"));
    assert!(!derived.contains("privileged") && !derived.contains("allowPrivilegeEscalation: true"));
}

/// The BuildKit engine and registry credentials in one vocabulary: builder methods, derive
/// literals, flags and settings keys give the same pod.
#[test]
fn buildkit_is_one_vocabulary() {
    use dind::{DindConfig, DindPod, Engine};

    #[derive(DindConfig)]
    #[dind(
        engine = "buildkit",
        buildkit_version = "0.31",
        registry_auth = "push-creds",
        kube_version = "1.29"
    )]
    struct Agent {}

    let derived = Agent {}.build().unwrap().to_yaml();
    let builder = DindPod::new()
        .engine(Engine::Buildkit)
        .buildkit_version("0.31")
        .registry_auth("push-creds")
        .kube_version("1.29")
        .build()
        .unwrap()
        .to_yaml();
    let flags = dind(&[
        "render",
        "--engine",
        "buildkit",
        "--buildkit-version",
        "0.31",
        "--registry-auth",
        "push-creds",
        "--kube-version",
        "1.29",
    ]);
    let dir = scratch("cli-buildkit");
    let file = dir.join("buildkit.toml");
    std::fs::write(
        &file,
        "engine = \"buildkit\"\nbuildkit_version = \"0.31\"\nregistry_auth = \"push-creds\"\nkube_version = \"1.29\"\n",
    )
    .unwrap();
    let from_file = dind(&["render", "--config", file.to_str().unwrap()]);
    assert_eq!(flags.status.code(), Some(0), "{}", stderr(&flags));
    let notes = stderr(&flags);
    assert_eq!(derived, builder);
    assert_eq!(String::from_utf8(flags.stdout).unwrap(), derived);
    assert_eq!(String::from_utf8(from_file.stdout).unwrap(), derived);
    assert!(derived.contains("image: moby/buildkit:v0.31.2-rootless"));
    // Before 1.30 AppArmor is the annotation; the field does not exist yet.
    assert!(derived.contains("container.apparmor.security.beta.kubernetes.io/buildkitd: unconfined"));
    assert!(!derived.contains("appArmorProfile") && !derived.contains("privileged"));
    // Said, not hidden: the namespace level the pod needs.
    assert!(
        notes.contains("note: the namespace must allow Pod Security level `privileged`"),
        "{notes}"
    );
}

/// Settings that describe dockerd are refused under engine `buildkit`, each by name, all at once.
#[test]
fn buildkit_refuses_docker_settings_by_name() {
    let out = dind(&[
        "render",
        "--engine",
        "buildkit",
        "--transport",
        "tls",
        "--rootless",
        "--docker-version",
        "29",
        "--registry-mirror",
        "https://mirror.gcr.io",
        "--runtime",
        "sysbox",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    for key in ["transport", "rootless", "docker_version", "registry_mirrors", "runtime"] {
        assert!(
            err.contains(&format!("`{key}` does not apply to engine `buildkit`")),
            "{key}: {err}"
        );
    }
    // And the other way round.
    let out = dind(&["render", "--buildkit-version", "0.32"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`buildkit_version` applies to engine `buildkit`"));
    // A docker image is no BuildKit image; the rootful BuildKit image needs privileged.
    for (image, says) in [
        ("docker:29.7.2-dind", "not a `moby/buildkit` image"),
        ("moby/buildkit:v0.32.2", "rootful BuildKit image"),
    ] {
        let out = dind(&["render", "--engine", "buildkit", "--image", image]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(says), "{image}: {}", stderr(&out));
    }
    let mirror = dind(&[
        "render",
        "--engine",
        "buildkit",
        "--image",
        "registry.example.com/moby/buildkit:v0.32.2-rootless",
    ]);
    assert_eq!(mirror.status.code(), Some(0), "{}", stderr(&mirror));
}

/// Registry credentials reach every client (and the daemon container when steps run there) as a
/// read-only `config.json` in a writable `DOCKER_CONFIG`; nothing of them is in the YAML.
#[test]
fn registry_auth_mounts_the_secret_where_pushes_happen() {
    for transport in ["unix", "tcp", "tls", "in-container"] {
        let out = dind(&[
            "render",
            "--transport",
            transport,
            "--registry-auth",
            "push-creds",
            "--format",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{transport}: {}", stderr(&out));
        let pod: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let containers = pod["spec"]["containers"].as_array().unwrap();
        let steps: Vec<&serde_json::Value> = if transport == "in-container" {
            containers.iter().collect()
        } else {
            containers.iter().filter(|c| c["name"] != "dind").collect()
        };
        assert!(!steps.is_empty());
        for c in steps {
            let env = c["env"].as_array().unwrap();
            assert!(
                env.iter()
                    .any(|e| e["name"] == "DOCKER_CONFIG" && e["value"] == "/etc/docker-config"),
                "{transport}: {c}"
            );
            let mounts = c["volumeMounts"].as_array().unwrap();
            assert!(mounts.iter().any(|m| m["mountPath"] == "/etc/docker-config/config.json"
                && m["subPath"] == ".dockerconfigjson"
                && m["readOnly"] == true));
            assert!(
                mounts
                    .iter()
                    .any(|m| m["mountPath"] == "/etc/docker-config" && m["name"] == "docker-config")
            );
        }
        let volumes = pod["spec"]["volumes"].as_array().unwrap();
        assert!(volumes.iter().any(|v| v["secret"]["secretName"] == "push-creds"));
    }
    // A client mount inside the config directory would shadow the credentials.
    let shadowed = dind::DindPod::new()
        .registry_auth("push-creds")
        .client(dind::Client::new("docker").mount("/etc/docker-config/buildx", "cache"))
        .build()
        .unwrap_err();
    assert!(
        shadowed.to_string().contains("registry_auth's DOCKER_CONFIG"),
        "{shadowed}"
    );
    let bad = dind(&["render", "--registry-auth", "Push_Creds"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("registry_auth"));
}

/// `--fix` writes each file whole, reports what it fixed and what remains, and exits as lint
/// does on what remains; `--diff` prints a unified diff and writes nothing; `--unsafe-fixes`
/// needs `--fix`; standard input is never written back.
#[test]
fn fix_writes_diff_shows_and_exit_codes_follow_what_remains() {
    let dir = scratch("cli-fix");
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/seed/probe-tcp.yaml"
    ))
    .unwrap();
    let file = dir.join("pod.yaml");
    std::fs::write(&file, &seed).unwrap();
    let path = file.to_str().unwrap();

    // --diff: the diff on stdout, the file untouched.
    let diff = dind(&["lint", "--fix", "--diff", path]);
    let out = String::from_utf8(diff.stdout.clone()).unwrap();
    assert!(out.starts_with("--- a/"), "{out}");
    assert!(
        out.contains("\n-        port: tcp://localhost:8989\n") && out.contains("\n+        port: 8989\n"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), seed);
    assert!(
        stderr(&diff).contains("would fix[DIND002] set the port to 8989"),
        "{}",
        stderr(&diff)
    );
    // Errors remain without the unsafe fixes (DIND001, DIND006): exit 1.
    assert_eq!(diff.status.code(), Some(1));

    // Safe fixes only: written, and the unsafe ones counted.
    let safe = dind(&["lint", "--fix", path]);
    assert_eq!(safe.status.code(), Some(1), "{}", stderr(&safe));
    assert!(stderr(&safe).contains("more with --unsafe-fixes"), "{}", stderr(&safe));
    let once = std::fs::read_to_string(&file).unwrap();
    assert!(once.contains("port: 8989") && once.contains("/bin/sh"), "{once}");
    // The remaining findings show their fix class.
    assert!(String::from_utf8_lossy(&safe.stdout).contains("= fix (unsafe, --fix --unsafe-fixes)"));

    // All fixes: no error left, exit 0; the JSON report lists nothing fixable that is left.
    let all = dind(&["lint", "--fix", "--unsafe-fixes", "--format", "json", path]);
    assert_eq!(all.status.code(), Some(0), "{}", stderr(&all));
    let report: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 0);
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(!fixed.contains("/bin/sh") && fixed.starts_with("# Seed"), "{fixed}");
    // No temporary file is left beside it.
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(entries.len(), 1);

    // Findings carry their fix in the JSON report.
    let json = dind(&[
        "lint",
        "--format",
        "json",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/fix/DIND002.yaml"),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let f = &report["files"][0]["findings"][0];
    assert_eq!(f["code"], "DIND002");
    assert_eq!(f["fix"]["applicability"], "safe");
    assert_eq!(f["fix"]["title"], "set the port to 8989");

    // Usage.
    assert_eq!(dind(&["lint", "--unsafe-fixes", path]).status.code(), Some(2));
    assert_eq!(dind(&["lint", "--diff", path]).status.code(), Some(2));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dind"))
        .args(["lint", "--fix", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(seed.as_bytes()).unwrap();
    }
    let stdin = child.wait_with_output().unwrap();
    assert_eq!(stdin.status.code(), Some(2));
    assert!(stderr(&stdin).contains("use --diff"));
}

/// `dind explain` says whether a rule has an automatic fix, of which class, and why.
#[test]
fn explain_names_the_fix_class() {
    let safe = String::from_utf8(dind(&["explain", "DIND024"]).stdout).unwrap();
    assert!(safe.contains("Automatic fix\nsafe (dind lint --fix): "), "{safe}");
    let unsafe_ = String::from_utf8(dind(&["explain", "DIND009"]).stdout).unwrap();
    assert!(
        unsafe_.contains("Automatic fix\nunsafe (dind lint --fix --unsafe-fixes): "),
        "{unsafe_}"
    );
    let none = String::from_utf8(dind(&["explain", "DIND019"]).stdout).unwrap();
    assert!(none.contains("Automatic fix\nnone"), "{none}");
    let json: serde_json::Value = serde_json::from_slice(&dind(&["rules", "--format", "json"]).stdout).unwrap();
    let rules = json["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["autofix"]["applicability"] == "safe"));
    assert!(rules.iter().any(|r| r["autofix"].is_null()));
}

/// `dind completions SHELL` generates for every shell clap_complete supports, and the bash script
/// knows every subcommand and the lint flags; an unknown shell is a usage error.
#[test]
fn completions_for_every_shell() {
    let subcommands = ["render", "lint", "rules", "explain", "completions", "man"];
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = dind(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.len() > 500, "{shell}: {script}");
        for sub in subcommands {
            assert!(script.contains(sub), "{shell} does not complete `{sub}`");
        }
    }
    let bash = String::from_utf8(dind(&["completions", "bash"]).stdout).unwrap();
    for flag in [
        "--fix",
        "--unsafe-fixes",
        "--diff",
        "--engine",
        "--registry-auth",
        "--runtime",
    ] {
        assert!(bash.contains(flag), "bash completion lacks {flag}");
    }
    assert_eq!(dind(&["completions", "nushell"]).status.code(), Some(2));
}

/// `dind man` renders `dind(1)` with every subcommand; `dind man SUBCOMMAND` renders its page
/// with its flags; an unknown one is a usage error that lists them.
#[test]
fn man_pages_from_the_same_definitions() {
    let page = String::from_utf8(dind(&["man"]).stdout).unwrap();
    assert!(page.contains(".TH dind 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "{section}");
    }
    for sub in ["render", "lint", "rules", "explain", "completions"] {
        assert!(page.contains(&format!("dind\\-{sub}")) || page.contains(sub), "{sub}");
    }
    let lint = String::from_utf8(dind(&["man", "lint"]).stdout).unwrap();
    assert!(
        lint.contains(".TH dind\\-lint 1") || lint.contains(".TH dind-lint 1"),
        "{lint}"
    );
    for flag in ["fix", "unsafe\\-fixes", "diff", "format"] {
        assert!(lint.contains(flag), "dind-lint(1) lacks {flag}");
    }
    let unknown = dind(&["man", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("render, lint"));
}

/// A repository says how it is linted: the nearest `dind.toml` `[lint]` table (kube version,
/// select/ignore, severity overrides, excludes, per-path ignores) under the command line's flags;
/// inline comments suppress single findings, which JSON still lists as suppressed; unknown keys
/// and codes are errors that name them.
#[test]
fn lint_configuration_from_dind_toml_flags_and_comments() {
    let dir = scratch("cli-lint-config");
    let seed = |name: &str| {
        std::fs::read_to_string(format!("{}/../tests/fixtures/seed/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    };
    std::fs::create_dir_all(dir.join("legacy")).unwrap();
    std::fs::create_dir_all(dir.join("vendor")).unwrap();
    std::fs::write(
        dir.join("pod.yaml"),
        seed("tcp-env.yaml").replace("image: docker:dind", "image: docker:dind  # dind: ignore[DIND009]"),
    )
    .unwrap();
    std::fs::write(dir.join("legacy/old.yaml"), seed("probe-tcp.yaml")).unwrap();
    std::fs::write(dir.join("vendor/x.yaml"), seed("rootless.yaml")).unwrap();
    std::fs::write(
        dir.join("dind.toml"),
        "[lint]\nignore = [\"DIND021\"]\nwarn = [\"DIND006\"]\nexclude = [\"vendor/**\"]\n\n[lint.per_path_ignores]\n\"legacy/**\" = [\"DIND00\"]\n",
    )
    .unwrap();
    let json = |args: &[&str]| -> (Option<i32>, serde_json::Value) {
        let out = dind(args);
        (
            out.status.code(),
            serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        )
    };
    let root = dir.to_str().unwrap();
    let (code, report) = json(&["lint", "--format", "json", root]);
    // DIND006 is a warning here and nothing else is an error: exit 0.
    assert_eq!(code, Some(0), "{report}");
    let file = |suffix: &str| file_entry(&report, suffix);
    let codes = |f: &serde_json::Value, key: &str| -> Vec<String> {
        f[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["code"].as_str().unwrap().to_string())
            .collect()
    };
    let pod = file("pod.yaml");
    assert!(!codes(&pod, "findings").contains(&"DIND021".to_string()), "ignored");
    // The daemon's DIND009 is suppressed; the client's floating image is still reported.
    assert_eq!(codes(&pod, "findings").iter().filter(|c| *c == "DIND009").count(), 1);
    assert_eq!(pod["suppressed"][0]["container"], "dind");
    assert_eq!(codes(&pod, "suppressed"), ["DIND009"]);
    let d6 = pod["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "DIND006")
        .unwrap();
    assert_eq!(d6["severity"], "warning");
    // Per-path: `DIND00` is every code from DIND001 to DIND009.
    assert!(
        codes(&file("legacy/old.yaml"), "findings")
            .iter()
            .all(|c| !c.starts_with("DIND00"))
    );
    assert!(
        file("vendor/x.yaml")["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("excluded by")
    );
    assert_eq!(report["summary"]["suppressed"], 1);

    // Flags over the file: --select replaces it, --error raises one back.
    let (code, report) = json(&[
        "lint",
        "--format",
        "json",
        "--select",
        "DIND006,DIND025",
        "--error",
        "DIND006",
        root,
    ]);
    assert_eq!(code, Some(1), "{report}");
    let all: Vec<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| codes(f, "findings"))
        .collect();
    assert!(all.iter().all(|c| c == "DIND006" || c == "DIND025"), "{all:?}");
    // A file named on the command line is linted even when excluded (as ruff does).
    let named = dind(&["lint", dir.join("vendor/x.yaml").to_str().unwrap()]);
    assert_eq!(named.status.code(), Some(1));

    // Errors that name what is wrong.
    std::fs::write(dir.join("dind.toml"), "[lint]\nselct = [\"DIND001\"]\n").unwrap();
    let bad_key = dind(&["lint", root]);
    assert_eq!(bad_key.status.code(), Some(2));
    assert!(stderr(&bad_key).contains("selct"), "{}", stderr(&bad_key));
    std::fs::write(dir.join("dind.toml"), "[lint]\nignore = [\"DIND999\"]\n").unwrap();
    let bad_code = dind(&["lint", root]);
    assert_eq!(bad_code.status.code(), Some(2));
    assert!(stderr(&bad_code).contains("`DIND999`"), "{}", stderr(&bad_code));
    std::fs::remove_file(dir.join("dind.toml")).unwrap();
    let bad_flag = dind(&["lint", "--ignore", "NOPE", root]);
    assert_eq!(bad_flag.status.code(), Some(2));
    assert!(stderr(&bad_flag).contains("`NOPE`"));
    std::fs::write(
        dir.join("pod.yaml"),
        seed("tcp-env.yaml").replace("image: docker:dind", "image: docker:dind  # dind: ignore[DIND0009]"),
    )
    .unwrap();
    let bad_comment = dind(&["lint", dir.join("pod.yaml").to_str().unwrap()]);
    assert_eq!(bad_comment.status.code(), Some(2));
    assert!(stderr(&bad_comment).contains("DIND0009"), "{}", stderr(&bad_comment));
}

/// What the recipes' command does, run here: SARIF on stdout with exit 1 for findings (which
/// `|| test $? -eq 1` tolerates), exit 2 for a usage error (which it does not).
#[test]
fn the_recipe_command_tolerates_findings_and_fails_on_usage_errors() {
    let dir = scratch("ci-recipe-run");
    std::fs::write(
        dir.join("pod.yaml"),
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/seed/tcp-env.yaml"
        ))
        .unwrap(),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_dind");
    let script = |args: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{bin} lint --format sarif {args} > dind-lint.sarif || test $? -eq 1"
            ))
            .current_dir(&dir)
            .status()
            .unwrap()
    };
    assert!(script(".").success());
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("dind-lint.sarif")).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
    assert!(!script("--kube-version 9.99 .").success());
}

/// A repository as teams keep it: a pipeline whose agent pod is a file (`yamlFile`), one that
/// names a file that is not there, and a shared library step reading its pod from `resources/`.
/// Walking the tree lints each pod file once, as the agent's pod of the pipelines that name it
/// (`used_by`), reports the missing one at its step (DIND035), and `--fix` edits the pod file.
#[test]
fn walking_a_repository_reads_the_pod_files_its_pipelines_name() {
    let dir = scratch("cli-jenkins-repo");
    let write = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("dind.toml", "");
    write(
        "Jenkinsfile",
        "pipeline {\n  agent {\n    kubernetes {\n      yamlFile 'ci/pod.yaml'\n    }\n  }\n  stages {\n    stage('build') {\n      steps {\n        container('docker') {\n          sh 'docker build .'\n        }\n      }\n    }\n  }\n}\n",
    );
    // Not privileged: the only error of the pod file.
    let pod = "spec:\n  containers:\n  - name: docker\n    image: docker:29.7.2-cli\n    command: [sleep]\n    args: [99d]\n    env:\n    - {name: DOCKER_HOST, value: unix:///run/dind/docker.sock}\n    volumeMounts:\n    - {name: dind-socket, mountPath: /run/dind}\n  - name: dind\n    image: docker:29.7.2-dind\n    args: [dockerd, --host=unix:///run/dind/docker.sock]\n    resources: {requests: {memory: 2Gi}}\n    startupProbe:\n      exec: {command: [docker, --host=unix:///run/dind/docker.sock, info]}\n      periodSeconds: 1\n      failureThreshold: 120\n    volumeMounts:\n    - {name: dind-socket, mountPath: /run/dind}\n    - {name: docker-data, mountPath: /var/lib/docker}\n  volumes:\n  - {name: dind-socket, emptyDir: {}}\n  - {name: docker-data, emptyDir: {}}\n";
    write("ci/pod.yaml", pod);
    write(
        "release/Jenkinsfile",
        "podTemplate(yaml: readTrusted('ci/release-pod.yaml')) {\n  node(POD_LABEL) {\n    sh 'make'\n  }\n}\n",
    );

    let root = dir.to_str().unwrap();
    let out = dind(&["lint", "--format", "json", root]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = |suffix: &str| file_entry(&report, suffix);
    let codes = |f: &serde_json::Value| {
        f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["code"].as_str().unwrap_or("input").to_string(),
                    x["line"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let pod_file = file("ci/pod.yaml");
    assert_eq!(codes(&pod_file), [("DIND007".to_string(), 11)], "{pod_file:#}");
    // The users as they were named: the walked path of the pipeline, and the line of `yamlFile`.
    let users = pod_file["used_by"].as_array().unwrap();
    assert_eq!(users.len(), 1, "{pod_file:#}");
    assert_eq!(users[0], format!("{root}/Jenkinsfile:4"), "{pod_file:#}");
    // The pipeline that names it adds nothing of its own.
    assert_eq!(codes(&file("/Jenkinsfile")).len(), 0, "{report:#}");
    let release = file("release/Jenkinsfile");
    assert_eq!(codes(&release), [("DIND035".to_string(), 1)], "{release:#}");

    // The text report says whose pod the file is.
    let text = String::from_utf8(dind(&["lint", root]).stdout).unwrap();
    assert!(
        text.contains(&format!("note: the agent's pod of {root}/Jenkinsfile:4")),
        "{text}"
    );

    // --fix edits the pod file as the agent's pod: privileged set, nothing else touched.
    let fixed = dind(&["lint", "--fix", "--unsafe-fixes", root]);
    // DIND035 (a warning) remains: no error is left, exit 0.
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
    let after = std::fs::read_to_string(dir.join("ci/pod.yaml")).unwrap();
    assert!(after.contains("securityContext:\n      privileged: true\n"), "{after}");
    assert_eq!(after.lines().count(), pod.lines().count() + 2, "{after}");
    let again = dind(&["lint", "--format", "json", dir.join("ci").to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
}

/// `--fix` through the CLI on the Jenkins chart's values: the pin goes to the agent's own
/// `image.tag`, the comments stay.
#[test]
fn fix_edits_the_jenkins_chart_values_in_place() {
    let dir = scratch("cli-fix-chart");
    let values = "# values for the jenkins chart\nagent:\n  additionalContainers:\n  - sideContainerName: dind\n    image:\n      repository: docker # the official image\n      tag: dind\n    privileged: true\n    resources:\n      requests:\n        memory: 2Gi\n  volumes:\n  - type: EmptyDir\n    mountPath: /var/lib/docker\n";
    let file = dir.join("values.yaml");
    std::fs::write(&file, values).unwrap();
    let path = file.to_str().unwrap();
    let before = dind(&["lint", "--format", "json", path]);
    let report: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    let found: Vec<&str> = report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(found.contains(&"DIND009"), "{report:#}");
    let out = dind(&["lint", "--fix", "--unsafe-fixes", path]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(after.contains("      tag: \"29.7.2-dind\"\n"), "{after}");
    assert!(after.contains("repository: docker # the official image\n"), "{after}");
    assert!(after.starts_with("# values for the jenkins chart\n"), "{after}");
}

/// The text report never prints a credential it reports (DIND034): the source line is masked.
#[test]
fn reported_credentials_are_masked_in_the_text_report() {
    let dir = scratch("cli-mask");
    let file = dir.join("pod.yaml");
    std::fs::write(
        &file,
        "spec:\n  containers:\n  - name: docker\n    image: docker:29.7.2-cli\n    env:\n    - name: DOCKER_HOST\n      value: tcp://docker.ci:2376\n    - name: REGISTRY_PASSWORD\n      value: s3cr3t-Pa55\n",
    )
    .unwrap();
    let out = dind(&["lint", file.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("warning[DIND034]"), "{text}");
    assert!(text.contains("value: ********"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
}

/// A Kyverno CLI test's resources are written to break policies on purpose: a walk skips them
/// with that reason, and a file the test does not name is linted as usual.
#[test]
fn kyverno_test_inputs_are_skipped_with_the_reason() {
    let dir = scratch("cli-kyverno");
    let bad = "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - name: dind\n    image: docker:dind\n";
    std::fs::create_dir_all(dir.join("policies/disallow-dind")).unwrap();
    std::fs::write(dir.join("policies/disallow-dind/resource.yaml"), bad).unwrap();
    std::fs::write(
        dir.join("policies/disallow-dind/policy.yaml"),
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: disallow-dind}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("policies/disallow-dind/kyverno-test.yaml"),
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata: {name: disallow-dind}\npolicies: [policy.yaml]\nresources: [resource.yaml]\nresults:\n- {policy: disallow-dind, rule: no-dind, resources: [bad], kind: Pod, result: fail}\n",
    )
    .unwrap();
    std::fs::write(dir.join("pod.yaml"), bad).unwrap();
    let out = dind(&["lint", "--format", "json", dir.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = |suffix: &str| file_entry(&report, suffix);
    let input = file("disallow-dind/resource.yaml");
    assert_eq!(input["findings"], serde_json::json!([]), "{input:#}");
    assert!(
        input["skipped"][0]["reason"].as_str().unwrap().contains("Kyverno test"),
        "{input:#}"
    );
    assert!(!file("/pod.yaml")["findings"].as_array().unwrap().is_empty());
    // Named on the command line, the same file is linted: the user asked for it.
    let named = dind(&[
        "lint",
        "--format",
        "json",
        dir.join("policies/disallow-dind/resource.yaml").to_str().unwrap(),
    ]);
    let named: serde_json::Value = serde_json::from_slice(&named.stdout).unwrap();
    assert!(!named["files"][0]["findings"].as_array().unwrap().is_empty());
}
