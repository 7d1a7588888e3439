//! Rules about the daemon container itself.

use super::Context;
use crate::facts::{Behaviour, DockerVersion};
use crate::topology::{Launch, Topology, entrypoint, env_value};
use crate::{Code, Diagnostic};

/// DIND001: `command:` skips the image entrypoint.
pub(super) fn command_override(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        if d.invocation.launch == Launch::CommandOverride {
            let cmd = d.place.container.command.as_deref().unwrap_or_default().join(" ");
            out.push(
                Diagnostic::rule(Code::Dind001, format!("{}.command", d.place.path()), format!("the daemon sets `command: [{cmd}]`, which skips dockerd-entrypoint.sh (no cgroup v2 fix, no tini)"))
                    .in_container(d.place.name()),
            );
        }
    }
}

fn effective_security(t: &Topology<'_>, d: &crate::topology::Daemon<'_>) -> (Option<bool>, Option<bool>, Option<i64>) {
    let sc = d.place.container.security_context.as_ref();
    let psc = t.spec.security_context.as_ref();
    let privileged = sc.and_then(|s| s.privileged);
    let non_root = sc
        .and_then(|s| s.run_as_non_root)
        .or_else(|| psc.and_then(|p| p.run_as_non_root));
    let uid = sc
        .and_then(|s| s.run_as_user)
        .or_else(|| psc.and_then(|p| p.run_as_user));
    (privileged, non_root, uid)
}

/// DIND007: the daemon must be privileged (rootless too).
pub(super) fn not_privileged(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        if effective_security(t, d).0 != Some(true) {
            let why = if d.rootless {
                " (rootless still needs it: seccomp, AppArmor and /proc masks block rootlesskit)"
            } else {
                ""
            };
            out.push(
                Diagnostic::rule(
                    Code::Dind007,
                    format!("{}.securityContext.privileged", d.place.path()),
                    format!("the daemon is not `privileged: true`{why}"),
                )
                .in_container(d.place.name()),
            );
        }
    }
}

/// DIND008: an emptyDir (or any volume) at the data root.
pub(super) fn no_data_root_volume(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let mounted = d
            .place
            .container
            .volume_mounts
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|m| m.mount_path.trim_end_matches('/') == d.data_root.trim_end_matches('/'));
        if !mounted {
            let effect = match d.image.version() {
                Some(v) if v >= DockerVersion::new(29, 0, 0) => "Docker 29 fails with `overlay ... invalid argument`",
                Some(_) => "Docker falls back to the slow vfs driver",
                None => "Docker up to 28 falls back to the slow vfs driver and 29 fails",
            };
            out.push(
                Diagnostic::rule(
                    Code::Dind008,
                    format!("{}.volumeMounts", d.place.path()),
                    format!("no volume at the data root `{}`: {effect}", d.data_root),
                )
                .in_container(d.place.name()),
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
        if d.rootless && !needs && entrypoint::flag_on(&d.invocation.argv, "--experimental") {
            out.push(
                Diagnostic::rule(
                    Code::Dind011,
                    format!("{}.args", d.place.path()),
                    "`--experimental` is obsolete for rootless images since Docker 20.10".to_string(),
                )
                .in_container(d.place.name()),
            );
        }
    }
}

/// DIND012: rootful daemons run as root, rootless ones as uid 1000.
pub(super) fn user_conflict(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let (_, non_root, uid) = effective_security(t, d);
        let path = format!("{}.securityContext", d.place.path());
        let problem = if d.rootless {
            uid.filter(|u| *u != 1000)
                .map(|u| format!("the rootless image runs as uid 1000 (user `rootless`), not {u}"))
        } else if non_root == Some(true) {
            Some("a rootful daemon runs as root, but `runAsNonRoot: true` stops it from starting".to_string())
        } else {
            uid.filter(|u| *u != 0).map(|u| format!("a rootful daemon must run as root, not uid {u}; use the `-dind-rootless` image for a non-root daemon"))
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
        for (_, value) in entrypoint::flag_values(&d.invocation.argv, "--mtu", None) {
            if d.rootless {
                out.push(
                    Diagnostic::rule(Code::Dind018, path.clone(), format!("`--mtu={value}` on a rootless daemon; its MTU is rootlesskit's: set `DOCKERD_ROOTLESS_ROOTLESSKIT_MTU`"))
                        .in_container(d.place.name()),
                );
            } else if value.parse::<u32>().map_or(true, |m| !(68..=65535).contains(&m)) {
                out.push(
                    Diagnostic::rule(
                        Code::Dind018,
                        path.clone(),
                        format!("`--mtu={value}` is out of range (68..=65535)"),
                    )
                    .in_container(d.place.name()),
                );
            }
        }
        if let Some(value) = env_value(d.place.container, "DOCKERD_ROOTLESS_ROOTLESSKIT_MTU")
            && value.parse::<u32>().map_or(true, |m| !(68..=65535).contains(&m))
        {
            out.push(
                Diagnostic::rule(
                    Code::Dind018,
                    format!("{}.env", d.place.path()),
                    format!("`DOCKERD_ROOTLESS_ROOTLESSKIT_MTU={value}` is out of range (68..=65535)"),
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
        >| m.is_some_and(|m| m.contains_key("memory"));
        if !has(r.and_then(|r| r.requests.as_ref())) && !has(r.and_then(|r| r.limits.as_ref())) {
            out.push(
                Diagnostic::rule(
                    Code::Dind021,
                    format!("{}.resources", d.place.path()),
                    "the daemon has no memory request or limit; it is the first to be OOMKilled".to_string(),
                )
                .in_container(d.place.name()),
            );
        }
    }
}

/// DIND025: `DOCKER_TLS_CERTDIR` with a null value.
pub(super) fn tls_certdir_null(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let env = d.place.container.env.as_deref().unwrap_or_default();
        if let Some(i) = env
            .iter()
            .position(|e| e.name == "DOCKER_TLS_CERTDIR" && e.value.is_none() && e.value_from.is_none())
        {
            out.push(
                Diagnostic::rule(
                    Code::Dind025,
                    format!("{}.env[{i}].value", d.place.path()),
                    "`DOCKER_TLS_CERTDIR` has no value (null); write `\"\"` to turn TLS off".to_string(),
                )
                .in_container(d.place.name()),
            );
        }
    }
}
