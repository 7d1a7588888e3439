//! Byte positions into user text, checked. The fixer computes positions from what it found in a
//! file (a key's span, a line's indent, a match) and cuts the text there; a position that is past
//! the end or inside a multi-byte character must never panic. Every cut of user text in the fixer
//! goes through [`Cut`]: a position past the end is the end, a position inside a character moves
//! to keep only whole characters (a start forward, an end back), and a start after the end is
//! the empty string. The fixer verifies every edit it makes by reading the result again, so a
//! cut that moved makes an edit that is refused, never a panic or half a character.

/// Checked cuts of a `str` at byte positions.
pub(crate) trait Cut {
    /// The text before byte `end`.
    fn upto(&self, end: usize) -> &str;
    /// The text from byte `start`.
    fn from(&self, start: usize) -> &str;
    /// The text from byte `start` to byte `end`.
    fn between(&self, start: usize, end: usize) -> &str;
}

/// The largest char boundary of `s` at or before `i`.
fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary of `s` at or after `i`.
fn ceil(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl Cut for str {
    fn upto(&self, end: usize) -> &str {
        &self[..floor(self, end)]
    }

    fn from(&self, start: usize) -> &str {
        &self[ceil(self, start)..]
    }

    fn between(&self, start: usize, end: usize) -> &str {
        let (start, end) = (ceil(self, start), floor(self, end));
        if start >= end { "" } else { &self[start..end] }
    }
}

#[cfg(test)]
mod tests {
    use super::Cut;

    #[test]
    fn positions_inside_a_character_or_past_the_end_cut_whole_characters() {
        let s = "aé€b";
        // a=0, é=1..3, €=3..6, b=6
        assert_eq!(s.upto(2), "a");
        assert_eq!(s.upto(3), "aé");
        assert_eq!(s.upto(99), s);
        assert_eq!(s.from(2), "€b");
        assert_eq!(s.from(99), "");
        assert_eq!(s.between(1, 5), "é");
        assert_eq!(s.between(2, 4), "");
        assert_eq!(s.between(5, 1), "");
        assert_eq!(s.between(0, s.len()), s);
    }

    #[test]
    fn every_position_of_every_range_is_safe() {
        let s = "k: \u{feff}é\r\n\t€x";
        for a in 0..=s.len() + 2 {
            assert!(s.upto(a).len() <= a.min(s.len()));
            assert!(s.from(a).len() <= s.len().saturating_sub(a));
            for b in 0..=s.len() + 2 {
                let cut = s.between(a, b);
                assert!(cut.is_empty() || s.contains(cut));
            }
        }
    }
}
