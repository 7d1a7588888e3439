//! The one model of a BuildKit daemon in a container (moby/buildkit's Dockerfile and
//! `cmd/buildkitd`): how `buildkitd` is started, whether it runs rootless under rootlesskit,
//! what it listens on, and how it is confined. The builder asks it about the `buildkitd` it
//! writes; the topology asks it about any container of a linted pod.
//!
//! - The rootless image's entrypoint is `rootlesskit buildkitd` (user 1000); the rootful one's
//!   `buildkitd`. `command:` replaces it: `command: [buildkitd]` on the rootless image runs
//!   buildkitd as uid 1000 outside any user namespace, which refuses to start.
//! - Listeners: every `--addr`; without one, a rootless buildkitd listens on
//!   `unix://$XDG_RUNTIME_DIR/buildkit/buildkitd.sock` (the image sets `/run/user/1000`), a
//!   rootful one on `unix:///run/buildkit/buildkitd.sock`; `--config` may set others.
//! - rootlesskit runs with `--net=host` and no `--copy-up`: TCP listeners are in the pod's
//!   network namespace and sockets on shared volumes are seen by other containers. But rootless
//!   buildkitd makes `$XDG_RUNTIME_DIR/buildkit` mode 0700: a socket there is for uid 1000 only.
//! - Clients (`buildctl`) read `BUILDKIT_HOST` or `--addr`; the rootless image sets
//!   `BUILDKIT_HOST=unix:///run/user/1000/buildkit/buildkitd.sock`, buildctl's own default is
//!   `unix:///run/buildkit/buildkitd.sock`.

use k8s_openapi::api::core::v1::{Container, PodSecurityContext};

use super::words::{argv, command_words, program};
use super::{Endpoint, Env, EnvValue, expand, flag_on, flag_values};
use crate::conventions::ROOTLESS_UID;
use crate::facts::BuildkitImage;

/// The rootful buildkitd's default socket (also buildctl's default address).
pub const ROOTFUL_BUILDKIT_SOCKET: &str = "/run/buildkit/buildkitd.sock";
/// The rootless image's `XDG_RUNTIME_DIR`.
pub const ROOTLESS_RUNTIME_DIR: &str = "/run/user/1000";
/// The rootless image's state directory (`VOLUME` in its Dockerfile).
pub const ROOTLESS_BUILDKIT_STATE: &str = "/home/user/.local/share/buildkit";

/// How buildkitd is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildkitLaunch {
    /// The image's entrypoint (no `command:`): `rootlesskit buildkitd` or `buildkitd`.
    Entrypoint,
    /// `command:` that runs `rootlesskit ... buildkitd`.
    Rootlesskit,
    /// `command:` that runs `buildkitd` itself, without rootlesskit.
    Direct,
}

/// How a seccomp or AppArmor profile confines a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Confinement {
    /// `Unconfined`.
    Unconfined,
    /// `RuntimeDefault` or a `Localhost` profile.
    Confined,
    /// Not set: the node decides (kubelet's `seccompDefault`, the runtime's AppArmor profile on
    /// AppArmor nodes).
    Unset,
}

/// What a buildkitd container does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildkitWiring {
    /// How buildkitd is started.
    pub launch: BuildkitLaunch,
    /// Its arguments.
    pub argv: Vec<String>,
    /// Whether it runs as a non-root user (the rootless image or a non-zero uid).
    pub rootless: bool,
    /// Whether it runs under rootlesskit.
    pub rootlesskit: bool,
    /// `privileged: true`.
    pub privileged: bool,
    /// `allowPrivilegeEscalation: false` (no_new_privs: rootlesskit's setuid `newuidmap` fails).
    pub no_new_privs: bool,
    /// `--oci-worker-no-process-sandbox`.
    pub no_process_sandbox: bool,
    /// What it listens on.
    pub listeners: Vec<Endpoint>,
    /// Why the listeners may be incomplete (`--config`, a value from `valueFrom`).
    pub uncertain: Option<String>,
    /// Its seccomp profile (the container's, else the pod's).
    pub seccomp: Confinement,
    /// Its AppArmor profile (the container's field, else the pod's, else the annotation).
    pub apparmor: Confinement,
    /// Whether the AppArmor profile comes from the pod annotation rather than a field.
    pub apparmor_from_annotation: bool,
}

