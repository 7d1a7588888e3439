//! The rule engine: every rule is a small function over the analysed [`Topology`]. The builder and
//! `dind lint` run the same list.

mod buildkit;
pub(crate) use buildkit::buildkit_reached;
pub(crate) mod checks;
mod clients;
pub(crate) use clients::reached;
mod credentials;
mod daemon;
mod listeners;
mod pod;
mod probes;
mod runtime;
mod selection;
pub(crate) mod waits;

pub use credentials::credential_name;
pub use selection::Selection;

use crate::topology::Place;
use crate::wiring::{argv, command_words, program, shell_script};

/// The path of the first `args` item (else `command` item, when it is no shell script) that
/// `pred` accepts: `spec.containers[0].args[2]`. `None` when the word sits inside a script.
pub(crate) fn arg_at(place: &Place<'_>, pred: impl Fn(&str) -> bool) -> Option<String> {
    let c = place.container;
    if let Some(i) = c.args.iter().flatten().position(|a| pred(a)) {
        return Some(format!("{}.args[{i}]", place.path()));
    }
    if shell_script(&argv(c)).is_some() {
        return None;
    }
    let i = c.command.iter().flatten().position(|a| pred(a))?;
    Some(format!("{}.command[{i}]", place.path()))
}

/// The flags of a `dockerd` that a container runs itself (`command: [sh, -c, "dockerd ..."]`,
/// `[/usr/local/bin/dockerd, ...]`), when that is all it runs: no other command, no shell
/// variables or operators. `None` when dind cannot read it whole.
pub(crate) fn bypassed_flags(c: &k8s_openapi::api::core::v1::Container) -> Option<Vec<String>> {
    let words = command_words(&argv(c));
    let start = words.iter().position(|w| w != "exec")?;
    let (first, rest) = words[start..].split_first()?;
    if program(first) != "dockerd" {
        return None;
    }
    let plain = rest
        .iter()
        .all(|w| !matches!(w.as_str(), ";" | "&&" | "||" | "|" | "&" | ">" | "<") && !w.contains(['$', '`']));
    plain.then(|| rest.to_vec())
}

use k8s_openapi::api::core::v1::Pod;

use crate::facts::KubeVersion;
use crate::topology::Topology;
use crate::{Code, Diagnostic, Severity};

/// Who starts the pod's containers. It decides what waits for the daemon (DIND010) and whether a
/// client may exit (DIND017).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Runner {
    /// Kubernetes: a Pod or a long-running workload (Deployment, StatefulSet, ...). A daemon's
    /// readiness or startup probe is taken as the wait, as for Jenkins.
    #[default]
    Kubernetes,
    /// A Job or CronJob: containers are meant to finish, so a client that exits is no finding.
    Batch,
    /// The Jenkins Kubernetes plugin: steps run in the containers once every container is ready.
    Jenkins,
    /// Argo Workflows: the main container starts beside its sidecars and nothing waits for them;
    /// only a wait loop in the main container does.
    Argo,
    /// Tekton: steps start once every sidecar is ready, and run one after another.
    Tekton,
    /// actions-runner-controller: the runner runs jobs and exits; it waits for the daemon when
    /// `RUNNER_WAIT_FOR_DOCKER_IN_SECONDS` is set.
    ActionsRunner,
}

/// What the steps run outside the pod spec do (the `sh` steps of a Jenkinsfile).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Steps {
    /// A step runs `docker` (or the Docker Pipeline plugin's `docker.` calls).
    pub use_docker: bool,
    /// A step waits for the daemon (`until docker info`, `while ! docker info`, ...).
    pub wait: bool,
}

impl Steps {
    /// What the steps of `script` do (shell or Groovy text).
    ///
    /// ```
    /// use dind_core::rules::Steps;
    /// let s = Steps::of("sh 'until docker info; do sleep 1; done'\nsh 'docker build .'");
    /// assert!(s.use_docker && s.wait);
    /// assert!(!Steps::of("sh 'make'").use_docker);
    /// ```
    pub fn of(script: &str) -> Steps {
        Steps {
            use_docker: waits::runs_docker(script),
            wait: waits::wait_loop(script),
        }
    }
}

