//! Findings: a [`Diagnostic`] carries a stable rule [`Code`], a [`Severity`], a message, the
//! container it concerns, the field path inside the pod and a line of help.

use std::fmt;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Worth fixing; the pod still works.
    Warning,
    /// The pod is rejected by the API server, does not work, or is unsafe.
    Error,
}

impl Severity {
    /// `"error"` or `"warning"`, as in the lint JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule's documentation, from `data/rules.toml`.
#[derive(Debug)]
pub struct RuleInfo {
    /// The stable code, e.g. `DIND002`.
    pub code: &'static str,
    /// A short kebab-case name.
    pub name: &'static str,
    /// The default severity.
    pub severity: Severity,
    /// What the rule finds.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A fragment that triggers it.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// Whether `dind lint --fix` repairs it, with which class, and why that class.
    pub autofix: Option<(crate::fix::Applicability, &'static str)>,
}

include!(concat!(env!("OUT_DIR"), "/rules.rs"));

impl Code {
    /// The code as text, e.g. `"DIND002"`.
    pub fn as_str(self) -> &'static str {
        self.info().code
    }

    /// Looks a code up by its text, ignoring ASCII case (`dind002` works too).
    ///
    /// ```
    /// use dind_core::Code;
    /// assert_eq!(Code::parse("dind002"), Some(Code::Dind002));
    /// assert_eq!(Code::parse("DIND999"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The rule's default severity.
    pub fn severity(self) -> Severity {
        self.info().severity
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about a pod or about builder input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that fired; `None` for input errors no rule covers (an empty image, say).
    pub code: Option<Code>,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The container concerned, if any.
    pub container: Option<String>,
    /// Where: a field path in the pod (`spec.containers[1].startupProbe.tcpSocket.port`) or a
    /// setting name for builder input (`port`).
    pub path: String,
    /// How to fix it.
    pub help: Option<String>,
    /// An automatic repair, when the rule can compute one (`dind lint --fix`).
    pub fix: Option<crate::fix::Fix>,
}

impl Diagnostic {
    /// A finding of rule `code` with the rule's severity and fix as help.
    pub fn rule(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code: Some(code),
            severity: code.severity(),
            message: message.into(),
            container: None,
            path: path.into(),
            help: Some(code.info().fix.to_string()),
            fix: None,
        }
    }

    /// An input error that no rule code covers.
    pub fn input(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code: None,
            severity: Severity::Error,
            message: message.into(),
            container: None,
            path: path.into(),
            help: None,
            fix: None,
        }
    }

    /// Sets the container.
    #[must_use]
    pub fn in_container(mut self, name: impl Into<String>) -> Self {
        self.container = Some(name.into());
        self
    }

    /// Attaches an automatic repair. Its class must be the one the registry gives the rule.
    #[must_use]
    pub fn with_fix(mut self, fix: crate::fix::Fix) -> Self {
        debug_assert_eq!(
            self.code.and_then(|c| c.info().autofix).map(|(a, _)| a),
            Some(fix.applicability),
            "the fix class of {:?} disagrees with the registry",
            self.code
        );
        self.fix = Some(fix);
        self
    }

    /// Sets the severity, for a rule whose case decides it (DIND008: an error where the daemon
    /// cannot start, a warning where it is only slow).
    #[must_use]
    pub(crate) fn at_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Replaces the help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "{}[{code}]: ", self.severity)?,
            None => write!(f, "{}: ", self.severity)?,
        }
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every error found at once: what [`crate::DindPod::build`] returns when the pod cannot be built.
///
/// ```
/// let err = dind_core::DindPod::new().mtu(20).build().unwrap_err();
/// assert_eq!(err.len(), 1);
/// assert_eq!(err.as_slice()[0].path, "mtu");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub(crate) fn new(all: Vec<Diagnostic>) -> Self {
        Diagnostics(all)
    }

    /// The findings.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// The findings as a slice.
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.0
    }

    /// The findings, owned.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn map_paths(mut self, f: impl Fn(&mut Diagnostic)) -> Self {
        self.0.iter_mut().for_each(f);
        self
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
