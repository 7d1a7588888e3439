//! A fuzz target on the stable toolchain: a long-running property test over the readers. Every
//! input (random bytes, and the fixture corpus mutated) ends in a value or an error, never a panic
//! or a hang; and the flow pre-scan never counts less nesting than the YAML scanner reaches, which
//! is what makes it a bound. `DIND_FUZZ_CASES` sets the number of cases (CI runs a bounded number;
//! run it longer by hand).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use dind_core::lint::{jenkinsfile_literals, lint_source};
use dind_core::rules::Context;
use dind_core::yaml::{Limits, read_documents};
use proptest::prelude::*;
use yaml_rust2::scanner::{Scanner, TokenType};

fn cases() -> u32 {
    std::env::var("DIND_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

fn corpus() -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    let mut out = Vec::new();
    for dir in ["seed", "peers"] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            out.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
    }
    out
}

/// The deepest flow nesting yaml-rust2's scanner reaches before it stops: its flow level, raised
/// by a real `[` or `{` (not by the mapping it synthesizes for `[key: value]`).
fn scanner_depth(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let at = |token: &yaml_rust2::scanner::Token| chars.get(token.0.index()).copied();
    // The scanner also emits the start and end of an implicit single-pair mapping in a flow
    // sequence (`[a: b]`), marked where it noticed it (even at the `]`): only starts at a real
    // bracket count, and an end closes what its start opened.
    let (mut open, mut max) = (Vec::new(), 0usize);
    for token in Scanner::new(text.chars()).take(200_000) {
        match token.1 {
            TokenType::FlowSequenceStart | TokenType::FlowMappingStart => {
                open.push(matches!(at(&token), Some('[' | '{')));
                max = max.max(open.iter().filter(|r| **r).count());
            }
            TokenType::FlowSequenceEnd | TokenType::FlowMappingEnd => {
                open.pop();
            }
            _ => {}
        }
    }
    max
}

fn mutated() -> impl Strategy<Value = String> {
    let corpus = corpus();
    let n = corpus.len();
    (
        0..n,
        prop::collection::vec(
            (any::<prop::sample::Index>(), "[\\[\\]{}'\"#|>:,\\- \n&*!a-z0-9]{0,6}"),
            0..8,
        ),
    )
        .prop_map(move |(i, edits)| {
            let mut s = corpus[i].clone();
            for (at, insert) in edits {
                let mut pos = at.index(s.len() + 1);
                while !s.is_char_boundary(pos) {
                    pos -= 1;
                }
                s.insert_str(pos, &insert);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,400}") {
        let _ = read_documents(&text, Limits::default());
        let _ = jenkinsfile_literals(&text);
        let _ = lint_source("x.yaml", &text, &Context::default());
        let _ = lint_source("Jenkinsfile", &text, &Context::default());
    }

    #[test]
    fn mutated_fixtures_never_panic_and_the_prescan_bounds_the_scanner(text in mutated()) {
        let _ = lint_source("x.yaml", &text, &Context::default());
        let _ = lint_source("Jenkinsfile", &text, &Context::default());
        if let Ok(docs) = read_documents(&text, Limits::default().with_max_flow_depth(1000)) {
            prop_assert!(docs.iter().all(|d| d.line >= 1));
        }
        let limits = Limits::default().with_max_flow_depth(1000);
        let measured = scanner_depth(&text);
        let refused_deeper = read_documents(&text, limits.with_max_flow_depth(measured.saturating_sub(1)));
        if measured > 0 {
            prop_assert!(refused_deeper.is_err(), "the pre-scan let a flow nesting of {measured} through a limit of {}", measured - 1);
        }
    }

    #[test]
    fn nested_brackets_in_and_out_of_strings(depth in 1usize..80, quoted in any::<bool>(), comment in any::<bool>()) {
        let brackets = "[".repeat(depth);
        let text = match (quoted, comment) {
            (true, _) => format!("a: \"{brackets}\"\n"),
            (false, true) => format!("a: 1 # {brackets}\n"),
            (false, false) => format!("a: {brackets}{}\n", "]".repeat(depth)),
        };
        let result = read_documents(&text, Limits::default());
        if quoted || comment || depth <= 64 {
            prop_assert!(result.is_ok(), "{text}: {result:?}");
        } else {
            prop_assert!(result.unwrap_err().contains("nested deeper"));
        }
    }
}
