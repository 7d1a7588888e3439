//! A line-aware YAML reader for linting: each document becomes a JSON value plus the line of every
//! field path (`spec.containers[1].image` → 14). Hostile input is bounded: the text size, the
//! nesting depth and the number of nodes alias expansion may produce.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Limits for untrusted input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest input, in bytes.
    pub max_bytes: usize,
    /// The deepest nesting of collections.
    pub max_depth: usize,
    /// The most nodes a file may produce, aliases expanded.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 << 20,
            max_depth: 128,
            max_nodes: 1_000_000,
        }
    }
}

/// One YAML document.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Its content.
    pub value: Value,
    /// The 1-based line where the document starts.
    pub line: usize,
    /// The line of each field path inside it.
    pub lines: BTreeMap<String, usize>,
}

impl Document {
    /// The line of `path`, or of its nearest ancestor that has one.
    pub fn line_of(&self, path: &str) -> usize {
        let mut p = path;
        loop {
            if let Some(l) = self.lines.get(p) {
                return *l;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.line,
            }
        }
    }
}

enum Frame {
    Map {
        map: Map<String, Value>,
        key: Option<(String, usize)>,
        anchor: usize,
        path: String,
        nodes: usize,
    },
    Seq {
        seq: Vec<Value>,
        anchor: usize,
        path: String,
        nodes: usize,
    },
}

struct Builder {
    limits: Limits,
    stack: Vec<Frame>,
    docs: Vec<Document>,
    lines: BTreeMap<String, usize>,
    doc_line: usize,
    anchors: BTreeMap<usize, (Value, usize)>,
    nodes: usize,
    error: Option<String>,
}

fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Number(i.into());
        }
    }
    if let Some(h) = s.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(h, 16)
    {
        return Value::Number(i.into());
    }
    if let Some(o) = s.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(o, 8)
    {
        return Value::Number(i.into());
    }
    let float_like = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && s.bytes().any(|b| b.is_ascii_digit());
    if float_like
        && let Ok(f) = s.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(s.to_string())
}

impl Builder {
    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    fn child_path(&self) -> Option<String> {
        match self.stack.last()? {
            Frame::Map {
                key: Some((k, _)),
                path,
                ..
            } => Some(if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            }),
            Frame::Map { .. } => None,
            Frame::Seq { seq, path, .. } => Some(format!("{path}[{}]", seq.len())),
        }
    }

    /// Adds a finished node to its parent (or ends the document).
    fn push(&mut self, value: Value, size: usize, line: usize) {
        match self.stack.last_mut() {
            None => {
                let lines = std::mem::take(&mut self.lines);
                self.docs.push(Document {
                    value,
                    line: self.doc_line,
                    lines,
                });
            }
            Some(Frame::Seq { seq, path, nodes, .. }) => {
                let p = format!("{path}[{}]", seq.len());
                self.lines.entry(p).or_insert(line);
                seq.push(value);
                *nodes += size;
            }
            Some(Frame::Map {
                map, key, path, nodes, ..
            }) => match key.take() {
                None => {
                    let k = match value {
                        Value::String(s) => s,
                        Value::Null => "null".into(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        _ => {
                            self.error
                                .get_or_insert_with(|| format!("line {line}: a mapping key must be a scalar"));
                            return;
                        }
                    };
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    self.lines.insert(p, line);
                    *key = Some((k, line));
                }
                Some((k, _)) => {
                    map.insert(k, value);
                    *nodes += size;
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line();
        match ev {
            Event::DocumentStart => {
                self.doc_line = line.max(1);
                self.lines.clear();
            }
            Event::Scalar(text, style, anchor, _) => {
                self.nodes += 1;
                let value = if style == TScalarStyle::Plain {
                    resolve_plain(&text)
                } else {
                    Value::String(text)
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.push(value, 1, line);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some((value, size)) => {
                    self.nodes += size;
                    if self.nodes > self.limits.max_nodes {
                        self.fail(format!(
                            "line {line}: aliases expand to more than {} nodes (an alias bomb?)",
                            self.limits.max_nodes
                        ));
                        return;
                    }
                    self.push(value, size, line);
                }
                None => self.fail(format!("line {line}: unknown alias")),
            },
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= self.limits.max_depth {
                    self.fail(format!(
                        "line {line}: nesting deeper than {} levels",
                        self.limits.max_depth
                    ));
                    return;
                }
                let path = self.child_path().unwrap_or_default();
                if !path.is_empty() {
                    self.lines.entry(path.clone()).or_insert(line);
                }
                self.nodes += 1;
                let frame = if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        seq: Vec::new(),
                        anchor,
                        path,
                        nodes: 1,
                    }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        key: None,
                        anchor,
                        path,
                        nodes: 1,
                    }
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else { return };
                let (value, anchor, nodes) = match frame {
                    Frame::Seq { seq, anchor, nodes, .. } => (Value::Array(seq), anchor, nodes),
                    Frame::Map { map, anchor, nodes, .. } => (Value::Object(map), anchor, nodes),
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), nodes));
                }
                self.push(value, nodes, line);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        if self.nodes > self.limits.max_nodes && self.error.is_none() {
            self.fail(format!("more than {} YAML nodes", self.limits.max_nodes));
        }
    }
}

/// Reads every document of a YAML stream, within `limits`.
///
/// ```
/// use dind_core::yaml::{Limits, read_documents};
/// let docs = read_documents("a: 1\n---\nspec:\n  containers:\n  - name: x\n", Limits::default()).unwrap();
/// assert_eq!(docs.len(), 2);
/// assert_eq!(docs[1].line_of("spec.containers[0].name"), 5);
/// ```
pub fn read_documents(text: &str, limits: Limits) -> Result<Vec<Document>, String> {
    if text.len() > limits.max_bytes {
        return Err(format!(
            "the input is {} bytes; the limit is {}",
            text.len(),
            limits.max_bytes
        ));
    }
    // The scanner walks flow collections without a bound of its own; refuse absurd nesting early.
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(format!("nesting deeper than {} levels", limits.max_depth));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let mut builder = Builder {
        limits,
        stack: Vec::new(),
        docs: Vec::new(),
        lines: BTreeMap::new(),
        doc_line: 1,
        anchors: BTreeMap::new(),
        nodes: 0,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| {
        format!(
            "line {}, column {}: {}",
            e.marker().line(),
            e.marker().col() + 1,
            e.info()
        )
    })?;
    if let Some(e) = builder.error {
        return Err(e);
    }
    Ok(builder.docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = read_documents(&text, Limits::default()).unwrap_err();
        assert!(err.contains("alias"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_both_ways() {
        let flow = "[".repeat(20_000);
        assert!(
            read_documents(&flow, Limits::default())
                .unwrap_err()
                .contains("nesting")
        );
        let mut block = String::new();
        for i in 0..300 {
            block.push_str(&" ".repeat(i));
            block.push_str("a:\n");
        }
        assert!(
            read_documents(&block, Limits::default())
                .unwrap_err()
                .contains("nesting")
        );
    }

    #[test]
    fn plain_scalars_resolve_like_yaml_1_2_core() {
        let docs = read_documents("a: 8989\nb: ~\nc: \"8989\"\nd: on\ne: 1.5\n", Limits::default()).unwrap();
        assert_eq!(
            docs[0].value,
            serde_json::json!({"a": 8989, "b": null, "c": "8989", "d": "on", "e": 1.5})
        );
    }
}
