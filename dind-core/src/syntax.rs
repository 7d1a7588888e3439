//! Syntax checks for Kubernetes values: RFC 1123 names, label keys and values, quantities,
//! environment variable names.

/// An RFC 1123 label: lowercase alphanumerics and `-`, starting and ending alphanumeric, 1-63.
///
/// ```
/// use dind_core::syntax::is_dns_label;
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

/// An RFC 1123 subdomain: dot-separated labels, at most 253 bytes.
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

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

/// An environment variable name the API accepts: printable ASCII without `=`, non-empty.
pub fn is_env_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (b'!'..=b'~').contains(&b) && b != b'=')
}

/// What makes a unix socket path unusable to the kernel: not absolute, or longer than the 107
/// bytes `sun_path` holds (with its terminator). `None` when it is fine.
///
/// ```
/// use dind_core::syntax::socket_path_problem;
/// assert!(socket_path_problem("/dind/docker.sock").is_none());
/// assert!(socket_path_problem("dind/docker.sock").unwrap().contains("absolute"));
/// assert!(socket_path_problem(&format!("/{}", "d".repeat(107))).unwrap().contains("107"));
/// ```
pub fn socket_path_problem(path: &str) -> Option<String> {
    let max = crate::conventions::MAX_SOCKET_PATH;
    if !path.starts_with('/') {
        Some(format!("socket path `{path}` is not absolute"))
    } else if path.len() > max {
        Some(format!(
            "socket path is {} bytes long; a unix socket path holds at most {max}",
            path.len()
        ))
    } else {
        None
    }
}
