//! dind-core: Docker-in-Docker build pods for Jenkins agents on Kubernetes.
//!
//! The path through the crate: [`DindPod`] (the typed builder) → [`lower`](DindPod::build) into a
//! `k8s_openapi` Pod → [`topology`] (what the pod really wires up) → [`rules`] (stable codes) →
//! [`render`] (YAML, JSON, Jenkins). [`lint`] runs the same rules on pods people already have.
#![forbid(unsafe_code)]

pub mod codegen;
pub mod config;
pub mod conventions;
pub mod derived;
mod diagnostic;
pub mod facts;
pub mod files;
pub mod lint;
mod lower;
mod model;
pub mod render;
pub mod rules;
pub mod syntax;
pub mod topology;
pub mod yaml;

pub use derived::DindConfig;
pub use diagnostic::{Code, Diagnostic, Diagnostics, RuleInfo, Severity};
pub use lint::{lint_jcasc, lint_jenkinsfile, lint_yaml};
pub use model::*;
pub use render::Built;
