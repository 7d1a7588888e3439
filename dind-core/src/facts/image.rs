//! Image references: what a tag of the official `docker` image runs, with the tag history.
//!
//! The tags (docker-library/docker, `generate-stackbrew-library.sh`): `X.Y.Z-dind`, `X-dind`,
//! `dind` and `X.Y.Z-dind-alpineA.B` run the daemon; `-dind-rootless` the rootless daemon;
//! `-cli`, `cli` and `X.Y.Z-cli-alpineA.B` the client. Bare versions (`29`, `29.7.2`,
//! `29.7.2-alpine3.22`), `latest`, `test` and `rc` are the dind image from 22.06 on (PR 369); before
//! that they, `stable`, `edge` and the `-git` variant were the CLI image.

use super::{Behaviour, DockerVersion};

/// What a container's image runs, judged from its reference alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageRole {
    /// The Docker daemon image (`dockerd-entrypoint.sh`).
    Daemon {
        /// The rootless variant (user `rootless`, uid 1000, rootlesskit).
        rootless: bool,
    },
    /// The CLI image (`docker-entrypoint.sh`, no daemon).
    Cli,
    /// Another image, or a tag dind does not know.
    Unknown,
}

/// The variant part of a tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Bare,
    Dind,
    DindRootless,
    Cli,
    Git,
    Windows,
}

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DockerImage {
    /// Everything before the tag (`docker`, `registry.example.com/mirror/docker`).
    pub repository: String,
    /// The tag, if any.
    pub tag: Option<String>,
    /// Whether a digest pins it (`@sha256:...`).
    pub digest: bool,
}

struct TagParts<'a> {
    head: &'a str,
    variant: Variant,
    alpine: Option<&'a str>,
}

fn split_tag(tag: &str) -> TagParts<'_> {
    let (rest, alpine) = match tag.rfind("-alpine") {
        Some(i) if tag[i + 7..].chars().all(|c| c.is_ascii_digit() || c == '.') && i + 7 < tag.len() => {
            (&tag[..i], Some(&tag[i + 1..]))
        }
        _ => (tag, None),
    };
    if rest.contains("windowsservercore") || rest.contains("nanoserver") {
        return TagParts {
            head: rest,
            variant: Variant::Windows,
            alpine,
        };
    }
    for (suffix, variant) in [
        ("dind-rootless", Variant::DindRootless),
        ("dind", Variant::Dind),
        ("cli", Variant::Cli),
        ("git", Variant::Git),
    ] {
        if rest == suffix {
            return TagParts {
                head: "",
                variant,
                alpine,
            };
        }
        if let Some(head) = rest.strip_suffix(suffix).and_then(|h| h.strip_suffix('-')) {
            return TagParts { head, variant, alpine };
        }
    }
    TagParts {
        head: rest,
        variant: Variant::Bare,
        alpine,
    }
}

impl DockerImage {
    /// Splits `repo[:tag][@digest]`.
    ///
    /// ```
    /// use dind_core::facts::{DockerImage, ImageRole};
    /// let i = DockerImage::parse("registry:5000/docker:29.7.2-dind-rootless");
    /// assert_eq!(i.repository, "registry:5000/docker");
    /// assert_eq!(i.role(), ImageRole::Daemon { rootless: true });
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

    /// Whether the repository is the official `docker` image (`docker`, `library/docker`,
    /// `docker.io/library/docker`) or a mirror of it (a last path segment `docker`).
    pub fn is_docker_repository(&self) -> bool {
        self.repository.rsplit('/').next() == Some("docker")
    }

