//! The Groovy 2.4 string codec, in one place: writing text as a literal that Groovy evaluates
//! back to exactly that text ([`triple_single_quoted`], [`single_quoted`]), reading a literal's
//! value the way Groovy does ([`unescape`]), and the class-file size of a string constant
//! ([`modified_utf8_len`], [`LITERAL_LIMIT`]). The Jenkins renderers and the Jenkinsfile reader
//! both use it, so neither depends on the other.

use std::collections::BTreeMap;

/// The most bytes (modified UTF-8) a string constant may take in a class file: a longer Groovy
/// literal does not compile (rule DIND023).
pub const LITERAL_LIMIT: usize = 65_535;

/// The size of a string in the JVM's modified UTF-8: NUL takes 2 bytes, U+0001..U+007F 1, up to
/// U+07FF 2, the rest of the BMP 3, and a supplementary character 6 (two surrogates of 3 each).
///
/// ```
/// use dind_core::groovy::modified_utf8_len;
/// assert_eq!(modified_utf8_len("a\u{0}é€😀"), 1 + 2 + 2 + 3 + 6);
/// ```
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

/// Whether `c` is a Unicode noncharacter (U+FDD0..U+FDEF and the last two code points of every
/// plane). YAML readers refuse them raw and Groovy's lexer takes U+FFFF for the end of the file.
pub fn is_noncharacter(c: char) -> bool {
    let u = c as u32;
    (0xfdd0..=0xfdef).contains(&u) || (u & 0xfffe) == 0xfffe
}

/// Why `text` cannot be written as a Groovy literal at all: U+FFFF, raw or as `\uFFFF`, is the
/// lexer's end-of-file character, so nothing after it compiles. `None` when it can be written.
///
/// ```
/// assert!(dind_core::groovy::unrepresentable("a\u{ffff}").is_some());
/// assert!(dind_core::groovy::unrepresentable("a\u{fffe}").is_none());
/// ```
pub fn unrepresentable(text: &str) -> Option<String> {
    text.contains('\u{ffff}').then(|| {
        "U+FFFF cannot appear in a Groovy string: Groovy's lexer reads it (raw or as `\\uFFFF`) as the end of the file"
            .to_string()
    })
}

/// Writes `text` as a `'''...'''` literal. Nothing interpolates in single quotes, but `\` still
/// escapes: `\` becomes `\\` first and every `'` becomes `\'` (so no `'''` or trailing `'` ends the
/// literal early); CR becomes `\r`, other control characters 3-digit octal escapes and
/// noncharacters `\uXXXX`. The literal opens with a line continuation, so the value starts on the
/// line after `'''`. An error for text that [`unrepresentable`] refuses.
///
/// ```
/// use dind_core::groovy::triple_single_quoted;
/// assert_eq!(triple_single_quoted("a'b\\c\n").unwrap(), "'''\\\na\\'b\\\\c\n'''");
/// ```
pub fn triple_single_quoted(text: &str) -> Result<String, String> {
    if let Some(problem) = unrepresentable(text) {
        return Err(problem);
    }
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str("'''\\\n");
    escape_into(text, &mut out, false);
    out.push_str("'''");
    Ok(out)
}

/// Writes `text` as a `'...'` literal (steps, option values): like [`triple_single_quoted`] on
/// one line, with newlines as `\n`.
///
/// ```
/// assert_eq!(dind_core::groovy::single_quoted("it's\n").unwrap(), "'it\\'s\\n'");
/// ```
pub fn single_quoted(text: &str) -> Result<String, String> {
    if let Some(problem) = unrepresentable(text) {
        return Err(problem);
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    escape_into(text, &mut out, true);
    out.push('\'');
    Ok(out)
}

fn escape_into(text: &str, out: &mut String, one_line: bool) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' if one_line => out.push_str("\\n"),
            '\n' | '\t' => out.push(c),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\{:03o}", c as u32)),
            c if is_noncharacter(c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
}

/// A `${name}` the reader could not substitute, with its source line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    /// The variable's name.
    pub name: String,
    /// The 1-based source line.
    pub line: usize,
}

/// A literal's value as Groovy computes it, with the source line of each of its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unescaped {
    /// The value.
    pub value: String,
    /// For each line of `value` (0-based), its 1-based line in the source.
    pub lines: Vec<usize>,
    /// `${...}` references that were not constants known to the reader (only in `"` literals).
    pub unresolved: Vec<Unresolved>,
    /// With [`unescape_mapped`]: for each byte of `value`, the byte offset in the raw text where
    /// the token that produced it starts (an escape's `\\`, or the character itself);
    /// [`INTERPOLATED`] for bytes a `${...}` substitution produced. Empty otherwise.
    pub offsets: Vec<u32>,
}

