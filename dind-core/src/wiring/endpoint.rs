//! Docker endpoints: `unix:///path` and `tcp://host:port`, as dockerd and the CLI read them.

/// The port of a `tcp://host` with none: dockerd and the CLI fill in `DefaultHTTPPort`, 2375,
/// with TLS or without (moby `daemon/pkg/opts/hosts.go`; `docs/FACTS.md`, "dockerd").
pub(crate) const DEFAULT_TCP_PORT: u16 = 2375;

/// A parsed `--host` / `DOCKER_HOST` value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Endpoint {
    /// A unix socket path.
    Unix(String),
    /// A TCP address.
    Tcp {
        /// The host part (`0.0.0.0`, `127.0.0.1`, `localhost`, `docker`, ...). Empty means all interfaces.
        host: String,
        /// The port, if it was a valid one.
        port: Option<u16>,
    },
    /// Anything else (`fd://`, `ssh://`, garbage).
    Other(String),
}

impl Endpoint {
    /// Parses a value. `tcp://host` without a port means 2375 to dockerd and the CLI.
    ///
    /// ```
    /// use dind_core::wiring::Endpoint;
    /// assert_eq!(Endpoint::parse("tcp://localhost:2376"), Endpoint::Tcp { host: "localhost".into(), port: Some(2376) });
    /// assert_eq!(Endpoint::parse("unix:///dind/docker.sock"), Endpoint::Unix("/dind/docker.sock".into()));
    /// ```
    pub fn parse(text: &str) -> Endpoint {
        if let Some(path) = text.strip_prefix("unix://") {
            return Endpoint::Unix(lexical_path(path));
        }
        if let Some(rest) = text.strip_prefix("tcp://") {
            let rest = rest.split('/').next().unwrap_or("");
            let (host, port) = if let Some(h) = rest.strip_prefix('[') {
                match h.split_once(']') {
                    Some((host, p)) => (host.to_string(), p.strip_prefix(':')),
                    None => return Endpoint::Other(text.to_string()),
                }
            } else {
                match rest.rsplit_once(':') {
                    Some((h, p)) => (h.to_string(), Some(p)),
                    None => (rest.to_string(), None),
                }
            };
            let port = match port {
                None => Some(DEFAULT_TCP_PORT),
                Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0),
            };
            return Endpoint::Tcp { host, port };
        }
        Endpoint::Other(text.to_string())
    }

    /// Whether a TCP host is loopback (reachable only from inside the pod).
    pub fn is_loopback_host(host: &str) -> bool {
        matches!(host, "localhost" | "::1" | "ip6-localhost") || host.starts_with("127.")
    }

    /// The endpoint as `--host` writes it.
    pub fn to_url(&self) -> String {
        match self {
            Endpoint::Unix(p) => format!("unix://{p}"),
            Endpoint::Tcp { host, port } => {
                let port = port.map_or_else(|| "?".to_string(), |p| p.to_string());
                if host.contains(':') {
                    format!("tcp://[{host}]:{port}")
                } else {
                    format!("tcp://{host}:{port}")
                }
            }
            Endpoint::Other(o) => o.clone(),
        }
    }

    /// Whether a TCP host binds every interface.
    pub fn is_wildcard_host(host: &str) -> bool {
        matches!(host, "" | "0.0.0.0" | "::" | "[::]")
    }
}

/// A path as the kernel resolves it without following links: repeated `/` and `.` segments
/// dropped (`/run//buildkit/./x.sock` is `/run/buildkit/x.sock`). `..` is kept: what it names
/// depends on links dind cannot see.
///
/// ```
/// use dind_core::wiring::Endpoint;
/// assert_eq!(Endpoint::parse("unix:///run//buildkit/./b.sock"), Endpoint::Unix("/run/buildkit/b.sock".into()));
/// assert_eq!(Endpoint::parse("unix:///a/../b.sock"), Endpoint::Unix("/a/../b.sock".into()));
/// ```
fn lexical_path(path: &str) -> String {
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let joined = parts.join("/");
    if absolute { format!("/{joined}") } else { joined }
}
