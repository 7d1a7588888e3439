//! Client containers: where the build steps run.

/// A container that runs build steps against the daemon.
///
/// ```
/// use dind_core::Client;
/// let c = Client::new("build").image("docker:29.7.2-cli").env("BUILDKIT_PROGRESS", "plain").run_as(1000, 1000);
/// assert_eq!(c.name(), "build");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub(crate) name: String,
    pub(crate) image: Option<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) command: Option<Vec<String>>,
    pub(crate) memory_request: Option<String>,
    pub(crate) memory_limit: Option<String>,
    pub(crate) cpu_request: Option<String>,
    pub(crate) mounts: Vec<Mount>,
    pub(crate) run_as: Option<(i64, i64)>,
}

/// An extra emptyDir a client mounts: the builder registers the volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// The volume's name (shared between clients that use the same name).
    pub volume: String,
    /// Where it is mounted.
    pub path: String,
}

impl Client {
    /// A client named `name` (an RFC 1123 label) running the CLI image that matches the daemon.
    pub fn new(name: impl Into<String>) -> Self {
        Client {
            name: name.into(),
            image: None,
            env: Vec::new(),
            command: None,
            memory_request: None,
            memory_limit: None,
            cpu_request: None,
            mounts: Vec::new(),
            run_as: None,
        }
    }

    /// The container name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The image; by default `docker:<daemon version>-cli` from the daemon's repository.
    #[must_use]
    pub fn image(mut self, image: impl Into<String>) -> Self {
        self.image = Some(image.into());
        self
    }

    /// Adds an environment variable (the transport's `DOCKER_*` variables are set for you).
    #[must_use]
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// The command that keeps the container alive; `[sleep, 99d]` by default. It must not exit
    /// while the agent runs (Jenkins ends the agent when any container terminates).
    #[must_use]
    pub fn command<I, S>(mut self, command: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.command = Some(command.into_iter().map(Into::into).collect());
        self
    }

    /// A memory request such as `512Mi`.
    #[must_use]
    pub fn memory_request(mut self, quantity: impl Into<String>) -> Self {
        self.memory_request = Some(quantity.into());
        self
    }

    /// A memory limit such as `2Gi`.
    #[must_use]
    pub fn memory_limit(mut self, quantity: impl Into<String>) -> Self {
        self.memory_limit = Some(quantity.into());
        self
    }

    /// A CPU request such as `500m`.
    #[must_use]
    pub fn cpu_request(mut self, quantity: impl Into<String>) -> Self {
        self.cpu_request = Some(quantity.into());
        self
    }

    /// Mounts an emptyDir named `volume` at `path`, registering the volume in the pod.
    #[must_use]
    pub fn mount(mut self, path: impl Into<String>, volume: impl Into<String>) -> Self {
        self.mounts.push(Mount {
            volume: volume.into(),
            path: path.into(),
        });
        self
    }

    /// Runs the client as a non-root `uid`/`gid` (Jenkins' agent is 1000:1000). The builder gives
    /// it access to the daemon's socket through a supplemental group.
    #[must_use]
    pub fn run_as(mut self, uid: i64, gid: i64) -> Self {
        self.run_as = Some((uid, gid));
        self
    }
}