/// The offset of a value byte that came from a `${...}` substitution: not in the source.
pub const INTERPOLATED: u32 = u32::MAX;

/// [`unescape`], also mapping every byte of the value back to the raw text
/// ([`Unescaped::offsets`]), for edits made to the value.
///
/// ```
/// use std::collections::BTreeMap;
/// let u = dind_core::groovy::unescape_mapped("a\\nb", 1, false, &BTreeMap::new()).unwrap();
/// assert_eq!(u.value, "a\nb");
/// assert_eq!(u.offsets, [0, 1, 3]);
/// ```
pub fn unescape_mapped(
    raw: &str,
    first_line: usize,
    interpolate: bool,
    vars: &BTreeMap<String, String>,
) -> Result<Unescaped, String> {
    unescape_inner(raw, first_line, interpolate, vars, true)
}

/// The characters of a raw literal, with the byte position reached.
#[derive(Clone)]
struct Cursor<'a> {
    rest: std::str::Chars<'a>,
    len: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.rest.clone().next()
    }

    fn pos(&self) -> usize {
        self.len - self.rest.as_str().len()
    }
}

impl Iterator for Cursor<'_> {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        self.rest.next()
    }
}

/// Undoes Groovy 2.4's escapes in the raw text of a literal that starts on source line
/// `first_line`. With `interpolate` (a `"` or `"""` literal), `$name` and `${name}` are replaced by
/// `vars`; any other reference is kept as written and listed in [`Unescaped::unresolved`].
/// Linear in the input.
///
/// ```
/// use std::collections::BTreeMap;
/// use dind_core::groovy::unescape;
/// let u = unescape("a\\\\b \\' \\n\\u0041\\\ncont", 1, false, &BTreeMap::new()).unwrap();
/// assert_eq!(u.value, "a\\b ' \nAcont");
/// assert_eq!(u.lines, vec![1, 1]);
/// ```
pub fn unescape(
    raw: &str,
    first_line: usize,
    interpolate: bool,
    vars: &BTreeMap<String, String>,
) -> Result<Unescaped, String> {
    unescape_inner(raw, first_line, interpolate, vars, false)
}

fn unescape_inner(
    raw: &str,
    first_line: usize,
    interpolate: bool,
    vars: &BTreeMap<String, String>,
    map: bool,
) -> Result<Unescaped, String> {
    let mut out = String::with_capacity(raw.len());
    let mut lines = vec![first_line];
    let mut unresolved = Vec::new();
    let mut offsets: Vec<u32> = Vec::new();
    let mut line = first_line;
    let mut chars = Cursor {
        rest: raw.chars(),
        len: raw.len(),
    };
    let newline = |out: &mut String, lines: &mut Vec<usize>, line: usize| {
        out.push('\n');
        lines.push(line);
    };
    loop {
        let token = u32::try_from(chars.pos()).unwrap_or(INTERPOLATED);
        let Some(c) = chars.next() else { break };
        let before = out.len();
        let mut substituted = false;
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err(format!("line {line}: a literal ends with a lone `\\`"));
                };
                match e {
                    'n' => newline(&mut out, &mut lines, line),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    '\\' | '\'' | '"' | '$' => out.push(e),
                    '\n' => line += 1,
                    'u' => {
                        let unit =
                            hex4(&mut chars).ok_or_else(|| format!("line {line}: `\\u` needs four hex digits"))?;
                        let code = if (0xd800..0xdc00).contains(&unit) {
                            let low = (chars.peek() == Some('\\'))
                                .then(|| {
                                    let mut look = chars.clone();
                                    look.next();
                                    (look.next() == Some('u'))
                                        .then(|| hex4(&mut look))
                                        .flatten()
                                        .map(|l| (l, look))
                                })
                                .flatten()
                                .filter(|(l, _)| (0xdc00..0xe000).contains(l));
                            match low {
                                Some((l, rest)) => {
                                    chars = rest;
                                    0x10000 + ((unit - 0xd800) << 10) + (l - 0xdc00)
                                }
                                None => 0xfffd,
                            }
                        } else {
                            unit
                        };
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
                        match char::from_u32(value) {
                            Some('\n') => newline(&mut out, &mut lines, line),
                            Some(c) => out.push(c),
                            None => out.push('\u{fffd}'),
                        }
                    }
                    other => {
                        return Err(format!(
                            "line {line}: `\\{other}` is not a Groovy escape; Groovy refuses to compile it"
                        ));
                    }
                }
            }
            '$' if interpolate => {
                substituted = true;
                let name: String = if chars.peek() == Some('{') {
                    chars.next();
                    let mut n = String::new();
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                        if d == '\n' {
                            line += 1;
                        }
                        n.push(d);
                    }
                    n.trim().to_string()
                } else {
                    let mut n = String::new();
                    while let Some(d) = chars.peek() {
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
                    Some(v) => {
                        for ch in v.chars() {
                            if ch == '\n' {
                                newline(&mut out, &mut lines, line);
                            } else {
                                out.push(ch);
                            }
                        }
                    }
                    None => {
                        out.push_str(&format!("${{{name}}}"));
                        unresolved.push(Unresolved { name, line });
                    }
                }
            }
            '\n' => {
                line += 1;
                newline(&mut out, &mut lines, line);
            }
            c => out.push(c),
        }
        if map {
            let at = if substituted { INTERPOLATED } else { token };
            offsets.extend(std::iter::repeat_n(at, out.len() - before));
        }
    }
    Ok(Unescaped {
        value: out,
        lines,
        unresolved,
        offsets,
    })
}

