//! Values dind cannot know, because something else fills them in before the pod exists: a Helm or
//! Go template (`{{ .Values.tag }}`, Argo's `{{inputs.parameters.image}}`), a variable that
//! envsubst, JCasC or Groovy substitutes (`${PORT}`), a placeholder for a human
//! (`<PRIVILEGED>`). Such a value is never guessed:
//! - an environment value becomes unknown, as a `valueFrom` value is;
//! - a `command` or `args` word becomes an unknown `$(VAR)`;
//! - any other field (an image, a mount path, a port, a boolean) is read as it is, or, where the
//!   field takes a boolean or a number, as a neutral value; and every finding about that field or
//!   about what holds it (its probe, its container) is left out.
//!
//! The rest of the pod is read and checked as usual, and the report lists what dind could not tell.

use serde_json::{Map, Value, json};

/// What counts as templating in the text a pod was read from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Templating {
    /// Whether `${...}` in a `command` or `args` word was substituted before the pod existed (a
    /// Groovy `"""` literal, a JCasC file) rather than left to the container's shell.
    pub dollar_in_scripts: bool,
}

impl Templating {
    /// A YAML file, a Jenkinsfile `'''` literal: `${...}` in a script is the shell's.
    pub const YAML: Templating = Templating {
        dollar_in_scripts: false,
    };
    /// Text that Groovy interpolates or JCasC substitutes: every `${...}` left in it is unknown.
    pub const SUBSTITUTED: Templating = Templating {
        dollar_in_scripts: true,
    };

    /// What kind of templating `s` holds, if any, for a value in a script (`command`, `args`) or
    /// elsewhere.
    ///
    /// ```
    /// use dind_core::lint::Templating;
    /// assert_eq!(Templating::YAML.marker("docker:{{ .Values.tag }}", false), Some("a template (`{{ ... }}`)"));
    /// assert_eq!(Templating::YAML.marker("echo ${HOME}", true), None);
    /// assert!(Templating::SUBSTITUTED.marker("echo ${HOME}", true).is_some());
    /// assert!(Templating::YAML.marker("<PRIVILEGED>", false).is_some());
    /// assert_eq!(Templating::YAML.marker("docker info >/dev/null", true), None);
    /// ```
    pub fn marker(&self, s: &str, in_script: bool) -> Option<&'static str> {
        if s.contains("{{") && s[s.find("{{").unwrap_or(0)..].contains("}}") {
            return Some("a template (`{{ ... }}`)");
        }
        if (!in_script || self.dollar_in_scripts) && has_dollar_brace(s) {
            return Some("a variable substituted before the pod is made (`${...}`)");
        }
        if !in_script && has_placeholder(s) {
            return Some("a placeholder (`<...>`)");
        }
        None
    }
}

/// What the Kubernetes plugin itself fills into a container's words when it makes the pod (the
/// agent's secret and name, in the `jnlp` arguments JCasC and the Helm chart write): known to be
/// plain words, never templating.
const PLUGIN_REFS: &[&str] = &["computer.jnlpmac", "computer.name"];

/// `${NAME}` or `${NAME:-default}`: a `$` then `{`, a name, and a `}` (the plugin's own
/// references excepted).
fn has_dollar_brace(s: &str) -> bool {
    s.match_indices("${").any(|(i, _)| {
        let rest = &s[i + 2..];
        rest.find('}').is_some_and(|end| {
            let name = &rest[..end];
            name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && !PLUGIN_REFS.contains(&name)
        })
    })
}

/// `<WORD>`: a `<`, a letter, letters, digits, `_`, `-` or `.`, and a `>`.
fn has_placeholder(s: &str) -> bool {
    s.match_indices('<').any(|(i, _)| {
        let rest = &s[i + 1..];
        let word = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .map_or(rest, |end| &rest[..end]);
        !word.is_empty() && word.starts_with(|c: char| c.is_ascii_alphabetic()) && rest[word.len()..].starts_with('>')
    })
}

