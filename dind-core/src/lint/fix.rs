//! `dind lint --fix`: the fixes the rules propose, applied as text edits at exact spans of the
//! file, one at a time, each verified before it is kept:
//!
//! 1. the edited text still reads, with the same documents and the same pods in them;
//! 2. the pod read back is exactly the pod the fix meant (its edits applied to the pod's value),
//!    so an edit can never land beside the field the rule was about;
//! 3. linting again finds fewer findings of the fixed code and no more of any other.
//!
//! A fix that fails any of these is refused with the reason, and the text stays as it was. Fixes
//! run in rounds until none applies (a fix may make another possible), as ruff does.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::pods::diagnose;
use super::sites::{self, Found};
use crate::fix::{Applicability, Fix, PodEdit, apply_to_value};
use crate::groovy::{INTERPOLATED, escape_in_literal, unescape_mapped};
use crate::rules::{Context, Runner, Steps};
use crate::yaml::{Editor, Limits, TextEdit, apply_edits, read_documents, read_documents_with_spans};
use crate::{Code, Diagnostic};

/// A fix that was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Applied {
    /// The finding it repaired (its path is the document's own).
    pub diagnostic: Diagnostic,
    /// Its line before the fix.
    pub line: usize,
}

/// A fix that was not applied, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refused {
    /// The finding.
    pub diagnostic: Diagnostic,
    /// Its line.
    pub line: usize,
    /// Why the fix was not applied.
    pub reason: String,
}

/// What fixing one file did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileFix {
    /// The file after the fixes (the input when none applied).
    pub text: String,
    /// The fixes applied, in order.
    pub applied: Vec<Applied>,
    /// Fixes that could not be applied cleanly.
    pub refused: Vec<Refused>,
    /// Findings left with an unsafe fix, when unsafe fixes were not asked for.
    pub unsafe_available: usize,
    /// Whether fixing stopped at the work bound ([`WORK_BUDGET`]) with fixes left: run it again.
    pub exhausted: bool,
}

/// How many bytes of text the fixer may read again (each attempt reads the text a few times)
/// before it stops, for one file: far above what a file of pods needs, and bounded on a hostile
/// one.
pub const WORK_BUDGET: usize = 24 << 20;

/// One proposed fix, located.
struct Candidate {
    doc: usize,
    site: usize,
    diagnostic: Diagnostic,
    line: usize,
    fix: Fix,
    /// The edits at the document's paths.
    doc_edits: Vec<PodEdit>,
    /// The site's pod as the fix means it.
    expected: Option<Value>,
}

impl Candidate {
    fn key(&self) -> (Option<Code>, String, String) {
        (
            self.diagnostic.code,
            self.diagnostic.path.clone(),
            self.fix.title.clone(),
        )
    }
}

/// Every fix the rules propose for the pods of a YAML text.
fn candidates(text: &str, ctx: &Context) -> Result<Vec<Candidate>, String> {
    let docs = read_documents_with_spans(text, Limits::default())?;
    let mut out = Vec::new();
    for (di, doc) in docs.iter().enumerate() {
        let Found::Pods(found) = sites::locate(&doc.value) else {
            continue;
        };
        for (si, site) in found.iter().enumerate() {
            let Ok((diagnostics, _)) = diagnose(site, ctx) else {
                continue;
            };
            for mut d in diagnostics {
                let Some(fix) = d.fix.clone() else { continue };
                let doc_edits: Vec<PodEdit> = fix.edits.iter().map(|e| e.at(site.paths.map(e.path()))).collect();
                d.path = site.paths.map(&d.path);
                let line = doc.line_of(&d.path);
                out.push(Candidate {
                    doc: di,
                    site: si,
                    expected: apply_to_value(&site.pod, &fix.edits),
                    diagnostic: d,
                    line,
                    fix,
                    doc_edits,
                });
            }
        }
    }
    Ok(out)
}

/// How many findings of each code a text has.
type Census = BTreeMap<Option<Code>, usize>;

fn census(text: &str, ctx: &Context) -> Result<Census, String> {
    let mut counts = BTreeMap::new();
    for f in super::lint_yaml(text, ctx)? {
        *counts.entry(f.diagnostic.code).or_insert(0) += 1;
    }
    Ok(counts)
}

