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
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = path
                .file_name()
                .ok_or_else(|| format!("`{}` is not a file path", path.display()))?;
            let tmp = dir.join(format!(".{}.dind-{}.tmp", name.to_string_lossy(), std::process::id()));
            let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
            if let Err(e) = result {
                let _ = std::fs::remove_file(&tmp);
                return Err(format!("cannot write `{}`: {e}", path.display()));
            }
            Ok(())
        }
    }
}
