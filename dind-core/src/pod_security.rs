//! The Pod Security Standards level a pod needs: which of `restricted`, `baseline` and
//! `privileged` a namespace must enforce (label `pod-security.kubernetes.io/enforce`) for the
//! API server to admit it. The checks follow the Pod Security admission controller's policy
//! (k8s.io/pod-security-admission, `policy/check_*.go`), control by control; every reason names
//! the field that raises the level.

use std::fmt;

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, SecurityContext};

/// A Pod Security Standards level, least to most permissive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum PodSecurityLevel {
    /// `restricted`: hardened, non-root.
    Restricted,
    /// `baseline`: prevents known privilege escalations.
    Baseline,
    /// `privileged`: unrestricted.
    Privileged,
}

impl PodSecurityLevel {
    /// The level's name as the namespace label takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            PodSecurityLevel::Restricted => "restricted",
            PodSecurityLevel::Baseline => "baseline",
            PodSecurityLevel::Privileged => "privileged",
        }
    }
}

impl fmt::Display for PodSecurityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The level a pod needs, with the fields that put it above `restricted`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSecurity {
    /// The least permissive level that admits the pod.
    pub level: PodSecurityLevel,
    /// Why it is not `baseline` (the fields only `privileged` allows).
    pub beyond_baseline: Vec<String>,
    /// Why it is not `restricted`.
    pub beyond_restricted: Vec<String>,
}

/// Capabilities `baseline` allows to add (`check_capabilities_baseline.go`).
const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];
/// Volume types `restricted` allows (`check_restrictedVolumes.go`).
const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];
/// SELinux types `baseline` allows.
const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn all_containers(spec: &PodSpec) -> impl Iterator<Item = (&'static str, usize, &Container)> {
    spec.init_containers
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| ("initContainers", i, c))
        .chain(spec.containers.iter().enumerate().map(|(i, c)| ("containers", i, c)))
}

/// A volume's source type, as the API names it.
fn volume_type(v: &k8s_openapi::api::core::v1::Volume) -> &'static str {
    // Serializing a volume gives its one source key beside `name`.
    serde_json::to_value(v)
        .ok()
        .and_then(|value| {
            value.as_object().and_then(|o| {
                o.keys()
                    .find(|k| *k != "name")
                    .and_then(|k| RESTRICTED_VOLUMES.iter().chain(["hostPath"].iter()).find(|t| **t == k))
                    .copied()
            })
        })
        .unwrap_or("other")
}

