//! Shared by the examples: build the pod, print its warnings to stderr and its YAML to stdout,
//! or every error and exit 1.

use std::process::ExitCode;

/// Builds `pod` and prints it.
#[allow(dead_code)] // the tests include the examples for their pods, not for `main`
pub fn print(pod: dind::DindPod) -> ExitCode {
    match pod.build() {
        Ok(built) => {
            for w in built.warnings() {
                eprintln!("{w}");
            }
            print!("{}", built.to_yaml());
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            ExitCode::FAILURE
        }
    }
}
