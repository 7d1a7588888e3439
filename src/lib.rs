//! # dind
//!
//! Docker-in-Docker build pods for Jenkins agents on Kubernetes, correct by construction.
//!
//! [`DindPod`] is a typed builder: it produces a validated `k8s_openapi` Pod, which renders as a
//! Pod manifest (YAML that YAML 1.1 and 1.2 readers read alike, or JSON), a Jenkins scripted
//! `podTemplate`, a declarative `agent { kubernetes }` or a JCasC template. The rules that check
//! what the builder makes also lint pods people already have ([`lint_yaml`], [`lint_jenkinsfile`]).
//!
//! ```
//! use dind::{Client, DindPod, Probe, Transport};
//!
//! let built = DindPod::new()
//!     .transport(Transport::Tls { port: 2376 })
//!     .mtu(1440)
//!     .probe(Probe::startup())
//!     .client(Client::new("docker"))
//!     .build()?;
//! let yaml = built.to_yaml();
//! assert!(yaml.contains("DOCKER_CERT_PATH"));
//! # Ok::<(), dind::Diagnostics>(())
//! ```
#![forbid(unsafe_code)]

pub use dind_core::*;