/// Applies one candidate to `text` (whose findings `before` counts), verified; its edits, the
/// new text and its census, or why not.
fn attempt(
    text: &str,
    before: &Census,
    c: &Candidate,
    ctx: &Context,
) -> Result<(Vec<TextEdit>, String, Census), String> {
    let expected = c.expected.as_ref().ok_or("the fix does not fit the pod as written")?;
    let docs = read_documents_with_spans(text, Limits::default())?;
    let doc = docs.get(c.doc).ok_or("the document moved")?;
    let editor = Editor::new(text, doc);
    let mut edits = Vec::new();
    for e in &c.doc_edits {
        edits.extend(editor.edits(e)?);
    }
    let mut ranges: Vec<(usize, usize)> = edits.iter().map(|e| (e.start, e.end)).collect();
    ranges.sort_unstable();
    // Insertions at one point stay in their order; anything else may not overlap.
    if ranges.windows(2).any(|w| w[1].0 < w[0].1) {
        return Err("its edits overlap".into());
    }
    let fixed = apply_edits(text, &edits);
    let after = read_documents(&fixed, Limits::default()).map_err(|e| format!("the edited text does not read: {e}"))?;
    if after.len() != docs.len() {
        return Err("the edit changed the documents of the file".into());
    }
    for (i, (a, b)) in docs.iter().zip(&after).enumerate() {
        if i != c.doc && a.value != b.value {
            return Err("the edit spilled into another document".into());
        }
    }
    let Found::Pods(now) = sites::locate(&after[c.doc].value) else {
        return Err("the edited document no longer holds a pod".into());
    };
    if now.get(c.site).map(|s| &s.pod) != Some(expected) {
        return Err("the edited text does not read back as the fixed pod".into());
    }
    let later = census(&fixed, ctx)?;
    let code = c.diagnostic.code;
    if later.get(&code).copied().unwrap_or(0) >= before.get(&code).copied().unwrap_or(0) {
        return Err("the finding remains after the edit".into());
    }
    if let Some((new, _)) = later
        .iter()
        .find(|(k, n)| **k != code && **n > before.get(k).copied().unwrap_or(0))
    {
        return Err(format!(
            "the edit would bring a new finding ({})",
            new.map_or_else(|| "an input error".to_string(), |c| c.to_string())
        ));
    }
    Ok((edits, fixed, later))
}

/// One step of fixing a YAML text: the first wanted candidate not refused before, applied and
/// verified by `apply` (which may carry the edits further, into a Jenkinsfile). Returns whether
/// a candidate was tried.
fn step(
    text: &str,
    ctx: &Context,
    unsafe_fixes: bool,
    refused: &mut BTreeSet<(Option<Code>, String, String)>,
    out: &mut FileFix,
    line_of: &dyn Fn(usize) -> usize,
    apply: &mut dyn FnMut(&Candidate) -> Result<(), String>,
) -> Result<bool, String> {
    let all = candidates(text, ctx)?;
    let wanted = |c: &Candidate| unsafe_fixes || c.fix.applicability == Applicability::Safe;
    let Some(c) = all.iter().find(|c| wanted(c) && !refused.contains(&c.key())) else {
        out.unsafe_available += all.iter().filter(|c| !wanted(c)).count();
        return Ok(false);
    };
    let line = line_of(c.line);
    match apply(c) {
        Ok(()) => out.applied.push(Applied {
            diagnostic: c.diagnostic.clone(),
            line,
        }),
        Err(reason) => {
            refused.insert(c.key());
            out.refused.push(Refused {
                diagnostic: c.diagnostic.clone(),
                line,
                reason,
            });
        }
    }
    Ok(true)
}

/// The most fix attempts on one file; far above what a file of pods needs.
const MAX_ATTEMPTS: usize = 512;

/// What one attempt on a text of `len` bytes costs in the work budget: it is read four times.
fn cost(len: usize) -> usize {
    len.saturating_mul(4).max(1)
}

/// Applies every fix of the given class to the pods of a YAML text (any shape `dind lint` reads),
/// in rounds until none applies.
///
/// ```
/// use dind_core::lint::fix_yaml;
/// use dind_core::rules::Context;
/// let text = "# the seed's probe\nspec:\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    securityContext: {privileged: true}\n    startupProbe:\n      tcpSocket: {port: 'tcp://localhost:2376'}\n";
/// let fixed = fix_yaml(text, &Context::default(), false).unwrap();
/// assert!(fixed.text.contains("tcpSocket: {port: 2376}"));
/// assert!(fixed.text.starts_with("# the seed's probe\n"));
/// assert!(fixed.applied.iter().any(|a| a.diagnostic.code.unwrap().as_str() == "DIND002"));
/// ```
pub fn fix_yaml(text: &str, ctx: &Context, unsafe_fixes: bool) -> Result<FileFix, String> {
    let mut current = text.to_string();
    let mut out = FileFix::default();
    let mut refused = BTreeSet::new();
    let mut spent = 0usize;
    let mut before = census(&current, ctx)?;
    for _ in 0..MAX_ATTEMPTS {
        spent = spent.saturating_add(cost(current.len()));
        if spent > WORK_BUDGET {
            out.exhausted = true;
            break;
        }
        let snapshot = current.clone();
        let mut apply = |c: &Candidate| -> Result<(), String> {
            let (_, fixed, later) = attempt(&snapshot, &before, c, ctx)?;
            current = fixed;
            before = later;
            Ok(())
        };
        if !step(&snapshot, ctx, unsafe_fixes, &mut refused, &mut out, &|l| l, &mut apply)? {
            break;
        }
    }
    out.text = current;
    Ok(out)
}

