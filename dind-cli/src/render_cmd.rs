//! `dind render`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use dind_core::Diagnostic;
use dind_core::config::{ClientSettings, ProbeSetting, Settings};
use dind_core::render::jenkins::JenkinsOptions;

use crate::exit;

/// Output formats of `dind render`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RenderFormat {
    /// Pod manifest, YAML.
    Yaml,
    /// Pod manifest, JSON.
    Json,
    /// Jenkins scripted pipeline (`podTemplate`).
    Jenkins,
    /// Jenkins declarative pipeline (`agent { kubernetes }`).
    JenkinsDeclarative,
    /// Jenkins Configuration as Code pod template.
    Jcasc,
    /// The Jenkins agent's pod as plain YAML (for `yamlFile` or `readTrusted`).
    JenkinsYaml,
    /// What the pod wires, as text (the drawing of `dind explain`).
    Diagram,
    /// What the pod wires, as a Graphviz digraph.
    Dot,
    /// What the pod wires, as a Mermaid flowchart.
    Mermaid,
}

fn key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE"))
}

fn client_spec(s: &str) -> Result<ClientSettings, String> {
    let (name, image) = match s.split_once('=') {
        Some((n, i)) => (n, Some(i.to_string())),
        None => (s, None),
    };
    if name.is_empty() {
        return Err(format!("`{s}` names no client (expected NAME or NAME=IMAGE)"));
    }
    Ok(ClientSettings {
        name: name.to_string(),
        image,
        ..Default::default()
    })
}

/// Flags of `dind render`: the builder vocabulary.
#[derive(Args, Debug)]
pub struct RenderArgs {
    /// How clients reach the daemon.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(dind_core::facts::TRANSPORTS))]
    transport: Option<String>,
    /// Unix socket path (unix transport).
    #[arg(long)]
    socket: Option<String>,
    /// TCP port (tcp and tls transports).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=65535))]
    port: Option<u32>,
    /// Build engine: docker (dockerd) or buildkit (rootless buildkitd, no privileged; builds and pushes only).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(dind_core::facts::ENGINES))]
    engine: Option<String>,
    /// BuildKit release line or version (`0.32`, `0.32.2`), with --engine buildkit.
    #[arg(long, conflicts_with = "image")]
    buildkit_version: Option<String>,
    /// A `kubernetes.io/dockerconfigjson` Secret whose `config.json` every client gets (pushes, private pulls).
    #[arg(long, value_name = "SECRET")]
    registry_auth: Option<String>,
    /// Container runtime: runc (a privileged daemon) or sysbox (runtimeClassName sysbox-runc, no privileged).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(dind_core::facts::RUNTIMES))]
    runtime: Option<String>,
    /// How a Sysbox pod gets its user namespace: kubernetes (hostUsers: false) or cri-o (the annotation).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(dind_core::facts::USER_NAMESPACES))]
    user_namespace: Option<String>,
    /// Run the rootless image (still privileged).
    #[arg(long)]
    rootless: bool,
    /// Docker release line or version (`29`, `29.7.2`).
    #[arg(long, conflicts_with = "image")]
    docker_version: Option<String>,
    /// Daemon image.
    #[arg(long)]
    image: Option<String>,
    /// A client container, NAME or NAME=IMAGE (repeatable).
    #[arg(long = "client", value_parser = client_spec)]
    clients: Vec<ClientSettings>,
    /// Inner MTU (68..=65535).
    #[arg(long)]
    mtu: Option<u32>,
    /// Registry mirror URL (repeatable).
    #[arg(long = "registry-mirror")]
    registry_mirrors: Vec<String>,
    /// Insecure registry host (repeatable).
    #[arg(long = "insecure-registry")]
    insecure_registries: Vec<String>,
    /// Run the daemon as a native sidecar (Kubernetes >= 1.29).
    #[arg(long)]
    native_sidecar: bool,
    /// Data-root emptyDir sizeLimit (e.g. 20Gi).
    #[arg(long)]
    storage_size: Option<String>,
    /// No startup probe.
    #[arg(long)]
    no_probe: bool,
    /// Target Kubernetes minor (1.25 to 1.37).
    #[arg(long)]
    kube_version: Option<String>,
    /// Environment variable for every client, NAME=VALUE (repeatable).
    #[arg(long = "env", value_parser = key_value)]
    env: Vec<(String, String)>,
    /// Extra dockerd flag (repeatable).
    #[arg(long = "daemon-arg", allow_hyphen_values = true)]
    daemon_args: Vec<String>,
    /// Pod label, KEY=VALUE (repeatable).
    #[arg(long = "label", value_parser = key_value)]
    labels: Vec<(String, String)>,
    /// Pod name.
    #[arg(long)]
    name: Option<String>,
    /// Pod namespace.
    #[arg(long)]
    namespace: Option<String>,
    /// Daemon memory request (default 1Gi, or the limit when that is lower).
    #[arg(long)]
    memory_request: Option<String>,
    /// Daemon memory limit.
    #[arg(long)]
    memory_limit: Option<String>,
    /// Service account (its token is then mounted unless --service-account-token=false).
    #[arg(long)]
    service_account: Option<String>,
    /// Mount a service account token (default: only with --service-account).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    service_account_token: Option<bool>,
    /// Set DOCKER_IPTABLES_LEGACY=1.
    #[arg(long)]
    iptables_legacy: bool,
    /// Bind plaintext TCP on 0.0.0.0 (reported as DIND006).
    #[arg(long)]
    insecure_tcp_all_interfaces: bool,
    /// Settings file, TOML or YAML; flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RenderFormat::Yaml)]
    format: RenderFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long)]
    output: Option<PathBuf>,
}

