//! The value checks behind rule codes, shared by the rules (on a pod's fields) and the builder
//! (on its settings), so each code is decided in one place.

use crate::facts::KubeVersion;
use crate::syntax::is_dns_label;

/// DIND013: why `path` cannot be a unix socket path.
pub(crate) fn socket_path(path: &str) -> Option<String> {
    dind_facts::socket_path_problem(path)
}

/// DIND018: why `mtu` (as written) is not a usable MTU.
pub(crate) fn mtu(value: &str) -> Option<String> {
    match value.trim().parse::<u32>() {
        Ok(m) => dind_facts::mtu_problem(m),
        Err(_) => Some(format!("`{value}` is not a number in 68..=65535")),
    }
}

/// DIND020: why `name` cannot name a container or volume.
pub(crate) fn name(what: &str, name: &str) -> Option<String> {
    (!is_dns_label(name))
        .then(|| format!("{what} name `{name}` is not an RFC 1123 label (lowercase letters, digits, `-`, at most 63)"))
}

/// DIND020: a name used twice.
pub(crate) fn duplicate_name(what: &str, name: &str) -> String {
    format!("{what} name `{name}` is used twice")
}

/// DIND022: why native sidecars cannot be used on `kube`.
pub(crate) fn native_sidecar(kube: KubeVersion) -> Option<String> {
    dind_facts::native_sidecar_problem(kube.minor)
}
