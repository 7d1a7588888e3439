//! A reader for the Groovy that pod templates are written in: calls with named arguments
//! (`podTemplate(containers: [containerTemplate(name: 'a', ...)], volumes: [...])`), lists,
//! maps, string and number literals, and the declarative `kubernetes { containerTemplate { name
//! 'a' } }` blocks. Anything else (a variable, an expression, a closure body) is read as
//! [`GValue::Unknown`] or skipped, so a rule can stay silent instead of guessing.
//!
//! Bounded: the nesting depth is capped and every token is read once.

use std::collections::BTreeMap;

use crate::groovy;

/// A Groovy value, as far as dind can tell it without running Groovy.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum GValue {
    /// A string whose value is known.
    Str(String),
    /// A number, as written.
    Num(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `[a, b]`.
    List(Vec<Node>),
    /// `[k: v]`, or the named arguments of a call.
    Map(Vec<(String, Node)>),
    /// `name(args)` or `name { ... }` (a declarative block read as its statements).
    Call {
        /// The method name.
        name: String,
        /// The named arguments (and, for a block, its `name value` statements).
        named: Vec<(String, Node)>,
        /// The positional arguments.
        positional: Vec<Node>,
    },
    /// Something dind cannot evaluate: a variable, an expression, an interpolated string.
    Unknown(String),
}

/// A value and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub value: GValue,
    pub line: usize,
    /// Byte offset of its first token.
    pub offset: usize,
}

impl Node {
    /// A named argument of a call or an entry of a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            GValue::Call { named, .. } | GValue::Map(named) => {
                named.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    /// The items of a list (or the one value, as Groovy's DSL often allows).
    pub fn items(&self) -> Vec<&Node> {
        match &self.value {
            GValue::List(items) => items.iter().collect(),
            _ => vec![self],
        }
    }

    /// The call's name.
    pub fn call_name(&self) -> Option<&str> {
        match &self.value {
            GValue::Call { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// A Groovy token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Str {
        raw: String,
        double: bool,
        line: usize,
        /// `'''` or `"""`.
        triple: bool,
    },
    Num(String),
    Punct(char),
}

/// A token with its line and byte offset.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub line: usize,
    pub offset: usize,
}

/// Splits Groovy text into tokens; comments and whitespace are dropped. An unterminated string
/// literal, or a one-quote string across lines, is an error.
pub(crate) fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            i += 1;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                if b[i] == b'\n' {
                    line += 1;
                }
                i += 1;
            }
            i = (i + 2).min(b.len());
        } else if c == b'\'' || c == b'"' {
            let delim: &[u8] = if b[i..].starts_with(b"'''") {
                b"'''"
            } else if b[i..].starts_with(b"\"\"\"") {
                b"\"\"\""
            } else if c == b'\'' {
                b"'"
            } else {
                b"\""
            };
            let start_line = line;
            let start = i;
            i += delim.len();
            let body = i;
            loop {
                if i >= b.len() {
                    return Err(format!("line {start_line}: the string literal never ends"));
                }
                if b[i..].starts_with(delim) {
                    break;
                }
                if b[i] == b'\\' {
                    // An escaped character, a line continuation included.
                    if b.get(i + 1) == Some(&b'\n') {
                        line += 1;
                    }
                    i += 2;
                    continue;
                }
                if b[i] == b'\n' {
                    if delim.len() == 1 {
                        let q = char::from(c);
                        return Err(format!("line {start_line}: a '{q}' string cannot span lines"));
                    }
                    line += 1;
                }
                i += 1;
            }
            out.push(Token {
                tok: Tok::Str {
                    raw: text[body..i].to_string(),
                    double: c == b'"',
                    line: start_line,
                    triple: delim.len() == 3,
                },
                line: start_line,
                offset: start,
            });
            i += delim.len();
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(text[start..i].to_string()),
                line,
                offset: start,
            });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Num(text[start..i].to_string()),
                line,
                offset: start,
            });
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            out.push(Token {
                tok: Tok::Punct(ch),
                line,
                offset: i,
            });
            i += ch.len_utf8();
        }
    }
    Ok(out)
}

