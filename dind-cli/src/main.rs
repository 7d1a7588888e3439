//! `dind`: render Docker-in-Docker build pods for Jenkins agents on Kubernetes, and lint the ones
//! you already have. Exit codes: 0 ok (warnings allowed), 1 error-level findings, 2 usage or
//! unreadable input.
#![forbid(unsafe_code)]

mod lint_cmd;
mod output;
mod render_cmd;

use std::process::ExitCode;

/// mimalloc: linting allocates many small values (YAML nodes, JSON values, paths); the system
/// allocator spent a fifth of a tree walk in malloc and free. Without transparent huge pages
/// (`no_thp`): a short run that touches a few pages of each 2 MiB would otherwise spend a fifth of
/// its time in the kernel zeroing whole huge pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Explain a rule (`dind explain DIND005`), or draw what the pods of files wire: daemons,
    /// listeners, clients and whether they are served, waits, shared volumes (text, json, dot,
    /// mermaid).
    Explain(lint_cmd::ExplainArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    ///
    /// bash: `dind completions bash > /etc/bash_completion.d/dind`; zsh: `dind completions zsh >
    /// "${fpath[1]}/_dind"`; fish: `dind completions fish > ~/.config/fish/completions/dind.fish`;
    /// PowerShell: `dind completions powershell | Out-String | Invoke-Expression`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a JSON Schema, for editors and language servers: `settings` (`dind render --config`,
    /// the default), `lint` (dind.toml) or `explain` (`dind explain --format json`).
    Schema {
        /// Which file.
        #[arg(value_enum, default_value_t = SchemaKind::Settings)]
        kind: SchemaKind,
    },
    /// Print a man page (roff) generated from the same definitions as `--help`: `dind(1)`, or
    /// `dind-SUBCOMMAND(1)` for one subcommand.
    ///
    /// `dind man > /usr/local/share/man/man1/dind.1`, `dind man lint > .../dind-lint.1`.
    Man {
        /// A subcommand (render, lint, rules, explain, completions, man).
        subcommand: Option<String>,
    },
}

/// The settings files that have a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SchemaKind {
    /// The settings file of `dind render --config`.
    Settings,
    /// `dind.toml`, the `[lint]` table.
    Lint,
    /// The output of `dind explain --format json`.
    Explain,
}

/// A schema, pretty-printed.
fn schema(kind: SchemaKind) -> u8 {
    let value = match kind {
        SchemaKind::Settings => dind_core::config::settings_schema(),
        SchemaKind::Lint => lint_cmd::settings::schema(),
        SchemaKind::Explain => dind_core::explain::schema(),
    };
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    emit_bytes(text.as_bytes())
}

/// The completion script for `shell`.
fn completions(shell: clap_complete::Shell) -> u8 {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "dind", &mut out);
    emit_bytes(&out)
}

/// A man page: `dind(1)`, or `dind-SUBCOMMAND(1)`.
fn man(subcommand: Option<&str>) -> u8 {
    let cmd = <Cli as clap::CommandFactory>::command();
    let page = match subcommand {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => {
                let full = format!("dind-{name}");
                sub.clone()
                    .display_name(full.clone())
                    .bin_name(full)
                    .version(env!("CARGO_PKG_VERSION"))
            }
            None => {
                let names: Vec<&str> = cmd.get_subcommands().map(clap::Command::get_name).collect();
                eprintln!("error: no subcommand `{name}` (expected one of: {})", names.join(", "));
                return exit::USAGE;
            }
        },
    };
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).render(&mut out) {
        eprintln!("error: cannot render the man page: {e}");
        return exit::USAGE;
    }
    emit_bytes(&out)
}

fn emit_bytes(bytes: &[u8]) -> u8 {
    match crate::output::emit(&String::from_utf8_lossy(bytes), None) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
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
        Command::Explain(args) => lint_cmd::explain_run(args),
        Command::Completions { shell } => completions(shell),
        Command::Man { subcommand } => man(subcommand.as_deref()),
        Command::Schema { kind } => schema(kind),
    };
    ExitCode::from(code)
}
