//! The files a Groovy file names as its agent's pod (`yamlFile`, `readTrusted`, `readFile`,
//! `libraryResource`), looked up in the repository on disk.
//!
//! The repository is the nearest directory at or above the Groovy file that holds `.git` or
//! `dind.toml`. Jenkins reads `yamlFile` and `readTrusted` paths from the SCM checkout's root, so
//! those are `ROOT/PATH`, and a file that is not there is missing (the build fails). `readFile`
//! reads the workspace, which a build may write first: a file that is not there is unknown.
//! `libraryResource` reads `resources/PATH` of a shared library: looked up only for a file of a
//! shared library itself (under `vars/` or `src/` of a root with `vars/` and `resources/`); a
//! Jenkinsfile's library is kept elsewhere, so its resources are unknown. A shared library's own
//! `yamlFile`, `readTrusted` and `readFile` read the repository of the job that calls it, so they
//! are unknown too. A path that leaves the root (`..`, absolute) is unknown.

use std::path::{Component, Path, PathBuf};

use dind_core::lint::{FileRef, Lookup, RefKind, Repository};

/// Where a named file is.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The file, which exists.
    Found(PathBuf),
    /// Where it should be and is not.
    Missing(PathBuf),
    /// dind cannot tell.
    Unknown,
}

/// The repositories around the linted files.
#[derive(Debug, Default)]
pub struct Repositories;

impl Repositories {
    /// Where `r`, named by the Groovy file at `from`, is.
    pub fn resolve(&self, from: &Path, r: &FileRef) -> Resolved {
        let Some(from) = from.canonicalize().ok() else {
            return Resolved::Unknown;
        };
        let Some(root) = root_of(&from) else {
            return Resolved::Unknown;
        };
        let Some(rel) = inside(&r.path) else {
            return Resolved::Unknown;
        };
        // A file of a shared library (`vars/`, `src/`) runs in the job of another repository:
        // its `yamlFile`, `readTrusted` and `readFile` read that repository, not this one.
        let in_library = root.join("vars").is_dir()
            && ["vars", "src"]
                .iter()
                .any(|d| from.strip_prefix(&root).is_ok_and(|p| p.starts_with(d)));
        let (path, missing_is_known) = match r.kind {
            RefKind::YamlFile | RefKind::ReadTrusted if !in_library => (root.join(rel), true),
            RefKind::ReadFile if !in_library => (root.join(rel), false),
            RefKind::LibraryResource if in_library && root.join("resources").is_dir() => {
                (root.join("resources").join(rel), true)
            }
            _ => return Resolved::Unknown,
        };
        if path.is_file() {
            Resolved::Found(path)
        } else if missing_is_known && !path.exists() {
            Resolved::Missing(path)
        } else {
            Resolved::Unknown
        }
    }
}

impl Repository for Repositories {
    fn lookup(&self, from: &str, r: &FileRef) -> Lookup {
        match self.resolve(Path::new(from), r) {
            Resolved::Found(path) => match super::inputs::read_file(&path) {
                Ok(text) => Lookup::Found(text),
                Err(_) => Lookup::Unknown,
            },
            Resolved::Missing(path) => Lookup::Missing(path.display().to_string()),
            Resolved::Unknown => Lookup::Unknown,
        }
    }
}

/// The nearest directory at or above `file`'s that holds `.git` or `dind.toml`.
fn root_of(file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let dir = dir.canonicalize().ok()?;
    dir.ancestors()
        .find(|d| d.join(".git").exists() || d.join("dind.toml").is_file())
        .map(Path::to_path_buf)
}

/// A relative path that stays inside its root (no `..`, not absolute), without `.` parts.
fn inside(path: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_root_are_unknown() {
        assert_eq!(inside("ci/./pod.yaml"), Some(PathBuf::from("ci/pod.yaml")));
        assert_eq!(inside("../pod.yaml"), None);
        assert_eq!(inside("/etc/pod.yaml"), None);
        assert_eq!(inside(""), None);
    }
}
