//! `dind`: render Docker-in-Docker build pods for Jenkins agents on Kubernetes, and lint the ones
//! you already have. Exit codes: 0 ok (warnings allowed), 1 error-level findings, 2 usage or
//! unreadable input.
#![forbid(unsafe_code)]

mod lint_cmd;
mod output;
mod render_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Docker-in-Docker build pods for Jenkins agents on Kubernetes.
#[derive(Parser, Debug)]
#[command(name = "dind", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render a pod (the recommended one with no options).
    Render(Box<render_cmd::RenderArgs>),
    /// Lint Pod YAML, Jenkinsfiles and JCasC files.
    Lint(lint_cmd::LintArgs),
    /// List the rules.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = lint_cmd::TextOrJson::Text)]
        format: lint_cmd::TextOrJson,
    },
    /// Print one rule's documentation.
    Explain {
        /// A rule code, e.g. DIND002.
        code: String,
    },
}

/// The exit codes.
pub(crate) mod exit {
    /// Success, warnings allowed.
    pub const OK: u8 = 0;
    /// Error-level findings.
    pub const FINDINGS: u8 = 1;
    /// Usage errors or unreadable input.
    pub const USAGE: u8 = 2;
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Render(args) => render_cmd::run(*args),
        Command::Lint(args) => lint_cmd::run(args),
        Command::Rules { format } => lint_cmd::rules(format),
        Command::Explain { code } => lint_cmd::explain(&code),
    };
    ExitCode::from(code)
}
