//! One pod, every place Jenkins keeps it: a generated agent pod (a Docker client beside a daemon,
//! each wiring choice varied) is written as the Jenkins Helm chart's `agent.yamlTemplate`, a JCasC
//! template's `yaml`, a Jenkinsfile variable with `.stripIndent()`, a shared library's `@Field`,
//! and a file named by `yamlFile`; each must be linted exactly as the plain agent pod is, finding
//! for finding, at the same line of the pod. The Groovy shapes are also evaluated by Groovy 2.4,
//! which must hand the plugin the very YAML dind reads.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use dind::lint::{
    AgentUse, FileRef, FileReport, Lookup, Repository, jenkins_pod_yaml, lint_agent_pod, lint_file, lint_file_in,
};
use dind::rules::Context;
use proptest::prelude::*;

/// How the client reaches the daemon.
#[derive(Clone, Copy, Debug)]
enum Client {
    /// No `DOCKER_HOST`: the default socket.
    Default,
    /// `tcp://localhost:2375`.
    Plain,
    /// `tcp://localhost:2376` with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`.
    Tls,
    /// A socket in a shared emptyDir.
    Socket,
}

/// The wiring choices of a generated pod.
#[derive(Clone, Debug)]
struct Agent {
    dind_image: &'static str,
    client_image: &'static str,
    privileged: bool,
    tls_off: bool,
    client: Client,
    certs: bool,
    data_root: bool,
    probe: bool,
    memory: bool,
}

impl Agent {
    /// Every choice, by the bits of `n` (for the Groovy run, which wants a fixed set).
    fn from_bits(n: u32) -> Agent {
        let bit = |i: u32| (n >> i) & 1 == 1;
        Agent {
            dind_image: if bit(0) { "docker:dind" } else { "docker:29.7.2-dind" },
            client_image: if bit(1) { "docker:cli" } else { "docker:29.7.2-cli" },
            privileged: !bit(2),
            tls_off: bit(3),
            client: [Client::Default, Client::Plain, Client::Tls, Client::Socket][((n >> 4) & 3) as usize],
            certs: bit(6),
            data_root: !bit(7),
            probe: bit(8),
            memory: bit(9),
        }
    }

    /// The client's environment for its endpoint.
    fn client_env(&self) -> Vec<(&'static str, &'static str)> {
        match self.client {
            Client::Default => Vec::new(),
            Client::Plain => vec![("DOCKER_HOST", "tcp://localhost:2375")],
            Client::Tls => vec![
                ("DOCKER_HOST", "tcp://localhost:2376"),
                ("DOCKER_TLS_VERIFY", "'1'"),
                ("DOCKER_CERT_PATH", "/certs/client"),
            ],
            Client::Socket => vec![("DOCKER_HOST", "unix:///run/dind/docker.sock")],
        }
    }

    /// Where the daemon's startup probe asks it.
    fn probe_host(&self) -> &'static str {
        match self.client {
            Client::Socket => "unix:///run/dind/docker.sock",
            _ => "unix:///var/run/docker.sock",
        }
    }

    /// The pod's YAML, every line at column 0 or deeper (the shapes indent it).
    fn yaml(&self) -> String {
        let mut y = String::from("spec:\n  containers:\n");
        y += &format!(
            "  - name: docker\n    image: {}\n    command: [sleep]\n    args: [99d]\n",
            self.client_image
        );
        let env = self.client_env();
        let mut client_mounts = Vec::new();
        if matches!(self.client, Client::Socket) {
            client_mounts.push(("dind-socket", "/run/dind"));
        }
        if self.certs {
            client_mounts.push(("docker-certs", "/certs/client"));
        }
        push_env(&mut y, &env);
        push_mounts(&mut y, &client_mounts);

        y += &format!("  - name: dind\n    image: {}\n", self.dind_image);
        if matches!(self.client, Client::Socket) {
            y += "    args: [dockerd, --host=unix:///run/dind/docker.sock]\n";
        }
        if self.privileged {
            y += "    securityContext:\n      privileged: true\n";
        }
        if self.tls_off {
            push_env(&mut y, &[("DOCKER_TLS_CERTDIR", "''")]);
        }
        if self.memory {
            y += "    resources:\n      requests:\n        memory: 2Gi\n";
        }
        if self.probe {
            let host = self.probe_host();
            y += &format!(
                "    startupProbe:\n      exec:\n        command: [docker, --host={host}, info]\n      periodSeconds: 1\n      failureThreshold: 120\n"
            );
        }
        let mut daemon_mounts = Vec::new();
        if self.data_root {
            daemon_mounts.push(("docker-data", "/var/lib/docker"));
        }
        if matches!(self.client, Client::Socket) {
            daemon_mounts.push(("dind-socket", "/run/dind"));
        }
        if self.certs {
            daemon_mounts.push(("docker-certs", "/certs/client"));
        }
        push_mounts(&mut y, &daemon_mounts);

        let mut volumes: Vec<&str> = daemon_mounts.iter().map(|m| m.0).collect();
        volumes.dedup();
        if !volumes.is_empty() {
            y += "  volumes:\n";
            for v in volumes {
                y += &format!("  - name: {v}\n    emptyDir: {{}}\n");
            }
        }
        y
    }
}

