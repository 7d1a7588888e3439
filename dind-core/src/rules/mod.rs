//! The rule engine: every rule is a small function over the analysed [`Topology`]. The builder and
//! `dind lint` run the same list.

pub(crate) mod checks;
mod clients;
mod daemon;
mod listeners;
mod pod;
mod probes;

use k8s_openapi::api::core::v1::Pod;

use crate::facts::KubeVersion;
use crate::topology::Topology;
use crate::{Diagnostic, Severity};

/// What the rules know besides the pod.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct Context {
    /// The Kubernetes version the pod targets.
    pub kube_version: KubeVersion,
}

impl Context {
    /// The context for a Kubernetes version.
    pub fn new(kube_version: KubeVersion) -> Self {
        Context { kube_version }
    }
}

/// A rule: reads the topology, pushes findings.
type Rule = fn(&Topology<'_>, &Context, &mut Vec<Diagnostic>);

/// Every pod-level rule, in code order (DIND023 is about Jenkins source text and lives with the
/// Jenkins renderer and linter).
const RULES: &[Rule] = &[
    daemon::command_override,           // DIND001
    probes::probe_port_invalid,         // DIND002
    probes::probe_misses_daemon,        // DIND003
    clients::endpoint_unserved,         // DIND004
    clients::tls_incomplete,            // DIND005
    listeners::plaintext_exposed,       // DIND006
    daemon::not_privileged,             // DIND007
    daemon::no_data_root_volume,        // DIND008
    pod::image_unpinned,                // DIND009
    probes::not_awaited,                // DIND010
    daemon::experimental_obsolete,      // DIND011
    daemon::user_conflict,              // DIND012
    listeners::socket_path_invalid,     // DIND013
    listeners::duplicate_listener,      // DIND014
    listeners::unix_setup_opens_tcp,    // DIND015
    pod::privileged_without_escalation, // DIND016
    clients::client_exits,              // DIND017
    daemon::mtu_invalid,                // DIND018
    pod::host_docker_socket,            // DIND019
    pod::invalid_names,                 // DIND020
    daemon::memory_unbounded,           // DIND021
    pod::native_sidecar_unsupported,    // DIND022
    probes::probe_slow,                 // DIND024
    daemon::tls_certdir_null,           // DIND025
];

/// Runs every rule on a pod. Codes listed in the pod's `dind/allow` annotation are reported as
/// warnings, marked as allowed.
///
/// ```
/// use dind_core::{DindPod, rules};
/// let built = DindPod::new().build().unwrap();
/// let findings = rules::check(built.pod(), &rules::Context::default());
/// assert!(findings.iter().all(|d| !d.is_error()));
/// ```
pub fn check(pod: &Pod, ctx: &Context) -> Vec<Diagnostic> {
    let topology = Topology::of(pod);
    let mut out = Vec::new();
    for rule in RULES {
        rule(&topology, ctx, &mut out);
    }
    let allowed = topology.allowed();
    for d in &mut out {
        if let Some(code) = d.code
            && d.severity == Severity::Error
            && allowed.iter().any(|a| a == code.as_str())
        {
            d.severity = Severity::Warning;
            d.message.push_str(" (accepted by the dind/allow annotation)");
        }
    }
    out
}
