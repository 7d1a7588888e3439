//! The documents the code cites are in the repository: every `docs/FACTS.md` citation names a
//! section the file has, and nothing cites a file kept outside it.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if !matches!(name, "target" | "fixtures" | "snapshots") && !name.starts_with('.') {
                sources(&p, out);
            }
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("rs" | "toml" | "md" | "sh")
        ) {
            out.push(p);
        }
    }
}

#[test]
fn every_cited_fact_section_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let facts = std::fs::read_to_string(root.join("docs/FACTS.md")).expect("docs/FACTS.md");
    let headings: Vec<&str> = facts.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    let mut files = Vec::new();
    for dir in [
        "dind-core",
        "dind-cli",
        "dind-facts",
        "dind-macros",
        "src",
        "tests",
        "scripts",
        "examples",
    ] {
        sources(&root.join(dir), &mut files);
    }
    files.push(root.join("README.md"));
    let mut cited = 0;
    let outside = ["DOMAIN", ".md"].concat();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        assert!(
            !text.contains(&outside) || f.ends_with("tests/docs.rs"),
            "{} cites a file that is not in the repository",
            f.display()
        );
        for (at, _) in text.match_indices("`docs/FACTS.md`, \"") {
            let rest = &text[at + "`docs/FACTS.md`, \"".len()..];
            let section = rest.split('"').next().unwrap_or("");
            assert!(
                headings.iter().any(|h| h.starts_with(section)),
                "{} cites the section {section:?} of docs/FACTS.md, which has {headings:?}",
                f.display()
            );
            cited += 1;
        }
    }
    assert!(cited >= 2, "the code cites docs/FACTS.md {cited} times");
}
