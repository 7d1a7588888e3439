//! Hostile input: every case ends within a 10 s budget (a liveness bound, not a benchmark) with a
//! message, the right exit code and nothing half-written. Binary junk, invalid UTF-8, alias bombs
//! (many nodes, or one big scalar many times), deep and heavy nesting, huge files, a Jenkinsfile
//! literal of 400,000 lines, int32 extremes, and unbounded `--config` sources (a FIFO, stdin).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The liveness budget of one case.
const BUDGET: Duration = Duration::from_secs(10);

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `dind` with `input` on stdin; kills it and fails the test if it outlives the budget.
fn run(name: &str, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dind"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    let waiter = std::thread::spawn(move || {
        let out = child.wait_with_output();
        let _ = tx.send(());
        out
    });
    if rx.recv_timeout(BUDGET).is_err() {
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        panic!("{name}: still running after {BUDGET:?}");
    }
    let out = waiter.join().unwrap().unwrap();
    let _ = writer.join();
    eprintln!("{name}: {:?}", start.elapsed());
    out
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    )
}

fn expect(name: &str, o: &Output, code: i32, needle: &str) {
    assert_eq!(o.status.code(), Some(code), "{name}: {}", text(o));
    assert!(text(o).contains(needle), "{name}: no `{needle}` in {}", text(o));
}

fn lint_stdin(name: &str, input: &[u8], code: i32, needle: &str) {
    let o = run(name, &["lint", "-"], input);
    expect(name, &o, code, needle);
}

fn lint_file(name: &str, dir: &Path, file: &str, input: &[u8], code: i32, needle: &str) {
    let path = dir.join(file);
    std::fs::write(&path, input).unwrap();
    let o = run(name, &["lint", path.to_str().unwrap()], b"");
    expect(name, &o, code, needle);
}

/// A clean pod, to which cases add one hostile field.
const POD: &str = "spec:\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    args: [dockerd, --host=unix:///dind/docker.sock]\n    env: [{name: DOCKER_TLS_CERTDIR, value: \"\"}]\n    securityContext: {privileged: true}\n    resources: {requests: {memory: 1Gi}}\n    startupProbe: {exec: {command: [docker, --host=unix:///dind/docker.sock, info]}, periodSeconds: 1, initialDelaySeconds: 0}\n    volumeMounts: [{name: data, mountPath: /var/lib/docker}]\n  volumes: [{name: data, emptyDir: {}}]\n";

#[test]
fn junk_and_encodings() {
    lint_stdin("binary", &[0, 159, 146, 150, 0, 1, 2], 2, "binary");
    lint_stdin("invalid-utf8", b"spec:\n  containers: \xff\xfe\n", 2, "not UTF-8");
    // Nothing to read is no pod, never an error.
    lint_stdin("empty", b"", 0, "1 skipped");
    lint_stdin("syntax", b"spec: [unclosed\n", 2, "line");
    lint_stdin(
        "wrong-type",
        b"spec:\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    ports: 7\n",
        1,
        "not a valid Pod",
    );
    // A pod that is not valid and names no Docker anywhere is out of scope, not an error.
    lint_stdin(
        "wrong-type-no-docker",
        b"spec:\n  containers: 7\n",
        0,
        "1 without Docker",
    );
    let huge = vec![b'#'; (16 << 20) + 10];
    lint_stdin("huge", &huge, 2, "larger than");
}

#[test]
fn alias_bombs_are_bounded_by_bytes() {
    let mut nodes = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        nodes.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    lint_stdin("alias-bomb-nodes", nodes.as_bytes(), 2, "aliases expanded");
    // One 4 MiB scalar aliased 2,000 times: few nodes, 8 GiB of text.
    let mut bytes = format!("a: &big {}\nb:\n", "x".repeat(4 << 20));
    bytes.push_str(&"- *big\n".repeat(2000));
    lint_stdin("alias-bomb-bytes", bytes.as_bytes(), 2, "aliases expanded");
}

