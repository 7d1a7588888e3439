//! Where each field of a YAML document is: a tree of path segments (shared prefixes stored once)
//! with the source line of each node, so a deep document costs one small node per field rather
//! than one full path string per field.

use std::hash::{Hash, Hasher};

use hashbrown::{Equivalent, HashMap};

/// One step of a path: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(Box<str>),
    Index(u32),
}

/// A step looked up without allocating its key (hashes and compares as the [`Segment`]).
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(u32),
}

impl Segment {
    fn step(&self) -> Step<'_> {
        match self {
            Segment::Key(k) => Step::Key(k),
            Segment::Index(i) => Step::Index(*i),
        }
    }
}

impl Hash for Step<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match self {
            Step::Key(k) => {
                h.write_u8(0);
                k.hash(h);
            }
            Step::Index(i) => {
                h.write_u8(1);
                i.hash(h);
            }
        }
    }
}

impl Hash for Segment {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.step().hash(h);
    }
}

/// A child looked up by its parent and a borrowed step.
#[derive(Hash)]
struct Child<'a>(u32, Step<'a>);

impl Equivalent<(u32, Segment)> for Child<'_> {
    fn equivalent(&self, key: &(u32, Segment)) -> bool {
        self.0 == key.0
            && match (self.1, &key.1) {
                (Step::Key(a), Segment::Key(b)) => a == &**b,
                (Step::Index(a), Segment::Index(b)) => a == *b,
                _ => false,
            }
    }
}

/// What a node is in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NodeKind {
    /// Not known, or not editable in place: an alias, a tagged or anchored value, a multi-line
    /// plain scalar, a block scalar.
    #[default]
    Opaque,
    /// A scalar whose whole token is `start..end`.
    Scalar,
    /// A block mapping or sequence.
    Block,
    /// A flow mapping or sequence (`{...}`, `[...]`), `start..end` with its brackets.
    Flow,
}

/// Where a node is in the source text, in byte offsets (recorded only when asked for).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeSpan {
    /// What it is.
    pub kind: NodeKind,
    /// Where its mapping key starts, for a mapping entry.
    pub key: Option<u32>,
    /// Where the value starts.
    pub start: u32,
    /// Where the value ends: after a scalar's token or a flow collection's bracket; for a block
    /// collection, the start of the line of the next token (or the end of the text).
    pub end: Option<u32>,
    /// Where the entry ends in a block collection: the start of the line where the next sibling
    /// begins, or the parent's end.
    pub entry_end: Option<u32>,
}

/// The lines of a document's fields, addressed by paths such as `spec.containers[1].image`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PathIndex {
    lines: Vec<u32>,
    children: HashMap<(u32, Segment), u32>,
    /// The nodes with a key that holds a `.` or `[` (`app.kubernetes.io/name`): only below them
    /// can a path step be longer than its first segment.
    dotted: hashbrown::HashSet<u32>,
    /// Spans, one per node, when recorded.
    spans: Option<Vec<NodeSpan>>,
}

/// The id of the root node.
pub(crate) const ROOT: u32 = 0;

/// What one node costs, besides its key's bytes (for the reader's byte budget).
pub(crate) const NODE_COST: usize = 48;

impl PathIndex {
    /// An index whose root is at `line`; with `spans`, it also records where each node is.
    pub(crate) fn new(line: usize, spans: bool) -> Self {
        PathIndex {
            lines: vec![saturate(line)],
            children: HashMap::new(),
            dotted: hashbrown::HashSet::new(),
            spans: spans.then(|| vec![NodeSpan::default()]),
        }
    }

    /// Whether spans are recorded.
    pub(crate) fn records_spans(&self) -> bool {
        self.spans.is_some()
    }

    fn add(&mut self, parent: u32, segment: Segment, line: usize) -> u32 {
        let id = u32::try_from(self.lines.len()).unwrap_or(u32::MAX);
        let entry = self.children.entry((parent, segment)).or_insert(id);
        if *entry == id {
            self.lines.push(saturate(line));
            if let Some(spans) = &mut self.spans {
                spans.push(NodeSpan::default());
            }
        } else if let Some(span) = self.spans.as_mut().and_then(|s| s.get_mut(*entry as usize)) {
            // A duplicate key: the last one wins, so its span is recorded anew.
            *span = NodeSpan::default();
        }
        *entry
    }

    /// The span of node `id`, for the reader to fill in.
    pub(crate) fn span_mut(&mut self, id: u32) -> Option<&mut NodeSpan> {
        self.spans.as_mut()?.get_mut(id as usize)
    }

