//! The model: [`DindPod`], a typed builder for a Docker-in-Docker build pod, and its parts.

mod client;
mod modes;
mod probe;
mod storage;
mod transport;

pub use client::{Client, Mount};
pub use modes::{CRIO_USERNS_ANNOTATION, CRIO_USERNS_MODE, Engine, Runtime, SYSBOX_RUNTIME_CLASS, UserNamespace};
pub use probe::{DEFAULT_PROBE_BUDGET, MIN_PROBE_BUDGET, Probe};
pub use storage::Storage;
pub use transport::{DAEMON_SOCKET_DIR, DEFAULT_CLIENT_SOCKET, PLAINTEXT_PORT, TLS_PORT, Transport, TransportKind};

use std::collections::BTreeMap;

use crate::{Built, Diagnostics, JenkinsPod};

/// The default memory request of the daemon: image builds are memory-hungry and an OOMKilled
/// daemon ends the build.
pub const DEFAULT_DAEMON_MEMORY_REQUEST: &str = "1Gi";

/// A Docker-in-Docker build pod, described by what it must do; [`DindPod::build`] turns it into a
/// validated `k8s_openapi` Pod.
///
/// Defaults are the recommended pod: a pinned `docker:<newest>-dind` daemon serving a unix socket
/// on a shared emptyDir (no network listener), a `docker` client that sees it at
/// `/var/run/docker.sock`, a one-second startup probe running `docker info`, an emptyDir at the
/// data root and a memory request.
///
/// ```
/// use dind_core::{Client, DindPod, Probe, Transport};
///
/// let built = DindPod::new()
///     .transport(Transport::Unix(Some("/dind-only/docker.sock".into())))
///     .rootless()
///     .probe(Probe::startup())
///     .client(Client::new("docker"))
///     .build()
///     .expect("a valid pod");
/// let daemon = &built.pod().spec.as_ref().unwrap().containers[0];
/// assert_eq!(daemon.image.as_deref(), Some("docker:29.7.2-dind-rootless"));
/// assert!(built.to_yaml().contains("--host=unix:///dind-only/docker.sock"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DindPod {
    pub(crate) transport: Option<Transport>,
    pub(crate) port: Option<u32>,
    pub(crate) socket: Option<String>,
    pub(crate) rootless: bool,
    pub(crate) image: Option<String>,
    pub(crate) docker_version: Option<String>,
    pub(crate) probe: Option<Probe>,
    pub(crate) no_probe: bool,
    pub(crate) clients: Vec<Client>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) mtu: Option<u32>,
    pub(crate) registry_mirrors: Vec<String>,
    pub(crate) insecure_registries: Vec<String>,
    pub(crate) daemon_args: Vec<String>,
    pub(crate) daemon_env: Vec<(String, String)>,
    pub(crate) iptables_legacy: bool,
    pub(crate) native_sidecar: bool,
    pub(crate) kube_version: Option<String>,
    pub(crate) storage: Storage,
    pub(crate) memory_request: Option<String>,
    pub(crate) memory_limit: Option<String>,
    pub(crate) insecure_tcp_all_interfaces: bool,
    pub(crate) service_account_token: Option<bool>,
    pub(crate) runtime: Runtime,
    pub(crate) user_namespace: Option<UserNamespace>,
    pub(crate) engine: Engine,
    pub(crate) buildkit_version: Option<String>,
    pub(crate) registry_auth: Option<String>,
    pub(crate) meta: PodMeta,
}

/// Pod-level fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PodMeta {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub service_account: Option<String>,
    pub node_selector: BTreeMap<String, String>,
    pub tolerations: Vec<k8s_openapi::api::core::v1::Toleration>,
    pub active_deadline_seconds: Option<i64>,
}

impl DindPod {
    /// The recommended pod; change it with the methods below.
    pub fn new() -> Self {
        DindPod::default()
    }

    /// How clients reach the daemon (default: [`Transport::Unix`] at the default path).
    #[must_use]
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The TCP port of the `tcp` or `tls` transport (1..=65535), overriding the transport's own.
    /// Checked in [`DindPod::build`]: out of range, or with another transport, is an error.
    #[must_use]
    pub fn port(mut self, port: u32) -> Self {
        self.port = Some(port);
        self
    }

