//! How a container's `command` and `args` reach dockerd through the official image's entrypoint
//! (`dockerd-entrypoint.sh`, docker-library/docker; `docs/FACTS.md`, "entrypoint"):
//!
//! - no args, or a first arg starting with `-`: the entrypoint prepends its default listeners;
//! - first arg exactly `dockerd`: it adds nothing, but still runs dockerd under `docker-init`,
//!   inside `hack/dind` (root) or `rootlesskit` (any other uid);
//! - any other first arg goes to `docker-entrypoint.sh`, which execs it: a path to dockerd or a
//!   shell that starts dockerd runs it without those wrappers, as a `command:` override does;
//! - `dockerd-entrypoint.sh` called from `command:` or a shell script runs all of the above.

use crate::facts::ImageRole;

use super::words::{is_separator, program, shell_script, shell_words};

/// How dockerd was started.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Launch {
    /// The entrypoint added its default listeners (args empty or starting with `-`).
    Defaults,
    /// `args: [dockerd, ...]`: the entrypoint ran and added nothing.
    Explicit,
    /// dockerd runs without the entrypoint's dockerd branch (no docker-init, no `hack/dind`
    /// cgroup v2 fix, no rootlesskit).
    Bypassed(Bypass),
}

/// How the entrypoint's dockerd branch was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Bypass {
    /// `command:` replaces the entrypoint and starts dockerd (directly or from a shell).
    Command,
    /// The first arg is a path to dockerd or a shell, which `docker-entrypoint.sh` execs as is.
    Exec,
}

/// The dockerd start worked out from `command` and `args`: how, and dockerd's own arguments
/// (for [`Launch::Defaults`], the arguments given to the entrypoint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Start {
    pub launch: Launch,
    pub args: Vec<String>,
}

enum ScriptRun {
    Entrypoint(Vec<String>),
    Dockerd(Vec<String>),
}

/// The first command of a shell script that runs dockerd or the entrypoint.
fn script_run(script: &str) -> Option<ScriptRun> {
    let words = shell_words(script);
    let mut commands = words.split(|w| is_separator(w));
    commands.find_map(|cmd| {
        let mut cmd = cmd;
        while let Some((first, rest)) = cmd.split_first() {
            let p = program(first);
            if matches!(
                p,
                "exec" | "nohup" | "command" | "env" | "docker-init" | "tini" | "dumb-init" | "--"
            ) || (first.contains('=') && !first.starts_with('-'))
            {
                cmd = rest;
            } else {
                break;
            }
        }
        let (first, rest) = cmd.split_first()?;
        match program(first) {
            "dockerd-entrypoint.sh" => Some(ScriptRun::Entrypoint(rest.to_vec())),
            "dockerd" => Some(ScriptRun::Dockerd(rest.to_vec())),
            _ => None,
        }
    })
}

/// What the entrypoint does with `args`; `None` when it does not start dockerd.
fn through_entrypoint(args: &[String]) -> Option<Start> {
    match args.first() {
        None => Some(Start {
            launch: Launch::Defaults,
            args: Vec::new(),
        }),
        Some(a) if a.starts_with('-') => Some(Start {
            launch: Launch::Defaults,
            args: args.to_vec(),
        }),
        Some(a) if a == "dockerd" => Some(Start {
            launch: Launch::Explicit,
            args: args[1..].to_vec(),
        }),
        Some(a) if program(a) == "dockerd" => Some(Start {
            launch: Launch::Bypassed(Bypass::Exec),
            args: args[1..].to_vec(),
        }),
        Some(a) if program(a) == "dockerd-entrypoint.sh" => through_entrypoint(&args[1..]),
        Some(_) => match shell_script(args).and_then(script_run)? {
            ScriptRun::Entrypoint(rest) => through_entrypoint(&rest),
            ScriptRun::Dockerd(rest) => Some(Start {
                launch: Launch::Bypassed(Bypass::Exec),
                args: rest,
            }),
        },
    }
}

