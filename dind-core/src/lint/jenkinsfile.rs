//! Finding the pod YAML in a Jenkinsfile: the string literal after `yaml:` (scripted
//! `podTemplate`) or `yaml` (declarative `kubernetes { ... }`), un-escaped exactly as Groovy 2.4
//! does, with the source line of every line of the result. Simple `def name = "..."` constants are
//! substituted into `"""` literals; other interpolation is reported.

use std::collections::BTreeMap;

use crate::Diagnostic;
use crate::groovy;

/// A pod YAML literal found in a Jenkinsfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroovyLiteral {
    /// The value Groovy computes.
    pub value: String,
    /// The source line where the literal's content starts.
    pub line: usize,
    /// The byte offset of the literal's opening quote in the Jenkinsfile.
    pub offset: usize,
    /// For each line of `value` (0-based), its line in the Jenkinsfile.
    pub line_starts: Vec<usize>,
    /// The literal's size in modified UTF-8, as the class file stores it.
    pub utf8_len_modified: usize,
    /// Problems met on the way (undefined variables), with their lines.
    pub problems: Vec<(Diagnostic, usize)>,
}

struct Scanner<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Scanner<'a> {
    fn starts(&self, s: &str) -> bool {
        self.src[self.pos..].starts_with(s.as_bytes())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.text[self.pos..].chars().next()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) {
        loop {
            if self.starts("//") {
                while let Some(c) = self.bump() {
                    if c == '\n' {
                        break;
                    }
                }
            } else if self.starts("/*") {
                self.pos += 2;
                while self.pos < self.src.len() && !self.starts("*/") {
                    self.bump();
                }
                self.pos = (self.pos + 2).min(self.src.len());
            } else if self.pos < self.src.len() && (self.src[self.pos] as char).is_whitespace() {
                self.bump();
            } else {
                return;
            }
        }
    }

    /// Reads a string literal at the cursor: returns (raw content, delimiter, content start line).
    fn literal(&mut self) -> Result<Option<(String, &'static str, usize)>, String> {
        let delim = ["'''", "\"\"\"", "'", "\""].into_iter().find(|d| self.starts(d));
        let Some(delim) = delim else { return Ok(None) };
        let start_line = self.line;
        self.pos += delim.len();
        let mut raw = String::new();
        loop {
            if self.pos >= self.src.len() {
                return Err(format!("line {start_line}: the string literal never ends"));
            }
            if self.starts(delim) {
                self.pos += delim.len();
                return Ok(Some((raw, delim, start_line)));
            }
            let Some(c) = self.bump() else {
                return Err(format!("line {start_line}: the string literal never ends"));
            };
            if c == '\\' {
                raw.push(c);
                if let Some(n) = self.bump() {
                    raw.push(n);
                }
                continue;
            }
            if c == '\n' && delim.len() == 1 {
                return Err(format!("line {start_line}: a '{delim}' string cannot span lines"));
            }
            raw.push(c);
        }
    }
}

