//! # dind
//!
//! Docker-in-Docker build pods for Jenkins agents on Kubernetes, correct by construction.
//!
//! [`DindPod`] is a typed builder: it produces a validated `k8s_openapi` Pod, which renders as a
//! Pod manifest (YAML that YAML 1.1 and 1.2 readers read alike, or JSON), a Jenkins scripted
//! `podTemplate`, a declarative `agent { kubernetes }` or a JCasC template. The rules that check
//! what the builder makes also lint pods people already have ([`lint_yaml`], [`lint_jenkinsfile`]).
//!
//! ```
//! use dind::{Client, DindPod, Probe, Transport};
//!
//! let built = DindPod::new()
//!     .transport(Transport::Tls { port: 2376 })
//!     .mtu(1440)
//!     .probe(Probe::startup())
//!     .client(Client::new("docker"))
//!     .build()?;
//! let yaml = built.to_yaml();
//! assert!(yaml.contains("DOCKER_CERT_PATH"));
//! # Ok::<(), dind::Diagnostics>(())
//! ```
#![forbid(unsafe_code)]

pub use dind_core::*;

/// Derives [`DindConfig`](trait@DindConfig) for a config struct: its attributes lower into calls on
/// [`DindPod`], so validation lives once, in the builder and the rules. What literals make
/// knowable is checked at compile time, every error at once, at its token.
///
/// # Struct attributes: `#[dind(...)]`
///
/// | key | builder call | checked at compile time |
/// |---|---|---|
/// | `transport = "unix" \| "tcp" \| "tls" \| "in-container"` | [`DindPod::transport`] | one of the four (with a "did you mean") |
/// | `socket = "/abs/path"` | [`DindPod::socket`] | absolute, at most 107 bytes, only with `unix` |
/// | `port = N` | [`DindPod::port`] | 1..=65535, only with `tcp` or `tls` |
/// | `rootless` | [`DindPod::rootless`] | not with `tcp` |
/// | `image = "..."` | [`DindPod::image`] | not with `docker_version` |
/// | `docker_version = "29"` | [`DindPod::docker_version`] | |
/// | `mtu = N` | [`DindPod::mtu`] | 68..=65535 |
/// | `native_sidecar` | [`DindPod::native_sidecar`] | not with a `kube_version` below 1.29 |
/// | `kube_version = "1.33"` | [`DindPod::kube_version`] | the form `1.NN` |
/// | `crate = "path"` | the path of the `dind` crate (default `::dind`) | |
///
/// # Field roles: `#[dind(role)]`
///
/// A field gives its value to one builder call. An `Option` applies only when `Some`. A field
/// without an attribute takes the role of its name (`port`, `mtu`, `env`, ...); any other field
/// must say `#[dind(skip)]`.
///
/// | role | types | builder call |
/// |---|---|---|
/// | `port` | `u16`, `u32` | [`DindPod::port`] |
/// | `socket` | `String`, `&str`, `PathBuf` | [`DindPod::socket`] |
/// | `image` | `String`, `&str` | [`DindPod::image`] |
/// | `mtu` | `u16`, `u32` | [`DindPod::mtu`] |
/// | `registry_mirrors` | `Vec<String>` | [`DindPod::registry_mirror`] for each |
/// | `insecure_registries` | `Vec<String>` | [`DindPod::insecure_registry`] for each |
/// | `clients` | `Vec<Client>` | [`DindPod::client`] for each |
/// | `env` | `BTreeMap<String, String>`, `Vec<(String, String)>` | [`DindPod::env`] for each |
/// | `labels` | `BTreeMap<String, String>`, `Vec<(String, String)>` | [`DindPod::label`] for each |
/// | `kube_version` | `String`, `&str` | [`DindPod::kube_version`] |
/// | `skip` | anything | none |
///
/// A field of the wrong type is an error at the type; a `HashMap` is refused (its order, and so
/// the YAML, would change between runs). A role given twice is an error.
///
/// # Example
///
/// ```
/// use std::collections::BTreeMap;
/// use dind::{Client, DindConfig};
///
/// #[derive(DindConfig)]
/// #[dind(transport = "tls", docker_version = "29")]
/// struct Agent {
///     #[dind(mtu)]
///     network_mtu: Option<u32>,
///     registry_mirrors: Vec<String>,
///     clients: Vec<Client>,
///     env: BTreeMap<String, String>,
///     #[dind(skip)]
///     description: String,
/// }
///
/// let agent = Agent {
///     network_mtu: Some(1440),
///     registry_mirrors: vec!["https://mirror.gcr.io".into()],
///     clients: vec![Client::new("docker")],
///     env: BTreeMap::new(),
///     description: "the build agent".into(),
/// };
/// let built = agent.build()?;
/// assert!(built.to_yaml().contains("--mtu=1440"));
///
/// // Runtime errors name the field.
/// let bad = Agent { network_mtu: Some(20), ..agent };
/// let err = bad.build().unwrap_err();
/// assert_eq!(err.as_slice()[0].path, "Agent.network_mtu");
/// # Ok::<(), dind::Diagnostics>(())
/// ```
///
/// Literals are checked when the crate compiles:
///
/// ```compile_fail
/// #[derive(dind::DindConfig)]
/// #[dind(transport = "tcp", port = 70000)]
/// struct Agent {}
/// ```
pub use dind_macros::DindConfig;
