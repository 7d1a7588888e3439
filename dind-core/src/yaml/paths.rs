//! Where each field of a YAML document is: a tree of path segments (shared prefixes stored once)
//! with the source line of each node, so a deep document costs one small node per field rather
//! than one full path string per field.

use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Segment {
    Key(Box<str>),
    Index(u32),
}

/// The lines of a document's fields, addressed by paths such as `spec.containers[1].image`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PathIndex {
    lines: Vec<u32>,
    children: HashMap<(u32, Segment), u32>,
}

/// The id of the root node.
pub(crate) const ROOT: u32 = 0;

/// What one node costs, besides its key's bytes (for the reader's byte budget).
pub(crate) const NODE_COST: usize = 48;

impl PathIndex {
    /// An index whose root is at `line`.
    pub(crate) fn new(line: usize) -> Self {
        PathIndex {
            lines: vec![saturate(line)],
            children: HashMap::new(),
        }
    }

    fn add(&mut self, parent: u32, segment: Segment, line: usize) -> u32 {
        let id = u32::try_from(self.lines.len()).unwrap_or(u32::MAX);
        let entry = self.children.entry((parent, segment)).or_insert(id);
        if *entry == id {
            self.lines.push(saturate(line));
        }
        *entry
    }

    /// Adds (or finds) the child of `parent` under mapping key `key`.
    pub(crate) fn key(&mut self, parent: u32, key: &str, line: usize) -> u32 {
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
        let mut node = ROOT;
        let mut rest = path;
        loop {
            if rest.is_empty() {
                return self.line(node);
            }
            if let Some(r) = rest.strip_prefix('[') {
                let Some((digits, after)) = r.split_once(']') else {
                    return self.line(node);
                };
                let Ok(i) = digits.parse::<u32>() else {
                    return self.line(node);
                };
                match self.children.get(&(node, Segment::Index(i))) {
                    Some(child) => {
                        node = *child;
                        rest = after;
                    }
                    None => return self.line(node),
                }
                continue;
            }
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let ends: Vec<usize> = r
                .char_indices()
                .filter(|(_, c)| *c == '.' || *c == '[')
                .map(|(i, _)| i)
                .chain(std::iter::once(r.len()))
                .collect();
            let found = ends.iter().rev().find_map(|&end| {
                self.children
                    .get(&(node, Segment::Key(r[..end].into())))
                    .map(|child| (*child, &r[end..]))
            });
            match found {
                Some((child, after)) => {
                    node = child;
                    rest = after;
                }
                None => return self.line(node),
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
        let mut p = PathIndex::new(1);
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
    }
}
