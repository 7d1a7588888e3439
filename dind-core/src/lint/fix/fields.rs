//! Fixes of pod template fields written as YAML values: a JCasC template's `containers:`
//! (`image`, `privileged`, an `envVar`'s `value`) and the Jenkins chart's agent values
//! (`image.tag`, `privileged`). Each is edited in place, then verified three ways: the document
//! reads back as exactly the intended edit, the template builds exactly the fixed pod, and lint
//! finds fewer of the finding and nothing new.

use serde_json::Value;

use super::{Applied, Census, FixKey, Fixer, MAX_ATTEMPTS, Refused, Shape, no_overlap, same_elsewhere, verify};
use crate::Diagnostic;
use crate::fix::{Applicability, Fix, PodEdit, apply_to_value};
use crate::lint::casc::{self, Judged, Template, Written};
use crate::lint::sites::jenkins_chart::{self, Held, Source};
use crate::rules::Context;
use crate::yaml::{Document, Editor, Limits, apply_edits, read_documents, read_documents_with_spans};

/// A fix of a template-built pod, as edits of the values its template is written with.
struct FieldFix {
    /// The document, the template set in it and the template there.
    at: (usize, usize, usize),
    diagnostic: Diagnostic,
    line: usize,
    fix: Fix,
    /// The template's pod with the fix made.
    expected: Option<Value>,
    /// The edits at the document's paths, or why there are none.
    edits: Result<Vec<PodEdit>, String>,
}

impl FieldFix {
    fn key(&self) -> FixKey {
        let (d, s, t) = self.at;
        (
            self.diagnostic.code,
            format!("template {d}/{s}/{t}: {}", self.diagnostic.path),
            self.fix.title.clone(),
        )
    }
}

/// Calls `each` with every set of templates that inherit from one another in a document of
/// `text` (a cloud's templates, the chart's templates of one cloud), and how many of them are
/// written in this document's values (the rest come from texts its strings hold, fixed there).
fn each_set(doc: &Document, text: &str, shape: Shape, each: &mut casc::EachSet<'_>) -> Result<(), String> {
    let identity = |l: usize| l;
    match shape {
        Shape::Fragment => Ok(()),
        Shape::TemplateList => {
            let t = casc::templates_of_list(doc, text, &doc.value, "", &identity, "", true);
            each(&t, t.len())
        }
        Shape::Documents if crate::lint::is_jcasc(&doc.value) => {
            for (at, list) in casc::cloud_template_lists(&doc.value) {
                let t = casc::templates_of_list(doc, text, list, &at, &identity, "", false);
                each(&t, t.len())?;
            }
            Ok(())
        }
        Shape::Documents => {
            for held in jenkins_chart::values_in(&doc.value) {
                if let Held::At(at, values) = held {
                    let source = Source {
                        doc,
                        text,
                        to_file: &identity,
                    };
                    jenkins_chart::each_cloud(values, &at, &source, each)?;
                }
            }
            Ok(())
        }
    }
}

/// Where a template is: its document, its set there, and its index in the set.
type At = (usize, usize, usize);

/// The pods the templates of a text's documents build, by (document, set, template).
fn pods(text: &str, docs: &[Document], shape: Shape, ctx: &Context) -> Result<Vec<(At, Value)>, String> {
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let mut set = 0;
        each_set(doc, text, shape, &mut |templates, _| {
            for j in casc::judge_templates(templates, ctx)? {
                out.push(((d, set, j.template), j.pod));
            }
            set += 1;
            Ok(())
        })?;
    }
    Ok(out)
}

/// Every fix the rules propose for the pods the templates of a text's documents build.
fn field_fixes(text: &str, docs: &[Document], shape: Shape, ctx: &Context) -> Result<Vec<FieldFix>, String> {
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let mut set = 0;
        each_set(doc, text, shape, &mut |templates, own| {
            for j in casc::judge_templates(templates, ctx)? {
                if j.template >= own {
                    continue;
                }
                for (diagnostic, line) in &j.diagnostics {
                    let Some(fix) = diagnostic.fix.clone() else { continue };
                    let edits = field_edits(templates, &j, &fix.edits);
                    out.push(FieldFix {
                        at: (d, set, j.template),
                        expected: apply_to_value(&j.pod, &fix.edits),
                        diagnostic: diagnostic.clone(),
                        line: *line,
                        fix,
                        edits,
                    });
                }
            }
            set += 1;
            Ok(())
        })?;
    }
    Ok(out)
}

