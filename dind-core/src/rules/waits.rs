//! What counts as waiting for the daemon in a script: a loop whose condition asks the daemon
//! (`until docker info`, `while ! docker version`, `until [ -S /var/run/docker.sock ]`,
//! `timeout 60 sh -c 'until docker info; do sleep 1; done'`), or a `for` loop that breaks once
//! `docker info` answers. And whether a script runs `docker` at all.

/// Lowercase words, split at whitespace and shell or Groovy punctuation (quotes, `;`, `&`, `|`,
/// parentheses, `` ` ``, `$`, `\`).
fn words(script: &str) -> Vec<String> {
    script
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '\'' | '"' | '`' | '$' | '\\'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Whether a word of a loop condition asks the daemon: `docker` (not `dockerd`, which starts
/// one), its socket, or a socket test.
fn asks_daemon(word: &str) -> bool {
    word == "docker" || word.ends_with("docker.sock") || word == "-s" || word.starts_with("tcp://") || word == "nc"
}

/// Most words a loop head may take before `do`.
const MAX_CONDITION: usize = 40;
/// Most words a `for` loop body may take before `done`.
const MAX_BODY: usize = 120;

/// Whether `script` holds a loop that waits for the daemon.
///
/// ```
/// use dind_core::rules::Steps;
/// assert!(Steps::of("until docker info >/dev/null 2>&1; do sleep 1; done").wait);
/// assert!(Steps::of("while ! docker version; do sleep 1; done").wait);
/// assert!(Steps::of("timeout 60 sh -c 'until [ -S /var/run/docker.sock ]; do sleep 1; done'").wait);
/// assert!(Steps::of("for i in $(seq 30); do docker info && break; sleep 1; done").wait);
/// assert!(!Steps::of("while true; do sleep 3600; done").wait);
/// assert!(!Steps::of("docker info").wait);
/// ```
pub(crate) fn wait_loop(script: &str) -> bool {
    let w = words(script);
    w.iter().enumerate().any(|(i, word)| match word.as_str() {
        "until" | "while" => w[i + 1..]
            .iter()
            .take(MAX_CONDITION)
            .take_while(|x| *x != "do")
            .any(|x| asks_daemon(x)),
        "for" => {
            let body: Vec<&String> = w[i + 1..].iter().take(MAX_BODY).take_while(|x| *x != "done").collect();
            let asks = body
                .windows(2)
                .any(|p| p[0] == "docker" && matches!(p[1].as_str(), "info" | "version" | "ps" | "system"));
            asks && body.iter().any(|x| *x == "break")
        }
        _ => false,
    })
}

/// Whether `script` runs the docker CLI (`docker <subcommand>`) or the Docker Pipeline plugin
/// (`docker.build(...)`, `docker.image(...)`, `docker.withRegistry(...)`).
pub(crate) fn runs_docker(script: &str) -> bool {
    let w = words(script);
    w.windows(2)
        .any(|p| p[0] == "docker" && p[1].starts_with(|c: char| c.is_ascii_lowercase()))
        || w.iter().any(|x| {
            [
                "docker.build",
                "docker.image",
                "docker.withregistry",
                "docker.withserver",
            ]
            .iter()
            .any(|call| x.starts_with(call))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_runs_are_told_from_mentions() {
        assert!(runs_docker("sh 'docker build -t app .'"));
        assert!(runs_docker("docker.build(\"app:${env.BUILD_ID}\")"));
        assert!(!runs_docker("container('docker') { sh 'make' }"));
        assert!(!runs_docker("image: docker:29.7.2-dind"));
        assert!(!runs_docker("dockerd --host=unix:///var/run/docker.sock"));
    }

    #[test]
    fn loops_that_do_not_ask_the_daemon_are_not_waits() {
        assert!(!wait_loop("until curl -sf http://app/health; do sleep 1; done"));
        assert!(!wait_loop("for f in *.tar; do docker load -i $f; done"));
        assert!(!wait_loop("while true; do dockerd; done"));
        assert!(wait_loop("until nc -z localhost 2375; do sleep 1; done"));
    }
}
