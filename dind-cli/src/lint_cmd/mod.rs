//! `dind lint`, `dind rules`, `dind explain`.

pub use explain::{ExplainArgs, run as explain_run};

mod explain;
mod inputs;
mod repository;
mod sarif;
pub(crate) mod settings;
mod test_inputs;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use dind_core::facts::KubeVersion;
use dind_core::lint::{
    AgentUse, FileRef, FileReport, Finding, InputKind, NoRepository, agent_context, file_refs, lint_agent_pod,
    lint_file_in,
};
use dind_core::rules::Context;
use dind_core::{Code, Severity};
use rayon::prelude::*;
use repository::{Repositories, Resolved};
use serde_json::json;

use crate::exit;

/// Text or JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    /// Human-readable.
    Text,
    /// Machine-readable.
    Json,
}

/// The formats of `dind lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Human-readable, with the source line of every finding and a summary.
    Text,
    /// `{"files": [...], "summary": {...}}`.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, Jenkins Warnings NG).
    Sarif,
}

/// Flags of `dind lint`.
#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files or directories to lint (YAML, Jenkinsfiles, Groovy, JCasC); directories are walked
    /// with .gitignore respected; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    format: LintFormat,
    /// Target Kubernetes minor (1.25 to 1.37).
    #[arg(long)]
    kube_version: Option<String>,
    /// Apply every safe fix in place (each file written whole or not at all), then report what
    /// remains; the exit code is lint's on what remains.
    #[arg(long)]
    fix: bool,
    /// With --fix, also apply the fixes that change behaviour (`dind explain CODE` says which).
    #[arg(long, requires = "fix")]
    unsafe_fixes: bool,
    /// With --fix, print a unified diff of the fixes on stdout and write nothing.
    #[arg(long, requires = "fix")]
    diff: bool,
    /// Run only these rules: codes or prefixes (`DIND006`, `DIND00`, `ALL`), comma-separated;
    /// replaces `select` of dind.toml.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Vec<String>,
    /// Also run these rules (codes or prefixes).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    extend_select: Vec<String>,
    /// Do not run these rules (codes or prefixes).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,
    /// Report these rules as warnings (codes or prefixes).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    warn: Vec<String>,
    /// Report these rules as errors (codes or prefixes).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    error: Vec<String>,
}

/// What `--fix` did to one file.
struct FixOutcome {
    label: String,
    fixed: dind_core::lint::FileFix,
}

/// Applies the fixes to one readable input; returns the input with its fixed text.
fn fix_input(mut input: inputs::Input, ctx: &Context, unsafe_fixes: bool) -> (inputs::Input, Option<FixOutcome>) {
    let Ok(text) = &input.text else {
        return (input, None);
    };
    if !input.part_of.is_empty() && input.agent_of.is_empty() {
        // Part of a pod whose other part is Groovy: fixed through that file, not alone.
        return (input, None);
    }
    let ctx = if input.agent_of.is_empty() {
        *ctx
    } else {
        agent_context(ctx, &input.agent_of)
    };
    let outcome = match dind_core::lint::fix_file(&input.label, text, &ctx, unsafe_fixes) {
        Ok(fixed) => FixOutcome {
            label: input.label.clone(),
            fixed,
        },
        // Unreadable: lint reports it as it always does.
        Err(_) => return (input, None),
    };
    input.text = Ok(outcome.fixed.text.clone());
    (input, Some(outcome))
}

/// Fixes every input: writes each changed file whole (or, with `--diff`, adds its diff to
/// `diffs`). Returns the inputs as they now are, what was done, and whether a write failed.
fn apply_fixes(
    inputs: Vec<inputs::Input>,
    contexts: &[Context],
    args: &LintArgs,
    diffs: &mut String,
) -> (Vec<inputs::Input>, Vec<FixOutcome>, bool) {
    let mut out = Vec::with_capacity(inputs.len());
    let mut fixes = Vec::new();
    let mut write_failed = false;
    for (input, ctx) in inputs.into_iter().zip(contexts) {
        let before = input.text.clone().unwrap_or_default();
        let (input, outcome) = fix_input(input, ctx, args.unsafe_fixes);
        let Some(o) = outcome else {
            out.push(input);
            continue;
        };
        let changed = o.fixed.text != before;
        if changed && args.diff {
            diffs.push_str(&unified_diff(&o.label, &before, &o.fixed.text));
        } else if changed && input.label == "<stdin>" {
            eprintln!("error: <stdin>: fixes cannot be written back to standard input; use --diff");
            write_failed = true;
        } else if changed
            && let Err(e) = dind_core::files::write_atomically(std::path::Path::new(&o.label), o.fixed.text.as_bytes())
        {
            eprintln!("error: {}: not fixed, cannot write: {e}", o.label);
            write_failed = true;
            // The file is as it was: report what it still has.
            out.push(inputs::Input {
                text: Ok(before),
                ..input
            });
            continue;
        }
        fixes.push(o);
        out.push(input);
    }
    (out, fixes, write_failed)
}