fn literal(
    raw: &str,
    line: usize,
    offset: usize,
    delim: &str,
    vars: &BTreeMap<String, String>,
) -> Result<GroovyLiteral, String> {
    let u = groovy::unescape(raw, line, delim.starts_with('"'), vars)?;
    let problems = u
        .unresolved
        .iter()
        .map(|r| {
            (
                Diagnostic::input(
                    "",
                    format!(
                        "`${{{}}}` is not a constant defined in this Jenkinsfile; Groovy fails with MissingPropertyException or dind cannot know its value",
                        r.name
                    ),
                )
                .with_help("define it with `def name = \"...\"` above, or write the value"),
                r.line,
            )
        })
        .collect();
    Ok(GroovyLiteral {
        utf8_len_modified: groovy::modified_utf8_len(&u.value),
        value: u.value,
        line,
        offset,
        line_starts: u.lines,
        problems,
    })
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every pod YAML literal of a Jenkinsfile.
///
/// ```
/// let text = "podTemplate(yaml: '''\nspec:\n  containers: []\n''') { }\n";
/// let lits = dind_core::lint::jenkinsfile_literals(text).unwrap();
/// assert_eq!(lits[0].value, "\nspec:\n  containers: []\n");
/// assert_eq!(lits[0].line_starts[1], 2);
/// ```
pub fn jenkinsfile_literals(text: &str) -> Result<Vec<GroovyLiteral>, String> {
    scan(text).map(|(literals, _)| literals)
}

/// The constants a literal may use: `def name = "..."` with a value known by then.
pub(crate) type Constants = BTreeMap<String, String>;

/// The pod YAML literals of a Jenkinsfile, and its `def` string constants.
pub(crate) fn scan(text: &str) -> Result<(Vec<GroovyLiteral>, Constants), String> {
    let mut s = Scanner {
        src: text.as_bytes(),
        text,
        pos: 0,
        line: 1,
    };
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    let mut last_ident = String::new();
    let mut pending_def: Option<String> = None;
    while s.pos < s.src.len() {
        s.skip_trivia();
        if s.pos >= s.src.len() {
            break;
        }
        let b = s.src[s.pos];
        if is_ident_byte(b) && (s.pos == 0 || !is_ident_byte(s.src[s.pos - 1])) {
            let start = s.pos;
            while s.pos < s.src.len() && is_ident_byte(s.src[s.pos]) {
                s.pos += 1;
            }
            let ident = &text[start..s.pos];
            if last_ident == "def" || last_ident == "String" {
                pending_def = Some(ident.to_string());
            }
            last_ident = ident.to_string();
            if ident == "yaml" {
                s.skip_trivia();
                if s.starts(":") || s.starts("(") {
                    s.pos += 1;
                    s.skip_trivia();
                }
                let offset = s.pos;
                if let Some((raw, delim, line)) = s.literal()? {
                    out.push(literal(&raw, line, offset, delim, &vars)?);
                }
            }
            continue;
        }
        if b == b'=' && pending_def.is_some() && !s.starts("==") {
            s.pos += 1;
            s.skip_trivia();
            let name = pending_def.take().unwrap_or_default();
            if let Some((raw, delim, line)) = s.literal()?
                && let Ok(u) = groovy::unescape(&raw, line, delim.starts_with('"'), &vars)
                && u.unresolved.is_empty()
            {
                vars.insert(name, u.value);
            }
            last_ident.clear();
            continue;
        }
        if matches!(b, b'\'' | b'"') {
            s.literal()?;
            pending_def = None;
            last_ident.clear();
            continue;
        }
        s.bump();
        if !(b as char).is_whitespace() {
            pending_def = None;
            last_ident.clear();
        }
    }
    Ok((out, vars))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn def_constants_are_substituted_and_unknown_ones_reported() {
        let text = "def dir=\"/dind-only\"\ndef sock = \"unix://${dir}/docker.sock\"\npodTemplate(yaml: \"\"\"\nhost: ${sock}\nprobe: ${nope}\n\"\"\")";
        let lit = &jenkinsfile_literals(text).unwrap()[0];
        assert!(lit.value.contains("host: unix:///dind-only/docker.sock"));
        assert_eq!(lit.problems.len(), 1);
        assert_eq!(lit.problems[0].1, 5);
    }

    #[test]
    fn unknown_escape_is_an_error() {
        assert!(
            jenkinsfile_literals("podTemplate(yaml: '''\\d''')")
                .unwrap_err()
                .contains("\\d")
        );
    }

    #[test]
    fn a_literal_of_many_lines_maps_lines_in_linear_time() {
        let text = format!("podTemplate(yaml: '''\n{}x''')\n", "\n".repeat(400_000));
        let lit = &jenkinsfile_literals(&text).unwrap()[0];
        assert_eq!(lit.line_starts.len(), 400_002);
        assert_eq!(lit.line_starts[400_001], 400_002);
    }
}
