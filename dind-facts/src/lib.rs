//! Facts that every part of dind needs and that must not drift apart: the transport names, the
//! ranges of ports, MTUs and socket paths, and the Kubernetes minors dind targets. This crate has
//! no dependencies, so the derive macro (which must not pull in `k8s-openapi`) checks literals with
//! exactly the rules the builder and the linter use.
//!
//! ```
//! assert_eq!(dind_facts::TRANSPORTS, ["unix", "tcp", "tls", "in-container"]);
//! assert!(dind_facts::mtu_problem(1440).is_none());
//! assert!(dind_facts::socket_path_problem("dind/docker.sock").is_some());
//! ```
#![forbid(unsafe_code)]

use std::ops::RangeInclusive;

/// The transports, as the `--transport` flag, the `transport` key and the derive literal spell
/// them.
pub const TRANSPORTS: [&str; 4] = ["unix", "tcp", "tls", "in-container"];

/// The container runtimes, as the `--runtime` flag, the `runtime` key and the derive literal
/// spell them: `runc` (the node's default runtime, a privileged daemon) or `sysbox`
/// (`runtimeClassName: sysbox-runc`, no `privileged`).
pub const RUNTIMES: [&str; 2] = ["runc", "sysbox"];

/// The build engines, as `--engine`, the `engine` key and the derive literal spell them:
/// `docker` (dockerd from the `docker:<v>-dind` image) or `buildkit` (rootless `buildkitd`).
pub const ENGINES: [&str; 2] = ["docker", "buildkit"];

/// How a Sysbox pod gets its user namespace, as `--user-namespace`, the `user_namespace` key
/// and the derive literal spell it: `kubernetes` (`hostUsers: false`) or `cri-o` (the annotation
/// `io.kubernetes.cri-o.userns-mode`, for clusters where the Sysbox installer put in CRI-O).
pub const USER_NAMESPACES: [&str; 2] = ["kubernetes", "cri-o"];

/// The first minor whose API server serves `hostUsers` as beta (`UserNamespacesSupport`, off by
/// default until 1.33); before it the gate is alpha.
pub const HOST_USERS_BETA_MINOR: u32 = 30;
/// The first minor with `UserNamespacesSupport` on by default (stable from 1.36). Before it the
/// API server drops `hostUsers` unless the cluster turns the gate on.
pub const HOST_USERS_DEFAULT_MINOR: u32 = 33;
/// The first minor with `securityContext.appArmorProfile` (before it, only the annotation
/// `container.apparmor.security.beta.kubernetes.io/NAME`).
pub const APPARMOR_FIELD_MINOR: u32 = 30;

/// Valid TCP ports.
pub const PORT_RANGE: RangeInclusive<u32> = 1..=65535;

/// Valid MTUs for `--mtu` and `DOCKERD_ROOTLESS_ROOTLESSKIT_MTU` (IPv4's minimum to the largest
/// 16-bit value).
pub const MTU_RANGE: RangeInclusive<u32> = 68..=65535;

/// The longest unix socket path: `sun_path` holds 108 bytes including the terminating NUL.
pub const MAX_SOCKET_PATH: usize = 107;

/// The Kubernetes major version dind targets.
pub const KUBE_MAJOR: u32 = 1;
/// The oldest Kubernetes minor dind targets.
pub const KUBE_OLDEST_MINOR: u32 = 25;
/// The newest Kubernetes minor dind targets (the default target).
pub const KUBE_NEWEST_MINOR: u32 = 37;
/// The first minor with native sidecars (`initContainers[].restartPolicy: Always`) on by default.
pub const NATIVE_SIDECAR_MINOR: u32 = 29;
/// The first minor whose API server accepts any printable ASCII but `=` in environment variable
/// names (KEP-4369, `RelaxedEnvironmentVariableValidation`: beta and on by default in 1.32, GA in
/// 1.34). Older minors require `[-._a-zA-Z][-._a-zA-Z0-9]*`.
pub const RELAXED_ENV_NAMES_MINOR: u32 = 32;

