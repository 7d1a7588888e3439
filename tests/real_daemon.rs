//! The judge: every transport we render connects for real. Each pod is turned into processes the
//! way kubelet and the official image's entrypoint would (`docs/FACTS.md`, "entrypoint"): emptyDirs become
//! directories, every container sees its own view of the file system, the daemon container's
//! `args` and env become a real `dockerd` command line (Debian's docker.io, dockerd 20.10), and each
//! client's env drives the real `docker` CLI: `version`, `info`, `import` of a busybox tarball and
//! `run --rm` of it. The rendered startup probe must fail before dockerd starts and pass once it
//! answers. Negative controls must fail to connect.
//!
//! This emulation shares no code with `dind::topology`: it is an independent reading of the
//! entrypoint, so a mistake in one is caught by the other.
//!
//! Needs root, `dockerd`, `docker`, `busybox` and `openssl` (./scripts/test.sh installs them).
//! Output: one line per case, `real-daemon <case>: connected in N ms (probe ready after M ms)`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use dind::{Client, DindPod, Runtime, Transport};
use k8s_openapi::api::core::v1::{Container, EnvVar, Pod};

/// dockerd flags we render that dockerd 20.10 does not know. They are dropped, by name, and
/// reported in the case's output line; every other flag must start dockerd for real.
const NEWER_THAN_20_10: &[&str] = &["--default-network-opt"];

fn tool(name: &str, preferred: &[&str]) -> PathBuf {
    for p in preferred {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!("`{name}` is missing; ./scripts/test.sh installs it (docker.io, busybox-static, openssl)")
        })
}

struct Tools {
    dockerd: PathBuf,
    docker: PathBuf,
    busybox: PathBuf,
    openssl: PathBuf,
}

/// One pod turned into directories and processes.
struct Sandbox {
    root: PathBuf,
    pod: Pod,
}

