//! Fixes in texts that a YAML file holds in its strings: the Jenkins chart's `podTemplates`
//! (JCasC templates), `configScripts` (JCasC), `yamlTemplate` (pod YAML) and an Argo CD
//! Application's `helm.values` (the chart's values). Each text is fixed as a text of its own, by
//! every pass its shape needs (so a JCasC template's `yaml` inside a `configScripts` string is
//! fixed too), and every fix there is verified on the whole file: the string must read back as
//! the fixed text, and lint of the file must find fewer of the finding and nothing new.

use serde_json::Value;

use super::block::Block;
use super::{Applied, Fixer, Refused, Shape, same_elsewhere};
use crate::lint::casc::pointer;
use crate::lint::sites::jenkins_chart::{self, Text};
use crate::yaml::{Document, Limits, read_documents, read_documents_with_spans};

/// How deep texts in strings are followed (a values string holding `configScripts` holding a
/// template's `yaml` is three).
const MAX_DEPTH: usize = 4;

/// The strings of a text's documents that hold texts dind fixes: the document, the path, the
/// text's shape.
fn texts(docs: &[Document]) -> Vec<(usize, String, Shape)> {
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        if crate::lint::is_jcasc(&doc.value) {
            continue;
        }
        for (path, kind) in jenkins_chart::texts_in(&doc.value) {
            let shape = match kind {
                Text::Values | Text::Jcasc => Shape::Documents,
                Text::Templates => Shape::TemplateList,
                Text::Pod => Shape::Fragment,
            };
            out.push((d, path, shape));
        }
    }
    out
}

/// The file with document `d`'s string at `path` (a `|` or `|-` block) replaced by `inner`,
/// verified to read back as exactly that.
fn carry(outer: &str, docs: &[Document], d: usize, path: &str, block: &Block, inner: &str) -> Result<String, String> {
    let next = block
        .replace(outer, inner)
        .ok_or_else(|| format!("dind could not locate `{path}` in the file"))?;
    let again = read_documents(&next, Limits::default()).map_err(|e| format!("the edited text does not read: {e}"))?;
    same_elsewhere(docs, &again, d)?;
    let mut want = docs[d].value.clone();
    if let Some(slot) = pointer(path).and_then(|p| want.pointer_mut(&p)) {
        *slot = Value::String(inner.to_string());
    }
    if again[d].value != want {
        return Err(format!("`{path}` would not read back as the fixed text"));
    }
    Ok(next)
}

impl Fixer<'_> {
    /// Fixes the texts the text's strings hold (see the module's doc), each in its own rounds.
    pub(super) fn nested(&mut self, shape: Shape) -> Result<(), String> {
        if shape != Shape::Documents || self.depth >= MAX_DEPTH {
            return Ok(());
        }
        let mut index = 0;
        loop {
            let docs = read_documents_with_spans(&self.text, Limits::default())?;
            let Some((d, path, inner_shape)) = texts(&docs).into_iter().nth(index) else {
                break;
            };
            index += 1;
            let Some(value) = pointer(&path)
                .and_then(|p| docs[d].value.pointer(&p))
                .and_then(Value::as_str)
                .map(str::to_string)
            else {
                continue;
            };
            let outer = self.text.clone();
            let block = Block::read(&outer, &docs[d], &path, false);
            let lines = crate::lint::TemplateLines::new(&outer, docs[d].line_of(&path));
            let outer_census = self.census;
            let before = outer_census(&outer)?;
            let census = |inner: &str| {
                if inner == value {
                    return Ok(before.clone());
                }
                let b = block.as_ref().map_err(Clone::clone)?;
                outer_census(&carry(&outer, &docs, d, &path, b, inner)?)
            };
            let mut inner = Fixer::new(&value, self.ctx, self.unsafe_fixes, &census);
            inner.depth = self.depth + 1;
            inner.budget.spent = self.budget.spent;
            // A text lint cannot read is reported by lint; there is nothing to fix in it.
            if inner.yaml(inner_shape).is_err() {
                continue;
            }
            self.budget.spent = inner.budget.spent;
            let done = inner.finish();
            self.out.applied.extend(done.applied.into_iter().map(|a| Applied {
                line: lines.line(a.line),
                ..a
            }));
            self.out.refused.extend(done.refused.into_iter().map(|r| Refused {
                line: lines.line(r.line),
                ..r
            }));
            self.out.unsafe_available += done.unsafe_available;
            self.out.exhausted |= done.exhausted;
            if done.text != value
                && let Ok(b) = &block
            {
                self.text = carry(&outer, &docs, d, &path, b, &done.text)?;
            }
        }
        Ok(())
    }
}
