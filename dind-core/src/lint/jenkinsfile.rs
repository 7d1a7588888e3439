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

/// Every pod YAML literal of a Jenkinsfile: the literals its `yaml` values are made of.
///
/// ```
/// let text = "podTemplate(yaml: '''\nspec:\n  containers: []\n''') { }\n";
/// let lits = dind_core::lint::jenkinsfile_literals(text).unwrap();
/// assert_eq!(lits[0].value, "\nspec:\n  containers: []\n");
/// assert_eq!(lits[0].line_starts[1], 2);
/// ```
pub fn jenkinsfile_literals(text: &str) -> Result<Vec<GroovyLiteral>, String> {
    let scan = scan_tokens(&tokens(text)?)?;
    let mut used: Vec<usize> = scan
        .uses
        .iter()
        .filter_map(|u| match &u.value {
            YamlValue::Text(t) => Some(t.parts.iter().copied()),
            _ => None,
        })
        .flatten()
        .collect();
    used.sort_unstable();
    used.dedup();
    Ok(used.into_iter().filter_map(|i| scan.literals.get(i).cloned()).collect())
}

/// The constants a literal may use: `def name = "..."` with a value known by then.
pub(crate) type Constants = BTreeMap<String, String>;

/// A string Groovy computes from literals and constants (`'''...'''.stripIndent()`, `a + b`, a
/// constant), with the source line of each of its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroovyText {
    /// The value.
    pub value: String,
    /// For each line of `value` (0-based), its line in the Groovy file.
    pub lines: Vec<usize>,
    /// The line where it starts.
    pub line: usize,
    /// Whether a part of it is a `"` literal (interpolated: a `${...}` left in it is unknown).
    pub double: bool,
    /// `${...}` references it could not resolve.
    pub unresolved: Vec<groovy::Unresolved>,
    /// When it is one literal as written (no method applied, nothing joined): its index among
    /// the file's literals, for `--fix`.
    pub literal: Option<usize>,
    /// The literals it is made of (indexes among the file's literals).
    pub parts: Vec<usize>,
    /// How Groovy strips `literal` to make the value (`.stripIndent()`), if it does.
    pub strip: Option<groovy::Strip>,
}

impl GroovyText {
    /// Records that the value was stripped: one literal stripped once stays mapped to its
    /// literal, for `--fix`; anything more is no literal.
    fn stripped(&mut self, strip: groovy::Strip) {
        if self.strip.is_some() {
            self.literal = None;
        }
        self.strip = Some(strip);
    }

    fn join(mut self, other: GroovyText) -> GroovyText {
        self.value.push_str(&other.value);
        // The other's first line continues this one's last.
        self.lines.extend(other.lines.into_iter().skip(1));
        self.double |= other.double;
        self.unresolved.extend(other.unresolved);
        self.literal = None;
        self.parts.extend(other.parts);
        self
    }
}

/// How a Groovy step reads another file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefKind {
    /// Declarative `yamlFile 'PATH'`: a file of the repository (Jenkins reads it from SCM).
    YamlFile,
    /// `libraryResource 'PATH'`: `resources/PATH` of the shared library.
    LibraryResource,
    /// `readTrusted 'PATH'`: a file of the repository, as trusted.
    ReadTrusted,
    /// `readFile 'PATH'`: a file of the workspace (which a build may write first).
    ReadFile,
}

impl RefKind {
    /// The step's name.
    pub fn step(self) -> &'static str {
        match self {
            RefKind::YamlFile => "yamlFile",
            RefKind::LibraryResource => "libraryResource",
            RefKind::ReadTrusted => "readTrusted",
            RefKind::ReadFile => "readFile",
        }
    }
}

/// A file a Jenkinsfile reads its pod YAML from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileRef {
    /// How it is read.
    pub kind: RefKind,
    /// The path as written.
    pub path: String,
    /// The line of the step.
    pub line: usize,
    /// Combined with container templates of the Groovy file into one pod: the file is not the
    /// whole pod, and its findings are the Groovy file's.
    pub combined: bool,
}

/// What a `yaml` value (or a constant) is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum YamlValue {
    /// Text Groovy computes.
    Text(GroovyText),
    /// The content of another file.
    File(FileRef),
    /// Something dind cannot evaluate.
    Unknown(String),
}

/// A `yaml` value of a pod template: where its expression starts (the template's `yaml`
/// argument starts there too) and what it is.
#[derive(Clone, Debug)]
pub(crate) struct YamlUse {
    pub offset: usize,
    pub value: YamlValue,
    /// The constant it names, when it is one.
    pub constant: Option<String>,
}

