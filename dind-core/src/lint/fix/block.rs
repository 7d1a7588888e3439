//! A YAML block scalar that holds text dind reads (a JCasC template's `yaml`, a chart value's
//! JCasC or pod YAML), mapped byte by byte to the file so edits of the text become edits of the
//! file.

use serde_json::Value;

use crate::cut::Cut;
use crate::lint::casc::pointer;
use crate::yaml::TextEdit;

/// A `|` or `|-` block scalar: its value as the linter reads it (`^${` read as `${` in a JCasC
/// template's `yaml`), and for each value byte the file offset it comes from.
pub(super) struct Block {
    pub value: String,
    offsets: Vec<usize>,
    /// Where the value ends in the file (after the last content line's break, or after its last
    /// character for `|-`).
    end: usize,
    indent: usize,
    /// Whether it is `|-` (no final line break).
    pub strip: bool,
    /// Whether `${` is written `^${` (JCasC's escape).
    caret: bool,
}

impl Block {
    /// Reads the literal block scalar at `path`, `^${` read as `${` when `caret`; why not when it
    /// is not one dind can map (folded, quoted, `|+`, an explicit indentation indicator) or does
    /// not read back as the parsed value.
    pub fn read(text: &str, doc: &crate::yaml::Document, path: &str, caret: bool) -> Result<Block, String> {
        let unlocated = format!("dind could not locate `{path}` in the file");
        let span = doc.span_of(path).ok_or_else(|| unlocated.clone())?;
        let parsed = pointer(path)
            .and_then(|p| doc.value.pointer(&p))
            .and_then(Value::as_str)
            .ok_or_else(|| unlocated.clone())?;
        let start = span.start as usize;
        let line_start = text.upto(start).rfind('\n').map_or(0, |i| i + 1);
        let indent = start - line_start;
        // The header `|` or `|-` ends the key's line, before the content's first line.
        let key = span.key.ok_or_else(|| unlocated.clone())? as usize;
        let header_line = text.between(key, text.from(key).find('\n').map_or(text.len(), |i| key + i));
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
                    "dind edits `{path}` only in a `|` or `|-` block, and this one is {kind}; edit it by hand"
                ));
            }
        };
        let mut value = String::new();
        let mut offsets = Vec::new();
        let mut at = line_start;
        let mut last_content_end = start;
        while at < text.len() {
            let line_end = text.from(at).find('\n').map_or(text.len(), |i| at + i);
            let line = text.between(at, line_end);
            let blank = line.trim().is_empty();
            // The indentation is compared byte by byte: a line whose first bytes are not all
            // spaces (a key with a non-ASCII character, say) ends the block.
            let indented = line
                .as_bytes()
                .get(..indent)
                .is_some_and(|p| p.iter().all(|&b| b == b' '));
            if !blank && !indented {
                break;
            }
            if !blank {
                let content = line.from(indent);
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
            if caret && value.from(i).starts_with("^${") {
                unescaped.push_str("${");
                map.extend([offsets[i], offsets[i + 2]]);
                i += 3;
            } else {
                let Some(ch) = value.from(i).chars().next() else { break };
                unescaped.push(ch);
                map.extend(std::iter::repeat_n(offsets[i], ch.len_utf8()));
                i += ch.len_utf8();
            }
        }
        if value != parsed {
            return Err(format!(
                "the block of `{path}` does not read back line by line as its value (tabs or \
                     uneven indentation); edit it by hand"
            ));
        }
        Ok(Block {
            value: unescaped,
            offsets: map,
            end,
            indent,
            strip,
            caret,
        })
    }

    /// An edit of the value as an edit of the file: `${` written `^${`, every new line indented
    /// as the block's content.
    pub fn file_edit(&self, text: &str, e: &TextEdit) -> TextEdit {
        let pos = |p: usize| {
            if p < self.offsets.len() {
                self.offsets[p]
            } else {
                self.end
            }
        };
        let (start, end) = (pos(e.start), pos(e.end));
        let at_line_start = start == 0 || text.upto(start).ends_with('\n');
        let pad = " ".repeat(self.indent);
        let escaped = if self.caret {
            e.text.replace("${", "^${")
        } else {
            e.text.clone()
        };
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

    /// The file with the block's whole value replaced by `value`, written line by line at the
    /// block's indentation (an empty line left empty): the lines the value keeps stay as they
    /// were. `None` when the block has no content line to start from.
    pub fn replace(&self, text: &str, value: &str) -> Option<String> {
        let first = *self.offsets.first()?;
        let start = text.upto(first).rfind('\n').map_or(0, |i| i + 1);
        let pad = " ".repeat(self.indent);
        let escaped = if self.caret {
            value.replace("${", "^${")
        } else {
            value.to_string()
        };
        let body: Vec<String> = escaped
            .split('\n')
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{pad}{l}")
                }
            })
            .collect();
        let mut out = String::with_capacity(text.len() + value.len());
        out.push_str(text.upto(start));
        out.push_str(&body.join("\n"));
        out.push_str(text.from(self.end));
        Some(out)
    }
}