impl PodSecurity {
    /// Evaluates a pod against the Pod Security Standards.
    ///
    /// ```
    /// use dind_core::{DindPod, Engine, PodSecurity, PodSecurityLevel, Runtime};
    /// let level = |p: DindPod| PodSecurity::of(p.build().unwrap().pod()).level;
    /// assert_eq!(level(DindPod::new()), PodSecurityLevel::Privileged);
    /// assert_eq!(level(DindPod::new().runtime(Runtime::Sysbox)), PodSecurityLevel::Baseline);
    /// // No `privileged`, but seccomp and AppArmor `Unconfined`.
    /// assert_eq!(level(DindPod::new().engine(Engine::Buildkit)), PodSecurityLevel::Privileged);
    /// ```
    pub fn of(pod: &Pod) -> PodSecurity {
        let mut baseline = Vec::new();
        let mut restricted = Vec::new();
        let Some(spec) = pod.spec.as_ref() else {
            return PodSecurity {
                level: PodSecurityLevel::Restricted,
                beyond_baseline: baseline,
                beyond_restricted: restricted,
            };
        };
        for (field, on) in [
            ("hostNetwork", spec.host_network),
            ("hostPID", spec.host_pid),
            ("hostIPC", spec.host_ipc),
        ] {
            if on == Some(true) {
                baseline.push(format!("spec.{field}: true"));
            }
        }
        for (i, v) in spec.volumes.iter().flatten().enumerate() {
            match volume_type(v) {
                "hostPath" => baseline.push(format!("spec.volumes[{i}].hostPath")),
                "other" => restricted.push(format!(
                    "spec.volumes[{i}] (`{}`): not a restricted volume type",
                    v.name
                )),
                _ => {}
            }
        }
        let pod_sc = spec.security_context.as_ref();
        if let Some(sysctls) = pod_sc.and_then(|s| s.sysctls.as_ref())
            && !sysctls.is_empty()
        {
            // The safe set changes between minors; any sysctl is at least worth naming.
            let unsafe_ones: Vec<&str> = sysctls
                .iter()
                .map(|s| s.name.as_str())
                .filter(|n| {
                    !matches!(
                        *n,
                        "kernel.shm_rmid_forced"
                            | "net.ipv4.ip_local_port_range"
                            | "net.ipv4.ip_unprivileged_port_start"
                            | "net.ipv4.tcp_syncookies"
                            | "net.ipv4.ping_group_range"
                            | "net.ipv4.ip_local_reserved_ports"
                            | "net.ipv4.tcp_keepalive_time"
                            | "net.ipv4.tcp_fin_timeout"
                            | "net.ipv4.tcp_keepalive_intvl"
                            | "net.ipv4.tcp_keepalive_probes"
                    )
                })
                .collect();
            if !unsafe_ones.is_empty() {
                baseline.push(format!("spec.securityContext.sysctls: {}", unsafe_ones.join(", ")));
            }
        }
        let pod_seccomp = pod_sc
            .and_then(|s| s.seccomp_profile.as_ref())
            .map(|p| p.type_.as_str());
        if pod_seccomp == Some("Unconfined") {
            baseline.push("spec.securityContext.seccompProfile: Unconfined".into());
        }
        if pod_sc
            .and_then(|s| s.app_armor_profile.as_ref())
            .is_some_and(|p| p.type_ == "Unconfined")
        {
            baseline.push("spec.securityContext.appArmorProfile: Unconfined".into());
        }
        for (k, v) in pod.metadata.annotations.iter().flatten() {
            if k.starts_with("container.apparmor.security.beta.kubernetes.io/")
                && v != "runtime/default"
                && !v.starts_with("localhost/")
            {
                baseline.push(format!("metadata.annotations.{k}: {v}"));
            }
        }
        let pod_non_root = pod_sc.and_then(|s| s.run_as_non_root);
        let pod_uid = pod_sc.and_then(|s| s.run_as_user);
        if pod_uid == Some(0) {
            restricted.push("spec.securityContext.runAsUser: 0".into());
        }
        let user_ns = spec.host_users == Some(false);
        for (list, i, c) in all_containers(spec) {
            let at = format!("spec.{list}[{i}]");
            let sc: Option<&SecurityContext> = c.security_context.as_ref();
            if sc.and_then(|s| s.privileged) == Some(true) {
                baseline.push(format!("{at}.securityContext.privileged: true"));
            }
            if c.ports.iter().flatten().any(|p| p.host_port.is_some_and(|h| h != 0)) {
                baseline.push(format!("{at}.ports[].hostPort"));
            }
            let added: Vec<&str> = sc
                .and_then(|s| s.capabilities.as_ref())
                .and_then(|c| c.add.as_ref())
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            let beyond: Vec<&str> = added
                .iter()
                .copied()
                .filter(|a| !BASELINE_CAPABILITIES.contains(&a.trim_start_matches("CAP_")))
                .collect();
            if !beyond.is_empty() {
                baseline.push(format!("{at}.securityContext.capabilities.add: {}", beyond.join(", ")));
            }
            if added.iter().any(|a| a.trim_start_matches("CAP_") != "NET_BIND_SERVICE") {
                restricted.push(format!("{at}.securityContext.capabilities.add beyond NET_BIND_SERVICE"));
            }
            if sc.and_then(|s| s.proc_mount.as_deref()).is_some_and(|m| m != "Default") && !user_ns {
                baseline.push(format!("{at}.securityContext.procMount: Unmasked"));
            }
            let seccomp = sc
                .and_then(|s| s.seccomp_profile.as_ref())
                .map(|p| p.type_.as_str())
                .or(pod_seccomp);
            match seccomp {
                Some("Unconfined") => {
                    if sc.and_then(|s| s.seccomp_profile.as_ref()).is_some() {
                        baseline.push(format!("{at}.securityContext.seccompProfile: Unconfined"));
                    }
                }
                Some(_) => {}
                None => restricted.push(format!("{at}.securityContext.seccompProfile: unset")),
            }
            if sc
                .and_then(|s| s.app_armor_profile.as_ref())
                .is_some_and(|p| p.type_ == "Unconfined")
            {
                baseline.push(format!("{at}.securityContext.appArmorProfile: Unconfined"));
            }
            if let Some(se) = sc.and_then(|s| s.se_linux_options.as_ref())
                && (se.type_.as_deref().is_some_and(|t| !SELINUX_TYPES.contains(&t))
                    || se.user.is_some()
                    || se.role.is_some())
            {
                baseline.push(format!("{at}.securityContext.seLinuxOptions"));
            }
            if sc.and_then(|s| s.allow_privilege_escalation) != Some(false) {
                restricted.push(format!("{at}.securityContext.allowPrivilegeEscalation: not false"));
            }
            let non_root = sc.and_then(|s| s.run_as_non_root).or(pod_non_root);
            if non_root != Some(true) {
                restricted.push(format!("{at}.securityContext.runAsNonRoot: not true"));
            }
            if sc.and_then(|s| s.run_as_user) == Some(0) {
                restricted.push(format!("{at}.securityContext.runAsUser: 0"));
            }
            let drops_all = sc
                .and_then(|s| s.capabilities.as_ref())
                .and_then(|c| c.drop.as_ref())
                .is_some_and(|d| d.iter().any(|x| x == "ALL"));
            if !drops_all {
                restricted.push(format!("{at}.securityContext.capabilities.drop: not ALL"));
            }
        }
        let level = if !baseline.is_empty() {
            PodSecurityLevel::Privileged
        } else if !restricted.is_empty() {
            PodSecurityLevel::Baseline
        } else {
            PodSecurityLevel::Restricted
        };
        PodSecurity {
            level,
            beyond_baseline: baseline,
            beyond_restricted: restricted,
        }
    }