    /// The socket path of the `unix` transport (absolute, at most 107 bytes), e.g.
    /// `/dind-only/docker.sock`. Checked in [`DindPod::build`].
    #[must_use]
    pub fn socket(mut self, path: impl Into<String>) -> Self {
        self.socket = Some(path.into());
        self
    }

    /// The container runtime (default [`Runtime::Runc`], a privileged daemon).
    /// [`Runtime::Sysbox`] runs the plain dind image without `privileged`: the pod gets
    /// `runtimeClassName: sysbox-runc` and its own user namespace, and Sysbox mounts the data root
    /// itself. It needs Sysbox on the nodes and Kubernetes >= 1.30; rootless adds nothing under it
    /// (Sysbox cannot nest rootlesskit's user namespace) and is refused.
    ///
    /// ```
    /// use dind_core::{DindPod, Runtime};
    /// let built = DindPod::new().runtime(Runtime::Sysbox).build()?;
    /// let spec = built.pod().spec.as_ref().unwrap();
    /// assert_eq!(spec.runtime_class_name.as_deref(), Some("sysbox-runc"));
    /// assert_eq!(spec.host_users, Some(false));
    /// assert!(built.to_yaml().find("privileged").is_none());
    /// # Ok::<(), dind_core::Diagnostics>(())
    /// ```
    #[must_use]
    pub fn runtime(mut self, runtime: Runtime) -> Self {
        self.runtime = runtime;
        self
    }

    /// The build engine (default [`Engine::Docker`]). [`Engine::Buildkit`] runs a pinned
    /// rootless `buildkitd` (`moby/buildkit:<v>-rootless`, no `privileged`, nothing on the nodes)
    /// on a unix socket shared with its clients, which get `buildctl` (`BUILDKIT_HOST`) from the
    /// same image. It only builds and pushes: `docker run` and compose need the docker engine.
    /// The transport, `rootless`, `docker_version` and the dockerd options do not apply to it.
    ///
    /// ```
    /// use dind_core::{DindPod, Engine};
    /// let built = DindPod::new().engine(Engine::Buildkit).build()?;
    /// let daemon = &built.pod().spec.as_ref().unwrap().containers[0];
    /// assert_eq!(daemon.image.as_deref(), Some("moby/buildkit:v0.32.2-rootless"));
    /// assert!(daemon.command.is_none() && built.to_yaml().find("privileged").is_none());
    /// # Ok::<(), dind_core::Diagnostics>(())
    /// ```
    #[must_use]
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// The BuildKit release of [`Engine::Buildkit`]: a line (`"0.32"`) selects its newest known
    /// patch; a full version (`"0.32.2"`) is used as is. Default: the newest known release.
    #[must_use]
    pub fn buildkit_version(mut self, version: impl Into<String>) -> Self {
        self.buildkit_version = Some(version.into());
        self
    }

    /// Registry credentials for pushes and private pulls: the name of a
    /// `kubernetes.io/dockerconfigjson` Secret in the pod's namespace. Every client (and, with
    /// [`Transport::InContainer`], the daemon container where the steps run) gets its
    /// `.dockerconfigjson` as a read-only `config.json` in `DOCKER_CONFIG=/etc/docker-config`, an
    /// emptyDir so the CLI can still write beside it (not under `/tmp`, which the image's
    /// `hack/dind` covers with a tmpfs). `docker push`, `docker buildx` and `buildctl` read it
    /// there. The credentials never appear in the pod: no env value, nothing in the YAML.
    ///
    /// ```
    /// use dind_core::DindPod;
    /// let built = DindPod::new().registry_auth("registry-credentials").build()?;
    /// let yaml = built.to_yaml();
    /// assert!(yaml.contains("secretName: registry-credentials"));
    /// assert!(yaml.contains("mountPath: /etc/docker-config/config.json"));
    /// # Ok::<(), dind_core::Diagnostics>(())
    /// ```
    #[must_use]
    pub fn registry_auth(mut self, secret: impl Into<String>) -> Self {
        self.registry_auth = Some(secret.into());
        self
    }