/// What the rules know besides the pod.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct Context {
    /// The Kubernetes version the pod targets.
    pub kube_version: KubeVersion,
    /// Who starts the containers.
    pub runner: Runner,
    /// What the steps outside the pod do; `None` when there are none to read.
    pub steps: Option<Steps>,
    /// Which rules run, at which severity (default: all, at their own).
    pub selection: Selection,
    /// What counts as templating in the text the pod was read from (dind says nothing about a
    /// templated value).
    pub templating: crate::lint::Templating,
    /// Whether linting also records what each pod wires ([`crate::explain`]), for `dind explain`.
    pub explain: bool,
}

impl Context {
    /// The context for a Kubernetes version.
    pub fn new(kube_version: KubeVersion) -> Self {
        Context {
            kube_version,
            runner: Runner::default(),
            steps: None,
            selection: Selection::all(),
            templating: crate::lint::Templating::YAML,
            explain: false,
        }
    }

    /// The same context, recording what each pod wires ([`crate::explain::PodWiring`]).
    #[must_use]
    pub fn with_explain(mut self) -> Self {
        self.explain = true;
        self
    }

    /// The same context with other templating.
    #[must_use]
    pub fn with_templating(mut self, templating: crate::lint::Templating) -> Self {
        self.templating = templating;
        self
    }

    /// The same context with a rule selection.
    #[must_use]
    pub fn with_selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    /// The same context with another runner.
    #[must_use]
    pub fn with_runner(mut self, runner: Runner) -> Self {
        self.runner = runner;
        self
    }

    /// The same context with the steps that run against the pod.
    #[must_use]
    pub fn with_steps(mut self, steps: Steps) -> Self {
        self.steps = Some(steps);
        self
    }
}

