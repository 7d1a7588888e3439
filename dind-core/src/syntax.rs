//! Syntax checks for Kubernetes values: RFC 1123 names, label keys and values, quantities,
//! environment variable names.

pub use dind_facts::{is_dns_label, is_dns_subdomain};

/// A label value: empty, or up to 63 of `[A-Za-z0-9._-]` starting and ending alphanumeric.
pub fn is_label_value(value: &str) -> bool {
    let b = value.as_bytes();
    b.is_empty()
        || (b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric())
}

/// A label or annotation key: `[prefix/]name`, prefix a DNS subdomain, name like a label value
/// but non-empty.
pub fn is_qualified_name(key: &str) -> bool {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    prefix.is_none_or(|p| !p.is_empty() && is_dns_subdomain(p)) && !name.is_empty() && is_label_value(name)
}

/// A Kubernetes quantity (`1Gi`, `500m`, `1.5`, `2e3`), non-negative.
///
/// ```
/// use dind_core::syntax::is_quantity;
/// assert!(is_quantity("20Gi") && is_quantity("500m") && is_quantity("0.5"));
/// assert!(!is_quantity("20GB") && !is_quantity("-1Gi") && !is_quantity(""));
/// ```
pub fn is_quantity(text: &str) -> bool {
    let t = text.strip_prefix('+').unwrap_or(text);
    let digits_end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, suffix) = t.split_at(digits_end);
    let number_ok = !number.is_empty() && number != "." && number.matches('.').count() <= 1;
    let suffix_ok = match suffix {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => true,
        s => {
            let exp = s.strip_prefix(['e', 'E']);
            exp.is_some_and(|e| {
                let e = e.strip_prefix(['+', '-']).unwrap_or(e);
                !e.is_empty() && e.len() <= 3 && e.bytes().all(|b| b.is_ascii_digit())
            })
        }
    };
    number_ok && suffix_ok && number.len() <= 32
}

/// The value of a quantity, for comparisons (`1Gi` > `512Mi`); `None` when it is not one.
///
/// ```
/// use dind_core::syntax::quantity_value;
/// assert_eq!(quantity_value("1Gi"), quantity_value("1024Mi"));
/// assert!(quantity_value("512Mi") < quantity_value("1G"));
/// assert_eq!(quantity_value("500m"), Some(0.5));
/// ```
pub fn quantity_value(text: &str) -> Option<f64> {
    if !is_quantity(text) {
        return None;
    }
    let t = text.strip_prefix('+').unwrap_or(text);
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, suffix) = t.split_at(end);
    let n: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        e => 10f64.powi(e[1..].parse::<i32>().ok()?),
    };
    Some(n * factor)
}

/// Why `name` is not an environment variable name the API server of Kubernetes `1.minor`
/// accepts. From 1.32 (KEP-4369) any printable ASCII but `=`; before,
/// `[-._a-zA-Z][-._a-zA-Z0-9]*` (apimachinery's `IsEnvVarName`).
///
/// ```
/// use dind_core::syntax::env_name_problem;
/// assert!(env_name_problem("BUILDKIT_PROGRESS", 25).is_none());
/// assert!(env_name_problem("my var", 31).is_some());
/// assert!(env_name_problem("my var", 32).is_none());
/// assert!(env_name_problem("A=B", 37).is_some());
/// ```
pub fn env_name_problem(name: &str, minor: u32) -> Option<String> {
    if name.is_empty() {
        return Some("an environment variable needs a name".to_string());
    }
    if minor >= dind_facts::RELAXED_ENV_NAMES_MINOR {
        (!name.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'='))
            .then(|| format!("`{name}` is not a valid environment variable name (printable ASCII other than `=`)"))
    } else {
        let b = name.as_bytes();
        let ok = !b[0].is_ascii_digit()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'));
        (!ok).then(|| {
            format!(
                "`{name}` is not a valid environment variable name for Kubernetes 1.{minor} (letters, digits, `_`, `-`, `.`, not starting with a digit; any printable ASCII but `=` from 1.{})",
                dind_facts::RELAXED_ENV_NAMES_MINOR
            )
        })
    }
}

/// An environment variable name the API accepts: printable ASCII without `=`, non-empty.
pub fn is_env_name(name: &str) -> bool {
    env_name_problem(name, dind_facts::KUBE_NEWEST_MINOR).is_none()
}

/// Why a toleration is not one the API accepts (`ValidateTolerations`), or `None`.
pub fn toleration_problem(t: &k8s_openapi::api::core::v1::Toleration) -> Option<String> {
    let key = t.key.as_deref().unwrap_or("");
    let op = t.operator.as_deref().unwrap_or("Equal");
    let value = t.value.as_deref().unwrap_or("");
    let effect = t.effect.as_deref().unwrap_or("");
    if !key.is_empty() && !is_qualified_name(key) {
        Some(format!("toleration key `{key}` is not a qualified name"))
    } else if key.is_empty() && op != "Exists" {
        Some("a toleration without a key must use `operator: Exists`".to_string())
    } else if !matches!(op, "Equal" | "Exists") {
        Some(format!("toleration operator `{op}` is not `Equal` or `Exists`"))
    } else if op == "Exists" && !value.is_empty() {
        Some("a toleration with `operator: Exists` takes no value".to_string())
    } else if op == "Equal" && !is_label_value(value) {
        Some(format!("toleration value `{value}` is not a valid label value"))
    } else if !matches!(effect, "" | "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
        Some(format!("toleration effect `{effect}` is unknown"))
    } else if t.toleration_seconds.is_some() && effect != "NoExecute" {
        Some("`tolerationSeconds` applies only to `effect: NoExecute`".to_string())
    } else {
        None
    }
}

/// What makes a unix socket path unusable to the kernel: not absolute, or longer than the 107
/// bytes `sun_path` holds (with its terminator). `None` when it is fine.
///
/// ```
/// use dind_core::syntax::socket_path_problem;
/// assert!(socket_path_problem("/dind/docker.sock").is_none());
/// assert!(socket_path_problem("dind/docker.sock").unwrap().contains("absolute"));
/// ```
pub fn socket_path_problem(path: &str) -> Option<String> {
    dind_facts::socket_path_problem(path)
}
