//! Rules about the container runtime and the pod's user namespace: what Sysbox refuses, and what
//! the API server does with `hostUsers: false`.

use super::Context;
use crate::fix::{Fix, PodEdit};
use crate::topology::Topology;
use crate::{Code, Diagnostic};

/// The host namespaces a pod can share, with their field names.
fn host_namespaces(t: &Topology<'_>) -> Vec<&'static str> {
    let s = t.spec;
    [
        ("hostNetwork", s.host_network),
        ("hostPID", s.host_pid),
        ("hostIPC", s.host_ipc),
    ]
    .into_iter()
    .filter(|(_, on)| *on == Some(true))
    .map(|(field, _)| field)
    .collect()
}

/// DIND027: what Sysbox refuses (`privileged`, host namespaces) or cannot run (rootlesskit).
pub(super) fn sysbox_unsupported(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    if !t.sysbox() {
        return;
    }
    for place in &t.containers {
        if place.container.security_context.as_ref().and_then(|s| s.privileged) == Some(true) {
            let path = format!("{}.securityContext.privileged", place.path());
            out.push(
                Diagnostic::rule(
                    Code::Dind027,
                    path.clone(),
                    "`privileged: true` under Sysbox: Sysbox does not support privileged containers, and its daemon needs none",
                )
                .in_container(place.name())
                .with_fix(Fix::safe("drop `privileged: true`", vec![PodEdit::remove(path)])),
            );
        }
    }
    // With `hostUsers: false` the API server refuses these already (DIND028).
    if t.spec.host_users != Some(false) {
        for field in host_namespaces(t) {
            out.push(
                Diagnostic::rule(
                    Code::Dind027,
                    format!("spec.{field}"),
                    format!("`{field}: true` under Sysbox: Sysbox does not support sharing the node's namespaces"),
                )
                .with_fix(Fix::safe(
                    format!("drop `{field}: true`"),
                    vec![PodEdit::remove(format!("spec.{field}"))],
                )),
            );
        }
    }
    for d in t.daemons.iter().filter(|d| d.wiring.rootlesskit) {
        out.push(
            Diagnostic::rule(
                Code::Dind027,
                format!("{}.image", d.place.path()),
                "a rootless daemon under Sysbox: rootlesskit's user namespace cannot nest inside Sysbox's, so dockerd never starts; use the rootful `-dind` image, which Sysbox already runs unprivileged",
            )
            .in_container(d.place.name()),
        );
    }
}

/// DIND028: `hostUsers: false` with a host namespace, which the API server refuses.
pub(super) fn host_users_with_host_namespace(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    if t.spec.host_users != Some(false) {
        return;
    }
    for field in host_namespaces(t) {
        out.push(Diagnostic::rule(
            Code::Dind028,
            format!("spec.{field}"),
            format!("`{field}: true` with `hostUsers: false`: the API server refuses a user namespace together with a host namespace"),
        ));
    }
}

/// DIND029: `hostUsers: false` where the gate is off by default, so the field may be dropped.
pub(super) fn host_users_gate_off(t: &Topology<'_>, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if t.spec.host_users != Some(false) {
        return;
    }
    if let Some(problem) = dind_facts::host_users_problem(ctx.kube_version.minor) {
        out.push(Diagnostic::rule(Code::Dind029, "spec.hostUsers", problem));
    }
}
