//! Writing pods and Jenkins files from a build script (`build.rs`).
//!
//! Files go into `OUT_DIR` ([`Codegen::out_dir`]) or into a checked-in directory
//! ([`Codegen::checked_in`]). A file is rewritten only when its content changes (so its mtime, and
//! cargo's rebuilds, stay put), always atomically. In check mode (`DIND_CODEGEN_CHECK=1`, for CI)
//! nothing is written: a checked-in file that differs from what would be generated is an error
//! naming the file.
//!
//! ```no_run
//! // build.rs
//! use dind_core::codegen::Codegen;
//! use dind_core::render::jenkins::JenkinsOptions;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let pod = dind_core::DindPod::new();
//!     let mut out = Codegen::checked_in("generated");
//!     out.watch("build.rs");
//!     out.pod_yaml("pod.yaml", &pod.build()?);
//!     out.jenkinsfile("Jenkinsfile", &pod.build_jenkins()?, &JenkinsOptions::default())?;
//!     out.finish()?;
//!     Ok(())
//! }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use crate::render::jenkins::JenkinsOptions;
use crate::{Built, Diagnostics, JenkinsPod};

/// The environment variable that turns on check mode.
pub const CHECK_ENV: &str = "DIND_CODEGEN_CHECK";

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum CodegenError {
    /// `OUT_DIR` is not set: not running as a build script.
    NoOutDir,
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Check mode: these checked-in files differ from what would be generated.
    Stale(Vec<PathBuf>),
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::NoOutDir => write!(f, "OUT_DIR is not set; Codegen::out_dir() works only in a build script"),
            CodegenError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            CodegenError::Stale(paths) => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "generated files are stale: {} (rebuild without {CHECK_ENV}=1 to regenerate them, then commit)",
                    names.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for CodegenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CodegenError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What [`Codegen::finish`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Files written (new or changed).
    pub written: Vec<PathBuf>,
    /// Files already up to date.
    pub unchanged: Vec<PathBuf>,
}

/// Collects generated files, then writes or checks them all in [`Codegen::finish`].
#[derive(Debug)]
pub struct Codegen {
    dir: PathBuf,
    check: bool,
    directives: bool,
    files: Vec<(PathBuf, String)>,
}

fn check_env() -> bool {
    std::env::var(CHECK_ENV).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

impl Codegen {
    /// Files go into `$OUT_DIR` (include them with `include_str!(concat!(env!("OUT_DIR"), "/pod.yaml"))`).
    pub fn out_dir() -> Result<Codegen, CodegenError> {
        let dir = std::env::var_os("OUT_DIR").ok_or(CodegenError::NoOutDir)?;
        Ok(Codegen {
            dir: PathBuf::from(dir),
            check: false,
            directives: true,
            files: Vec::new(),
        })
    }

    /// Files go into `dir`, a checked-in directory (relative to the crate root in a build script).
    /// Check mode follows `DIND_CODEGEN_CHECK`.
    pub fn checked_in(dir: impl AsRef<Path>) -> Codegen {
        let dir = dir.as_ref();
        let dir = match std::env::var_os("CARGO_MANIFEST_DIR") {
            Some(root) if dir.is_relative() => PathBuf::from(root).join(dir),
            _ => dir.to_path_buf(),
        };
        let directives = std::env::var_os("OUT_DIR").is_some();
        if directives {
            println!("cargo::rerun-if-env-changed={CHECK_ENV}");
        }
        Codegen {
            dir,
            check: check_env(),
            directives,
            files: Vec::new(),
        }
    }

    /// Forces check mode on or off (instead of `DIND_CODEGEN_CHECK`).
    #[must_use]
    pub fn check_mode(mut self, check: bool) -> Self {
        self.check = check;
        self
    }

    /// Declares an input: cargo reruns the build script when it changes.
    pub fn watch(&mut self, path: impl AsRef<Path>) -> &mut Self {
        if self.directives {
            println!("cargo::rerun-if-changed={}", path.as_ref().display());
        }
        self
    }

    /// Adds a file with the given content.
    pub fn file(&mut self, name: impl AsRef<Path>, contents: impl Into<String>) -> &mut Self {
        self.files.push((name.as_ref().to_path_buf(), contents.into()));
        self
    }

    /// Adds the pod's YAML.
    pub fn pod_yaml(&mut self, name: impl AsRef<Path>, built: &Built) -> &mut Self {
        self.file(name, built.to_yaml())
    }

    /// Adds the Jenkins agent's pod YAML (for `yamlFile` or `readTrusted`).
    pub fn jenkins_yaml(&mut self, name: impl AsRef<Path>, agent: &JenkinsPod) -> &mut Self {
        self.file(name, agent.to_yaml())
    }

    /// Adds a scripted Jenkinsfile.
    pub fn jenkinsfile(
        &mut self,
        name: impl AsRef<Path>,
        built: &JenkinsPod,
        options: &JenkinsOptions,
    ) -> Result<&mut Self, Diagnostics> {
        let text = built.scripted(options)?;
        Ok(self.file(name, text))
    }

    /// Adds a declarative Jenkinsfile.
    pub fn jenkinsfile_declarative(
        &mut self,
        name: impl AsRef<Path>,
        built: &JenkinsPod,
        options: &JenkinsOptions,
    ) -> Result<&mut Self, Diagnostics> {
        let text = built.declarative(options)?;
        Ok(self.file(name, text))
    }

    /// Adds a JCasC pod template.
    pub fn jcasc(
        &mut self,
        name: impl AsRef<Path>,
        built: &JenkinsPod,
        options: &JenkinsOptions,
    ) -> Result<&mut Self, Diagnostics> {
        let text = built.jcasc(options)?;
        Ok(self.file(name, text))
    }

    /// Writes (or, in check mode, checks) every file.
    pub fn finish(self) -> Result<Report, CodegenError> {
        let mut report = Report::default();
        let mut stale = Vec::new();
        for (name, contents) in &self.files {
            let path = self.dir.join(name);
            let current = match std::fs::read(&path) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => return Err(CodegenError::Io { path, source }),
            };
            if current.as_deref() == Some(contents.as_bytes()) {
                report.unchanged.push(path);
                continue;
            }
            if self.check {
                stale.push(path);
                continue;
            }
            let parent = path.parent().unwrap_or(&self.dir);
            std::fs::create_dir_all(parent)
                .and_then(|()| crate::files::write_atomically(&path, contents.as_bytes()))
                .map_err(|source| CodegenError::Io {
                    path: path.clone(),
                    source,
                })?;
            report.written.push(path);
        }
        if stale.is_empty() {
            Ok(report)
        } else {
            Err(CodegenError::Stale(stale))
        }
    }
}
