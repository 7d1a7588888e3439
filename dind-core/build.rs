//! Compiles `data/*.toml` into typed Rust in `OUT_DIR`: the rule registry and the Docker release
//! facts. (The Kubernetes minors live in the dependency-free `dind-facts` crate.) A malformed data file fails the build with the
//! file's name and the reason.

use std::{collections::BTreeSet, env, fmt::Write as _, fs, path::Path};

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rules {
    rule: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    code: String,
    name: String,
    severity: String,
    summary: String,
    why: String,
    example: String,
    fix: String,
    /// `safe` or `unsafe` when `dind lint --fix` repairs it.
    autofix: Option<String>,
    /// Why the automatic fix has that class.
    autofix_why: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Releases {
    release: Vec<Release>,
    behaviour: std::collections::BTreeMap<String, Span>,
    buildkit: Vec<BuildkitRelease>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuildkitRelease {
    line: String,
    latest: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Release {
    major: String,
    latest: String,
    #[serde(default)]
    maintained: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Span {
    since: String,
    until: Option<String>,
}

fn read<T: for<'de> Deserialize<'de>>(path: &str) -> T {
    println!("cargo::rerun-if-changed={path}");
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn version(text: &str, file: &str) -> (u32, u32, u32) {
    let mut parts = text
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or_else(|e| panic!("{file}: `{text}`: {e}")));
    let major = parts.next().unwrap_or_else(|| panic!("{file}: empty version"));
    let minor = parts.next().unwrap_or(0);
    let patch = parts.next().unwrap_or(0);
    (major, minor, patch)
}

/// The `latest` versions of a list of release lines, each checked to be older than the one
/// before it (the lists are newest first).
fn newest_first<'a>(file: &str, what: &str, latest: impl Iterator<Item = &'a str>) -> Vec<(u32, u32, u32)> {
    let versions: Vec<_> = latest.map(|l| version(l, file)).collect();
    assert!(!versions.is_empty(), "{file}: no {what}");
    assert!(
        versions.windows(2).all(|w| w[1] < w[0]),
        "{file}: {what} must be listed newest first"
    );
    versions
}

fn rules(out: &mut String) {
    let file = "data/rules.toml";
    let rules: Rules = read(file);
    let mut seen = BTreeSet::new();
    out.push_str("/// A rule's stable code. Codes are never reused.\n");
    out.push_str(
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[non_exhaustive]\npub enum Code {\n",
    );
    for (i, r) in rules.rule.iter().enumerate() {
        let expected = format!("DIND{:03}", i + 1);
        assert_eq!(
            r.code, expected,
            "{file}: rules must be listed in code order without gaps"
        );
        assert!(seen.insert(r.name.clone()), "{file}: duplicate rule name {}", r.name);
        assert!(
            matches!(r.severity.as_str(), "error" | "warning"),
            "{file}: {}: bad severity",
            r.code
        );
        let _ = writeln!(
            out,
            "    /// `{}` ({}): {}",
            r.code,
            r.name,
            r.summary.replace('`', "'")
        );
        let _ = writeln!(out, "    Dind{:03},", i + 1);
    }
    out.push_str("}\n\nimpl Code {\n    /// Every code, in order.\n    pub const ALL: &'static [Code] = &[");
    for i in 0..rules.rule.len() {
        let _ = write!(out, "Code::Dind{:03}, ", i + 1);
    }
    out.push_str("];\n\n    /// The rule's documentation from the registry.\n    pub fn info(self) -> &'static RuleInfo {\n        &REGISTRY[self as usize]\n    }\n}\n\n");
    out.push_str("static REGISTRY: &[RuleInfo] = &[\n");
    for r in &rules.rule {
        let sev = if r.severity == "error" {
            "Severity::Error"
        } else {
            "Severity::Warning"
        };
        let autofix = match (r.autofix.as_deref(), &r.autofix_why) {
            (None, None) => "None".to_string(),
            (Some("safe"), Some(w)) => format!("Some((crate::fix::Applicability::Safe, {w:?}))"),
            (Some("unsafe"), Some(w)) => format!("Some((crate::fix::Applicability::Unsafe, {w:?}))"),
            _ => panic!(
                "{file}: {}: `autofix` must be `safe` or `unsafe`, and comes with `autofix_why`",
                r.code
            ),
        };
        let _ = writeln!(
            out,
            "    RuleInfo {{ code: {:?}, name: {:?}, severity: {sev}, summary: {:?}, why: {:?}, example: {:?}, fix: {:?}, autofix: {autofix} }},",
            r.code, r.name, r.summary, r.why, r.example, r.fix
        );
    }
    out.push_str("];\n");
}

fn releases(out: &mut String) {
    let file = "data/docker-releases.toml";
    let data: Releases = read(file);
    out.push_str("/// Known Docker Engine release lines, newest first.\npub static RELEASES: &[Release] = &[\n");
    let latest = newest_first(file, "releases", data.release.iter().map(|r| r.latest.as_str()));
    for (r, &latest) in data.release.iter().zip(&latest) {
        let major = version(&r.major, file);
        assert!(
            latest.0 == major.0 && (major.1 == 0 || latest.1 == major.1),
            "{file}: {} is not in line {}",
            r.latest,
            r.major
        );
        let _ = writeln!(
            out,
            "    Release {{ line: {:?}, latest: DockerVersion::new({}, {}, {}), maintained: {} }},",
            r.major, latest.0, latest.1, latest.2, r.maintained
        );
    }
    out.push_str("];\n\n/// A behaviour of the engine that changed with a release.\n#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum Behaviour {\n");
    let mut spans = String::new();
    for (name, span) in &data.behaviour {
        let variant: String = name
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect();
        let _ = writeln!(out, "    /// `{name}` in `data/docker-releases.toml`.\n    {variant},");
        let since = version(&span.since, file);
        let until = match &span.until {
            Some(u) => {
                let u = version(u, file);
                format!("Some(DockerVersion::new({}, {}, {}))", u.0, u.1, u.2)
            }
            None => "None".to_string(),
        };
        let _ = writeln!(
            spans,
            "            Behaviour::{variant} => (DockerVersion::new({}, {}, {}), {until}),",
            since.0, since.1, since.2
        );
    }
    out.push_str("}\n\nimpl Behaviour {\n    /// The first version with the behaviour and the first without it again.\n    pub const fn span(self) -> (DockerVersion, Option<DockerVersion>) {\n        match self {\n");
    out.push_str(&spans);
    out.push_str("        }\n    }\n}\n");
    out.push_str("\n/// Known BuildKit release lines (`moby/buildkit`), newest first.\npub static BUILDKIT_RELEASES: &[BuildkitRelease] = &[\n");
    let latest = newest_first(
        file,
        "BuildKit releases",
        data.buildkit.iter().map(|r| r.latest.as_str()),
    );
    for (r, &latest) in data.buildkit.iter().zip(&latest) {
        let line = version(&r.line, file);
        assert!(
            (latest.0, latest.1) == (line.0, line.1),
            "{file}: BuildKit {} is not in line {}",
            r.latest,
            r.line
        );
        let _ = writeln!(
            out,
            "    BuildkitRelease {{ line: {:?}, latest: BuildkitVersion::new({}, {}, {}) }},",
            r.line, latest.0, latest.1, latest.2
        );
    }
    out.push_str("];\n");
}

fn main() {
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut text = String::new();
    rules(&mut text);
    fs::write(Path::new(&out_dir).join("rules.rs"), &text).expect("write rules.rs");
    text.clear();
    releases(&mut text);
    fs::write(Path::new(&out_dir).join("releases.rs"), &text).expect("write releases.rs");
}
