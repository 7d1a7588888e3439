//! A line-aware YAML reader for linting: each document becomes the JSON value kubectl would send
//! (go-yaml v2 typing, merge keys, last key wins) plus the line of every field. Hostile input is
//! bounded before and while parsing: the text size, the flow nesting and work (see `prescan`),
//! the nesting depth, and a byte budget that counts every node, alias expansion and stored path.
//! Parsing stops at the first limit crossed.

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

use super::paths::{NODE_COST, PathIndex, ROOT};
use super::prescan::flow_cost;
use super::resolve::{CoreTag, Tagged, resolve};

/// Limits for untrusted input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest input, in bytes.
    pub max_bytes: usize,
    /// The deepest nesting of collections.
    pub max_depth: usize,
    /// The deepest nesting of flow collections (`[...]`, `{...}`).
    pub max_flow_depth: usize,
    /// The most flow work (characters inside flow collections times their depth).
    pub max_flow_work: u64,
    /// The most bytes the documents may take once read: scalars, collections, aliases expanded
    /// and field paths stored.
    pub max_expanded_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 << 20,
            max_depth: 128,
            max_flow_depth: 64,
            max_flow_work: 1 << 27,
            max_expanded_bytes: 64 << 20,
        }
    }
}

impl Limits {
    /// The same limits with another flow nesting depth.
    #[must_use]
    pub fn with_max_flow_depth(mut self, depth: usize) -> Self {
        self.max_flow_depth = depth;
        self
    }
}

/// One YAML document.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Its content, as kubectl reads it.
    pub value: Value,
    /// The 1-based line where the document starts.
    pub line: usize,
    paths: PathIndex,
}

impl Document {
    /// The line of `path` (`spec.containers[1].image`), or of its nearest ancestor that has one.
    pub fn line_of(&self, path: &str) -> usize {
        match self.paths.line_of(path) {
            0 => self.line,
            l => l,
        }
    }
}

/// What a scalar or collection costs in the byte budget, besides its text.
const VALUE_COST: usize = 32;

enum Frame {
    Map {
        map: Map<String, Value>,
        key: Option<Key>,
        node: u32,
        anchor: usize,
        start_bytes: usize,
    },
    Seq {
        seq: Vec<Value>,
        node: u32,
        anchor: usize,
        start_bytes: usize,
    },
}

enum Key {
    Field { name: String, node: u32 },
    Merge,
}

struct Reader {
    limits: Limits,
    stack: Vec<Frame>,
    docs: Vec<Document>,
    paths: PathIndex,
    doc_line: usize,
    anchors: std::collections::HashMap<usize, (Value, usize)>,
    bytes: usize,
}

fn tagged(tag: Option<&Tag>) -> Tagged {
    tag.map_or(Tagged::None, |t| Tagged::from_parts(&t.handle, &t.suffix))
}

/// A mapping key as `sigs.k8s.io/yaml` turns it into a JSON object key.
fn key_text(value: &Value, line: usize) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Err(format!("line {line}: a null mapping key cannot become JSON")),
        _ => Err(format!("line {line}: a mapping key must be a scalar")),
    }
}