/// What a Groovy file's tokens say about pod YAML.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scan {
    /// The literals `yaml` values are made of (each once), for `--fix` and the size limit.
    pub literals: Vec<GroovyLiteral>,
    /// Every `yaml` value and `yamlFile`, in order.
    pub uses: Vec<YamlUse>,
    /// String constants with a known value, for interpolation and calls.
    pub vars: Constants,
    /// Every constant whose value is text, in order of declaration.
    pub constants: Vec<(String, GroovyText)>,
    /// Every name the file declares (variables, parameters, `environment` entries).
    pub declared: std::collections::BTreeSet<String>,
    /// The texts of `return` statements (a shared library's step that returns pod YAML).
    pub returned: Vec<GroovyText>,
}

/// Types and modifiers that may stand before a declared name.
const DECLARERS: &[&str] = &[
    "def",
    "String",
    "GString",
    "CharSequence",
    "Object",
    "var",
    "final",
    "static",
    "private",
    "public",
    "protected",
];

/// Steps that read a file, with the name of their path parameter.
const READERS: &[(&str, RefKind, &str)] = &[
    ("libraryResource", RefKind::LibraryResource, "resource"),
    ("readTrusted", RefKind::ReadTrusted, "path"),
    ("readFile", RefKind::ReadFile, "file"),
];

/// How deep `(`, `+` and method chains may nest in a `yaml` value.
const MAX_EVAL_DEPTH: usize = 32;

struct Evaluator<'t> {
    toks: &'t [Token],
    scan: Scan,
    /// Literal offset → index in `scan.literals`.
    by_offset: BTreeMap<usize, usize>,
    consts: BTreeMap<String, YamlValue>,
    /// The first literal Groovy would not compile (an unknown escape): the file is unreadable.
    error: Option<String>,
}

