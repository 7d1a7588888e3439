//! A pre-scan that bounds what the YAML scanner will do with flow collections, before it runs.
//!
//! yaml-rust2 keeps every simple key of a flow collection possible until the collection closes, so
//! it reads a whole `[...]` ahead and pays the nesting depth for every token inside. A file of
//! nested brackets therefore costs it depth × size: minutes for a few MiB. This pre-scan walks the
//! text once, following YAML's tokenisation where it decides what is a bracket (quoted scalars,
//! block scalars with their indentation, plain scalars, comments, anchors and tags), and refuses a
//! file whose flow nesting or flow work exceeds a limit. Brackets inside quoted strings, comments
//! and block scalars do not count, so `value: "[[[[..."` is fine.
//!
//! The rules mirror the scanner's: a block scalar's content indentation comes from the enclosing
//! block collection (tracked as the scanner tracks it, from `- `, `? ` and simple keys), a plain
//! scalar continues on the next line only when that line is indented deeper than the enclosing
//! collection, and in flow context only `,[]{}` and `: ` end a plain scalar.

/// What the pre-scan measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FlowCost {
    /// The deepest flow nesting.
    pub depth: usize,
    /// The sum over every character inside flow collections of the nesting depth there: what the
    /// scanner's simple-key bookkeeping costs.
    pub work: u64,
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
    col: isize,
    flow: usize,
    indents: Vec<isize>,
    indent: isize,
    cost: FlowCost,
    max_depth: usize,
    max_work: u64,
    line_has_token: bool,
}

