//! Text edits for `dind lint --fix`: a [`PodEdit`] at a document path becomes byte edits at the
//! exact spans the reader recorded, changing only what it must. A new entry takes the indentation
//! of its siblings, block or flow style follows the collection it joins, line endings follow the
//! file, and everything else (comments, quoting, key order) stays as it was. What cannot be edited
//! in place (an alias, an anchored or tagged value, a block scalar) is refused with a reason.

use serde_json::Value;

use crate::cut::Cut;

use super::paths::{NodeKind, NodeSpan};
use super::read::Document;
use crate::fix::{PodEdit, Segment, segments};

/// Replace `start..end` of the text with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    /// The first byte replaced.
    pub start: usize,
    /// The byte after the last one replaced (`start` for an insertion).
    pub end: usize,
    /// The new text.
    pub text: String,
    /// How deep the collection an insertion joins lies: of insertions at one point (where nested
    /// block collections end together), the deeper goes first, so it stays inside its own.
    pub depth: usize,
}

/// Applies non-overlapping edits to a text.
///
/// ```
/// use dind_core::yaml::{TextEdit, apply_edits};
/// let e = [TextEdit { start: 0, end: 1, text: "b".into(), depth: 0 }, TextEdit { start: 2, end: 2, text: "!".into(), depth: 0 }];
/// assert_eq!(apply_edits("a c", &e), "b !c");
/// ```
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    // Of insertions at one point (the end of nested block collections), the deeper comes first:
    // it belongs to the inner collection, which ends before the outer one. A line break that
    // ends a last line without one comes before them all, once.
    let line_break = |e: &TextEdit| e.start == e.end && (e.text == "\n" || e.text == "\r\n");
    sorted.sort_by_key(|e| (e.start, e.end, !line_break(e), std::cmp::Reverse(e.depth)));
    sorted.dedup_by(|b, a| line_break(a) && line_break(b) && a.start == b.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        out.push_str(text.between(at, e.start.max(at)));
        out.push_str(&e.text);
        at = e.end.max(at);
    }
    out.push_str(text.from(at));
    out
}

/// The text of the document path of a segment list.
fn path_of(segs: &[Segment]) -> String {
    let mut p = String::new();
    for s in segs {
        match s {
            Segment::Key(k) => {
                if !p.is_empty() {
                    p.push('.');
                }
                p.push_str(k);
            }
            Segment::Index(i) => p.push_str(&format!("[{i}]")),
        }
    }
    p
}

fn value_at<'v>(v: &'v Value, segs: &[Segment]) -> Option<&'v Value> {
    segs.iter().try_fold(v, |node, s| match s {
        Segment::Key(k) => node.get(k),
        Segment::Index(i) => node.get(i),
    })
}

/// An editor for one document of a text.
pub struct Editor<'a> {
    src: &'a str,
    doc: &'a Document,
    newline: &'static str,
}

