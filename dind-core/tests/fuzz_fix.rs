//! A fuzz target for `--fix` on the stable toolchain: a long-running property test that mutates
//! every fixture family (pods, Jenkinsfiles, JCasC, Helm chart values, `containerTemplate`s)
//! with what real files carry and dind's tests rarely do: non-ASCII keys and values, CRLF line
//! endings, tabs, a byte-order mark, lines spliced from other files. Every fix must end without a
//! panic; a fixed YAML file must still read; and fixing the result again must change nothing.
//! `DIND_FUZZ_CASES` sets the number of cases (CI runs a bounded number; run it longer by hand).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use dind_core::lint::{fix_file, lint_file};
use dind_core::rules::Context;
use dind_core::yaml::{Limits, read_documents};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("DIND_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Every fixture a fix applies to, with the name it is linted under (the name decides the kind).
fn corpus() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    let mut out = Vec::new();
    for dir in ["fix", "fix-jenkins", "real", "seed", "wiring"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
            panic!("the fixture directory {dir} is missing");
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_file() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    assert!(out.len() > 40, "the fixture corpus is too small: {}", out.len());
    out
}

/// Text that real files hold and ASCII tests miss: accents, CJK, an emoji, a right-to-left
/// script, a combining mark.
const WORDS: &[&str] = &["café", "ключ", "構築", "🐳", "שלום", "é", "naïve_ü", "e\u{301}tape"];

#[derive(Clone, Debug)]
enum Mutation {
    /// A mapping entry with a non-ASCII key after line `n`, indented as that line is, less
    /// `dedent` spaces (so that a character of the key may straddle a block's indentation).
    Key(usize, usize, usize),
    /// A non-ASCII word appended to line `n` (inside a value, or after a comment sign).
    Value(usize, usize, bool),
    /// Every line ending as CRLF.
    Crlf,
    /// A byte-order mark at the start.
    Bom,
    /// A tab in place of the first indentation space of line `n`.
    Tab(usize),
    /// Line `n` of another fixture spliced in after line `at`.
    Splice { from: usize, n: usize, at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..WORDS.len(), 0..4usize).prop_map(|(n, w, d)| Mutation::Key(n, w, d)),
        (any::<usize>(), 0..WORDS.len(), any::<bool>()).prop_map(|(n, w, c)| Mutation::Value(n, w, c)),
        Just(Mutation::Crlf),
        Just(Mutation::Bom),
        any::<usize>().prop_map(Mutation::Tab),
        (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(from, n, at)| Mutation::Splice { from, n, at }),
    ]
}

fn apply(text: &str, m: &Mutation, corpus: &[(String, String)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let len = lines.len();
    match m {
        Mutation::Key(n, w, dedent) => {
            let line = &lines[n % len];
            let spaces = line.chars().take_while(|c| *c == ' ').count();
            let dash = line.trim_start().starts_with("- ");
            let indent = " ".repeat(if dash { spaces + 2 } else { spaces }.saturating_sub(*dedent));
            lines.insert(
                n % len + 1,
                format!("{indent}{}: {}", WORDS[*w], WORDS[(*w + 1) % WORDS.len()]),
            );
        }
        Mutation::Value(n, w, comment) => {
            let sep = if *comment { "  # " } else { "" };
            lines[n % len].push_str(&format!("{sep}{}", WORDS[*w]));
        }
        Mutation::Crlf => return lines.join("\r\n") + "\r\n",
        Mutation::Bom => return format!("\u{feff}{text}"),
        Mutation::Tab(n) => {
            let line = &mut lines[n % len];
            if line.starts_with(' ') {
                line.replace_range(0..1, "\t");
            }
        }
        Mutation::Splice { from, n, at } => {
            let other: Vec<&str> = corpus[from % corpus.len()].1.lines().collect();
            if let Some(l) = other.get(n % other.len().max(1)) {
                lines.insert(at % len, (*l).to_string());
            }
        }
    }
    lines.join("\n") + "\n"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn fixing_mutated_fixtures_never_panics_and_settles(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..4),
        unsafe_fixes in any::<bool>(),
    ) {
        let corpus = corpus();
        let (name, original) = &corpus[pick % corpus.len()];
        let mut text = original.clone();
        for m in &mutations {
            text = apply(&text, m, &corpus);
        }
        let ctx = Context::default();
        let Ok(fixed) = fix_file(name, &text, &ctx, unsafe_fixes) else {
            // Unreadable input is an error, as for lint: no panic is what counts.
            return Ok(());
        };
        // What was YAML stays YAML.
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if yaml && read_documents(&text, Limits::default()).is_ok() {
            prop_assert!(
                read_documents(&fixed.text, Limits::default()).is_ok(),
                "{name}: the fixed text no longer reads as YAML:\n{}",
                fixed.text
            );
        }
        // The fixed text lints, and a second fix finds nothing more to do.
        prop_assert!(lint_file(name, &fixed.text, &ctx).is_ok(), "{name}: the fixed text is unreadable");
        let again = fix_file(name, &fixed.text, &ctx, unsafe_fixes).unwrap();
        prop_assert_eq!(&again.text, &fixed.text, "{}: a second fix changed the text", name);
    }
}

/// The case the issue names: a JCasC `yaml: |` template followed by a sibling key whose first
/// character (three bytes) straddles the block's indentation. The block ends at that key; the fix
/// edits the block and keeps the key.
#[test]
fn a_jcasc_block_before_a_non_ascii_key_is_fixed() {
    let text = "jenkins:\n  clouds:\n  - kubernetes:\n      name: k8s\n      templates:\n      - name: dind\n        yaml: |\n          spec:\n            containers:\n            - name: dind\n              image: docker:dind\n              securityContext: {privileged: true}\n        構築: construction\n";
    let fixed = fix_file("casc.yaml", text, &Context::default(), true).unwrap();
    assert!(fixed.text.contains("        構築: construction\n"), "{}", fixed.text);
    assert!(
        !fixed.text.contains("image: docker:dind\n"),
        "the tag was not pinned:\n{}",
        fixed.text
    );
}
