//! Names and paths the generated pods use, in one place.

/// The daemon container's name.
pub const DAEMON_NAME: &str = "dind";
/// The default client's name.
pub const DEFAULT_CLIENT: &str = "docker";
/// The data-root volume.
pub const STORAGE_VOLUME: &str = "dind-storage";
/// The socket volume.
pub const SOCKET_VOLUME: &str = "dind-socket";
/// The client certificates volume.
pub const CERTS_VOLUME: &str = "dind-certs";
/// The Jenkins agent workspace volume (the plugin's own name).
pub const WORKSPACE_VOLUME: &str = "workspace-volume";
/// The Jenkins plugin's agent container name (`KubernetesCloud.JNLP_NAME`).
pub const JENKINS_AGENT_CONTAINER: &str = "jnlp";
/// Where the Jenkins plugin mounts the workspace.
pub const JENKINS_WORKSPACE: &str = "/home/jenkins/agent";
/// The rootful data root.
pub const DATA_ROOT: &str = "/var/lib/docker";
/// The rootless data root.
pub const ROOTLESS_DATA_ROOT: &str = "/home/rootless/.local/share/docker";
/// The rootless image's uid and gid.
pub const ROOTLESS_UID: i64 = 1000;
/// The entrypoint's certificate directory.
pub const CERT_DIR: &str = "/certs";
/// The client certificates, shared with clients.
pub const CLIENT_CERTS: &str = "/certs/client";
/// The group that owns the daemon socket when non-root clients need it (`--group`).
pub const SOCKET_GID: i64 = 2375;
/// The annotation that lists rule codes a pod's author accepted (`DIND006,DIND021`).
pub const ALLOW_ANNOTATION: &str = "dind/allow";
/// The longest unix socket path (`sun_path` is 108 bytes with the terminator): the one fact of
/// `dind-facts`, re-exported where the conventions are.
pub use dind_facts::MAX_SOCKET_PATH;
/// The CLI configuration directory of non-root clients (their `HOME` is `/` without a passwd
/// entry, which they cannot write).
pub const CLIENT_DOCKER_CONFIG: &str = "/tmp/.docker";
/// The BuildKit daemon container's name.
pub const BUILDKIT_NAME: &str = "buildkitd";
/// The default BuildKit client's name.
pub const BUILDKIT_CLIENT: &str = "buildctl";
/// The BuildKit state volume.
pub const BUILDKIT_STATE_VOLUME: &str = "buildkit-state";
/// The BuildKit socket volume.
pub const BUILDKIT_SOCKET_VOLUME: &str = "buildkit-socket";
/// Where buildkitd serves its socket: a shared emptyDir at `/run/buildkit` (buildctl's own
/// default address), outside `$XDG_RUNTIME_DIR/buildkit`, which rootless buildkitd makes 0700.
pub const BUILDKIT_SOCKET: &str = "/run/buildkit/buildkitd.sock";
/// The BuildKit state directory of the rootless image (its `VOLUME`), an emptyDir in our pods.
pub const BUILDKIT_STATE: &str = "/home/user/.local/share/buildkit";
/// The volume that holds the registry credentials Secret (`registry_auth`).
pub const REGISTRY_AUTH_VOLUME: &str = "registry-auth";
/// The writable CLI configuration directory of clients that get registry credentials: an
/// emptyDir, so that `config.json` can be mounted into it while the CLI (buildx state, contexts)
/// still writes beside it.
pub const DOCKER_CONFIG_VOLUME: &str = "docker-config";
/// `DOCKER_CONFIG` of every container that gets registry credentials: an emptyDir with the
/// Secret's `config.json` mounted into it. Not under `/tmp`, which `hack/dind` covers with a tmpfs
/// in the daemon container (the `in-container` transport runs steps there).
pub const REGISTRY_DOCKER_CONFIG: &str = "/etc/docker-config";
/// The key of a `kubernetes.io/dockerconfigjson` Secret.
pub const DOCKERCONFIGJSON_KEY: &str = ".dockerconfigjson";
