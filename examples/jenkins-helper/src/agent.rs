//! The agent's configuration: one struct, derived into a dind pod. Shared by the build script
//! (which generates the files) and the tests (which check them).

use std::collections::BTreeMap;

use dind::render::jenkins::JenkinsOptions;
use dind::{Client, DindConfig};

/// The build agent: TLS, MTU for the pod network, a mirror, a non-root build container.
#[derive(DindConfig)]
#[dind(transport = "tls", docker_version = "29")]
pub struct Agent {
    /// The pod network's MTU minus overhead.
    #[dind(mtu)]
    pub network_mtu: u32,
    /// Pull-through caches.
    pub registry_mirrors: Vec<String>,
    /// Where the steps run.
    pub clients: Vec<Client>,
    /// Pod labels.
    pub labels: BTreeMap<String, String>,
    /// Steps of the generated Jenkinsfiles.
    #[dind(skip)]
    pub steps: Vec<String>,
}

/// The agent this helper ships.
pub fn agent() -> Agent {
    Agent {
        network_mtu: 1440,
        registry_mirrors: vec!["https://mirror.gcr.io".into()],
        clients: vec![Client::new("build").env("BUILDKIT_PROGRESS", "plain")],
        labels: BTreeMap::from([("app.kubernetes.io/name".to_string(), "jenkins-agent".to_string())]),
        steps: vec!["docker version".into(), "docker build -t app:$BUILD_NUMBER .".into()],
    }
}

/// Every generated file: its name under `generated/` (or `OUT_DIR`) and how to add it.
pub fn generate(agent: &Agent, out: &mut dind::codegen::Codegen) -> Result<(), dind::Diagnostics> {
    let options = jenkins_options(agent);
    let jenkins = agent.build_jenkins()?;
    out.pod_yaml("pod.yaml", &agent.build()?);
    out.jenkins_yaml("jenkins-pod.yaml", &jenkins);
    out.jenkinsfile("Jenkinsfile", &jenkins, &options)?;
    out.jenkinsfile_declarative("Jenkinsfile.declarative", &jenkins, &options)?;
    out.jcasc("jcasc.yaml", &jenkins, &options)?;
    Ok(())
}

/// The Jenkins options for the generated files.
pub fn jenkins_options(agent: &Agent) -> JenkinsOptions {
    JenkinsOptions {
        steps: agent.steps.clone(),
        ..JenkinsOptions::default()
    }
}
