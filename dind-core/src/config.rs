//! Settings files and flags: the builder vocabulary as data (`dind render --config`, TOML or YAML).
//! Keys are the builder's method names; unknown keys are errors that name the key.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::model::{Client, DindPod, Engine, Probe, Runtime, Transport, TransportKind, UserNamespace};
use crate::{Diagnostic, Diagnostics};

/// `probe = false` turns the probe off; `probe = 300` sets its budget in seconds.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, JsonSchema)]
#[non_exhaustive]
#[serde(untagged)]
pub enum ProbeSetting {
    /// On (default budget) or off.
    Enabled(bool),
    /// On, with this budget in seconds.
    Budget(u32),
}

/// One `[[clients]]` entry.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSettings {
    /// Container name.
    pub name: String,
    /// Image (default: the CLI matching the daemon).
    pub image: Option<String>,
    /// Environment variables.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Command that keeps it alive (default `sleep 99d`).
    pub command: Option<Vec<String>>,
    /// Memory request.
    pub memory_request: Option<String>,
    /// Memory limit.
    pub memory_limit: Option<String>,
    /// CPU request.
    pub cpu_request: Option<String>,
    /// `[uid, gid]` to run as.
    pub run_as: Option<(i64, i64)>,
}

/// The `[jenkins]` table: steps and template options for the Jenkins formats.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JenkinsSettings {
    /// Shell steps run in the steps container (default: the engine's own check, see
    /// [`crate::JenkinsPod::steps`]).
    pub steps: Option<Vec<String>>,
    /// `cloud`.
    pub cloud: Option<String>,
    /// `namespace`.
    pub namespace: Option<String>,
    /// `serviceAccount`.
    pub service_account: Option<String>,
    /// `idleMinutes`.
    pub idle_minutes: Option<u32>,
    /// `activeDeadlineSeconds` of the template (default 3600).
    pub active_deadline_seconds: Option<u32>,
    /// `podRetention`: `never`, `always`, `on-failure`, or `default` (the cloud's setting).
    pub pod_retention: Option<String>,
    /// `showRawYaml`.
    pub show_raw_yaml: Option<bool>,
    /// `yamlMergeStrategy`: `override` or `merge`.
    pub yaml_merge_strategy: Option<String>,
    /// `inheritFrom`.
    pub inherit_from: Option<String>,
    /// JCasC template `name` (default `dind`).
    pub name: Option<String>,
    /// JCasC template `label` (default `dind`).
    pub label: Option<String>,
}

/// Every setting, all optional: the union of a config file and the command line.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "dind settings",
    description = "The settings file of `dind render --config` (TOML or YAML): the builder's vocabulary."
)]
pub struct Settings {
    /// `unix`, `tcp`, `tls`, `in-container`.
    #[schemars(extend("enum" = dind_facts::TRANSPORTS))]
    pub transport: Option<String>,
    /// Unix socket path (unix transport).
    pub socket: Option<String>,
    /// TCP port (tcp, tls).
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u32>,
    /// `docker` (default) or `buildkit`.
    #[schemars(extend("enum" = dind_facts::ENGINES))]
    pub engine: Option<String>,
    /// BuildKit release line or version (engine `buildkit`).
    pub buildkit_version: Option<String>,
    /// `runc` (default) or `sysbox`.
    #[schemars(extend("enum" = dind_facts::RUNTIMES))]
    pub runtime: Option<String>,
    /// Under `runtime = "sysbox"`: `kubernetes` (`hostUsers: false`, default) or `cri-o`.
    #[schemars(extend("enum" = dind_facts::USER_NAMESPACES))]
    pub user_namespace: Option<String>,
    /// A `kubernetes.io/dockerconfigjson` Secret mounted as every client's `config.json`.
    pub registry_auth: Option<String>,
    /// Rootless image.
    pub rootless: Option<bool>,
    /// Docker release line or version.
    pub docker_version: Option<String>,
    /// Daemon image.
    pub image: Option<String>,
    /// Inner MTU.
    #[schemars(range(min = 68, max = 65535))]
    pub mtu: Option<u32>,
    /// Registry mirrors.
    pub registry_mirrors: Option<Vec<String>>,
    /// Insecure registries.
    pub insecure_registries: Option<Vec<String>>,
    /// Native sidecar daemon.
    pub native_sidecar: Option<bool>,
    /// Data-root `sizeLimit`.
    pub storage_size: Option<String>,
    /// Target Kubernetes minor.
    pub kube_version: Option<String>,
    /// Startup probe: `false`, `true` or a budget in seconds.
    pub probe: Option<ProbeSetting>,
    /// Client containers.
    pub clients: Option<Vec<ClientSettings>>,
    /// Environment for every client.
    pub env: Option<BTreeMap<String, String>>,
    /// Extra dockerd flags.
    pub daemon_args: Option<Vec<String>>,
    /// Extra daemon environment.
    pub daemon_env: Option<BTreeMap<String, String>>,
    /// `DOCKER_IPTABLES_LEGACY=1`.
    pub iptables_legacy: Option<bool>,
    /// Daemon memory request.
    pub memory_request: Option<String>,
    /// Daemon memory limit.
    pub memory_limit: Option<String>,
    /// Plaintext TCP on all interfaces (DIND006).
    pub insecure_tcp_all_interfaces: Option<bool>,
    /// Pod name.
    pub name: Option<String>,
    /// Pod namespace.
    pub namespace: Option<String>,
    /// Pod labels.
    pub labels: Option<BTreeMap<String, String>>,
    /// Pod annotations.
    pub annotations: Option<BTreeMap<String, String>>,
    /// Service account.
    pub service_account: Option<String>,
    /// Whether the pod mounts a service account token (default: only with `service_account`).
    pub service_account_token: Option<bool>,
    /// Node selector.
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Pod `activeDeadlineSeconds`.
    pub active_deadline_seconds: Option<i64>,
    /// Jenkins options.
    pub jenkins: Option<JenkinsSettings>,
}