fn profile(kind: Option<&str>) -> Confinement {
    match kind {
        Some("Unconfined" | "unconfined") => Confinement::Unconfined,
        Some(_) => Confinement::Confined,
        None => Confinement::Unset,
    }
}

/// The AppArmor annotation of a container (`container.apparmor.security.beta.kubernetes.io/NAME`).
pub fn apparmor_annotation(container: &str) -> String {
    format!("container.apparmor.security.beta.kubernetes.io/{container}")
}

/// The arguments of the `buildkitd` a command runs, and whether rootlesskit wraps it.
fn buildkitd_in(words: &[String]) -> Option<(Vec<String>, bool)> {
    let mut words = words;
    let mut rootlesskit = false;
    while let Some((first, rest)) = words.split_first() {
        match program(first) {
            "rootlesskit" => {
                rootlesskit = true;
                words = rest;
                // rootlesskit's own flags come before the command.
                while words.first().is_some_and(|w| w.starts_with('-')) {
                    words = &words[1..];
                }
            }
            "exec" | "env" | "tini" | "dumb-init" | "--" => words = rest,
            "buildkitd" => return Some((rest.to_vec(), rootlesskit)),
            _ => return None,
        }
    }
    None
}

/// Analyses a container as a BuildKit daemon; `None` when it does not run buildkitd (a client
/// with `sleep`, `buildctl-daemonless.sh`, another image).
///
/// ```
/// use dind_core::wiring::{buildkitd, BuildkitLaunch, Endpoint};
/// let c: k8s_openapi::api::core::v1::Container = serde_json::from_value(serde_json::json!({
///     "name": "buildkitd", "image": "moby/buildkit:v0.32.2-rootless",
///     "args": ["--oci-worker-no-process-sandbox", "--addr=unix:///run/buildkit/buildkitd.sock"],
/// })).unwrap();
/// let w = buildkitd(&c, &Default::default(), None).unwrap();
/// assert_eq!(w.launch, BuildkitLaunch::Entrypoint);
/// assert!(w.rootlesskit && w.no_process_sandbox);
/// assert_eq!(w.listeners, [Endpoint::Unix("/run/buildkit/buildkitd.sock".into())]);
/// ```
pub fn buildkitd(
    container: &Container,
    annotations: &std::collections::BTreeMap<String, String>,
    pod: Option<&PodSecurityContext>,
) -> Option<BuildkitWiring> {
    let image = BuildkitImage::parse(container.image.as_deref().unwrap_or(""));
    // Most containers are not buildkitd: say so before expanding anything.
    if image.is_none() && !argv(container).iter().any(|w| w.contains("buildkitd")) {
        return None;
    }
    let env = Env::of(container);
    let mut uncertain = None;
    let mut expanded = |words: &[String]| -> Vec<String> {
        words
            .iter()
            .map(|w| {
                expand(w, &env).unwrap_or_else(|| {
                    uncertain.get_or_insert_with(|| format!("`{w}` refers to a variable dind cannot know"));
                    w.clone()
                })
            })
            .collect()
    };
    let command = expanded(container.command.as_deref().unwrap_or_default());
    let args = expanded(container.args.as_deref().unwrap_or_default());
    let image_rootless = image.as_ref().is_some_and(BuildkitImage::rootless);
    // `command:` (or, on an image dind does not know, args that name buildkitd) runs buildkitd
    // itself, with or without rootlesskit.
    let by_command = |words: &[String]| {
        let (rest, rk) = buildkitd_in(&command_words(words))?;
        let launch = if rk {
            BuildkitLaunch::Rootlesskit
        } else {
            BuildkitLaunch::Direct
        };
        Some((launch, rest, rk))
    };
    let (launch, argv, via_rootlesskit) = if command.is_empty() {
        // The image's entrypoint, given the args; an image that is not moby/buildkit tells
        // only through an explicit buildkitd in its args.
        match (&image, args.first()) {
            (Some(_), None) => (BuildkitLaunch::Entrypoint, args, image_rootless),
            (Some(_), Some(first)) if first.starts_with('-') => (BuildkitLaunch::Entrypoint, args, image_rootless),
            _ => by_command(&args)?,
        }
    } else {
        let all: Vec<String> = command.iter().chain(&args).cloned().collect();
        by_command(&all)?
    };
    let sc = container.security_context.as_ref();
    let uid = sc
        .and_then(|s| s.run_as_user)
        .or_else(|| pod.and_then(|p| p.run_as_user))
        .or(if image_rootless {
            Some(ROOTLESS_UID)
        } else {
            image.as_ref().map(|_| 0)
        });
    let rootless = uid.map_or(image_rootless, |u| u != 0);
    let rootlesskit = via_rootlesskit && rootless;
    let mut listeners: Vec<Endpoint> = flag_values(&argv, "--addr", None)
        .into_iter()
        .map(|(_, v)| Endpoint::parse(&v))
        .collect();
    if listeners.is_empty() {
        if !flag_values(&argv, "--config", None).is_empty() {
            uncertain.get_or_insert_with(|| "`--config` may set the listening addresses".to_string());
        }
        let path = if rootlesskit {
            let dir = match env.get("XDG_RUNTIME_DIR") {
                EnvValue::Value(d) if !d.is_empty() => d.trim_end_matches('/').to_string(),
                EnvValue::Unknown => {
                    uncertain.get_or_insert_with(|| "`XDG_RUNTIME_DIR` comes from valueFrom or envFrom".to_string());
                    ROOTLESS_RUNTIME_DIR.to_string()
                }
                _ => ROOTLESS_RUNTIME_DIR.to_string(),
            };
            format!("{dir}/buildkit/buildkitd.sock")
        } else {
            ROOTFUL_BUILDKIT_SOCKET.to_string()
        };
        listeners.push(Endpoint::Unix(path));
    }
    let seccomp = profile(
        sc.and_then(|s| s.seccomp_profile.as_ref())
            .or_else(|| pod.and_then(|p| p.seccomp_profile.as_ref()))
            .map(|p| p.type_.as_str()),
    );
    let field = sc
        .and_then(|s| s.app_armor_profile.as_ref())
        .or_else(|| pod.and_then(|p| p.app_armor_profile.as_ref()))
        .map(|p| p.type_.as_str());
    let annotation = annotations
        .get(&apparmor_annotation(&container.name))
        .map(String::as_str);
    let apparmor = profile(field.or(annotation));
    let apparmor_from_annotation = field.is_none() && annotation.is_some();
    Some(BuildkitWiring {
        launch,
        no_process_sandbox: flag_on(&argv, "--oci-worker-no-process-sandbox"),
        argv,
        rootless,
        rootlesskit,
        privileged: sc.and_then(|s| s.privileged) == Some(true),
        no_new_privs: sc.and_then(|s| s.allow_privilege_escalation) == Some(false),
        listeners,
        uncertain,
        seccomp,
        apparmor,
        apparmor_from_annotation,
    })
}

