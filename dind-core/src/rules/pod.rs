//! Pod-wide rules: images, names, host sockets, security fields, sidecar support.

use super::Context;
use crate::facts::{DockerImage, kube};
use crate::syntax::is_dns_label;
use crate::topology::Topology;
use crate::{Code, Diagnostic};

/// DIND009: pinned images for the daemon and the clients.
pub(super) fn image_unpinned(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    let places = t
        .daemons
        .iter()
        .map(|d| d.place)
        .chain(t.clients.iter().map(|c| c.place));
    for place in places {
        let reference = place.container.image.as_deref().unwrap_or("");
        let image = DockerImage::parse(reference);
        let floating = if image.digest {
            false
        } else {
            match image.tag.as_deref() {
                None | Some("latest") => true,
                Some(_) => image.is_docker_repository() && !image.is_pinned(),
            }
        };
        if floating {
            out.push(
                Diagnostic::rule(
                    Code::Dind009,
                    format!("{}.image", place.path()),
                    format!(
                        "image `{reference}` floats; pin a full version such as `docker:{}-dind`",
                        crate::facts::latest_docker()
                    ),
                )
                .in_container(place.name()),
            );
        }
    }
}

/// DIND016: privileged containers must allow escalation.
pub(super) fn privileged_without_escalation(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for place in &t.containers {
        let sc = place.container.security_context.as_ref();
        if sc.and_then(|s| s.privileged) == Some(true) && sc.and_then(|s| s.allow_privilege_escalation) == Some(false) {
            out.push(
                Diagnostic::rule(
                    Code::Dind016,
                    format!("{}.securityContext.allowPrivilegeEscalation", place.path()),
                    "`privileged: true` with `allowPrivilegeEscalation: false`; the API rejects the pod".to_string(),
                )
                .in_container(place.name()),
            );
        }
    }
}

const HOST_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run",
    "/run",
    "/var/run/docker",
    "/run/docker",
];

/// DIND019: the node's docker socket mounted into the pod.
pub(super) fn host_docker_socket(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for (i, v) in t.spec.volumes.iter().flatten().enumerate() {
        if let Some(hp) = &v.host_path
            && HOST_SOCKETS.contains(&hp.path.trim_end_matches('/'))
        {
            out.push(Diagnostic::rule(
                Code::Dind019,
                format!("spec.volumes[{i}].hostPath.path"),
                format!(
                    "volume `{}` mounts the node's `{}` (docker-outside-of-docker: root on the node for every build)",
                    v.name, hp.path
                ),
            ));
        }
    }
}

/// DIND020: container and volume names.
pub(super) fn invalid_names(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<&str> = Vec::new();
    for place in &t.containers {
        let name = place.name();
        let path = format!("{}.name", place.path());
        if !is_dns_label(name) {
            out.push(
                Diagnostic::rule(
                    Code::Dind020,
                    path,
                    format!("container name `{name}` is not an RFC 1123 label"),
                )
                .in_container(name),
            );
        } else if seen.contains(&name) {
            out.push(
                Diagnostic::rule(Code::Dind020, path, format!("container name `{name}` is used twice"))
                    .in_container(name),
            );
        }
        seen.push(name);
    }
    for d in &t.daemons {
        if d.place.name() == "jnlp" {
            out.push(
                Diagnostic::rule(
                    Code::Dind020,
                    format!("{}.name", d.place.path()),
                    "the daemon is named `jnlp`, the name the Jenkins plugin gives its agent container".to_string(),
                )
                .in_container("jnlp"),
            );
        }
    }
    let mut volumes: Vec<&str> = Vec::new();
    for (i, v) in t.spec.volumes.iter().flatten().enumerate() {
        let path = format!("spec.volumes[{i}].name");
        if !is_dns_label(&v.name) {
            out.push(Diagnostic::rule(
                Code::Dind020,
                path,
                format!("volume name `{}` is not an RFC 1123 label", v.name),
            ));
        } else if volumes.contains(&v.name.as_str()) {
            out.push(Diagnostic::rule(
                Code::Dind020,
                path,
                format!("volume name `{}` is used twice", v.name),
            ));
        }
        volumes.push(&v.name);
    }
}

/// DIND022: native sidecars need Kubernetes >= 1.29.
pub(super) fn native_sidecar_unsupported(t: &Topology<'_>, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.kube_version.has_native_sidecars() {
        return;
    }
    for place in t.containers.iter().filter(|p| p.is_native_sidecar()) {
        out.push(
            Diagnostic::rule(
                Code::Dind022,
                format!("{}.restartPolicy", place.path()),
                format!(
                    "native sidecars need Kubernetes >= {}, the target is {}",
                    kube::NATIVE_SIDECAR,
                    ctx.kube_version
                ),
            )
            .in_container(place.name()),
        );
    }
}