impl Agent {
    /// The same pod as a JCasC template's `containers:` (the `containerTemplate` fields), with
    /// the pod's volumes as the template's (the plugin mounts them in every container) and the
    /// startup probe, which a container template has no field for, in the template's `yaml`.
    fn containers(&self) -> String {
        let mut y = String::from(
            "jenkins:\n  clouds:\n  - kubernetes:\n      name: kubernetes\n      templates:\n      - name: dind\n        label: dind\n        containers:\n",
        );
        let env_vars = |y: &mut String, env: &[(&str, &str)]| {
            if env.is_empty() {
                return;
            }
            *y += "          envVars:\n";
            for (k, v) in env {
                *y += &format!("          - envVar:\n              key: {k}\n              value: {v}\n");
            }
        };
        y += &format!(
            "        - name: docker\n          image: {}\n          command: sleep\n          args: 99d\n",
            self.client_image
        );
        env_vars(&mut y, &self.client_env());
        y += &format!("        - name: dind\n          image: {}\n", self.dind_image);
        if matches!(self.client, Client::Socket) {
            y += "          args: dockerd --host=unix:///run/dind/docker.sock\n";
        }
        if self.privileged {
            y += "          privileged: true\n";
        }
        if self.tls_off {
            env_vars(&mut y, &[("DOCKER_TLS_CERTDIR", "''")]);
        }
        if self.memory {
            y += "          resourceRequestMemory: 2Gi\n";
        }
        let mut volumes = Vec::new();
        if self.data_root {
            volumes.push("/var/lib/docker");
        }
        if matches!(self.client, Client::Socket) {
            volumes.push("/run/dind");
        }
        if self.certs {
            volumes.push("/certs/client");
        }
        if !volumes.is_empty() {
            y += "        volumes:\n";
            for v in volumes {
                y += &format!("        - emptyDirVolume:\n            mountPath: {v}\n");
            }
        }
        if self.probe {
            let host = self.probe_host();
            y += &format!(
                "        yaml: |-\n          spec:\n            containers:\n            - name: dind\n              startupProbe:\n                exec:\n                  command: [docker, --host={host}, info]\n                periodSeconds: 1\n                failureThreshold: 120\n"
            );
        }
        y
    }
}

fn push_env(y: &mut String, env: &[(&str, &str)]) {
    if env.is_empty() {
        return;
    }
    *y += "    env:\n";
    for (k, v) in env {
        *y += &format!("    - name: {k}\n      value: {v}\n");
    }
}

fn push_mounts(y: &mut String, mounts: &[(&str, &str)]) {
    if mounts.is_empty() {
        return;
    }
    *y += "    volumeMounts:\n";
    for (name, path) in mounts {
        *y += &format!("    - name: {name}\n      mountPath: {path}\n");
    }
}

fn agent() -> impl Strategy<Value = Agent> {
    (0u32..1024).prop_map(Agent::from_bits)
}

/// `text` with every non-empty line indented by `n` spaces.
fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A shape: the file's name, its text, and the file line of the pod YAML's first line.
struct Shape {
    name: &'static str,
    text: String,
    first: usize,
}

fn shapes(pod: &str) -> Vec<Shape> {
    vec![
        Shape {
            name: "values.yaml",
            text: format!(
                "agent:\n  enabled: true\n  yamlMergeStrategy: merge\n  yamlTemplate: |-\n{}\n",
                indent(pod, 4)
            ),
            first: 5,
        },
        Shape {
            name: "casc.yaml",
            text: format!(
                "jenkins:\n  clouds:\n  - kubernetes:\n      name: kubernetes\n      templates:\n      - name: dind\n        label: dind\n        yaml: |-\n{}\n",
                indent(pod, 10)
            ),
            first: 9,
        },
        Shape {
            name: "Jenkinsfile",
            text: format!(
                "def podYaml = '''\n{}\n    '''.stripIndent()\n\npodTemplate(yaml: podYaml) {{\n  node(POD_LABEL) {{\n    echo 'built'\n  }}\n}}\n",
                indent(pod, 4)
            ),
            first: 2,
        },
        Shape {
            name: "vars/dindAgent.groovy",
            text: format!(
                "import groovy.transform.Field\n\n@Field\nfinal String POD = '''\\\n{pod}'''\n\ndef call(Closure body) {{\n  podTemplate(yaml: POD) {{\n    node(POD_LABEL) {{\n      body()\n    }}\n  }}\n}}\n"
            ),
            first: 5,
        },
    ]
}