/// The largest value of the API's int32 fields (`runAsUser`, `activeDeadlineSeconds`, probe
/// thresholds, ...): the API server refuses anything above it.
pub const INT32_MAX: i64 = 2_147_483_647;

/// Why `port` is not a TCP port, or `None`.
///
/// ```
/// assert!(dind_facts::port_problem(2376).is_none());
/// assert_eq!(dind_facts::port_problem(0).unwrap(), "0 is not a valid TCP port (1..=65535)");
/// ```
pub fn port_problem(port: u32) -> Option<String> {
    (!PORT_RANGE.contains(&port)).then(|| {
        format!(
            "{port} is not a valid TCP port ({}..={})",
            PORT_RANGE.start(),
            PORT_RANGE.end()
        )
    })
}

/// Why `mtu` is not a usable MTU, or `None` (rule DIND018).
///
/// ```
/// assert_eq!(dind_facts::mtu_problem(20).unwrap(), "20 is out of range (68..=65535)");
/// ```
pub fn mtu_problem(mtu: u32) -> Option<String> {
    (!MTU_RANGE.contains(&mtu)).then(|| format!("{mtu} is out of range ({}..={})", MTU_RANGE.start(), MTU_RANGE.end()))
}

/// Why `path` cannot be a unix socket path, or `None` (rule DIND013): it must be absolute and at
/// most [`MAX_SOCKET_PATH`] bytes long.
///
/// ```
/// use dind_facts::socket_path_problem;
/// assert!(socket_path_problem("/dind/docker.sock").is_none());
/// assert!(socket_path_problem("dind/docker.sock").unwrap().contains("absolute"));
/// assert!(socket_path_problem(&format!("/{}", "d".repeat(107))).unwrap().contains("107"));
/// ```
pub fn socket_path_problem(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        Some(format!("socket path `{path}` is not absolute"))
    } else if path.len() > MAX_SOCKET_PATH {
        Some(format!(
            "socket path is {} bytes long; a unix socket path holds at most {MAX_SOCKET_PATH}",
            path.len()
        ))
    } else {
        None
    }
}

/// Parses `1.NN` (also `v1.NN` and `1.NN.P`) into its minor, without checking the range.
///
/// ```
/// assert_eq!(dind_facts::kube_minor("1.33"), Some(33));
/// assert_eq!(dind_facts::kube_minor("v1.29.4"), Some(29));
/// assert_eq!(dind_facts::kube_minor("2.1"), None);
/// ```
pub fn kube_minor(text: &str) -> Option<u32> {
    let t = text.trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    let mut parts = t.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.parse().ok()?;
    let rest_ok = parts.all(|p| p.parse::<u32>().is_ok());
    (major == KUBE_MAJOR && rest_ok).then_some(minor)
}

/// Why `text` is not a Kubernetes version dind supports, or `None`.
///
/// ```
/// assert!(dind_facts::kube_version_problem("1.33").is_none());
/// assert!(dind_facts::kube_version_problem("1.12").unwrap().contains("1.25 to 1.37"));
/// ```
pub fn kube_version_problem(text: &str) -> Option<String> {
    match kube_minor(text) {
        None => Some(format!("`{text}` is not a Kubernetes version (expected e.g. `1.33`)")),
        Some(m) if !(KUBE_OLDEST_MINOR..=KUBE_NEWEST_MINOR).contains(&m) => Some(format!(
            "Kubernetes {KUBE_MAJOR}.{m} is not supported (dind targets {KUBE_MAJOR}.{KUBE_OLDEST_MINOR} to {KUBE_MAJOR}.{KUBE_NEWEST_MINOR})"
        )),
        Some(_) => None,
    }
}

/// Why native sidecars cannot be used on Kubernetes `1.minor`, or `None` (rule DIND022).
///
/// ```
/// assert!(dind_facts::native_sidecar_problem(28).unwrap().contains(">= 1.29"));
/// assert!(dind_facts::native_sidecar_problem(29).is_none());
/// ```
pub fn native_sidecar_problem(minor: u32) -> Option<String> {
    (minor < NATIVE_SIDECAR_MINOR).then(|| {
        format!(
            "native sidecars need Kubernetes >= {KUBE_MAJOR}.{NATIVE_SIDECAR_MINOR}, the target is {KUBE_MAJOR}.{minor}"
        )
    })
}

