//! Generates the helper's pod YAML, Jenkinsfiles and JCasC template into `OUT_DIR`, where the
//! binary embeds them. The copies checked in under `generated/` (so reviewers see what changes)
//! are kept current by the `generated_files_are_current` test.

#[path = "src/agent.rs"]
#[allow(dead_code)]
mod agent;

use dind::codegen::Codegen;

fn main() {
    if let Err(e) = generate() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn generate() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = Codegen::out_dir()?;
    out.watch("build.rs").watch("src/agent.rs");
    agent::generate(&agent::agent(), &mut out)?;
    out.finish()?;
    Ok(())
}
