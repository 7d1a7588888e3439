//! Inline suppressions: `# dind: ignore[DIND009]` (YAML) or `// dind: ignore[DIND009]` (Groovy)
//! on a finding's line, or alone on the line above it; `dind: ignore` alone suppresses every
//! code. A suppressed finding is reported as suppressed, never dropped, and `--fix` leaves it be.

use super::Finding;
use crate::Code;

/// The codes an inline comment on `line` suppresses: `# dind: ignore[DIND009, DIND021]` (YAML)
/// or `// dind: ignore[...]` (Groovy); `# dind: ignore` alone suppresses every code. `None`
/// when the line has no such comment.
pub(crate) fn suppression(line: &str) -> Option<Vec<String>> {
    let at = line.find("dind: ignore")?;
    let before = line[..at].trim_end();
    if !(before.ends_with('#') || before.ends_with("//")) {
        return None;
    }
    let rest = &line[at + "dind: ignore".len()..];
    Some(match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((codes, _)) => codes.split(',').map(|c| c.trim().to_ascii_uppercase()).collect(),
        None => Vec::new(),
    })
}

/// Whether a comment suppresses `code` at `line` (1-based) of `source`.
pub(crate) fn is_suppressed(lines: &[&str], line: usize, code: Option<Code>) -> bool {
    let on = |n: usize, alone: bool| {
        lines
            .get(n.wrapping_sub(1))
            .filter(|l| !alone || l.trim_start().starts_with('#') || l.trim_start().starts_with("//"))
            .and_then(|l| suppression(l))
            .is_some_and(|codes| codes.is_empty() || code.is_some_and(|c| codes.iter().any(|x| x == c.as_str())))
    };
    on(line, false) || (line > 1 && on(line - 1, true))
}

/// Splits findings into those reported and those an inline comment on their line, or alone on
/// the line above, suppresses. Unknown codes in a comment are errors that name them.
///
/// ```
/// use dind_core::lint::{lint_file, suppress};
/// use dind_core::rules::Context;
/// let text = "spec:\n  containers:\n  - name: dind\n    image: docker:dind  # dind: ignore[DIND009]\n    securityContext: {privileged: true}\n";
/// let findings = lint_file("pod.yaml", text, &Context::default()).unwrap().findings;
/// let (shown, hidden) = suppress(text, findings).unwrap();
/// assert!(hidden.iter().any(|f| f.diagnostic.code.unwrap().as_str() == "DIND009"));
/// assert!(!shown.iter().any(|f| f.diagnostic.code.unwrap().as_str() == "DIND009"));
/// assert!(suppress("# dind: ignore[DIND0009]\n", vec![]).is_err());
/// ```
pub fn suppress(source: &str, findings: Vec<Finding>) -> Result<(Vec<Finding>, Vec<Finding>), String> {
    // Most files have no such comment: one search of the text says so.
    if !source.contains("dind: ignore") {
        return Ok((findings, Vec::new()));
    }
    let lines: Vec<&str> = source.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if let Some(codes) = suppression(l)
            && let Some(bad) = codes.iter().find(|c| Code::parse(c).is_none())
        {
            return Err(format!(
                "line {}: `dind: ignore[{bad}]` names no rule (`dind rules` lists them)",
                i + 1
            ));
        }
    }
    Ok(findings
        .into_iter()
        .partition(|f| !is_suppressed(&lines, f.line, f.diagnostic.code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_name_what_they_suppress() {
        assert_eq!(
            suppression("    image: docker:dind  # dind: ignore[DIND009]"),
            Some(vec!["DIND009".into()])
        );
        assert_eq!(
            suppression("// dind: ignore[dind001, DIND006]"),
            Some(vec!["DIND001".into(), "DIND006".into()])
        );
        assert_eq!(suppression("# dind: ignore"), Some(vec![]));
        assert_eq!(suppression("value: 'dind: ignore[DIND009]'"), None);
    }
}