impl Evaluator<'_> {
    fn at(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i).map(|t| &t.tok)
    }

    fn literal(&mut self, i: usize) -> Result<GroovyText, String> {
        let Some(Tok::Str {
            raw,
            double,
            line,
            triple,
        }) = self.at(i).cloned()
        else {
            return Err("not a literal".into());
        };
        let offset = self.toks[i].offset;
        let index = match self.by_offset.get(&offset) {
            Some(&k) => k,
            None => {
                let lit = literal(&raw, line, offset, (double, triple), &self.scan.vars)?;
                self.scan.literals.push(lit);
                let k = self.scan.literals.len() - 1;
                self.by_offset.insert(offset, k);
                k
            }
        };
        let lit = &self.scan.literals[index];
        let unresolved = if double {
            groovy::unescape(&raw, line, true, &self.scan.vars)
                .map(|u| u.unresolved)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(GroovyText {
            value: lit.value.clone(),
            lines: lit.line_starts.clone(),
            line: lit.line,
            double,
            unresolved,
            literal: Some(index),
            parts: vec![index],
            strip: None,
        })
    }

    /// The string argument of a call whose arguments start at `i`: `('x')`, `'x'`, `(name: 'x')`;
    /// and the index after the call.
    fn string_arg(&self, i: usize, param: &str) -> Option<(String, usize)> {
        let mut j = i;
        let paren = self.at(j) == Some(&Tok::Punct('('));
        if paren {
            j += 1;
        }
        if let (Some(Tok::Ident(k)), Some(Tok::Punct(':'))) = (self.at(j), self.at(j + 1))
            && k == param
        {
            j += 2;
        }
        let Some(Tok::Str { raw, double, line, .. }) = self.at(j) else {
            return None;
        };
        let u = groovy::unescape(raw, *line, *double, &self.scan.vars).ok()?;
        if !u.unresolved.is_empty() {
            return None;
        }
        j += 1;
        if paren {
            if self.at(j) != Some(&Tok::Punct(')')) {
                return None;
            }
            j += 1;
        }
        Some((u.value, j))
    }

    /// A `yaml` value: `term ('+' term)*`. Returns the value and the index after it.
    fn expr(&mut self, i: usize, depth: usize) -> (YamlValue, usize) {
        let (mut v, mut j) = self.term(i, depth);
        while self.at(j) == Some(&Tok::Punct('+')) && depth < MAX_EVAL_DEPTH {
            let (rhs, k) = self.term(j + 1, depth + 1);
            v = match (v, rhs) {
                (YamlValue::Text(a), YamlValue::Text(b)) => YamlValue::Text(a.join(b)),
                (YamlValue::Unknown(w), _) | (_, YamlValue::Unknown(w)) => YamlValue::Unknown(w),
                _ => YamlValue::Unknown("text joined with a file's content".into()),
            };
            j = k;
        }
        (v, j)
    }

    fn term(&mut self, i: usize, depth: usize) -> (YamlValue, usize) {
        let line = self.toks.get(i).map_or(1, |t| t.line);
        let (mut v, mut j) = match self.at(i).cloned() {
            Some(Tok::Str { .. }) => match self.literal(i) {
                Ok(t) => (YamlValue::Text(t), i + 1),
                Err(e) => {
                    self.error.get_or_insert(e.clone());
                    (YamlValue::Unknown(e), i + 1)
                }
            },
            Some(Tok::Punct('(')) if depth < MAX_EVAL_DEPTH => {
                let (v, k) = self.expr(i + 1, depth + 1);
                let k = if self.at(k) == Some(&Tok::Punct(')')) { k + 1 } else { k };
                (v, k)
            }
            Some(Tok::Ident(id)) => {
                if let Some((_, kind, param)) = READERS.iter().find(|(n, _, _)| *n == id) {
                    match self.string_arg(i + 1, param) {
                        Some((path, k)) => (
                            YamlValue::File(FileRef {
                                kind: *kind,
                                path,
                                line,
                                combined: false,
                            }),
                            k,
                        ),
                        None => (YamlValue::Unknown(format!("the result of `{id}`")), i + 1),
                    }
                } else if let Some(c) = self.consts.get(&id) {
                    (c.clone(), i + 1)
                } else {
                    (YamlValue::Unknown(format!("the variable `{id}`")), i + 1)
                }
            }
            _ => (YamlValue::Unknown("an expression".into()), i + 1),
        };
        // Method calls on the value.
        while self.at(j) == Some(&Tok::Punct('.')) {
            let Some(Tok::Ident(m)) = self.at(j + 1).cloned() else {
                break;
            };
            j += 2;
            let mut margin = None;
            if self.at(j) == Some(&Tok::Punct('(')) {
                match (self.at(j + 1), self.at(j + 2)) {
                    (Some(Tok::Punct(')')), _) => j += 2,
                    (Some(Tok::Str { raw, .. }), Some(Tok::Punct(')'))) if raw.chars().count() == 1 => {
                        margin = raw.chars().next();
                        j += 3;
                    }
                    _ => {
                        v = YamlValue::Unknown(format!("the result of `.{m}(...)`"));
                        break;
                    }
                }
            }
            v = match v {
                YamlValue::Text(mut t) => match m.as_str() {
                    "stripIndent" if margin.is_none() => {
                        t.value = groovy::strip_indent(&t.value);
                        t.stripped(groovy::Strip::Indent);
                        YamlValue::Text(t)
                    }
                    "stripMargin" => {
                        let margin = margin.unwrap_or('|');
                        t.value = groovy::strip_margin(&t.value, margin);
                        t.stripped(groovy::Strip::Margin(margin));
                        YamlValue::Text(t)
                    }
                    "toString" => YamlValue::Text(t),
                    _ => YamlValue::Unknown(format!("the result of `.{m}()`")),
                },
                YamlValue::File(f) if m == "toString" => YamlValue::File(f),
                YamlValue::Unknown(w) => YamlValue::Unknown(w),
                _ => YamlValue::Unknown(format!("the result of `.{m}()`")),
            };
        }
        (v, j)
    }

    /// Records the declaration of `name` (at `i`), whose value starts at `i + 2`; the index after it.
    fn declare(&mut self, name: &str, i: usize) -> usize {
        let (v, j) = self.expr(i + 2, 0);
        if let YamlValue::Text(t) = &v {
            if t.unresolved.is_empty() {
                self.scan.vars.insert(name.to_string(), t.value.clone());
            }
            self.scan.constants.retain(|(n, _)| n != name);
            self.scan.constants.push((name.to_string(), t.clone()));
        }
        self.consts.insert(name.to_string(), v);
        j
    }
}

/// Whether a name at `i` starts a statement: the token before it ends one or opens a block, or
/// is on an earlier line.
fn statement_start(toks: &[Token], i: usize) -> bool {
    match i.checked_sub(1).map(|p| &toks[p]) {
        None => true,
        Some(prev) => matches!(prev.tok, Tok::Punct(';' | '{' | '}')) || prev.line < toks[i].line,
    }
}

/// Per token, whether it stands directly in a `[...]` (a list or map literal), not in a call's
/// `(...)` or a block; one pass with a stack of the open brackets.
fn in_brackets(toks: &[Token]) -> Vec<bool> {
    let mut open: Vec<char> = Vec::new();
    toks.iter()
        .map(|t| {
            let inside = open.last() == Some(&'[');
            match t.tok {
                Tok::Punct(c @ ('(' | '[' | '{')) => open.push(c),
                Tok::Punct(')' | ']' | '}') => {
                    open.pop();
                }
                _ => {}
            }
            inside
        })
        .collect()
}