impl Sandbox {
    fn new(case: usize, pod: Pod) -> Sandbox {
        // Short paths: unix socket paths (ours and containerd's) must stay under 108 bytes.
        let root = PathBuf::from(format!("/tmp/dr{}-{case}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Sandbox { root, pod }
    }

    /// Where `path` inside `container` lives on the host: in an emptyDir if a mount covers it,
    /// else in the container's private root.
    fn host_path(&self, container: &Container, path: &str) -> PathBuf {
        let best = container
            .volume_mounts
            .iter()
            .flatten()
            .filter(|m| path == m.mount_path || path.starts_with(&format!("{}/", m.mount_path.trim_end_matches('/'))))
            .max_by_key(|m| m.mount_path.len());
        let host = match best {
            Some(m) => {
                let rest = &path[m.mount_path.trim_end_matches('/').len()..];
                let root = self.root.join("v").join(&m.name);
                std::fs::create_dir_all(&root).unwrap();
                chmod(&root, "0777"); // emptyDirs are world-writable
                // A `subPath` mount shows that directory of the volume (the kubelet creates it).
                let volume = match m.sub_path.as_deref().map(|s| s.trim_matches('/')) {
                    Some(sub) if !sub.is_empty() => {
                        let dir = root.join(sub);
                        std::fs::create_dir_all(&dir).unwrap();
                        dir
                    }
                    _ => root,
                };
                PathBuf::from(format!("{}{rest}", volume.display()))
            }
            None => PathBuf::from(format!("{}/c/{}{path}", self.root.display(), container.name)),
        };
        if let Some(parent) = host.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        host
    }

    /// Rewrites every absolute path in a word (`/x`, `unix:///x`, `--flag=/x`) into the host view.
    fn remap_word(&self, container: &Container, word: &str) -> String {
        if let Some(path) = word.strip_prefix("unix://") {
            return format!("unix://{}", self.host_path(container, path).display());
        }
        if let Some((flag, value)) = word.split_once('=')
            && flag.starts_with('-')
        {
            return format!("{flag}={}", self.remap_word(container, value));
        }
        if word.starts_with('/') {
            return self.host_path(container, word).display().to_string();
        }
        word.to_string()
    }
}

fn chmod(path: &Path, mode: &str) {
    let ok = Command::new("chmod").arg(mode).arg(path).status().unwrap().success();
    assert!(ok, "chmod {mode} {}", path.display());
}

fn env_of(container: &Container) -> BTreeMap<String, String> {
    container
        .env
        .iter()
        .flatten()
        .map(|e: &EnvVar| (e.name.clone(), e.value.clone().unwrap_or_default()))
        .collect()
}

/// What dockerd-entrypoint.sh runs for this container (independent of dind::topology).
fn entrypoint_argv(daemon: &Container) -> (Vec<String>, Option<String>) {
    assert!(daemon.command.is_none(), "we never render `command:` for the daemon");
    let args = daemon.args.clone().unwrap_or_default();
    let env = env_of(daemon);
    if args.first().is_none_or(|a| a.starts_with('-')) {
        let socket = env
            .get("DOCKER_HOST")
            .filter(|h| h.starts_with("unix://"))
            .cloned()
            .unwrap_or_else(|| "unix:///var/run/docker.sock".into());
        let certdir = env
            .get("DOCKER_TLS_CERTDIR")
            .cloned()
            .unwrap_or_else(|| "/certs".into());
        let mut argv = vec![format!("--host={socket}")];
        if certdir.is_empty() {
            argv.push("--host=tcp://0.0.0.0:2375".into());
            argv.extend(args);
            (argv, None)
        } else {
            argv.extend([
                "--host=tcp://0.0.0.0:2376".to_string(),
                "--tlsverify".into(),
                "--tlscacert".into(),
                format!("{certdir}/server/ca.pem"),
                "--tlscert".into(),
                format!("{certdir}/server/cert.pem"),
                "--tlskey".into(),
                format!("{certdir}/server/key.pem"),
            ]);
            argv.extend(args);
            (argv, Some(certdir))
        }
    } else {
        assert_eq!(args[0], "dockerd", "args start with a flag or with dockerd");
        (args[1..].to_vec(), None)
    }
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

/// The certificate layout the entrypoint generates (`ca/`, `server/`, `client/`).
fn generate_certs(tools: &Tools, dir: &Path, client_dir: &Path) {
    let ca = dir.join("ca");
    let server = dir.join("server");
    for d in [&ca, &server, &client_dir.to_path_buf()] {
        std::fs::create_dir_all(d).unwrap();
    }
    let ssl = |args: &[&str]| {
        let out = run(Command::new(&tools.openssl).args(args));
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let p = |d: &Path, f: &str| d.join(f).display().to_string();
    ssl(&["genrsa", "-out", &p(&ca, "key.pem"), "2048"]);
    ssl(&[
        "req",
        "-new",
        "-x509",
        "-days",
        "1",
        "-key",
        &p(&ca, "key.pem"),
        "-out",
        &p(&ca, "cert.pem"),
        "-subj",
        "/CN=docker:dind CA",
    ]);
    let sign = |d: &Path, cn: &str, ext: &str| {
        ssl(&["genrsa", "-out", &p(d, "key.pem"), "2048"]);
        ssl(&[
            "req",
            "-new",
            "-key",
            &p(d, "key.pem"),
            "-out",
            &p(d, "csr.pem"),
            "-subj",
            &format!("/CN={cn}"),
        ]);
        std::fs::write(d.join("openssl.cnf"), ext).unwrap();
        ssl(&[
            "x509",
            "-req",
            "-in",
            &p(d, "csr.pem"),
            "-CA",
            &p(&ca, "cert.pem"),
            "-CAkey",
            &p(&ca, "key.pem"),
            "-CAcreateserial",
            "-out",
            &p(d, "cert.pem"),
            "-days",
            "1",
            "-extfile",
            &p(d, "openssl.cnf"),
        ]);
        std::fs::copy(ca.join("cert.pem"), d.join("ca.pem")).unwrap();
        chmod(&d.join("key.pem"), "0644");
    };
    sign(
        &server,
        "docker:dind server",
        "subjectAltName = DNS:localhost, DNS:docker, IP:127.0.0.1\nextendedKeyUsage = serverAuth\n",
    );
    sign(client_dir, "docker:dind client", "extendedKeyUsage = clientAuth\n");
}

struct Daemon {
    child: Child,
    exec_root: PathBuf,
    log: PathBuf,
    argv: Vec<String>,
}

fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| !s.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
}

fn wait_gone(pid: u32, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if !process_alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    !process_alive(pid)
}

impl Daemon {
    /// Stops dockerd, then its containerd, each by its own PID, and waits until both are gone:
    /// the next case must never meet a process of this one.
    fn stop(mut self) {
        let pid = self.child.id();
        let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if self.child.try_wait().unwrap().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let pidfile = self.exec_root.join("containerd/containerd.pid");
        if let Some(cpid) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
        {
            let ours = std::fs::read(format!("/proc/{cpid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&*self.exec_root.to_string_lossy()));
            if ours && process_alive(cpid) {
                let _ = Command::new("kill").args(["-TERM", &cpid.to_string()]).status();
                if !wait_gone(cpid, Duration::from_secs(10)) {
                    let _ = Command::new("kill").args(["-KILL", &cpid.to_string()]).status();
                    assert!(
                        wait_gone(cpid, Duration::from_secs(5)),
                        "containerd {cpid} did not exit"
                    );
                }
            }
        }
    }
}

/// Unmounts anything left under `root` (deepest first), then removes it.
fn clean(root: &Path) {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let prefix = root.display().to_string();
    let mut points: Vec<&str> = mounts
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|m| m.starts_with(&prefix))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in points {
        let _ = Command::new("umount").args(["-l", p]).status();
    }
    std::fs::remove_dir_all(root).unwrap_or_else(|e| panic!("cannot remove {}: {e}", root.display()));
}

fn start_dockerd(tools: &Tools, sb: &Sandbox, daemon: &Container) -> (Daemon, Vec<String>) {
    let (argv, certdir) = entrypoint_argv(daemon);
    if let Some(dir) = certdir {
        let host_dir = sb.host_path(daemon, &dir);
        let client_dir = sb.host_path(daemon, &format!("{dir}/client"));
        generate_certs(tools, &host_dir, &client_dir);
    }
    let mut dropped = Vec::new();
    let mut real = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let word = &argv[i];
        let name = word.split('=').next().unwrap_or(word);
        if NEWER_THAN_20_10.contains(&name) {
            dropped.push(word.clone());
        } else {
            real.push(sb.remap_word(daemon, word));
        }
        i += 1;
    }
    let data_root = if daemon.image.as_deref().unwrap_or("").contains("rootless") {
        "/home/rootless/.local/share/docker"
    } else {
        "/var/lib/docker"
    };
    let exec_root = sb.root.join("e");
    real.extend([
        "--iptables=false".to_string(),
        "--ip6tables=false".into(),
        "--bridge=none".into(),
        "--storage-driver=vfs".into(),
        format!("--data-root={}", sb.host_path(daemon, data_root).display()),
        format!("--exec-root={}", exec_root.display()),
        format!("--pidfile={}", sb.root.join("dockerd.pid").display()),
    ]);
    let log = sb.root.join("dockerd.log");
    let child = Command::new(&tools.dockerd)
        .args(&real)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::from(std::fs::File::options().append(true).open(&log).unwrap()))
        .spawn()
        .expect("start dockerd");
    (
        Daemon {
            child,
            exec_root,
            log,
            argv: real,
        },
        dropped,
    )
}

/// The daemon's rendered startup probe, run in the daemon container's view.
fn probe_ok(tools: &Tools, sb: &Sandbox, daemon: &Container) -> bool {
    let command = daemon
        .startup_probe
        .as_ref()
        .and_then(|p| p.exec.as_ref())
        .and_then(|e| e.command.clone())
        .expect("an exec startup probe");
    assert_eq!(command[0], "docker");
    let home = sb.root.join("probe-home");
    std::fs::create_dir_all(&home).unwrap();
    let args: Vec<String> = command[1..].iter().map(|w| sb.remap_word(daemon, w)).collect();
    // The probe runs in the daemon's container: its `DOCKER_*` variables, else the CLI's default
    // socket as that container sees it.
    let mut env: BTreeMap<String, String> = env_of(daemon)
        .into_iter()
        .filter(|(k, _)| k == "DOCKER_HOST" || k == "DOCKER_CERT_PATH" || k == "DOCKER_TLS_VERIFY")
        .map(|(k, v)| {
            let v = sb.remap_word(daemon, &v);
            (k, v)
        })
        .collect();
    env.entry("DOCKER_HOST".into())
        .or_insert_with(|| format!("unix://{}", sb.host_path(daemon, "/var/run/docker.sock").display()));
    let out = run(Command::new("timeout")
        .arg("5")
        .arg(&tools.docker)
        .args(&args)
        .env_clear()
        .env("HOME", &home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(&env));
    out.status.success()
}

/// Runs the docker CLI as `container` would: its env, remapped; its uid/gid when it has one.
fn docker_as(tools: &Tools, sb: &Sandbox, container: &Container, args: &[&str]) -> Output {
    let home = sb.root.join("home").join(&container.name);
    std::fs::create_dir_all(&home).unwrap();
    chmod(&home, "0777");
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in env_of(container) {
        if k.starts_with("DOCKER_") {
            env.insert(k.clone(), sb.remap_word(container, &v));
        }
    }
    if !env.contains_key("DOCKER_HOST") {
        env.insert(
            "DOCKER_HOST".into(),
            format!("unix://{}", sb.host_path(container, "/var/run/docker.sock").display()),
        );
    }
    let sc = container.security_context.as_ref();
    let mut cmd = match sc.and_then(|s| s.run_as_user).filter(|u| *u != 0) {
        Some(uid) => {
            let gid = sc.and_then(|s| s.run_as_group).unwrap_or(uid);
            let groups = sb
                .pod
                .spec
                .as_ref()
                .unwrap()
                .security_context
                .as_ref()
                .and_then(|p| p.supplemental_groups.clone())
                .unwrap_or_default();
            let groups: Vec<String> = groups.iter().map(ToString::to_string).collect();
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={uid}")).arg(format!("--regid={gid}"));
            if groups.is_empty() {
                c.arg("--clear-groups");
            } else {
                c.arg(format!("--groups={}", groups.join(",")));
            }
            c.arg("timeout").arg("60").arg(&tools.docker);
            c
        }
        None => {
            let mut c = Command::new("timeout");
            c.arg("60").arg(&tools.docker);
            c
        }
    };
    cmd.args(args)
        .env_clear()
        .env("HOME", &home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(&env);
    run(&mut cmd)
}

fn busybox_tarball(tools: &Tools, dir: &Path) -> PathBuf {
    let rootfs = dir.join("rootfs");
    std::fs::create_dir_all(rootfs.join("bin")).unwrap();
    std::fs::copy(&tools.busybox, rootfs.join("bin/busybox")).unwrap();
    std::os::unix::fs::symlink("busybox", rootfs.join("bin/sh")).unwrap();
    let tar = dir.join("busybox.tar");
    let ok = Command::new("tar")
        .arg("-C")
        .arg(&rootfs)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .unwrap()
        .success();
    assert!(ok, "tar");
    chmod(dir, "0755");
    chmod(&tar, "0644");
    tar
}

enum Expect {
    Connect,
    Refuse,
}

struct Case {
    name: String,
    pod: Pod,
    expect: Expect,
    /// Whether the daemon container's own CLI must reach it too (true for what dind renders).
    daemon_cli: bool,
}

fn built(pod: DindPod) -> Pod {
    pod.build().unwrap_or_else(|e| panic!("{e}")).into_pod()
}

fn client_mut<'a>(pod: &'a mut Pod, name: &str) -> &'a mut Container {
    pod.spec
        .as_mut()
        .unwrap()
        .containers
        .iter_mut()
        .find(|c| c.name == name)
        .unwrap()
}

fn cases() -> Vec<Case> {
    let connect = |name: &str, pod| Case {
        name: name.to_string(),
        pod: built(pod),
        expect: Expect::Connect,
        daemon_cli: true,
    };
    let mut wrong_port = built(DindPod::new().transport(Transport::tcp()));
    for e in client_mut(&mut wrong_port, "docker").env.iter_mut().flatten() {
        if e.name == "DOCKER_HOST" {
            e.value = Some("tcp://127.0.0.1:2399".into());
        }
    }
    let mut no_cert_path = built(DindPod::new().transport(Transport::tls()));
    client_mut(&mut no_cert_path, "docker")
        .env
        .as_mut()
        .unwrap()
        .retain(|e| e.name != "DOCKER_CERT_PATH");
    let mut not_shared = built(DindPod::new());
    client_mut(&mut not_shared, "docker").volume_mounts = None;
    vec![
        connect("unix-default", DindPod::new()),
        connect(
            "unix-dind-only",
            DindPod::new().transport(Transport::Unix(Some("/dind-only/docker.sock".into()))),
        ),
        connect("tcp-2375", DindPod::new().transport(Transport::tcp())),
        connect("tcp-8989", DindPod::new().transport(Transport::Tcp { port: 8989 })),
        connect("tls-2376", DindPod::new().transport(Transport::tls())),
        connect(
            "tls-two-clients",
            DindPod::new()
                .transport(Transport::tls())
                .client(Client::new("build"))
                .client(Client::new("push")),
        ),
        connect("in-container", DindPod::new().transport(Transport::InContainer)),
        connect("native-sidecar", DindPod::new().native_sidecar()),
        // Under Sysbox the daemon is the same dockerd with the same wiring; only the pod's
        // security settings differ (no privileged, its own user namespace).
        connect("sysbox-unix", DindPod::new().runtime(Runtime::Sysbox)),
        connect(
            "sysbox-tls",
            DindPod::new().runtime(Runtime::Sysbox).transport(Transport::tls()),
        ),
        connect(
            "daemon-options",
            DindPod::new()
                .mtu(1440)
                .registry_mirror("https://mirror.gcr.io")
                .insecure_registry("registry.local:5000")
                .iptables_legacy(),
        ),
        connect(
            "non-root-client",
            DindPod::new().client(Client::new("agent").run_as(1000, 1000)),
        ),
        Case {
            name: "control-wrong-port".into(),
            pod: wrong_port,
            expect: Expect::Refuse,
            daemon_cli: true,
        },
        Case {
            name: "control-tls-without-cert-path".into(),
            pod: no_cert_path,
            expect: Expect::Refuse,
            daemon_cli: true,
        },
        Case {
            name: "control-socket-not-shared".into(),
            pod: not_shared,
            expect: Expect::Refuse,
            daemon_cli: true,
        },
    ]
}

/// A fixture file repaired by `dind lint --fix --unsafe-fixes` and nothing else (no fix refused),
/// as a case whose clients must connect; a Jenkinsfile's pod is its first literal.
fn fixed_case(dir: &str, name: &str, prefix: &str) -> Case {
    let text = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
    let fixed = dind::lint::fix_file(name, &text, &dind::rules::Context::default(), true).unwrap();
    assert!(fixed.refused.is_empty(), "{name}: {:#?}", fixed.refused);
    assert!(!fixed.applied.is_empty(), "{name}: nothing fixed");
    let yaml = if name.ends_with(".yaml") {
        fixed.text
    } else {
        dind::lint::jenkinsfile_literals(&fixed.text).unwrap().remove(0).value
    };
    let doc = &dind::yaml::read_documents(&yaml, dind::yaml::Limits::default()).unwrap()[0];
    let (pod, _) = dind::lint::pod_from_value(&doc.value).unwrap();
    Case {
        name: format!("{prefix}-{name}"),
        pod,
        expect: Expect::Connect,
        // These pods never set the daemon's own DOCKER_HOST; their clients must connect.
        daemon_cli: false,
    }
}

/// The seed article's pods, repaired: every one whose pod can run here. (The rootless one needs
/// rootlesskit's user namespaces, and two Jenkinsfiles use variables the article never defines,
/// which no fix can know.)
fn fixed_seed_cases() -> Vec<Case> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed");
    [
        "probe-tcp.yaml",
        "probe-unix.yaml",
        "tcp-env.yaml",
        "mini.Jenkinsfile",
        "tcp-custom.Jenkinsfile",
    ]
    .into_iter()
    .map(|name| fixed_case(dir, name, "seed-fixed"))
    .collect()
}

/// The wiring fixtures (a client on the wrong port or transport, TLS without its material,
/// dockerd started by `command:`, a socket volume at the socket path), repaired.
fn fixed_wiring_cases() -> Vec<Case> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wiring");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "the wiring fixtures are missing: {names:?}");
    names.iter().map(|name| fixed_case(dir, name, "wiring-fixed")).collect()
}

