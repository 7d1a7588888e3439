//! Property tests over the builder's input space:
//! - every pod that builds renders YAML that a YAML 1.2 reader (serde_yaml), our line-aware reader
//!   and YAML 1.1's implicit typing (PyYAML, the Go parser behind kubectl) all read as our value;
//! - a pod that passes the input checks never carries an error-level rule finding;
//! - the two readers agree: the pod `build()` returns and the pod `lint` reads back from its YAML
//!   have the same topology and the same findings, and the API server's checks pass.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use dind::{Client, DindPod, Transport};
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
    )
        .prop_map(|(t, rootless, mtu, clients, mirrors, sidecar, kube)| {
            let transport = match t {
                0 => Transport::unix(),
                1 => Transport::Tcp { port: 8989 },
                2 => Transport::tls(),
                _ => Transport::Unix(Some("/dind-only/docker.sock".into())),
            };
            let mut pod = DindPod::new().transport(transport).set_rootless(rootless);
            if let Some(m) = mtu {
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
                pod = pod.registry_mirror(format!("https://{m}")).daemon_env("TRICKY", m);
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
    format!("{daemons:#?}\n{clients:#?}")
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
    )
        .prop_map(|(t, rootless, mtu, clients, sidecar, kube, limit, deadline)| {
            let transport = match t {
                0 => Transport::unix(),
                1 => Transport::Tcp { port: 8989 },
                2 => Transport::tls(),
                3 => Transport::Unix(Some("/run/dind/docker.sock".into())),
                _ => Transport::InContainer,
            };
            let mut pod = DindPod::new().transport(transport).set_rootless(rootless);
            if let Some(m) = mtu {
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
            }
            Err(errors) => {
                for d in errors.iter() {
                    prop_assert!(!d.path.starts_with("spec."), "input that passed the checks got a rule error: {d}");
                }
            }
        }
    }
}
