//! What a pod dind builds wires, drawn: the same drawing as `dind explain` makes of a pod it
//! reads ([`crate::explain`]), from the pod's [`crate::topology::Topology`] and the rules'
//! verdicts, so it shows what the pod does, not what the builder meant.

use k8s_openapi::api::core::v1::Pod;

use crate::explain::{self, PodWiring};
use crate::rules::Context;

/// `Pod NAME`, as the drawings label a built pod.
fn label(pod: &Pod) -> String {
    match pod.metadata.name.as_deref() {
        Some(name) if !name.is_empty() => format!("Pod {name}"),
        _ => "Pod".to_string(),
    }
}

fn wiring(pod: &Pod) -> PodWiring {
    PodWiring::of_pod(pod, &Context::default())
}

/// The wiring as text ([`explain::text`]).
///
/// ```
/// let built = dind_core::DindPod::new().build().unwrap();
/// let text = dind_core::render::diagram::diagram(built.pod());
/// assert!(text.contains("unix:///dind/docker.sock"));
/// ```
pub fn diagram(pod: &Pod) -> String {
    explain::text(&wiring(pod), &label(pod))
}

/// The wiring as a Graphviz digraph ([`explain::dot`]).
///
/// ```
/// let built = dind_core::DindPod::new().build().unwrap();
/// assert!(dind_core::render::diagram::dot(built.pod()).starts_with("digraph dind {"));
/// ```
pub fn dot(pod: &Pod) -> String {
    explain::dot(&[(&label(pod), &wiring(pod))])
}

/// The wiring as a Mermaid flowchart ([`explain::mermaid`]).
///
/// ```
/// let built = dind_core::DindPod::new().build().unwrap();
/// assert!(dind_core::render::diagram::mermaid(built.pod()).starts_with("flowchart LR"));
/// ```
pub fn mermaid(pod: &Pod) -> String {
    explain::mermaid(&[(&label(pod), &wiring(pod))])
}
