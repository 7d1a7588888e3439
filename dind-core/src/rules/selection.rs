//! Which rules run and how bad their findings are, as ruff selects rules: `select` (codes or
//! prefixes; default all), `extend_select`, `ignore`, and severity overrides `warn` / `error`.
//! A set of bits over the codes, so a [`super::Context`] stays `Copy`.

use crate::{Code, Diagnostic, Severity};

/// A selection of rules with severity overrides.
///
/// ```
/// use dind_core::rules::Selection;
/// use dind_core::{Code, Severity};
/// let s = Selection::new(&["DIND00".into()], &["DIND021".into()], &["DIND009".into()], &["DIND006".into()], &[]).unwrap();
/// assert!(s.enabled(Code::Dind002) && s.enabled(Code::Dind021));
/// assert!(!s.enabled(Code::Dind009) && !s.enabled(Code::Dind010));
/// assert_eq!(s.severity(Code::Dind006, Severity::Error), Severity::Warning);
/// assert!(Selection::new(&["DIND999".into()], &[], &[], &[], &[]).unwrap_err().contains("DIND999"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    off: u128,
    warn: u128,
    error: u128,
}

/// How specifically `selector` names `code` (its length), if it does.
fn matches(selector: &str, code: Code) -> Option<usize> {
    (selector == "ALL" || code.as_str().starts_with(selector))
        .then(|| if selector == "ALL" { 0 } else { selector.len() })
}

/// Checks selectors: a code, a prefix of at least one code, or `ALL`; every unknown one named.
fn parse(list: &[String], what: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for s in list {
        let s = s.trim().to_ascii_uppercase();
        if s == "ALL" || Code::ALL.iter().any(|c| c.as_str().starts_with(&s)) && !s.is_empty() {
            out.push(s);
        } else {
            unknown.push(s);
        }
    }
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(format!(
            "{what}: unknown rule code or prefix {} (codes are {}..{}, `dind rules` lists them)",
            unknown.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", "),
            Code::ALL[0],
            Code::ALL[Code::ALL.len() - 1]
        ))
    }
}

fn bit(code: Code) -> u128 {
    1u128 << (Code::ALL.iter().position(|c| *c == code).unwrap_or(0) % 128)
}

impl Selection {
    /// Every rule at its own severity.
    pub fn all() -> Self {
        Selection::default()
    }

    /// A selection from selector lists (codes such as `DIND009`, prefixes such as `DIND00`, or
    /// `ALL`). An empty `select` selects every rule. Of `warn` and `error`, the more specific
    /// selector wins, `error` on a tie. Unknown codes are errors that name them.
    pub fn new(
        select: &[String],
        extend_select: &[String],
        ignore: &[String],
        warn: &[String],
        error: &[String],
    ) -> Result<Self, String> {
        let (select, extend) = (parse(select, "select")?, parse(extend_select, "extend_select")?);
        let (ignore, warn, error) = (parse(ignore, "ignore")?, parse(warn, "warn")?, parse(error, "error")?);
        let mut s = Selection::default();
        for &code in Code::ALL {
            let best = |list: &[String]| list.iter().filter_map(|sel| matches(sel, code)).max();
            let chosen = select.is_empty() || best(&select).is_some() || best(&extend).is_some();
            if !chosen || best(&ignore).is_some() {
                s.off |= bit(code);
            }
            match (best(&warn), best(&error)) {
                (Some(w), Some(e)) if w > e => s.warn |= bit(code),
                (_, Some(_)) => s.error |= bit(code),
                (Some(_), None) => s.warn |= bit(code),
                (None, None) => {}
            }
        }
        Ok(s)
    }

    /// The same selection with more rules ignored (per-path ignores).
    pub fn ignoring(mut self, ignore: &[String]) -> Result<Self, String> {
        let ignore = parse(ignore, "per_path_ignores")?;
        for &code in Code::ALL {
            if ignore.iter().any(|sel| matches(sel, code).is_some()) {
                self.off |= bit(code);
            }
        }
        Ok(self)
    }

    /// Whether the rule runs.
    pub fn enabled(&self, code: Code) -> bool {
        self.off & bit(code) == 0
    }

    /// The severity its findings get.
    pub fn severity(&self, code: Code, default: Severity) -> Severity {
        if self.error & bit(code) != 0 {
            Severity::Error
        } else if self.warn & bit(code) != 0 {
            Severity::Warning
        } else {
            default
        }
    }

    /// A finding as this selection reports it: `None` when its rule does not run, else at the
    /// severity the selection gives it. A finding without a code (unreadable input) always
    /// stands. Every finding dind makes goes through here, the rules' and the reader's alike.
    ///
    /// ```
    /// use dind_core::rules::Selection;
    /// use dind_core::{Code, Diagnostic, Severity};
    /// let s = Selection::new(&[], &[], &["DIND026".into()], &["DIND023".into()], &[]).unwrap();
    /// assert!(s.apply(Diagnostic::rule(Code::Dind026, "spec", "coerced")).is_none());
    /// assert_eq!(s.apply(Diagnostic::rule(Code::Dind023, "", "too long")).unwrap().severity, Severity::Warning);
    /// assert!(s.apply(Diagnostic::input("", "not YAML")).is_some());
    /// ```
    pub fn apply(&self, mut d: Diagnostic) -> Option<Diagnostic> {
        if let Some(code) = d.code {
            if !self.enabled(code) {
                return None;
            }
            d.severity = self.severity(code, d.severity);
        }
        Some(d)
    }
}
