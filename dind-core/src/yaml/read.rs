//! A line-aware YAML reader for linting: each document becomes the JSON value kubectl would send
//! (go-yaml v2 typing, merge keys, last key wins) plus the line of every field. Hostile input is
//! bounded before and while parsing: the text size, the flow nesting and work (see `prescan`),
//! the nesting depth, and a byte budget that counts every node, alias expansion and stored path.
//! Parsing stops at the first limit crossed.

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

use super::paths::{NODE_COST, NodeKind, NodeSpan, PathIndex, ROOT};
use super::prescan::check_flow;
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

    /// Where the node at exactly `path` is in the text, when the document was read with spans
    /// ([`read_documents_with_spans`]) and has that node.
    ///
    /// ```
    /// use dind_core::yaml::{Limits, NodeKind, read_documents_with_spans};
    /// let text = "spec:\n  port: 'tcp://x:1'\n";
    /// let doc = &read_documents_with_spans(text, Limits::default()).unwrap()[0];
    /// let span = doc.span_of("spec.port").unwrap();
    /// assert_eq!(span.kind, NodeKind::Scalar);
    /// assert_eq!(&text[span.start as usize..span.end.unwrap() as usize], "'tcp://x:1'");
    /// assert_eq!(&text[span.key.unwrap() as usize..][..4], "port");
    /// ```
    pub fn span_of(&self, path: &str) -> Option<NodeSpan> {
        self.paths.node(path).and_then(|n| self.paths.span(n))
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
        at: Place,
    },
    Seq {
        seq: Vec<Value>,
        node: u32,
        anchor: usize,
        start_bytes: usize,
        at: Place,
    },
}

/// Where a collection is in the text, while it is read (for spans). The parser marks a flow
/// collection's start at its bracket, but a block mapping's at its first key's `:` and an
/// indentless sequence's at its first item: a block collection starts where its first entry does.
#[derive(Clone, Copy, Default)]
struct Place {
    /// The start event's marker.
    marker: u32,
    /// Where the first entry starts (its key, or its item's value).
    first: Option<u32>,
    /// The node of the entry read last, whose entry ends where the next one starts.
    last_child: Option<u32>,
}

impl Frame {
    fn place(&mut self) -> &mut Place {
        match self {
            Frame::Map { at, .. } | Frame::Seq { at, .. } => at,
        }
    }
}

enum Key {
    Field { name: String, node: u32 },
    Merge,
}

struct Reader<'t> {
    /// The text, for spans.
    src: &'t str,
    /// Marker char index → byte offset, moved forward as events arrive.
    cursor: (usize, usize),
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

/// A byte offset as stored in spans (inputs are far below 4 GiB).
fn off(byte: usize) -> u32 {
    u32::try_from(byte).unwrap_or(u32::MAX)
}