/// A unified diff of one file's fixes.
fn unified_diff(label: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", label.trim_start_matches("./").trim_start_matches('/')),
            &format!("b/{}", label.trim_start_matches("./").trim_start_matches('/')),
        )
        .to_string()
}

/// The `dind lint` flags that apply a fix of this class.
fn fix_flags(class: dind_core::fix::Applicability) -> &'static str {
    match class {
        dind_core::fix::Applicability::Safe => "--fix",
        _ => "--fix --unsafe-fixes",
    }
}

/// What linting one input gave.
pub(crate) struct Report {
    label: String,
    source: String,
    result: Result<FileReport, String>,
    /// Findings an inline `dind: ignore` comment suppresses: reported as such, not counted.
    suppressed: Vec<Finding>,
    /// The Groovy files (`file:line`) that read this file as their agent's pod.
    used_by: Vec<String>,
}

/// A walked file that does not parse is skipped, not an error: a Helm or Go template, a YAML
/// dialect, a Groovy script with syntax dind does not read. A file named on the command line
/// that does not parse is unreadable input (exit 2).
fn lint_input(input: inputs::Input, ctx: &Context, repos: &Repositories) -> Report {
    let label = input.label;
    let used_by: Vec<String> = input
        .agent_of
        .iter()
        .map(|u| format!("{}:{}", u.file, u.line))
        .collect();
    let text = match input.text {
        Ok(t) => t,
        Err(e) if input.walked => {
            return Report {
                label,
                source: String::new(),
                result: Ok(skipped_file(&e)),
                suppressed: Vec::new(),
                used_by: Vec::new(),
            };
        }
        Err(e) => {
            return Report {
                label,
                source: String::new(),
                result: Err(e),
                suppressed: Vec::new(),
                used_by: Vec::new(),
            };
        }
    };
    let result = if !input.agent_of.is_empty() {
        lint_agent_pod(&text, ctx, &input.agent_of)
    } else if !input.part_of.is_empty() {
        Ok(skipped_file(&format!(
            "part of the pod of {} (with its container templates): linted there",
            input.part_of.join(", ")
        )))
    } else if input.path.is_some() {
        lint_file_in(&label, &text, ctx, repos)
    } else {
        lint_file_in(&label, &text, ctx, &NoRepository)
    };
    let result = match result {
        Ok(r) => Ok(r),
        Err(e) if input.walked => {
            let why = if text.contains("{{") {
                format!("a template (`{{{{ ... }}}}`), not YAML until rendered: {e}")
            } else {
                format!("not read: {e}")
            };
            Ok(skipped_file(&why))
        }
        Err(e) => Err(format!("{label}: {e}")),
    };
    // Inline comments suppress what they name.
    let mut suppressed = Vec::new();
    let result = result.and_then(|mut report| {
        let (kept, hidden) = dind_core::lint::suppress(&text, std::mem::take(&mut report.findings))
            .map_err(|e| format!("{label}: {e}"))?;
        report.findings = kept;
        suppressed = hidden;
        Ok(report)
    });
    Report {
        label,
        source: text,
        result,
        suppressed,
        used_by,
    }
}

fn skipped_file(reason: &str) -> FileReport {
    let mut r = FileReport::default();
    r.skipped.push(dind_core::lint::skipped(1, reason));
    r
}