fn blank(b: Option<u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

fn flow_indicator(b: Option<u8>) -> bool {
    matches!(b, Some(b',' | b'[' | b']' | b'{' | b'}'))
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.b.get(self.i + n).copied()
    }

    fn advance(&mut self) -> Result<(), String> {
        let Some(c) = self.peek() else { return Ok(()) };
        self.i += 1;
        if c == b'\n' {
            self.col = 0;
            self.line_has_token = false;
        } else if c & 0xc0 != 0x80 {
            self.col += 1;
        }
        if self.flow > 0 {
            self.cost.work = self.cost.work.saturating_add(self.flow as u64);
            if self.cost.work > self.max_work {
                return Err(
                    "flow collections (`[...]`, `{...}`) are too large for their nesting; write them in block style"
                        .to_string(),
                );
            }
        }
        Ok(())
    }

    fn open_flow(&mut self) -> Result<(), String> {
        self.flow += 1;
        self.cost.depth = self.cost.depth.max(self.flow);
        if self.flow > self.max_depth {
            return Err(format!("flow collections nested deeper than {} levels", self.max_depth));
        }
        self.advance()
    }

    fn roll(&mut self, col: isize) {
        if self.flow == 0 && self.indent < col {
            self.indents.push(self.indent);
            self.indent = col;
        }
    }

    fn unroll(&mut self, col: isize) {
        if self.flow > 0 {
            return;
        }
        while self.indent > col {
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    fn document_marker(&self) -> bool {
        self.col == 0
            && (self.b[self.i..].starts_with(b"---") || self.b[self.i..].starts_with(b"..."))
            && blank(self.peek_at(3))
    }

    /// Skips spaces, line breaks and comments up to the next token.
    fn skip_trivia(&mut self) -> Result<(), String> {
        let mut after_blank = self.i == 0 || blank(self.b.get(self.i - 1).copied());
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    after_blank = true;
                    self.advance()?;
                }
                b'#' if after_blank => self.skip_line()?,
                _ => break,
            }
        }
        Ok(())
    }

    /// Skips to the line break (not consuming it).
    fn skip_line(&mut self) -> Result<(), String> {
        while self.peek().is_some_and(|c| c != b'\n') {
            self.advance()?;
        }
        Ok(())
    }

    fn skip_spaces(&mut self) -> Result<(), String> {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.advance()?;
        }
        Ok(())
    }

    /// After a scalar or flow collection in block context: a `:` on the same line makes it a
    /// simple key, and the block mapping's indentation is the key's column.
    fn maybe_key(&mut self, col: isize, same_line: bool) -> Result<(), String> {
        if self.flow > 0 {
            return Ok(());
        }
        self.skip_spaces()?;
        if same_line && self.peek() == Some(b':') && blank(self.peek_at(1)) {
            self.roll(col);
        }
        Ok(())
    }

    fn single_quoted(&mut self) -> Result<(), String> {
        self.advance()?;
        while let Some(c) = self.peek() {
            if c == b'\'' {
                if self.peek_at(1) == Some(b'\'') {
                    self.advance()?;
                    self.advance()?;
                    continue;
                }
                return self.advance();
            }
            self.advance()?;
        }
        Ok(())
    }

    fn double_quoted(&mut self) -> Result<(), String> {
        self.advance()?;
        while let Some(c) = self.peek() {
            match c {
                b'\\' => {
                    self.advance()?;
                    self.advance()?;
                }
                b'"' => return self.advance(),
                _ => self.advance()?,
            }
        }
        Ok(())
    }

    /// Leading spaces of the line starting at byte `at`, and whether the line is blank.
    fn line_shape(&self, at: usize) -> (isize, bool) {
        let mut j = at;
        let mut n = 0;
        while self.b.get(j) == Some(&b' ') {
            j += 1;
            n += 1;
        }
        let blank_line = matches!(self.b.get(j), None | Some(b'\n' | b'\r'));
        (n, blank_line)
    }

    fn block_scalar(&mut self) -> Result<(), String> {
        self.advance()?;
        let mut increment: Option<isize> = None;
        for _ in 0..2 {
            match self.peek() {
                Some(b'+' | b'-') => self.advance()?,
                Some(d @ b'1'..=b'9') => {
                    increment = Some(isize::from(d - b'0'));
                    self.advance()?;
                }
                _ => break,
            }
        }
        self.skip_spaces()?;
        if self.peek() == Some(b'#') {
            self.skip_line()?;
        }
        if self.peek() != Some(b'\n') {
            // Not a block scalar header the scanner accepts: keep scanning as ordinary text.
            return Ok(());
        }
        self.advance()?;
        let parent = self.indent;
        let content = match increment {
            Some(m) if parent >= 0 => parent + m,
            Some(m) => m,
            None => {
                let mut j = self.i;
                let mut max_blank = 0;
                let first = loop {
                    if j >= self.b.len() {
                        break max_blank;
                    }
                    let (n, is_blank) = self.line_shape(j);
                    if !is_blank {
                        break n.max(max_blank);
                    }
                    max_blank = max_blank.max(n);
                    match self.b[j..].iter().position(|&c| c == b'\n') {
                        Some(p) => j += p + 1,
                        None => j = self.b.len(),
                    }
                };
                let mut indent = first.max(parent + 1);
                if parent > 0 {
                    indent = indent.max(1);
                }
                indent
            }
        };
        // Content lines: blank ones, and those indented at least `content`.
        while self.i < self.b.len() {
            let (n, is_blank) = self.line_shape(self.i);
            let marker = n == 0 && {
                let rest = &self.b[self.i..];
                (rest.starts_with(b"---") || rest.starts_with(b"...")) && blank(rest.get(3).copied())
            };
            if !(is_blank || n >= content) || marker {
                break;
            }
            self.skip_line()?;
            self.advance()?;
        }
        Ok(())
    }

    fn plain(&mut self) -> Result<(), String> {
        let mut after_blank = false;
        loop {
            let Some(c) = self.peek() else { return Ok(()) };
            let next = self.peek_at(1);
            match c {
                b':' if blank(next) || (self.flow > 0 && flow_indicator(next)) => return Ok(()),
                b'#' if after_blank => return Ok(()),
                b',' | b'[' | b']' | b'{' | b'}' if self.flow > 0 => return Ok(()),
                b'\n' if self.flow == 0 => {
                    // Continuation: the next non-blank line, if deeper than the enclosing block
                    // collection and not a comment or document marker.
                    let mut j = self.i + 1;
                    loop {
                        let (n, is_blank) = self.line_shape(j);
                        if j >= self.b.len() {
                            return Ok(());
                        }
                        if is_blank {
                            match self.b[j..].iter().position(|&c| c == b'\n') {
                                Some(p) => j += p + 1,
                                None => return Ok(()),
                            }
                            continue;
                        }
                        let first = self.b.get(j + usize::try_from(n).unwrap_or(0)).copied();
                        let rest = &self.b[j..];
                        let marker = n == 0
                            && (rest.starts_with(b"---") || rest.starts_with(b"..."))
                            && blank(rest.get(3).copied());
                        if n < self.indent + 1 || first == Some(b'#') || marker {
                            return Ok(());
                        }
                        break;
                    }
                    while self.i < j {
                        self.advance()?;
                    }
                    after_blank = true;
                    continue;
                }
                b'\n' => {
                    // Flow context: the scalar goes on; a `#` after the break starts a comment.
                    self.advance()?;
                    if self.document_marker() {
                        return Ok(());
                    }
                    after_blank = true;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    after_blank = true;
                    self.advance()?;
                    continue;
                }
                _ => {}
            }
            after_blank = false;
            self.advance()?;
        }
    }

    fn run(&mut self) -> Result<(), String> {
        loop {
            self.skip_trivia()?;
            let Some(c) = self.peek() else { return Ok(()) };
            let first_on_line = !self.line_has_token;
            self.line_has_token = true;
            let col = self.col;
            self.unroll(col);
            if self.flow == 0 && col == 0 {
                if self.document_marker() {
                    self.indents.clear();
                    self.indent = -1;
                    for _ in 0..3 {
                        self.advance()?;
                    }
                    continue;
                }
                if c == b'%' {
                    self.skip_line()?;
                    continue;
                }
            }
            let next = self.peek_at(1);
            match c {
                b'[' | b'{' => {
                    let start = (col, self.flow);
                    self.open_flow()?;
                    if start.1 == 0 {
                        // Scan the collection; when it closes, a `:` may make it a key.
                        let line_col = col;
                        let mut same_line = true;
                        while self.flow > 0 && self.peek().is_some() {
                            let before = self.i;
                            self.skip_trivia()?;
                            if self.b[before..self.i].contains(&b'\n') {
                                same_line = false;
                            }
                            self.flow_token()?;
                            if self.b[before..self.i].contains(&b'\n') {
                                same_line = false;
                            }
                        }
                        self.maybe_key(line_col, same_line)?;
                    }
                }
                b']' | b'}' => {
                    self.flow = self.flow.saturating_sub(1);
                    self.advance()?;
                }
                b',' => self.advance()?,
                b'-' | b'?' if blank(next) => {
                    self.roll(col);
                    self.advance()?;
                }
                b':' if blank(next) => {
                    if first_on_line {
                        self.roll(col);
                    }
                    self.advance()?;
                }
                b'&' | b'*' | b'!' => self.property()?,
                b'|' | b'>' => self.block_scalar()?,
                b'\'' | b'"' => {
                    let start = self.i;
                    if c == b'\'' {
                        self.single_quoted()?;
                    } else {
                        self.double_quoted()?;
                    }
                    let same_line = !self.b[start..self.i].contains(&b'\n');
                    self.maybe_key(col, same_line)?;
                }
                _ => {
                    let start = self.i;
                    self.plain()?;
                    if self.i == start {
                        self.advance()?;
                    }
                    let same_line = !self.b[start..self.i].contains(&b'\n');
                    self.maybe_key(col, same_line)?;
                }
            }
        }
    }

    /// One token inside a flow collection.
    fn flow_token(&mut self) -> Result<(), String> {
        let Some(c) = self.peek() else { return Ok(()) };
        match c {
            b'[' | b'{' => self.open_flow(),
            b']' | b'}' => {
                self.flow = self.flow.saturating_sub(1);
                self.advance()
            }
            b',' | b'?' => self.advance(),
            b':' if blank(self.peek_at(1)) || flow_indicator(self.peek_at(1)) => self.advance(),
            b'&' | b'*' | b'!' => self.property(),
            b'\'' => self.single_quoted(),
            b'"' => self.double_quoted(),
            _ => {
                let start = self.i;
                self.plain()?;
                if self.i == start {
                    self.advance()?;
                }
                Ok(())
            }
        }
    }

    /// An anchor, alias or tag: up to a blank or a flow indicator.
    fn property(&mut self) -> Result<(), String> {
        self.advance()?;
        while !blank(self.peek()) && !flow_indicator(self.peek()) {
            self.advance()?;
        }
        Ok(())
    }
}

