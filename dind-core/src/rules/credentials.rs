//! Rules about registry credentials written into the pod itself (DIND034): a registry password
//! or token as a literal env value, a Docker config JSON with `auths` in an env value, or a
//! `docker login -p` with the password on the command line. Values from `valueFrom` (a Secret)
//! or `$(VAR)` references are not literals and are never reported.

use super::Context;
use crate::topology::{Place, Topology};
use crate::wiring::{argv, command_words, program};
use crate::{Code, Diagnostic};

/// Words of a variable name that say "registry".
const REGISTRY_WORDS: &[&str] = &[
    "DOCKER",
    "DOCKERHUB",
    "HUB",
    "REGISTRY",
    "HARBOR",
    "QUAY",
    "GHCR",
    "NEXUS",
    "ARTIFACTORY",
    "JFROG",
    "ECR",
    "ACR",
    "GCR",
    "CR",
];
/// Words of a variable name that say "secret".
const SECRET_WORDS: &[&str] = &["PASSWORD", "PASSWD", "PASS", "PWD", "TOKEN", "SECRET"];

/// Whether a variable name reads as a registry credential (`CI_REGISTRY_PASSWORD`,
/// `DOCKERHUB_TOKEN`), by its `_`-separated words.
///
/// ```
/// use dind_core::rules::credential_name;
/// assert!(credential_name("CI_REGISTRY_PASSWORD") && credential_name("DOCKERHUB_TOKEN"));
/// assert!(!credential_name("DOCKER_CERT_PATH") && !credential_name("REGISTRY_USER"));
/// assert!(!credential_name("GITHUB_TOKEN"));
/// ```
pub fn credential_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '-', '.']).collect();
    words.iter().any(|w| REGISTRY_WORDS.contains(w)) && words.iter().any(|w| SECRET_WORDS.contains(w))
}

/// Whether a value is a Docker config with credentials (`{"auths": {"host": {"auth": ...}}}`).
fn docker_config_with_auth(value: &str) -> bool {
    let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(value) else {
        return false;
    };
    o.get("auths")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|hosts| {
            hosts.values().any(|h| {
                h.as_object()
                    .is_some_and(|h| ["auth", "password", "identitytoken"].iter().any(|k| h.contains_key(*k)))
            })
        })
}

/// A value that is literal text: not empty, and not (only) a `$(VAR)` reference.
fn literal(value: &str) -> bool {
    !value.trim().is_empty() && !value.contains("$(")
}

/// Whether `words` log in to a registry with a literal password (`docker login -p secret`);
/// `-p "$PASS"`, `--password-stdin` and `$(VAR)` are not literals.
fn logs_in_with_password(words: &[String]) -> bool {
    let mut in_login = false;
    let mut expect_value = false;
    let mut prev: Option<&str> = None;
    for w in words {
        if matches!(w.as_str(), ";" | "&&" | "||" | "|" | "&") {
            in_login = false;
            expect_value = false;
        } else if expect_value {
            if !w.starts_with('$') {
                return true;
            }
            expect_value = false;
        } else if w == "login" && prev.is_some_and(|p| matches!(program(p), "docker" | "podman" | "buildah")) {
            in_login = true;
        } else if in_login && (w == "-p" || w == "--password") {
            expect_value = true;
        } else if in_login
            && let Some(v) = w.strip_prefix("--password=").or_else(|| w.strip_prefix("-p="))
            && !v.is_empty()
            && !v.starts_with('$')
        {
            return true;
        }
        prev = Some(w);
    }
    false
}

/// The field of a container whose command logs in with the password on the command line.
fn login_with_password(place: &Place<'_>) -> Option<&'static str> {
    let c = place.container;
    if !logs_in_with_password(&command_words(&argv(c))) {
        return None;
    }
    let in_command = logs_in_with_password(&command_words(c.command.as_deref().unwrap_or_default()));
    Some(if in_command { "command" } else { "args" })
}

/// DIND034: registry credentials written into the pod in plain text.
pub(super) fn plain_credentials(t: &Topology<'_>, _: &Context, out: &mut Vec<Diagnostic>) {
    for place in &t.containers {
        for (i, e) in place.container.env.iter().flatten().enumerate() {
            if e.value_from.is_some() {
                continue;
            }
            let value = e.value.as_deref().unwrap_or("");
            let what = if literal(value) && docker_config_with_auth(value) {
                "a Docker config with registry credentials"
            } else if literal(value) && credential_name(&e.name) {
                "a registry credential"
            } else {
                continue;
            };
            out.push(
                Diagnostic::rule(
                    Code::Dind034,
                    format!("{}.env[{i}].value", place.path()),
                    format!(
                        "`{}` holds {what} in plain text: anyone who can read the pod, the Jenkinsfile or the repository can push as you",
                        e.name
                    ),
                )
                .in_container(place.name()),
            );
        }
        if let Some(field) = login_with_password(place) {
            out.push(
                Diagnostic::rule(
                    Code::Dind034,
                    format!("{}.{field}", place.path()),
                    "`docker login` with the password on the command line: it is in the pod spec and in the process list",
                )
                .in_container(place.name()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_configs_with_credentials_are_recognised() {
        assert!(docker_config_with_auth(
            r#"{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}"#
        ));
        assert!(!docker_config_with_auth(r#"{"auths":{"registry.example.com":{}}}"#));
        assert!(!docker_config_with_auth(r#"{"credHelpers":{"gcr.io":"gcloud"}}"#));
        assert!(!docker_config_with_auth("not json"));
    }

    #[test]
    fn logins_with_a_literal_password() {
        let w = |s: &str| crate::wiring::shell_words(s);
        assert!(logs_in_with_password(&w(
            "docker login -u me -p hunter2 registry.example.com"
        )));
        assert!(logs_in_with_password(&w(
            "echo hi && docker login --password=hunter2 r"
        )));
        assert!(!logs_in_with_password(&w("docker login -u me -p \"$PASS\" r")));
        assert!(!logs_in_with_password(&w(
            "echo $PASS | docker login --password-stdin -u me r"
        )));
        // `-p` of another command is no password.
        assert!(!logs_in_with_password(&w("docker login r; docker run -p 80:80 nginx")));
    }

    #[test]
    fn references_are_not_literals() {
        assert!(!literal("$(REGISTRY_PASSWORD)"));
        assert!(!literal(""));
        assert!(literal("hunter2"));
    }
}
