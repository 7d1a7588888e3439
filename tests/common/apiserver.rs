//! The kube-apiserver's own checks of a Pod that a schema does not express, written for the tests
//! from `pkg/apis/core/validation/validation.go` (kubernetes/kubernetes) and apimachinery's
//! `pkg/util/validation`. Each check names the function it follows. The builder must never
//! produce a pod that fails one, for any Kubernetes minor dind supports.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Container, Pod, Probe, SecurityContext};

const MAX_INT32: i64 = 2_147_483_647;

fn dns_label(s: &str) -> bool {
    // validation.IsDNS1123Label
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn dns_subdomain(s: &str) -> bool {
    // validation.IsDNS1123Subdomain
    s.len() <= 253 && s.split('.').all(dns_label)
}

fn label_value(v: &str) -> bool {
    // validation.IsValidLabelValue
    let b = v.as_bytes();
    b.is_empty()
        || (b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric())
}

fn qualified_name(k: &str) -> bool {
    // validation.IsQualifiedName
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    prefix.is_none_or(|p| !p.is_empty() && dns_subdomain(p)) && !name.is_empty() && label_value(name)
}

fn env_name(name: &str, minor: u32) -> bool {
    if minor >= 32 {
        // validation.IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, on from 1.32)
        !name.is_empty() && name.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'=')
    } else {
        // validation.IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*
        let b = name.as_bytes();
        !b.is_empty()
            && !b[0].is_ascii_digit()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
    }
}

fn quantity(q: &str) -> Option<f64> {
    dind::syntax::quantity_value(q)
}

fn probe(p: &Probe, path: &str, needs_success_one: bool, errors: &mut Vec<String>) {
    // validateProbe: non-negative numbers; validateHandler: exactly one handler.
    let handlers = [
        p.exec.is_some(),
        p.http_get.is_some(),
        p.tcp_socket.is_some(),
        p.grpc.is_some(),
    ];
    if handlers.iter().filter(|h| **h).count() != 1 {
        errors.push(format!("{path}: validateHandler: exactly one handler"));
    }
    if let Some(e) = &p.exec
        && e.command.as_ref().is_none_or(Vec::is_empty)
    {
        errors.push(format!("{path}.exec.command: validateExecAction: Required"));
    }
    for (name, v) in [
        ("initialDelaySeconds", p.initial_delay_seconds),
        ("timeoutSeconds", p.timeout_seconds),
        ("periodSeconds", p.period_seconds),
        ("successThreshold", p.success_threshold),
        ("failureThreshold", p.failure_threshold),
    ] {
        if v.is_some_and(|v| v < 0) {
            errors.push(format!("{path}.{name}: ValidateNonnegativeField"));
        }
    }
    // validateLivenessProbe / validateStartupProbe: successThreshold must be 1.
    if needs_success_one && p.success_threshold.is_some_and(|s| s != 1) {
        errors.push(format!("{path}.successThreshold: must be 1"));
    }
}

fn security(sc: &SecurityContext, path: &str, errors: &mut Vec<String>) {
    // ValidateSecurityContext → IsValidUserID / IsValidGroupID: 0..=MaxInt32.
    for (name, v) in [("runAsUser", sc.run_as_user), ("runAsGroup", sc.run_as_group)] {
        if v.is_some_and(|v| !(0..=MAX_INT32).contains(&v)) {
            errors.push(format!("{path}.{name}: must be between 0 and 2147483647"));
        }
    }
    // ValidateSecurityContext: cannot set allowPrivilegeEscalation to false and privileged to true.
    if sc.privileged == Some(true) && sc.allow_privilege_escalation == Some(false) {
        errors.push(format!(
            "{path}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
        ));
    }
}