/// A fix's edits of a template-built pod as edits of the values the template fields are written
/// with ([`field_edit`]); the edits of one container's `command` or `args` become one rewrite of
/// that string field, from the list the fix makes.
fn field_edits(templates: &[Template<'_>], j: &Judged, edits: &[PodEdit]) -> Result<Vec<PodEdit>, String> {
    let mut out = Vec::new();
    let mut words: Vec<(usize, &'static str)> = Vec::new();
    for e in edits {
        match super::word_list(e.path()) {
            Some(at) if !words.contains(&at) => words.push(at),
            Some(_) => {}
            None => out.push(field_edit(templates, j, e)?),
        }
    }
    if !words.is_empty() {
        let fixed = apply_to_value(&j.pod, edits).ok_or("the fix does not fit the pod")?;
        for (index, field) in words {
            let joined = super::joined_words(&fixed, index, field)?;
            out.push(field_edit(
                templates,
                j,
                &PodEdit::set(format!("spec.containers[{index}].{field}"), joined),
            )?);
        }
    }
    Ok(out)
}

/// A fix's edit of a template-built pod as an edit of the value the template field is written
/// with: the field of the container of that name in the last template of the chain that has it.
fn field_edit(templates: &[Template<'_>], j: &Judged, edit: &PodEdit) -> Result<PodEdit, String> {
    let PodEdit::Set { path, value } = edit else {
        return Err(
            "the fix changes the pod's structure, which template fields cannot express; \
                    edit the template's `yaml`"
                .into(),
        );
    };
    let not_a_field = || format!("`{path}` is not a template field dind edits; edit it by hand");
    let rest = path.strip_prefix("spec.containers[").ok_or_else(not_a_field)?;
    let (index, field) = rest.split_once("].").ok_or_else(not_a_field)?;
    let container = j
        .pod
        .pointer(&format!("/spec/containers/{index}"))
        .ok_or_else(not_a_field)?;
    let name = container.get("name").and_then(Value::as_str).ok_or_else(not_a_field)?;
    // The environment variable a `env[N].value` edit is about.
    let env = field
        .strip_prefix("env[")
        .and_then(|r| r.strip_suffix("].value"))
        .and_then(|i| container.pointer(&format!("/env/{i}/name")))
        .and_then(Value::as_str);
    let key = match field {
        "image" => "image",
        "securityContext.privileged" => "privileged",
        "resources.requests.memory" => "resourceRequestMemory",
        "resources.limits.memory" => "resourceLimitMemory",
        "resources.requests.cpu" => "resourceRequestCpu",
        "resources.limits.cpu" => "resourceLimitCpu",
        // The whole string of words ([`field_edits`]).
        "args" if value.is_string() => "args",
        "command" if value.is_string() => "command",
        _ if env.is_some() => "envVars",
        _ => {
            return Err(format!(
                "a container template has no field for `{field}`; set it in the template's `yaml`"
            ));
        }
    };
    for &t in j.chain.iter().rev() {
        let Some(list) = templates[t].value.get("containers").and_then(Value::as_array) else {
            continue;
        };
        let Some(k) = list
            .iter()
            .position(|c| c.get("name").and_then(Value::as_str) == Some(name))
        else {
            continue;
        };
        let rel = match env {
            None => format!("containers[{k}].{key}"),
            Some(var) => {
                let m = list[k]
                    .get("envVars")
                    .and_then(Value::as_array)
                    .and_then(|vars| {
                        vars.iter()
                            .position(|v| v.pointer("/envVar/key").and_then(Value::as_str) == Some(var))
                    })
                    .ok_or_else(|| {
                        format!("`{var}` is not an `envVar` of container `{name}`'s template; set it by hand")
                    })?;
                format!("containers[{k}].envVars[{m}].envVar.value")
            }
        };
        // JCasC substitutes `${...}`; `^${` is a literal one.
        let value = match value {
            Value::String(s) => Value::String(s.replace("${", "^${")),
            v => v.clone(),
        };
        return match (templates[t].written)(&rel) {
            Written::Same(at) => Ok(PodEdit::Set { path: at, value }),
            Written::Tag { path: at, prefix } => value
                .as_str()
                .and_then(|v| v.strip_prefix(prefix.as_str()))
                .map(|tag| PodEdit::Set {
                    path: at,
                    value: Value::String(tag.to_string()),
                })
                .ok_or_else(|| format!("the fix changes the image's repository, not only its tag after `{prefix}`; edit the values by hand")),
            Written::No(why) => Err(why),
        };
    }
    Err(format!(
        "container `{name}` comes from the template's `yaml`, not its `containers`; its fix is made there"
    ))
}

impl Fixer<'_> {
    /// Fixes the pods that the text's pod templates build from their fields (JCasC
    /// `containers:`, the chart's agent values), by editing the values those fields are written
    /// with, in rounds until none applies.
    pub(super) fn fields(&mut self, shape: Shape) -> Result<(), String> {
        let ctx = *self.ctx;
        let census = self.census;
        let mut known: Option<Census> = None;
        for _ in 0..MAX_ATTEMPTS {
            let docs = read_documents_with_spans(&self.text, Limits::default())?;
            let lines: Vec<&str> = self.text.lines().collect();
            let all: Vec<FieldFix> = field_fixes(&self.text, &docs, shape, &ctx)?
                .into_iter()
                .filter(|c| !crate::lint::suppressions::is_suppressed(&lines, c.line, c.diagnostic.code))
                .collect();
            let wanted = |c: &FieldFix| self.unsafe_fixes || c.fix.applicability == Applicability::Safe;
            let Some(c) = all.iter().find(|c| wanted(c) && !self.refused.contains(&c.key())) else {
                self.out.unsafe_available += all.iter().filter(|c| !wanted(c)).count();
                break;
            };
            if !self.budget.charge(self.text.len(), &mut self.out) {
                break;
            }
            let before = match known.take() {
                Some(k) => k,
                None => census(&self.text)?,
            };
            let result = (|| {
                let edits = c.edits.clone()?;
                let expected = c.expected.as_ref().ok_or("the fix does not fit the pod as written")?;
                let doc = &docs[c.at.0];
                let editor = Editor::new(&self.text, doc);
                let mut text_edits = Vec::new();
                for e in &edits {
                    text_edits.extend(editor.edits(e)?);
                }
                no_overlap(&text_edits)?;
                let next = apply_edits(&self.text, &text_edits);
                let after = read_documents(&next, Limits::default())
                    .map_err(|e| format!("the edited text does not read: {e}"))?;
                same_elsewhere(&docs, &after, c.at.0)?;
                if apply_to_value(&doc.value, &edits).as_ref() != Some(&after[c.at.0].value) {
                    return Err("the edited text does not read back as the intended values".to_string());
                }
                let rebuilt = pods(&next, &after, shape, &ctx)?;
                if rebuilt.iter().find(|(at, _)| *at == c.at).map(|(_, p)| p) != Some(expected) {
                    return Err("the edited values would not build the fixed pod".to_string());
                }
                let later = census(&next)?;
                let settles = verify(&before, &later, c.diagnostic.code)?;
                Ok((next, later, settles))
            })();
            match result {
                Ok((next, later, settles)) => {
                    self.text = next;
                    known = Some(later);
                    self.out.applied.push(Applied {
                        diagnostic: c.diagnostic.clone(),
                        line: c.line,
                        settles,
                    });
                }
                Err(reason) => {
                    known = Some(before);
                    self.refused.insert(c.key());
                    self.out.refused.push(Refused {
                        diagnostic: c.diagnostic.clone(),
                        line: c.line,
                        reason,
                    });
                }
            }
        }
        Ok(())
    }
}