impl<'a> Editor<'a> {
    /// An editor of `doc`, read with spans from `src`.
    pub fn new(src: &'a str, doc: &'a Document) -> Self {
        Editor {
            src,
            doc,
            newline: if src.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    fn span(&self, segs: &[Segment]) -> Option<NodeSpan> {
        self.doc.span_of(&path_of(segs))
    }

    fn line_start(&self, at: usize) -> usize {
        self.src.upto(at).rfind('\n').map_or(0, |i| i + 1)
    }

    fn column(&self, at: usize) -> usize {
        self.src.between(self.line_start(at), at).chars().count()
    }

    /// Whether only spaces stand before `at` on its line.
    fn starts_line(&self, at: usize) -> bool {
        self.src
            .between(self.line_start(at), at)
            .chars()
            .all(|c| c == ' ' || c == '\t')
    }

    /// The `-` of the block sequence item whose value starts at `at` (`- value`, `-   value`).
    fn dash(&self, at: usize) -> Option<usize> {
        let before = self.src.between(self.line_start(at), at);
        let trimmed = before.trim_end_matches([' ', '\t']);
        (trimmed.ends_with('-') && trimmed.len() < before.len()).then(|| self.line_start(at) + trimmed.len() - 1)
    }

    /// Lines of block YAML, each indented by `indent` columns, with the file's line endings.
    fn block(&self, yaml: &str, indent: usize, first_prefix: &str, rest_prefix: &str) -> String {
        let pad = " ".repeat(indent);
        let mut out = String::new();
        for (i, line) in yaml.lines().enumerate() {
            out.push_str(&pad);
            out.push_str(if i == 0 { first_prefix } else { rest_prefix });
            out.push_str(line);
            out.push_str(self.newline);
        }
        out
    }

    /// A mapping entry `key: value` in block style at `indent`.
    fn block_entry(&self, key: &str, value: &Value, indent: usize) -> String {
        let mut m = serde_json::Map::new();
        m.insert(key.to_string(), value.clone());
        self.block(&super::to_yaml(&Value::Object(m)), indent, "", "")
    }

    /// A sequence item `- value` in block style, its dash at `indent`.
    fn block_item(&self, value: &Value, indent: usize) -> String {
        self.block(&super::to_yaml(&Value::Array(vec![value.clone()])), indent, "", "")
    }

    /// Text inserted at the end of a block collection: at `end`, after a line break of its own
    /// when the text's last line has none.
    fn insert_at_end(&self, end: usize, text: String) -> Vec<TextEdit> {
        let mut edits = Vec::new();
        let mut at = end.min(self.src.len());
        // A last line of only spaces (a Groovy literal's closing indentation) stays last.
        if let Some(nl) = self.src.upto(at).rfind('\n')
            && self.src.between(nl + 1, at).chars().all(|c| c == ' ' || c == '\t')
        {
            at = nl + 1;
        }
        if at == self.src.len() && !self.src.is_empty() && !self.src.ends_with('\n') {
            edits.push(TextEdit {
                depth: 0,
                start: at,
                end: at,
                text: self.newline.to_string(),
            });
        }
        edits.push(TextEdit {
            depth: 0,
            start: at,
            end: at,
            text,
        });
        edits
    }

    /// The edits that carry out `edit` (a document path).
    ///
    /// ```
    /// use dind_core::fix::PodEdit;
    /// use dind_core::yaml::{Editor, Limits, apply_edits, read_documents_with_spans};
    /// let text = "spec:\n  containers:\n  - name: dind  # the daemon\n    image: docker:dind\n";
    /// let doc = &read_documents_with_spans(text, Limits::default()).unwrap()[0];
    /// let e = Editor::new(text, doc);
    /// let mut edits = e.edits(&PodEdit::set("spec.containers[0].image", "docker:29.7.2-dind")).unwrap();
    /// edits.extend(e.edits(&PodEdit::set("spec.containers[0].resources.requests.memory", "1Gi")).unwrap());
    /// assert_eq!(
    ///     apply_edits(text, &edits),
    ///     "spec:\n  containers:\n  - name: dind  # the daemon\n    image: docker:29.7.2-dind\n    resources:\n      requests:\n        memory: \"1Gi\"\n"
    /// );
    /// ```
    pub fn edits(&self, edit: &PodEdit) -> Result<Vec<TextEdit>, String> {
        let segs = segments(edit.path()).ok_or_else(|| format!("`{}` is not a field path", edit.path()))?;
        let mut edits = match edit {
            PodEdit::Set { value, .. } => self.set(&segs, value),
            PodEdit::Remove { .. } => self.remove(&segs),
            PodEdit::Append { value, .. } => self.append(&segs, value),
        }?;
        // The collection the edit lands in: the deepest part of the path the document has.
        let depth = (0..=segs.len())
            .rev()
            .find(|d| self.span(&segs[..*d]).is_some())
            .unwrap_or(0);
        for e in &mut edits {
            e.depth = depth;
        }
        Ok(edits)
    }

    fn parent_kind(&self, segs: &[Segment]) -> Option<NodeKind> {
        let (_, parent) = segs.split_last()?;
        self.span(parent).map(|s| s.kind)
    }

    fn set(&self, segs: &[Segment], value: &Value) -> Result<Vec<TextEdit>, String> {
        let path = path_of(segs);
        if let Some(span) = self.span(segs) {
            return self.replace(segs, span, value);
        }
        // Missing: the deepest ancestor the document has takes the rest as a new entry.
        let mut depth = segs.len();
        while depth > 0 && self.span(&segs[..depth]).is_none() {
            depth -= 1;
        }
        let (have, missing) = segs.split_at(depth);
        let Some(Segment::Key(first)) = missing.first() else {
            return Err(format!("`{path}`: no such list item"));
        };
        let mut nested = value.clone();
        for s in missing[1..].iter().rev() {
            let Segment::Key(k) = s else {
                return Err(format!("`{path}`: a list item below a missing field"));
            };
            let mut m = serde_json::Map::new();
            m.insert(k.clone(), nested);
            nested = Value::Object(m);
        }
        let parent = self
            .span(have)
            .ok_or_else(|| format!("`{path}`: the document has no such place"))?;
        match value_at(&self.doc.value, have) {
            Some(Value::Object(o)) => self.insert_entry(parent, o.is_empty(), first, &nested, &path),
            Some(Value::Null) => {
                let mut m = serde_json::Map::new();
                m.insert(first.clone(), nested);
                self.replace(have, parent, &Value::Object(m))
            }
            _ => Err(format!("`{path}`: the place for it is not a mapping")),
        }
    }

    /// A new entry at the end of the mapping whose span is `parent`.
    fn insert_entry(
        &self,
        parent: NodeSpan,
        empty: bool,
        key: &str,
        value: &Value,
        path: &str,
    ) -> Result<Vec<TextEdit>, String> {
        let end = parent
            .end
            .ok_or_else(|| format!("`{path}`: the end of its mapping is unknown"))? as usize;
        match parent.kind {
            NodeKind::Block => {
                Ok(self.insert_at_end(end, self.block_entry(key, value, self.column(parent.start as usize))))
            }
            NodeKind::Flow => {
                let close = end - 1;
                let key_text = super::to_yaml(&Value::String(key.to_string())).trim_end().to_string();
                Ok(vec![flow_append(close, empty, format!("{key_text}: {}", flow(value)))])
            }
            _ => Err(format!("`{path}`: its mapping cannot be edited in place")),
        }
    }

    /// Replaces the value at `segs` (whose span is `span`) with `value`.
    fn replace(&self, segs: &[Segment], span: NodeSpan, value: &Value) -> Result<Vec<TextEdit>, String> {
        let path = path_of(segs);
        let scalar = !matches!(value, Value::Object(_) | Value::Array(_));
        let in_flow = self.parent_kind(segs) == Some(NodeKind::Flow);
        match span.kind {
            NodeKind::Scalar if scalar && span.end == Some(span.start) => {
                // An empty value (`value:` alone, null): written after its key's colon.
                let key = span
                    .key
                    .ok_or_else(|| format!("`{path}`: an empty item is not edited in place"))?
                    as usize;
                let line_end = self.src.from(key).find('\n').map_or(self.src.len(), |i| key + i);
                let colon = self
                    .src
                    .between(key, line_end)
                    .find(": ")
                    .or_else(|| {
                        self.src
                            .between(key, line_end)
                            .trim_end()
                            .strip_suffix(':')
                            .map(str::len)
                    })
                    .ok_or_else(|| format!("`{path}`: its key's colon is not on its line"))?;
                let at = key + colon + 1;
                Ok(vec![TextEdit {
                    depth: 0,
                    start: at,
                    end: at,
                    text: format!(" {}", if in_flow { flow(value) } else { block_scalar(value) }),
                }])
            }
            NodeKind::Scalar if scalar => {
                let end = span.end.ok_or_else(|| format!("`{path}`: its end is unknown"))? as usize;
                // A string keeps the quotes it was written with.
                let text = match (value, self.src.as_bytes().get(span.start as usize)) {
                    (Value::String(s), Some(b'"')) => serde_json::to_string(s).unwrap_or_default(),
                    (Value::String(s), Some(b'\'')) if !s.contains(['\n', '\r']) => {
                        format!("'{}'", s.replace('\'', "''"))
                    }
                    _ if in_flow => flow(value),
                    _ => block_scalar(value),
                };
                Ok(vec![TextEdit {
                    depth: 0,
                    start: span.start as usize,
                    end,
                    text,
                }])
            }
            NodeKind::Scalar | NodeKind::Flow if in_flow || span.kind == NodeKind::Flow => {
                let end = span.end.ok_or_else(|| format!("`{path}`: its end is unknown"))? as usize;
                Ok(vec![TextEdit {
                    depth: 0,
                    start: span.start as usize,
                    end,
                    text: flow(value),
                }])
            }
            NodeKind::Scalar | NodeKind::Block => {
                // A whole block entry, written anew at its place.
                let (start, end) = self.entry_range(segs, span)?;
                let text = match segs.last() {
                    Some(Segment::Key(k)) => self.block_entry(k, value, self.column(start)),
                    _ => self.block_item(value, self.column(start)),
                };
                Ok(vec![TextEdit {
                    depth: 0,
                    start: self.line_start(start),
                    end,
                    text,
                }])
            }
            _ => Err(format!(
                "`{path}` is an alias, an anchored or tagged value, or a block scalar: not edited in place"
            )),
        }
    }

    /// Where the entry of a block collection starts (its key, or its item's `-`) and ends.
    fn entry_range(&self, segs: &[Segment], span: NodeSpan) -> Result<(usize, usize), String> {
        let path = path_of(segs);
        let start = match segs.last() {
            Some(Segment::Key(_)) => span.key.map(|k| k as usize),
            _ => self.dash(span.start as usize),
        }
        .ok_or_else(|| format!("`{path}`: where its entry starts is unknown"))?;
        let end = span
            .entry_end
            .ok_or_else(|| format!("`{path}`: where its entry ends is unknown"))? as usize;
        if !self.starts_line(start) {
            return Err(format!("`{path}` shares its line with another entry"));
        }
        Ok((start, end))
    }

    /// The comments of the text `start..end` as lines of their own, indented as the line that
    /// holds `start`, with the text's line ending: what a removal keeps.
    fn comment_lines(&self, start: usize, end: usize) -> String {
        let line = self.src.between(self.line_start(start), start);
        let indent: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        let removed = self.src.between(start, end);
        let eol = if removed.contains("\r\n") { "\r\n" } else { "\n" };
        comments_in(removed)
            .into_iter()
            .map(|c| format!("{indent}{c}{eol}"))
            .collect()
    }

    fn remove(&self, segs: &[Segment]) -> Result<Vec<TextEdit>, String> {
        let path = path_of(segs);
        let span = self
            .span(segs)
            .ok_or_else(|| format!("`{path}` is not in the document"))?;
        let (_, parent_segs) = segs.split_last().ok_or("the document itself cannot be removed")?;
        let parent = self
            .span(parent_segs)
            .ok_or_else(|| format!("`{path}`: its parent is unknown"))?;
        let siblings = match value_at(&self.doc.value, parent_segs) {
            Some(Value::Object(o)) => o.len(),
            Some(Value::Array(a)) => a.len(),
            _ => 0,
        };
        match parent.kind {
            NodeKind::Block => {
                if siblings <= 1 {
                    return Err(format!("`{path}` is the only entry of its collection"));
                }
                let key_after_dash = matches!(segs.last(), Some(Segment::Key(_)))
                    && span.key.is_some_and(|k| !self.starts_line(k as usize));
                if key_after_dash {
                    // `- name: a` losing `name`: the next key moves up beside the `-`.
                    let start = span.key.map_or(0, |k| k as usize);
                    let end = span.entry_end.ok_or_else(|| format!("`{path}`: its end is unknown"))? as usize;
                    // Its comments move to their own lines above the item, at the dash's indentation.
                    let item_line = self.line_start(start);
                    let kept = self.comment_lines(start, end);
                    let next = self
                        .src
                        .from(end)
                        .find(|c: char| c != ' ' && c != '\t')
                        .map_or(end, |i| end + i);
                    let mut edits = Vec::new();
                    if !kept.is_empty() {
                        edits.push(TextEdit {
                            depth: 0,
                            start: item_line,
                            end: item_line,
                            text: kept,
                        });
                    }
                    edits.push(TextEdit {
                        depth: 0,
                        start,
                        end: next,
                        text: String::new(),
                    });
                    return Ok(edits);
                }
                let (start, end) = self.entry_range(segs, span)?;
                // The entry's comments stay, each on its own line where the entry was.
                let text = self.comment_lines(start, end);
                Ok(vec![TextEdit {
                    depth: 0,
                    start: self.line_start(start),
                    end,
                    text,
                }])
            }
            NodeKind::Flow => {
                let start = span.key.map_or(span.start, |k| k) as usize;
                let end = span.end.ok_or_else(|| format!("`{path}`: its end is unknown"))? as usize;
                let after = self.src.from(end);
                let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
                if after.from(gap).starts_with(',') {
                    let rest = after.from(gap + 1);
                    let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                    return Ok(vec![TextEdit {
                        depth: 0,
                        start,
                        end: end + gap + 1 + spaces,
                        text: String::new(),
                    }]);
                }
                let before = self.src.upto(start).trim_end_matches([' ', '\t', '\r', '\n']);
                let from = if before.ends_with(',') { before.len() - 1 } else { start };
                Ok(vec![TextEdit {
                    depth: 0,
                    start: from,
                    end,
                    text: String::new(),
                }])
            }
            _ => Err(format!("`{path}`: its collection cannot be edited in place")),
        }
    }

    fn append(&self, segs: &[Segment], value: &Value) -> Result<Vec<TextEdit>, String> {
        let path = path_of(segs);
        let Some(span) = self.span(segs) else {
            return self.set(segs, &Value::Array(vec![value.clone()]));
        };
        let items = match value_at(&self.doc.value, segs) {
            Some(Value::Array(a)) => a.len(),
            Some(Value::Null) => return self.set(segs, &Value::Array(vec![value.clone()])),
            _ => return Err(format!("`{path}` is not a list")),
        };
        match span.kind {
            NodeKind::Block => {
                let end = span.end.ok_or_else(|| format!("`{path}`: its end is unknown"))? as usize;
                let dash = self
                    .dash(span.start as usize)
                    .ok_or_else(|| format!("`{path}`: where its items start is unknown"))?;
                Ok(self.insert_at_end(end, self.block_item(value, self.column(dash))))
            }
            NodeKind::Flow => {
                let close = span.end.ok_or_else(|| format!("`{path}`: its end is unknown"))? as usize - 1;
                Ok(vec![flow_append(close, items == 0, flow(value))])
            }
            _ => Err(format!("`{path}` cannot be edited in place")),
        }
    }
}

/// A scalar in block context, quoted as dind's emitter quotes (YAML 1.1 and 1.2 read it alike).
fn block_scalar(value: &Value) -> String {
    super::to_yaml(value).trim_end().to_string()
}

/// The last entry of a flow collection, `entry`, inserted before its closing bracket at `close`
/// (after a `, ` unless the collection is empty).
fn flow_append(close: usize, empty: bool, entry: String) -> TextEdit {
    TextEdit {
        depth: 0,
        start: close,
        end: close,
        text: if empty { entry } else { format!(", {entry}") },
    }
}

/// A value in flow style (`{name: x, mountPath: /y}`): strings plain where both YAML 1.1 and
/// 1.2 read them alike and no flow indicator is in them, else double-quoted as dind's emitter
/// quotes.
fn flow(value: &Value) -> String {
    match value {
        Value::String(s) if super::is_plain_safe(s) && !s.contains([',', '[', ']', '{', '}', '#', ':']) => s.clone(),
        Value::String(s) => {
            let mut quoted = String::new();
            super::emit::quote(s, &mut quoted);
            quoted
        }
        Value::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(m) if m.is_empty() => "{}".to_string(),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", flow(&Value::String(k.clone())), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The comments of a stretch of block YAML, in order (`# ...`, each to the end of its line).
/// Quoted scalars are skipped, across lines too; a block scalar's content is text, not comments.
fn comments_in(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    for line in text.lines() {
        let b = line.as_bytes();
        let mut i = 0;
        let mut block_header = false;
        while i < b.len() {
            let c = b[i] as char;
            match quote {
                Some('\'') if c == '\'' => {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 1;
                    } else {
                        quote = None;
                    }
                }
                Some('"') if c == '\\' => i += 1,
                Some('"') if c == '"' => quote = None,
                Some(_) => {}
                None if c == '#' && (i == 0 || matches!(b[i - 1], b' ' | b'\t')) => {
                    out.push(line.from(i).trim_end());
                    break;
                }
                None if (c == '\'' || c == '"')
                    && (i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'[' | b'{' | b',' | b':' | b'-')) =>
                {
                    quote = Some(c);
                }
                None if (c == '|' || c == '>') && (i == 0 || matches!(b[i - 1], b' ' | b'\t')) => {
                    let rest = line.from(i + 1).split('#').next().unwrap_or("").trim();
                    block_header = rest.chars().all(|r| matches!(r, '-' | '+' | '0'..='9'));
                }
                None => {}
            }
            i += 1;
        }
        if block_header {
            // What follows is the scalar's text (a `#` there is a character of it).
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::yaml::{Limits, read_documents_with_spans};

    fn edit(text: &str, edits: &[PodEdit]) -> Result<String, String> {
        let doc = &read_documents_with_spans(text, Limits::default())?[0];
        let e = Editor::new(text, doc);
        let mut all = Vec::new();
        for x in edits {
            all.extend(e.edits(x)?);
        }
        Ok(apply_edits(text, &all))
    }

    #[test]
    fn comments_are_found_outside_quotes_and_block_scalars() {
        let text =
            "a: 1  # one\n# two\nb: \"x # not\"\nc: 'it''s # not'  # three\nd: [\"m\n  # not\", 2]\ne: |\n  # text\n";
        assert_eq!(comments_in(text), ["# one", "# two", "# three"]);
        assert!(comments_in("url: http://x/#frag\n").is_empty());
    }
    #[test]
    fn block_edits_keep_everything_else() {
        let text = "# keep me\nspec:\n  containers:\n  - name: dind   # trailing\n    args:\n    - dockerd\n    - --experimental\n    - --host=unix:///x.sock\n    env:\n    - {name: DOCKER_TLS_CERTDIR, value: ''}\n";
        let out = edit(text, &[PodEdit::remove("spec.containers[0].args[1]")]).unwrap();
        assert_eq!(out, text.replace("    - --experimental\n", ""));
        let out = edit(text, &[PodEdit::append("spec.containers[0].args", "--mtu=1440")]).unwrap();
        assert!(
            out.contains("    - --host=unix:///x.sock\n    - \"--mtu=1440\"\n    env:"),
            "{out}"
        );
        // Flow mapping inside a block list; the value keeps its single quotes.
        let out = edit(text, &[PodEdit::set("spec.containers[0].env[0].value", "/certs")]).unwrap();
        assert!(
            out.ends_with("    - {name: DOCKER_TLS_CERTDIR, value: '/certs'}\n"),
            "{out}"
        );
        let out = edit(
            "a: \"x\"\nb: 'y'\nc: z\n",
            &[
                PodEdit::set("a", "on"),
                PodEdit::set("b", "it's"),
                PodEdit::set("c", "on"),
            ],
        )
        .unwrap();
        assert_eq!(out, "a: \"on\"\nb: 'it''s'\nc: \"on\"\n");
        // The first key beside a `-`.
        // Its comment stays, on its own line above the item.
        let out = edit(text, &[PodEdit::remove("spec.containers[0].name")]).unwrap();
        assert!(
            out.contains("  containers:\n  # trailing\n  - args:\n    - dockerd\n"),
            "{out}"
        );
    }

    #[test]
    fn flow_edits_keep_commas_right() {
        let text = "c: {a: 1, b: [x, y, z]}\n";
        assert_eq!(
            edit(text, &[PodEdit::remove("c.b[1]")]).unwrap(),
            "c: {a: 1, b: [x, z]}\n"
        );
        assert_eq!(
            edit(text, &[PodEdit::remove("c.b[2]")]).unwrap(),
            "c: {a: 1, b: [x, y]}\n"
        );
        assert_eq!(edit(text, &[PodEdit::remove("c.a")]).unwrap(), "c: {b: [x, y, z]}\n");
        assert_eq!(
            edit(text, &[PodEdit::append("c.b", "a,b")]).unwrap(),
            "c: {a: 1, b: [x, y, z, \"a,b\"]}\n"
        );
        assert_eq!(
            edit(text, &[PodEdit::set("c.d", true)]).unwrap(),
            "c: {a: 1, b: [x, y, z], d: true}\n"
        );
        // Quoted as the emitter quotes: a NEL, which YAML 1.1 readers take as a line break when
        // raw, is escaped, and the value reads back whole.
        let odd = "a\u{85}b: on";
        let out = edit(text, &[PodEdit::append("c.b", odd)]).unwrap();
        assert_eq!(out, "c: {a: 1, b: [x, y, z, \"a\\u0085b: on\"]}\n");
        let back = crate::yaml::read_documents(&out, Limits::default()).unwrap();
        assert_eq!(back[0].value["c"]["b"][3], odd);
    }

    #[test]
    fn empty_values_and_nested_insertions_at_one_point() {
        let text = "env:\n- name: X\n  value:\n- name: Y\n  value: y\n";
        assert_eq!(
            edit(text, &[PodEdit::set("env[0].value", "")]).unwrap(),
            "env:\n- name: X\n  value: \"\"\n- name: Y\n  value: y\n"
        );
        // A list missing at the pod level and a mount list missing in its last container.
        let text = "spec:\n  containers:\n  - name: dind\n    args: [a]";
        let out = edit(
            text,
            &[
                PodEdit::append("spec.volumes", serde_json::json!({"name": "v", "emptyDir": {}})),
                PodEdit::append(
                    "spec.containers[0].volumeMounts",
                    serde_json::json!({"name": "v", "mountPath": "/x"}),
                ),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "spec:\n  containers:\n  - name: dind\n    args: [a]\n    volumeMounts:\n    - name: v\n      mountPath: /x\n  volumes:\n  - name: v\n    emptyDir: {}\n"
        );
    }

    #[test]
    fn crlf_and_no_final_newline_are_kept() {
        let text = "a:\r\n  b: 1";
        assert_eq!(
            edit(text, &[PodEdit::set("a.c", 2)]).unwrap(),
            "a:\r\n  b: 1\r\n  c: 2\r\n"
        );
    }

    #[test]
    fn what_cannot_be_edited_in_place_is_refused() {
        let text = "base: &b {x: 1}\nuse: *b\nscript: |\n  echo\n";
        assert!(edit(text, &[PodEdit::set("use", 2)]).unwrap_err().contains("alias"));
        assert!(edit(text, &[PodEdit::set("base.x", 2)]).is_err());
        assert!(edit(text, &[PodEdit::set("script", "x")]).is_err());
        assert!(edit("a: [1]\n", &[PodEdit::remove("a[0]")]).is_ok());
        assert!(
            edit("a:\n- 1\n", &[PodEdit::remove("a[0]")])
                .unwrap_err()
                .contains("only entry")
        );
    }
}
