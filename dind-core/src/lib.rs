//! dind-core: Docker-in-Docker build pods for Jenkins agents on Kubernetes.
//!
//! The path through the crate: [`DindPod`] (the typed builder) → [`build`](DindPod::build) (input
//! checks, [`wiring`], lowering into a `k8s_openapi` Pod) → [`topology`] (what the pod really
//! wires up, asked of the same [`wiring`] model) → [`rules`] (stable codes) → [`render`] (YAML,
//! JSON, Jenkins). [`lint`] runs the same rules on pods people already have.
#![forbid(unsafe_code)]

mod build;
pub mod codegen;
pub mod config;
#[doc(hidden)]
pub mod conventions;
mod cut;
#[doc(hidden)]
pub mod derived;
mod diagnostic;
pub mod explain;
pub mod facts;
#[doc(hidden)]
pub mod files;
pub mod fix;
pub mod groovy;
pub mod lint;
mod model;
mod pod_security;
pub mod render;
pub mod rules;
#[doc(hidden)]
pub mod syntax;
pub mod topology;
pub mod wiring;
#[doc(hidden)]
pub mod yaml;

pub use build::{DEFAULT_CLIENT_USER, DEFAULT_POD_NAME};
pub use derived::DindConfig;
pub use diagnostic::{Code, Diagnostic, Diagnostics, RuleInfo, Severity};
pub use lint::{lint_jcasc, lint_jenkinsfile, lint_yaml};
pub use model::*;
pub use pod_security::{PodSecurity, PodSecurityLevel};
pub use render::{Built, JenkinsPod};
