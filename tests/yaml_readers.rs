//! Property tests over the builder's input space:
//! - every pod that builds renders YAML that a YAML 1.2 reader (serde_yaml), our line-aware reader
//!   and YAML 1.1's implicit typing (PyYAML, the Go parser behind kubectl) all read as our value;
//! - a pod that passes the input checks never carries an error-level rule finding;
//! - the two readers agree: the pod `build()` returns and the pod `lint` reads back from its YAML
//!   have the same topology and the same findings, and the API server's checks pass.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use dind::{Client, DindPod, Engine, Runtime, Transport};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// What YAML 1.1 resolves implicitly from a plain scalar (bool, null, int, float, timestamp,
/// merge, value), per the YAML 1.1 type repository, including the Go parser's `y`/`n`.
fn yaml11_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "", "<<", "=",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let numeric_chars = |t: &str| {
        !t.is_empty()
            && t.chars().all(|c| {
                c.is_ascii_hexdigit() || matches!(c, '_' | '.' | ':' | 'x' | 'X' | 'o' | 'b' | 'e' | 'E' | '+' | '-')
            })
    };
    let starts_numeric = body.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    let timestamp = s.len() >= 8 && s[..4].chars().all(|c| c.is_ascii_digit()) && s.as_bytes()[4] == b'-';
    let special = matches!(body.to_ascii_lowercase().as_str(), ".inf" | ".nan");
    (starts_numeric && numeric_chars(body)) || timestamp || special
}

#[derive(Default)]
struct PlainScalars(Vec<String>);

impl MarkedEventReceiver for PlainScalars {
    fn on_event(&mut self, ev: Event, _: Marker) {
        if let Event::Scalar(text, TScalarStyle::Plain, _, _) = ev {
            self.0.push(text);
        }
    }
}

fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(common::TRICKY_VALUES.to_vec()).prop_map(String::from),
        "\\PC{0,12}",
    ]
}

fn pods() -> impl Strategy<Value = DindPod> {
    (
        0..4usize,
        any::<bool>(),
        prop::option::of(prop_oneof![Just(68u32), Just(1440), Just(65535), 0u32..70000]),
        prop::collection::vec(
            (
                prop::sample::select(vec!["docker", "build", "demo", "b2"]),
                prop::collection::vec(("[A-Z_]{1,6}", tricky()), 0..3),
            ),
            0..3,
        ),
        prop::collection::vec(tricky(), 0..2),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["1.25", "1.28", "1.29", "1.33", "1.37"])),
        // runc with docker (most cases), Sysbox, or the BuildKit engine.
        prop::sample::select(vec![0u8, 0, 0, 1, 2]),
        prop::option::of(prop::sample::select(vec!["push-creds", "registry.example.com"])),
    )
        .prop_map(|(t, rootless, mtu, clients, mirrors, sidecar, kube, mode, auth)| {
            let transport = match t {
                0 => Transport::unix(),
                1 => Transport::Tcp { port: 8989 },
                2 => Transport::tls(),
                _ => Transport::Unix(Some("/dind-only/docker.sock".into())),
            };
            let mut pod = DindPod::new();
            match mode {
                // BuildKit takes none of dockerd's settings.
                2 => pod = pod.engine(Engine::Buildkit),
                1 => pod = pod.runtime(Runtime::Sysbox).transport(transport),
                _ => pod = pod.transport(transport).set_rootless(rootless),
            }
            if let Some(secret) = auth {
                pod = pod.registry_auth(secret);
            }
            if let Some(m) = mtu.filter(|_| mode != 2) {
                pod = pod.mtu(m);
            }
            for (name, env) in clients {
                let mut c = Client::new(name);
                for (k, v) in env {
                    c = c.env(k, v);
                }
                pod = pod.client(c);
            }
            for m in mirrors {
                if mode != 2 {
                    pod = pod.registry_mirror(format!("https://{m}"));
                }
                pod = pod.daemon_env("TRICKY", m);
            }
            if sidecar {
                pod = pod.native_sidecar();
            }
            if let Some(k) = kube {
                pod = pod.kube_version(k);
            }
            pod
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_reader_loads_the_same_value(pod in pods()) {
        match pod.build() {
            Ok(built) => {
                let yaml = built.to_yaml();
                let value = built.to_value();
                let via_serde_yaml: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
                prop_assert_eq!(&via_serde_yaml, &value);
                let docs = dind::yaml::read_documents(&yaml, dind::yaml::Limits::default()).unwrap();
                prop_assert_eq!(&docs[0].value, &value);
                let mut plain = PlainScalars::default();
                Parser::new_from_str(&yaml).load(&mut plain, false).unwrap();
                for s in plain.0 {
                    prop_assert!(!yaml11_non_string(&s) || s.parse::<i64>().is_ok() || s == "true" || s == "false",
                        "plain scalar {s:?} changes type under YAML 1.1");
                }
            }
            Err(errors) => {
                for d in errors.iter() {
                    prop_assert!(!d.path.starts_with("spec."), "input that passed the checks got a rule error: {d}");
                }
            }
        }
    }
}

#[test]
fn the_yaml11_oracle_itself_flags_what_it_must() {
    for s in [
        "on",
        "Yes",
        "12:30",
        "0777",
        "1e3",
        "2001-12-14",
        "~",
        "=",
        "-.5",
        ".inf",
        "0x1F",
        "190:20:30",
    ] {
        assert!(yaml11_non_string(s), "{s}");
    }
    for s in ["docker", "/var/run/docker.sock", "tcp://localhost:2376", "e3"] {
        assert!(!yaml11_non_string(s), "{s}");
    }
}

/// The property must not pass on build errors alone.
#[test]
fn the_settings_strategy_builds_often() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut ok = 0;
    for _ in 0..200 {
        let pod = settings().new_tree(&mut runner).unwrap().current();
        ok += usize::from(pod.build().is_ok());
    }
    assert!(ok >= 60, "only {ok} of 200 generated settings build");
}

