//! Writing results: all or nothing. stdout gets the whole text at once; `--output` writes a
//! temporary file next to the target and renames it into place.

use std::io::Write;
use std::path::Path;

/// Writes `text` to stdout, or atomically to `path`.
pub fn emit(text: &str, path: Option<&Path>) -> Result<(), String> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| format!("cannot write to stdout: {e}"))
        }
        Some(path) => dind_core::files::write_atomically(path, text.as_bytes())
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
    }
}
