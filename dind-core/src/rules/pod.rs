//! Pod-wide rules: images, names, host sockets, security fields, sidecar support.

use super::Context;
use super::checks;
use crate::facts::{DockerImage, ImageRole};
use crate::fix::{Fix, PodEdit};
use crate::topology::Topology;
use crate::{Code, Diagnostic};

/// DIND009: pinned images for the daemon and the clients, with a pin that fits the role.
pub(super) fn image_unpinned(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    let places = t
        .daemons
        .iter()
        // A dind image that looks meant as a client is DIND007's (the image is the root cause).
        .filter(|d| t.meant_as_client(d).is_none())
        .map(|d| {
            (
                d.place,
                ImageRole::Daemon {
                    rootless: d.wiring.rootless,
                },
            )
        })
        .chain(t.clients.iter().map(|c| (c.place, ImageRole::Cli)));
    for (place, role) in places {
        let reference = place.container.image.as_deref().unwrap_or("");
        let image = DockerImage::parse(reference);
        let floating = match image.tag.as_deref() {
            _ if image.digest => false,
            None | Some("latest") => true,
            Some(_) if image.is_docker_repository() => image.floats(),
            // Another image that runs dockerd (a runner's `-dind-rootless` variant, say).
            Some(tag) => matches!(role, ImageRole::Daemon { .. }) && moving_tag(tag),
        };
        if floating {
            let pin = image.pinned_suggestion(role);
            let suggestion = pin.as_ref().map_or_else(
                || "pin a full version or a digest".to_string(),
                |s| format!("pin a full version such as `{s}`"),
            );
            let path = format!("{}.image", place.path());
            let mut diagnostic = Diagnostic::rule(
                Code::Dind009,
                path.clone(),
                format!("image `{reference}` floats; {suggestion}"),
            )
            .in_container(place.name());
            if let Some(pin) = pin {
                diagnostic = diagnostic.with_fix(Fix::unsafe_(format!("pin `{pin}`"), vec![PodEdit::set(path, pin)]));
            }
            out.push(diagnostic);
        }
    }
}

/// Whether a tag of an image that is not `docker` moves: a channel word (`latest`, `nightly`,
/// `edge`, `stable`, `dind`, ...) or a bare major (`27`), alone or before `-dind`,
/// `-dind-rootless` or `-rootless`.
///
/// `2.311.0-dind` and `ubuntu-22.04` are pinned; `latest-dind`, `nightly` and `27-dind` are not.
fn moving_tag(tag: &str) -> bool {
    let tag = tag.to_ascii_lowercase();
    let base = ["-dind-rootless", "-dind", "-rootless"]
        .iter()
        .find_map(|s| tag.strip_suffix(s))
        .unwrap_or(&tag);
    matches!(
        base,
        "latest"
            | "nightly"
            | "edge"
            | "stable"
            | "dind"
            | "rootless"
            | "dind-rootless"
            | "test"
            | "main"
            | "master"
            | "dev"
    ) || (!base.is_empty() && base.bytes().all(|b| b.is_ascii_digit()))
}

/// DIND037: a Jenkins agent pod whose `jnlp` container runs something else than the agent.
pub(super) fn jenkins_agent_replaced(t: &Topology<'_>, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.runner != super::Runner::Jenkins {
        return;
    }
    for place in t.containers.iter().filter(|p| !p.init && p.name() == "jnlp") {
        let Some(command) = place.container.command.as_deref().filter(|c| !c.is_empty()) else {
            continue;
        };
        let words = command.iter().chain(place.container.args.iter().flatten());
        // A command that still starts the agent (the entrypoint, or the agent jar) is kept.
        if words.clone().any(|w| {
            let base = w.rsplit('/').next().unwrap_or(w);
            base.starts_with("jenkins-agent")
                || base.starts_with("jenkins-slave")
                || w.contains("agent.jar")
                || w.contains("remoting")
        }) {
            continue;
        }
        out.push(
            Diagnostic::rule(
                Code::Dind037,
                format!("{}.command", place.path()),
                format!(
                    "`jnlp` runs `{}` instead of the Jenkins agent: the agent never connects, and the build waits until the plugin gives up on the pod",
                    command.join(" ")
                ),
            )
            .in_container("jnlp"),
        );
    }
}

/// The node paths that hold its container engines' state.
const NODE_ENGINE_STATE: &[&str] = &["/var/lib/docker", "/var/lib/containerd"];

/// DIND038: the node's Docker or containerd state mounted into the pod.
pub(super) fn node_docker_state(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for (i, v) in t.spec.volumes.iter().flatten().enumerate() {
        let Some(hp) = &v.host_path else { continue };
        let path = hp.path.trim_end_matches('/');
        if !NODE_ENGINE_STATE
            .iter()
            .any(|s| path == *s || path.starts_with(&format!("{s}/")))
            || !t.mounted(&v.name)
        {
            continue;
        }
        out.push(Diagnostic::rule(
            Code::Dind038,
            format!("spec.volumes[{i}].hostPath.path"),
            format!(
                "volume `{}` mounts the node's `{}`: a daemon of the pod would share the node's engine state (and every pod's that mounts it), and its containers can read every image of the node",
                v.name, hp.path
            ),
        ));
    }
}

/// Whether shell words make a path world-writable: `chmod 666|777|a+rw|o+w|...` of something.
fn world_writable_chmod(words: &[String]) -> Option<String> {
    let script = words.join(" ");
    let w = crate::wiring::shell_words(&script);
    w.windows(3).find_map(|x| {
        let mode = x[1].as_str();
        let wide = matches!(
            mode,
            "666" | "777" | "0666" | "0777" | "a+rw" | "a+w" | "o+w" | "o+rw" | "ugo+rw"
        );
        (x[0].rsplit('/').next() == Some("chmod") && wide && x[2].contains(".sock"))
            .then(|| format!("chmod {mode} {}", x[2]))
    })
}

