//! The daemon's data root volume.

/// The emptyDir at the daemon's data root (`/var/lib/docker`, rootless:
/// `/home/rootless/.local/share/docker`). Always present; these are its options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Storage {
    pub(crate) size_limit: Option<String>,
    pub(crate) medium: Option<String>,
}

impl Storage {
    /// Node disk, no size limit.
    pub fn new() -> Self {
        Storage::default()
    }

    /// `sizeLimit`, a Kubernetes quantity such as `20Gi`.
    #[must_use]
    pub fn size_limit(mut self, quantity: impl Into<String>) -> Self {
        self.size_limit = Some(quantity.into());
        self
    }

    /// `medium: Memory` (tmpfs; counts against the pod's memory).
    #[must_use]
    pub fn in_memory(mut self) -> Self {
        self.medium = Some("Memory".into());
        self
    }
}