    fn parts(&self) -> TagParts<'_> {
        split_tag(self.tag.as_deref().unwrap_or("latest"))
    }

    /// What the image runs, from its repository and tag, with the tag history.
    ///
    /// ```
    /// use dind_core::facts::{DockerImage, ImageRole};
    /// let role = |r: &str| DockerImage::parse(r).role();
    /// assert_eq!(role("docker:29.7.2-dind-alpine3.22"), ImageRole::Daemon { rootless: false });
    /// assert_eq!(role("docker:29.7.2"), ImageRole::Daemon { rootless: false });
    /// assert_eq!(role("docker:19.03.1"), ImageRole::Cli);
    /// assert_eq!(role("docker:stable"), ImageRole::Cli);
    /// assert_eq!(role("docker:29-cli"), ImageRole::Cli);
    /// assert_eq!(role("busybox:1.36"), ImageRole::Unknown);
    /// ```
    pub fn role(&self) -> ImageRole {
        let parts = self.parts();
        let version = DockerVersion::from_tag(parts.head);
        if !self.is_docker_repository() {
            // A renamed mirror: trust only an explicit daemon variant with a version.
            return match (parts.variant, version) {
                (Variant::DindRootless, _) => ImageRole::Daemon { rootless: true },
                (Variant::Dind, Some(_)) => ImageRole::Daemon { rootless: false },
                _ => ImageRole::Unknown,
            };
        }
        match parts.variant {
            Variant::Dind => ImageRole::Daemon { rootless: false },
            Variant::DindRootless => ImageRole::Daemon { rootless: true },
            Variant::Cli | Variant::Git => ImageRole::Cli,
            Variant::Windows => ImageRole::Unknown,
            Variant::Bare => match (version, parts.head) {
                (Some(v), _) if v.has(Behaviour::BareTagIsDind) => ImageRole::Daemon { rootless: false },
                (Some(_), _) => ImageRole::Cli,
                (None, "latest" | "test" | "rc") => ImageRole::Daemon { rootless: false },
                (None, "stable" | "edge") => ImageRole::Cli,
                (None, _) => ImageRole::Unknown,
            },
        }
    }

    /// The Docker version in the tag, when the tag names one.
    pub fn version(&self) -> Option<DockerVersion> {
        DockerVersion::from_tag(self.parts().head)
    }

    /// Pinned: a digest, or a tag that names a full version (`29.7.2-dind`). `29-dind`, `dind`,
    /// `latest` and a missing tag float.
    pub fn is_pinned(&self) -> bool {
        if self.digest {
            return true;
        }
        if self.tag.is_none() {
            return false;
        }
        let head = self.parts().head.split('-').next().unwrap_or("").to_string();
        head.split('.').count() == 3 && head.split('.').all(|p| p.parse::<u32>().is_ok())
    }

    /// Whether a tag floats: no digest and no full version.
    pub fn floats(&self) -> bool {
        !self.is_pinned()
    }

    /// The image that runs the matching CLI: the same repository and version, `-cli` (or the bare
    /// version before 22.06, when there was no `-cli` tag); the Alpine suffix is kept.
    ///
    /// ```
    /// use dind_core::facts::DockerImage;
    /// let cli = |r: &str| DockerImage::cli_for(&DockerImage::parse(r));
    /// assert_eq!(cli("docker:29.7.2-dind").as_deref(), Some("docker:29.7.2-cli"));
    /// assert_eq!(cli("docker:29.7.2-dind-alpine3.22").as_deref(), Some("docker:29.7.2-cli-alpine3.22"));
    /// assert_eq!(cli("docker:19.03.15-dind").as_deref(), Some("docker:19.03.15"));
    /// assert_eq!(cli("docker:dind"), None);
    /// ```
    pub fn cli_for(daemon: &DockerImage) -> Option<String> {
        let v = daemon.version()?;
        let parts = daemon.parts();
        let head = parts.head;
        let alpine = parts.alpine.map(|a| format!("-{a}")).unwrap_or_default();
        if v.has(Behaviour::BareTagIsDind) {
            Some(format!("{}:{head}-cli{alpine}", daemon.repository))
        } else {
            Some(format!("{}:{head}{alpine}", daemon.repository))
        }
    }

    /// A pinned reference for the same repository and role: the newest known patch of the line
    /// the tag names, or of the newest line for a floating tag. `None` for an image dind does not
    /// know.
    ///
    /// ```
    /// use dind_core::facts::{DockerImage, ImageRole};
    /// let pin = |r: &str, role| DockerImage::parse(r).pinned_suggestion(role);
    /// assert_eq!(pin("docker:dind", ImageRole::Daemon { rootless: false }).as_deref(), Some("docker:29.7.2-dind"));
    /// assert_eq!(pin("docker:27-dind-rootless", ImageRole::Daemon { rootless: true }).as_deref(), Some("docker:27.5.1-dind-rootless"));
    /// assert_eq!(pin("docker:latest", ImageRole::Cli).as_deref(), Some("docker:29.7.2-cli"));
    /// ```
    pub fn pinned_suggestion(&self, role: ImageRole) -> Option<String> {
        if !self.is_docker_repository() {
            return None;
        }
        let parts = self.parts();
        let line = parts.head.split('-').next().unwrap_or("");
        let version = super::resolve_docker_version(line).unwrap_or_else(|_| super::latest_docker());
        let alpine = parts.alpine.map(|a| format!("-{a}")).unwrap_or_default();
        let tag = match role {
            ImageRole::Daemon { rootless: true } => format!("{version}-dind-rootless"),
            ImageRole::Daemon { rootless: false } => format!("{version}-dind{alpine}"),
            ImageRole::Cli if version.has(Behaviour::BareTagIsDind) => format!("{version}-cli{alpine}"),
            ImageRole::Cli => format!("{version}{alpine}"),
            ImageRole::Unknown => return None,
        };
        Some(format!("{}:{tag}", self.repository))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(r: &str) -> ImageRole {
        DockerImage::parse(r).role()
    }

    #[test]
    fn tags_are_read_with_their_history() {
        let daemon = ImageRole::Daemon { rootless: false };
        let rootless = ImageRole::Daemon { rootless: true };
        for r in [
            "docker:dind",
            "docker:29-dind",
            "docker:29.7.2-dind-alpine3.22",
            "docker:29.7.2-alpine3.22",
            "docker:29",
            "docker:latest",
            "docker",
            "docker:22.06.0-beta.0",
            "docker:20.10-dind",
            "docker:19.03.1-dind",
            "docker.io/library/docker:29.7.2",
            "mirror.example.com/docker:29.0.0-rc.1-dind",
            "ghcr.io/acme/dind:29.7.2-dind",
        ] {
            assert_eq!(role(r), daemon, "{r}");
        }
        for r in [
            "docker:dind-rootless",
            "docker:29.7.2-dind-rootless",
            "ghcr.io/acme/x:dind-rootless",
        ] {
            assert_eq!(role(r), rootless, "{r}");
        }
        for r in [
            "docker:cli",
            "docker:29-cli",
            "docker:29.7.2-cli-alpine3.22",
            "docker:19.03.1",
            "docker:20.10",
            "docker:20.10.27-alpine3.18",
            "docker:stable",
            "docker:edge",
            "docker:20.10-git",
        ] {
            assert_eq!(role(r), ImageRole::Cli, "{r}");
        }
        for r in [
            "busybox:1.36",
            "docker:windowsservercore-ltsc2022",
            "docker:banana",
            "ghcr.io/acme/dind:latest",
        ] {
            assert_eq!(role(r), ImageRole::Unknown, "{r}");
        }
    }

    #[test]
    fn pinning_reads_the_version_under_variants() {
        assert!(DockerImage::parse("docker:29.7.2-dind-alpine3.22").is_pinned());
        assert!(DockerImage::parse("docker:29.0.0-rc.1-dind").is_pinned());
        assert!(DockerImage::parse("docker@sha256:00").is_pinned());
        for r in [
            "docker:29-dind",
            "docker:dind",
            "docker",
            "docker:latest",
            "docker:29.7-cli",
        ] {
            assert!(DockerImage::parse(r).floats(), "{r}");
        }
    }
}
