//! Rules about BuildKit daemons (`buildkitd`) and their clients (`buildctl`, buildx's `remote`
//! driver), asked of the BuildKit model in [`crate::wiring`].

use super::Context;
use crate::facts::BuildkitImage;
use crate::fix::{Fix, PodEdit};
use crate::topology::{BuildkitDaemon, Place, Topology};
use crate::wiring::{BuildkitLaunch, Confinement, Endpoint, apparmor_annotation, buildkit_client_host};
use crate::{Code, Diagnostic, Severity};

/// DIND030: `command:` that runs buildkitd without the rootless image's rootlesskit.
pub(super) fn command_skips_rootlesskit(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for b in &t.buildkitds {
        if b.wiring.launch == BuildkitLaunch::Direct && b.wiring.rootless {
            let field = if b.place.container.command.as_ref().is_some_and(|c| !c.is_empty()) {
                "command"
            } else {
                "args"
            };
            let mut d = Diagnostic::rule(
                Code::Dind030,
                format!("{}.{field}", b.place.path()),
                "a rootless buildkitd started without rootlesskit (the image's entrypoint is `rootlesskit buildkitd`): as uid 1000 outside a user namespace it refuses to start, and its socket never appears",
            )
            .in_container(b.place.name());
            // Only what dind read whole: the flags go to the image's entrypoint as `args`.
            if b.wiring.uncertain.is_none()
                && b.image.is_some()
                && b.wiring.argv.iter().all(|a| !a.contains(['$', '`', ';', '|', '&']))
            {
                let mut edits = Vec::new();
                if b.place.container.command.is_some() {
                    edits.push(PodEdit::remove(format!("{}.command", b.place.path())));
                }
                edits.push(PodEdit::set(
                    format!("{}.args", b.place.path()),
                    serde_json::Value::from(b.wiring.argv.clone()),
                ));
                d = d.with_fix(Fix::safe(
                    "start buildkitd through the image's `rootlesskit buildkitd`: its flags as `args`, no `command`",
                    edits,
                ));
            }
            out.push(d);
        }
    }
}

/// Whether `/proc` is unmasked for the container (`procMount: Unmasked`, which needs
/// `hostUsers: false`): then each build step can mount its own `/proc`.
fn proc_unmasked(t: &Topology<'_>, b: &BuildkitDaemon<'_>) -> bool {
    t.spec.host_users == Some(false)
        && b.place
            .container
            .security_context
            .as_ref()
            .and_then(|s| s.proc_mount.as_deref())
            == Some("Unmasked")
}