fn container(c: &Container, path: &str, volumes: &BTreeSet<&str>, init: bool, minor: u32, errors: &mut Vec<String>) {
    if !dns_label(&c.name) {
        errors.push(format!("{path}.name: validateContainers: must be a DNS label"));
    }
    // validateContainerCommon: image required and without surrounding whitespace.
    match c.image.as_deref() {
        None | Some("") => errors.push(format!("{path}.image: Required")),
        Some(i) if i.trim() != i => errors.push(format!("{path}.image: must not have leading or trailing whitespace")),
        _ => {}
    }
    // ValidateEnv: names, and one source for valueFrom.
    for (i, e) in c.env.iter().flatten().enumerate() {
        if !env_name(&e.name, minor) {
            errors.push(format!(
                "{path}.env[{i}].name: `{}` is not a valid name for 1.{minor}",
                e.name
            ));
        }
        if e.value.as_deref().is_some_and(|v| !v.is_empty()) && e.value_from.is_some() {
            errors.push(format!(
                "{path}.env[{i}]: sources cannot be specified when value is not empty"
            ));
        }
    }
    // ValidateVolumeMounts: the volume exists, mountPath unique.
    let mut paths = BTreeSet::new();
    for (i, m) in c.volume_mounts.iter().flatten().enumerate() {
        if !volumes.contains(m.name.as_str()) {
            errors.push(format!("{path}.volumeMounts[{i}].name: Not found: {}", m.name));
        }
        if m.mount_path.is_empty() {
            errors.push(format!("{path}.volumeMounts[{i}].mountPath: Required"));
        }
        if !paths.insert(m.mount_path.as_str()) {
            errors.push(format!("{path}.volumeMounts[{i}].mountPath: must be unique"));
        }
    }
    // ValidateResourceRequirements: request <= limit, non-negative quantities.
    if let Some(r) = &c.resources {
        for (name, q) in r.requests.iter().flatten().chain(r.limits.iter().flatten()) {
            match quantity(&q.0) {
                None => errors.push(format!("{path}.resources.{name}: `{}` is not a quantity", q.0)),
                Some(v) if v < 0.0 => errors.push(format!("{path}.resources.{name}: must be non-negative")),
                _ => {}
            }
        }
        for (name, req) in r.requests.iter().flatten() {
            if let Some(lim) = r.limits.as_ref().and_then(|l| l.get(name))
                && quantity(&req.0) > quantity(&lim.0)
            {
                errors.push(format!(
                    "{path}.resources.requests.{name}: must be less than or equal to {name} limit"
                ));
            }
        }
    }
    if let Some(sc) = &c.security_context {
        security(sc, &format!("{path}.securityContext"), errors);
    }
    for (name, p, one) in [
        ("startupProbe", c.startup_probe.as_ref(), true),
        ("livenessProbe", c.liveness_probe.as_ref(), true),
        ("readinessProbe", c.readiness_probe.as_ref(), false),
    ] {
        if let Some(p) = p {
            probe(p, &format!("{path}.{name}"), one, errors);
        }
    }
    // validateInitContainers: restartPolicy only `Always` (native sidecars, on from 1.29);
    // validateContainers: may not be set for regular containers.
    match (init, c.restart_policy.as_deref()) {
        (true, Some("Always")) if minor < 29 => {
            errors.push(format!("{path}.restartPolicy: SidecarContainers is off before 1.29"))
        }
        (true, Some(p)) if p != "Always" => errors.push(format!("{path}.restartPolicy: Unsupported value")),
        (false, Some(_)) => errors.push(format!("{path}.restartPolicy: may not be set for non-init containers")),
        _ => {}
    }
}

