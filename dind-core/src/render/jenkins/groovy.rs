//! Groovy 2.4 string literals, written so that Groovy evaluates them back to exactly the text
//! given (DOMAIN.md section 6). All escaping of Jenkins output lives here.

/// Writes `text` as a `'''...'''` literal. Nothing interpolates in single quotes; `\` still
/// escapes, so `\` becomes `\\` first, every `'` becomes `\'` (no `'''` or trailing `'` can end the
/// literal early), CR becomes `\r` and other control characters 3-digit octal escapes. The literal
/// opens with a line continuation, so the value starts on the line after `'''`.
///
/// ```
/// use dind_core::render::jenkins::triple_single_quoted;
/// assert_eq!(triple_single_quoted("a'b\\c\n"), "'''\\\na\\'b\\\\c\n'''");
/// ```
pub fn triple_single_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str("'''\\\n");
    escape_into(text, &mut out, false);
    out.push_str("'''");
    out
}

/// Writes `text` as a `'...'` literal (steps, option values): like [`triple_single_quoted`] on one
/// line, with newlines as `\n`.
pub fn single_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    escape_into(text, &mut out, true);
    out.push('\'');
    out
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
            c => out.push(c),
        }
    }
}