/// A finding, as the same finding in every shape: its code, its container, its path with the
/// container's index replaced by its name (the chart's `jnlp` may come first), and its line in
/// the pod's YAML (1 = the pod's first line).
fn key(r: &FileReport, first: usize) -> Vec<(String, String, String, isize)> {
    let mut out: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            let d = &f.diagnostic;
            let container = d.container.clone().unwrap_or_default();
            let path = match (d.path.find("containers["), d.container.as_deref()) {
                (Some(at), Some(name)) => {
                    let end = d.path[at..].find(']').map_or(d.path.len(), |e| at + e + 1);
                    format!("containers[{name}]{}", &d.path[end..])
                }
                _ => d.path.clone(),
            };
            let code = d.code.map_or("input".into(), |c| c.to_string());
            (code, container, path, f.line as isize - first as isize + 1)
        })
        .collect();
    out.sort();
    out
}

fn reference(pod: &str) -> FileReport {
    lint_agent_pod(pod, &Context::default(), &[]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Every shape finds what the plain agent pod has, at the pod's own lines.
    #[test]
    fn every_shape_lints_as_the_agent_pod(a in agent()) {
        let pod = a.yaml();
        let want = key(&reference(&pod), 1);
        for s in shapes(&pod) {
            let r = lint_file(s.name, &s.text, &Context::default()).map_err(|e| TestCaseError::fail(format!("{}: {e}", s.name)))?;
            prop_assert_eq!(r.pods.len(), 1, "{}:\n{}\n{:#?}", s.name, s.text, r.pods);
            prop_assert!(r.unknown.is_empty(), "{}: {:#?}", s.name, r.unknown);
            prop_assert_eq!(&key(&r, s.first), &want, "{}:\n{}", s.name, s.text);
        }
    }

    /// A JCasC template's `containers:` finds what the pod they make has, in the same fields.
    #[test]
    fn jcasc_containers_lint_as_the_agent_pod(a in agent()) {
        let casc = a.containers();
        let r = lint_file("casc.yaml", &casc, &Context::default()).map_err(TestCaseError::fail)?;
        prop_assert_eq!(r.pods.len(), 1, "{}\n{:#?}", casc, r.pods);
        prop_assert!(r.unknown.is_empty(), "{:#?}", r.unknown);
        let fields = |r: &FileReport| key(r, 1).into_iter().map(|(c, n, p, _)| (c, n, p)).collect::<Vec<_>>();
        prop_assert_eq!(fields(&r), fields(&reference(&a.yaml())), "{}", casc);
    }

    /// A pod file named by `yamlFile` is the agent's pod of the Jenkinsfile: linted as such,
    /// found once, and the Jenkinsfile adds nothing of its own.
    #[test]
    fn a_yaml_file_is_linted_as_the_agent_pod_of_its_pipeline(a in agent()) {
        let pod = a.yaml();
        let pipeline = "pipeline {\n  agent {\n    kubernetes {\n      yamlFile 'ci/pod.yaml'\n    }\n  }\n  stages {\n    stage('build') {\n      steps {\n        echo 'built'\n      }\n    }\n  }\n}\n";
        let repo = OneFile(pod.clone());
        let r = lint_file_in("Jenkinsfile", pipeline, &Context::default(), &repo).unwrap();
        prop_assert!(r.findings.is_empty(), "{:#?}", r.findings);
        prop_assert!(r.unknown.is_empty(), "{:#?}", r.unknown);
        let users = [AgentUse::new("Jenkinsfile", 4, pipeline)];
        let as_file = lint_agent_pod(&pod, &Context::default(), &users).unwrap();
        prop_assert_eq!(key(&as_file, 1), key(&reference(&pod), 1));
    }
}

/// The repository of [`a_yaml_file_is_linted_as_the_agent_pod_of_its_pipeline`]: only
/// `ci/pod.yaml`.
struct OneFile(String);

impl Repository for OneFile {
    fn lookup(&self, _: &str, r: &FileRef) -> Lookup {
        if r.path == "ci/pod.yaml" {
            Lookup::Found(self.0.clone())
        } else {
            Lookup::Missing(r.path.clone())
        }
    }
}

/// Groovy 2.4 evaluates each generated Groovy shape to the YAML dind reads from it.
#[test]
fn groovy_hands_the_plugin_the_yaml_dind_reads() {
    let dir = common::scratch("jenkins-shapes-groovy");
    let mut files = Vec::new();
    let mut wanted = Vec::new();
    // A spread of the choices: every client, both images, each decoration on and off.
    for n in (0..1024).step_by(37) {
        let pod = Agent::from_bits(n).yaml();
        for s in shapes(&pod).into_iter().filter(|s| s.name == "Jenkinsfile") {
            let path = dir.join(format!("{n}.Jenkinsfile"));
            std::fs::write(&path, &s.text).unwrap();
            let yaml = jenkins_pod_yaml(&s.text).unwrap();
            assert_eq!(yaml.len(), 1, "one pod YAML in:\n{}", s.text);
            wanted.push(yaml[0].clone());
            files.push(path);
        }
    }
    let seen = common::groovy(&files);
    assert_eq!(seen.len(), files.len());
    for ((path, want), got) in files.iter().zip(&wanted).zip(&seen) {
        assert_eq!(got["yaml"].as_str(), Some(want.as_str()), "{}", path.display());
    }
}
