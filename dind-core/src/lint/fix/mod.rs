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

mod block;
mod casc;
mod fields;
mod groovy;
mod nested;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::pods::diagnose;
use super::sites::{self, Found};
use crate::fix::{Applicability, Fix, PodEdit, apply_to_value};
use crate::rules::{Context, Runner};
use crate::yaml::{Document, Editor, Limits, TextEdit, apply_edits, read_documents, read_documents_with_spans};
use crate::{Code, Diagnostic};

pub use groovy::fix_jenkinsfile;

/// A fix that was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Applied {
    /// The finding it repaired (its path is the document's own).
    pub diagnostic: Diagnostic,
    /// Its line before the fix.
    pub line: usize,
    /// The codes of other findings the same edits settled (a socket mount moved for DIND013 also
    /// serves the client of DIND004), once each.
    pub settles: Vec<Code>,
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

/// The container and field of an edit inside a word list (`spec.containers[1].args[2]`,
/// `spec.containers[1].args`).
pub(super) fn word_list(path: &str) -> Option<(usize, &'static str)> {
    let rest = path.strip_prefix("spec.containers[")?;
    let (index, field) = rest.split_once("].")?;
    let index = index.parse().ok()?;
    let name = field.split('[').next()?;
    match name {
        "args" => Some((index, "args")),
        "command" => Some((index, "command")),
        _ => None,
    }
}

/// The words of a container's `command` or `args` in `pod`, joined by spaces as a
/// `containerTemplate` writes them (the plugin splits the string on spaces, quotes grouping).
/// An error for a word that would need quoting, which could read back differently.
pub(super) fn joined_words(pod: &Value, index: usize, field: &str) -> Result<String, String> {
    let list = pod
        .pointer(&format!("/spec/containers/{index}/{field}"))
        .and_then(Value::as_array)
        .ok_or("the fix leaves no list of words")?;
    let mut words = Vec::new();
    for w in list {
        let w = w.as_str().ok_or("a word is not a string")?;
        // (A `$` is escaped differently by JCasC and the Jenkins chart: left to the user.)
        if w.is_empty() || w.contains([' ', '\t', '"', '\'', '$']) {
            return Err(format!(
                "`{w}` cannot be written as a word of the `{field}` string; edit it by hand"
            ));
        }
        words.push(w);
    }
    Ok(words.join(" "))
}

/// The findings of a text by code, as lint counts them in the file it is part of (a nested
/// text is counted through the file around it); `Err` when the text cannot be carried there or
/// read.
type CensusOf<'a> = dyn Fn(&str) -> Result<Census, String> + 'a;

/// Whether `later` has fewer findings of `code` than `before`.
fn fewer(before: &Census, later: &Census, code: Option<Code>) -> bool {
    later.get(&code).copied().unwrap_or(0) < before.get(&code).copied().unwrap_or(0)
}