/// Where a BuildKit client says it connects: `--addr` of a `buildctl` in its own command, else
/// `BUILDKIT_HOST`. `None` when it names neither (steps may pass `--addr`; the image's preset is
/// not counted), or the value comes from `valueFrom`.
pub fn buildkit_client_host(container: &Container) -> Option<(Endpoint, &'static str)> {
    let words = command_words(&argv(container));
    if words.iter().any(|w| program(w) == "buildctl")
        && let Some((_, addr)) = flag_values(&words, "--addr", None).pop()
    {
        return Some((Endpoint::parse(&addr), "--addr"));
    }
    match Env::of(container).get("BUILDKIT_HOST") {
        EnvValue::Value(h) if !h.is_empty() => Some((Endpoint::parse(h), "BUILDKIT_HOST")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wiring(v: serde_json::Value) -> Option<BuildkitWiring> {
        let c: Container = serde_json::from_value(v).unwrap();
        buildkitd(&c, &Default::default(), None)
    }

    #[test]
    fn every_way_of_starting_buildkitd() {
        let w = wiring(serde_json::json!({"name": "b", "image": "moby/buildkit:v0.32.2-rootless"})).unwrap();
        assert!(w.rootlesskit && !w.no_process_sandbox);
        assert_eq!(
            w.listeners,
            [Endpoint::Unix("/run/user/1000/buildkit/buildkitd.sock".into())]
        );
        let w = wiring(serde_json::json!({"name": "b", "image": "moby/buildkit:v0.32.2"})).unwrap();
        assert!(!w.rootless && w.listeners == [Endpoint::Unix(ROOTFUL_BUILDKIT_SOCKET.into())]);
        let w = wiring(
            serde_json::json!({"name": "b", "image": "moby/buildkit:v0.32.2-rootless",
            "command": ["buildkitd"], "args": ["--addr", "tcp://0.0.0.0:1234"]}),
        )
        .unwrap();
        assert_eq!(w.launch, BuildkitLaunch::Direct);
        assert!(w.rootless && !w.rootlesskit);
        assert_eq!(w.listeners, [Endpoint::parse("tcp://0.0.0.0:1234")]);
        let w = wiring(
            serde_json::json!({"name": "b", "image": "moby/buildkit:v0.32.2-rootless",
            "command": ["rootlesskit", "--net=host", "buildkitd", "--oci-worker-no-process-sandbox"]}),
        )
        .unwrap();
        assert!(w.launch == BuildkitLaunch::Rootlesskit && w.rootlesskit && w.no_process_sandbox);
        // Not a daemon: a client, the daemonless script, another image.
        assert!(
            wiring(
                serde_json::json!({"name": "c", "image": "moby/buildkit:v0.32.2-rootless", "command": ["sleep", "99d"]})
            )
            .is_none()
        );
        assert!(wiring(serde_json::json!({"name": "c", "image": "moby/buildkit:v0.32.2-rootless", "command": ["buildctl-daemonless.sh"]})).is_none());
        assert!(wiring(serde_json::json!({"name": "c", "image": "busybox"})).is_none());
        assert!(wiring(serde_json::json!({"name": "c", "image": "example.com/bk:1", "args": ["buildkitd"]})).is_some());
        // `--config` may set the addresses.
        let w = wiring(serde_json::json!({"name": "b", "image": "moby/buildkit:v0.32.2", "args": ["--config", "/etc/buildkit/buildkitd.toml"]})).unwrap();
        assert!(w.uncertain.is_some());
    }

    #[test]
    fn confinement_comes_from_fields_or_the_annotation() {
        let c: Container = serde_json::from_value(
            serde_json::json!({"name": "b", "image": "moby/buildkit:v0.32.2-rootless",
            "securityContext": {"seccompProfile": {"type": "Unconfined"}}}),
        )
        .unwrap();
        let ann = [(apparmor_annotation("b"), "unconfined".to_string())].into();
        let w = buildkitd(&c, &ann, None).unwrap();
        assert_eq!(
            (w.seccomp, w.apparmor),
            (Confinement::Unconfined, Confinement::Unconfined)
        );
        let w = buildkitd(&c, &Default::default(), None).unwrap();
        assert_eq!(w.apparmor, Confinement::Unset);
    }

    #[test]
    fn clients_name_their_daemon() {
        let c: Container = serde_json::from_value(serde_json::json!({"name": "c", "image": "x",
            "env": [{"name": "BUILDKIT_HOST", "value": "unix:///run/buildkit/buildkitd.sock"}]}))
        .unwrap();
        assert_eq!(
            buildkit_client_host(&c).unwrap().0,
            Endpoint::Unix(ROOTFUL_BUILDKIT_SOCKET.into())
        );
        let c: Container = serde_json::from_value(serde_json::json!({"name": "c", "image": "x",
            "command": ["sh", "-c", "buildctl --addr tcp://127.0.0.1:1234 build ."]}))
        .unwrap();
        assert_eq!(buildkit_client_host(&c).unwrap().1, "--addr");
    }
}
