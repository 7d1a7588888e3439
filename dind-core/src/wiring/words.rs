//! Reading command lines: shell words, dockerd flags, and Kubernetes' `$(VAR)` expansion.

use super::env::{Env, EnvValue};

/// Splits a shell command string into words: whitespace separates, single and double quotes
/// group, a backslash escapes the next character. `;`, `&`, `|` and line breaks end a command and
/// become words of their own.
///
/// ```
/// use dind_core::wiring::shell_words;
/// assert_eq!(shell_words("dockerd --host='tcp://x:1' \"a b\"; echo"), ["dockerd", "--host=tcp://x:1", "a b", ";", "echo"]);
/// ```
pub fn shell_words(script: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                cur.push(n);
                            }
                        }
                        _ => cur.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next()
                    && n != '\n'
                {
                    cur.push(n);
                }
            }
            ';' | '|' | '&' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
                words.push(c.to_string());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// Whether a shell word separates commands.
pub(crate) fn is_separator(word: &str) -> bool {
    matches!(word, ";" | "|" | "&" | "\n")
}

/// The file name of a program word (`/usr/local/bin/dockerd` → `dockerd`).
pub(crate) fn program(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether a word names a POSIX shell.
pub(crate) fn is_shell(word: &str) -> bool {
    matches!(program(word), "sh" | "bash" | "ash" | "dash" | "zsh")
}

/// `[sh, -c, SCRIPT, ...]` (in one list) → the script.
/// A container's `command` then `args`: the argv kubelet starts when both are given.
pub(crate) fn argv(container: &k8s_openapi::api::core::v1::Container) -> Vec<String> {
    container
        .command
        .iter()
        .flatten()
        .chain(container.args.iter().flatten())
        .cloned()
        .collect()
}

/// The words a command runs: a shell's `-c` script split into words, else the argv itself.
pub(crate) fn command_words(argv: &[String]) -> Vec<String> {
    shell_script(argv).map_or_else(|| argv.to_vec(), shell_words)
}

pub(crate) fn shell_script(words: &[String]) -> Option<&str> {
    let (first, rest) = words.split_first()?;
    if !is_shell(first) {
        return None;
    }
    let c = rest
        .iter()
        .position(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('c'))?;
    rest.get(c + 1).map(String::as_str)
}

/// The values of a flag in an argv, in order: `--flag=V`, `--flag V`, and with a short name also
/// `-H V`, `-H=V`, `-HV`.
///
/// ```
/// use dind_core::wiring::flag_values;
/// let argv: Vec<String> = ["-H", "tcp://x:1", "--host=unix:///a", "-Hunix:///b"].map(String::from).to_vec();
/// let hosts: Vec<String> = flag_values(&argv, "--host", Some("-H")).into_iter().map(|(_, v)| v).collect();
/// assert_eq!(hosts, ["tcp://x:1", "unix:///a", "unix:///b"]);
/// ```
pub fn flag_values(argv: &[String], long: &str, short: Option<&str>) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        for name in std::iter::once(long).chain(short) {
            if a == name {
                if let Some(v) = argv.get(i + 1) {
                    out.push((i, v.clone()));
                    i += 1;
                }
                break;
            } else if let Some(v) = a.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                out.push((i, v.to_string()));
                break;
            } else if name.len() == 2
                && let Some(v) = a.strip_prefix(name)
                && !v.is_empty()
                && !v.starts_with('-')
            {
                out.push((i, v.to_string()));
                break;
            }
        }
        i += 1;
    }
    out
}

/// The last setting of a boolean flag: `--flag` and `--flag=true|1` turn it on, `--flag=false|0`
/// off; `None` when the flag is absent.
pub fn flag_setting(argv: &[String], name: &str) -> Option<bool> {
    argv.iter().rev().find_map(|a| {
        if a == name {
            Some(true)
        } else {
            match a.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                Some("true" | "1" | "t" | "T" | "TRUE" | "True") => Some(true),
                Some(_) => Some(false),
                None => None,
            }
        }
    })
}

/// Whether a boolean flag is on.
pub fn flag_on(argv: &[String], name: &str) -> bool {
    flag_setting(argv, name) == Some(true)
}

/// Kubernetes' expansion of `$(VAR)` in `command`, `args` and env values: a reference to a
/// variable of the container is replaced by its value, `$$` is a literal `$`, and a reference to
/// an undefined variable stays as written. `None` when a reference names a variable whose value
/// cannot be known (`valueFrom`, `envFrom`).
///
/// ```
/// use dind_core::wiring::{Env, expand};
/// use k8s_openapi::api::core::v1::EnvVar;
/// let vars = [EnvVar { name: "GID".into(), value: Some("2375".into()), ..Default::default() }];
/// let env = Env::new(&vars, false);
/// assert_eq!(expand("--group=$(GID) $$(GID) $(NOPE)", &env).as_deref(), Some("--group=2375 $(GID) $(NOPE)"));
/// ```
pub fn expand(text: &str, env: &Env<'_>) -> Option<String> {
    if !text.contains('$') {
        return Some(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(inner) = after.strip_prefix('(')
            && let Some(end) = inner.find(')')
        {
            let name = &inner[..end];
            match env.get(name) {
                EnvValue::Value(v) => out.push_str(v),
                EnvValue::Unknown => return None,
                EnvValue::Unset => {
                    out.push_str("$(");
                    out.push_str(name);
                    out.push(')');
                }
            }
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Some(out)
}