/// Measures the flow nesting of `text`; an error when the depth exceeds `max_depth` or the work
/// exceeds `max_work`.
pub(crate) fn flow_cost(text: &str, max_depth: usize, max_work: u64) -> Result<FlowCost, String> {
    let mut s = Scan {
        b: text.as_bytes(),
        i: 0,
        col: 0,
        flow: 0,
        indents: Vec::new(),
        indent: -1,
        cost: FlowCost { depth: 0, work: 0 },
        max_depth,
        max_work,
        line_has_token: false,
    };
    s.run()?;
    Ok(s.cost)
}

/// Checks that the flow nesting of `text` is within `max_depth` and `max_work` ([`flow_cost`]),
/// without scanning when it cannot be exceeded: the depth is at most the number of `[` and `{`
/// bytes, and the work (one unit per byte per open collection) at most the length times the depth.
pub(crate) fn check_flow(text: &str, max_depth: usize, max_work: u64) -> Result<(), String> {
    let opens = text.bytes().filter(|&b| b == b'[' || b == b'{').count();
    let bound = (text.len() as u64).saturating_mul(opens as u64);
    if opens <= max_depth && bound <= max_work {
        return Ok(());
    }
    flow_cost(text, max_depth, max_work).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        flow_cost(text, 1000, u64::MAX).unwrap().depth
    }

    #[test]
    fn brackets_in_strings_comments_and_block_scalars_do_not_count() {
        assert_eq!(depth("a: \"[[[[\"\nb: '{{{'  # [[[[\n"), 0);
        assert_eq!(depth("script: |\n  echo [[[ 'x\n  more [[[\nb: [1, [2]]\n"), 2);
        assert_eq!(depth("- k: |\n    [[[\n  x: [[y]]\n"), 2);
        assert_eq!(depth("a: don't [ stop\nb: {c: [d]}\n"), 2);
        assert_eq!(depth("a: [\"]]]\", [x]]\n"), 2);
    }

    #[test]
    fn a_plain_scalar_continues_only_below_its_collection() {
        // The second line continues the plain scalar: its quote is text, the bracket counts.
        assert_eq!(depth("a: x\n  'y [\n"), 0);
        assert_eq!(depth("a: x\nb: [[z]]\n"), 2);
        // In flow context a quote inside a plain scalar starts nothing.
        assert_eq!(depth("[a\n'b [[c]]]\n"), 3);
    }

    #[test]
    fn the_quick_bound_agrees_with_the_scan() {
        for text in [
            "a: [b, {c: d}]\n",
            "a: \"[[[[\"\n",
            &"[".repeat(65),
            &format!("a: [[[{}]]]\n", "x,".repeat(1000)),
        ] {
            for (depth, work) in [(64, u64::MAX), (2, u64::MAX), (64, 1000), (1, 10)] {
                assert_eq!(
                    check_flow(text, depth, work).is_ok(),
                    flow_cost(text, depth, work).is_ok(),
                    "{text:?} {depth} {work}"
                );
            }
        }
    }

    #[test]
    fn deep_or_heavy_flow_is_refused() {
        let deep = "[".repeat(65);
        assert!(flow_cost(&deep, 64, u64::MAX).unwrap_err().contains("64"));
        let heavy = format!("a: [[[{}]]]\n", "x,".repeat(1000));
        assert!(flow_cost(&heavy, 64, 1000).unwrap_err().contains("block style"));
    }
}
