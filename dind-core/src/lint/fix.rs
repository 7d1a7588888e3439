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

use super::casc::pointer;
use super::pods::diagnose;
use super::sites::{self, Found};
use crate::fix::{Applicability, Fix, PodEdit, apply_to_value};
use crate::groovy::{INTERPOLATED, escape_in_literal, escape_in_literal_between, unescape_mapped};
use crate::rules::{Context, Runner, Steps};
use crate::yaml::{Document, Editor, Limits, TextEdit, apply_edits, read_documents, read_documents_with_spans};
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

/// What names a fix across attempts, so a refused one is not tried again: its code, where it
/// is, what it does.
type FixKey = (Option<Code>, String, String);

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
    fn key(&self) -> FixKey {
        (
            self.diagnostic.code,
            self.diagnostic.path.clone(),
            self.fix.title.clone(),
        )
    }
}

/// Every fix the rules propose for the pods of a YAML text's documents (read with spans).
fn candidates(docs: &[Document], ctx: &Context) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (di, doc) in docs.iter().enumerate() {
        let Found::Pods(found) = sites::locate(&doc.value) else {
            continue;
        };
        for (si, site) in found.iter().enumerate() {
            let Ok(super::pods::Diagnosis { diagnostics, .. }) = diagnose(site, ctx) else {
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
    out
}

/// How many findings of each code a text has.
type Census = BTreeMap<Option<Code>, usize>;

fn count(findings: Vec<super::Finding>) -> Census {
    let mut counts = BTreeMap::new();
    for f in findings {
        *counts.entry(f.diagnostic.code).or_insert(0) += 1;
    }
    counts
}

fn census(text: &str, ctx: &Context) -> Result<Census, String> {
    super::lint_yaml(text, ctx).map(count)
}

/// Whether `later` has fewer findings of `code` than `before`.
fn fewer(before: &Census, later: &Census, code: Option<Code>) -> bool {
    later.get(&code).copied().unwrap_or(0) < before.get(&code).copied().unwrap_or(0)
}

/// Applies one candidate to `text` (read as `docs`, whose findings `before` counts), verified;
/// its edits, the new text and its census, or why not.
fn attempt(
    text: &str,
    docs: &[Document],
    before: &Census,
    c: &Candidate,
    ctx: &Context,
) -> Result<(Vec<TextEdit>, String, Census), String> {
    let expected = c.expected.as_ref().ok_or("the fix does not fit the pod as written")?;
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
    if !fewer(before, &later, code) {
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

/// How a step applies and verifies a candidate, given the text's documents read with spans.
type Apply<'a> = dyn FnMut(&Candidate, &[Document]) -> Result<(), String> + 'a;

/// One step of fixing a YAML text: the first wanted candidate not refused before, applied and
/// verified by `apply` (given the text's documents read with spans; it may carry the edits
/// further, into a Jenkinsfile). Returns whether a candidate was tried.
fn step(
    text: &str,
    ctx: &Context,
    unsafe_fixes: bool,
    refused: &mut BTreeSet<FixKey>,
    out: &mut FileFix,
    line_of: &dyn Fn(usize) -> usize,
    apply: &mut Apply<'_>,
) -> Result<bool, String> {
    let docs = read_documents_with_spans(text, Limits::default())?;
    // What a `dind: ignore` comment suppresses is left as it is.
    let lines: Vec<&str> = text.lines().collect();
    let all: Vec<Candidate> = candidates(&docs, ctx)
        .into_iter()
        .filter(|c| !super::suppressions::is_suppressed(&lines, c.line, c.diagnostic.code))
        .collect();
    let wanted = |c: &Candidate| unsafe_fixes || c.fix.applicability == Applicability::Safe;
    let Some(c) = all.iter().find(|c| wanted(c) && !refused.contains(&c.key())) else {
        out.unsafe_available += all.iter().filter(|c| !wanted(c)).count();
        return Ok(false);
    };
    let line = line_of(c.line);
    match apply(c, &docs) {
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

/// The work one file's fixing has done, against [`WORK_BUDGET`].
#[derive(Default)]
struct Budget {
    spent: usize,
}

impl Budget {
    /// Charges one attempt on a text of `len` bytes (an attempt reads and lints it a few times,
    /// counted as four reads). Once the budget is spent, marks `out` exhausted and says no.
    fn charge(&mut self, len: usize, out: &mut FileFix) -> bool {
        self.spent = self.spent.saturating_add(len.saturating_mul(4).max(1));
        let within = self.spent <= WORK_BUDGET;
        if !within {
            out.exhausted = true;
        }
        within
    }
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
    let mut fixer = Fixer::new(text, ctx, unsafe_fixes);
    fixer.embedded(|text, index| {
        Ok(if index == 0 {
            Some(Whole(text.to_string()))
        } else {
            None
        })
    })?;
    Ok(fixer.finish())
}

/// A YAML file, as the one YAML it embeds.
struct Whole(String);

impl Embedded for Whole {
    fn value(&self) -> &str {
        &self.0
    }

    fn line(&self, l: usize) -> usize {
        l
    }

    fn carry(&self, _file: &str, _edits: &[TextEdit], fixed_yaml: String) -> Result<String, String> {
        Ok(fixed_yaml)
    }
}

/// YAML inside a file (a Jenkinsfile literal, a JCasC template, or the whole file): its value as
/// the linter reads it, and how edits of the value become edits of the file.
trait Embedded {
    /// The YAML, as the linter reads it.
    fn value(&self) -> &str;
    /// The file's line of the value's line `l`.
    fn line(&self, l: usize) -> usize;
    /// The file with `edits` of the value made, verified to read back as `fixed_yaml`.
    fn carry(&self, file: &str, edits: &[TextEdit], fixed_yaml: String) -> Result<String, String>;
}

/// Fixing one file: its text as fixed so far, and what carries from one attempt to the next.
struct Fixer<'a> {
    ctx: &'a Context,
    unsafe_fixes: bool,
    text: String,
    budget: Budget,
    out: FileFix,
    refused: BTreeSet<FixKey>,
}

impl<'a> Fixer<'a> {
    fn new(text: &str, ctx: &'a Context, unsafe_fixes: bool) -> Self {
        Fixer {
            ctx,
            unsafe_fixes,
            text: text.to_string(),
            budget: Budget::default(),
            out: FileFix::default(),
            refused: BTreeSet::new(),
        }
    }

    /// What was done, with the fixed text.
    fn finish(self) -> FileFix {
        FileFix {
            text: self.text,
            ..self.out
        }
    }

    /// Fixes the YAML embedded in the text, the one at each index that `at` finds in turn, in
    /// rounds until no fix applies to it.
    fn embedded<E: Embedded>(&mut self, at: impl Fn(&str, usize) -> Result<Option<E>, String>) -> Result<(), String> {
        let Fixer {
            ctx,
            unsafe_fixes,
            text,
            budget,
            out,
            refused,
        } = self;
        let mut index = 0;
        // The findings of the YAML at `index`, when known from the last attempt's verification.
        let mut known: Option<(usize, Census)> = None;
        for _ in 0..MAX_ATTEMPTS {
            // Finding that nothing is left costs nothing: a file fixed within the budget is
            // never reported as stopped at it.
            let Some(e) = at(text, index)? else { break };
            if !budget.charge(text.len(), out) {
                break;
            }
            let before = match known.take() {
                Some((i, census)) if i == index => census,
                _ => census(e.value(), ctx)?,
            };
            let mut after = None;
            let mut apply = |c: &Candidate, docs: &[Document]| -> Result<(), String> {
                let (edits, fixed_yaml, later) = attempt(e.value(), docs, &before, c, ctx)?;
                *text = e.carry(text, &edits, fixed_yaml)?;
                after = Some(later);
                Ok(())
            };
            if step(e.value(), ctx, *unsafe_fixes, refused, out, &|l| e.line(l), &mut apply)? {
                known = Some((index, after.unwrap_or(before)));
            } else {
                index += 1;
            }
        }
        Ok(())
    }
}

/// Maps edits of a literal's value to edits of the Jenkinsfile, escaped for the literal's kind;
/// refuses edits that touch what a `${...}` substitution produced.
fn literal_edits(
    file: &str,
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
    let mapped = edits
        .iter()
        .map(|e| {
            if offsets[e.start.min(value_len)..e.end.min(value_len)].contains(&INTERPOLATED) {
                return Err("the edit touches text a `${...}` substitution produces".to_string());
            }
            Ok((source(e.start)?, source(e.end)?, e))
        })
        .collect::<Result<Vec<_>, String>>()?;
    // What the literal's source has around an edit, for escaping quotes: nothing (as at a
    // delimiter) where another edit meets it, since that edit's text will stand there.
    let shared = |at: usize, me: usize| {
        mapped
            .iter()
            .enumerate()
            .any(|(j, m)| j != me && (m.0 == at || m.1 == at))
    };
    Ok(mapped
        .iter()
        .enumerate()
        .map(|(me, &(start, end, e))| {
            let before = (start > lit.content.start && !shared(start, me))
                .then(|| file[..start].chars().next_back())
                .flatten();
            let after = (end < lit.content.end && !shared(end, me))
                .then(|| file[end..].chars().next())
                .flatten();
            TextEdit {
                depth: e.depth,
                start,
                end,
                text: escape_in_literal_between(&e.text, lit.double, lit.triple, before, after),
            }
        })
        .collect())
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
    let mut fixer = Fixer::new(text, &ctx, unsafe_fixes);
    fixer.embedded(|text, index| {
        let literals = super::standalone_literals(text)?;
        let Some(lit) = literals.into_iter().nth(index) else {
            return Ok(None);
        };
        let mapped = unescape_mapped(&text[lit.content.clone()], lit.line, lit.double, &lit.vars)?;
        Ok(Some(Literal { lit, mapped, index }))
    })?;
    fixer.templates()?;
    Ok(fixer.finish())
}

/// A Jenkinsfile's `yaml` literal that holds a pod on its own, the `index`th of them.
struct Literal {
    lit: super::GroovyLiteral,
    mapped: crate::groovy::Unescaped,
    index: usize,
}

impl Embedded for Literal {
    fn value(&self) -> &str {
        &self.mapped.value
    }

    fn line(&self, l: usize) -> usize {
        self.lit.line_starts.get(l.saturating_sub(1)).copied().unwrap_or(1)
    }

    fn carry(&self, file: &str, edits: &[TextEdit], fixed_yaml: String) -> Result<String, String> {
        let source = literal_edits(file, &self.lit, &self.mapped.offsets, self.mapped.value.len(), edits)?;
        let next = apply_edits(file, &source);
        // The literal must read back, through Groovy's escapes, as exactly the fixed YAML.
        let again = super::standalone_literals(&next)?;
        if again.get(self.index).map(|l| &l.value) != Some(&fixed_yaml) {
            return Err("the Jenkinsfile's literal would not read back as the fixed YAML".into());
        }
        Ok(next)
    }
}

/// A JCasC template's `yaml: |` block scalar: its value as the linter reads it (`^${` read as
/// `${`), and for each value byte the file offset it comes from.
struct Block {
    value: String,
    offsets: Vec<usize>,
    /// Where the value ends in the file (after the last content line's break, or after its last
    /// character for `|-`).
    end: usize,
    indent: usize,
    strip: bool,
}

impl Block {
    /// Reads the literal block scalar at `path`; why not when it is not one dind can map (folded,
    /// quoted, `|+`, an explicit indentation indicator) or does not read back as the parsed value.
    fn read(text: &str, doc: &crate::yaml::Document, path: &str) -> Result<Block, String> {
        const UNLOCATED: &str = "dind could not locate the template's `yaml` in the file";
        let span = doc.span_of(path).ok_or(UNLOCATED)?;
        let parsed = pointer(path)
            .and_then(|p| doc.value.pointer(&p))
            .and_then(Value::as_str)
            .ok_or(UNLOCATED)?;
        let start = span.start as usize;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = start - line_start;
        // The header `|` or `|-` ends the key's line, before the content's first line.
        let key = span.key.ok_or(UNLOCATED)? as usize;
        let header_line = &text[key..text[key..].find('\n').map_or(text.len(), |i| key + i)];
        let header = header_line
            .split_once(':')
            .and_then(|(_, h)| h.split('#').next())
            .map_or("", str::trim);
        let strip = match header {
            "|" => false,
            "|-" => true,
            _ => {
                let kind = match header.chars().next() {
                    Some('>') => "a folded (`>`) scalar",
                    Some('|') if header.contains('+') => "a `|+` block",
                    Some('|') => "a block with an indentation indicator",
                    Some('"' | '\'') => "a quoted string",
                    _ => "a plain scalar",
                };
                return Err(format!(
                    "dind edits a template's `yaml` only in a `|` or `|-` block, and this one is {kind}; \
                     edit it by hand"
                ));
            }
        };
        let mut value = String::new();
        let mut offsets = Vec::new();
        let mut at = line_start;
        let mut last_content_end = start;
        while at < text.len() {
            let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            let line = &text[at..line_end];
            let blank = line.trim().is_empty();
            if !blank && (line.len() < indent || !line[..indent].chars().all(|c| c == ' ')) {
                break;
            }
            if !blank {
                let content = &line[indent..];
                // Every byte of a multi-byte character maps to its start.
                for (i, ch) in content.char_indices() {
                    offsets.extend(std::iter::repeat_n(at + indent + i, ch.len_utf8()));
                }
                value.push_str(content);
                last_content_end = line_end;
            }
            value.push('\n');
            offsets.push(line_end);
            at = line_end + 1;
        }
        // Clip: one final line break; strip: none. Trailing blank lines belong to neither.
        let kept = value.trim_end_matches('\n').len();
        let keep = if strip { kept } else { (kept + 1).min(value.len()) };
        value.truncate(keep);
        offsets.truncate(keep);
        let end = if strip {
            last_content_end
        } else {
            (last_content_end + 1).min(text.len())
        };
        // `^${` is JCasC's escape of a literal `${`.
        let mut unescaped = String::with_capacity(value.len());
        let mut map = Vec::with_capacity(offsets.len());
        let mut i = 0;
        while i < value.len() {
            if value[i..].starts_with("^${") {
                unescaped.push_str("${");
                map.extend([offsets[i], offsets[i + 2]]);
                i += 3;
            } else {
                let Some(ch) = value[i..].chars().next() else { break };
                unescaped.push(ch);
                map.extend(std::iter::repeat_n(offsets[i], ch.len_utf8()));
                i += ch.len_utf8();
            }
        }
        if value != parsed {
            return Err(
                "the template's `yaml` block does not read back line by line as its value \
                        (tabs or uneven indentation); edit it by hand"
                    .into(),
            );
        }
        Ok(Block {
            value: unescaped,
            offsets: map,
            end,
            indent,
            strip,
        })
    }

    /// An edit of the value as an edit of the file: `${` written `^${`, every new line indented
    /// as the block's content.
    fn file_edit(&self, text: &str, e: &TextEdit) -> TextEdit {
        let pos = |p: usize| {
            if p < self.offsets.len() {
                self.offsets[p]
            } else {
                self.end
            }
        };
        let (start, end) = (pos(e.start), pos(e.end));
        let at_line_start = start == 0 || text[..start].ends_with('\n');
        let pad = " ".repeat(self.indent);
        let escaped = e.text.replace("${", "^${");
        let mut out = String::new();
        if at_line_start && !escaped.is_empty() && !escaped.starts_with('\n') {
            out.push_str(&pad);
        }
        let lines: Vec<&str> = escaped.split('\n').collect();
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
                let last = i == lines.len() - 1;
                // After the last break, indent only if original content follows on that line.
                if !(last && line.is_empty() && (at_line_start || end >= self.end)) {
                    out.push_str(&pad);
                }
            }
            out.push_str(line);
        }
        TextEdit {
            start,
            end,
            text: out,
            depth: e.depth,
        }
    }
}

/// The paths of the template `yaml` values of a JCasC text's documents.
fn jcasc_templates(docs: &[Document]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let clouds = doc
            .value
            .pointer("/jenkins/clouds")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        for ci in 0..clouds {
            let n = doc
                .value
                .pointer(&format!("/jenkins/clouds/{ci}/kubernetes/templates"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for ti in 0..n {
                let path = format!("jenkins.clouds[{ci}].kubernetes.templates[{ti}].yaml");
                if doc
                    .value
                    .pointer(&pointer(&path).unwrap_or_default())
                    .is_some_and(Value::is_string)
                {
                    out.push((d, path));
                }
            }
        }
    }
    out
}

/// Applies every fix of the given class to the pod templates of a JCasC file: each edit is made
/// on the template's YAML, mapped back into its `yaml: |` block with the block's indentation and
/// `^${` for every `${`, and verified: the template must read back as exactly the fixed YAML.
/// Templates in folded or quoted scalars, `|+` blocks or blocks with an indentation indicator
/// are left as they are, and their fixes refused with the reason.
///
/// ```
/// use dind_core::lint::fix_jcasc;
/// use dind_core::rules::Context;
/// let text = "jenkins:\n  clouds:\n  - kubernetes:\n      templates:\n      - name: dind\n        yaml: |\n          spec:\n            containers:\n            - name: dind\n              image: docker:29.7.2-dind\n              securityContext: {privileged: true, allowPrivilegeEscalation: false}\n              env:\n              - name: X\n                value: ^${HOME}\n";
/// let fixed = fix_jcasc(text, &Context::default(), false).unwrap();
/// assert!(fixed.text.contains("{privileged: true, allowPrivilegeEscalation: true}"));
/// assert!(fixed.text.contains("^${HOME}"));
/// ```
pub fn fix_jcasc(text: &str, ctx: &Context, unsafe_fixes: bool) -> Result<FileFix, String> {
    let ctx = ctx.with_runner(Runner::Jenkins);
    let mut fixer = Fixer::new(text, &ctx, unsafe_fixes);
    fixer.embedded(|text, index| {
        let docs = read_documents_with_spans(text, Limits::default())?;
        let Some((doc, path)) = jcasc_templates(&docs).into_iter().nth(index) else {
            return Ok(None);
        };
        let lines = super::TemplateLines::new(text, docs[doc].line_of(&path));
        let block = Block::read(text, &docs[doc], &path).map_err(|reason| {
            // What the linter reads, so its fixes are refused with the reason.
            let value = docs[doc]
                .value
                .pointer(&pointer(&path).unwrap_or_default())
                .and_then(Value::as_str)
                .unwrap_or_default()
                .replace("^${", "${");
            (value, reason)
        });
        Ok(Some(Template {
            lines,
            block,
            doc,
            path,
        }))
    })?;
    Ok(fixer.finish())
}

/// A JCasC pod template's `yaml`: document `doc`, at `path`; a block dind maps, or the value as
/// the linter reads it and why dind does not edit it (its fixes are refused with that reason).
struct Template {
    block: Result<Block, (String, String)>,
    doc: usize,
    path: String,
    lines: super::TemplateLines,
}

impl Embedded for Template {
    fn value(&self) -> &str {
        match &self.block {
            Ok(block) => &block.value,
            Err((value, _)) => value,
        }
    }

    fn line(&self, l: usize) -> usize {
        // The line lint reports.
        self.lines.line(l)
    }

    fn carry(&self, file: &str, edits: &[TextEdit], fixed_yaml: String) -> Result<String, String> {
        let block = self.block.as_ref().map_err(|(_, reason)| reason.clone())?;
        let file_edits: Vec<TextEdit> = edits.iter().map(|e| block.file_edit(file, e)).collect();
        let next = apply_edits(file, &file_edits);
        let again = read_documents(&next, Limits::default())?;
        let read_back = again.get(self.doc).and_then(|doc| {
            doc.value
                .pointer(&pointer(&self.path)?)?
                .as_str()
                .map(|v| v.replace("^${", "${"))
        });
        let want = if block.strip {
            fixed_yaml.trim_end_matches('\n').to_string()
        } else {
            fixed_yaml
        };
        if read_back.as_deref() != Some(want.as_str()) {
            return Err("the JCasC template would not read back as the fixed YAML".into());
        }
        Ok(next)
    }
}

/// Applies the fixes to one file of any kind [`super::lint_file`] reads: YAML documents,
/// Jenkinsfile `yaml` literals and JCasC pod templates.
pub fn fix_file(name: &str, text: &str, ctx: &Context, unsafe_fixes: bool) -> Result<FileFix, String> {
    match super::InputKind::detect(name, text) {
        super::InputKind::Pod => fix_yaml(text, ctx, unsafe_fixes),
        super::InputKind::Jenkinsfile => fix_jenkinsfile(text, ctx, unsafe_fixes),
        super::InputKind::Jcasc => fix_jcasc(text, ctx, unsafe_fixes),
    }
}

/// The token of a scalar `containerTemplate` argument that starts at `offset`: its end, and
/// whether it is a string.
fn argument_token(text: &str, offset: usize) -> Option<(usize, bool)> {
    let toks = super::groovy_calls::tokens(text).ok()?;
    let t = toks.iter().find(|t| t.offset == offset)?;
    match &t.tok {
        super::groovy_calls::Tok::Str { raw, triple, .. } => {
            let q = if *triple { 3 } else { 1 };
            Some((offset + 2 * q + raw.len(), true))
        }
        super::groovy_calls::Tok::Ident(w) if w == "true" || w == "false" => Some((offset + w.len(), false)),
        _ => None,
    }
}

/// The edits of a fix on a template-built pod, as edits of `containerTemplate` arguments; or why
/// they cannot be made there.
fn template_edits(
    text: &str,
    fix: &Fix,
    origin: &[Option<super::pod_templates::FieldLines>],
) -> Result<Vec<TextEdit>, String> {
    let mut edits = Vec::new();
    for e in &fix.edits {
        let PodEdit::Set { path, value } = e else {
            return Err("the fix changes the pod's structure, which `containerTemplate` arguments cannot express; edit the template's `yaml`".into());
        };
        let rest = path
            .strip_prefix("spec.containers[")
            .ok_or("the fix is not about a container template")?;
        let (index, field) = rest
            .split_once("].")
            .ok_or("the fix is not about a container template")?;
        let lines = index
            .parse::<usize>()
            .ok()
            .and_then(|i| origin.get(i))
            .and_then(Option::as_ref)
            .ok_or("the container comes from the `yaml` merged into the template; fix it there")?;
        let offset = *lines
            .args
            .get(field)
            .ok_or_else(|| format!("`{field}` is not an argument of this `containerTemplate`; add it by hand"))?;
        let (end, is_str) = argument_token(text, offset).ok_or("the argument is not a plain literal")?;
        let replacement = match (value, is_str) {
            // A string keeps the quotes it was written with.
            (Value::String(v), true) if text[offset..].starts_with('"') && !text[offset..].starts_with("\"\"\"") => {
                format!("\"{}\"", escape_in_literal(v, true, false))
            }
            (Value::String(v), true) => crate::groovy::single_quoted(v)?,
            (Value::Bool(b), false) => b.to_string(),
            _ => return Err("the argument's type does not fit the fix".into()),
        };
        edits.push(TextEdit {
            start: offset,
            end,
            text: replacement,
            depth: 0,
        });
    }
    Ok(edits)
}

impl Fixer<'_> {
    /// Fixes the pods that `podTemplate(containers: [containerTemplate(...)])` and declarative
    /// `containerTemplate` blocks build, by rewriting the scalar arguments the fixes are about
    /// (`image`, `privileged`); each verified by building the template's pod again.
    fn templates(&mut self) -> Result<(), String> {
        let Fixer {
            ctx,
            unsafe_fixes,
            text: current,
            budget,
            out,
            refused,
        } = self;
        let (ctx, unsafe_fixes) = (*ctx, *unsafe_fixes);
        // Unsafe fixes left, counted once each however many passes see them.
        let mut unsafe_left = BTreeSet::new();
        'attempts: for _ in 0..MAX_ATTEMPTS {
            if !budget.charge(current.len(), out) {
                break;
            }
            unsafe_left.clear();
            // The findings of the text as it is, counted when a fix is first tried in this pass.
            let mut before: Option<Census> = None;
            let parts = super::jenkins::jenkins_parts(current)?;
            for (ti, (t, use_index)) in parts.with_containers().enumerate() {
                let (fragments, templating) = parts.text_fragment(use_index);
                let ctx = &ctx.with_templating(templating);
                let built = super::pods::BuiltTemplate::new(t, &fragments, super::pods::MergeStrategy::Override)?;
                let (pod, origin) = (&built.pod, &built.origin);
                let site = sites::Site {
                    label: "podTemplate".into(),
                    pod: pod.clone(),
                    paths: sites::PathMap::identity(),
                    runner: Runner::Jenkins,
                };
                let Ok(super::pods::Diagnosis { diagnostics, .. }) = diagnose(&site, ctx) else {
                    continue;
                };
                for d in diagnostics {
                    let Some(fix) = d.fix.clone() else { continue };
                    let key = (d.code, format!("template {ti}: {}", d.path), fix.title.clone());
                    if refused.contains(&key) {
                        continue;
                    }
                    if !(unsafe_fixes || fix.applicability == Applicability::Safe) {
                        unsafe_left.insert(key);
                        continue;
                    }
                    // The line lint reports the finding at.
                    let line = built.line_of(&d.path);
                    let result = template_edits(current, &fix, origin).and_then(|edits| {
                        let next = apply_edits(current, &edits);
                        let again = super::jenkins::jenkins_parts(&next)?;
                        let (t2, use2) = again.with_containers().nth(ti).ok_or("the template moved")?;
                        let (fragments2, _) = again.text_fragment(use2);
                        let pod2 =
                            super::pods::BuiltTemplate::new(t2, &fragments2, super::pods::MergeStrategy::Override)?.pod;
                        if Some(&pod2) != apply_to_value(pod, &fix.edits).as_ref() {
                            return Err("the Jenkinsfile would not build the fixed pod".to_string());
                        }
                        let later = super::lint_jenkinsfile(&next, ctx).map(count)?;
                        let now = match &before {
                            Some(now) => now,
                            None => before.insert(super::lint_jenkinsfile(current, ctx).map(count)?),
                        };
                        if !fewer(now, &later, d.code) {
                            return Err("the finding remains after the edit".into());
                        }
                        Ok(next)
                    });
                    match result {
                        Ok(next) => {
                            *current = next;
                            out.applied.push(Applied { diagnostic: d, line });
                            continue 'attempts;
                        }
                        Err(reason) => {
                            refused.insert(key);
                            out.refused.push(Refused {
                                diagnostic: d,
                                line,
                                reason,
                            });
                        }
                    }
                }
            }
            break;
        }
        out.unsafe_available += unsafe_left.len();
        Ok(())
    }
}
