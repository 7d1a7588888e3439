//! Rules about the daemon container itself.

use super::{Context, arg_at, checks};
use crate::facts::{Behaviour, ImageRole};
use crate::fix::{Fix, PodEdit};
use crate::topology::{Daemon, Topology};
use crate::wiring::{Bypass, EnvValue, Launch, flag_on, flag_values};
use crate::{Code, Diagnostic, Severity};

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
        // A script that starts dockerd among other commands cannot be rewritten by dind: which
        // commands belong with the daemon is the author's decision. Say so.
        let words = crate::wiring::command_words(&crate::wiring::argv(c));
        let script = words
            .iter()
            .any(|w| matches!(w.as_str(), ";" | "&&" | "||" | "|" | "&"));
        let message = match super::bypassed_flags(c) {
            Some(_) => message,
            None if script => format!(
                "{message}; `--fix` leaves this to you: the script runs dockerd among other commands, so split it (the daemon in its own container with `args: [dockerd, ...]`, the rest where the build runs)"
            ),
            None => format!(
                "{message}; `--fix` leaves this to you: dind does not read this command as one dockerd with its flags"
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

/// DIND001, no daemon at all: a dind image whose `command` runs something else (`cat`, `sleep`,
/// a shell without `dockerd`) in a pod where nothing else serves the endpoint it uses (no
/// daemon, no node socket): no daemon ever runs, and every `docker` step fails. A pre-22.06 bare
/// tag (`docker:19.03.1`, the CLI image then) is a client, not this.
pub(super) fn no_daemon_runs(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    if !t.daemons.is_empty() || !t.node_socket_volumes().is_empty() {
        return;
    }
    for c in &t.clients {
        let image = &c.place.container.image;
        let role = crate::facts::DockerImage::parse(image.as_deref().unwrap_or("")).role();
        let local = match &c.endpoint {
            Some(crate::wiring::Endpoint::Unix(_)) => true,
            Some(crate::wiring::Endpoint::Tcp { host, .. }) => crate::wiring::Endpoint::is_loopback_host(host),
            _ => false,
        };
        if !matches!(role, ImageRole::Daemon { .. }) || !local {
            continue;
        }
        let k = c.place.container;
        let (field, words) = match (&k.command, &k.args) {
            (Some(cmd), _) if !cmd.is_empty() => ("command", cmd.join(" ")),
            (_, Some(args)) if !args.is_empty() => ("args", args.join(" ")),
            _ => continue,
        };
        let env = c.place.env();
        let endpoint = match env.get("DOCKER_HOST").known() {
            Some(h) if !h.is_empty() => h.to_string(),
            _ => format!("unix://{}", crate::model::DEFAULT_CLIENT_SOCKET),
        };
        out.push(
            Diagnostic::rule(
                Code::Dind001,
                format!("{}.{field}", c.place.path()),
                format!(
                    "`{}` is the dind image, but `{words}` replaces its daemon, and nothing else in the pod serves `{endpoint}`: no daemon ever runs, and every `docker` command fails; start the daemon (drop `{field}`, or run `docker:*-dind` in its own privileged container) or use a CLI image for a client",
                    image.as_deref().unwrap_or(""),
                ),
            )
            .in_container(c.place.name()),
        );
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
            if let Some(other) = t.meant_as_client(d) {
                out.push(meant_as_client(d, other));
                continue;
            }
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

/// DIND007 for a container that runs a dind image's daemon but looks meant as a client of
/// `other`: the root cause is the image, so the fix is a CLI image, not privilege.
fn meant_as_client(d: &Daemon<'_>, other: &Daemon<'_>) -> Diagnostic {
    let reference = d.place.container.image.as_deref().unwrap_or("");
    let host = d.place.env().get("DOCKER_HOST").known().unwrap_or("").to_string();
    let cli = d.image.pinned_suggestion(ImageRole::Cli);
    let use_cli = cli.as_ref().map_or_else(
        || "a Docker CLI image".to_string(),
        |c| format!("a CLI image such as `{c}`"),
    );
    let message = format!(
        "`{reference}` is the dind image (bare and `latest` tags are, since 22.06): its entrypoint starts a daemon in `{}`, which is not privileged, so it exits and the container with it; with `DOCKER_HOST={host}` it looks meant as a client of `{}`: use {use_cli}",
        d.place.name(),
        other.place.name()
    );
    let path = format!("{}.image", d.place.path());
    let mut diagnostic = Diagnostic::rule(Code::Dind007, path.clone(), message).in_container(d.place.name());
    if let Some(cli) = cli {
        diagnostic = diagnostic.with_fix(Fix::unsafe_(format!("use `{cli}`"), vec![PodEdit::set(path, cli)]));
    }
    diagnostic
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
            let forced = flag_values(&d.wiring.argv, "--storage-driver", Some("-s"))
                .into_iter()
                .any(|(_, v)| v.starts_with("overlay"));
            let (effect, fails) = match d.image.version() {
                _ if forced => (
                    "`--storage-driver=overlay2` on the container's overlay root stops dockerd at start",
                    true,
                ),
                Some(v) if v.has(Behaviour::ContainerdSnapshotterDefault) => {
                    ("Docker 29 fails with `overlay ... invalid argument`", true)
                }
                Some(_) => ("Docker falls back to the slow vfs driver", false),
                None => ("Docker up to 28 falls back to the slow vfs driver and 29 fails", false),
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
                .at_severity(if fails { Severity::Error } else { Severity::Warning })
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
            // The user the image needs, on the daemon only (the container's settings override
            // the pod's): root for the rootful image, `rootless` (1000) for the rootless one.
            let rootless = matches!(d.image.role(), ImageRole::Daemon { rootless: true });
            let user = if rootless { 1000 } else { 0 };
            let mut edits = vec![PodEdit::set(format!("{path}.runAsUser"), user)];
            if !rootless && non_root == Some(true) {
                edits.push(PodEdit::set(format!("{path}.runAsNonRoot"), false));
            }
            let title = if rootless {
                "run the rootless daemon as its image's user: `runAsUser: 1000`".to_string()
            } else if non_root == Some(true) {
                "run the daemon as root: `runAsUser: 0`, `runAsNonRoot: false` (this container only)".to_string()
            } else {
                "run the daemon as root: `runAsUser: 0` (this container only)".to_string()
            };
            out.push(
                Diagnostic::rule(Code::Dind012, path, message)
                    .in_container(d.place.name())
                    .with_fix(Fix::unsafe_(title, edits)),
            );
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

/// The files under a certificate directory that the entrypoint writes (`ca/`, `server/`,
/// `client/`).
fn generated_certificates(certdir: &str) -> Vec<String> {
    let mut files = vec![format!("{certdir}/ca/key.pem"), format!("{certdir}/ca/cert.pem")];
    for dir in ["server", "client"] {
        for file in ["key.pem", "cert.pem", "ca.pem"] {
            files.push(format!("{certdir}/{dir}/{file}"));
        }
    }
    files
}

/// DIND041: dockerd's TLS files that nothing in the pod creates (`docs/FACTS.md`, "entrypoint",
/// and `docs/FACTS.md`, "dockerd").
pub(super) fn tls_files_missing(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for d in &t.daemons {
        let c = d.place.container;
        // The official image ships no certificates; a volume, a shell script or another image
        // may provide them, which dind cannot see.
        if d.wiring.uncertain.is_some() || !d.image.is_docker_repository() {
            continue;
        }
        let why = match d.wiring.launch {
            Launch::Defaults => "the entrypoint generates certificates only when `DOCKER_TLS_CERTDIR` is set",
            Launch::Explicit => {
                "the arguments start with `dockerd`, so the entrypoint adds nothing and generates no certificates"
            }
            Launch::Bypassed(_) if super::bypassed_flags(c).is_some() => {
                "the entrypoint does not run, so no certificates are generated"
            }
            Launch::Bypassed(_) => continue,
        };
        let generated = match d.wiring.client_cert_dir.as_deref() {
            Some(dir) => generated_certificates(dir.strip_suffix("/client").unwrap_or(dir)),
            None => Vec::new(),
        };
        let provided = |path: &str| generated.iter().any(|g| g == path) || d.place.volume_at(path).is_some();
        let argv = &d.wiring.argv;
        let mut missing = Vec::new();
        for flag in ["--tlscacert", "--tlscert", "--tlskey"] {
            for (_, path) in flag_values(argv, flag, None) {
                let knowable = path.starts_with('/') && !path.contains('$');
                if knowable && !provided(&path) {
                    missing.push(format!("`{flag}={path}`"));
                }
            }
        }
        // TLS on without a certificate and key: dockerd looks in `$DOCKER_CERT_PATH`, else
        // `$DOCKER_CONFIG`, else `~/.docker` (root's, here), and finds no key pair there.
        let given = |flag: &str| !flag_values(argv, flag, None).is_empty();
        let tls = flag_on(argv, "--tls") || flag_on(argv, "--tlsverify");
        if tls && !given("--tlscert") && !given("--tlskey") && !d.wiring.rootless {
            let env = d.place.env();
            let dir = match (env.get("DOCKER_CERT_PATH"), env.get("DOCKER_CONFIG")) {
                (EnvValue::Value(p), _) | (EnvValue::Unset, EnvValue::Value(p)) if !p.is_empty() => Some(p),
                (EnvValue::Unset, EnvValue::Unset) => Some("/root/.docker"),
                _ => None,
            };
            if let Some(dir) = dir.filter(|p| p.starts_with('/') && !p.contains('$')) {
                let dir = dir.trim_end_matches('/');
                if !provided(&format!("{dir}/cert.pem")) {
                    missing.push(format!("a certificate and key (`--tls`/`--tlsverify` without `--tlscert`, so `{dir}/cert.pem` and `{dir}/key.pem`)"));
                }
            }
        }
        if missing.is_empty() {
            continue;
        }
        let in_args = c
            .args
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|a| a.contains("--tls"));
        let field = if in_args || c.command.is_none() {
            "args"
        } else {
            "command"
        };
        out.push(
            Diagnostic::rule(
                Code::Dind041,
                format!("{}.{field}", d.place.path()),
                format!(
                    "nothing creates {}: {why}, no volume is mounted there, and the image has none; dockerd exits at start (\"invalid TLS configuration: could not load X509 key pair ... no such file or directory\")",
                    missing.join(", ")
                ),
            )
            .in_container(d.place.name()),
        );
    }
}
