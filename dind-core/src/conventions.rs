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
/// The longest unix socket path (`sun_path` is 108 bytes with the terminator).
pub const MAX_SOCKET_PATH: usize = 107;
/// The CLI configuration directory of non-root clients (their `HOME` is `/` without a passwd
/// entry, which they cannot write).
pub const CLIENT_DOCKER_CONFIG: &str = "/tmp/.docker";