/// The format of a settings file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// TOML.
    Toml,
    /// YAML.
    Yaml,
}

macro_rules! overlay {
    ($self:ident, $other:ident, $($field:ident),*) => {
        $( if $other.$field.is_some() { $self.$field = $other.$field; } )*
    };
}

impl Settings {
    /// Parses a settings file. The format comes from the file name (`.toml`, `.yaml`, `.yml`);
    /// without one, TOML is tried, then YAML.
    ///
    /// ```
    /// use dind_core::config::Settings;
    /// let s = Settings::parse("transport = \"tcp\"\nport = 8989\n", Some("x.toml")).unwrap();
    /// assert_eq!(s.port, Some(8989));
    /// let e = Settings::parse("transprot: tcp\n", Some("x.yaml")).unwrap_err();
    /// assert!(e.contains("transprot"));
    /// ```
    pub fn parse(text: &str, file_name: Option<&str>) -> Result<Settings, String> {
        let format = match file_name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase())
        {
            Some(e) if e == "toml" => Some(Format::Toml),
            Some(e) if e == "yaml" || e == "yml" => Some(Format::Yaml),
            _ => None,
        };
        match format {
            Some(Format::Toml) => toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string()),
            Some(Format::Yaml) => Self::from_yaml(text),
            None => toml::from_str(text).or_else(|toml_err: toml::de::Error| {
                Self::from_yaml(text)
                    .map_err(|yaml_err| format!("neither TOML ({}) nor YAML ({yaml_err})", toml_err.message()))
            }),
        }
    }

    fn from_yaml(text: &str) -> Result<Settings, String> {
        if text.trim().is_empty() {
            return Ok(Settings::default());
        }
        crate::yaml::from_str(text)
    }

    /// Lays `other` over `self`: every setting `other` has wins (lists are replaced, not merged).
    pub fn overlay(&mut self, other: Settings) {
        overlay!(
            self,
            other,
            transport,
            socket,
            port,
            runtime,
            user_namespace,
            registry_auth,
            engine,
            buildkit_version,
            rootless,
            docker_version,
            image,
            mtu,
            registry_mirrors,
            insecure_registries,
            native_sidecar,
            storage_size,
            kube_version,
            probe,
            clients,
            env,
            daemon_args,
            daemon_env,
            iptables_legacy,
            memory_request,
            memory_limit,
            insecure_tcp_all_interfaces,
            name,
            namespace,
            labels,
            annotations,
            service_account,
            service_account_token,
            node_selector,
            active_deadline_seconds,
            jenkins
        );
    }

    /// Turns the settings into a builder, checking what only the settings can tell (a `socket`
    /// with the `tcp` transport, a port out of range).
    pub fn to_pod(&self) -> Result<DindPod, Diagnostics> {
        let mut errors = Vec::new();
        let mut pod = DindPod::new().set_rootless(self.rootless.unwrap_or(false));
        match self.transport.as_deref().map(TransportKind::parse) {
            None => {}
            Some(Ok(kind)) => {
                pod = pod.transport(match kind {
                    TransportKind::Unix => Transport::unix(),
                    TransportKind::Tcp => Transport::tcp(),
                    TransportKind::Tls => Transport::tls(),
                    TransportKind::InContainer => Transport::InContainer,
                });
            }
            Some(Err(e)) => errors.push(Diagnostic::input("transport", e)),
        }
        match self.engine.as_deref().map(Engine::parse) {
            Some(Ok(e)) => pod = pod.engine(e),
            Some(Err(e)) => errors.push(Diagnostic::input("engine", e)),
            None => {}
        }
        if let Some(v) = &self.buildkit_version {
            pod = pod.buildkit_version(v);
        }
        if let Some(p) = self.port {
            pod = pod.port(p);
        }
        match self.runtime.as_deref().map(Runtime::parse) {
            Some(Ok(r)) => pod = pod.runtime(r),
            Some(Err(e)) => errors.push(Diagnostic::input("runtime", e)),
            None => {}
        }
        match self.user_namespace.as_deref().map(UserNamespace::parse) {
            Some(Ok(u)) => pod = pod.user_namespace(u),
            Some(Err(e)) => errors.push(Diagnostic::input("user_namespace", e)),
            None => {}
        }
        if let Some(secret) = &self.registry_auth {
            pod = pod.registry_auth(secret);
        }
        if let Some(s) = &self.socket {
            pod = pod.socket(s);
        }
        if let Some(v) = &self.docker_version {
            pod = pod.docker_version(v);
        }
        if let Some(i) = &self.image {
            pod = pod.image(i);
        }
        if let Some(m) = self.mtu {
            pod = pod.mtu(m);
        }
        for m in self.registry_mirrors.iter().flatten() {
            pod = pod.registry_mirror(m);
        }
        for h in self.insecure_registries.iter().flatten() {
            pod = pod.insecure_registry(h);
        }
        if self.native_sidecar == Some(true) {
            pod = pod.native_sidecar();
        }
        if let Some(s) = &self.storage_size {
            pod = pod.storage_size(s);
        }
        if let Some(k) = &self.kube_version {
            pod = pod.kube_version(k);
        }
        match self.probe {
            Some(ProbeSetting::Enabled(false)) => pod = pod.no_probe(),
            Some(ProbeSetting::Budget(b)) => pod = pod.probe(Probe::startup().budget(b)),
            _ => {}
        }
        for c in self.clients.iter().flatten() {
            let mut client = Client::new(&c.name);
            if let Some(i) = &c.image {
                client = client.image(i);
            }
            for (k, v) in &c.env {
                client = client.env(k, v);
            }
            if let Some(cmd) = &c.command {
                client = client.command(cmd.clone());
            }
            if let Some(q) = &c.memory_request {
                client = client.memory_request(q);
            }
            if let Some(q) = &c.memory_limit {
                client = client.memory_limit(q);
            }
            if let Some(q) = &c.cpu_request {
                client = client.cpu_request(q);
            }
            if let Some((uid, gid)) = c.run_as {
                client = client.run_as(uid, gid);
            }
            pod = pod.client(client);
        }
        for (k, v) in self.env.iter().flatten() {
            pod = pod.env(k, v);
        }
        for a in self.daemon_args.iter().flatten() {
            pod = pod.daemon_arg(a);
        }
        for (k, v) in self.daemon_env.iter().flatten() {
            pod = pod.daemon_env(k, v);
        }
        if self.iptables_legacy == Some(true) {
            pod = pod.iptables_legacy();
        }
        if let Some(q) = &self.memory_request {
            pod = pod.memory_request(q);
        }
        if let Some(q) = &self.memory_limit {
            pod = pod.memory_limit(q);
        }
        if self.insecure_tcp_all_interfaces == Some(true) {
            pod = pod.insecure_tcp_all_interfaces();
        }
        if let Some(n) = &self.name {
            pod = pod.name(n);
        }
        if let Some(n) = &self.namespace {
            pod = pod.namespace(n);
        }
        for (k, v) in self.labels.iter().flatten() {
            pod = pod.label(k, v);
        }
        for (k, v) in self.annotations.iter().flatten() {
            pod = pod.annotation(k, v);
        }
        if let Some(s) = &self.service_account {
            pod = pod.service_account(s);
        }
        if let Some(t) = self.service_account_token {
            pod = pod.service_account_token(t);
        }
        for (k, v) in self.node_selector.iter().flatten() {
            pod = pod.node_selector(k, v);
        }
        if let Some(s) = self.active_deadline_seconds {
            pod = pod.active_deadline_seconds(s);
        }
        if errors.is_empty() {
            Ok(pod)
        } else {
            Err(Diagnostics::new(errors))
        }
    }
}

/// The JSON Schema of the settings file (`dind schema`), derived from [`Settings`].
///
/// ```
/// let schema = dind_core::config::settings_schema();
/// assert_eq!(schema["properties"]["transport"]["enum"][0], "unix");
/// assert_eq!(schema["additionalProperties"], false);
/// ```
pub fn settings_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Settings)).unwrap_or_default()
}