/// A rule: reads the topology, pushes findings.
type Rule = fn(&Topology<'_>, &Context, &mut Vec<Diagnostic>);

/// Every pod-level rule, in code order (DIND023, DIND035 and DIND036 are about Jenkins source
/// text and live with the Jenkins renderer and linter).
const RULES: &[Rule] = &[
    daemon::command_override,                // DIND001
    daemon::no_daemon_runs,                  // DIND001
    probes::probe_port_invalid,              // DIND002
    probes::probe_misses_daemon,             // DIND003
    clients::endpoint_unserved,              // DIND004
    clients::tls_incomplete,                 // DIND005
    listeners::plaintext_exposed,            // DIND006
    daemon::not_privileged,                  // DIND007
    daemon::no_data_root_volume,             // DIND008
    pod::image_unpinned,                     // DIND009
    probes::not_awaited,                     // DIND010
    daemon::experimental_obsolete,           // DIND011
    daemon::user_conflict,                   // DIND012
    listeners::socket_path_invalid,          // DIND013
    listeners::duplicate_listener,           // DIND014
    listeners::unix_setup_opens_tcp,         // DIND015
    pod::privileged_without_escalation,      // DIND016
    clients::client_exits,                   // DIND017
    daemon::mtu_invalid,                     // DIND018
    pod::host_docker_socket,                 // DIND019
    pod::invalid_names,                      // DIND020
    daemon::memory_unbounded,                // DIND021
    pod::native_sidecar_unsupported,         // DIND022
    probes::probe_slow,                      // DIND024
    daemon::tls_certdir_null,                // DIND025
    runtime::sysbox_unsupported,             // DIND027
    runtime::host_users_with_host_namespace, // DIND028
    runtime::host_users_gate_off,            // DIND029
    buildkit::command_skips_rootlesskit,     // DIND030
    buildkit::rootless_confined,             // DIND031
    buildkit::client_endpoint_unserved,      // DIND032
    buildkit::image_unpinned,                // DIND033
    credentials::plain_credentials,          // DIND034
    pod::jenkins_agent_replaced,             // DIND037
    pod::node_docker_state,                  // DIND038
    pod::socket_world_writable,              // DIND039
    pod::privilege_beyond_daemon,            // DIND040
    daemon::tls_files_missing,               // DIND041
];

/// What describes a running daemon: its listeners, data root, probes, wait, memory and flags.
/// About a container whose daemon dind would misread, these are consequences of the misreading,
/// not defects of their own.
const WHILE_RUNNING: &[Code] = &[
    Code::Dind003,
    Code::Dind006,
    Code::Dind008,
    Code::Dind010,
    Code::Dind011,
    Code::Dind013,
    Code::Dind014,
    Code::Dind015,
    Code::Dind018,
    Code::Dind021,
    Code::Dind024,
    Code::Dind025,
];

/// One root cause, one finding. A daemon run as a user its image cannot start as (DIND012) is
/// not the rootless daemon its uid suggests: what that mode would listen on, store or wait for is
/// not reported, nor are clients' findings against those endpoints when no other daemon could
/// serve them. A dind image that looks meant as a client (DIND007's case) is not judged as a
/// daemon either. (A daemon that is only unprivileged keeps its other findings: each is a defect
/// of its own, to fix as well.)
fn settle_consequences(t: &Topology<'_>, out: &mut Vec<Diagnostic>) {
    let misread: Vec<String> = out
        .iter()
        .filter(|d| d.code == Some(Code::Dind012))
        .filter_map(|d| d.container.clone())
        .collect();
    let not_daemons: Vec<&str> = t
        .daemons
        .iter()
        .filter(|d| t.meant_as_client(d).is_some())
        .map(|d| d.place.name())
        .collect();
    let every_daemon_misread =
        !t.daemons.is_empty() && t.daemons.iter().all(|d| misread.iter().any(|m| m == d.place.name()));
    out.retain(|d| {
        let Some(code) = d.code else { return true };
        let judged_wrongly = d
            .container
            .as_deref()
            .is_some_and(|c| misread.iter().any(|m| m == c) || not_daemons.contains(&c));
        !(judged_wrongly && WHILE_RUNNING.contains(&code)
            || every_daemon_misread && matches!(code, Code::Dind004 | Code::Dind005))
    });
}

/// Runs every rule on a pod. Codes listed in the pod's `dind/allow` annotation are reported as
/// warnings, marked as allowed.
///
/// ```
/// use dind_core::{DindPod, rules};
/// let built = DindPod::new().build().unwrap();
/// let findings = rules::check(built.pod(), &rules::Context::default());
/// assert!(findings.iter().all(|d| !d.is_error()));
/// ```
pub fn check(pod: &Pod, ctx: &Context) -> Vec<Diagnostic> {
    check_topology(&Topology::of(pod), ctx, Vec::new())
}

/// [`check`] for a pod that runs or uses Docker ([`Topology::uses_docker`]); `None` for one
/// that does not, which is out of the rules' scope. The pod is analysed once.
/// `extra` gives the findings about the pod as written that the typed pod cannot show (fields
/// Kubernetes does not read); they go through the same selection and `dind/allow`.
pub(crate) fn check_if_docker(
    pod: &Pod,
    ctx: &Context,
    extra: impl FnOnce() -> Vec<Diagnostic>,
) -> Option<Vec<Diagnostic>> {
    let topology = Topology::of(pod);
    topology
        .uses_docker(ctx.steps)
        .then(|| check_topology(&topology, ctx, extra()))
}

fn check_topology(topology: &Topology<'_>, ctx: &Context, extra: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        rule(topology, ctx, &mut out);
    }
    settle_consequences(topology, &mut out);
    out.extend(extra);
    // The selection: rules not selected say nothing; severities are overridden before the pod's
    // own `dind/allow` downgrades an error.
    let mut out: Vec<Diagnostic> = out.into_iter().filter_map(|d| ctx.selection.apply(d)).collect();
    let allowed = topology.allowed();
    for d in &mut out {
        if let Some(code) = d.code
            && d.severity == Severity::Error
            && allowed.iter().any(|a| a == code.as_str())
        {
            d.severity = Severity::Warning;
            d.message.push_str(" (accepted by the dind/allow annotation)");
        }
    }
    out
}
