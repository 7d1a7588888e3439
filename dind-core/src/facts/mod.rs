//! Release facts compiled from `data/*.toml`: Docker Engine lines and behaviours, Kubernetes
//! minors, and the image names dind uses.

mod buildkit;
mod image;
mod versions;

pub use buildkit::{BuildkitImage, BuildkitRelease, BuildkitVersion, latest_buildkit, resolve_buildkit_version};

pub use image::{DockerImage, ImageRole};
pub use versions::{DockerVersion, KubeVersion};

/// The spellings of the modes, shared by the flags, the settings keys and the derive literals.
pub use dind_facts::{ENGINES, RUNTIMES, TRANSPORTS, USER_NAMESPACES};

/// A Docker Engine release line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Release {
    /// The line as tagged (`"29"`, `"20.10"`).
    pub line: &'static str,
    /// The newest patch release known.
    pub latest: DockerVersion,
    /// Whether upstream still maintains it.
    pub maintained: bool,
}

include!(concat!(env!("OUT_DIR"), "/releases.rs"));

/// Kubernetes minors dind targets (from `dind-facts`).
pub mod kube {
    use super::KubeVersion;

    /// The oldest Kubernetes minor dind targets.
    pub const OLDEST: KubeVersion = KubeVersion::new(dind_facts::KUBE_MAJOR, dind_facts::KUBE_OLDEST_MINOR);
    /// The newest Kubernetes minor dind targets (the default target).
    pub const NEWEST: KubeVersion = KubeVersion::new(dind_facts::KUBE_MAJOR, dind_facts::KUBE_NEWEST_MINOR);
    /// The first minor with native sidecars on by default.
    pub const NATIVE_SIDECAR: KubeVersion = KubeVersion::new(dind_facts::KUBE_MAJOR, dind_facts::NATIVE_SIDECAR_MINOR);
    /// The first minor that serves `hostUsers` as beta (off by default until [`HOST_USERS_DEFAULT`]).
    pub const HOST_USERS: KubeVersion = KubeVersion::new(dind_facts::KUBE_MAJOR, dind_facts::HOST_USERS_BETA_MINOR);
    /// The first minor with user namespaces on by default.
    pub const HOST_USERS_DEFAULT: KubeVersion =
        KubeVersion::new(dind_facts::KUBE_MAJOR, dind_facts::HOST_USERS_DEFAULT_MINOR);
    /// The first minor with the `appArmorProfile` field (before it, the annotation).
    pub const APPARMOR_FIELD: KubeVersion = KubeVersion::new(dind_facts::KUBE_MAJOR, dind_facts::APPARMOR_FIELD_MINOR);
}

/// The newest known Docker release: what default images are pinned to.
pub fn latest_docker() -> DockerVersion {
    RELEASES[0].latest
}

/// Resolves what a user wrote for `docker_version` (`"29"`, `"29.7"`, `"29.7.2"`, `"20.10"`)
/// to a full version: a line selects its newest known patch, a full version is taken as is.
///
/// ```
/// use dind_core::facts::resolve_docker_version;
/// assert_eq!(resolve_docker_version("29").unwrap().to_string(), "29.7.2");
/// assert_eq!(resolve_docker_version("27.3.1").unwrap().to_string(), "27.3.1");
/// assert!(resolve_docker_version("banana").is_err());
/// ```
pub fn resolve_docker_version(text: &str) -> Result<DockerVersion, String> {
    let text = text.trim();
    let parts: Vec<&str> = text.split('.').collect();
    let valid = !text.is_empty()
        && parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 4);
    if !valid {
        return Err(format!(
            "`{text}` is not a Docker version (expected e.g. `29`, `29.7` or `29.7.2`)"
        ));
    }
    let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if nums.len() == 3 {
        return Ok(DockerVersion::new(nums[0], nums[1], nums[2]));
    }
    let found = RELEASES.iter().find(|r| {
        let l = r.latest;
        match nums.as_slice() {
            [major] => l.major == *major,
            [major, minor] => l.major == *major && l.minor == *minor,
            _ => false,
        }
    });
    match found {
        Some(r) => Ok(r.latest),
        None => {
            let known: Vec<&str> = RELEASES.iter().map(|r| r.line).collect();
            Err(format!(
                "Docker `{text}` is not a known release line; give a full version (e.g. `{text}.0.0`) or one of: {}",
                known.join(", ")
            ))
        }
    }
}

impl DockerVersion {
    /// Whether this version has a behaviour from `data/docker-releases.toml`.
    ///
    /// ```
    /// use dind_core::facts::{Behaviour, DockerVersion};
    /// assert!(DockerVersion::new(19, 3, 15).has(Behaviour::RootlessNeedsExperimental));
    /// assert!(!DockerVersion::new(20, 10, 0).has(Behaviour::RootlessNeedsExperimental));
    /// ```
    pub fn has(self, behaviour: Behaviour) -> bool {
        let (since, until) = behaviour.span();
        self >= since && until.is_none_or(|u| self < u)
    }
}
