//! YAML, in one place: our own emitter (YAML 1.1 and 1.2 readers load the same values from it),
//! a line-aware reader for linting that reads as kubectl reads (YAML 1.1 typing, bounded on
//! hostile input), and serde_yaml for typed config files. serde_yaml is archived upstream;
//! nothing outside this module uses it.

mod edit;
mod emit;
mod paths;
mod prescan;
mod read;
mod resolve;

pub use edit::{Editor, TextEdit, apply_edits};
pub use emit::{is_plain_safe, to_yaml};
pub use paths::{NodeKind, NodeSpan};
pub use read::{Document, Limits, read_documents, read_documents_with_spans};

/// Deserializes a typed value (a config file) from YAML, with serde_yaml's line and column.
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_yaml::from_str(text).map_err(|e| e.to_string())
}