/// Text escaped to stand inside a Groovy literal of the given kind, so that Groovy reads it back
/// as is: `\\` always; `'` in single-quoted and `"` and `$` in double-quoted literals; line
/// breaks in one-line literals.
///
/// ```
/// assert_eq!(dind_core::groovy::escape_in_literal("a'b\\", false, true), "a\\'b\\\\");
/// assert_eq!(dind_core::groovy::escape_in_literal("$x \"y\"", true, true), "\\$x \\\"y\\\"");
/// ```
pub fn escape_in_literal(text: &str, double: bool, triple: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' if !double => out.push_str("\\'"),
            '"' | '$' if double => {
                out.push('\\');
                out.push(c);
            }
            '\n' if !triple => out.push_str("\\n"),
            '\r' if !triple => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// Text escaped to stand inside a Groovy literal, as [`escape_in_literal`] escapes it, placed
/// between the characters `before` and `after` of the literal's source (`None`: the literal's
/// delimiter). In a triple-quoted literal a quote of its own kind ends it only as three in a
/// row, so a run of one or two quotes away from the delimiters and from the quotes around it is
/// written as is (`value: ""` stays `value: ""` in `"""`); every other quote is escaped. One-line
/// literals escape every quote of their kind.
///
/// ```
/// use dind_core::groovy::escape_in_literal_between;
/// assert_eq!(escape_in_literal_between("memory: \"1Gi\"", true, true, Some('\n'), Some('\n')), "memory: \"1Gi\"");
/// // Next to the closing delimiter, or to a quote of the source, a quote is escaped.
/// assert_eq!(escape_in_literal_between("x: \"\"", true, true, Some(' '), None), "x: \\\"\\\"");
/// assert_eq!(escape_in_literal_between("'a'", false, true, Some('\''), Some(' ')), "\\'a'");
/// // `$` and `\\` are always escaped in `"""`.
/// assert_eq!(escape_in_literal_between("$HOME\\", true, true, Some(' '), Some(' ')), "\\$HOME\\\\");
/// ```
pub fn escape_in_literal_between(
    text: &str,
    double: bool,
    triple: bool,
    before: Option<char>,
    after: Option<char>,
) -> String {
    if !triple {
        return escape_in_literal(text, double, triple);
    }
    let quote = if double { '"' } else { '\'' };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != quote {
            match c {
                '\\' => out.push_str("\\\\"),
                '$' if double => out.push_str("\\$"),
                c => out.push(c),
            }
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&q| q == quote).count();
        let prev = if i == 0 { before } else { Some(chars[i - 1]) };
        let next = chars
            .get(i + run)
            .copied()
            .or(if i + run == chars.len() { after } else { None });
        let apart = |n: Option<char>| n.is_some_and(|n| n != quote);
        let bare = run <= 2 && apart(prev) && apart(next);
        for _ in 0..run {
            if !bare {
                out.push('\\');
            }
            out.push(quote);
        }
        i += run;
    }
    out
}

