//! Generates the helper's pod YAML, Jenkinsfiles and JCasC template into `generated/` (checked in,
//! so reviewers see what changes). In CI, `DIND_CODEGEN_CHECK=1` turns this into a check that fails
//! when `generated/` is stale.

#[path = "src/agent.rs"]
#[allow(dead_code)]
mod agent;

use dind::DindConfig;
use dind::codegen::Codegen;

fn main() {
    if let Err(e) = generate() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn generate() -> Result<(), Box<dyn std::error::Error>> {
    let agent = agent::agent();
    let options = agent::jenkins_options(&agent);
    let pod = agent.build()?;
    let jenkins = agent.dind_pod().jenkins_workspace().build()?;
    let mut out = Codegen::checked_in("generated");
    out.watch("build.rs").watch("src/agent.rs");
    out.pod_yaml("pod.yaml", &pod);
    out.jenkinsfile("Jenkinsfile", &jenkins, &options)?;
    out.jenkinsfile_declarative("Jenkinsfile.declarative", &jenkins, &options)?;
    out.jcasc("jcasc.yaml", &jenkins, &options)?;
    let report = out.finish()?;
    for path in report.written {
        println!("cargo::warning=dind generated {}", path.display());
    }
    Ok(())
}