    /// How a [`Runtime::Sysbox`] pod gets its user namespace (default
    /// [`UserNamespace::Kubernetes`], `hostUsers: false`). Given with another runtime, it is an
    /// error.
    #[must_use]
    pub fn user_namespace(mut self, user_namespace: UserNamespace) -> Self {
        self.user_namespace = Some(user_namespace);
        self
    }

    /// Runs the rootless image (`docker:<v>-dind-rootless`) as uid 1000. It is still privileged.
    #[must_use]
    pub fn rootless(mut self) -> Self {
        self.rootless = true;
        self
    }

    /// Sets or clears rootless mode.
    #[must_use]
    pub fn set_rootless(mut self, rootless: bool) -> Self {
        self.rootless = rootless;
        self
    }

    /// The daemon image, overriding `docker_version` (e.g. a mirror: `registry.example.com/docker:29.7.2-dind`).
    #[must_use]
    pub fn image(mut self, image: impl Into<String>) -> Self {
        self.image = Some(image.into());
        self
    }

    /// The Docker release: a line (`"29"`, `"20.10"`) selects its newest known patch; a full version
    /// is used as is. Default: the newest known release.
    #[must_use]
    pub fn docker_version(mut self, version: impl Into<String>) -> Self {
        self.docker_version = Some(version.into());
        self
    }

    /// The startup probe (on by default).
    #[must_use]
    pub fn probe(mut self, probe: Probe) -> Self {
        self.probe = Some(probe);
        self.no_probe = false;
        self
    }

    /// No startup probe (DIND010 warns unless the daemon is a native sidecar).
    #[must_use]
    pub fn no_probe(mut self) -> Self {
        self.probe = None;
        self.no_probe = true;
        self
    }

    /// Adds a client container. Without any, a client named `docker` is added (except with
    /// [`Transport::InContainer`]).
    #[must_use]
    pub fn client(mut self, client: Client) -> Self {
        self.clients.push(client);
        self
    }