/// What the topology says of a pod, in comparable form.
fn wiring_of(pod: &k8s_openapi::api::core::v1::Pod) -> String {
    let t = dind::topology::Topology::of(pod);
    let daemons: Vec<String> = t
        .daemons
        .iter()
        .map(|d| format!("{}: {:?}", d.place.name(), d.wiring))
        .collect();
    let clients: Vec<String> = t
        .clients
        .iter()
        .map(|c| {
            format!(
                "{}: {:?} {:?} {:?}",
                c.place.name(),
                c.endpoint,
                c.tls_verify,
                c.cert_path
            )
        })
        .collect();
    let buildkitds: Vec<String> = t
        .buildkitds
        .iter()
        .map(|b| format!("{}: {:?}", b.place.name(), b.wiring))
        .collect();
    format!("{daemons:#?}\n{clients:#?}\n{buildkitds:#?}")
}

fn settings() -> impl Strategy<Value = DindPod> {
    (
        0..5usize,
        any::<bool>(),
        prop::option::of(prop_oneof![3 => Just(1400u32), 1 => 0u32..70000]),
        prop::collection::vec(
            (
                prop_oneof![6 => prop::sample::select(vec!["docker", "build", "b2"]), 1 => prop::sample::select(vec!["Bad_Name", "dind"])],
                prop::option::of(prop_oneof![4 => (0i64..70_000, 0i64..70_000), 1 => (0i64..3_000_000_000, 0i64..3_000_000_000)]),
                prop::option::of(prop_oneof![4 => Just("/cache"), 1 => prop::sample::select(vec!["/var/run", "/certs/client", "rel"])]),
                prop::collection::vec(("[A-Za-z_][A-Za-z0-9 ._-]{0,5}", tricky()), 0..2),
                prop::option::of(prop::sample::select(vec!["128Mi", "2Gi", "1.5Gi"])),
            ),
            0..3,
        ),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["1.25", "1.28", "1.29", "1.31", "1.32", "1.37"])),
        prop::option::of(prop::sample::select(vec!["256Mi", "4Gi"])),
        prop::option::of(prop_oneof![4 => Just(3600i64), 1 => 0i64..3_000_000_000]),
        // runc with docker (most cases), Sysbox, or the BuildKit engine; registry credentials.
        (prop::sample::select(vec![0u8, 0, 0, 1, 2]), prop::option::of(Just("push-creds"))),
    )
        .prop_map(|(t, rootless, mtu, clients, sidecar, kube, limit, deadline, (mode, auth))| {
            let transport = match t {
                0 => Transport::unix(),
                1 => Transport::Tcp { port: 8989 },
                2 => Transport::tls(),
                3 => Transport::Unix(Some("/run/dind/docker.sock".into())),
                _ => Transport::InContainer,
            };
            let mut pod = match mode {
                // BuildKit takes none of dockerd's settings.
                2 => DindPod::new().engine(Engine::Buildkit),
                1 => DindPod::new().runtime(Runtime::Sysbox).transport(transport),
                _ => DindPod::new().transport(transport).set_rootless(rootless),
            };
            if let Some(secret) = auth {
                pod = pod.registry_auth(secret);
            }
            if let Some(m) = mtu.filter(|_| mode != 2) {
                pod = pod.mtu(m);
            }
            for (name, run_as, mount, env, mem) in clients {
                let mut c = Client::new(name);
                if let Some((u, g)) = run_as {
                    c = c.run_as(u, g);
                }
                if let Some(m) = mount {
                    c = c.mount(m, "extra");
                }
                for (k, v) in env {
                    c = c.env(k, v);
                }
                if let Some(m) = mem {
                    c = c.memory_request(m).memory_limit("1Gi");
                }
                pod = pod.client(c);
            }
            if sidecar {
                pod = pod.native_sidecar();
            }
            if let Some(k) = kube {
                pod = pod.kube_version(k);
            }
            if let Some(l) = limit {
                pod = pod.memory_limit(l);
            }
            if let Some(d) = deadline {
                pod = pod.active_deadline_seconds(d);
            }
            pod
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn build_and_lint_read_every_pod_alike(pod in settings()) {
        match pod.build() {
            Ok(built) => {
                let minor = built.kube_version().minor;
                let errors = common::apiserver::check(built.pod(), minor, true);
                prop_assert!(errors.is_empty(), "the API server rejects it: {errors:#?}");
                let yaml = built.to_yaml();
                let doc = &dind::yaml::read_documents(&yaml, dind::yaml::Limits::default()).unwrap()[0];
                let (read, _) = dind::lint::pod_from_value(&doc.value).unwrap();
                prop_assert_eq!(wiring_of(built.pod()), wiring_of(&read));
                let ctx = dind::rules::Context::new(built.kube_version());
                let linted: Vec<dind::Diagnostic> = dind::lint_yaml(&yaml, &ctx).unwrap().into_iter().map(|f| f.diagnostic).collect();
                prop_assert_eq!(&linted, &built.warnings().to_vec());
                // Every client reaches the endpoint the builder chose.
                let t = dind::topology::Topology::of(built.pod());
                for c in &t.clients {
                    prop_assert_eq!(c.endpoint.as_ref(), built.client_endpoint());
                }
                for place in t.containers.iter().filter(|p| !t.buildkitds.iter().any(|b| b.place.name() == p.name())) {
                    if let Some((endpoint, _)) = dind::wiring::buildkit_client_host(place.container) {
                        prop_assert_eq!(Some(&endpoint), built.client_endpoint());
                    }
                }
            }
            Err(errors) => {
                for d in errors.iter() {
                    prop_assert!(!d.path.starts_with("spec."), "input that passed the checks got a rule error: {d}");
                }
            }
        }
    }
}

/// Reads a YAML stream with an external reader that prints one JSON line per document.
fn read_with(program: &std::path::Path, args: &[&std::path::Path], stream: &str) -> Vec<serde_json::Value> {
    use std::io::Write;
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let mut stdin = child.stdin.take().unwrap();
    let input = stream.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    common::json_lines(&out, &format!("{} reading our YAML", program.display()))
}

/// The YAML 1.1 readers themselves (PyYAML, and go-yaml v2 as kubectl uses it) load every pod
/// we render, each as one stream of many documents, to exactly the value we meant: generated
/// pods from both strategies, every example, the Jenkins-shaped pods and the hostile pod.
#[test]
fn yaml11_readers_load_every_rendered_pod_as_our_value() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut all: Vec<DindPod> = Vec::new();
    for _ in 0..300 {
        all.push(sample(&mut runner, pods()));
        all.push(sample(&mut runner, settings()));
    }
    all.extend(common::examples().into_iter().map(|(_, p)| p));
    all.push(common::hostile_pod());
    let mut stream = String::new();
    let mut expected = Vec::new();
    for pod in &all {
        if let Ok(built) = pod.build() {
            stream.push_str("---\n");
            stream.push_str(&built.to_yaml());
            expected.push(built.to_value());
        }
        if let Ok(agent) = pod.build_jenkins() {
            stream.push_str("---\n");
            stream.push_str(&agent.to_yaml());
            expected.push(agent.to_value());
        }
    }
    assert!(expected.len() >= 400, "only {} documents built", expected.len());
    let python = common::venv_bin("python");
    let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/yaml11.py");
    let go = common::go_yaml_bin();
    for (reader, got) in [
        ("PyYAML", read_with(&python, &[&script], &stream)),
        ("go-yaml v2", read_with(&go, &[], &stream)),
    ] {
        assert_eq!(
            got.len(),
            expected.len(),
            "{reader} read a different number of documents"
        );
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(g, e, "{reader} reads document {i} differently");
        }
    }
}

