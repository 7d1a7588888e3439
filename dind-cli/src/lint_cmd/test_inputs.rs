//! Files that another tool's tests declare as their inputs: the resources a Kyverno CLI test
//! (`kyverno-test.yaml`) applies its policies to. They are written to break rules on purpose
//! (a policy's failing case), so a walk skips them with that reason instead of reporting them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dind_core::yaml::{Limits, read_documents};

use super::inputs::Input;

/// Whether a file is a Kyverno CLI test manifest.
fn is_kyverno_test(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| matches!(n, "kyverno-test.yaml" | "kyverno-test.yml"))
}

/// The resource files each Kyverno test among `inputs` names (`resources:`, paths relative to the
/// test), by canonical path, with the reason to skip them.
pub fn declared(inputs: &[Input]) -> HashMap<PathBuf, String> {
    let mut out = HashMap::new();
    for input in inputs {
        let (Some(path), Ok(text)) = (&input.path, &input.text) else {
            continue;
        };
        if !is_kyverno_test(path) {
            continue;
        }
        let Ok(docs) = read_documents(text, Limits::default()) else {
            continue;
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        for doc in docs {
            let names = doc
                .value
                .get("resources")
                .and_then(|r| r.as_array())
                .cloned()
                .unwrap_or_default();
            for name in names.iter().filter_map(|n| n.as_str()) {
                if let Ok(file) = dir.join(name).canonicalize() {
                    out.insert(
                        file,
                        format!(
                            "an input of the Kyverno test `{}` (written to break policies on purpose)",
                            input.label
                        ),
                    );
                }
            }
        }
    }
    out
}

/// Why `input` is skipped, when a test declares it.
pub fn skip_reason(declared: &HashMap<PathBuf, String>, input: &Input) -> Option<String> {
    if declared.is_empty() || !input.walked {
        return None;
    }
    let path = input.path.as_ref()?.canonicalize().ok()?;
    declared.get(&path).cloned()
}