/// Whether a fix for `code` did what it should: fewer findings of `code`, no more of any other.
/// The other codes it settled on the way (fewer of them), when it did.
fn verify(before: &Census, later: &Census, code: Option<Code>) -> Result<Vec<Code>, String> {
    if !fewer(before, later, code) {
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
    Ok(before
        .keys()
        .filter(|k| **k != code && fewer(before, later, **k))
        .filter_map(|k| *k)
        .collect())
}

/// Makes one candidate's edits in `text` (read as `docs`), checked to mean what the fix means:
/// the edits, and the edited text.
fn attempt(text: &str, docs: &[Document], c: &Candidate) -> Result<(Vec<TextEdit>, String), String> {
    let expected = c.expected.as_ref().ok_or("the fix does not fit the pod as written")?;
    let doc = docs.get(c.doc).ok_or("the document moved")?;
    let editor = Editor::new(text, doc);
    let mut edits = Vec::new();
    for e in &c.doc_edits {
        edits.extend(editor.edits(e)?);
    }
    no_overlap(&edits)?;
    let fixed = apply_edits(text, &edits);
    let after = read_documents(&fixed, Limits::default()).map_err(|e| format!("the edited text does not read: {e}"))?;
    same_elsewhere(docs, &after, c.doc)?;
    let Found::Pods(now) = sites::locate(&after[c.doc].value) else {
        return Err("the edited document no longer holds a pod".into());
    };
    if now.get(c.site).map(|s| &s.pod) != Some(expected) {
        return Err("the edited text does not read back as the fixed pod".into());
    }
    Ok((edits, fixed))
}

/// Refuses edits that overlap (insertions at one point keep their order).
fn no_overlap(edits: &[TextEdit]) -> Result<(), String> {
    let mut ranges: Vec<(usize, usize)> = edits.iter().map(|e| (e.start, e.end)).collect();
    ranges.sort_unstable();
    if ranges.windows(2).any(|w| w[1].0 < w[0].1) {
        return Err("its edits overlap".into());
    }
    Ok(())
}

/// Refuses an edit of document `doc` that changed the file's other documents or their number.
fn same_elsewhere(before: &[Document], after: &[Document], doc: usize) -> Result<(), String> {
    if after.len() != before.len() {
        return Err("the edit changed the documents of the file".into());
    }
    for (i, (a, b)) in before.iter().zip(after).enumerate() {
        if i != doc && a.value != b.value {
            return Err("the edit spilled into another document".into());
        }
    }
    Ok(())
}

/// How a step applies and verifies a candidate, given the text's documents read with spans.
type Apply<'a> = dyn FnMut(&Candidate, &[Document]) -> Result<Vec<Code>, String> + 'a;

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
        Ok(settles) => out.applied.push(Applied {
            diagnostic: c.diagnostic.clone(),
            line,
            settles,
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

/// The findings of a YAML file's text by code, as `dind lint` counts them.
fn yaml_census(ctx: &Context) -> impl Fn(&str) -> Result<Census, String> + '_ {
    move |text: &str| super::yaml_report(text, ctx).map(|r| count(r.findings))
}

/// Applies every fix of the given class to the pods of a YAML text (any shape `dind lint` reads:
/// pods and workloads, JCasC templates' fields and `yaml`, the Jenkins Helm chart's values and
/// the JCasC and pod YAML in their strings), in rounds until none applies.
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
    let census = yaml_census(ctx);
    let mut fixer = Fixer::new(text, ctx, unsafe_fixes, &census);
    fixer.yaml(Shape::Documents)?;
    Ok(fixer.finish())
}

/// Applies every fix of the given class to the pod templates of a JCasC file ([`fix_yaml`], read
/// for the Jenkins runner). A template's `yaml` is edited in its `|` or `|-` block with the
/// block's indentation and `^${` for every `${`; a field of its `containers:` (`image`,
/// `privileged`, an `envVar`'s `value`) in place; each verified: the template must read back as
/// exactly the fixed pod. Templates in folded or quoted scalars, `|+` blocks or blocks with an
/// indentation indicator are left as they are, and their fixes refused with the reason.
///
/// ```
/// use dind_core::lint::fix_jcasc;
/// use dind_core::rules::Context;
/// let text = "jenkins:\n  clouds:\n  - kubernetes:\n      templates:\n      - name: dind\n        yaml: |\n          spec:\n            containers:\n            - name: dind\n              image: docker:29.7.2-dind\n              securityContext: {privileged: true, allowPrivilegeEscalation: false}\n              env:\n              - name: X\n                value: ^${HOME}\n";
/// let fixed = fix_jcasc(text, &Context::default(), false).unwrap();
/// assert!(fixed.text.contains("{privileged: true, allowPrivilegeEscalation: true}"));
/// assert!(fixed.text.contains("^${HOME}"));
///
/// let fields = "jenkins:\n  clouds:\n  - kubernetes:\n      templates:\n      - name: dind\n        containers:\n        - name: dind\n          image: docker:29.7.2-dind\n          privileged: false\n";
/// let fixed = fix_jcasc(fields, &Context::default(), true).unwrap();
/// assert!(fixed.text.contains("privileged: true"), "{}", fixed.text);
/// ```
pub fn fix_jcasc(text: &str, ctx: &Context, unsafe_fixes: bool) -> Result<FileFix, String> {
    fix_yaml(text, &ctx.with_runner(Runner::Jenkins), unsafe_fixes)
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

/// What a YAML text that dind fixes holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// Documents of any kind: pods, workloads, JCasC, the Jenkins chart's values.
    Documents,
    /// A list of JCasC pod templates at its top (the chart's `agent.podTemplates` strings).
    TemplateList,
    /// Pod YAML merged into a pod template (the chart's `yamlTemplate`).
    Fragment,
}

/// Fixing one text: the text as fixed so far, and what carries from one attempt to the next.
struct Fixer<'a> {
    ctx: &'a Context,
    unsafe_fixes: bool,
    text: String,
    budget: Budget,
    out: FileFix,
    refused: BTreeSet<FixKey>,
    /// How lint counts a version of this text's findings.
    census: &'a CensusOf<'a>,
    /// How many strings deep the text is in the file.
    depth: usize,
}