#[test]
fn nesting_is_bounded_without_refusing_strings() {
    lint_stdin("deep-flow", "[".repeat(20_000).as_bytes(), 2, "nested deeper");
    let deep_block: String = (0..2_000).map(|i| format!("{}-\n", " ".repeat(i * 2))).collect();
    lint_stdin("deep-block", deep_block.as_bytes(), 2, "nesting");
    let mut heavy = String::from("a: ");
    heavy.push_str(&"[".repeat(60));
    heavy.push_str(&"x,".repeat(4 << 20));
    lint_stdin("heavy-flow", heavy.as_bytes(), 2, "block style");
    let flat = format!("a: [{}x]\n", "x,".repeat(7 << 20));
    lint_stdin("flat-flow", flat.as_bytes(), 2, "aliases expanded");
    // Brackets inside a quoted scalar, a comment or a block scalar are not nesting.
    let quoted = POD.replace(
        "value: \"\"}]",
        &format!("value: \"\"}}, {{name: X, value: \"{}\"}}]", "[".repeat(5000)),
    );
    let o = run("brackets-in-a-string", &["lint", "-"], quoted.as_bytes());
    expect("brackets-in-a-string", &o, 0, "0 error(s)");
}

#[test]
fn jenkinsfiles_and_numbers() {
    let dir = scratch("hostile-files");
    let newlines = format!("podTemplate(yaml: '''{}''') {{}}\n", "\n".repeat(400_000));
    lint_file(
        "jenkinsfile-400k-lines",
        &dir,
        "Jenkinsfile",
        newlines.as_bytes(),
        1,
        "DIND023",
    );
    let deep = format!(
        "podTemplate(containers: {}containerTemplate(name: 'a'){}) {{}}\n",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    lint_file(
        "containers-nested-200k",
        &dir,
        "Jenkinsfile",
        deep.as_bytes(),
        0,
        "skipped",
    );
    let calls = "containerTemplate(name: 'a', image: 'docker:29.7.2-dind'),\n".repeat(100_000);
    let many = format!("podTemplate(containers: [{calls}]) {{}}\n");
    lint_file("containers-100k", &dir, "Jenkinsfile", many.as_bytes(), 1, "DIND007");
    let mut long = String::from("podTemplate(yaml: '''\n");
    long.push_str(&POD.replace(
        "value: \"\"}]",
        &format!("value: \"\"}}, {{name: PAD, value: \"{}\"}}]", "x".repeat(70_000)),
    ));
    long.push_str("''') {}\n");
    lint_file(
        "jenkinsfile-too-long",
        &dir,
        "Jenkinsfile",
        long.as_bytes(),
        1,
        "DIND023",
    );
    let extreme = POD.replace(
        "periodSeconds: 1, initialDelaySeconds: 0",
        "periodSeconds: 1, initialDelaySeconds: 2147483647",
    );
    let o = run("int32-extremes", &["lint", "-"], extreme.as_bytes());
    expect("int32-extremes", &o, 0, "waits up to 2147483647 s");
}

#[test]
fn settings_sources_are_read_with_a_bound() {
    let big = vec![b'#'; 2 << 20];
    let o = run("config-stdin", &["render", "--config", "/dev/stdin"], &big);
    expect("config-stdin", &o, 2, "at most 1 MiB");
    assert!(o.stdout.is_empty());
    let dir = scratch("hostile-fifo");
    let fifo = dir.join("settings.toml");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let path = fifo.clone();
    let writer = std::thread::spawn(move || {
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path) {
            let _ = f.write_all(&vec![b'#'; 2 << 20]);
        }
    });
    let o = run("config-fifo", &["render", "--config", fifo.to_str().unwrap()], b"");
    expect("config-fifo", &o, 2, "at most 1 MiB");
    let _ = writer.join();
}

/// `--fix` on a file of thousands of fixable pods stops at its work bound, in time, says so,
/// and writes nothing with `--diff`.
#[test]
fn fixing_is_bounded_on_huge_files() {
    let dir = scratch("hostile-fix");
    let pod = POD.replace("docker:29.7.2-dind", "docker:dind");
    let mut text = String::new();
    for _ in 0..3_000 {
        text.push_str("---\n");
        text.push_str(&pod);
    }
    let path = dir.join("many.yaml");
    std::fs::write(&path, &text).unwrap();
    let out = run(
        "fix 3,000 pods",
        &["lint", "--fix", "--unsafe-fixes", "--diff", path.to_str().unwrap()],
        b"",
    );
    assert!(text_of(&out).contains("stopped at the work bound"), "{}", text_of(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "--diff wrote the file");
}

fn text_of(o: &Output) -> String {
    text(o)
}
