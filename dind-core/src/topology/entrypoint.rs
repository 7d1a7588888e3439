//! What the official image's `dockerd-entrypoint.sh` makes of a container (DOMAIN.md section 1):
//! the dockerd command line that really runs.

use k8s_openapi::api::core::v1::Container;

use super::env_value;

/// How the daemon's command line came about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Launch {
    /// `args` empty or starting with `-`: the entrypoint prepended its default listeners.
    Defaults {
        /// Whether it added the TLS listener (`DOCKER_TLS_CERTDIR` non-empty).
        tls: bool,
        /// The certificate directory when TLS.
        cert_dir: Option<String>,
    },
    /// `args: [dockerd, ...]`: the entrypoint ran and added nothing.
    Explicit,
    /// `command:` replaced the entrypoint (a `sh -c "dockerd ..."` string or `dockerd` itself).
    CommandOverride,
    /// The command line could not be worked out (some other program or script).
    Unknown,
}

/// The effective dockerd invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// How it was launched.
    pub launch: Launch,
    /// dockerd's flags, after the entrypoint's defaults.
    pub argv: Vec<String>,
}

/// Splits a shell command string into words: whitespace separates, single and double quotes group,
/// a backslash escapes the next character. `;`, `&&` and `|` end a command and become words.
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
                if let Some(n) = chars.next() {
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

fn is_dockerd(word: &str) -> bool {
    word == "dockerd" || word.ends_with("/dockerd")
}

fn is_shell(word: &str) -> bool {
    matches!(word.rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash"))
}

/// The flags after `dockerd` in a shell script, up to the end of that command.
fn dockerd_in_script(script: &str) -> Option<Vec<String>> {
    let words = shell_words(script);
    let start = words.iter().position(|w| is_dockerd(w))?;
    Some(
        words[start + 1..]
            .iter()
            .take_while(|w| !matches!(w.as_str(), ";" | "|" | "&" | "\n"))
            .cloned()
            .collect(),
    )
}

/// `[sh, -c, SCRIPT]` (in `command`, `args` or split between them) → the script.
fn shell_script(words: &[String]) -> Option<&str> {
    let (first, rest) = words.split_first()?;
    if !is_shell(first) {
        return None;
    }
    let c = rest.iter().position(|w| w.starts_with('-') && w.contains('c'))?;
    rest.get(c + 1).map(String::as_str)
}

/// Works out the dockerd command line of a daemon container.
pub fn invocation(container: &Container, rootless: bool, tls_default: bool) -> Invocation {
    let command = container.command.clone().unwrap_or_default();
    let args = container.args.clone().unwrap_or_default();
    if !command.is_empty() {
        if command.iter().any(|w| w.ends_with("dockerd-entrypoint.sh")) {
            let rest: Vec<String> = command
                .iter()
                .skip_while(|w| !w.ends_with("dockerd-entrypoint.sh"))
                .skip(1)
                .chain(args.iter())
                .cloned()
                .collect();
            let mut shadow = container.clone();
            shadow.command = None;
            shadow.args = Some(rest);
            return invocation(&shadow, rootless, tls_default);
        }
        let all: Vec<String> = command.iter().chain(args.iter()).cloned().collect();
        if is_dockerd(&all[0]) {
            return Invocation {
                launch: Launch::CommandOverride,
                argv: all[1..].to_vec(),
            };
        }
        return match shell_script(&all).and_then(dockerd_in_script) {
            Some(argv) => Invocation {
                launch: Launch::CommandOverride,
                argv,
            },
            None => Invocation {
                launch: Launch::CommandOverride,
                argv: Vec::new(),
            },
        };
    }
    if args.first().is_none_or(|a| a.starts_with('-')) {
        let socket = match env_value(container, "DOCKER_HOST") {
            Some(h) if h.starts_with("unix://") => h,
            _ if rootless => "unix:///run/user/1000/docker.sock".to_string(),
            _ => "unix:///var/run/docker.sock".to_string(),
        };
        let cert_dir = match container
            .env
            .as_ref()
            .and_then(|e| e.iter().find(|v| v.name == "DOCKER_TLS_CERTDIR"))
        {
            Some(var) => var.value.clone().unwrap_or_default(),
            None if tls_default => "/certs".to_string(),
            None => String::new(),
        };
        let mut argv = vec![format!("--host={socket}")];
        let launch = if cert_dir.is_empty() {
            argv.push("--host=tcp://0.0.0.0:2375".into());
            Launch::Defaults {
                tls: false,
                cert_dir: None,
            }
        } else {
            argv.extend([
                "--host=tcp://0.0.0.0:2376".to_string(),
                "--tlsverify".to_string(),
                "--tlscacert".to_string(),
                format!("{cert_dir}/server/ca.pem"),
                "--tlscert".to_string(),
                format!("{cert_dir}/server/cert.pem"),
                "--tlskey".to_string(),
                format!("{cert_dir}/server/key.pem"),
            ]);
            Launch::Defaults {
                tls: true,
                cert_dir: Some(cert_dir),
            }
        };
        argv.extend(args);
        return Invocation { launch, argv };
    }
    if is_dockerd(&args[0]) {
        return Invocation {
            launch: Launch::Explicit,
            argv: args[1..].to_vec(),
        };
    }
    match shell_script(&args).and_then(dockerd_in_script) {
        Some(argv) => Invocation {
            launch: Launch::Explicit,
            argv,
        },
        None => Invocation {
            launch: Launch::Unknown,
            argv: Vec::new(),
        },
    }
}

/// The values of a flag in an argv, in order: `--flag=V`, `--flag V`, and for `--host` also
/// `-H V`, `-H=V`, `-HV`.
pub fn flag_values(argv: &[String], long: &str, short: Option<&str>) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        let names = std::iter::once(long).chain(short);
        for name in names {
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

/// Whether a boolean flag is on (`--flag`, `--flag=true`).
pub fn flag_on(argv: &[String], name: &str) -> bool {
    argv.iter().any(|a| {
        a == name
            || a.strip_prefix(name)
                .and_then(|r| r.strip_prefix('='))
                .is_some_and(|v| v == "true" || v == "1")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_follow_quotes_and_separators() {
        assert_eq!(
            shell_words(r#"dockerd --host='tcp://0.0.0.0:8989' "a b"; echo x"#),
            vec!["dockerd", "--host=tcp://0.0.0.0:8989", "a b", ";", "echo", "x"]
        );
    }

    #[test]
    fn host_flags_in_every_spelling() {
        let argv: Vec<String> = [
            "--host=unix:///a",
            "-H",
            "tcp://x:1",
            "-Htcp://y:2",
            "--host",
            "unix:///b",
        ]
        .map(String::from)
        .to_vec();
        let hosts: Vec<String> = flag_values(&argv, "--host", Some("-H"))
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert_eq!(hosts, vec!["unix:///a", "tcp://x:1", "tcp://y:2", "unix:///b"]);
    }
}
