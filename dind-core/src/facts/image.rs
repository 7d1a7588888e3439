//! Image references: what a `docker` image name says about the daemon or client it runs.

use super::DockerVersion;

/// What an image of the official `docker` repository (or a mirror of it) runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// `-dind`, a bare version or `latest`: the rootful daemon.
    Dind,
    /// `-dind-rootless`.
    DindRootless,
    /// `-cli`: the client only.
    Cli,
    /// Something else (another repository, an unknown variant).
    Other,
}

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerImage {
    /// Everything before the tag (`docker`, `registry.example.com/mirror/docker`).
    pub repository: String,
    /// The tag, if any.
    pub tag: Option<String>,
    /// Whether a digest pins it (`@sha256:...`).
    pub digest: bool,
}

impl DockerImage {
    /// Splits `repo[:tag][@digest]`.
    ///
    /// ```
    /// use dind_core::facts::{DockerImage, Flavour};
    /// let i = DockerImage::parse("registry:5000/docker:29.7.2-dind-rootless");
    /// assert_eq!(i.repository, "registry:5000/docker");
    /// assert_eq!(i.flavour(), Flavour::DindRootless);
    /// assert!(i.is_pinned());
    /// ```
    pub fn parse(reference: &str) -> DockerImage {
        let (name, digest) = match reference.split_once('@') {
            Some((n, _)) => (n, true),
            None => (reference, false),
        };
        let slash = name.rfind('/').map_or(0, |i| i + 1);
        match name[slash..].rfind(':') {
            Some(i) => DockerImage {
                repository: name[..slash + i].to_string(),
                tag: Some(name[slash + i + 1..].to_string()),
                digest,
            },
            None => DockerImage {
                repository: name.to_string(),
                tag: None,
                digest,
            },
        }
    }

    /// Whether the repository's last path segment is `docker` (the official image or a mirror).
    pub fn is_docker_repository(&self) -> bool {
        self.repository.rsplit('/').next() == Some("docker")
    }

    /// What the image runs, judged from the repository and the tag.
    pub fn flavour(&self) -> Flavour {
        let tag = self.tag.as_deref().unwrap_or("latest");
        if tag.ends_with("dind-rootless") || tag == "rootless" {
            return Flavour::DindRootless;
        }
        if !self.is_docker_repository() {
            return Flavour::Other;
        }
        if tag.ends_with("cli") {
            Flavour::Cli
        } else if tag.ends_with("dind")
            || tag == "latest"
            || DockerVersion::from_tag(tag).is_some_and(|_| !tag.contains('-'))
        {
            Flavour::Dind
        } else {
            Flavour::Other
        }
    }

    /// The Docker version in the tag, when the tag names one.
    pub fn version(&self) -> Option<DockerVersion> {
        self.tag.as_deref().and_then(DockerVersion::from_tag)
    }

    /// Pinned: a digest, or a tag that names a full version (`29.7.2-dind`). `29-dind`, `dind`,
    /// `latest` and a missing tag float.
    pub fn is_pinned(&self) -> bool {
        if self.digest {
            return true;
        }
        match self.tag.as_deref() {
            None => false,
            Some(tag) => {
                let head = tag.split('-').next().unwrap_or("");
                head.split('.').count() == 3 && head.split('.').all(|p| p.parse::<u32>().is_ok())
            }
        }
    }

    /// The image that runs the matching CLI: the same repository and version with `-cli`.
    pub fn cli_for(daemon: &DockerImage) -> Option<String> {
        daemon.version()?;
        let head = daemon.tag.as_deref()?.split('-').next()?;
        Some(format!("{}:{head}-cli", daemon.repository))
    }
}