fn text_report(path: &str, source: &str, findings: &[Finding]) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::new();
    for f in findings {
        let d = &f.diagnostic;
        match d.code {
            Some(code) => out.push_str(&format!("{}[{code}]: {}\n", d.severity, d.message)),
            None => out.push_str(&format!("{}: {}\n", d.severity, d.message)),
        }
        let width = f.line.to_string().len();
        out.push_str(&format!("{:width$}--> {path}:{}\n", "", f.line));
        if let Some(text) = lines.get(f.line.saturating_sub(1)) {
            let text = if d.code.is_some_and(|c| c.as_str() == "DIND034") {
                masked(text)
            } else {
                (*text).to_string()
            };
            let shown: String = text.chars().take(160).collect();
            out.push_str(&format!("{:width$} |\n{} | {shown}\n{:width$} |\n", "", f.line, ""));
        }
        if !d.path.is_empty() {
            let container = d
                .container
                .as_ref()
                .map(|c| format!(" (container `{c}`)"))
                .unwrap_or_default();
            out.push_str(&format!("{:width$} = at: {}{container}\n", "", d.path));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("{:width$} = help: {help}\n", ""));
        }
        if let Some(fix) = &d.fix {
            out.push_str(&format!(
                "{:width$} = fix ({}, {}): {}\n",
                "",
                fix.applicability,
                fix_flags(fix.applicability),
                fix.title
            ));
        }
        out.push('\n');
    }
    out
}

/// A source line that holds a credential, as the text report shows it: what follows the
/// `value` key or the password flag is masked, and a line where neither is found is not shown.
/// (CI logs are read by more people than the repository.)
fn masked(line: &str) -> String {
    const MASK: &str = "********";
    let cut = |at: usize| format!("{}{MASK}", &line[..at]);
    if let Some(v) = line.rfind("value") {
        let rest = &line[v + "value".len()..];
        if let Some(sep) = rest.find([':', '=']) {
            let start = v + "value".len() + sep + 1;
            let spaces = line[start..].len() - line[start..].trim_start().len();
            return cut(start + spaces);
        }
    }
    for flag in ["--password=", "--password ", "-p="] {
        if let Some(i) = line.find(flag) {
            return cut(i + flag.len());
        }
    }
    if let Some(i) = line.find(" -p ") {
        return cut(i + " -p ".len());
    }
    let indent = line.len() - line.trim_start().len();
    format!("{}(not shown: the line holds a credential)", &line[..indent])
}

/// The notes under a file's findings: which Groovy files read it as their agent's pod, and the
/// values dind cannot tell (the first few).
fn text_notes(r: &Report, f: &FileReport) -> String {
    const SHOWN: usize = 3;
    let mut out = String::new();
    if !r.used_by.is_empty() {
        out.push_str(&format!(
            "  note: the agent's pod of {} (read with the Jenkins plugin's defaults: `jnlp`, the workspace volume)\n",
            r.used_by.join(", ")
        ));
    }
    if !f.unknown.is_empty() {
        let shown: Vec<String> = f
            .unknown
            .iter()
            .take(SHOWN)
            .map(|u| {
                format!(
                    "line {} `{}` ({})",
                    u.line,
                    u.written.chars().take(60).collect::<String>(),
                    u.why
                )
            })
            .collect();
        let more = f.unknown.len().saturating_sub(SHOWN);
        out.push_str(&format!(
            "  note: {} value(s) dind cannot tell, not judged: {}{}\n",
            f.unknown.len(),
            shown.join("; "),
            if more > 0 {
                format!("; and {more} more (--format json lists them)")
            } else {
                String::new()
            }
        ));
    }
    out
}

/// The line that ends a file with errors: where to see what its pods wire.
fn explain_hint(label: &str) -> String {
    let target = if label == "<stdin>" { "-" } else { label };
    let quoted = if target
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@,".contains(c))
    {
        target.to_string()
    } else {
        format!("'{}'", target.replace('\'', "'\\''"))
    };
    format!("  see: dind explain {quoted}\n")
}

fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.diagnostic.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

fn finding_json(f: &Finding) -> serde_json::Value {
    let d = &f.diagnostic;
    json!({
        "code": d.code.map(Code::as_str),
        "severity": d.severity.as_str(),
        "message": d.message,
        "container": d.container,
        "path": d.path,
        "line": f.line,
        "help": d.help,
        "fix": d.fix.as_ref().map(|x| json!({"applicability": x.applicability.as_str(), "title": x.title})),
    })
}

/// The totals of a run.
#[derive(Default)]
struct Summary {
    analysed: usize,
    skipped: usize,
    unreadable: usize,
    suppressed: usize,
    pods: usize,
    /// Pods that neither run nor use Docker: out of scope, no findings.
    without_docker: usize,
    other_documents: usize,
    errors: usize,
    warnings: usize,
}

