//! Fixes in JCasC templates' `yaml` blocks.

use serde_json::Value;

use super::block::Block;
use super::{Embedded, Fixer, Shape};
use crate::lint::casc::{cloud_template_lists, pointer};
use crate::rules::Runner;
use crate::yaml::{Document, Limits, TextEdit, apply_edits, read_documents, read_documents_with_spans};

/// The paths of the template `yaml` values of a text's documents: JCasC clouds' templates, or
/// the list of templates at the top of a text of that shape.
fn jcasc_templates(docs: &[Document], shape: Shape) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let has_yaml = |doc: &Document, path: &str| {
        doc.value
            .pointer(&pointer(path).unwrap_or_default())
            .is_some_and(Value::is_string)
    };
    for (d, doc) in docs.iter().enumerate() {
        if shape == Shape::TemplateList {
            let n = doc.value.as_array().map_or(0, Vec::len);
            out.extend(
                (0..n)
                    .map(|ti| format!("[{ti}].yaml"))
                    .filter(|p| has_yaml(doc, p))
                    .map(|p| (d, p)),
            );
            continue;
        }
        for (at, list) in cloud_template_lists(&doc.value) {
            let n = list.as_array().map_or(0, Vec::len);
            for ti in 0..n {
                let path = format!("{at}[{ti}].yaml");
                if has_yaml(doc, &path) {
                    out.push((d, path));
                }
            }
        }
    }
    out
}

impl Fixer<'_> {
    /// Fixes the pods of the text's JCasC templates' `yaml`: each edit is made on the template's
    /// YAML, mapped back into its `yaml: |` block with the block's indentation and `^${` for
    /// every `${`, and verified: the template must read back as exactly the fixed YAML.
    pub(super) fn template_yaml(&mut self, shape: Shape) -> Result<(), String> {
        let ctx = self.ctx.with_runner(Runner::Jenkins);
        self.embedded(&ctx, |text, index| {
            let docs = read_documents_with_spans(text, Limits::default())?;
            let Some((doc, path)) = jcasc_templates(&docs, shape).into_iter().nth(index) else {
                return Ok(None);
            };
            let lines = crate::lint::TemplateLines::new(text, docs[doc].line_of(&path));
            let block = Block::read(text, &docs[doc], &path, true).map_err(|reason| {
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
        })
    }
}

/// A JCasC pod template's `yaml`: document `doc`, at `path`; a block dind maps, or the value as
/// the linter reads it and why dind does not edit it (its fixes are refused with that reason).
struct Template {
    block: Result<Block, (String, String)>,
    doc: usize,
    path: String,
    lines: crate::lint::TemplateLines,
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