/// Maps edits of a literal's value to edits of the Jenkinsfile, escaped for the literal's kind;
/// refuses edits that touch what a `${...}` substitution produced.
fn literal_edits(
    lit: &super::GroovyLiteral,
    offsets: &[u32],
    value_len: usize,
    edits: &[TextEdit],
) -> Result<Vec<TextEdit>, String> {
    let raw_len = lit.content.len();
    let source = |i: usize| -> Result<usize, String> {
        let at = if i >= value_len {
            Some(raw_len)
        } else {
            offsets.get(i).filter(|o| **o != INTERPOLATED).map(|o| *o as usize)
        };
        at.map(|a| lit.content.start + a)
            .ok_or_else(|| "the edit touches text a `${...}` substitution produces".to_string())
    };
    edits
        .iter()
        .map(|e| {
            if offsets[e.start.min(value_len)..e.end.min(value_len)].contains(&INTERPOLATED) {
                return Err("the edit touches text a `${...}` substitution produces".to_string());
            }
            Ok(TextEdit {
                start: source(e.start)?,
                end: source(e.end)?,
                text: escape_in_literal(&e.text, lit.double, lit.triple),
            })
        })
        .collect()
}

/// Applies every fix of the given class to the pods of a Jenkinsfile's `yaml` literals, in place
/// in the Groovy source: each edit is made on the YAML, mapped back through the literal's escapes
/// and escaped again for its kind (`\\` and `'` in `'''`, also `"` and `$` in `"""`), then
/// verified: the literal must read back as exactly the fixed YAML. Literals combined with
/// `containerTemplate`s are left as they are.
///
/// ```
/// use dind_core::lint::fix_jenkinsfile;
/// use dind_core::rules::Context;
/// let text = "podTemplate(yaml: '''\nspec:\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    securityContext: {privileged: true, allowPrivilegeEscalation: false}\n''') { node(POD_LABEL) { sh 'docker version' } }\n";
/// let fixed = fix_jenkinsfile(text, &Context::default(), false).unwrap();
/// assert!(fixed.text.contains("{privileged: true, allowPrivilegeEscalation: true}"));
/// ```
pub fn fix_jenkinsfile(text: &str, ctx: &Context, unsafe_fixes: bool) -> Result<FileFix, String> {
    let ctx = ctx.with_runner(Runner::Jenkins).with_steps(Steps::of(text));
    let mut current = text.to_string();
    let mut out = FileFix::default();
    let mut refused = BTreeSet::new();
    let mut index = 0;
    let mut spent = 0usize;
    for _ in 0..MAX_ATTEMPTS {
        spent = spent.saturating_add(cost(current.len()));
        if spent > WORK_BUDGET {
            out.exhausted = true;
            break;
        }
        let literals = super::standalone_literals(&current)?;
        let Some(lit) = literals.get(index) else {
            break;
        };
        let raw = &current[lit.content.clone()];
        let mapped = unescape_mapped(raw, lit.line, lit.double, &lit.vars)?;
        let snapshot = current.clone();
        let starts = lit.line_starts.clone();
        let line_of = move |l: usize| starts.get(l.saturating_sub(1)).copied().unwrap_or(1);
        let before = census(&mapped.value, &ctx)?;
        let mut apply = |c: &Candidate| -> Result<(), String> {
            let (edits, fixed_yaml, _) = attempt(&mapped.value, &before, c, &ctx)?;
            let source = literal_edits(lit, &mapped.offsets, mapped.value.len(), &edits)?;
            let next = apply_edits(&snapshot, &source);
            // The literal must read back, through Groovy's escapes, as exactly the fixed YAML.
            let again = super::standalone_literals(&next)?;
            if again.get(index).map(|l| &l.value) != Some(&fixed_yaml) {
                return Err("the Jenkinsfile's literal would not read back as the fixed YAML".into());
            }
            current = next;
            Ok(())
        };
        if !step(
            &mapped.value,
            &ctx,
            unsafe_fixes,
            &mut refused,
            &mut out,
            &line_of,
            &mut apply,
        )? {
            index += 1;
        }
    }
    out.text = current;
    Ok(out)
}

/// Applies the fixes to one file of any kind [`super::lint_file`] reads: YAML documents and
/// Jenkinsfile `yaml` literals. (JCasC files are not fixed yet: the file is returned as it is.)
pub fn fix_file(name: &str, text: &str, ctx: &Context, unsafe_fixes: bool) -> Result<FileFix, String> {
    match super::InputKind::detect(name, text) {
        super::InputKind::Pod => fix_yaml(text, ctx, unsafe_fixes),
        super::InputKind::Jenkinsfile => fix_jenkinsfile(text, ctx, unsafe_fixes),
        _ => Ok(FileFix {
            text: text.to_string(),
            ..FileFix::default()
        }),
    }
}
