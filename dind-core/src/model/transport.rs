//! How clients reach the daemon.

use std::fmt;

/// The conventional socket path clients look at when `DOCKER_HOST` is unset.
pub const DEFAULT_CLIENT_SOCKET: &str = "/var/run/docker.sock";
/// Where the daemon serves the default socket: a directory of its own, so that its `/var/run`
/// (pid files, containerd state) is not shared with clients.
pub const DAEMON_SOCKET_DIR: &str = "/dind";
/// The plaintext TCP port dockerd conventionally uses.
pub const PLAINTEXT_PORT: u16 = crate::wiring::ENTRYPOINT_PLAINTEXT_PORT;
/// The TLS port the image's entrypoint listens on.
pub const TLS_PORT: u16 = crate::wiring::ENTRYPOINT_TLS_PORT;

/// How clients reach the daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transport {
    /// A unix socket in an emptyDir shared by the daemon and its clients; no TCP listener.
    /// `None` is the default: clients see `/var/run/docker.sock`, the daemon serves it from a
    /// private directory. `Some(path)` (e.g. `/dind-only/docker.sock`) is used as given.
    Unix(Option<String>),
    /// Plaintext TCP bound to `127.0.0.1` (all containers of a pod share localhost).
    Tcp {
        /// The port; 2375 by convention.
        port: u16,
    },
    /// The image's mutual TLS: certificates in `/certs`, `/certs/client` shared with clients.
    Tls {
        /// The port; the entrypoint always listens on 2376, another port is added to it.
        port: u16,
    },
    /// No client containers: commands run in the daemon container itself.
    InContainer,
}

impl Transport {
    /// The unix socket at its default place.
    pub fn unix() -> Self {
        Transport::Unix(None)
    }

    /// Plaintext TCP on loopback, port 2375.
    pub fn tcp() -> Self {
        Transport::Tcp { port: PLAINTEXT_PORT }
    }

    /// Mutual TLS on 2376.
    pub fn tls() -> Self {
        Transport::Tls { port: TLS_PORT }
    }

    /// The name used by `--transport` and the `transport` key.
    pub fn kind(&self) -> TransportKind {
        match self {
            Transport::Unix(_) => TransportKind::Unix,
            Transport::Tcp { .. } => TransportKind::Tcp,
            Transport::Tls { .. } => TransportKind::Tls,
            Transport::InContainer => TransportKind::InContainer,
        }
    }
}

impl Default for Transport {
    fn default() -> Self {
        Transport::unix()
    }
}

/// A transport without its parameters: the values of `--transport`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// `unix`
    Unix,
    /// `tcp`
    Tcp,
    /// `tls`
    Tls,
    /// `in-container`
    InContainer,
}

impl TransportKind {
    /// Every kind with its name (the names come from `dind-facts`, shared with the derive).
    pub const ALL: [(TransportKind, &'static str); 4] = [
        (TransportKind::Unix, dind_facts::TRANSPORTS[0]),
        (TransportKind::Tcp, dind_facts::TRANSPORTS[1]),
        (TransportKind::Tls, dind_facts::TRANSPORTS[2]),
        (TransportKind::InContainer, dind_facts::TRANSPORTS[3]),
    ];

    /// The name (`unix`, `tcp`, `tls`, `in-container`).
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(k, _)| *k == self).map_or("unix", |(_, n)| n)
    }

    /// Parses a name.
    ///
    /// ```
    /// use dind_core::TransportKind;
    /// assert_eq!(TransportKind::parse("in-container"), Ok(TransportKind::InContainer));
    /// assert!(TransportKind::parse("ssh").unwrap_err().contains("unix, tcp, tls, in-container"));
    /// ```
    pub fn parse(text: &str) -> Result<TransportKind, String> {
        Self::ALL
            .iter()
            .find(|(_, n)| *n == text)
            .map(|(k, _)| *k)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|(_, n)| *n).collect();
                format!("unknown transport `{text}` (expected one of: {})", names.join(", "))
            })
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