/// A value dind could not know.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unknown {
    /// Where, as a field path of the pod.
    pub path: String,
    /// What was written.
    pub written: String,
    /// Why dind cannot know it.
    pub why: &'static str,
}

/// Whether any string of the pod value's `spec` is templated.
pub(crate) fn any_marker(pod: &Value, t: Templating) -> bool {
    fn walk(v: &Value, t: Templating) -> bool {
        match v {
            // What a script may hold is marked outside a script too: one scan is enough.
            Value::String(s) => t.marker(s, false).is_some(),
            Value::Array(a) => a.iter().any(|x| walk(x, t)),
            Value::Object(m) => m.values().any(|x| walk(x, t)),
            _ => false,
        }
    }
    pod.get("spec").is_some_and(|s| walk(s, t))
}

/// The environment variable that stands for a templated `command`/`args` word.
pub(crate) const UNKNOWN_VAR: &str = "DIND_TEMPLATED_VALUE";

fn unknown_env(name: &str) -> Value {
    json!({"name": name, "valueFrom": {"configMapKeyRef": {"name": "a-templated-value", "key": "value"}}})
}

/// Makes the templated values of a pod value unknown, in place, as the module says; returns
/// every templated value of the pod's `spec`, and whether it was made unknown in place (an env
/// value, a word) or is a field whose findings are left out.
pub(crate) fn neutralise(pod: &mut Value, t: Templating) -> Vec<(Unknown, bool)> {
    let mut out = Vec::new();
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return out;
    };
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for (i, c) in cs.iter_mut().enumerate() {
            if let Some(c) = c.as_object_mut() {
                container(c, &format!("spec.{list}[{i}]"), t, &mut out);
            }
        }
    }
    // Everything else in the spec: recorded, read as written.
    let mut rest = Vec::new();
    for (k, v) in spec.iter() {
        if !matches!(k.as_str(), "containers" | "initContainers" | "ephemeralContainers") {
            strings(v, &format!("spec.{k}"), t, &mut rest);
        }
    }
    out.extend(rest.into_iter().map(|u| (u, false)));
    out
}

fn container(c: &mut Map<String, Value>, at: &str, t: Templating, out: &mut Vec<(Unknown, bool)>) {
    let mut words = false;
    for field in ["command", "args"] {
        let Some(items) = c.get_mut(field).and_then(Value::as_array_mut) else {
            continue;
        };
        for (i, item) in items.iter_mut().enumerate() {
            if let Value::String(s) = item
                && let Some(why) = t.marker(s, true)
            {
                out.push((
                    Unknown {
                        path: format!("{at}.{field}[{i}]"),
                        written: std::mem::replace(s, format!("$({UNKNOWN_VAR})")),
                        why,
                    },
                    true,
                ));
                words = true;
            }
        }
    }
    if let Some(env) = c.get_mut("env").and_then(Value::as_array_mut) {
        for (i, e) in env.iter_mut().enumerate() {
            let Some(s) = e.get("value").and_then(Value::as_str) else {
                continue;
            };
            let Some(why) = t.marker(s, false) else { continue };
            let written = s.to_string();
            let name = e.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            *e = unknown_env(&name);
            out.push((
                Unknown {
                    path: format!("{at}.env[{i}].value"),
                    written,
                    why,
                },
                true,
            ));
        }
    }
    if words {
        let env = c.entry("env").or_insert_with(|| json!([]));
        if let Some(env) = env.as_array_mut() {
            env.push(unknown_env(UNKNOWN_VAR));
        }
    }
    let mut rest = Vec::new();
    for (k, v) in c.iter() {
        if !matches!(k.as_str(), "command" | "args" | "env") {
            strings(v, &format!("{at}.{k}"), t, &mut rest);
        }
    }
    out.extend(rest.into_iter().map(|u| (u, false)));
}