    /// The span of node `id`.
    pub(crate) fn span(&self, id: u32) -> Option<NodeSpan> {
        self.spans.as_ref()?.get(id as usize).copied()
    }

    /// The node at exactly `path`, if the document has it.
    pub(crate) fn node(&self, path: &str) -> Option<u32> {
        let (node, rest) = self.walk(path);
        rest.is_empty().then_some(node)
    }

    /// Adds (or finds) the child of `parent` under mapping key `key`.
    pub(crate) fn key(&mut self, parent: u32, key: &str, line: usize) -> u32 {
        if key.contains(['.', '[']) {
            self.dotted.insert(parent);
        }
        self.add(parent, Segment::Key(key.into()), line)
    }

    /// Adds (or finds) item `index` of the sequence at `parent`.
    pub(crate) fn index(&mut self, parent: u32, index: usize, line: usize) -> u32 {
        self.add(parent, Segment::Index(u32::try_from(index).unwrap_or(u32::MAX)), line)
    }

    fn line(&self, id: u32) -> usize {
        self.lines.get(id as usize).map_or(0, |l| *l as usize)
    }

    /// The line of `path`, or of its nearest ancestor that has one. Keys may contain dots
    /// (`metadata.annotations.dind/allow`, `labels.app.kubernetes.io/name`): the longest key that
    /// exists wins.
    pub(crate) fn line_of(&self, path: &str) -> usize {
        self.line(self.walk(path).0)
    }

    /// The deepest node on `path` the document has, and what is left of the path below it.
    fn walk<'p>(&self, path: &'p str) -> (u32, &'p str) {
        let mut node = ROOT;
        let mut rest = path;
        loop {
            if rest.is_empty() {
                return (node, rest);
            }
            if let Some(r) = rest.strip_prefix('[') {
                let Some((digits, after)) = r.split_once(']') else {
                    return (node, rest);
                };
                let Ok(i) = digits.parse::<u32>() else {
                    return (node, rest);
                };
                match self.children.get(&Child(node, Step::Index(i))) {
                    Some(child) => {
                        node = *child;
                        rest = after;
                    }
                    None => return (node, rest),
                }
                continue;
            }
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let found = if self.dotted.contains(&node) {
                // The longest key first: from the whole rest down to the first `.` or `[`.
                let ends = std::iter::once(r.len()).chain(r.rmatch_indices(['.', '[']).map(|(i, _)| i));
                ends.into_iter().find_map(|end| {
                    self.children
                        .get(&Child(node, Step::Key(&r[..end])))
                        .map(|child| (*child, &r[end..]))
                })
            } else {
                // No key here holds a `.` or `[`: the step is the first segment.
                let end = r.find(['.', '[']).unwrap_or(r.len());
                self.children
                    .get(&Child(node, Step::Key(&r[..end])))
                    .map(|child| (*child, &r[end..]))
            };
            match found {
                Some((child, after)) => {
                    node = child;
                    rest = after;
                }
                None => return (node, rest),
            }
        }
    }
}

fn saturate(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_the_nearest_known_ancestor_and_dotted_keys() {
        let mut p = PathIndex::new(1, false);
        let spec = p.key(ROOT, "spec", 2);
        let cs = p.key(spec, "containers", 3);
        let c1 = p.index(cs, 1, 7);
        p.key(c1, "image", 8);
        let meta = p.key(ROOT, "metadata", 10);
        let ann = p.key(meta, "annotations", 11);
        p.key(ann, "dind/allow.x", 12);
        assert_eq!(p.line_of("spec.containers[1].image"), 8);
        assert_eq!(p.line_of("spec.containers[1].args"), 7);
        assert_eq!(p.line_of("spec.containers[4]"), 3);
        assert_eq!(p.line_of("metadata.annotations.dind/allow.x"), 12);
        assert_eq!(p.line_of("nothing"), 1);
        // Beside a key `app`, the longer key `app.kubernetes.io/name` still wins.
        let labels = p.key(meta, "labels", 20);
        p.key(labels, "app", 21);
        p.key(labels, "app.kubernetes.io/name", 22);
        assert_eq!(p.line_of("metadata.labels.app.kubernetes.io/name"), 22);
        assert_eq!(p.line_of("metadata.labels.app"), 21);
        assert_eq!(p.line_of("metadata.labels.app.other"), 21);
    }
}
