//! A block-style YAML emitter for JSON values. Strings stay plain only when every YAML 1.1 and
//! 1.2 reader takes them as strings; everything else is double-quoted. Keys of Kubernetes objects
//! come in the order people read: `apiVersion`, `kind`, `metadata`, `spec`, then `name`, `image`,
//! `command`, `args`, then the rest in the order given.

use serde_json::Value;

const FIRST_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "name",
    "image",
    "command",
    "args",
];

/// Words that some YAML reader resolves to a boolean or null (YAML 1.1 booleans, 1.2 core).
const RESERVED: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"];

/// Whether `s` can be written as a plain scalar and still be read as the same string by YAML 1.1
/// (PyYAML, the Go parser behind kubectl) and YAML 1.2 readers.
///
/// ```
/// use dind_core::yaml::is_plain_safe;
/// assert!(is_plain_safe("docker:29.7.2-dind") && is_plain_safe("/var/run/docker.sock"));
/// for s in ["on", "Yes", "no", "y", "12:30", "0777", "1e3", "null", "~", "", "=", "a: b", "-x"] {
///     assert!(!is_plain_safe(s), "{s}");
/// }
/// ```
pub fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if !(first.is_ascii_alphabetic() || first == '/') {
        return false;
    }
    if s.len() > 200 || s.ends_with(' ') || s.ends_with(':') || s.contains(": ") || s.contains(" #") {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | ':' | '=' | '@' | '+' | ',' | '-' | ' '))
    {
        return false;
    }
    !RESERVED.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// Writes `s` double-quoted, every character YAML 1.1 or 1.2 readers would not take raw escaped.
pub(super) fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20
                || c == '\u{7f}'
                || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
                || (0x80..0xa0).contains(&(c as u32)) =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            // Noncharacters are not printable to YAML readers (PyYAML, go-yaml refuse them raw).
            c if crate::groovy::is_noncharacter(c) && (c as u32) <= 0xffff => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if crate::groovy::is_noncharacter(c) => out.push_str(&format!("\\U{:08x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn ordered(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by_key(|(k, _)| FIRST_KEYS.iter().position(|f| f == k).unwrap_or(FIRST_KEYS.len()));
    entries
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Writes a value that fits on the line after its key or dash: a scalar or an empty collection.
/// (Non-empty collections take block style in `map` and `seq`; JSON's flow style, which is valid
/// YAML, keeps this function total.)
fn inline(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) if is_plain_safe(s) => out.push_str(s),
        Value::String(s) => quote(s, out),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Object(o) if o.is_empty() => out.push_str("{}"),
        collection => out.push_str(&collection.to_string()),
    }
}

/// Writes a mapping's entries; the first line's indentation is already written when `first_inline`.
fn map(m: &serde_json::Map<String, Value>, indent: usize, first_inline: bool, out: &mut String) {
    for (i, (k, v)) in ordered(m).into_iter().enumerate() {
        if i > 0 || !first_inline {
            pad(out, indent);
        }
        if is_plain_safe(k) {
            out.push_str(k);
        } else {
            quote(k, out);
        }
        out.push(':');
        match v {
            Value::Object(o) if !o.is_empty() => {
                out.push('\n');
                map(o, indent + 2, false, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                seq(a, indent, out);
            }
            other => {
                out.push(' ');
                inline(other, out);
                out.push('\n');
            }
        }
    }
}

fn seq(a: &[Value], indent: usize, out: &mut String) {
    for item in a {
        pad(out, indent);
        out.push_str("- ");
        match item {
            Value::Object(o) if !o.is_empty() => map(o, indent + 2, true, out),
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                seq(inner, indent + 2, out);
            }
            other => {
                inline(other, out);
                out.push('\n');
            }
        }
    }
}

/// Renders a JSON value as block YAML, deterministic and YAML-1.1 safe.
///
/// ```
/// let v = serde_json::json!({"spec": {"x": "on"}, "kind": "Pod", "apiVersion": "v1"});
/// assert_eq!(dind_core::yaml::to_yaml(&v), "apiVersion: v1\nkind: Pod\nspec:\n  x: \"on\"\n");
/// ```
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(o) if !o.is_empty() => map(o, 0, false, &mut out),
        Value::Array(a) if !a.is_empty() => seq(a, 0, &mut out),
        other => {
            inline(other, &mut out);
            out.push('\n');
        }
    }
    out
}