/// Every templated string below `v` (at `at`), read as a value (not a script).
fn strings(v: &Value, at: &str, t: Templating, out: &mut Vec<Unknown>) {
    match v {
        Value::String(s) => {
            if let Some(why) = t.marker(s, false) {
                out.push(Unknown {
                    path: at.to_string(),
                    written: s.clone(),
                    why,
                });
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                strings(x, &format!("{at}[{i}]"), t, out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                strings(x, &format!("{at}.{k}"), t, out);
            }
        }
        _ => {}
    }
}

/// Whether a finding at `finding` is about the unknown field at `unknown`: the field itself, or
/// what holds it below the pod (its probe, its container), or something inside it.
pub(crate) fn touches(finding: &str, unknown: &str) -> bool {
    let related = |a: &str, b: &str| a == b || b.strip_prefix(a).is_some_and(|rest| rest.starts_with(['.', '[']));
    let pod_level = matches!(finding, "" | "spec" | "metadata");
    (!pod_level && related(finding, unknown)) || related(unknown, finding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_of_each_kind_and_their_near_misses() {
        let t = Templating::YAML;
        for (s, script, found) in [
            ("{{ .Values.image }}", false, true),
            ("docker:{{inputs.parameters.tag}}", false, true),
            ("a {{ b", false, false),
            ("${PORT}", false, true),
            ("${PORT:-2376}", false, true),
            ("$(PORT)", false, false),
            ("$ {x}", false, false),
            ("${1}", false, false),
            ("<PRIVILEGED>", false, true),
            ("<your-registry>/app", false, true),
            ("a < b > c", false, false),
            ("cat <<EOF", true, false),
            ("until docker info; do sleep 1; done", true, false),
            ("echo ${HOME}", true, false),
        ] {
            assert_eq!(t.marker(s, script).is_some(), found, "{s}");
        }
        assert!(Templating::SUBSTITUTED.marker("echo ${HOME}", true).is_some());
    }

    #[test]
    fn env_values_and_words_become_unknown_other_fields_are_listed() {
        let mut pod = json!({"spec": {"containers": [{
            "name": "dind", "image": "docker:{{ .Values.tag }}",
            "args": ["dockerd", "--host=tcp://0.0.0.0:${PORT}"],
            "env": [{"name": "DOCKER_TLS_CERTDIR", "value": "<CERTS>"}, {"name": "A", "value": "a"}],
            "securityContext": {"privileged": "{{ .Values.privileged }}"}}],
            "hostNetwork": "${HOST_NETWORK}"}});
        let u = neutralise(&mut pod, Templating::SUBSTITUTED);
        let c = &pod["spec"]["containers"][0];
        assert_eq!(c["args"][1], "$(DIND_TEMPLATED_VALUE)");
        assert!(c["env"][0].get("valueFrom").is_some());
        assert_eq!(c["env"][2]["name"], "DIND_TEMPLATED_VALUE");
        let paths: Vec<(&str, bool)> = u.iter().map(|(u, n)| (u.path.as_str(), *n)).collect();
        assert_eq!(
            paths,
            [
                ("spec.containers[0].args[1]", true),
                ("spec.containers[0].env[0].value", true),
                ("spec.containers[0].image", false),
                ("spec.containers[0].securityContext.privileged", false),
                ("spec.hostNetwork", false),
            ]
        );
    }

    #[test]
    fn a_finding_touches_the_field_what_holds_it_and_what_it_holds() {
        let u = "spec.containers[1].startupProbe.tcpSocket.port";
        assert!(touches("spec.containers[1].startupProbe.tcpSocket.port", u));
        assert!(touches("spec.containers[1].startupProbe", u));
        assert!(touches("spec.containers[1]", u));
        assert!(!touches("spec.containers[10]", u));
        assert!(!touches("spec.containers[0]", u));
        assert!(!touches("spec", u));
        assert!(!touches("spec.volumes[0]", u));
    }
}
