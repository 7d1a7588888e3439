//! `jenkins-helper`: prints or writes the agent pod and Jenkins files that its build script
//! generated with dind (embedded at compile time, so the binary has no runtime dependency).
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// What to print.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum What {
    /// The Pod manifest.
    PodYaml,
    /// The Jenkins agent's pod as plain YAML (for `yamlFile`).
    JenkinsYaml,
    /// A scripted Jenkinsfile.
    Jenkinsfile,
    /// A declarative Jenkinsfile.
    JenkinsfileDeclarative,
    /// A JCasC pod template.
    Jcasc,
}

/// Prints the build agent's pod or Jenkins files.
#[derive(Parser, Debug)]
#[command(name = "jenkins-helper", version, about)]
struct Args {
    /// What to print.
    #[arg(value_enum)]
    what: What,
    /// Write to this file instead of stdout.
    #[arg(long)]
    output: Option<PathBuf>,
}

const POD_YAML: &str = include_str!(concat!(env!("OUT_DIR"), "/pod.yaml"));
const JENKINS_YAML: &str = include_str!(concat!(env!("OUT_DIR"), "/jenkins-pod.yaml"));
const JENKINSFILE: &str = include_str!(concat!(env!("OUT_DIR"), "/Jenkinsfile"));
const JENKINSFILE_DECLARATIVE: &str = include_str!(concat!(env!("OUT_DIR"), "/Jenkinsfile.declarative"));
const JCASC: &str = include_str!(concat!(env!("OUT_DIR"), "/jcasc.yaml"));

/// Writes a temporary file beside `path` and renames it into place: readers see the old file or
/// the new one, never half of one.
fn write_whole(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

fn main() -> ExitCode {
    let args = Args::parse();
    let text = match args.what {
        What::PodYaml => POD_YAML,
        What::JenkinsYaml => JENKINS_YAML,
        What::Jenkinsfile => JENKINSFILE,
        What::JenkinsfileDeclarative => JENKINSFILE_DECLARATIVE,
        What::Jcasc => JCASC,
    };
    let result = match &args.output {
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(text.as_bytes())
        }
        Some(path) => write_whole(path, text),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
