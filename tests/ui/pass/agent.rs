//! A crate outside the workspace derives DindConfig and gets the same pod as the builder.
use std::collections::BTreeMap;

use dind::{Client, DindConfig, DindPod, Engine, Runtime, Transport, UserNamespace};

#[derive(DindConfig)]
#[dind(transport = "tcp", docker_version = "29")]
struct Agent {
    port: u16,
    #[dind(mtu)]
    network_mtu: Option<u32>,
    clients: Vec<Client>,
    labels: BTreeMap<String, String>,
    #[dind(skip)]
    _note: &'static str,
}

#[derive(DindConfig)]
#[dind(crate = "::dind", socket = "/dind-only/docker.sock", rootless)]
struct Rootless<T: Clone> {
    #[dind(skip)]
    _extra: T,
}

#[derive(DindConfig)]
#[dind(runtime = "sysbox", user_namespace = "cri-o", transport = "tls")]
struct Sysbox {}

#[derive(DindConfig)]
#[dind(engine = "buildkit", buildkit_version = "0.31", registry_auth = "registry-credentials")]
struct Buildkit {}

fn main() {
    let buildkit = Buildkit {}.build().unwrap().to_yaml();
    let builder = DindPod::new().engine(Engine::Buildkit).buildkit_version("0.31").registry_auth("registry-credentials").build().unwrap().to_yaml();
    assert_eq!(buildkit, builder);
    assert!(buildkit.contains("moby/buildkit:v0.31.2-rootless"));
    let sysbox = Sysbox {}.build().unwrap().to_yaml();
    let builder = DindPod::new().runtime(Runtime::Sysbox).user_namespace(UserNamespace::CriO).transport(Transport::tls()).build().unwrap().to_yaml();
    assert_eq!(sysbox, builder);
    assert!(sysbox.contains("runtimeClassName: sysbox-runc"));
    let agent = Agent { port: 8989, network_mtu: Some(1440), clients: vec![Client::new("demo")], labels: BTreeMap::new(), _note: "" };
    let derived = agent.build().unwrap().to_yaml();
    let builder = DindPod::new().transport(Transport::Tcp { port: 8989 }).docker_version("29").mtu(1440).client(Client::new("demo")).build().unwrap().to_yaml();
    assert_eq!(derived, builder);
    let r = Rootless { _extra: 1u8 }.build().unwrap();
    assert!(r.to_yaml().contains("dind-rootless"));
    let err = Agent { port: 0, network_mtu: None, clients: vec![], labels: BTreeMap::new(), _note: "" }.build().unwrap_err();
    assert_eq!(err.as_slice()[0].path, "Agent.port");
    assert_eq!(err.to_string(), "error: Agent.port: 0 is not a valid TCP port (1..=65535)");
}