impl Reader {
    fn spend(&mut self, bytes: usize, line: usize) -> Result<(), String> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.limits.max_expanded_bytes {
            return Err(format!(
                "line {line}: the documents take more than {} bytes once read, aliases expanded (an alias bomb, or far too large for a pod)",
                self.limits.max_expanded_bytes
            ));
        }
        Ok(())
    }

    /// The path node for a value that starts now at `line`: under the pending key of a mapping,
    /// as the next item of a sequence, or the document root.
    fn node_for_value(&mut self, line: usize) -> Result<u32, String> {
        let node = match self.stack.last() {
            None => ROOT,
            Some(Frame::Map {
                key: Some(Key::Field { node, .. }),
                ..
            }) => *node,
            Some(Frame::Map {
                key: Some(Key::Merge),
                node,
                ..
            }) => *node,
            Some(Frame::Map { key: None, .. }) => return Ok(u32::MAX),
            Some(Frame::Seq { seq, node, .. }) => {
                let (parent, index) = (*node, seq.len());
                self.spend(NODE_COST, line)?;
                return Ok(self.paths.index(parent, index, line));
            }
        };
        Ok(node)
    }

    /// Adds a finished value to its parent, or ends the document.
    fn push(&mut self, value: Value, line: usize) -> Result<(), String> {
        if self.at_key_position() {
            let name = key_text(&value, line)?;
            self.spend(name.len() + NODE_COST, line)?;
            let Some(Frame::Map { key, node, .. }) = self.stack.last_mut() else {
                return Ok(());
            };
            let child = self.paths.key(*node, &name, line);
            *key = Some(Key::Field { name, node: child });
            return Ok(());
        }
        match self.stack.last_mut() {
            None => {
                let paths = std::mem::replace(&mut self.paths, PathIndex::new(1));
                self.docs.push(Document {
                    value,
                    line: self.doc_line,
                    paths,
                });
            }
            Some(Frame::Seq { seq, .. }) => seq.push(value),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                Some(Key::Field { name, .. }) => {
                    map.insert(name, value);
                }
                Some(Key::Merge) => merge(map, value, line)?,
                None => {}
            },
        }
        Ok(())
    }

    fn at_key_position(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn event(&mut self, ev: Event, line: usize) -> Result<(), String> {
        match ev {
            Event::DocumentStart => {
                self.doc_line = line.max(1);
                self.paths = PathIndex::new(self.doc_line);
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.spend(text.len() + VALUE_COST, line)?;
                let tag = tagged(tag.as_ref());
                let plain = style == TScalarStyle::Plain;
                if self.at_key_position()
                    && text == "<<"
                    && ((plain && tag == Tagged::None) || tag == Tagged::Core(CoreTag::Merge))
                {
                    if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                        *key = Some(Key::Merge);
                    }
                    return Ok(());
                }
                let value = resolve(&text, plain, tag).map_err(|e| format!("line {line}: {e}"))?;
                if !self.at_key_position() {
                    self.node_for_value(line)?;
                }
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), text.len() + VALUE_COST));
                }
                self.push(value, line)?;
            }
            Event::Alias(id) => {
                let Some((value, size)) = self.anchors.get(&id).cloned() else {
                    return Err(format!("line {line}: an alias to an unknown anchor"));
                };
                self.spend(size, line)?;
                if !self.at_key_position() {
                    self.node_for_value(line)?;
                }
                self.push(value, line)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= self.limits.max_depth {
                    return Err(format!(
                        "line {line}: nesting deeper than {} levels",
                        self.limits.max_depth
                    ));
                }
                if self.at_key_position() {
                    return Err(format!("line {line}: a mapping key must be a scalar"));
                }
                self.spend(VALUE_COST, line)?;
                let node = self.node_for_value(line)?;
                let start_bytes = self.bytes;
                self.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        seq: Vec::new(),
                        node,
                        anchor,
                        start_bytes,
                    }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        key: None,
                        node,
                        anchor,
                        start_bytes,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (value, anchor, start) = match frame {
                    Frame::Seq {
                        seq,
                        anchor,
                        start_bytes,
                        ..
                    } => (Value::Array(seq), anchor, start_bytes),
                    Frame::Map {
                        map,
                        anchor,
                        start_bytes,
                        ..
                    } => (Value::Object(map), anchor, start_bytes),
                };
                if anchor > 0 {
                    let size = self.bytes.saturating_sub(start).saturating_add(VALUE_COST);
                    self.anchors.insert(anchor, (value.clone(), size));
                }
                self.push(value, line)?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        Ok(())
    }
}