/// Why a pod with `hostUsers: false` cannot be counted on for Kubernetes `1.minor`, or `None`:
/// below 1.30 the gate is alpha; from 1.30 to 1.32 it is beta but off by default, so the API
/// server drops the field unless the cluster turns `UserNamespacesSupport` on (rule DIND029).
///
/// ```
/// assert!(dind_facts::host_users_problem(29).unwrap().contains("alpha"));
/// assert!(dind_facts::host_users_problem(31).unwrap().contains("off by default"));
/// assert!(dind_facts::host_users_problem(33).is_none());
/// ```
pub fn host_users_problem(minor: u32) -> Option<String> {
    if minor < HOST_USERS_BETA_MINOR {
        Some(format!(
            "user namespaces (`hostUsers: false`) are alpha on Kubernetes {KUBE_MAJOR}.{minor}: the API server drops the field unless the alpha gate UserNamespacesSupport is on"
        ))
    } else if minor < HOST_USERS_DEFAULT_MINOR {
        Some(format!(
            "the UserNamespacesSupport gate is off by default on Kubernetes {KUBE_MAJOR}.{minor} (on from {KUBE_MAJOR}.{HOST_USERS_DEFAULT_MINOR}): unless the cluster turns it on, the API server drops `hostUsers: false` and the pod shares the node's user namespace"
        ))
    } else {
        None
    }
}

/// The closest of `options` to `value` when it is close enough to be a typo (at most two edits,
/// Damerau-Levenshtein).
///
/// ```
/// assert_eq!(dind_facts::did_you_mean("tpc", dind_facts::TRANSPORTS), Some("tcp"));
/// assert_eq!(dind_facts::did_you_mean("ssh", dind_facts::TRANSPORTS), None);
/// ```
pub fn did_you_mean<'a>(value: &str, options: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    options
        .into_iter()
        .map(|o| (edit_distance(value, o), o))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

/// Optimal-string-alignment distance (adjacent transpositions count as one edit).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// An RFC 1123 label: lowercase alphanumerics and `-`, starting and ending alphanumeric, 1-63
/// bytes (container and volume names, namespaces).
///
/// ```
/// use dind_facts::is_dns_label;
/// assert!(is_dns_label("dind"));
/// assert!(!is_dns_label("Docker_Daemon"));
/// ```
pub fn is_dns_label(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// An RFC 1123 subdomain: dot-separated labels, at most 253 bytes (pod, Secret and service
/// account names).
///
/// ```
/// use dind_facts::is_dns_subdomain;
/// assert!(is_dns_subdomain("registry-credentials"));
/// assert!(!is_dns_subdomain("Registry_Credentials"));
/// ```
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// Why `name` cannot name the `registry_auth` Secret, if it cannot.
///
/// ```
/// assert!(dind_facts::secret_name_problem("registry-credentials").is_none());
/// assert!(dind_facts::secret_name_problem("my_secret").unwrap().contains("RFC 1123"));
/// ```
pub fn secret_name_problem(name: &str) -> Option<String> {
    (!is_dns_subdomain(name))
        .then(|| format!("`{name}` is not a Secret name (RFC 1123 subdomain: lower-case letters, digits, `-` and `.`)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_reject_their_edges_outside() {
        assert!(port_problem(65535).is_none() && port_problem(65536).is_some());
        assert!(mtu_problem(68).is_none() && mtu_problem(67).is_some() && mtu_problem(65536).is_some());
        assert!(socket_path_problem(&format!("/{}", "d".repeat(106))).is_none());
    }

    #[test]
    fn distances_count_transpositions_once() {
        assert_eq!(edit_distance("tpc", "tcp"), 1);
        assert_eq!(edit_distance("transprot", "transport"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
