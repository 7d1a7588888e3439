//! `dind lint`, `dind rules`, `dind explain`.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use dind_core::facts::KubeVersion;
use dind_core::lint::{Finding, lint_source};
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

/// Flags of `dind lint`.
#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files to lint (Pod YAML, Jenkinsfile, JCasC); `-` reads standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Target Kubernetes minor (1.25 to 1.37).
    #[arg(long)]
    kube_version: Option<String>,
}

/// The largest file `dind lint` reads.
const MAX_INPUT: u64 = 16 << 20;

fn read_input(path: &PathBuf) -> Result<(String, String), String> {
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    let result = if name == "-" {
        std::io::stdin().lock().take(MAX_INPUT + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut bytes))
    };
    let label = if name == "-" { "<stdin>".to_string() } else { name };
    result.map_err(|e| format!("{label}: cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(format!("{label}: larger than {MAX_INPUT} bytes"));
    }
    if bytes.contains(&0) {
        return Err(format!("{label}: binary data (NUL bytes), not YAML or a Jenkinsfile"));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{label}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((label, text))
}

enum FileResult {
    Findings(Vec<Finding>),
    Unreadable(String),
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
    let errors = findings
        .iter()
        .filter(|f| f.diagnostic.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    out.push_str(&format!("{path}: {errors} error(s), {warnings} warning(s)\n"));
    out
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
    let mut code = exit::OK;
    let mut files_json = Vec::new();
    let mut text = String::new();
    for path in &args.files {
        let (label, result, source) = match read_input(path) {
            Err(e) => (path.display().to_string(), FileResult::Unreadable(e), String::new()),
            Ok((label, source)) => match lint_source(&label, &source, &ctx) {
                Ok(findings) => (label, FileResult::Findings(findings), source),
                Err(e) => (label.clone(), FileResult::Unreadable(format!("{label}: {e}")), source),
            },
        };
        match result {
            FileResult::Unreadable(e) => {
                eprintln!("error: {e}");
                code = code.max(exit::USAGE);
                files_json.push(json!({"path": label, "error": e, "findings": []}));
            }
            FileResult::Findings(findings) => {
                if findings.iter().any(|f| f.diagnostic.severity == Severity::Error) {
                    code = code.max(exit::FINDINGS);
                }
                match args.format {
                    TextOrJson::Text => text.push_str(&text_report(&label, &source, &findings)),
                    TextOrJson::Json => files_json.push(
                        json!({"path": label, "findings": findings.iter().map(finding_json).collect::<Vec<_>>()}),
                    ),
                }
            }
        }
    }
    let out = match args.format {
        TextOrJson::Text => text,
        TextOrJson::Json => {
            let mut s = serde_json::to_string_pretty(&json!({ "files": files_json })).unwrap_or_default();
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
