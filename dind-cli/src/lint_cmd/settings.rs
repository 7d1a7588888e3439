//! How a repository wants to be linted: the `[lint]` table of a `dind.toml`, found upward from
//! each linted file (the nearest one wins, as with ruff's `pyproject.toml`), under the flags of
//! the command line. (Inline `# dind: ignore[DIND009]` comments are read by
//! [`dind_core::lint::suppress`].)

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use dind_core::facts::KubeVersion;
use dind_core::rules::Selection;
use globset::{Glob, GlobSet, GlobSetBuilder};
use schemars::JsonSchema;
use serde::Deserialize;

/// The name of the settings file.
pub const SETTINGS_FILE: &str = "dind.toml";

/// `dind.toml`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "dind.toml",
    description = "How a repository wants `dind lint` to lint it; the nearest dind.toml at or above each file applies."
)]
struct SettingsFile {
    /// The linter's settings.
    lint: Option<LintSettings>,
}

/// The `[lint]` table.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintSettings {
    /// Target Kubernetes minor (`"1.30"`).
    pub kube_version: Option<String>,
    /// Rule codes or prefixes to run (default: all).
    #[serde(default)]
    pub select: Vec<String>,
    /// Codes or prefixes added to `select`.
    #[serde(default)]
    pub extend_select: Vec<String>,
    /// Codes or prefixes not to run.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Codes or prefixes reported as warnings.
    #[serde(default)]
    pub warn: Vec<String>,
    /// Codes or prefixes reported as errors.
    #[serde(default)]
    pub error: Vec<String>,
    /// Globs (relative to the settings file) of files a directory walk skips.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Globs (relative to the settings file) with the codes they ignore.
    #[serde(default)]
    pub per_path_ignores: BTreeMap<String, Vec<String>>,
}

/// The JSON Schema of `dind.toml`, derived from its types.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(SettingsFile)).unwrap_or_default()
}

/// The command line's say, over any file's.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub kube_version: Option<String>,
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub warn: Vec<String>,
    pub error: Vec<String>,
}

/// The settings that apply to one file.
#[derive(Clone, Debug)]
pub struct Effective {
    pub kube_version: KubeVersion,
    pub selection: Selection,
    /// Why a walked file is skipped, when an `exclude` glob matches it.
    pub excluded: Option<String>,
}

/// One settings file, ready to apply.
#[derive(Clone, Debug)]
struct Loaded {
    path: PathBuf,
    dir: PathBuf,
    lint: LintSettings,
    exclude: GlobSet,
    per_path: Vec<(GlobSet, Vec<String>)>,
}

fn globs(patterns: &[String], file: &Path) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| format!("{}: glob `{p}`: {e}", file.display()))?);
    }
    b.build().map_err(|e| format!("{}: {e}", file.display()))
}

/// Finds and reads settings files, each once.
#[derive(Default)]
pub struct Settings {
    overrides: Overrides,
    by_dir: HashMap<PathBuf, Option<Loaded>>,
}

impl Settings {
    /// Settings under these command-line overrides.
    pub fn new(overrides: Overrides) -> Self {
        Settings {
            overrides,
            by_dir: HashMap::new(),
        }
    }

    /// The nearest `dind.toml` at or above `dir`.
    fn nearest(&mut self, dir: &Path) -> Result<Option<Loaded>, String> {
        if let Some(found) = self.by_dir.get(dir) {
            return Ok(found.clone());
        }
        let file = dir.join(SETTINGS_FILE);
        let found = if file.is_file() {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let parsed: SettingsFile =
                toml::from_str(&text).map_err(|e| format!("{}: {}", file.display(), e.to_string().trim_end()))?;
            let lint = parsed.lint.unwrap_or_default();
            let exclude = globs(&lint.exclude, &file)?;
            let mut per_path = Vec::new();
            for (glob, codes) in &lint.per_path_ignores {
                per_path.push((globs(std::slice::from_ref(glob), &file)?, codes.clone()));
            }
            Some(Loaded {
                path: file.clone(),
                dir: dir.to_path_buf(),
                lint,
                exclude,
                per_path,
            })
        } else {
            match dir.parent() {
                Some(parent) if parent != dir => self.nearest(parent)?,
                _ => None,
            }
        };
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        Ok(found)
    }

    /// What applies to the file at `label` (`<stdin>`: the working directory's settings).
    pub fn for_file(&mut self, label: &str) -> Result<Effective, String> {
        let path = if label == "<stdin>" {
            std::env::current_dir().unwrap_or_default().join("<stdin>")
        } else {
            std::path::absolute(label).unwrap_or_else(|_| PathBuf::from(label))
        };
        let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
        let loaded = self.nearest(&dir)?;
        let o = &self.overrides;
        let empty = LintSettings::default();
        let lint = loaded.as_ref().map_or(&empty, |l| &l.lint);
        let join = |a: &[String], b: &[String]| -> Vec<String> { a.iter().chain(b).cloned().collect() };
        let select = if o.select.is_empty() {
            lint.select.clone()
        } else {
            o.select.clone()
        };
        let origin = loaded
            .as_ref()
            .map_or_else(|| "the command line".to_string(), |l| l.path.display().to_string());
        let mut selection = Selection::new(
            &select,
            &join(&lint.extend_select, &o.extend_select),
            &join(&lint.ignore, &o.ignore),
            &join(&lint.warn, &o.warn),
            &join(&lint.error, &o.error),
        )
        .map_err(|e| format!("{origin}: {e}"))?;
        let mut excluded = None;
        if let Some(l) = &loaded
            && let Ok(rel) = path.strip_prefix(&l.dir)
        {
            if l.exclude.is_match(rel) {
                excluded = Some(format!("excluded by {}", l.path.display()));
            }
            for (set, codes) in &l.per_path {
                if set.is_match(rel) {
                    selection = selection.ignoring(codes).map_err(|e| format!("{origin}: {e}"))?;
                }
            }
        }
        let kube = o.kube_version.as_deref().or(lint.kube_version.as_deref());
        let kube_version = match kube.map(KubeVersion::parse) {
            None => KubeVersion::default(),
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(format!("{origin}: kube_version: {e}")),
        };
        Ok(Effective {
            kube_version,
            selection,
            excluded,
        })
    }
}
