//! Rules about the daemon container itself.

use super::{Context, arg_at, checks};
use crate::facts::{Behaviour, ImageRole};
use crate::fix::{Fix, PodEdit};
use crate::topology::{Daemon, Topology};
use crate::wiring::{Bypass, EnvValue, Launch, flag_on, flag_values};
use crate::{Code, Diagnostic};

/// DIND001: dockerd started without the image entrypoint's dockerd branch.
pub(super) fn command_override(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let Launch::Bypassed(how) = d.wiring.launch else {
            continue;
        };
        let c = d.place.container;
        let (field, message) = match how {
            Bypass::Command => (
                "command",
                format!(
                    "the daemon sets `command: [{}]`, which skips dockerd-entrypoint.sh (no docker-init, no cgroup v2 fix, no rootlesskit)",
                    c.command.as_deref().unwrap_or_default().join(", ")
                ),
            ),
            Bypass::Exec => (
                "args",
                format!(
                    "`args` start with `{}`, which the entrypoint hands to docker-entrypoint.sh to exec as is: dockerd runs without docker-init, the cgroup v2 fix or rootlesskit; start `args` with the word `dockerd`",
                    c.args.as_deref().and_then(<[String]>::first).map_or("", String::as_str)
                ),
            ),
        };
        let mut diagnostic = Diagnostic::rule(Code::Dind001, format!("{}.{field}", d.place.path()), message)
            .in_container(d.place.name());
        // Only a daemon whose argv dind read whole (one dockerd, no shell logic around it) is
        // rewritten: `args: [dockerd, <its flags>]`, the entrypoint's own dockerd branch.
        if d.wiring.uncertain.is_none()
            && let Some(flags) = super::bypassed_flags(c)
        {
            let mut args = vec![serde_json::Value::from("dockerd")];
            args.extend(flags.into_iter().map(serde_json::Value::from));
            let mut edits = Vec::new();
            if c.command.is_some() {
                edits.push(PodEdit::remove(format!("{}.command", d.place.path())));
            }
            edits.push(PodEdit::set(format!("{}.args", d.place.path()), args));
            diagnostic = diagnostic.with_fix(Fix::unsafe_(
                "start the daemon through the image entrypoint: `args: [dockerd, ...]`, no `command`",
                edits,
            ));
        }
        out.push(diagnostic);
    }
}

/// The container's and the pod's security settings merged as the kubelet does.
fn effective_security(t: &Topology<'_>, d: &Daemon<'_>) -> (Option<bool>, Option<bool>) {
    let sc = d.place.container.security_context.as_ref();
    let psc = t.spec.security_context.as_ref();
    let privileged = sc.and_then(|s| s.privileged);
    let non_root = sc
        .and_then(|s| s.run_as_non_root)
        .or_else(|| psc.and_then(|p| p.run_as_non_root));
    (privileged, non_root)
}

/// DIND007: the daemon must be privileged (rootless too).
pub(super) fn not_privileged(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    if t.sysbox() {
        // Sysbox runs the daemon unprivileged; DIND027 covers what it refuses.
        return;
    }
    for d in &t.daemons {
        if effective_security(t, d).0 != Some(true) {
            let why = if d.wiring.rootless {
                " (rootless still needs it: seccomp, AppArmor and /proc masks block rootlesskit)"
            } else {
                ""
            };
            let path = format!("{}.securityContext.privileged", d.place.path());
            out.push(
                Diagnostic::rule(
                    Code::Dind007,
                    path.clone(),
                    format!("the daemon is not `privileged: true`{why}"),
                )
                .in_container(d.place.name())
                .with_fix(Fix::unsafe_("set `privileged: true`", vec![PodEdit::set(path, true)])),
            );
        }
    }
}

/// DIND008: an emptyDir (or any volume) at the data root.
pub(super) fn no_data_root_volume(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    if t.sysbox() {
        // Sysbox mounts `/var/lib/docker` from the node itself.
        return;
    }
    for d in &t.daemons {
        let root = d.wiring.data_root.trim_end_matches('/');
        let mounted = d
            .place
            .container
            .volume_mounts
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|m| m.mount_path.trim_end_matches('/') == root);
        if !mounted {
            let effect = match d.image.version() {
                Some(v) if v.has(Behaviour::ContainerdSnapshotterDefault) => {
                    "Docker 29 fails with `overlay ... invalid argument`"
                }
                Some(_) => "Docker falls back to the slow vfs driver",
                None => "Docker up to 28 falls back to the slow vfs driver and 29 fails",
            };
            let taken: Vec<&str> = t.spec.volumes.iter().flatten().map(|v| v.name.as_str()).collect();
            let name = std::iter::once("dind-storage".to_string())
                .chain((2..).map(|i| format!("dind-storage-{i}")))
                .find(|n| !taken.contains(&n.as_str()))
                .unwrap_or_default();
            out.push(
                Diagnostic::rule(
                    Code::Dind008,
                    format!("{}.volumeMounts", d.place.path()),
                    format!("no volume at the data root `{root}`: {effect}"),
                )
                .in_container(d.place.name())
                .with_fix(Fix::safe(
                    format!("mount an emptyDir `{name}` at `{root}`"),
                    vec![
                        PodEdit::append("spec.volumes", serde_json::json!({"name": name, "emptyDir": {}})),
                        PodEdit::append(
                            format!("{}.volumeMounts", d.place.path()),
                            serde_json::json!({"name": name, "mountPath": root}),
                        ),
                    ],
                )),
            );
        }
    }
}