impl<'a> Fixer<'a> {
    fn new(text: &str, ctx: &'a Context, unsafe_fixes: bool, census: &'a CensusOf<'a>) -> Self {
        Fixer {
            ctx,
            unsafe_fixes,
            text: text.to_string(),
            budget: Budget::default(),
            out: FileFix::default(),
            refused: BTreeSet::new(),
            census,
            depth: 0,
        }
    }

    /// What was done, with the fixed text.
    fn finish(self) -> FileFix {
        FileFix {
            text: self.text,
            ..self.out
        }
    }

    /// Every pass over a YAML text of this shape: its pods, its JCasC templates' `yaml` and
    /// fields, the chart's template fields, and the texts its strings hold.
    fn yaml(&mut self, shape: Shape) -> Result<(), String> {
        let ctx = self.ctx;
        if shape != Shape::TemplateList {
            let pods = if shape == Shape::Fragment {
                ctx.with_runner(Runner::Jenkins)
            } else {
                *ctx
            };
            self.embedded(&pods, |text, index| Ok((index == 0).then(|| Whole(text.to_string()))))?;
        }
        if shape == Shape::Fragment {
            return Ok(());
        }
        self.template_yaml(shape)?;
        self.fields(shape)?;
        self.nested(shape)
    }

    /// Fixes the YAML embedded in the text, the one at each index that `at` finds in turn, in
    /// rounds until no fix applies to it; candidates are judged in `ctx`.
    fn embedded<E: Embedded>(
        &mut self,
        ctx: &Context,
        at: impl Fn(&str, usize) -> Result<Option<E>, String>,
    ) -> Result<(), String> {
        let Fixer {
            unsafe_fixes,
            text,
            budget,
            out,
            refused,
            census,
            ..
        } = self;
        let mut index = 0;
        // The findings of the text as it is, when known from the last attempt.
        let mut known: Option<Census> = None;
        for _ in 0..MAX_ATTEMPTS {
            // Finding that nothing is left costs nothing: a file fixed within the budget is
            // never reported as stopped at it.
            let Some(e) = at(text, index)? else { break };
            if !budget.charge(text.len(), out) {
                break;
            }
            let before = match known.take() {
                Some(c) => c,
                None => census(text)?,
            };
            let mut after = None;
            let mut apply = |c: &Candidate, docs: &[Document]| -> Result<Vec<Code>, String> {
                let (edits, fixed_yaml) = attempt(e.value(), docs, c)?;
                let next = e.carry(text, &edits, fixed_yaml)?;
                let later = census(&next)?;
                let settles = verify(&before, &later, c.diagnostic.code)?;
                *text = next;
                after = Some(later);
                Ok(settles)
            };
            let tried = step(e.value(), ctx, *unsafe_fixes, refused, out, &|l| e.line(l), &mut apply)?;
            known = Some(after.unwrap_or(before));
            if !tried {
                index += 1;
            }
        }
        Ok(())
    }
}

/// Applies the fixes to one file of any kind [`super::lint_file`] reads: YAML documents (pods,
/// JCasC, the Jenkins chart's values), Jenkinsfile `yaml` literals and `containerTemplate`s.
///
/// A fix refused in one round (it would have brought a finding that a later fix then removed)
/// is tried again on the text the round left, for a few rounds, until a round applies nothing:
/// fixing the result again changes nothing.
pub fn fix_file(name: &str, text: &str, ctx: &Context, unsafe_fixes: bool) -> Result<FileFix, String> {
    let once = |t: &str| match super::InputKind::detect(name, t) {
        super::InputKind::Pod => fix_yaml(t, ctx, unsafe_fixes),
        super::InputKind::Jenkinsfile => fix_jenkinsfile(t, ctx, unsafe_fixes),
        super::InputKind::Jcasc => fix_jcasc(t, ctx, unsafe_fixes),
    };
    let mut total = once(text)?;
    for _ in 0..FIX_ROUNDS {
        if total.applied.is_empty() || total.exhausted {
            break;
        }
        let Ok(next) = once(&total.text) else { break };
        let done = next.applied.is_empty();
        total.applied.extend(next.applied);
        total.text = next.text;
        total.refused = next.refused;
        total.unsafe_available = next.unsafe_available;
        total.exhausted = next.exhausted;
        if done {
            break;
        }
    }
    Ok(total)
}

/// How many more rounds [`fix_file`] makes after the first.
const FIX_ROUNDS: usize = 3;