    /// One line for a person: the level and the first reason for it.
    ///
    /// ```
    /// use dind_core::{DindPod, PodSecurity};
    /// let pod = DindPod::new().build().unwrap();
    /// assert!(PodSecurity::of(pod.pod()).summary().starts_with("the namespace must allow Pod Security level `privileged`"));
    /// ```
    pub fn summary(&self) -> String {
        let why = match self.level {
            PodSecurityLevel::Privileged => self.beyond_baseline.first(),
            PodSecurityLevel::Baseline => self.beyond_restricted.first(),
            PodSecurityLevel::Restricted => None,
        };
        match why {
            Some(w) => format!(
                "the namespace must allow Pod Security level `{}` (pod-security.kubernetes.io/enforce={}): {w}",
                self.level, self.level
            ),
            None => "the pod meets Pod Security level `restricted`".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(v: serde_json::Value) -> Pod {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn each_control_raises_the_level() {
        let hardened = serde_json::json!({"spec": {"containers": [{"name": "a", "securityContext": {
            "allowPrivilegeEscalation": false, "runAsNonRoot": true, "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}}}]}});
        assert_eq!(
            PodSecurity::of(&pod(hardened.clone())).level,
            PodSecurityLevel::Restricted
        );
        let mut root = hardened.clone();
        root["spec"]["containers"][0]["securityContext"]["runAsNonRoot"] = false.into();
        let s = PodSecurity::of(&pod(root));
        assert_eq!(s.level, PodSecurityLevel::Baseline);
        assert!(s.beyond_restricted[0].contains("runAsNonRoot"));
        for (pointer, value) in [
            ("/spec/hostNetwork", serde_json::json!(true)),
            ("/spec/containers/0/securityContext/privileged", serde_json::json!(true)),
            (
                "/spec/containers/0/securityContext/seccompProfile",
                serde_json::json!({"type": "Unconfined"}),
            ),
            (
                "/spec/volumes",
                serde_json::json!([{"name": "s", "hostPath": {"path": "/var/run/docker.sock"}}]),
            ),
            (
                "/spec/containers/0/securityContext/capabilities/add",
                serde_json::json!(["SYS_ADMIN"]),
            ),
            (
                "/metadata/annotations",
                serde_json::json!({"container.apparmor.security.beta.kubernetes.io/a": "unconfined"}),
            ),
        ] {
            let mut v = hardened.clone();
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            if v.pointer(parent).is_none() {
                v["metadata"] = serde_json::json!({});
            }
            v.pointer_mut(parent).unwrap()[key] = value;
            assert_eq!(
                PodSecurity::of(&pod(v)).level,
                PodSecurityLevel::Privileged,
                "{pointer}"
            );
        }
        // `runtime/default` AppArmor and the baseline capabilities stay below privileged.
        let mut v = hardened;
        v["metadata"] =
            serde_json::json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "runtime/default"}});
        v["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = serde_json::json!(["CHOWN"]);
        assert_eq!(PodSecurity::of(&pod(v)).level, PodSecurityLevel::Baseline);
    }
}
