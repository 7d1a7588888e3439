//! The daemon's startup probe.

/// A startup probe that runs `docker info` against the endpoint the daemon really serves.
///
/// It checks every second from the start, so the pod is ready about a second after dockerd
/// answers, and gives up after `budget_seconds` (120 by default).
///
/// ```
/// use dind_core::Probe;
/// assert_eq!(Probe::startup().budget(300).budget_seconds(), 300);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    pub(crate) budget_seconds: u32,
}

/// The default startup budget, in seconds.
pub const DEFAULT_PROBE_BUDGET: u32 = 120;
/// The smallest budget allowed: a cold daemon on a busy node can take tens of seconds.
pub const MIN_PROBE_BUDGET: u32 = 60;

impl Probe {
    /// A startup probe with the default budget.
    pub fn startup() -> Self {
        Probe {
            budget_seconds: DEFAULT_PROBE_BUDGET,
        }
    }

    /// How long, in seconds, the daemon may take before the pod fails (60 at least).
    #[must_use]
    pub fn budget(mut self, seconds: u32) -> Self {
        self.budget_seconds = seconds;
        self
    }

    /// The budget in seconds.
    pub fn budget_seconds(&self) -> u32 {
        self.budget_seconds
    }
}

impl Default for Probe {
    fn default() -> Self {
        Probe::startup()
    }
}