/// DIND039: the daemon's socket made writable by everyone.
pub(super) fn socket_world_writable(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for place in &t.containers {
        let c = place.container;
        for (field, words) in [("command", &c.command), ("args", &c.args)] {
            let Some(found) = words.as_deref().and_then(world_writable_chmod) else {
                continue;
            };
            out.push(
                Diagnostic::rule(
                    Code::Dind039,
                    format!("{}.{field}", place.path()),
                    format!(
                        "`{found}` lets every process that sees the socket control the daemon; give the client's group to it with `dockerd --group` instead"
                    ),
                )
                .in_container(place.name()),
            );
        }
    }
}

/// Whether shell words register binfmt handlers in the node's kernel through a privileged
/// container (`docker run --privileged tonistiigi/binfmt`, `multiarch/qemu-user-static`).
fn registers_binfmt(words: &str) -> bool {
    let w = crate::wiring::shell_words(words);
    w.windows(2).any(|p| p[0] == "docker" && p[1] == "run")
        && w.iter().any(|x| x == "--privileged" || x == "--privileged=true")
        && w.iter().any(|x| x.contains("binfmt") || x.contains("qemu-user-static"))
}

/// DIND040: privilege where no daemon runs, and binfmt registrations that change the node.
pub(super) fn privilege_beyond_daemon(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for c in &t.clients {
        let sc = c.place.container.security_context.as_ref();
        if sc.and_then(|s| s.privileged) != Some(true) {
            continue;
        }
        out.push(
            Diagnostic::rule(
                Code::Dind040,
                format!("{}.securityContext.privileged", c.place.path()),
                format!(
                    "`{}` is a Docker client and runs no daemon, yet it is `privileged: true`: it can mount the node's disks and load kernel modules for nothing it needs",
                    c.place.name()
                ),
            )
            .in_container(c.place.name()),
        );
    }
    for place in &t.containers {
        let c = place.container;
        let words: Vec<String> = c
            .command
            .iter()
            .flatten()
            .chain(c.args.iter().flatten())
            .cloned()
            .collect();
        if registers_binfmt(&words.join(" ")) {
            out.push(
                Diagnostic::rule(
                    Code::Dind040,
                    place.path(),
                    "a privileged `docker run` of a binfmt/qemu image registers interpreters in the node's kernel (`binfmt_misc` is not namespaced): it changes the node for every pod on it".to_string(),
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
            let path = format!("{}.securityContext.allowPrivilegeEscalation", place.path());
            out.push(
                Diagnostic::rule(
                    Code::Dind016,
                    path.clone(),
                    "`privileged: true` with `allowPrivilegeEscalation: false`; the API rejects the pod".to_string(),
                )
                .in_container(place.name())
                .with_fix(Fix::safe(
                    "set `allowPrivilegeEscalation: true`",
                    vec![PodEdit::set(path, true)],
                )),
            );
        }
    }
}

/// DIND019: the node's docker socket mounted into the pod.
pub(super) fn host_docker_socket(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for (i, v) in t.node_socket_volumes() {
        let Some(hp) = &v.host_path else { continue };
        let users = t.mounted_by(&v.name);
        out.push(Diagnostic::rule(
            Code::Dind019,
            format!("spec.volumes[{i}].hostPath.path"),
            format!(
                "volume `{}` mounts the node's `{}` into {} (docker-outside-of-docker: whatever runs there has root on the node and sees every container on it)",
                v.name,
                hp.path,
                users.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
}

/// DIND020: container and volume names.
pub(super) fn invalid_names(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<&str> = Vec::new();
    for place in &t.containers {
        let name = place.name();
        let path = format!("{}.name", place.path());
        let problem = checks::name("container", name)
            .or_else(|| seen.contains(&name).then(|| checks::duplicate_name("container", name)));
        if let Some(message) = problem {
            out.push(Diagnostic::rule(Code::Dind020, path, message).in_container(name));
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
        let problem = checks::name("volume", &v.name).or_else(|| {
            volumes
                .contains(&v.name.as_str())
                .then(|| checks::duplicate_name("volume", &v.name))
        });
        if let Some(message) = problem {
            out.push(Diagnostic::rule(
                Code::Dind020,
                format!("spec.volumes[{i}].name"),
                message,
            ));
        }
        volumes.push(&v.name);
    }
}

/// DIND022: native sidecars need Kubernetes >= 1.29.
pub(super) fn native_sidecar_unsupported(t: &Topology<'_>, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(problem) = checks::native_sidecar(ctx.kube_version) else {
        return;
    };
    for place in t.containers.iter().filter(|p| p.is_native_sidecar()) {
        out.push(
            Diagnostic::rule(
                Code::Dind022,
                format!("{}.restartPolicy", place.path()),
                problem.clone(),
            )
            .in_container(place.name()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::moving_tag;

    #[test]
    fn moving_tags_of_other_daemon_images() {
        for t in [
            "latest-dind",
            "nightly",
            "edge",
            "27-dind",
            "dind-rootless",
            "Latest",
            "27",
        ] {
            assert!(moving_tag(t), "{t}");
        }
        for t in [
            "2.311.0-dind",
            "ubuntu-22.04",
            "v2.320.0-ubuntu-22.04-dind-rootless",
            "27.3.1",
            "1.2",
        ] {
            assert!(!moving_tag(t), "{t}");
        }
    }
}