/// Every API-server check the pod fails on Kubernetes `1.minor`. `named`: a manifest must have a
/// name (Jenkins names the pods it creates from a template).
pub fn check(pod: &Pod, minor: u32, named: bool) -> Vec<String> {
    let mut errors = Vec::new();
    let meta = &pod.metadata;
    // ValidateObjectMeta: a name (or generateName) that is a DNS subdomain.
    match meta.name.as_deref() {
        Some(n) if !dns_subdomain(n) => errors.push(format!("metadata.name: `{n}` is not a DNS subdomain")),
        None if named => errors.push("metadata.name: Required".to_string()),
        _ => {}
    }
    if meta.namespace.as_deref().is_some_and(|n| !dns_label(n)) {
        errors.push("metadata.namespace: not a DNS label".to_string());
    }
    // ValidateLabels / ValidateAnnotations (keys qualified names; annotations at most 256 KiB).
    for (k, v) in meta.labels.iter().flatten() {
        if !qualified_name(k) || !label_value(v) {
            errors.push(format!("metadata.labels: `{k}: {v}`"));
        }
    }
    let mut total = 0;
    for (k, v) in meta.annotations.iter().flatten() {
        total += k.len() + v.len();
        if !qualified_name(k) {
            errors.push(format!("metadata.annotations: `{k}`"));
        }
    }
    if total > 256 << 10 {
        errors.push("metadata.annotations: Too long: must have at most 262144 bytes".to_string());
    }
    let Some(spec) = &pod.spec else {
        errors.push("spec: Required".to_string());
        return errors;
    };
    // ValidateVolumes: unique DNS-label names; emptyDir sizeLimit non-negative.
    let mut volumes = BTreeSet::new();
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        if !dns_label(&v.name) || !volumes.insert(v.name.as_str()) {
            errors.push(format!("spec.volumes[{i}].name: invalid or duplicate `{}`", v.name));
        }
        if let Some(size) = v.empty_dir.as_ref().and_then(|e| e.size_limit.as_ref())
            && quantity(&size.0).is_none_or(|q| q < 0.0)
        {
            errors.push(format!("spec.volumes[{i}].emptyDir.sizeLimit: invalid"));
        }
    }
    if spec.containers.is_empty() {
        errors.push("spec.containers: Required".to_string());
    }
    // validateContainers / validateInitContainers: names unique across both lists.
    let mut names = BTreeSet::new();
    for (i, c) in spec.containers.iter().enumerate() {
        if !names.insert(c.name.as_str()) {
            errors.push(format!("spec.containers[{i}].name: Duplicate value"));
        }
        container(c, &format!("spec.containers[{i}]"), &volumes, false, minor, &mut errors);
    }
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        if !names.insert(c.name.as_str()) {
            errors.push(format!("spec.initContainers[{i}].name: Duplicate value"));
        }
        container(
            c,
            &format!("spec.initContainers[{i}]"),
            &volumes,
            true,
            minor,
            &mut errors,
        );
    }
    // ValidatePodSpec: restartPolicy values; activeDeadlineSeconds 1..=MaxInt32.
    if spec
        .restart_policy
        .as_deref()
        .is_some_and(|p| !matches!(p, "Always" | "OnFailure" | "Never"))
    {
        errors.push("spec.restartPolicy: Unsupported value".to_string());
    }
    if spec
        .active_deadline_seconds
        .is_some_and(|s| !(1..=MAX_INT32).contains(&s))
    {
        errors.push("spec.activeDeadlineSeconds: must be between 1 and 2147483647, inclusive".to_string());
    }
    if spec.service_account_name.as_deref().is_some_and(|n| !dns_subdomain(n)) {
        errors.push("spec.serviceAccountName: not a DNS subdomain".to_string());
    }
    for (k, v) in spec.node_selector.iter().flatten() {
        if !qualified_name(k) || !label_value(v) {
            errors.push(format!("spec.nodeSelector: `{k}: {v}`"));
        }
    }
    // validatePodSecurityContext: supplementalGroups are valid group IDs.
    if let Some(psc) = &spec.security_context {
        for g in psc.supplemental_groups.iter().flatten() {
            if !(0..=MAX_INT32).contains(g) {
                errors.push(format!("spec.securityContext.supplementalGroups: {g}"));
            }
        }
        for (name, v) in [
            ("runAsUser", psc.run_as_user),
            ("runAsGroup", psc.run_as_group),
            ("fsGroup", psc.fs_group),
        ] {
            if v.is_some_and(|v| !(0..=MAX_INT32).contains(&v)) {
                errors.push(format!("spec.securityContext.{name}: must be between 0 and 2147483647"));
            }
        }
    }
    // ValidateRuntimeClassName: a DNS subdomain.
    if spec.runtime_class_name.as_deref().is_some_and(|n| !dns_subdomain(n)) {
        errors.push("spec.runtimeClassName: not a DNS subdomain".to_string());
    }
    // validateHostUsers: with `hostUsers: false`, no host namespace.
    if spec.host_users == Some(false) {
        for (field, on) in [
            ("hostNetwork", spec.host_network),
            ("hostPID", spec.host_pid),
            ("hostIPC", spec.host_ipc),
        ] {
            if on == Some(true) {
                errors.push(format!("spec.{field}: Forbidden: when `pod.Spec.HostUsers` is false"));
            }
        }
    }
    // ValidateTolerations.
    for (i, t) in spec.tolerations.iter().flatten().enumerate() {
        let key = t.key.as_deref().unwrap_or("");
        let op = t.operator.as_deref().unwrap_or("Equal");
        if (!key.is_empty() && !qualified_name(key))
            || (key.is_empty() && op != "Exists")
            || !matches!(op, "Equal" | "Exists")
            || (op == "Exists" && t.value.as_deref().is_some_and(|v| !v.is_empty()))
            || (t.toleration_seconds.is_some() && t.effect.as_deref() != Some("NoExecute"))
        {
            errors.push(format!("spec.tolerations[{i}]: invalid"));
        }
    }
    errors
}