impl RenderArgs {
    fn flag_settings(&self) -> Settings {
        let opt_vec = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        let opt_map = |v: &Vec<(String, String)>| (!v.is_empty()).then(|| v.iter().cloned().collect());
        Settings {
            transport: self.transport.clone(),
            socket: self.socket.clone(),
            port: self.port,
            runtime: self.runtime.clone(),
            engine: self.engine.clone(),
            registry_auth: self.registry_auth.clone(),
            buildkit_version: self.buildkit_version.clone(),
            user_namespace: self.user_namespace.clone(),
            rootless: self.rootless.then_some(true),
            docker_version: self.docker_version.clone(),
            image: self.image.clone(),
            mtu: self.mtu,
            registry_mirrors: opt_vec(&self.registry_mirrors),
            insecure_registries: opt_vec(&self.insecure_registries),
            native_sidecar: self.native_sidecar.then_some(true),
            storage_size: self.storage_size.clone(),
            kube_version: self.kube_version.clone(),
            probe: self.no_probe.then_some(ProbeSetting::Enabled(false)),
            clients: (!self.clients.is_empty()).then(|| self.clients.clone()),
            env: opt_map(&self.env),
            daemon_args: opt_vec(&self.daemon_args),
            labels: opt_map(&self.labels),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            memory_request: self.memory_request.clone(),
            memory_limit: self.memory_limit.clone(),
            service_account: self.service_account.clone(),
            service_account_token: self.service_account_token,
            iptables_legacy: self.iptables_legacy.then_some(true),
            insecure_tcp_all_interfaces: self.insecure_tcp_all_interfaces.then_some(true),
            ..Settings::default()
        }
    }
}

fn report(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}");
        if let Some(help) = &d.help {
            eprintln!("  = help: {help}");
        }
    }
}

/// The largest settings file `--config` reads.
const MAX_CONFIG: u64 = 1 << 20;

/// Reads a settings file with a bound, whatever it is (a file, a FIFO, `/dev/stdin`).
fn read_config(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CONFIG + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_CONFIG {
        return Err(format!(
            "`{}` is larger than {MAX_CONFIG} bytes; a settings file may have at most 1 MiB",
            path.display()
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("`{}` is not UTF-8 text", path.display()))
}

fn settings(args: &RenderArgs) -> Result<Settings, String> {
    let mut s = match &args.config {
        None => Settings::default(),
        Some(path) => {
            let text = read_config(path)?;
            Settings::parse(&text, path.to_str()).map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    s.overlay(args.flag_settings());
    Ok(s)
}

/// Runs `dind render`: 0 on success, 1 when `--strict` meets warnings, 2 for any invalid setting
/// (from a flag or the settings file alike).
pub fn run(args: RenderArgs) -> u8 {
    let s = match settings(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let options = match JenkinsOptions::from_settings(&s.jenkins.clone().unwrap_or_default()) {
        Ok(o) => o,
        Err(d) => {
            report(d.as_slice());
            return exit::USAGE;
        }
    };
    let pod = match s.to_pod() {
        Ok(p) => p,
        Err(d) => {
            report(d.as_slice());
            return exit::USAGE;
        }
    };
    let rendered = match args.format {
        RenderFormat::Yaml | RenderFormat::Json | RenderFormat::Diagram | RenderFormat::Dot | RenderFormat::Mermaid => {
            pod.build().map(|b| {
                let text = match args.format {
                    RenderFormat::Json => b.to_json(),
                    RenderFormat::Diagram => dind_core::render::diagram::diagram(b.pod()),
                    RenderFormat::Dot => dind_core::render::diagram::dot(b.pod()),
                    RenderFormat::Mermaid => dind_core::render::diagram::mermaid(b.pod()),
                    _ => b.to_yaml(),
                };
                (text, b.warnings().to_vec(), b.pod_security())
            })
        }
        RenderFormat::Jenkins | RenderFormat::JenkinsDeclarative | RenderFormat::Jcasc | RenderFormat::JenkinsYaml => {
            pod.build_jenkins().and_then(|j| {
                let text = match args.format {
                    RenderFormat::Jenkins => j.scripted(&options)?,
                    RenderFormat::JenkinsDeclarative => j.declarative(&options)?,
                    RenderFormat::Jcasc => j.jcasc(&options)?,
                    _ => j.to_yaml(),
                };
                Ok((text, j.warnings().to_vec(), j.pod_security()))
            })
        }
    };
    let (text, warnings, pod_security) = match rendered {
        Ok(r) => r,
        Err(d) => {
            report(d.as_slice());
            return exit::USAGE;
        }
    };
    report(&warnings);
    // Said, not hidden: what the namespace must allow for this pod to be admitted.
    eprintln!("note: {}", pod_security.summary());
    if args.strict && !warnings.is_empty() {
        eprintln!("error: --strict: {} warning(s)", warnings.len());
        return exit::FINDINGS;
    }
    match crate::output::emit(&text, args.output.as_deref()) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}
