//! BuildKit's release facts and image references (`moby/buildkit`, moby/buildkit's Dockerfile):
//! tags `vX.Y.Z` (rootful, entrypoint `buildkitd`) and `vX.Y.Z-rootless` (user `user`, uid 1000,
//! entrypoint `rootlesskit buildkitd`, state in `/home/user/.local/share/buildkit`); floating
//! tags `latest`, `rootless`, `master`, `master-rootless`, `buildx-stable-1`, `nightly`.

use std::fmt;

use super::DockerImage;

/// A BuildKit version (`0.32.2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BuildkitVersion {
    /// Major (`0`).
    pub major: u32,
    /// Minor (`32`).
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl BuildkitVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        BuildkitVersion { major, minor, patch }
    }
}

impl fmt::Display for BuildkitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A BuildKit release line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuildkitRelease {
    /// The line (`"0.32"`).
    pub line: &'static str,
    /// Its newest known patch.
    pub latest: BuildkitVersion,
}

/// The newest known BuildKit release: what the default `buildkitd` image is pinned to.
pub fn latest_buildkit() -> BuildkitVersion {
    super::BUILDKIT_RELEASES[0].latest
}

/// Resolves `buildkit_version` (`"0.32"`, `"0.32.2"`, `"v0.32.2"`) to a full version: a line
/// selects its newest known patch, a full version is taken as is.
///
/// ```
/// use dind_core::facts::resolve_buildkit_version;
/// assert_eq!(resolve_buildkit_version("0.32").unwrap().to_string(), "0.32.2");
/// assert_eq!(resolve_buildkit_version("v0.31.1").unwrap().to_string(), "0.31.1");
/// assert!(resolve_buildkit_version("0.9").unwrap_err().contains("0.32"));
/// ```
pub fn resolve_buildkit_version(text: &str) -> Result<BuildkitVersion, String> {
    let t = text.trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    let nums: Option<Vec<u32>> = t
        .split('.')
        .map(|p| (!p.is_empty() && p.len() <= 4).then(|| p.parse().ok()).flatten())
        .collect();
    match nums.as_deref() {
        Some([major, minor, patch]) => Ok(BuildkitVersion::new(*major, *minor, *patch)),
        Some([major, minor]) => super::BUILDKIT_RELEASES
            .iter()
            .find(|r| r.latest.major == *major && r.latest.minor == *minor)
            .map(|r| r.latest)
            .ok_or_else(|| {
                let known: Vec<&str> = super::BUILDKIT_RELEASES.iter().map(|r| r.line).collect();
                format!(
                    "BuildKit `{text}` is not a known release line; give a full version (e.g. `{t}.0`) or one of: {}",
                    known.join(", ")
                )
            }),
        _ => Err(format!(
            "`{text}` is not a BuildKit version (expected e.g. `0.32` or `0.32.2`)"
        )),
    }
}

/// A `moby/buildkit` image reference, read from its tag.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuildkitImage {
    /// The reference, split.
    pub image: DockerImage,
}

/// Tags of `moby/buildkit` that move.
const FLOATING: &[&str] = &["latest", "rootless", "master", "nightly", "buildx-stable-1"];

impl BuildkitImage {
    /// Reads an image reference; `None` when it is not `moby/buildkit` (or a mirror of it whose
    /// path ends in `moby/buildkit`).
    ///
    /// ```
    /// use dind_core::facts::BuildkitImage;
    /// let i = BuildkitImage::parse("moby/buildkit:v0.32.2-rootless").unwrap();
    /// assert!(i.rootless() && i.is_pinned());
    /// assert!(BuildkitImage::parse("moby/buildkit:master-rootless").unwrap().floats());
    /// assert!(BuildkitImage::parse("docker:29.7.2-dind").is_none());
    /// ```
    pub fn parse(reference: &str) -> Option<BuildkitImage> {
        let image = DockerImage::parse(reference);
        let repo = image.repository.strip_prefix("docker.io/").unwrap_or(&image.repository);
        (repo == "moby/buildkit" || repo.ends_with("/moby/buildkit")).then_some(BuildkitImage { image })
    }

    /// The rootless variant (`-rootless`, `rootless`).
    pub fn rootless(&self) -> bool {
        self.image
            .tag
            .as_deref()
            .is_some_and(|t| t == "rootless" || t.ends_with("-rootless"))
    }

    /// The version the tag names (`v0.32.2-rootless`), if it names one.
    pub fn version(&self) -> Option<BuildkitVersion> {
        let tag = self.image.tag.as_deref()?;
        let head = tag.strip_suffix("-rootless").unwrap_or(tag);
        let head = head.strip_prefix('v')?;
        let mut nums = head.split('.').map(|p| p.parse::<u32>().ok());
        let v = BuildkitVersion::new(nums.next()??, nums.next()??, nums.next()??);
        nums.next().is_none().then_some(v)
    }

    /// Pinned: a digest or a full version in the tag.
    pub fn is_pinned(&self) -> bool {
        self.image.digest || self.version().is_some()
    }

    /// Whether the tag is one that moves (or there is none); `false` for tags dind cannot tell
    /// (a release candidate, a private tag).
    pub fn floats(&self) -> bool {
        if self.image.digest {
            return false;
        }
        match self.image.tag.as_deref() {
            None => true,
            Some(t) => {
                let head = t.strip_suffix("-rootless").unwrap_or(t);
                FLOATING.contains(&head) || FLOATING.contains(&t)
            }
        }
    }

    /// The pinned rootless reference for the same repository: the newest known patch of the line
    /// the tag names, or of the newest line.
    ///
    /// ```
    /// use dind_core::facts::BuildkitImage;
    /// let pin = |r: &str| BuildkitImage::parse(r).unwrap().pinned_suggestion();
    /// assert_eq!(pin("moby/buildkit:rootless"), "moby/buildkit:v0.32.2-rootless");
    /// assert_eq!(pin("moby/buildkit:latest"), "moby/buildkit:v0.32.2");
    /// ```
    pub fn pinned_suggestion(&self) -> String {
        let v = self
            .version()
            .and_then(|v| resolve_buildkit_version(&format!("{}.{}", v.major, v.minor)).ok())
            .unwrap_or_else(latest_buildkit);
        let suffix = if self.rootless() { "-rootless" } else { "" };
        format!("{}:v{v}{suffix}", self.image.repository)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_as_the_image_names_them() {
        let p = |r: &str| BuildkitImage::parse(r).unwrap();
        assert_eq!(
            p("moby/buildkit:v0.28.1").version(),
            Some(BuildkitVersion::new(0, 28, 1))
        );
        assert!(!p("moby/buildkit:v0.28.1").rootless());
        assert!(p("docker.io/moby/buildkit:rootless").rootless());
        assert!(p("registry.example.com/mirror/moby/buildkit@sha256:abc").is_pinned());
        assert!(p("moby/buildkit").floats());
        assert!(p("moby/buildkit:buildx-stable-1-rootless").floats());
        // Tags dind does not know are neither pinned nor floating.
        let rc = p("moby/buildkit:v0.33.0-rc1-rootless");
        assert!(!rc.is_pinned() && !rc.floats());
        assert!(BuildkitImage::parse("example.com/buildkit:v1").is_none());
    }
}