fn hex4(chars: &mut (impl Iterator<Item = char> + Clone)) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// `readLines` as Groovy's `StringGroovyMethods` reads them (a `BufferedReader`): lines ended by
/// `\n`, `\r\n` or `\r`, with no empty last line after a final break.
fn read_lines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        match rest.find(['\n', '\r']) {
            Some(i) => {
                out.push(&rest[..i]);
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
            }
            None => {
                out.push(rest);
                rest = "";
            }
        }
    }
    out
}

/// Lines joined with `\n`, with a final `\n` only where `original` ends with one.
fn join_lines(lines: Vec<String>, original: &str) -> String {
    let mut out = lines.join("\n");
    if original.ends_with('\n') && !lines.is_empty() {
        out.push('\n');
    }
    out
}

/// Java's `Character.isWhitespace` (Java 11 and later, as Jenkins runs): the Unicode space,
/// line and paragraph separators except the non-breaking ones (U+00A0, U+2007, U+202F), and the
/// controls `\t \n \u{b} \u{c} \r` and U+001C to U+001F. Unlike Rust's `char::is_whitespace`,
/// U+0085 is not whitespace and U+001C to U+001F are.
fn java_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1f}' | ' ' | '\u{1680}'
            | '\u{2000}'..='\u{2006}' | '\u{2008}'..='\u{200a}' | '\u{2028}' | '\u{2029}'
            | '\u{205f}' | '\u{3000}'
    )
}

/// Groovy 2.4's `String.stripIndent()`: the smallest indentation of the lines that are not all
/// whitespace is taken off every line (whitespace counts as one character each, tabs included);
/// lines of whitespace become empty.
///
/// ```
/// assert_eq!(dind_core::groovy::strip_indent("\n    a:\n      b: 1\n  \n"), "\na:\n  b: 1\n\n");
/// ```
pub fn strip_indent(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let lines = read_lines(s);
    let indent = lines
        .iter()
        .filter(|l| !l.chars().all(java_whitespace))
        .map(|l| l.chars().take_while(|&c| java_whitespace(c)).count())
        .min()
        .unwrap_or(0);
    if indent == 0 {
        return s.to_string();
    }
    let out = lines
        .iter()
        .map(|l| {
            if l.chars().all(java_whitespace) {
                String::new()
            } else {
                l.chars().skip(indent).collect()
            }
        })
        .collect();
    join_lines(out, s)
}

/// Groovy 2.4's `String.stripMargin(margin)`: on every line whose first character after the
/// leading whitespace (and control characters) is `margin`, that prefix and the margin go.
///
/// ```
/// assert_eq!(dind_core::groovy::strip_margin("a\n   |b:\n   | c\nd", '|'), "a\nb:\n c\nd");
/// ```
pub fn strip_margin(s: &str, margin: char) -> String {
    if s.is_empty() {
        return String::new();
    }
    let out = read_lines(s)
        .into_iter()
        .map(|l| {
            let trimmed = l.trim_start_matches(|c: char| c <= ' ');
            match trimmed.strip_prefix(margin) {
                Some(rest) => rest.to_string(),
                None => l.to_string(),
            }
        })
        .collect();
    join_lines(out, s)
}

/// How Groovy takes a prefix off every line of a string: `stripIndent()` or `stripMargin(c)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strip {
    /// `stripIndent()` ([`strip_indent`]).
    Indent,
    /// `stripMargin(c)` ([`strip_margin`]).
    Margin(char),
}

impl Strip {
    /// The string as Groovy strips it.
    ///
    /// ```
    /// use dind_core::groovy::Strip;
    /// assert_eq!(Strip::Margin('|').apply("  |a\n  |b"), "a\nb");
    /// ```
    pub fn apply(self, s: &str) -> String {
        match self {
            Strip::Indent => strip_indent(s),
            Strip::Margin(c) => strip_margin(s, c),
        }
    }
}

/// A string as [`Strip`] leaves it, mapped back to the string it came from, for edits of the
/// stripped value made in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stripped {
    /// The stripped string.
    pub value: String,
    /// For each byte of `value`, and for its end, the byte offset in the original.
    pub offsets: Vec<usize>,
    /// For each line of `value`, what stripping took off its start.
    pub prefixes: Vec<String>,
}