/// DIND031: a rootless buildkitd that its confinement stops from building.
pub(super) fn rootless_confined(t: &Topology<'_>, ctx: &Context, out: &mut Vec<Diagnostic>) {
    for b in t
        .buildkitds
        .iter()
        .filter(|b| b.wiring.rootlesskit && !b.wiring.privileged)
    {
        let path = b.place.path();
        let mut push = |field: String, message: String, severity: Severity, fix: Fix| {
            let mut d = Diagnostic::rule(Code::Dind031, field, message)
                .in_container(b.place.name())
                .with_fix(fix);
            d.severity = severity;
            out.push(d);
        };
        let unconfined = |field: &str, what: &str| {
            Fix::unsafe_(
                format!(
                    "set the {what} profile `Unconfined` (the namespace then needs Pod Security level `privileged`)"
                ),
                vec![PodEdit::set(
                    field.to_string(),
                    serde_json::json!({"type": "Unconfined"}),
                )],
            )
        };
        if b.wiring.no_new_privs {
            let field = format!("{path}.securityContext.allowPrivilegeEscalation");
            push(
                field.clone(),
                "`allowPrivilegeEscalation: false` on a rootless buildkitd: no_new_privs makes the setuid `newuidmap` powerless, so rootlesskit cannot map its user namespace and buildkitd never starts".into(),
                Severity::Error,
                Fix::unsafe_(
                    "set `allowPrivilegeEscalation: true` (Pod Security `restricted` forbids it)",
                    vec![PodEdit::set(field, true)],
                ),
            );
        }
        if !b.wiring.no_process_sandbox && !proc_unmasked(t, b) {
            push(
                format!("{path}.args"),
                "a rootless, unprivileged buildkitd without `--oci-worker-no-process-sandbox`: each RUN step mounts a new /proc, which the container's masked /proc forbids (`mount proc ... operation not permitted`)".into(),
                Severity::Error,
                Fix::unsafe_(
                    "add `--oci-worker-no-process-sandbox` (build steps then share buildkitd's process namespace)",
                    vec![PodEdit::append(format!("{path}.args"), "--oci-worker-no-process-sandbox")],
                ),
            );
        }
        let annotation = apparmor_annotation(b.place.name());
        let apparmor_field = if b.wiring.apparmor_from_annotation {
            format!("metadata.annotations.{annotation}")
        } else {
            format!("{path}.securityContext.appArmorProfile")
        };
        // AppArmor as a field from 1.30, as the annotation before; an annotation already there
        // is edited where it is. (A fix path quotes a key that holds dots.)
        let apparmor_fix = if b.wiring.apparmor_from_annotation
            || ctx.kube_version.minor < dind_facts::APPARMOR_FIELD_MINOR
        {
            Fix::unsafe_(
                "set the AppArmor annotation `unconfined` (the namespace then needs Pod Security level `privileged`)",
                vec![PodEdit::set(
                    format!("metadata.annotations[\"{annotation}\"]"),
                    "unconfined",
                )],
            )
        } else {
            unconfined(&apparmor_field, "AppArmor")
        };
        let seccomp_field = format!("{path}.securityContext.seccompProfile");
        let seccomp_fix = unconfined(&seccomp_field, "seccomp");
        for (what, field, confinement, fix) in [
            ("seccomp", seccomp_field, b.wiring.seccomp, seccomp_fix),
            ("AppArmor", apparmor_field, b.wiring.apparmor, apparmor_fix),
        ] {
            match confinement {
                Confinement::Unconfined => {}
                Confinement::Confined => push(
                    field,
                    format!(
                        "a rootless buildkitd under a {what} profile: rootlesskit needs `unshare` and `mount`, which the profile blocks; set it to `Unconfined`"
                    ),
                    Severity::Error,
                    fix,
                ),
                Confinement::Unset => push(
                    field,
                    format!(
                        "a rootless buildkitd with no {what} profile: the node decides ({}), and its default blocks rootlesskit's `unshare` and `mount`; set it to `Unconfined`",
                        if what == "seccomp" {
                            "kubelet's seccompDefault"
                        } else {
                            "the runtime's profile on AppArmor nodes"
                        }
                    ),
                    Severity::Warning,
                    fix,
                ),
            }
        }
    }
}

/// Where `client` sees a socket that `b` serves at `path`.
fn sees(t: &Topology<'_>, b: &BuildkitDaemon<'_>, path: &str, client: &Place<'_>) -> bool {
    t.shared_paths(&b.place, path, client).iter().any(|p| p == path)
}

/// The buildkitd and listener that a BuildKit client in `place` reaches at `endpoint`: a socket
/// it sees at that path, or a pod-local TCP port. `None` when no buildkitd of the pod serves it.
pub(crate) fn buildkit_reached<'t, 'a>(
    t: &'t Topology<'a>,
    place: &Place<'_>,
    endpoint: &Endpoint,
) -> Option<(&'t BuildkitDaemon<'a>, &'t Endpoint)> {
    t.buildkitds.iter().find_map(|b| {
        let l = b.wiring.listeners.iter().find(|l| match (l, endpoint) {
            (Endpoint::Unix(p), Endpoint::Unix(path)) => {
                t.shared_paths(&b.place, p, place).iter().any(|seen| seen == path)
            }
            (Endpoint::Tcp { host: h, port: p }, Endpoint::Tcp { host, port }) => {
                p == port
                    && (Endpoint::is_loopback_host(host) || Endpoint::is_wildcard_host(host))
                    && (Endpoint::is_wildcard_host(h) || Endpoint::is_loopback_host(h))
            }
            _ => false,
        })?;
        Some((b, l))
    })
}