/// How deep lists, maps and calls may nest.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    vars: &'a BTreeMap<String, String>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn punct(&self, c: char) -> bool {
        self.peek() == Some(&Tok::Punct(c))
    }

    fn here(&self) -> (usize, usize) {
        self.toks
            .get(self.pos)
            .or_else(|| self.toks.last())
            .map_or((1, 0), |t| (t.line, t.offset))
    }

    /// Skips a balanced `{ ... }`, `( ... )` or `[ ... ]` starting at the cursor (or one token,
    /// when the cursor is not at an opening bracket).
    fn skip_group(&mut self) {
        if !matches!(self.peek(), Some(Tok::Punct('{' | '(' | '['))) {
            self.pos += 1;
            return;
        }
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Tok::Punct('{' | '(' | '[') => depth += 1,
                Tok::Punct('}' | ')' | ']') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn string(&self, raw: &str, double: bool, line: usize) -> GValue {
        match groovy::unescape(raw, line, double, self.vars) {
            Ok(u) if u.unresolved.is_empty() => GValue::Str(u.value),
            Ok(u) => GValue::Unknown(format!(
                "a string that interpolates `${{{}}}`",
                u.unresolved.first().map_or("", |r| r.name.as_str())
            )),
            Err(e) => GValue::Unknown(e),
        }
    }

    /// One expression: a primary, then method calls, property reads and `+` joins.
    fn expr(&mut self, depth: usize) -> Node {
        let mut node = self.primary(depth);
        loop {
            if self.punct('.')
                || (self.punct('?') && self.toks.get(self.pos + 1).is_some_and(|t| t.tok == Tok::Punct('.')))
            {
                // `'''...'''.stripIndent()`: the value is no longer the literal's.
                while !self.punct('.') {
                    self.pos += 1;
                }
                self.pos += 1;
                if let Some(Tok::Ident(m)) = self.peek().cloned() {
                    self.pos += 1;
                    if self.punct('(') {
                        self.skip_group();
                    }
                    node.value = match (&node.value, m.as_str()) {
                        (GValue::Str(s), "trim") => GValue::Str(s.trim().to_string()),
                        (GValue::Str(s), "toString") => GValue::Str(s.clone()),
                        _ => GValue::Unknown(format!("the result of `.{m}`")),
                    };
                }
            } else if self.punct('+') {
                self.pos += 1;
                let rhs = self.primary(depth);
                node.value = match (&node.value, &rhs.value) {
                    (GValue::Str(a), GValue::Str(b)) => GValue::Str(format!("{a}{b}")),
                    _ => GValue::Unknown("an expression".into()),
                };
            } else {
                return node;
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Node {
        let (line, offset) = self.here();
        let node = |value| Node { value, line, offset };
        if depth > MAX_DEPTH {
            self.skip_group();
            return node(GValue::Unknown("nesting too deep".into()));
        }
        let Some(tok) = self.peek().cloned() else {
            return node(GValue::Unknown("nothing".into()));
        };
        match tok {
            Tok::Str { raw, double, line, .. } => {
                self.pos += 1;
                node(self.string(&raw, double, line))
            }
            Tok::Num(n) => {
                self.pos += 1;
                node(GValue::Num(n))
            }
            Tok::Punct('-') => {
                self.pos += 1;
                match self.peek().cloned() {
                    Some(Tok::Num(n)) => {
                        self.pos += 1;
                        node(GValue::Num(format!("-{n}")))
                    }
                    _ => node(GValue::Unknown("an expression".into())),
                }
            }
            Tok::Punct('[') => {
                self.pos += 1;
                node(self.list(depth + 1))
            }
            Tok::Punct('(') => {
                self.pos += 1;
                let inner = self.expr(depth + 1);
                if self.punct(')') {
                    self.pos += 1;
                }
                inner
            }
            Tok::Punct('{') => {
                self.skip_group();
                node(GValue::Unknown("a closure".into()))
            }
            Tok::Ident(id) => {
                self.pos += 1;
                match id.as_str() {
                    "true" => return node(GValue::Bool(true)),
                    "false" => return node(GValue::Bool(false)),
                    "null" => return node(GValue::Null),
                    _ => {}
                }
                if self.punct('(') {
                    self.pos += 1;
                    let (named, positional) = self.args(depth + 1, ')');
                    if self.punct('{') {
                        let (n2, p2) = self.block(depth + 1);
                        return node(GValue::Call {
                            name: id,
                            named: named.into_iter().chain(n2).collect(),
                            positional: positional.into_iter().chain(p2).collect(),
                        });
                    }
                    node(GValue::Call {
                        name: id,
                        named,
                        positional,
                    })
                } else if self.punct('{') {
                    let (named, positional) = self.block(depth + 1);
                    node(GValue::Call {
                        name: id,
                        named,
                        positional,
                    })
                } else {
                    match self.vars.get(&id) {
                        Some(v) => node(GValue::Str(v.clone())),
                        None => node(GValue::Unknown(format!("the variable `{id}`"))),
                    }
                }
            }
            Tok::Punct(_) => {
                self.pos += 1;
                node(GValue::Unknown("an expression".into()))
            }
        }
    }

    /// `[` already read: a list or a map (`[:]`, `[a: 1]`).
    fn list(&mut self, depth: usize) -> GValue {
        if self.punct(':') {
            self.pos += 1;
            if self.punct(']') {
                self.pos += 1;
            }
            return GValue::Map(Vec::new());
        }
        let (named, positional) = self.args(depth, ']');
        if named.is_empty() {
            GValue::List(positional)
        } else {
            GValue::Map(named)
        }
    }

    /// Arguments up to `close` (consumed): `name: value` pairs and positional values.
    fn args(&mut self, depth: usize, close: char) -> (Vec<(String, Node)>, Vec<Node>) {
        let mut named = Vec::new();
        let mut positional = Vec::new();
        while let Some(t) = self.peek() {
            if *t == Tok::Punct(close) {
                self.pos += 1;
                break;
            }
            if *t == Tok::Punct(',') {
                self.pos += 1;
                continue;
            }
            if matches!(t, Tok::Punct(')' | ']' | '}')) {
                // Unbalanced: stop here and leave it to the caller.
                break;
            }
            let key = match (t, self.toks.get(self.pos + 1).map(|t| &t.tok)) {
                (Tok::Ident(k), Some(Tok::Punct(':'))) => Some(k.clone()),
                (Tok::Str { raw, .. }, Some(Tok::Punct(':'))) => Some(raw.clone()),
                _ => None,
            };
            let before = self.pos;
            if let Some(k) = key {
                self.pos += 2;
                named.push((k, self.expr(depth)));
            } else {
                positional.push(self.expr(depth));
            }
            if self.pos == before {
                self.pos += 1;
            }
        }
        (named, positional)
    }

    /// A `{ ... }` block read as declarative statements: `name value` (or `name(value)`) pairs
    /// and nested blocks; other statements are skipped.
    fn block(&mut self, depth: usize) -> (Vec<(String, Node)>, Vec<Node>) {
        self.pos += 1; // `{`
        let mut named = Vec::new();
        let mut positional = Vec::new();
        while let Some(t) = self.peek().cloned() {
            match t {
                Tok::Punct('}') => {
                    self.pos += 1;
                    break;
                }
                Tok::Ident(id) => {
                    let next = self.toks.get(self.pos + 1).map(|t| &t.tok);
                    let line_of_id = self.toks[self.pos].line;
                    let value_on_same_line = self.toks.get(self.pos + 1).is_some_and(|t| t.line == line_of_id);
                    match next {
                        Some(Tok::Punct('{' | '(')) => {
                            let n = self.expr(depth);
                            positional.push(n);
                        }
                        Some(Tok::Str { .. } | Tok::Num(_) | Tok::Ident(_) | Tok::Punct('[')) if value_on_same_line => {
                            self.pos += 1;
                            let v = self.expr(depth);
                            named.push((id, v));
                        }
                        _ => {
                            self.pos += 1;
                        }
                    }
                }
                Tok::Punct('{' | '(' | '[') => self.skip_group(),
                _ => self.pos += 1,
            }
        }
        (named, positional)
    }
}

/// [`calls_in`] over text.
#[cfg(test)]
fn calls(text: &str, names: &[&str], vars: &BTreeMap<String, String>) -> Result<Vec<Node>, String> {
    Ok(calls_in(&tokens(text)?, names, vars))
}

/// Every call to one of `names` in the tokens, with its arguments read, outermost first. Calls
/// nested in another found call's arguments are found through it, not again.
pub(crate) fn calls_in(toks: &[Token], names: &[&str], vars: &BTreeMap<String, String>) -> Vec<Node> {
    let mut p = Parser { toks, pos: 0, vars };
    let mut out = Vec::new();
    while let Some(t) = p.peek() {
        let found = matches!(t, Tok::Ident(id) if names.contains(&id.as_str()))
            && p.toks
                .get(p.pos + 1)
                .is_some_and(|n| matches!(n.tok, Tok::Punct('(' | '{')))
            && !(p.pos > 0 && p.toks[p.pos - 1].tok == Tok::Punct('.'));
        if found {
            let node = p.primary(0);
            out.push(node);
        } else {
            p.pos += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str, name: &str) -> Node {
        calls(text, &[name], &BTreeMap::new()).unwrap().remove(0)
    }

    #[test]
    fn scripted_pod_templates_read_with_their_arguments() {
        let text = r#"
podTemplate(label: 'x', containers: [
    containerTemplate(name: 'docker', image: "docker:19.03.1", command: 'sleep', args: '99d'),
    containerTemplate(name: 'dind', image: 'docker:19.03.1-dind', privileged: true,
                      envVars: [envVar(key: 'DOCKER_TLS_CERTDIR', value: '')]),
], volumes: [emptyDirVolume(mountPath: '/var/lib/docker', memory: false)]) {
    node(POD_LABEL) { sh 'docker version' }
}"#;
        let t = one(text, "podTemplate");
        let cs = t.get("containers").unwrap().items();
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].get("image").unwrap().value, GValue::Str("docker:19.03.1".into()));
        assert_eq!(cs[1].get("privileged").unwrap().value, GValue::Bool(true));
        assert_eq!(cs[1].line, 4);
        let env = cs[1].get("envVars").unwrap().items();
        assert_eq!(env[0].get("value").unwrap().value, GValue::Str(String::new()));
        let v = t.get("volumes").unwrap().items();
        assert_eq!(v[0].call_name(), Some("emptyDirVolume"));
    }

    #[test]
    fn declarative_blocks_read_as_statements() {
        let text = "agent {\n  kubernetes {\n    defaultContainer 'maven'\n    containerTemplate {\n      name 'maven'\n      image 'maven:3.9.9'\n      command 'sleep'\n      args '99d'\n      ttyEnabled true\n    }\n  }\n}";
        let k = one(text, "kubernetes");
        let GValue::Call { positional, .. } = &k.value else {
            panic!()
        };
        let ct = &positional[0];
        assert_eq!(ct.call_name(), Some("containerTemplate"));
        assert_eq!(ct.get("image").unwrap().value, GValue::Str("maven:3.9.9".into()));
        assert_eq!(ct.get("ttyEnabled").unwrap().value, GValue::Bool(true));
        assert_eq!(k.get("defaultContainer").unwrap().value, GValue::Str("maven".into()));
    }

    #[test]
    fn what_cannot_be_evaluated_is_unknown() {
        let mut vars = BTreeMap::new();
        vars.insert("IMG".to_string(), "docker:29.7.2-dind".to_string());
        let t = calls(
            "containerTemplate(name: n, image: IMG, args: \"${x}\", command: 'a' + 'b')",
            &["containerTemplate"],
            &vars,
        )
        .unwrap()
        .remove(0);
        assert!(matches!(t.get("name").unwrap().value, GValue::Unknown(_)));
        assert_eq!(t.get("image").unwrap().value, GValue::Str("docker:29.7.2-dind".into()));
        assert!(matches!(t.get("args").unwrap().value, GValue::Unknown(_)));
        assert_eq!(t.get("command").unwrap().value, GValue::Str("ab".into()));
    }

    #[test]
    fn strings_and_lines_tokenize_as_groovy_reads_them() {
        // A backslash before the newline continues a one-quote string; the line still counts.
        let t = tokens("a = 'x\\\ny'\nb").unwrap();
        assert_eq!(t.last().map(|t| t.line), Some(3));
        assert!(
            tokens("a = 'x\ny'")
                .unwrap_err()
                .contains("a ''' string cannot span lines")
        );
        assert!(
            tokens("a = \"x\ny\"")
                .unwrap_err()
                .contains("a '\"' string cannot span lines")
        );
        assert!(tokens("a = '''x\ny'''").is_ok());
    }

    #[test]
    fn deep_or_broken_text_ends() {
        let deep = format!("podTemplate({}{})", "[".repeat(10_000), "]".repeat(10_000));
        assert!(calls(&deep, &["podTemplate"], &BTreeMap::new()).is_ok());
        assert!(
            calls(
                "podTemplate(containers: [containerTemplate(name: 'a'",
                &["podTemplate"],
                &BTreeMap::new()
            )
            .is_ok()
        );
        assert!(calls("podTemplate(yaml: '''never ends", &["podTemplate"], &BTreeMap::new()).is_err());
    }
}