impl Summary {
    fn of(reports: &[Report]) -> Summary {
        let mut s = Summary::default();
        for r in reports {
            s.suppressed += r.suppressed.len();
            match &r.result {
                Err(_) => s.unreadable += 1,
                Ok(f) => {
                    if f.pods.is_empty() && f.findings.is_empty() {
                        s.skipped += 1;
                    } else {
                        s.analysed += 1;
                    }
                    s.pods += f.pods.len();
                    s.without_docker += f.pods.iter().filter(|p| !p.dind).count();
                    if !f.pods.is_empty() {
                        s.other_documents += f.skipped.len();
                    }
                    let (e, w) = counts(&f.findings);
                    s.errors += e;
                    s.warnings += w;
                }
            }
        }
        s
    }

    fn line(&self) -> String {
        let mut line = format!("{} file(s) analysed ({} pod(s)", self.analysed, self.pods);
        if self.without_docker > 0 {
            line.push_str(&format!(", {} without Docker", self.without_docker));
        }
        if self.other_documents > 0 {
            line.push_str(&format!(", {} other document(s)", self.other_documents));
        }
        line.push_str(&format!("), {} skipped", self.skipped));
        if self.unreadable > 0 {
            line.push_str(&format!(", {} unreadable", self.unreadable));
        }
        line.push_str(&format!(": {} error(s), {} warning(s)", self.errors, self.warnings));
        if self.suppressed > 0 {
            line.push_str(&format!(", {} suppressed", self.suppressed));
        }
        line.push('\n');
        line
    }
}

/// Links each pod file that a Groovy input reads (`yamlFile`, `readTrusted`, `libraryResource`,
/// `readFile`) to the files that read it: as their agent's whole pod, or as part of a template with
/// container templates. Returns the pod files that are not inputs yet, read, to lint as well.
fn link_agent_pods(inputs: &mut [inputs::Input], repos: &Repositories) -> Vec<inputs::Input> {
    let refs: Vec<(usize, Vec<(FileRef, PathBuf)>)> = inputs
        .par_iter()
        .enumerate()
        .filter_map(|(i, input)| {
            let (path, text) = (input.path.as_ref()?, input.text.as_ref().ok()?);
            let reads = ["yamlFile", "libraryResource", "readTrusted", "readFile"];
            if InputKind::detect(&input.label, text) != InputKind::Jenkinsfile
                || !reads.iter().any(|r| text.contains(r))
            {
                return None;
            }
            let found: Vec<(FileRef, PathBuf)> = file_refs(text)
                .ok()?
                .into_iter()
                .filter_map(|r| match repos.resolve(path, &r) {
                    Resolved::Found(p) => Some((r, p.canonicalize().ok()?)),
                    _ => None,
                })
                .collect();
            (!found.is_empty()).then_some((i, found))
        })
        .collect();
    if refs.is_empty() {
        return Vec::new();
    }
    let mut index: HashMap<PathBuf, usize> = inputs
        .iter()
        .enumerate()
        .filter_map(|(i, x)| Some((x.path.as_ref()?.canonicalize().ok()?, i)))
        .collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut new_files: Vec<(PathBuf, bool)> = Vec::new();
    for (_, found) in &refs {
        for (_, p) in found {
            if !index.contains_key(p) {
                index.insert(p.clone(), inputs.len() + new_files.len());
                new_files.push((shown(p, &cwd), true));
            }
        }
    }
    let mut added = inputs::read_files(new_files);
    for (i, found) in refs {
        let (user, text) = (inputs[i].label.clone(), inputs[i].text.clone().unwrap_or_default());
        for (r, p) in found {
            let Some(&j) = index.get(&p) else { continue };
            let target = if j < inputs.len() {
                &mut inputs[j]
            } else {
                &mut added[j - inputs.len()]
            };
            let at = format!("{user}:{}", r.line);
            if r.combined {
                if !target.part_of.contains(&at) {
                    target.part_of.push(at);
                }
            } else if !target.agent_of.iter().any(|u| u.file == user && u.line == r.line) {
                target.agent_of.push(AgentUse::new(user.clone(), r.line, &text));
            }
        }
    }
    added
}

