//! What `dind lint PATH...` reads: files as named, and directories walked recursively with
//! `.gitignore`, `.ignore` and `.git/info/exclude` respected (the `ignore` crate, as ripgrep
//! walks), hidden directories included (`.tekton/`, `.github/`) but never `.git` itself.

use std::io::Read;
use std::path::{Path, PathBuf};

use dind_core::lint::{AgentUse, is_lintable_name};
use rayon::prelude::*;

/// The largest file `dind lint` reads.
pub const MAX_INPUT: u64 = 16 << 20;

/// One input to lint.
pub struct Input {
    /// The name shown in reports (`-` is `<stdin>`).
    pub label: String,
    /// Found by walking a directory (not named on the command line).
    pub walked: bool,
    /// The file (`None` for standard input).
    pub path: Option<PathBuf>,
    /// The text, or why it cannot be read.
    pub text: Result<String, String>,
    /// The Groovy files that read it as their agent's whole pod (then it is linted as one).
    pub agent_of: Vec<AgentUse>,
    /// The Groovy files that combine it with container templates (`file:line`): it is part of
    /// their pod, linted there.
    pub part_of: Vec<String>,
}

impl Input {
    fn new(label: String, walked: bool, path: Option<PathBuf>, text: Result<String, String>) -> Input {
        Input {
            label,
            walked,
            path,
            text,
            agent_of: Vec::new(),
            part_of: Vec::new(),
        }
    }
}

/// A file to read, or an input already read (standard input, a walk's error).
enum Entry {
    File { path: PathBuf, walked: bool },
    Read(Input),
}

/// Reads files on every core, keeping their order.
pub fn read_files(files: Vec<(PathBuf, bool)>) -> Vec<Input> {
    files
        .into_par_iter()
        .map(|(path, walked)| {
            let text = read_file(&path);
            Input::new(path.display().to_string(), walked, Some(path), text)
        })
        .collect()
}

/// The files to lint, in a stable order: each named path in turn; a directory's files sorted by
/// path. An error is a path that does not exist or cannot be walked. The files are read on every
/// core.
pub fn collect(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        if name == "-" {
            let text = read_bounded(std::io::stdin().lock(), "<stdin>");
            out.push(Entry::Read(Input::new("<stdin>".into(), false, None, text)));
        } else if path.is_dir() {
            let (mut files, mut errors) = walk(path);
            errors.sort();
            files.sort();
            out.extend(files.into_iter().map(|path| Entry::File { path, walked: true }));
            for e in errors {
                let text = Err(format!("{name}: cannot walk: {e}"));
                out.push(Entry::Read(Input::new(name.clone(), false, None, text)));
            }
        } else {
            out.push(Entry::File {
                path: path.clone(),
                walked: false,
            });
        }
    }
    out.into_par_iter()
        .map(|e| match e {
            Entry::File { path, walked } => {
                let text = read_file(&path);
                Input::new(path.display().to_string(), walked, Some(path), text)
            }
            Entry::Read(i) => i,
        })
        .collect()
}

/// The lintable files under `root` and the walk's errors, found on every core (in no order).
fn walk(root: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let found = std::sync::Mutex::new((Vec::new(), Vec::new()));
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel()
        .run(|| {
            let found = &found;
            Box::new(move |entry| {
                let (file, error) = match entry {
                    Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => (
                        is_lintable_name(&e.path().to_string_lossy()).then(|| e.into_path()),
                        None,
                    ),
                    Ok(_) => (None, None),
                    Err(e) => (None, Some(e.to_string())),
                };
                if file.is_some() || error.is_some() {
                    // A visitor that panicked cannot have left the lists half-written.
                    let mut lists = found.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    lists.0.extend(file);
                    lists.1.extend(error);
                }
                ignore::WalkState::Continue
            })
        });
    found.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A file's text: UTF-8 without NUL bytes, at most [`MAX_INPUT`] bytes.
pub fn read_file(path: &Path) -> Result<String, String> {
    let label = path.display().to_string();
    match std::fs::File::open(path) {
        Ok(f) => read_bounded(f, &label),
        Err(e) => Err(format!("{label}: cannot read: {e}")),
    }
}

/// Reads at most [`MAX_INPUT`] bytes of UTF-8 text without NUL bytes.
fn read_bounded(r: impl Read, label: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    r.take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{label}: cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(format!("{label}: larger than {MAX_INPUT} bytes"));
    }
    if bytes.contains(&0) {
        return Err(format!("{label}: binary data (NUL bytes), not YAML or a Jenkinsfile"));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{label}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}
