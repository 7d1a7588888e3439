//! Fixes: what a rule proposes to change in the pod it analysed, as edits of the pod's own fields
//! (`spec.containers[0].args[2]`), and whether applying it is safe. `dind lint --fix` turns them
//! into text edits at exact spans of the file the pod came from (see [`crate::lint::fix_file`]).

use std::fmt;

use serde_json::Value;

use crate::cut::Cut;

/// Whether a fix may be applied without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Applicability {
    /// It cannot break what works today, only what is broken or slow (`--fix`).
    Safe,
    /// It changes behaviour someone may rely on (`--fix --unsafe-fixes`).
    Unsafe,
}

impl Applicability {
    /// `"safe"` or `"unsafe"`, as the rule registry and the lint JSON spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change to a pod field, addressed by its path in the pod (`spec.containers[1].env[0].value`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PodEdit {
    /// Sets the field to a value, creating it (and missing parent mappings) when absent.
    Set {
        /// The field.
        path: String,
        /// Its new value.
        value: Value,
    },
    /// Removes a mapping entry or a list item.
    Remove {
        /// The field or item.
        path: String,
    },
    /// Appends an item to a list, creating the list when absent.
    Append {
        /// The list.
        path: String,
        /// The new item.
        value: Value,
    },
}

impl PodEdit {
    /// Sets `path` to `value`.
    pub fn set(path: impl Into<String>, value: impl Into<Value>) -> Self {
        PodEdit::Set {
            path: path.into(),
            value: value.into(),
        }
    }

    /// Removes `path`.
    pub fn remove(path: impl Into<String>) -> Self {
        PodEdit::Remove { path: path.into() }
    }

    /// Appends `value` to the list at `path`.
    pub fn append(path: impl Into<String>, value: impl Into<Value>) -> Self {
        PodEdit::Append {
            path: path.into(),
            value: value.into(),
        }
    }

    /// The path the edit addresses.
    pub fn path(&self) -> &str {
        match self {
            PodEdit::Set { path, .. } | PodEdit::Remove { path } | PodEdit::Append { path, .. } => path,
        }
    }

    /// The same edit at another path (a pod path mapped to the document's own).
    #[must_use]
    pub fn at(&self, path: String) -> PodEdit {
        match self {
            PodEdit::Set { value, .. } => PodEdit::Set {
                path,
                value: value.clone(),
            },
            PodEdit::Remove { .. } => PodEdit::Remove { path },
            PodEdit::Append { value, .. } => PodEdit::Append {
                path,
                value: value.clone(),
            },
        }
    }
}

/// A proposed repair of one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// What it does, in a few words (`set the port to 8989`).
    pub title: String,
    /// The edits, applied together.
    pub edits: Vec<PodEdit>,
}

impl Fix {
    /// A safe fix.
    pub fn safe(title: impl Into<String>, edits: Vec<PodEdit>) -> Self {
        Fix {
            applicability: Applicability::Safe,
            title: title.into(),
            edits,
        }
    }

    /// An unsafe fix.
    pub fn unsafe_(title: impl Into<String>, edits: Vec<PodEdit>) -> Self {
        Fix {
            applicability: Applicability::Unsafe,
            title: title.into(),
            edits,
        }
    }
}

/// One segment of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// The segments of a pod path; `None` when it is not one (`spec.containers[x]`). A key that
/// holds dots is quoted: `metadata.annotations["example.com/x"]`.
pub(crate) fn segments(path: &str) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[\"") {
            let (key, after) = r.split_once("\"]")?;
            out.push(Segment::Key(key.to_string()));
            rest = after.strip_prefix('.').unwrap_or(after);
        } else if let Some(r) = rest.strip_prefix('[') {
            let (digits, after) = r.split_once(']')?;
            out.push(Segment::Index(digits.parse().ok()?));
            rest = after.strip_prefix('.').unwrap_or(after);
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(Segment::Key(rest.upto(end).to_string()));
            rest = rest.from(end);
            rest = rest.strip_prefix('.').unwrap_or(rest);
        }
    }
    Some(out)
}

/// Applies edits to a pod-shaped value (what the text edits must amount to). `None` when an
/// edit does not fit the value (a path through a scalar, an index past the end).
///
/// ```
/// use dind_core::fix::{PodEdit, apply_to_value};
/// let v = serde_json::json!({"spec": {"containers": [{"name": "a", "args": ["x", "y"]}]}});
/// let out = apply_to_value(&v, &[
///     PodEdit::remove("spec.containers[0].args[0]"),
///     PodEdit::set("spec.containers[0].resources.requests.memory", "1Gi"),
/// ]).unwrap();
/// assert_eq!(out["spec"]["containers"][0]["args"], serde_json::json!(["y"]));
/// assert_eq!(out["spec"]["containers"][0]["resources"]["requests"]["memory"], "1Gi");
/// ```
pub fn apply_to_value(value: &Value, edits: &[PodEdit]) -> Option<Value> {
    let mut v = value.clone();
    for e in edits {
        let segs = segments(e.path())?;
        let (last, parents) = segs.split_last()?;
        let mut node = &mut v;
        for s in parents {
            node = match s {
                Segment::Key(k) => {
                    let o = node.as_object_mut()?;
                    if !o.contains_key(k) && matches!(e, PodEdit::Set { .. } | PodEdit::Append { .. }) {
                        o.insert(k.clone(), Value::Object(serde_json::Map::new()));
                    }
                    o.get_mut(k)?
                }
                Segment::Index(i) => node.as_array_mut()?.get_mut(*i)?,
            };
        }
        match (e, last) {
            (PodEdit::Set { value, .. }, Segment::Key(k)) => {
                node.as_object_mut()?.insert(k.clone(), value.clone());
            }
            (PodEdit::Set { value, .. }, Segment::Index(i)) => *node.as_array_mut()?.get_mut(*i)? = value.clone(),
            (PodEdit::Remove { .. }, Segment::Key(k)) => {
                node.as_object_mut()?.remove(k)?;
            }
            (PodEdit::Remove { .. }, Segment::Index(i)) => {
                let a = node.as_array_mut()?;
                (*i < a.len()).then(|| a.remove(*i))?;
            }
            (PodEdit::Append { value, .. }, Segment::Key(k)) => {
                let o = node.as_object_mut()?;
                let list = o.entry(k.clone()).or_insert_with(|| Value::Array(Vec::new()));
                list.as_array_mut()?.push(value.clone());
            }
            (PodEdit::Append { .. }, Segment::Index(_)) => return None,
        }
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_keys_and_indexes() {
        assert_eq!(
            segments("spec.containers[1].env[0].value").unwrap(),
            [
                Segment::Key("spec".into()),
                Segment::Key("containers".into()),
                Segment::Index(1),
                Segment::Key("env".into()),
                Segment::Index(0),
                Segment::Key("value".into()),
            ]
        );
        assert!(segments("spec.containers[x]").is_none());
        assert_eq!(
            segments("metadata.annotations[\"a.b/c\"]").unwrap(),
            [
                Segment::Key("metadata".into()),
                Segment::Key("annotations".into()),
                Segment::Key("a.b/c".into())
            ]
        );
    }

    #[test]
    fn edits_that_do_not_fit_are_refused() {
        let v = serde_json::json!({"a": [1]});
        assert!(apply_to_value(&v, &[PodEdit::remove("a[3]")]).is_none());
        assert!(apply_to_value(&v, &[PodEdit::set("a[0].b", 1)]).is_none());
        assert!(apply_to_value(&v, &[PodEdit::remove("b")]).is_none());
    }
}
