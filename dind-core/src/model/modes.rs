//! The pod's modes besides the transport: the container runtime and, for Sysbox, how the pod gets
//! its user namespace. Their names are the ones `dind-facts` lists, so the flag, the settings key
//! and the derive literal spell them alike.

use std::fmt;

/// An enum whose variants are spelled by a `dind-facts` name list.
macro_rules! named {
    ($(#[$meta:meta])* $name:ident, $what:literal, $names:path, [$($(#[$vmeta:meta])* $variant:ident),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            const VARIANTS: &'static [$name] = &[$($name::$variant),+];

            /// The name used by the flag, the settings key and the derive literal.
            pub fn as_str(self) -> &'static str {
                let i = Self::VARIANTS.iter().position(|v| *v == self).unwrap_or(0);
                $names[i]
            }

            /// Parses a name; the error lists the valid ones and suggests the closest.
            pub fn parse(text: &str) -> Result<$name, String> {
                match $names.iter().position(|n| *n == text) {
                    Some(i) => Ok(Self::VARIANTS[i]),
                    None => {
                        let hint = dind_facts::did_you_mean(text, $names)
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                        Err(format!(
                            concat!("unknown ", $what, " `{}` (expected one of: {}){}"),
                            text,
                            $names.join(", "),
                            hint
                        ))
                    }
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named!(
    /// The container runtime that runs the daemon.
    ///
    /// ```
    /// use dind_core::Runtime;
    /// assert_eq!(Runtime::parse("sysbox"), Ok(Runtime::Sysbox));
    /// assert_eq!(Runtime::default().as_str(), "runc");
    /// assert!(Runtime::parse("sysbx").unwrap_err().contains("did you mean `sysbox`?"));
    /// ```
    Runtime,
    "runtime",
    dind_facts::RUNTIMES,
    [
        /// The node's default runtime: the daemon must be `privileged`.
        #[default]
        Runc,
        /// Sysbox (`runtimeClassName: sysbox-runc`): the plain dind image runs without
        /// `privileged`, in a user namespace. Needs Sysbox installed on the nodes.
        Sysbox,
    ]
);

named!(
    /// How a Sysbox pod gets its user namespace.
    ///
    /// ```
    /// use dind_core::UserNamespace;
    /// assert_eq!(UserNamespace::parse("cri-o"), Ok(UserNamespace::CriO));
    /// assert_eq!(UserNamespace::default(), UserNamespace::Kubernetes);
    /// ```
    UserNamespace,
    "user namespace",
    dind_facts::USER_NAMESPACES,
    [
        /// `hostUsers: false`: Kubernetes >= 1.30 with `UserNamespacesSupport` (on by default
        /// from 1.33) and containerd >= 2.0.5.
        #[default]
        Kubernetes,
        /// The annotation `io.kubernetes.cri-o.userns-mode: "auto:size=65536"`, for clusters
        /// where the Sysbox installer replaced containerd with CRI-O.
        CriO,
    ]
);

named!(
    /// The build engine: what daemon the pod runs for its steps.
    ///
    /// ```
    /// use dind_core::Engine;
    /// assert_eq!(Engine::parse("buildkit"), Ok(Engine::Buildkit));
    /// assert_eq!(Engine::default().as_str(), "docker");
    /// ```
    Engine,
    "engine",
    dind_facts::ENGINES,
    [
        /// dockerd from the `docker:<v>-dind` image: `docker build`, `docker run`, compose,
        /// Testcontainers.
        #[default]
        Docker,
        /// Rootless BuildKit (`moby/buildkit:<v>-rootless`): no `privileged` and nothing on the
        /// nodes, but it only builds and pushes (no `docker run`). Its seccomp and AppArmor
        /// profiles are `Unconfined`, so the namespace needs Pod Security level `privileged`.
        Buildkit,
    ]
);

/// The runtime class the Sysbox installer creates (its handler is the same name).
pub const SYSBOX_RUNTIME_CLASS: &str = "sysbox-runc";
/// The CRI-O annotation that gives a pod its own user namespace.
pub const CRIO_USERNS_ANNOTATION: &str = "io.kubernetes.cri-o.userns-mode";
/// Its value: an automatic mapping of 65,536 ids, as the Sysbox documentation gives it.
pub const CRIO_USERNS_MODE: &str = "auto:size=65536";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back() {
        for r in Runtime::VARIANTS {
            assert_eq!(Runtime::parse(r.as_str()), Ok(*r));
        }
        for e in Engine::VARIANTS {
            assert_eq!(Engine::parse(e.as_str()), Ok(*e));
        }
        for u in UserNamespace::VARIANTS {
            assert_eq!(UserNamespace::parse(&u.to_string()), Ok(*u));
        }
        assert!(Runtime::parse("kata").unwrap_err().contains("runc, sysbox"));
    }
}