/// What a Groovy file's tokens say about pod YAML ([`Scan`]): the values of `yaml` (scripted
/// `podTemplate(yaml: ...)`, declarative `yaml ...`) and `yamlFile`, and the string constants
/// (`def`, typed, `final`, `static final`, `@Field`, or a script variable) with what they hold.
pub(crate) fn scan_tokens(toks: &[Token]) -> Result<Scan, String> {
    let mut ev = Evaluator {
        toks,
        scan: Scan::default(),
        by_offset: BTreeMap::new(),
        consts: BTreeMap::new(),
        error: None,
    };
    let bracketed = in_brackets(toks);
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].tok {
            Tok::Ident(id) if id == "yaml" || id == "yamlFile" => {
                let named = ev.at(i + 1) == Some(&Tok::Punct(':'));
                let mut j = i + 1;
                if matches!(ev.at(j), Some(Tok::Punct(':' | '('))) {
                    j += 1;
                }
                let starts_value = matches!(ev.at(j), Some(Tok::Str { .. } | Tok::Ident(_) | Tok::Punct('(')));
                // `it.yaml`, `x.yaml = ...` are not uses, nor a key of a map literal
                // (`[yamlFile: 'ci/pod.yaml', ...]`, a step's default arguments).
                let member = i > 0 && toks[i - 1].tok == Tok::Punct('.') || (named && bracketed[i]);
                // A declarative `yaml VALUE` has its value on the same line.
                let same_line = toks.get(j).is_some_and(|t| t.line == toks[i].line);
                if starts_value && !member && (named || same_line) {
                    let offset = toks[j].offset;
                    let line = toks[j].line;
                    let constant = match ev.at(j) {
                        Some(Tok::Ident(c)) if ev.consts.contains_key(c) => Some(c.clone()),
                        _ => None,
                    };
                    let (value, k) = if id == "yamlFile" {
                        match ev.string_arg(i + 1, "path").or_else(|| ev.string_arg(j, "path")) {
                            Some((path, k)) => (
                                YamlValue::File(FileRef {
                                    kind: RefKind::YamlFile,
                                    path,
                                    line,
                                    combined: false,
                                }),
                                k,
                            ),
                            None => (
                                YamlValue::Unknown("a `yamlFile` path dind cannot evaluate".into()),
                                j + 1,
                            ),
                        }
                    } else {
                        ev.expr(j, 0)
                    };
                    ev.scan.uses.push(YamlUse {
                        offset,
                        value,
                        constant,
                    });
                    i = k.max(i + 1);
                    continue;
                }
            }
            Tok::Ident(id)
                if id == "return"
                    && matches!(ev.at(i + 1), Some(Tok::Str { .. } | Tok::Ident(_) | Tok::Punct('(')))
                    && toks.get(i + 1).is_some_and(|t| t.line == toks[i].line) =>
            {
                let (value, k) = ev.expr(i + 1, 0);
                if let YamlValue::Text(t) = value {
                    ev.scan.returned.push(t);
                }
                i = k.max(i + 1);
                continue;
            }
            Tok::Ident(name)
                if ev.at(i + 1) == Some(&Tok::Punct('='))
                    && ev.at(i + 2) != Some(&Tok::Punct('='))
                    && !(i > 0 && matches!(toks[i - 1].tok, Tok::Punct('.' | ','))) =>
            {
                let declared = i > 0 && matches!(&toks[i - 1].tok, Tok::Ident(k) if DECLARERS.contains(&k.as_str()));
                if declared || statement_start(toks, i) {
                    let name = name.clone();
                    ev.scan.declared.insert(name.clone());
                    let j = ev.declare(&name, i);
                    i = j.max(i + 1);
                    continue;
                }
            }
            // Parameters: `def name(a, String b)`, closures `{ a, b -> ... }`, `for (x in ...)`.
            Tok::Ident(name)
                if matches!(ev.at(i + 1), Some(Tok::Punct(',' | ')' | '-')))
                    || matches!(ev.at(i + 1), Some(Tok::Ident(w)) if w == "in")
                    || (i > 0 && matches!(&toks[i - 1].tok, Tok::Ident(k) if DECLARERS.contains(&k.as_str()))) =>
            {
                ev.scan.declared.insert(name.clone());
            }
            _ => {}
        }
        i += 1;
    }
    match ev.error {
        Some(e) => Err(e),
        None => Ok(ev.scan),
    }
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
        let scan = scan_tokens(&tokens(text).unwrap()).unwrap();
        let YamlValue::Text(t) = &scan.uses[0].value else {
            panic!()
        };
        assert_eq!(t.unresolved[0].name, "nope");
        assert!(scan.declared.contains("dir") && scan.declared.contains("sock"));
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