    /// An environment variable for every client (with [`Transport::InContainer`], for the daemon
    /// container, where the steps run).
    #[must_use]
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// The inner MTU (68..=65535), below the pod network's: `--mtu` and the default bridge network
    /// option, or `DOCKERD_ROOTLESS_ROOTLESSKIT_MTU` when rootless.
    #[must_use]
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }

    /// Adds a `--registry-mirror`.
    #[must_use]
    pub fn registry_mirror(mut self, url: impl Into<String>) -> Self {
        self.registry_mirrors.push(url.into());
        self
    }

    /// Adds an `--insecure-registry`.
    #[must_use]
    pub fn insecure_registry(mut self, host: impl Into<String>) -> Self {
        self.insecure_registries.push(host.into());
        self
    }

    /// Adds an extra dockerd flag (checked: listeners belong to the transport).
    #[must_use]
    pub fn daemon_arg(mut self, arg: impl Into<String>) -> Self {
        self.daemon_args.push(arg.into());
        self
    }

    /// Adds an environment variable to the daemon container.
    #[must_use]
    pub fn daemon_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.daemon_env.push((name.into(), value.into()));
        self
    }

    /// Sets `DOCKER_IPTABLES_LEGACY=1` for nodes whose nf_tables support fails.
    #[must_use]
    pub fn iptables_legacy(mut self) -> Self {
        self.iptables_legacy = true;
        self
    }

    /// Runs the daemon as a native sidecar (`initContainers`, `restartPolicy: Always`), Kubernetes >= 1.29.
    #[must_use]
    pub fn native_sidecar(mut self) -> Self {
        self.native_sidecar = true;
        self
    }

    /// The Kubernetes minor the pod targets (`"1.33"`); default: the newest supported.
    #[must_use]
    pub fn kube_version(mut self, version: impl Into<String>) -> Self {
        self.kube_version = Some(version.into());
        self
    }

    /// Options of the data-root emptyDir.
    #[must_use]
    pub fn storage(mut self, storage: Storage) -> Self {
        self.storage = storage;
        self
    }

    /// Shorthand for a data-root `sizeLimit` (`storage_size` in config files, `--storage-size`).
    #[must_use]
    pub fn storage_size(mut self, quantity: impl Into<String>) -> Self {
        self.storage.size_limit = Some(quantity.into());
        self
    }

    /// The daemon's memory request (default `1Gi`).
    #[must_use]
    pub fn memory_request(mut self, quantity: impl Into<String>) -> Self {
        self.memory_request = Some(quantity.into());
        self
    }

    /// The daemon's memory limit (none by default).
    #[must_use]
    pub fn memory_limit(mut self, quantity: impl Into<String>) -> Self {
        self.memory_limit = Some(quantity.into());
        self
    }

    /// Binds plaintext TCP on `0.0.0.0` instead of loopback. This hands root on the node to any pod
    /// that can reach this one; it is reported as DIND006 and recorded in a `dind/allow` annotation.
    #[must_use]
    pub fn insecure_tcp_all_interfaces(mut self) -> Self {
        self.insecure_tcp_all_interfaces = true;
        self
    }

    /// `metadata.name` of the manifest (default `dind`). Jenkins agents ([`DindPod::build_jenkins`])
    /// leave it out unless given: the plugin names its pods.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.meta.name = Some(name.into());
        self
    }

    /// `metadata.namespace`.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.meta.namespace = Some(namespace.into());
        self
    }

    /// Adds a label.
    #[must_use]
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.labels.insert(key.into(), value.into());
        self
    }

    /// Adds an annotation.
    #[must_use]
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.annotations.insert(key.into(), value.into());
        self
    }

    /// `spec.serviceAccountName`. The pod then mounts the account's token unless
    /// [`DindPod::service_account_token`] says otherwise.
    #[must_use]
    pub fn service_account(mut self, name: impl Into<String>) -> Self {
        self.meta.service_account = Some(name.into());
        self
    }

    /// Whether the pod mounts a service account token (`automountServiceAccountToken`). Off by
    /// default: a build pod rarely talks to the Kubernetes API, and a privileged daemon beside a
    /// token is a bad pair. On by default when a [`DindPod::service_account`] is given.
    #[must_use]
    pub fn service_account_token(mut self, mount: bool) -> Self {
        self.service_account_token = Some(mount);
        self
    }

    /// Adds a `nodeSelector` entry.
    #[must_use]
    pub fn node_selector(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.node_selector.insert(key.into(), value.into());
        self
    }

    /// Adds a toleration.
    #[must_use]
    pub fn toleration(mut self, toleration: k8s_openapi::api::core::v1::Toleration) -> Self {
        self.meta.tolerations.push(toleration);
        self
    }

    /// `spec.activeDeadlineSeconds`: the pod is killed after this many seconds.
    #[must_use]
    pub fn active_deadline_seconds(mut self, seconds: i64) -> Self {
        self.meta.active_deadline_seconds = Some(seconds);
        self
    }

    /// Checks the input, lowers it to a Pod manifest (named, ready for `kubectl apply`) and runs
    /// every rule on the result.
    ///
    /// Returns the pod with its warnings, or every error at once: input errors (with the setting's
    /// name as path) and any error-level finding of the rules.
    pub fn build(&self) -> Result<Built, Diagnostics> {
        crate::build::build(self, crate::build::Shape::Manifest).map(Built::from_output)
    }

    /// Like [`DindPod::build`], shaped for a Jenkins agent: no name (the plugin names its pods),
    /// and a native-sidecar daemon mounts the agent workspace at `/home/jenkins/agent` (the plugin
    /// mounts it only into `containers`). Render it as a Jenkinsfile, JCasC or plain YAML for
    /// `yamlFile`.
    ///
    /// ```
    /// let agent = dind_core::DindPod::new().build_jenkins()?;
    /// assert!(agent.pod().metadata.name.is_none());
    /// assert!(agent.scripted(&Default::default())?.contains("podTemplate("));
    /// # Ok::<(), dind_core::Diagnostics>(())
    /// ```
    pub fn build_jenkins(&self) -> Result<JenkinsPod, Diagnostics> {
        crate::build::build(self, crate::build::Shape::Jenkins).map(JenkinsPod::from_output)
    }
}