/// Works out how a container with this image, `command` and `args` starts dockerd; `None` when
/// it does not (a client, or a program dind cannot read).
pub(crate) fn start(role: ImageRole, command: &[String], args: &[String]) -> Option<Start> {
    if let Some(first) = command.first() {
        let all: Vec<String> = command.iter().chain(args).cloned().collect();
        return match program(first) {
            "dockerd-entrypoint.sh" => through_entrypoint(&all[1..]),
            "dockerd" => Some(Start {
                launch: Launch::Bypassed(Bypass::Command),
                args: all[1..].to_vec(),
            }),
            "docker-init" | "tini" | "dumb-init" => {
                let rest: Vec<String> = all[1..].iter().skip_while(|w| w.starts_with('-')).cloned().collect();
                let (cmd, args) = rest.split_first()?;
                start(role, std::slice::from_ref(cmd), args)
            }
            _ => match shell_script(&all).and_then(script_run)? {
                ScriptRun::Entrypoint(rest) => through_entrypoint(&rest),
                ScriptRun::Dockerd(rest) => Some(Start {
                    launch: Launch::Bypassed(Bypass::Command),
                    args: rest,
                }),
            },
        };
    }
    match role {
        ImageRole::Daemon { .. } => through_entrypoint(args),
        // Another entrypoint: only an explicit dockerd or entrypoint call tells.
        _ => match args.first().map(|a| program(a)) {
            Some("dockerd") => Some(Start {
                launch: Launch::Bypassed(Bypass::Exec),
                args: args[1..].to_vec(),
            }),
            Some("dockerd-entrypoint.sh") => through_entrypoint(&args[1..]),
            _ => match shell_script(args).and_then(script_run)? {
                ScriptRun::Entrypoint(rest) => through_entrypoint(&rest),
                ScriptRun::Dockerd(rest) => Some(Start {
                    launch: Launch::Bypassed(Bypass::Exec),
                    args: rest,
                }),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_string()).collect()
    }

    const DIND: ImageRole = ImageRole::Daemon { rootless: false };

    #[test]
    fn every_way_of_starting_dockerd() {
        let launch = |cmd: &[&str], args: &[&str]| start(DIND, &s(cmd), &s(args)).map(|st| st.launch);
        assert_eq!(launch(&[], &[]), Some(Launch::Defaults));
        assert_eq!(launch(&[], &["--mtu=1400"]), Some(Launch::Defaults));
        assert_eq!(launch(&[], &["dockerd", "--host=unix:///x"]), Some(Launch::Explicit));
        assert_eq!(
            launch(&[], &["/usr/local/bin/dockerd"]),
            Some(Launch::Bypassed(Bypass::Exec))
        );
        assert_eq!(
            launch(&[], &["sh", "-c", "dockerd --mtu=1"]),
            Some(Launch::Bypassed(Bypass::Exec))
        );
        assert_eq!(launch(&["dockerd"], &[]), Some(Launch::Bypassed(Bypass::Command)));
        assert_eq!(
            launch(&["/bin/sh", "-c"], &["dockerd --host=x"]),
            Some(Launch::Bypassed(Bypass::Command))
        );
        assert_eq!(
            launch(&["sh", "-c", "exec dockerd-entrypoint.sh --mtu=1400"], &[]),
            Some(Launch::Defaults)
        );
        assert_eq!(launch(&["dockerd-entrypoint.sh"], &["dockerd"]), Some(Launch::Explicit));
        assert_eq!(launch(&["sleep"], &["99d"]), None);
        assert_eq!(launch(&["cat"], &[]), None);
        assert_eq!(launch(&[], &["docker", "info"]), None);
        assert_eq!(start(ImageRole::Unknown, &[], &[]), None);
        assert_eq!(
            start(ImageRole::Unknown, &[], &s(&["dockerd-entrypoint.sh"])).map(|s| s.launch),
            Some(Launch::Defaults)
        );
    }

    #[test]
    fn the_entrypoint_keeps_the_given_args() {
        let st = start(DIND, &s(&["sh", "-c", "dockerd-entrypoint.sh --mtu=1400 && echo"]), &[]).unwrap();
        assert_eq!(st.args, ["--mtu=1400"]);
    }
}
