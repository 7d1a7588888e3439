//! Writing files whole or not at all.

use std::path::Path;

/// Writes `contents` to a temporary file next to `path`, then renames it into place, so readers
/// see the old file or the new one, never half of one. On failure the temporary file is removed.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("dind-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("pod.yaml");
/// dind_core::files::write_atomically(&path, b"kind: Pod\n")?;
/// assert_eq!(std::fs::read(&path)?, b"kind: Pod\n");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("`{}` is not a file path", path.display()),
        )
    })?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.dind-{}.tmp", name.to_string_lossy(), std::process::id()));
    std::fs::write(&tmp, contents)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}