/// Strips `s` as Groovy does, keeping where each byte came from; `None` for a string with `\r`
/// (Groovy reads `\r` and `\r\n` as line breaks and writes `\n`, which no byte map can say).
///
/// ```
/// use dind_core::groovy::{Strip, strip_mapped};
/// let s = "\n    a:\n      b: 1\n";
/// let m = strip_mapped(s, Strip::Indent).unwrap();
/// assert_eq!(m.value, "\na:\n  b: 1\n");
/// assert_eq!(&s[m.offsets[1]..m.offsets[1] + 2], "a:");
/// assert_eq!(m.prefixes[1], "    ");
/// ```
pub fn strip_mapped(s: &str, strip: Strip) -> Option<Stripped> {
    if s.contains('\r') {
        return None;
    }
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for l in s.split_inclusive('\n') {
        lines.push((at, l.strip_suffix('\n').unwrap_or(l)));
        at += l.len();
    }
    let blank = |l: &str| l.chars().all(java_whitespace);
    let indent = lines
        .iter()
        .filter(|(_, l)| !blank(l))
        .map(|(_, l)| l.chars().take_while(|&c| java_whitespace(c)).count())
        .min()
        .unwrap_or(0);
    let mut out = Stripped {
        value: String::with_capacity(s.len()),
        offsets: Vec::with_capacity(s.len() + 1),
        prefixes: Vec::with_capacity(lines.len()),
    };
    for (start, l) in lines {
        let cut = match strip {
            Strip::Indent if indent == 0 => 0,
            Strip::Indent if blank(l) => l.len(),
            Strip::Indent => l.char_indices().nth(indent).map_or(l.len(), |(i, _)| i),
            Strip::Margin(c) => {
                let lead = l.len() - l.trim_start_matches(|x: char| x <= ' ').len();
                if l[lead..].starts_with(c) {
                    lead + c.len_utf8()
                } else {
                    0
                }
            }
        };
        out.prefixes.push(l[..cut].to_string());
        out.value.push_str(&l[cut..]);
        out.offsets.extend(start + cut..start + l.len());
        if start + l.len() < s.len() {
            out.value.push('\n');
            out.offsets.push(start + l.len());
        }
    }
    out.offsets.push(s.len());
    // The map must say exactly what Groovy does.
    (out.value == strip.apply(s)).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(raw: &str) -> String {
        unescape(raw, 1, false, &BTreeMap::new()).unwrap().value
    }

    #[test]
    fn escapes_are_undone_as_groovy_does() {
        assert_eq!(plain("a\\\\b \\' \\$ \\n \\u0041 \\101\\\ncont"), "a\\b ' $ \n A Acont");
        assert_eq!(plain("\\uD83D\\uDE00"), "😀");
        assert_eq!(plain("\\uFFFF"), "\u{ffff}");
    }

    #[test]
    fn unknown_escapes_and_a_lone_backslash_are_errors() {
        assert!(unescape("\\d", 1, false, &BTreeMap::new()).unwrap_err().contains("\\d"));
        assert!(unescape("x\\", 1, false, &BTreeMap::new()).is_err());
    }

    #[test]
    fn every_output_line_knows_its_source_line() {
        let u = unescape("a\n\\\nb\\nc\nd", 10, false, &BTreeMap::new()).unwrap();
        assert_eq!(u.value, "a\nb\nc\nd");
        assert_eq!(u.lines, vec![10, 11, 12, 13]);
    }

    #[test]
    fn escaping_round_trips_through_unescape() {
        for text in [
            "plain",
            "it's",
            "\\",
            "'''",
            "a\rb\u{1}c",
            "\u{fffe}\u{fdd0}\u{1fffe}",
            "tab\t😀",
        ] {
            let lit = triple_single_quoted(text).unwrap();
            let raw = &lit[3..lit.len() - 3];
            assert_eq!(plain(raw), text, "{lit}");
            let one = single_quoted(text).unwrap();
            assert_eq!(plain(&one[1..one.len() - 1]), text, "{one}");
        }
    }

    #[test]
    fn u_ffff_is_refused_rather_than_written() {
        assert!(triple_single_quoted("a\u{ffff}b").is_err());
        assert!(single_quoted("\u{ffff}").is_err());
    }

    #[test]
    fn a_huge_literal_of_newlines_is_read_in_linear_time() {
        let raw = "\n".repeat(400_000);
        let u = unescape(&raw, 1, false, &BTreeMap::new()).unwrap();
        assert_eq!(u.lines.len(), 400_001);
        assert_eq!(u.lines[400_000], 400_001);
    }
}