/// DIND011: `--experimental` is obsolete for rootless since 20.10.
pub(super) fn experimental_obsolete(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let needs = d
            .image
            .version()
            .is_some_and(|v| v.has(Behaviour::RootlessNeedsExperimental));
        if d.wiring.rootless && !needs && flag_on(&d.wiring.argv, "--experimental") {
            let mut diagnostic = Diagnostic::rule(
                Code::Dind011,
                format!("{}.args", d.place.path()),
                "`--experimental` is obsolete for rootless images since Docker 20.10".to_string(),
            )
            .in_container(d.place.name());
            if let Some(at) = arg_at(&d.place, |a| a == "--experimental" || a == "--experimental=true") {
                diagnostic = diagnostic.with_fix(Fix::safe("drop `--experimental`", vec![PodEdit::remove(at)]));
            }
            out.push(diagnostic);
        }
    }
}

/// DIND012: rootful daemons run as root, rootless ones as the image's uid 1000.
pub(super) fn user_conflict(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let (_, non_root) = effective_security(t, d);
        let uid = d.wiring.uid;
        let path = format!("{}.securityContext", d.place.path());
        let problem = match d.image.role() {
            ImageRole::Daemon { rootless: true } => uid.filter(|u| *u != 0 && *u != 1000).map(|u| {
                format!(
                    "the rootless image's user `rootless` is uid 1000 (its home, data root and /etc/subuid entry); uid {u} cannot start it"
                )
            }),
            ImageRole::Daemon { rootless: false } if non_root == Some(true) => Some(
                "a rootful daemon runs as root, but `runAsNonRoot: true` stops it from starting".to_string(),
            ),
            ImageRole::Daemon { rootless: false } => uid.filter(|u| *u != 0).map(|u| {
                format!(
                    "a rootful daemon must run as root, not uid {u} (the entrypoint would look for rootlesskit); use the `-dind-rootless` image for a non-root daemon"
                )
            }),
            _ => None,
        };
        if let Some(message) = problem {
            out.push(Diagnostic::rule(Code::Dind012, path, message).in_container(d.place.name()));
        }
    }
}

/// DIND018: MTU range, and rootless MTU through the rootlesskit variable.
pub(super) fn mtu_invalid(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let path = format!("{}.args", d.place.path());
        for (_, value) in flag_values(&d.wiring.argv, "--mtu", None) {
            let message = if d.wiring.rootlesskit {
                format!(
                    "`--mtu={value}` on a rootless daemon; its MTU is rootlesskit's: set `DOCKERD_ROOTLESS_ROOTLESSKIT_MTU`"
                )
            } else if let Some(problem) = checks::mtu(&value) {
                format!("`--mtu={value}`: {problem}")
            } else {
                continue;
            };
            out.push(Diagnostic::rule(Code::Dind018, path.clone(), message).in_container(d.place.name()));
        }
        let env = d.place.env();
        if let EnvValue::Value(value) = env.get("DOCKERD_ROOTLESS_ROOTLESSKIT_MTU")
            && let Some(problem) = checks::mtu(value)
        {
            let i = env.index("DOCKERD_ROOTLESS_ROOTLESSKIT_MTU").unwrap_or(0);
            out.push(
                Diagnostic::rule(
                    Code::Dind018,
                    format!("{}.env[{i}].value", d.place.path()),
                    format!("`DOCKERD_ROOTLESS_ROOTLESSKIT_MTU={value}`: {problem}"),
                )
                .in_container(d.place.name()),
            );
        }
    }
}

/// DIND021: a memory request or limit on the daemon.
pub(super) fn memory_unbounded(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let r = d.place.container.resources.as_ref();
        let has = |m: Option<
            &std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
        >| { m.is_some_and(|m| m.contains_key("memory")) };
        if !has(r.and_then(|r| r.requests.as_ref())) && !has(r.and_then(|r| r.limits.as_ref())) {
            out.push(
                Diagnostic::rule(
                    Code::Dind021,
                    format!("{}.resources", d.place.path()),
                    "the daemon has no memory request or limit; it is the first to be OOMKilled".to_string(),
                )
                .in_container(d.place.name())
                .with_fix(Fix::unsafe_(
                    format!(
                        "request {} of memory for the daemon",
                        crate::model::DEFAULT_DAEMON_MEMORY_REQUEST
                    ),
                    vec![PodEdit::set(
                        format!("{}.resources.requests.memory", d.place.path()),
                        crate::model::DEFAULT_DAEMON_MEMORY_REQUEST,
                    )],
                )),
            );
        }
    }
}

/// DIND025: `DOCKER_TLS_CERTDIR` with a null value.
pub(super) fn tls_certdir_null(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let env = d.place.env();
        if let Some(i) = env.index("DOCKER_TLS_CERTDIR")
            && let Some(e) = env.entry("DOCKER_TLS_CERTDIR")
            && e.value.is_none()
            && e.value_from.is_none()
        {
            let path = format!("{}.env[{i}].value", d.place.path());
            out.push(
                Diagnostic::rule(
                    Code::Dind025,
                    path.clone(),
                    "`DOCKER_TLS_CERTDIR` has no value (null); write `\"\"` to turn TLS off".to_string(),
                )
                .in_container(d.place.name())
                .with_fix(Fix::safe("write `value: \"\"`", vec![PodEdit::set(path, "")])),
            );
        }
    }
}
