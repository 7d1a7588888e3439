//! Finding the pod YAML in a Jenkinsfile: the string literal after `yaml:` (scripted
//! `podTemplate`) or `yaml` (declarative `kubernetes { ... }`), un-escaped exactly as Groovy 2.4
//! does, with the source line of every line of the result. Simple `def name = "..."` constants are
//! substituted into `"""` literals; other interpolation is reported.

use std::collections::BTreeMap;

use super::groovy_calls::{Tok, Token, tokens};
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
    /// The byte range of the literal's raw text (between its quotes) in the Jenkinsfile.
    pub content: std::ops::Range<usize>,
    /// A `"` or `"""` literal (escapes `$` and `"`, interpolates).
    pub double: bool,
    /// A `'''` or `"""` literal (line breaks stand as they are).
    pub triple: bool,
    /// The constants it could use, for reading it again with offsets.
    pub(crate) vars: BTreeMap<String, String>,
}

fn literal(
    raw: &str,
    line: usize,
    offset: usize,
    (double, triple): (bool, bool),
    vars: &BTreeMap<String, String>,
) -> Result<GroovyLiteral, String> {
    let u = groovy::unescape(raw, line, double, vars)?;
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
        content: {
            let start = offset + if triple { 3 } else { 1 };
            start..start + raw.len()
        },
        double,
        triple,
        vars: if double { vars.clone() } else { BTreeMap::new() },
    })
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
    scan_tokens(&tokens(text)?).map(|(literals, _)| literals)
}

/// The constants a literal may use: `def name = "..."` with a value known by then.
pub(crate) type Constants = BTreeMap<String, String>;

/// The pod YAML literals of a Jenkinsfile's tokens, and its `def` string constants: the string
/// after `yaml:` or `yaml(` (scripted) or `yaml` (declarative), and `def NAME = "..."` or
/// `String NAME = '...'` whose value is known by then.
pub(crate) fn scan_tokens(toks: &[Token]) -> Result<(Vec<GroovyLiteral>, Constants), String> {
    let mut vars = Constants::new();
    let mut out = Vec::new();
    let at = |i: usize| toks.get(i).map(|t| &t.tok);
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].tok {
            Tok::Ident(id) if id == "yaml" => {
                let mut j = i + 1;
                if matches!(at(j), Some(Tok::Punct(':' | '('))) {
                    j += 1;
                }
                if let Some(Tok::Str {
                    raw,
                    double,
                    line,
                    triple,
                }) = at(j)
                {
                    out.push(literal(raw, *line, toks[j].offset, (*double, *triple), &vars)?);
                    i = j;
                }
            }
            Tok::Ident(kw) if kw == "def" || kw == "String" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Punct('=')), Some(Tok::Str { raw, double, line, .. })) =
                    (at(i + 1), at(i + 2), at(i + 3))
                {
                    if let Ok(u) = groovy::unescape(raw, *line, *double, &vars)
                        && u.unresolved.is_empty()
                    {
                        vars.insert(name.clone(), u.value);
                    }
                    i += 3;
                }
            }
            _ => {}
        }
        i += 1;
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
