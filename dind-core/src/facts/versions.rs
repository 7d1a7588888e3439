//! Version numbers: [`DockerVersion`] (major.minor.patch) and [`KubeVersion`] (1.NN).

use std::fmt;

/// A Docker Engine version. Pre-CalVer lines keep their numbering: `19.03.15` is (19, 3, 15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DockerVersion {
    /// Major (`29`, `20`).
    pub major: u32,
    /// Minor (`7`, `10`).
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl DockerVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        DockerVersion { major, minor, patch }
    }

    /// Reads a version from an image tag such as `29.7.2-dind`, `20.10-dind-rootless`, `29-cli`
    /// or `19.03.15`; `None` for floating tags (`dind`, `latest`).
    ///
    /// ```
    /// use dind_core::facts::DockerVersion;
    /// assert_eq!(DockerVersion::from_tag("20.10.27-dind"), Some(DockerVersion::new(20, 10, 27)));
    /// assert_eq!(DockerVersion::from_tag("dind"), None);
    /// ```
    pub fn from_tag(tag: &str) -> Option<DockerVersion> {
        let head = tag.split('-').next()?;
        let mut nums = head.split('.').map(|p| p.parse::<u32>().ok());
        let major = nums.next()??;
        let minor = nums.next().unwrap_or(Some(0))?;
        let patch = nums.next().unwrap_or(Some(0))?;
        Some(DockerVersion::new(major, minor, patch))
    }
}

impl fmt::Display for DockerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.major < 23 {
            write!(f, "{}.{:02}.{}", self.major, self.minor, self.patch)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

/// A Kubernetes minor version, `1.NN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    /// Always 1 today.
    pub major: u32,
    /// The minor.
    pub minor: u32,
}

impl KubeVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32) -> Self {
        KubeVersion { major, minor }
    }

    /// Parses `1.33` (also `v1.33`, `1.33.2`) and checks that dind supports it.
    ///
    /// ```
    /// use dind_core::facts::KubeVersion;
    /// assert_eq!(KubeVersion::parse("1.33").unwrap(), KubeVersion::new(1, 33));
    /// assert!(KubeVersion::parse("1.12").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<KubeVersion, String> {
        if let Some(problem) = dind_facts::kube_version_problem(text) {
            return Err(problem);
        }
        let minor = dind_facts::kube_minor(text).unwrap_or(dind_facts::KUBE_NEWEST_MINOR);
        Ok(KubeVersion::new(dind_facts::KUBE_MAJOR, minor))
    }

    /// Every supported minor, oldest first.
    pub fn all() -> impl Iterator<Item = KubeVersion> {
        let (o, n) = (super::kube::OLDEST, super::kube::NEWEST);
        (o.minor..=n.minor).map(move |m| KubeVersion::new(o.major, m))
    }

    /// Whether native sidecars are available.
    pub fn has_native_sidecars(self) -> bool {
        self >= super::kube::NATIVE_SIDECAR
    }

    /// Whether the API server accepts any printable ASCII but `=` in environment variable names
    /// (from 1.32; before, `[-._a-zA-Z][-._a-zA-Z0-9]*`).
    pub fn has_relaxed_env_names(self) -> bool {
        self.minor >= dind_facts::RELAXED_ENV_NAMES_MINOR
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        super::kube::NEWEST
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}
