//! `dind lint`, `dind rules`, `dind explain`.

mod inputs;
mod sarif;

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use dind_core::facts::KubeVersion;
use dind_core::lint::{FileReport, Finding, lint_file};
use dind_core::rules::Context;
use dind_core::{Code, Severity};
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
}

/// What linting one input gave.
pub(crate) struct Report {
    label: String,
    source: String,
    result: Result<FileReport, String>,
}

/// A walked file that does not parse is skipped, not an error: a Helm or Go template, a YAML
/// dialect, a Groovy script with syntax dind does not read. A file named on the command line
/// that does not parse is unreadable input (exit 2).
fn lint_input(input: inputs::Input, ctx: &Context) -> Report {
    let label = input.label;
    let text = match input.text {
        Ok(t) => t,
        Err(e) if input.walked => {
            return Report {
                label,
                source: String::new(),
                result: Ok(skipped_file(&e)),
            };
        }
        Err(e) => {
            return Report {
                label,
                source: String::new(),
                result: Err(e),
            };
        }
    };
    let result = match lint_file(&label, &text, ctx) {
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
    Report {
        label,
        source: text,
        result,
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
        out.push('\n');
    }
    out
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
    })
}

/// The totals of a run.
#[derive(Default)]
struct Summary {
    analysed: usize,
    skipped: usize,
    unreadable: usize,
    pods: usize,
    other_documents: usize,
    errors: usize,
    warnings: usize,
}

impl Summary {
    fn of(reports: &[Report]) -> Summary {
        let mut s = Summary::default();
        for r in reports {
            match &r.result {
                Err(_) => s.unreadable += 1,
                Ok(f) => {
                    if f.pods.is_empty() && f.findings.is_empty() {
                        s.skipped += 1;
                    } else {
                        s.analysed += 1;
                    }
                    s.pods += f.pods.len();
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
        if self.other_documents > 0 {
            line.push_str(&format!(", {} other document(s)", self.other_documents));
        }
        line.push_str(&format!("), {} skipped", self.skipped));
        if self.unreadable > 0 {
            line.push_str(&format!(", {} unreadable", self.unreadable));
        }
        line.push_str(&format!(": {} error(s), {} warning(s)\n", self.errors, self.warnings));
        line
    }
}

/// Runs `dind lint`.
pub fn run(args: LintArgs) -> u8 {
    let kube_version = match args.kube_version.as_deref().map(KubeVersion::parse) {
        None => KubeVersion::default(),
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            eprintln!("error: --kube-version: {e}");
            return exit::USAGE;
        }
    };
    let ctx = Context::new(kube_version);
    let reports: Vec<Report> = inputs::collect(&args.files)
        .into_iter()
        .map(|i| lint_input(i, &ctx))
        .collect();
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
        LintFormat::Text => {
            let mut text = String::new();
            for r in &reports {
                if let Ok(f) = &r.result
                    && !(f.pods.is_empty() && f.findings.is_empty())
                {
                    text.push_str(&text_report(&r.label, &r.source, &f.findings));
                    let (e, w) = counts(&f.findings);
                    text.push_str(&format!("{}: {e} error(s), {w} warning(s)\n", r.label));
                }
            }
            text.push_str(&summary.line());
            text
        }
        LintFormat::Json => {
            let files: Vec<serde_json::Value> = reports
                .iter()
                .map(|r| match &r.result {
                    Err(e) => json!({"path": r.label, "error": e, "findings": []}),
                    Ok(f) => json!({
                        "path": r.label,
                        "findings": f.findings.iter().map(finding_json).collect::<Vec<_>>(),
                        "pods": f.pods.iter().map(|p| json!({"label": p.label, "line": p.line})).collect::<Vec<_>>(),
                        "skipped": f.skipped.iter().map(|s| json!({"line": s.line, "reason": s.reason})).collect::<Vec<_>>(),
                    }),
                })
                .collect();
            let summary = json!({
                "analysed": summary.analysed, "skipped": summary.skipped, "unreadable": summary.unreadable,
                "pods": summary.pods, "other_documents": summary.other_documents, "errors": summary.errors, "warnings": summary.warnings,
            });
            let mut s =
                serde_json::to_string_pretty(&json!({ "files": files, "summary": summary })).unwrap_or_default();
            s.push('\n');
            s
        }
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
                    json!({"code": i.code, "name": i.name, "severity": i.severity.as_str(), "summary": i.summary, "why": i.why, "example": i.example, "fix": i.fix})
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
    let text = format!(
        "{} ({}, {})\n\n{}\n\nWhy\n{}\n\nExample\n{}\n\nFix\n{}\n",
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