impl Reader<'_> {
    fn spans(&self) -> bool {
        self.paths.records_spans()
    }

    /// The byte offset of a marker's char index.
    /// Markers come nearly in order (a mapping's start marker follows its first key's), so the
    /// cursor steps forward or back from where it was: linear over a whole text.
    fn byte(&mut self, chars: usize) -> usize {
        let (mut c, mut b) = self.cursor;
        let bytes = self.src.as_bytes();
        while c < chars && b < bytes.len() {
            b += self.src[b..].chars().next().map_or(1, char::len_utf8);
            c += 1;
        }
        while c > chars && b > 0 {
            b -= self.src[..b].chars().next_back().map_or(1, char::len_utf8);
            c -= 1;
        }
        self.cursor = (c, b);
        b
    }

    /// The byte where an event at char index `chars` starts, when spans are recorded (else 0).
    fn start(&mut self, chars: usize) -> usize {
        if self.spans() { self.byte(chars) } else { 0 }
    }

    /// The start of the line that holds byte `at`.
    fn line_start(&self, at: usize) -> usize {
        self.src[..at.min(self.src.len())].rfind('\n').map_or(0, |i| i + 1)
    }

    /// A new entry of the innermost block collection starts at byte `at`: the previous one ends
    /// at the start of that line.
    fn next_entry(&mut self, node: u32, at: usize) {
        let start = off(self.line_start(at));
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        let place = frame.place();
        place.first.get_or_insert(off(at));
        let previous = place.last_child.replace(node);
        // (In a flow collection this is never read: entries there end at commas.)
        if let Some(prev) = previous
            && let Some(span) = self.paths.span_mut(prev)
        {
            span.entry_end = Some(start);
        }
    }

    /// The end of a scalar token that starts at byte `at`, when it can be known exactly.
    fn scalar_end(&self, at: usize, style: TScalarStyle, text: &str) -> Option<usize> {
        let rest = self.src.get(at..)?;
        match style {
            TScalarStyle::Plain => rest.starts_with(text).then_some(at + text.len()),
            TScalarStyle::SingleQuoted => {
                let b = rest.as_bytes();
                let mut i = 1;
                while i < b.len() {
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        return Some(at + i + 1);
                    }
                    i += 1;
                }
                None
            }
            TScalarStyle::DoubleQuoted => {
                let b = rest.as_bytes();
                let mut i = 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 2,
                        b'"' => return Some(at + i + 1),
                        _ => i += 1,
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// Records the span of a value node. Inside an anchored collection everything is opaque:
    /// an edit there would change every alias of it too.
    fn value_span(&mut self, node: u32, span: NodeSpan) {
        let shared = self.stack.iter().any(|f| match f {
            Frame::Map { anchor, .. } | Frame::Seq { anchor, .. } => *anchor > 0,
        });
        if let Some(s) = self.paths.span_mut(node) {
            let key = s.key;
            *s = NodeSpan { key, ..span };
            if shared {
                s.kind = NodeKind::Opaque;
            }
        }
    }

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

    /// [`Self::node_for_value`] for a value that starts at byte `at`, keeping the entries of a
    /// block sequence apart.
    fn value_node(&mut self, line: usize, at: usize) -> Result<u32, String> {
        let in_seq = matches!(self.stack.last(), Some(Frame::Seq { .. }));
        let node = self.node_for_value(line)?;
        if in_seq && self.spans() {
            self.next_entry(node, at);
        }
        Ok(node)
    }

    /// Adds a finished value to its parent, or ends the document. `at` is the byte where it
    /// started (for a key, where the entry starts).
    fn push(&mut self, value: Value, line: usize, at: usize) -> Result<(), String> {
        if self.at_key_position() {
            let name = key_text(&value, line)?;
            self.spend(name.len() + NODE_COST, line)?;
            let Some(Frame::Map { key, node, .. }) = self.stack.last_mut() else {
                return Ok(());
            };
            let child = self.paths.key(*node, &name, line);
            *key = Some(Key::Field { name, node: child });
            if self.spans() {
                self.next_entry(child, at);
                if let Some(s) = self.paths.span_mut(child) {
                    s.key = Some(off(at));
                }
            }
            return Ok(());
        }
        match self.stack.last_mut() {
            None => {
                let fresh = PathIndex::new(1, self.spans());
                let paths = std::mem::replace(&mut self.paths, fresh);
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

    fn event(&mut self, ev: Event, line: usize, chars: usize) -> Result<(), String> {
        match ev {
            Event::DocumentStart => {
                self.doc_line = line.max(1);
                self.paths = PathIndex::new(self.doc_line, self.spans());
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.spend(text.len() + VALUE_COST, line)?;
                let tag = tagged(tag.as_ref());
                let plain = style == TScalarStyle::Plain;
                let at = self.start(chars);
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
                    let node = self.value_node(line, at)?;
                    if self.spans() {
                        let end = self.scalar_end(at, style, &text);
                        let editable = end.is_some() && anchor == 0 && tag == Tagged::None;
                        self.value_span(
                            node,
                            NodeSpan {
                                kind: if editable { NodeKind::Scalar } else { NodeKind::Opaque },
                                start: off(at),
                                end: end.map(off),
                                ..NodeSpan::default()
                            },
                        );
                    }
                }
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), text.len() + VALUE_COST));
                }
                self.push(value, line, at)?;
            }
            Event::Alias(id) => {
                let Some((value, size)) = self.anchors.get(&id).cloned() else {
                    return Err(format!("line {line}: an alias to an unknown anchor"));
                };
                self.spend(size, line)?;
                let at = self.start(chars);
                if !self.at_key_position() {
                    let node = self.value_node(line, at)?;
                    self.value_span(
                        node,
                        NodeSpan {
                            start: off(at),
                            ..NodeSpan::default()
                        },
                    );
                }
                self.push(value, line, at)?;
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
                let at = self.start(chars);
                let node = self.value_node(line, at)?;
                let start_bytes = self.bytes;
                let place = Place {
                    marker: off(at),
                    ..Place::default()
                };
                if anchor > 0 {
                    // An anchored collection is shared: editing it would edit its aliases too.
                    self.value_span(node, NodeSpan::default());
                }
                self.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        seq: Vec::new(),
                        node,
                        anchor,
                        start_bytes,
                        at: place,
                    }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        key: None,
                        node,
                        anchor,
                        start_bytes,
                        at: place,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (value, anchor, start, node, place) = match frame {
                    Frame::Seq {
                        seq,
                        anchor,
                        start_bytes,
                        node,
                        at,
                    } => (Value::Array(seq), anchor, start_bytes, node, at),
                    Frame::Map {
                        map,
                        anchor,
                        start_bytes,
                        node,
                        at,
                        ..
                    } => (Value::Object(map), anchor, start_bytes, node, at),
                };
                if anchor > 0 {
                    let size = self.bytes.saturating_sub(start).saturating_add(VALUE_COST);
                    self.anchors.insert(anchor, (value.clone(), size));
                }
                let mut start_at = place.marker as usize;
                if self.spans() {
                    let mark = self.byte(chars);
                    // A flow collection ends at its own bracket; a block one where the next token
                    // starts (never a bracket: a block collection cannot sit inside a flow one).
                    let bracket = if value.is_array() { b']' } else { b'}' };
                    let flow = self.src.as_bytes().get(mark) == Some(&bracket);
                    let end = if flow {
                        mark + 1
                    } else if mark >= self.src.len() {
                        self.src.len()
                    } else {
                        self.line_start(mark)
                    };
                    if !flow {
                        start_at = place.first.map_or(start_at, |f| f as usize);
                        // The parent took this collection's marker as where its first entry
                        // starts; it starts where this collection's first entry does.
                        if let Some(parent) = self.stack.last_mut() {
                            let p = parent.place();
                            if p.first == Some(place.marker) {
                                p.first = Some(off(start_at));
                            }
                        }
                    }
                    if let Some(last) = place.last_child
                        && !flow
                        && let Some(s) = self.paths.span_mut(last)
                    {
                        s.entry_end = Some(off(end));
                    }
                    if anchor == 0 && node != u32::MAX {
                        self.value_span(
                            node,
                            NodeSpan {
                                kind: if flow { NodeKind::Flow } else { NodeKind::Block },
                                start: off(start_at),
                                end: Some(off(end)),
                                ..NodeSpan::default()
                            },
                        );
                    }
                }
                self.push(value, line, start_at)?;
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
    read(text, limits, false)
}

/// [`read_documents`], recording where each node is in the text (for `dind lint --fix`).
pub fn read_documents_with_spans(text: &str, limits: Limits) -> Result<Vec<Document>, String> {
    read(text, limits, true)
}

fn read(text: &str, limits: Limits, spans: bool) -> Result<Vec<Document>, String> {
    if text.len() > limits.max_bytes {
        return Err(format!(
            "the input is {} bytes; the limit is {}",
            text.len(),
            limits.max_bytes
        ));
    }
    check_flow(text, limits.max_flow_depth, limits.max_flow_work)?;
    let mut reader = Reader {
        src: text,
        cursor: (0, 0),
        limits,
        stack: Vec::new(),
        docs: Vec::new(),
        paths: PathIndex::new(1, spans),
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
        reader.event(event, mark.line(), mark.index())?;
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

    #[test]
    fn spans_cover_exact_tokens_entries_and_collections() {
        let text = "# ünïcode comment\nspec:\n  containers:\n  - name: \"dïnd\"\n    args: [a, 'b''c']\n    env:\n    - name: X\n      value: y # note\n  - name: c\nlast: z";
        let doc = &read_documents_with_spans(text, Limits::default()).unwrap()[0];
        let slice = |p: &str| {
            let s = doc.span_of(p).unwrap();
            &text[s.start as usize..s.end.unwrap() as usize]
        };
        assert_eq!(slice("spec.containers[0].name"), "\"dïnd\"");
        assert_eq!(slice("spec.containers[0].args"), "[a, 'b''c']");
        assert_eq!(slice("spec.containers[0].args[1]"), "'b''c'");
        assert_eq!(slice("spec.containers[0].env[0].value"), "y");
        assert_eq!(slice("last"), "z");
        let env = doc.span_of("spec.containers[0].env").unwrap();
        assert_eq!(env.kind, NodeKind::Block);
        // A block collection ends at the line of the next token.
        assert!(text[env.end.unwrap() as usize..].starts_with("  - name: c"));
        // An entry ends where the next one starts.
        let c0 = doc.span_of("spec.containers[0]").unwrap();
        assert!(text[c0.entry_end.unwrap() as usize..].starts_with("  - name: c"));
        let args = doc.span_of("spec.containers[0].args").unwrap();
        assert_eq!(args.kind, NodeKind::Flow);
        assert!(text[args.key.unwrap() as usize..].starts_with("args:"));
        assert!(text[args.entry_end.unwrap() as usize..].starts_with("    env:"));
        // The last entry of the document ends at the end of the text.
        let spec = doc.span_of("spec").unwrap();
        assert!(text[spec.entry_end.unwrap() as usize..].starts_with("last: z"));
        assert_eq!(doc.span_of("last").unwrap().entry_end, Some(text.len() as u32));
        // Aliases, anchors and tags are not editable in place.
        let doc = &read_documents_with_spans("a: &x 1\nb: *x\nc: !!str 2\n", Limits::default()).unwrap()[0];
        for p in ["a", "b", "c"] {
            assert_eq!(doc.span_of(p).unwrap().kind, NodeKind::Opaque, "{p}");
        }
        // Spans are only recorded when asked for.
        assert_eq!(
            read_documents(text, Limits::default()).unwrap()[0].span_of("last"),
            None
        );
    }
}