fn daemon_container(pod: &Pod) -> Container {
    let spec = pod.spec.as_ref().unwrap();
    spec.init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
        .find(|c| c.name == "dind")
        .unwrap()
        .clone()
}

/// Drives the docker CLI as `client`: for `Connect`, version, info, import and `run --rm` must all
/// succeed (returns how long `docker version` took); for `Refuse`, `docker version` must fail.
fn exercise(
    tools: &Tools,
    sb: &Sandbox,
    client: &Container,
    expect: &Expect,
    tarball: &Path,
) -> Result<Duration, String> {
    let t = Instant::now();
    let version = docker_as(tools, sb, client, &["version"]);
    let connected = t.elapsed();
    match expect {
        Expect::Refuse if version.status.success() => {
            return Err(format!("control `{}` connected, but must not", client.name));
        }
        Expect::Refuse => return Ok(Duration::ZERO),
        Expect::Connect if !version.status.success() => {
            return Err(format!(
                "client `{}`: docker version failed: {}",
                client.name,
                String::from_utf8_lossy(&version.stderr)
            ));
        }
        Expect::Connect => {}
    }
    let image = format!("dind-judge/{}:busybox", client.name);
    let tarball = tarball.to_str().ok_or("the tarball path is not UTF-8")?;
    let steps: [Vec<&str>; 3] = [
        vec!["info"],
        vec!["import", tarball, &image],
        vec![
            "run",
            "--rm",
            "--network",
            "none",
            &image,
            "/bin/busybox",
            "echo",
            "dind-judge-marker",
        ],
    ];
    for step in steps {
        let out = docker_as(tools, sb, client, &step);
        if !out.status.success() {
            return Err(format!(
                "client `{}`: docker {step:?} failed: {}",
                client.name,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if step[0] == "run" && !String::from_utf8_lossy(&out.stdout).contains("dind-judge-marker") {
            return Err(format!(
                "client `{}`: the container did not print the marker",
                client.name
            ));
        }
    }
    Ok(connected)
}

/// `kubectl exec POD -c dind -- docker ps`: the daemon container's own CLI, with nothing but the
/// container's environment, reaches the daemon. It runs as root, as the probe does: here dockerd
/// runs as root, while in the pod a rootless daemon owns its socket as the container's own uid.
fn daemon_cli_reaches_daemon(tools: &Tools, sb: &Sandbox, daemon: &Container, expect: &Expect) -> Result<(), String> {
    if matches!(expect, Expect::Refuse) {
        return Ok(());
    }
    let mut as_root = daemon.clone();
    as_root.security_context = None;
    let out = docker_as(tools, sb, &as_root, &["ps"]);
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`kubectl exec -c {} -- docker ps` would fail: {}",
            daemon.name,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Runs one case; returns its report line.
fn run_case(tools: &Tools, index: usize, case: &Case, tarball: &Path) -> Result<String, String> {
    let sb = Sandbox::new(index, case.pod.clone());
    let daemon = daemon_container(&case.pod);
    if probe_ok(tools, &sb, &daemon) {
        return Err("the probe passed before dockerd started".into());
    }
    let (mut dockerd, dropped) = start_dockerd(tools, &sb, &daemon);
    let started = Instant::now();
    let mut ready = None;
    while started.elapsed() < Duration::from_secs(90) {
        if probe_ok(tools, &sb, &daemon) {
            ready = Some(started.elapsed());
            break;
        }
        if let Ok(Some(status)) = dockerd.child.try_wait() {
            let log = std::fs::read_to_string(&dockerd.log).unwrap_or_default();
            let argv = dockerd.argv.clone();
            dockerd.stop();
            clean(&sb.root);
            return Err(format!(
                "dockerd exited ({status}) before it answered; argv {argv:?}:\n{log}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let result = match ready {
        None => Err(format!(
            "the probe never succeeded; dockerd {:?}:\n{}",
            dockerd.argv,
            std::fs::read_to_string(&dockerd.log).unwrap_or_default()
        )),
        Some(ready) => {
            let clients: Vec<Container> = {
                let spec = case.pod.spec.as_ref().unwrap();
                let cs: Vec<Container> = spec.containers.iter().filter(|c| c.name != "dind").cloned().collect();
                if cs.is_empty() { vec![daemon.clone()] } else { cs }
            };
            let mut slowest = Duration::ZERO;
            let mut outcome = if case.daemon_cli {
                daemon_cli_reaches_daemon(tools, &sb, &daemon, &case.expect)
            } else {
                Ok(())
            };
            for client in clients.iter().filter(|_| outcome.is_ok()) {
                match exercise(tools, &sb, client, &case.expect, tarball) {
                    Ok(connected) => slowest = slowest.max(connected),
                    Err(e) => {
                        outcome = Err(e);
                        break;
                    }
                }
            }
            let outcome = outcome.map(|()| slowest);
            let dropped = if dropped.is_empty() {
                String::new()
            } else {
                format!(" [not in dockerd 20.10: {}]", dropped.join(" "))
            };
            outcome.map(|connected| match case.expect {
                Expect::Connect => format!(
                    "real-daemon {}: connected in {} ms (probe ready after {} ms){dropped}",
                    case.name,
                    connected.as_millis(),
                    ready.as_millis()
                ),
                Expect::Refuse => format!(
                    "real-daemon {}: refused as it must be (probe ready after {} ms)",
                    case.name,
                    ready.as_millis()
                ),
            })
        }
    };
    dockerd.stop();
    clean(&sb.root);
    result
}

#[test]
fn every_rendered_transport_connects_to_a_real_daemon() {
    let tools = Tools {
        dockerd: tool("dockerd", &["/usr/sbin/dockerd"]),
        docker: tool("docker", &["/usr/bin/docker"]),
        busybox: tool("busybox", &["/bin/busybox", "/usr/bin/busybox"]),
        openssl: tool("openssl", &[]),
    };
    let shared = PathBuf::from(format!("/tmp/dr{}-shared", std::process::id()));
    let _ = std::fs::remove_dir_all(&shared);
    std::fs::create_dir_all(&shared).unwrap();
    let tarball = busybox_tarball(&tools, &shared);
    let mut failures = Vec::new();
    let all: Vec<Case> = cases()
        .into_iter()
        .chain(fixed_seed_cases())
        .chain(fixed_wiring_cases())
        .collect();
    for (i, case) in all.iter().enumerate() {
        match run_case(&tools, i, case, &tarball) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                println!("real-daemon {}: FAILED: {e}", case.name);
                failures.push(case.name.clone());
            }
        }
    }
    clean(&shared);
    assert!(failures.is_empty(), "failed cases: {failures:?}");
}