/// DIND032: a BuildKit client that names an endpoint no buildkitd of the pod serves.
pub(super) fn client_endpoint_unserved(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    if t.buildkitds.is_empty() || t.buildkitds.iter().any(|b| b.wiring.uncertain.is_some()) {
        return;
    }
    for place in &t.containers {
        if t.buildkitds.iter().any(|b| b.place.name() == place.name()) {
            continue;
        }
        let Some((endpoint, source)) = buildkit_client_host(place.container) else {
            continue;
        };
        // Another pod's or a Service's address is out of sight.
        let in_sight = match &endpoint {
            Endpoint::Unix(_) => true,
            Endpoint::Tcp { host, .. } => Endpoint::is_loopback_host(host) || Endpoint::is_wildcard_host(host),
            Endpoint::Other(_) => false,
        };
        let served = !in_sight || buildkit_reached(t, place, &endpoint).is_some();
        if served {
            continue;
        }
        let offered: Vec<String> = t
            .buildkitds
            .iter()
            .flat_map(|b| {
                b.wiring.listeners.iter().map(move |l| match l {
                    Endpoint::Unix(p) if !sees(t, b, p, place) => {
                        format!("{} (not on a volume this container shares)", l.to_url())
                    }
                    _ => l.to_url(),
                })
            })
            .collect();
        let field = match source {
            "BUILDKIT_HOST" => format!(
                "{}.env[{}].value",
                place.path(),
                place.env().index("BUILDKIT_HOST").unwrap_or(0)
            ),
            _ if place
                .container
                .args
                .as_ref()
                .is_some_and(|a| a.iter().any(|w| w.contains("--addr"))) =>
            {
                format!("{}.args", place.path())
            }
            _ => format!("{}.command", place.path()),
        };
        let mut d = Diagnostic::rule(
            Code::Dind032,
            field,
            format!(
                "{source} `{}` is not an endpoint buildkitd serves here; it serves {}",
                endpoint.to_url(),
                offered.join(", ")
            ),
        )
        .in_container(place.name());
        // The repair, for `BUILDKIT_HOST`: a socket of buildkitd that this container sees.
        let seen = t.buildkitds.iter().find_map(|b| {
            b.wiring.listeners.iter().find_map(|l| match l {
                Endpoint::Unix(p) => t.shared_paths(&b.place, p, place).into_iter().next(),
                _ => None,
            })
        });
        if let (Some(path), Some(i)) = (
            seen,
            (source == "BUILDKIT_HOST")
                .then(|| place.env().index("BUILDKIT_HOST"))
                .flatten(),
        ) {
            let target = format!("unix://{path}");
            d = d.with_fix(Fix::unsafe_(
                format!("point `BUILDKIT_HOST` at `{target}`"),
                vec![PodEdit::set(format!("{}.env[{i}].value", place.path()), target)],
            ));
        }
        out.push(d);
    }
}

/// DIND033: a `moby/buildkit` image on a tag that moves.
pub(super) fn image_unpinned(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for place in &t.containers {
        let Some(image) = place.container.image.as_deref() else {
            continue;
        };
        let Some(b) = BuildkitImage::parse(image).filter(BuildkitImage::floats) else {
            continue;
        };
        let pin = b.pinned_suggestion();
        let path = format!("{}.image", place.path());
        out.push(
            Diagnostic::rule(
                Code::Dind033,
                path.clone(),
                format!("`{image}` floats: the next pull may bring another BuildKit; pin it, e.g. `{pin}`"),
            )
            .in_container(place.name())
            .with_fix(Fix::unsafe_(format!("pin `{pin}`"), vec![PodEdit::set(path, pin)])),
        );
    }
}