/// `path` relative to `cwd` when it is below it.
fn shown(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// The inputs of a run, each with the context of the settings that apply to it, and the walked
/// files the settings exclude (reported as skipped).
struct Gathered {
    inputs: Vec<inputs::Input>,
    contexts: Vec<Context>,
    excluded: Vec<Report>,
}

/// Reads the files and directories named, each under the settings that apply to it (the nearest
/// dind.toml, then the flags), with the pod files their Groovy inputs read.
fn gather(files: &[PathBuf], overrides: settings::Overrides) -> Result<Gathered, String> {
    let mut settings = settings::Settings::new(overrides);
    // Each file under the settings that apply to it (the nearest dind.toml, then the flags);
    // a walked file that a settings file excludes is skipped.
    let mut inputs = Vec::new();
    let mut contexts = Vec::new();
    let mut excluded = Vec::new();
    let collected = inputs::collect(files);
    let declared = test_inputs::declared(&collected);
    for input in collected {
        let eff = settings.for_file(&input.label).map_err(|e| e.to_string())?;
        match eff.excluded.or_else(|| test_inputs::skip_reason(&declared, &input)) {
            Some(why) if input.walked => excluded.push(Report {
                label: input.label,
                source: String::new(),
                result: Ok(skipped_file(&why)),
                suppressed: Vec::new(),
                used_by: Vec::new(),
            }),
            _ => {
                contexts.push(Context::new(eff.kube_version).with_selection(eff.selection));
                inputs.push(input);
            }
        }
    }
    // The pod files that Groovy inputs read: linted as their agents' pods, read even when not named.
    let added = link_agent_pods(&mut inputs, &Repositories);
    for input in added {
        let eff = settings.for_file(&input.label).map_err(|e| e.to_string())?;
        contexts.push(Context::new(eff.kube_version).with_selection(eff.selection));
        inputs.push(input);
    }
    Ok(Gathered {
        inputs,
        contexts,
        excluded,
    })
}

/// Runs `dind lint`.
pub fn run(args: LintArgs) -> u8 {
    if let Some(Err(e)) = args.kube_version.as_deref().map(KubeVersion::parse) {
        eprintln!("error: --kube-version: {e}");
        return exit::USAGE;
    }
    let overrides = settings::Overrides {
        kube_version: args.kube_version.clone(),
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        warn: args.warn.clone(),
        error: args.error.clone(),
    };
    let Gathered {
        mut inputs,
        contexts,
        excluded,
    } = match gather(&args.files, overrides) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let mut diffs = String::new();
    if args.fix {
        let (fixed, fixes, write_failed) = apply_fixes(inputs, &contexts, &args, &mut diffs);
        inputs = fixed;
        report_fixes(&fixes, args.diff, args.unsafe_fixes);
        if write_failed {
            return exit::USAGE;
        }
    }
    let repos = Repositories;
    let mut reports: Vec<Report> = inputs
        .into_par_iter()
        .zip(contexts)
        .map(|(i, ctx)| lint_input(i, &ctx, &repos))
        .collect();
    reports.extend(excluded);
    let summary = Summary::of(&reports);
    let mut code = exit::OK;
    if summary.errors > 0 {
        code = exit::FINDINGS;
    }
    for r in &reports {
        if let Err(e) = &r.result {
            eprintln!("error: {e}");
            code = exit::USAGE;
        }
    }
    let out = match args.format {
        // With --diff, stdout carries the diff alone; what remains is summed up on stderr.
        _ if args.diff => {
            eprint!("after the fixes: {}", summary.line());
            diffs
        }
        LintFormat::Text => {
            let mut text = String::new();
            for r in &reports {
                if let Ok(f) = &r.result
                    && !(f.pods.is_empty() && f.findings.is_empty())
                {
                    text.push_str(&text_report(&r.label, &r.source, &f.findings));
                    let (e, w) = counts(&f.findings);
                    text.push_str(&format!("{}: {e} error(s), {w} warning(s)\n", r.label));
                    text.push_str(&text_notes(r, f));
                    if e > 0 {
                        text.push_str(&explain_hint(&r.label));
                    }
                }
            }
            text.push_str(&summary.line());
            text
        }
        LintFormat::Json => json_report(&reports, &summary),
        LintFormat::Sarif => {
            let mut s = serde_json::to_string_pretty(&sarif::log(&reports)).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    if let Err(e) = crate::output::emit(&out, None) {
        eprintln!("error: {e}");
        return exit::USAGE;
    }
    code
}

/// A file's entry in the JSON report.
fn file_json(r: &Report) -> serde_json::Value {
    match &r.result {
        Err(e) => json!({"path": r.label, "error": e, "findings": []}),
        Ok(f) => json!({
            "path": r.label,
            "findings": f.findings.iter().map(finding_json).collect::<Vec<_>>(),
            "suppressed": r.suppressed.iter().map(finding_json).collect::<Vec<_>>(),
            "pods": f.pods.iter().map(|p| json!({"label": p.label, "line": p.line, "dind": p.dind})).collect::<Vec<_>>(),
            "skipped": f.skipped.iter().map(|s| json!({"line": s.line, "reason": s.reason})).collect::<Vec<_>>(),
            "unknown": f.unknown.iter().map(|u| json!({"path": u.path, "line": u.line, "written": u.written, "why": u.why})).collect::<Vec<_>>(),
            "used_by": r.used_by,
        }),
    }
}

/// The JSON report, pretty-printed: byte for byte what `serde_json::to_string_pretty` makes of
/// `{"files": [...], "summary": {...}}`, with each file's entry printed on every core.
fn json_report(reports: &[Report], summary: &Summary) -> String {
    let summary = json!({
        "analysed": summary.analysed, "skipped": summary.skipped, "unreadable": summary.unreadable,
        "pods": summary.pods, "without_docker": summary.without_docker, "other_documents": summary.other_documents, "errors": summary.errors, "warnings": summary.warnings, "suppressed": summary.suppressed,
    });
    let files: Vec<String> = reports
        .par_iter()
        .map(|r| indented(&serde_json::to_string_pretty(&file_json(r)).unwrap_or_default(), "    "))
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({ "files": [], "summary": summary })).unwrap_or_default();
    if !files.is_empty() {
        // `files` is the first key: its empty array is on the second line.
        let list = format!("\"files\": [\n{}\n  ]", files.join(",\n"));
        s = s.replacen("\"files\": []", &list, 1);
    }
    s.push('\n');
    s
}

/// `text` with `pad` before every line (a pretty JSON value nested in another: JSON strings
/// escape their line breaks, so every line break is between tokens).
fn indented(text: &str, pad: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(pad);
        out.push_str(line);
    }
    out
}

/// Says on stderr what `--fix` did: each fix applied, each refused with its reason, and the
/// totals.
fn report_fixes(fixes: &[FixOutcome], diff: bool, unsafe_fixes: bool) {
    let (mut applied, mut files, mut unsafe_left) = (0, 0, 0);
    let verb = if diff { "would fix" } else { "fixed" };
    for o in fixes {
        for a in &o.fixed.applied {
            let d = &a.diagnostic;
            let title = d.fix.as_ref().map_or("", |f| f.title.as_str());
            let code = d.code.map_or_else(String::new, |c| format!("[{c}]"));
            let settles = if a.settles.is_empty() {
                String::new()
            } else {
                let codes: Vec<String> = a.settles.iter().map(ToString::to_string).collect();
                format!(" (which also settles {})", codes.join(", "))
            };
            eprintln!("{}:{}: {verb}{code} {title}{settles}", o.label, a.line);
        }
        for r in &o.fixed.refused {
            let code = r.diagnostic.code.map_or_else(String::new, |c| format!("[{c}]"));
            eprintln!(
                "{}:{}: not fixed{code} at {}: {}",
                o.label, r.line, r.diagnostic.path, r.reason
            );
        }
        if o.fixed.exhausted {
            eprintln!(
                "{}: stopped at the work bound with fixes left (a very large file); run --fix again",
                o.label
            );
        }
        if !o.fixed.applied.is_empty() {
            files += 1;
        }
        applied += o.fixed.applied.len();
        unsafe_left += o.fixed.unsafe_available;
    }
    let mut line = format!("{verb} {applied} finding(s) in {files} file(s)");
    if unsafe_left > 0 && !unsafe_fixes {
        line.push_str(&format!("; {unsafe_left} more with --unsafe-fixes"));
    }
    eprintln!("{line}");
}

/// Runs `dind rules`.
pub fn rules(format: TextOrJson) -> u8 {
    let out = match format {
        TextOrJson::Text => {
            let mut s = String::new();
            for code in Code::ALL {
                let i = code.info();
                s.push_str(&format!(
                    "{}  {:<7}  {:<32} {}\n",
                    i.code,
                    i.severity.as_str(),
                    i.name,
                    i.summary
                ));
            }
            s
        }
        TextOrJson::Json => {
            let rules: Vec<_> = Code::ALL
                .iter()
                .map(|c| {
                    let i = c.info();
                    json!({"code": i.code, "name": i.name, "severity": i.severity.as_str(), "summary": i.summary, "why": i.why, "example": i.example, "fix": i.fix, "autofix": i.autofix.map(|(a, why)| json!({"applicability": a.as_str(), "why": why}))})
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&json!({ "rules": rules })).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    match crate::output::emit(&out, None) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}

/// Runs `dind explain`.
pub fn explain(code: &str) -> u8 {
    let Some(c) = Code::parse(code) else {
        eprintln!(
            "error: unknown rule code `{code}`; `dind rules` lists them ({}..{})",
            Code::ALL[0],
            Code::ALL[Code::ALL.len() - 1]
        );
        return exit::USAGE;
    };
    let i = c.info();
    let autofix = match i.autofix {
        Some((class, why)) => format!("\nAutomatic fix\n{class} (dind lint {}): {why}\n", fix_flags(class)),
        None => "\nAutomatic fix\nnone: the repair needs a decision dind cannot make for you.\n".to_string(),
    };
    let text = format!(
        "{} ({}, {})\n\n{}\n\nWhy\n{}\n\nExample\n{}\n\nFix\n{}\n{autofix}",
        i.code,
        i.name,
        i.severity.as_str(),
        i.summary,
        i.why,
        i.example
            .lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        i.fix
    );
    match crate::output::emit(&text, None) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(label: &str, result: Result<FileReport, String>) -> Report {
        Report {
            label: label.into(),
            source: String::new(),
            result,
            suppressed: Vec::new(),
            used_by: vec!["Jenkinsfile:4".into()],
        }
    }

    #[test]
    fn credentials_are_masked_in_source_lines() {
        assert_eq!(masked("      value: hunter2"), "      value: ********");
        assert_eq!(
            masked("  - {name: REGISTRY_PASSWORD, value: 'hunter2'}"),
            "  - {name: REGISTRY_PASSWORD, value: ********"
        );
        assert_eq!(
            masked("containerEnvVar(key: 'DOCKER_PASSWORD', value: 's3cr3t')"),
            "containerEnvVar(key: 'DOCKER_PASSWORD', value: ********"
        );
        assert_eq!(
            masked("    - docker login -u me -p hunter2 r"),
            "    - docker login -u me -p ********"
        );
        assert_eq!(masked("  args: [--password=hunter2]"), "  args: [--password=********");
        assert_eq!(masked("    hunter2"), "    (not shown: the line holds a credential)");
        for line in ["value: hunter2", "-p hunter2 x", "hunter2", "--password=hunter2"] {
            assert!(!masked(line).contains("hunter2"), "{line}");
        }
    }

    #[test]
    fn the_json_report_is_what_serde_json_prints_of_the_whole() {
        let pod =
            "spec:\n  containers:\n  - name: dind\n    image: docker:dind\n    args: [\"a\\nb\", \"\\\"q\\\"\"]\n";
        let linted = dind_core::lint::lint_file("pod.yaml", pod, &Context::default()).unwrap_or_default();
        assert!(!linted.findings.is_empty());
        for reports in [
            vec![],
            vec![report("a.yaml", Ok(linted.clone()))],
            vec![
                report("a.yaml", Ok(linted)),
                report("b.yaml", Err("b.yaml: not UTF-8".into())),
                report("c.yaml", Ok(FileReport::default())),
            ],
        ] {
            let summary = Summary::of(&reports);
            let whole = json!({
                "files": reports.iter().map(file_json).collect::<Vec<_>>(),
                "summary": {
                    "analysed": summary.analysed, "skipped": summary.skipped, "unreadable": summary.unreadable,
                    "pods": summary.pods, "without_docker": summary.without_docker, "other_documents": summary.other_documents, "errors": summary.errors, "warnings": summary.warnings, "suppressed": summary.suppressed,
                },
            });
            let want = format!("{}\n", serde_json::to_string_pretty(&whole).unwrap_or_default());
            assert_eq!(json_report(&reports, &summary), want);
        }
    }
}