/// go-yaml v2's merge: a merged mapping's keys are set in order (an explicit key later in the
/// mapping overrides them); of a list of mappings, earlier ones win.
fn merge(map: &mut Map<String, Value>, value: Value, line: usize) -> Result<(), String> {
    let sources = match value {
        Value::Object(m) => vec![m],
        Value::Array(items) => {
            let mut maps = Vec::new();
            for item in items.into_iter().rev() {
                match item {
                    Value::Object(m) => maps.push(m),
                    _ => return Err(format!("line {line}: `<<` merges only mappings")),
                }
            }
            maps
        }
        _ => return Err(format!("line {line}: `<<` merges only mappings")),
    };
    for m in sources {
        for (k, v) in m {
            map.insert(k, v);
        }
    }
    Ok(())
}

/// Reads every document of a YAML stream, within `limits`, as kubectl would.
///
/// ```
/// use dind_core::yaml::{Limits, read_documents};
/// let docs = read_documents("a: yes\n---\nspec:\n  containers:\n  - name: x\n", Limits::default()).unwrap();
/// assert_eq!(docs[0].value["a"], true);
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
    flow_cost(text, limits.max_flow_depth, limits.max_flow_work)?;
    let mut reader = Reader {
        limits,
        stack: Vec::new(),
        docs: Vec::new(),
        paths: PathIndex::new(1),
        doc_line: 1,
        anchors: std::collections::HashMap::new(),
        bytes: 0,
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            format!(
                "line {}, column {}: {}",
                e.marker().line(),
                e.marker().col() + 1,
                e.info()
            )
        })?;
        if event == Event::StreamEnd {
            break;
        }
        reader.event(event, mark.line())?;
    }
    Ok(reader.docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Value {
        read_documents(text, Limits::default()).unwrap()[0].value.clone()
    }

    #[test]
    fn alias_bombs_are_refused_by_the_byte_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = read_documents(&text, Limits::default()).unwrap_err();
        assert!(err.contains("aliases expanded"), "{err}");
        // One big scalar aliased many times: few nodes, many bytes.
        let mut big = format!("a: &big {}\nb: [", "x".repeat(1 << 20));
        big.push_str(&"*big, ".repeat(100));
        big.push_str("]\n");
        assert!(
            read_documents(&big, Limits::default())
                .unwrap_err()
                .contains("aliases expanded")
        );
    }

    #[test]
    fn deep_nesting_is_refused_both_ways() {
        let flow = "[".repeat(20_000);
        assert!(
            read_documents(&flow, Limits::default())
                .unwrap_err()
                .contains("nested deeper")
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
    fn values_are_what_kubectl_sends() {
        assert_eq!(
            read("a: 8989\nb: ~\nc: \"8989\"\nd: on\ne: 1.5\nf: 017\ng: !!str 017\nh: 12:30\nyes: key\n"),
            json!({"a": 8989, "b": null, "c": "8989", "d": true, "e": 1.5, "f": 15, "g": "017", "h": "12:30", "true": "key"})
        );
    }

    #[test]
    fn merge_keys_and_duplicate_keys_follow_go_yaml() {
        let v = read("base: &b {a: 1, b: 2}\nm:\n  a: 0\n  <<: *b\n  b: 3\ndup: 1\ndup: 2\n");
        assert_eq!(v["m"], json!({"a": 1, "b": 3}));
        // `y` is a YAML 1.1 boolean to kubectl, as a key too.
        assert_eq!(read("y: 1\n"), json!({"true": 1}));
        assert_eq!(v["dup"], 2);
        let v = read("a: &a {k: 1}\nb: &b {k: 2, j: 2}\nc:\n  <<: [*a, *b]\n");
        assert_eq!(v["c"], json!({"k": 1, "j": 2}));
    }

    #[test]
    fn brackets_inside_strings_do_not_count_as_nesting() {
        let text = format!("a: \"{}\"\n", "[".repeat(500));
        assert_eq!(read(&text)["a"].as_str().map(str::len), Some(500));
    }

    #[test]
    fn lines_survive_multiple_documents_and_flow_style() {
        let docs = read_documents(
            "a: 1\n---\nspec:\n  containers: [{name: x,\n    image: y}]\n",
            Limits::default(),
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].line, 2);
        assert_eq!(docs[1].line_of("spec.containers[0].image"), 5);
    }
}
