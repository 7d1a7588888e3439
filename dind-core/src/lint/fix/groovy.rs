//! Fixes in Groovy: a Jenkinsfile's `yaml` literals, through the literal's escapes, and the
//! scalar arguments of `containerTemplate`s.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::cut::Cut;

use super::{Applied, Census, Embedded, FileFix, Fixer, MAX_ATTEMPTS, Refused, count, verify};
use crate::fix::{Applicability, Fix, PodEdit, apply_to_value};
use crate::groovy::{
    INTERPOLATED, Strip, Stripped, escape_in_literal, escape_in_literal_between, strip_mapped, unescape_mapped,
};
use crate::lint::pods::diagnose;
use crate::lint::sites;
use crate::rules::{Context, Runner, Steps};
use crate::yaml::{TextEdit, apply_edits};

/// Maps edits of a literal's value to edits of the Jenkinsfile, escaped for the literal's kind;
/// refuses edits that touch what a `${...}` substitution produced.
fn literal_edits(
    file: &str,
    lit: &crate::lint::GroovyLiteral,
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
            if offsets
                .get(e.start.min(value_len)..e.end.min(value_len))
                .is_some_and(|o| o.contains(&INTERPOLATED))
            {
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
                .then(|| file.upto(start).chars().next_back())
                .flatten();
            let after = (end < lit.content.end && !shared(end, me))
                .then(|| file.from(end).chars().next())
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
    let census = |t: &str| crate::lint::lint_jenkinsfile(t, &ctx).map(count);
    let mut fixer = Fixer::new(text, &ctx, unsafe_fixes, &census);
    fixer.embedded(&ctx, |text, index| {
        let literals = crate::lint::standalone_literals(text)?;
        let Some((lit, strip)) = literals.into_iter().nth(index) else {
            return Ok(None);
        };
        let mapped = unescape_mapped(&text[lit.content.clone()], lit.line, lit.double, &lit.vars)?;
        let stripped = strip.map(|s| {
            let value = s.apply(&mapped.value);
            let map = strip_mapped(&mapped.value, s).ok_or_else(|| {
                "the literal has `\\r` line breaks, which `.stripIndent()`/`.stripMargin()` rewrite; edit it by hand"
                    .to_string()
            });
            (s, value, map)
        });
        Ok(Some(Literal {
            lit,
            mapped,
            stripped,
            index,
        }))
    })?;
    fixer.templates()?;
    Ok(fixer.finish())
}

/// A Jenkinsfile's `yaml` literal that holds a pod on its own, the `index`th of them.
struct Literal {
    lit: crate::lint::GroovyLiteral,
    mapped: crate::groovy::Unescaped,
    /// How Groovy strips it (`.stripIndent()`), the value that makes, and the map back (or why
    /// there is none).
    stripped: Option<(Strip, String, Result<Stripped, String>)>,
    index: usize,
}

/// Edits of a stripped value as edits of the value before stripping. Whole lines inserted or
/// replaced at a line start are written before that line's prefix, each with the prefix that
/// stripping takes off the line they land on (or off the nearest line before that has one);
/// other edits land after the prefix, and a line break they insert is followed by that prefix.
fn unstripped_edits(s: &Stripped, edits: &[TextEdit]) -> Vec<TextEdit> {
    let line_of = |p: usize| s.value.upto(p).matches('\n').count();
    let prefix_at = |p: usize| {
        let line = line_of(p).min(s.prefixes.len().saturating_sub(1));
        s.prefixes
            .get(..=line)
            .unwrap_or_default()
            .iter()
            .rev()
            .find(|x| !x.is_empty())
            .or_else(|| s.prefixes.iter().find(|x| !x.is_empty()))
            .cloned()
            .unwrap_or_default()
    };
    let at = |p: usize| s.offsets[p.min(s.offsets.len() - 1)];
    let line_start = |p: usize| p == 0 || s.value.as_bytes().get(p - 1) == Some(&b'\n');
    // The source offset of the start of the line at stripped line start `p`, before its prefix.
    let before_prefix = |p: usize| at(p) - s.prefixes.get(line_of(p)).map_or(0, String::len);
    edits
        .iter()
        .map(|e| {
            let prefix = prefix_at(e.start);
            if line_start(e.start) && e.text.ends_with('\n') && line_start(e.end) {
                let text: String = e.text.split_inclusive('\n').map(|l| format!("{prefix}{l}")).collect();
                TextEdit {
                    start: before_prefix(e.start),
                    end: before_prefix(e.end),
                    text,
                    depth: e.depth,
                }
            } else {
                TextEdit {
                    start: at(e.start),
                    end: at(e.end),
                    text: e.text.replace('\n', &format!("\n{prefix}")),
                    depth: e.depth,
                }
            }
        })
        .collect()
}

impl Embedded for Literal {
    fn value(&self) -> &str {
        match &self.stripped {
            Some((_, value, _)) => value,
            None => &self.mapped.value,
        }
    }

    fn line(&self, l: usize) -> usize {
        self.lit.line_starts.get(l.saturating_sub(1)).copied().unwrap_or(1)
    }

    fn carry(&self, file: &str, edits: &[TextEdit], fixed_yaml: String) -> Result<String, String> {
        let (edits, strip) = match &self.stripped {
            None => (edits.to_vec(), None),
            Some((strip, _, map)) => (
                unstripped_edits(map.as_ref().map_err(Clone::clone)?, edits),
                Some(*strip),
            ),
        };
        let source = literal_edits(file, &self.lit, &self.mapped.offsets, self.mapped.value.len(), &edits)?;
        let next = apply_edits(file, &source);
        // The literal must read back, through Groovy's escapes and strip, as exactly the fixed
        // YAML.
        let again = crate::lint::standalone_literals(&next)?;
        let read_back = again.get(self.index).map(|(l, s)| match (s, strip) {
            (Some(s), Some(_)) => s.apply(&l.value),
            _ => l.value.clone(),
        });
        if read_back.as_ref() != Some(&fixed_yaml) {
            return Err("the Jenkinsfile's literal would not read back as the fixed YAML".into());
        }
        Ok(next)
    }
}

/// The token of a scalar `containerTemplate` argument that starts at `offset`: its end, and
/// whether it is a string.
fn argument_token(text: &str, offset: usize) -> Option<(usize, bool)> {
    let toks = crate::lint::groovy_calls::tokens(text).ok()?;
    let t = toks.iter().find(|t| t.offset == offset)?;
    match &t.tok {
        crate::lint::groovy_calls::Tok::Str { raw, triple, .. } => {
            let q = if *triple { 3 } else { 1 };
            Some((offset + 2 * q + raw.len(), true))
        }
        crate::lint::groovy_calls::Tok::Ident(w) if w == "true" || w == "false" => Some((offset + w.len(), false)),
        _ => None,
    }
}

/// The edits of a fix on a template-built pod, as edits of `containerTemplate` arguments; or why
/// they cannot be made there.
fn template_edits(
    text: &str,
    fix: &Fix,
    origin: &[Option<crate::lint::pod_templates::FieldLines>],
    pod: &Value,
) -> Result<Vec<TextEdit>, String> {
    let mut edits = Vec::new();
    // `command` and `args` are strings of words: every edit of one becomes one rewrite of the
    // whole string, from the list the fix makes.
    let mut words: Vec<(usize, &'static str)> = Vec::new();
    let mut rest_edits = Vec::new();
    for e in &fix.edits {
        match super::word_list(e.path()) {
            Some(at) if !words.contains(&at) => words.push(at),
            Some(_) => {}
            None => rest_edits.push(e),
        }
    }
    if !words.is_empty() {
        let fixed = crate::fix::apply_to_value(pod, &fix.edits).ok_or("the fix does not fit the pod")?;
        for (index, field) in words {
            let offset = origin
                .get(index)
                .and_then(Option::as_ref)
                .and_then(|l| l.args.get(field))
                .copied()
                .ok_or_else(|| {
                    format!("`{field}` is not a string argument of this `containerTemplate`; edit it by hand")
                })?;
            let v = super::joined_words(&fixed, index, field)?;
            let (end, is_str) = argument_token(text, offset).ok_or("the argument is not a plain literal")?;
            if !is_str {
                return Err(format!("`{field}` is not a string"));
            }
            let replacement = if text.from(offset).starts_with('"') && !text.from(offset).starts_with("\"\"\"") {
                format!("\"{}\"", escape_in_literal(&v, true, false))
            } else {
                crate::groovy::single_quoted(&v)?
            };
            edits.push(TextEdit {
                start: offset,
                end,
                text: replacement,
                depth: 0,
            });
        }
    }
    for e in rest_edits {
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
            (Value::String(v), true)
                if text.from(offset).starts_with('"') && !text.from(offset).starts_with("\"\"\"") =>
            {
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
            census,
            ..
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
            let parts = crate::lint::jenkins::jenkins_parts(current)?;
            for (ti, (t, use_index)) in parts.with_containers().enumerate() {
                let (fragments, templating) = parts.text_fragment(use_index);
                let ctx = &ctx.with_templating(templating);
                let built =
                    crate::lint::pods::BuiltTemplate::new(t, &fragments, crate::lint::pods::MergeStrategy::Override)?;
                let (pod, origin) = (&built.pod, &built.origin);
                let site = sites::Site {
                    label: "podTemplate".into(),
                    pod: pod.clone(),
                    paths: sites::PathMap::identity(),
                    runner: Runner::Jenkins,
                };
                let Ok(crate::lint::pods::Diagnosis { diagnostics, .. }) = diagnose(&site, ctx) else {
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
                    let result = template_edits(current, &fix, origin, pod).and_then(|edits| {
                        let next = apply_edits(current, &edits);
                        let again = crate::lint::jenkins::jenkins_parts(&next)?;
                        let (t2, use2) = again.with_containers().nth(ti).ok_or("the template moved")?;
                        let (fragments2, _) = again.text_fragment(use2);
                        let pod2 = crate::lint::pods::BuiltTemplate::new(
                            t2,
                            &fragments2,
                            crate::lint::pods::MergeStrategy::Override,
                        )?
                        .pod;
                        if Some(&pod2) != apply_to_value(pod, &fix.edits).as_ref() {
                            return Err("the Jenkinsfile would not build the fixed pod".to_string());
                        }
                        let later = census(&next)?;
                        let now = match &before {
                            Some(now) => now,
                            None => before.insert(census(current)?),
                        };
                        let settles = verify(now, &later, d.code)?;
                        Ok((next, settles))
                    });
                    match result {
                        Ok((next, settles)) => {
                            *current = next;
                            out.applied.push(Applied {
                                diagnostic: d,
                                line,
                                settles,
                            });
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