/// The oracles can fail: YAML 1.1 words and numbers written plain come back typed. The two
/// differ on sexagesimal numbers, which PyYAML reads and go-yaml v2 leaves a string.
#[test]
fn yaml11_readers_retype_plain_words() {
    let stream = "a: on\nb: 017\nc: 12:30\nd: \"on\"\n";
    let python = common::venv_bin("python");
    let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/yaml11.py");
    assert_eq!(
        read_with(&python, &[&script], stream),
        vec![serde_json::json!({"a": true, "b": 15, "c": 750, "d": "on"})]
    );
    assert_eq!(
        read_with(&common::go_yaml_bin(), &[], stream),
        vec![serde_json::json!({"a": true, "b": 15, "c": "12:30", "d": "on"})]
    );
}

/// `dind lint` reads plain scalars as kubectl does: our reader and go-yaml v2 type every
/// word of YAML 1.1's implicit repertoire, and every tricky value, alike (`.inf` and `.nan`
/// are left out: JSON, and so kubectl, cannot hold them).
#[test]
fn our_reader_types_plain_scalars_as_go_yaml_does() {
    let words = [
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "~",
        "null",
        "Null",
        "NULL",
        "0777",
        "017",
        "0o17",
        "0x1F",
        "0b101",
        "-0x1F",
        "+12",
        "1_000",
        "1e3",
        "1.5e+3",
        "-.5",
        "12:30",
        "190:20:30",
        "2001-12-14",
        "2001-12-14t21:59:43.10-05:00",
        "0.",
        "08",
        "09",
        "1.0",
        "3.",
        "-0",
        "+.5",
        "9223372036854775808",
        "-9223372036854775809",
        "1e400",
        "0x",
        "0b",
        "1__0",
        "docker",
        "e3",
    ];
    let mut stream = String::new();
    for w in words.iter().copied().chain(common::TRICKY_VALUES.iter().copied()) {
        // Only values that can stand as a one-line plain scalar.
        let plain = !w.is_empty()
            && !w.contains([
                '\n', '\r', '#', ':', '\'', '"', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '%', '@', '`',
            ])
            && w.trim() == w
            && !matches!(w.to_ascii_lowercase().trim_start_matches(['+', '-']), ".inf" | ".nan")
            && w.chars()
                .all(|c| !c.is_control() && c != '\u{FEFF}' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
            && !w.starts_with(['-', '?'])
            || words.contains(&w);
        if plain {
            stream.push_str(&format!("---\nv: {w}\n"));
        }
    }
    let go = read_with(&common::go_yaml_bin(), &[], &stream);
    let ours: Vec<serde_json::Value> = dind::yaml::read_documents(&stream, dind::yaml::Limits::default())
        .unwrap()
        .into_iter()
        .map(|d| d.value)
        .collect();
    assert_eq!(go.len(), ours.len());
    for (g, o) in go.iter().zip(&ours) {
        assert_eq!(g, o, "go-yaml v2 and our reader type a plain scalar differently");
    }
}

fn sample(runner: &mut proptest::test_runner::TestRunner, s: impl Strategy<Value = DindPod>) -> DindPod {
    s.new_tree(runner).unwrap().current()
}
