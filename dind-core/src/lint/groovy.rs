//! Finding the pod YAML in a Jenkinsfile: the string literal after `yaml:` (scripted
//! `podTemplate`) or `yaml` (declarative `kubernetes { ... }`), un-escaped exactly as Groovy 2.4
//! does, with the source line of every line of the result. Simple `def name = "..."` constants are
//! substituted into `"""` literals; other interpolation is reported.

use std::collections::BTreeMap;

use crate::Diagnostic;

/// A pod YAML literal found in a Jenkinsfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroovyLiteral {
    /// The value Groovy computes.
    pub value: String,
    /// The source line where the literal's content starts.
    pub line: usize,
    /// For each line of `value` (0-based), its line in the Jenkinsfile.
    pub line_starts: Vec<usize>,
    /// The literal's size in modified UTF-8, as the class file stores it.
    pub utf8_len_modified: usize,
    /// Problems met on the way (undefined variables), with their lines.
    pub problems: Vec<(Diagnostic, usize)>,
}

/// The size of a string in the JVM's modified UTF-8 (NUL takes 2 bytes, supplementary characters 6).
pub fn modified_utf8_len(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0 => 2,
            1..=0x7f => 1,
            0x80..=0x7ff => 2,
            0x800..=0xffff => 3,
            _ => 6,
        })
        .sum()
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

/// Undoes Groovy 2.4's escapes. Returns the value and the source line of each output line.
fn unescape(
    raw: &str,
    first_line: usize,
    interpolate: bool,
    vars: &BTreeMap<String, String>,
    problems: &mut Vec<(Diagnostic, usize)>,
) -> Result<(String, Vec<usize>), String> {
    let mut out = String::new();
    let mut starts = vec![first_line];
    let mut line = first_line;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err(format!("line {line}: a literal ends with a lone `\\`"));
                };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    '\\' | '\'' | '"' | '$' => out.push(e),
                    '\n' => {
                        line += 1;
                        continue;
                    }
                    'u' => {
                        let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .map_err(|_| format!("line {line}: `\\u{hex}` is not a unicode escape"))?;
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    '0'..='7' => {
                        let mut value = e.to_digit(8).unwrap_or(0);
                        let max_digits = if e <= '3' { 2 } else { 1 };
                        for _ in 0..max_digits {
                            match chars.peek().and_then(|d| d.to_digit(8)) {
                                Some(d) => {
                                    value = value * 8 + d;
                                    chars.next();
                                }
                                None => break,
                            }
                        }
                        out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
                    }
                    other => {
                        return Err(format!(
                            "line {line}: `\\{other}` is not a Groovy escape; Groovy refuses to compile it"
                        ));
                    }
                }
            }
            '$' if interpolate => {
                let name: String = if chars.peek() == Some(&'{') {
                    chars.next();
                    let mut n = String::new();
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                        n.push(d);
                    }
                    n.trim().to_string()
                } else {
                    let mut n = String::new();
                    while let Some(&d) = chars.peek() {
                        if d.is_ascii_alphanumeric() || d == '_' {
                            n.push(d);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    n
                };
                match vars.get(&name) {
                    Some(v) => out.push_str(v),
                    None => {
                        problems.push((
                            Diagnostic::input("", format!("`${{{name}}}` is not a constant defined in this Jenkinsfile; Groovy fails with MissingPropertyException or dind cannot know its value"))
                                .with_help("define it with `def name = \"...\"` above, or write the value"),
                            line,
                        ));
                        out.push_str(&format!("${{{name}}}"));
                    }
                }
            }
            '\n' => {
                out.push('\n');
                line += 1;
            }
            c => out.push(c),
        }
        if out.ends_with('\n') && starts.len() <= out.matches('\n').count() {
            starts.push(line);
        }
    }
    Ok((out, starts))
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
                if let Some((raw, delim, line)) = s.literal()? {
                    let mut problems = Vec::new();
                    let (value, line_starts) = unescape(&raw, line, delim.starts_with('"'), &vars, &mut problems)?;
                    out.push(GroovyLiteral {
                        utf8_len_modified: modified_utf8_len(&value),
                        value,
                        line,
                        line_starts,
                        problems,
                    });
                }
            }
            continue;
        }
        if b == b'=' && pending_def.is_some() && !s.starts("==") {
            s.pos += 1;
            s.skip_trivia();
            let name = pending_def.take().unwrap_or_default();
            if let Some((raw, delim, line)) = s.literal()? {
                let mut ignored = Vec::new();
                if let Ok((value, _)) = unescape(&raw, line, delim.starts_with('"'), &vars, &mut ignored)
                    && ignored.is_empty()
                {
                    vars.insert(name, value);
                }
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
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_undone_as_groovy_does() {
        let text = "podTemplate(yaml: '''a\\\\b \\' \\$ \\n \\u0041 \\101\\\ncont''')";
        let lit = &jenkinsfile_literals(text).unwrap()[0];
        assert_eq!(lit.value, "a\\b ' $ \n A Acont");
    }

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
    fn modified_utf8_counts_like_the_jvm() {
        assert_eq!(modified_utf8_len("a\u{0}é€😀"), 1 + 2 + 2 + 3 + 6);
    }
}
