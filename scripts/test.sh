#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine. Installs what the tests need, idempotently:
# Debian's groovy (Groovy 2.4, as Jenkins ships) with a JDK; docker.io (a real dockerd 20.10 and
# docker CLI), busybox-static and openssl for the real-daemon test; Go with go-yaml v2 (the YAML
# 1.1 reader behind kubectl) for the reader oracle; and a Python venv with the pinned oracles
# (kubernetes-validate, PyYAML). Tests that need an oracle fail when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\n==> %s\n' "$*"; }

# Cargo's probe of rustc (`rustc - --print=...`, "failed to run `rustc` to learn about
# target-specific information") reads its source from /dev/null. Where /dev/null is a regular file
# instead of the null device, it holds whatever build scripts' rustc probes wrote to "/dev/null"
# (rustix's `#[diagnostic::on_unimplemented()] trait Foo {}` warnings, seen in CI and on fresh
# clones here), cargo compiles that text, fails, and caches the failure in target/.rustc_info.json.
# `null_device` makes sure /dev/null is the null device (character device 1:3, discarding what is
# written to it) before every cargo step, restoring it and saying so when it is not: first as a
# new node, then (when it is a bind-mounted file, which cannot be removed) by mounting a new node
# over it; when neither is allowed, a regular file is emptied before every step instead, so that at
# least cargo's own probe reads nothing. It stops the run with the reason when none of this works.
null_device_ok() {
    [ -c /dev/null ] && [ "$(stat -c '%t:%T' /dev/null)" = "1:3" ] \
        && printf x 2>&1 >/dev/null && [ -z "$(head -c1 /dev/null)" ]
}
null_device() {
    if null_device_ok; then
        return 0
    fi
    echo "warning: /dev/null is not the null device: $(ls -l /dev/null 2>&1); restoring it" >&2
    rm -f target/.rustc_info.json
    local SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    if $SUDO rm -f /dev/null 2>&1 && $SUDO mknod -m 0666 /dev/null c 1 3 2>&1 && null_device_ok; then
        return 0
    fi
    local node
    node="$(mktemp -d)/null"
    if $SUDO mknod -m 0666 "$node" c 1 3 2>&1 && $SUDO mount --bind "$node" /dev/null 2>&1 && null_device_ok; then
        return 0
    fi
    if [ -f /dev/null ] && [ -w /dev/null ] && : > /dev/null; then
        echo "warning: /dev/null could not be restored; emptied before every cargo step instead" >&2
        return 0
    fi
    echo "error: /dev/null is not the null device and could not be restored (mknod c 1 3, mount --bind);" \
        "cargo's rustc probe reads it, so the build cannot be trusted here" >&2
    exit 2
}

# Before the null-device check above, a failed probe seen on fresh clones here was retried: `probed`
# runs a cargo command and, only when it failed with a failed probe on record in
# target/.rustc_info.json, says so, checks /dev/null, discards the cache and tries again (at most
# three times). A compile error or a failing test leaves no failed probe: it fails at once.
probed() {
    local attempt
    for attempt in 1 2 3 4; do
        null_device
        if "$@"; then
            return 0
        fi
        local probe="${CARGO_TARGET_DIR:-target}/.rustc_info.json"
        if [ "$attempt" -lt 4 ] && [ -f "$probe" ] && grep -q '"success":false' "$probe"; then
            echo "a cached rustc probe failed (/dev/null: $(ls -l /dev/null 2>&1));" \
                "discarding $probe and trying again in 30 s" >&2
            rm -f "$probe"
            sleep 30
        else
            return 1
        fi
    done
}

null_device
# An open, empty standard input for everything below (CI runs us without one).
exec </dev/null

need_apt=()
command -v groovy >/dev/null 2>&1 || need_apt+=(groovy)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
[ -x /usr/sbin/dockerd ] || need_apt+=(docker.io)
[ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || need_apt+=(busybox-static)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v setpriv >/dev/null 2>&1 || need_apt+=(util-linux)
command -v go >/dev/null 2>&1 || need_apt+=(golang-go)
[ -d /usr/share/gocode/src/gopkg.in/yaml.v2 ] || need_apt+=(golang-gopkg-yaml.v2-dev)
if ((${#need_apt[@]})); then
    log "installing ${need_apt[*]} (apt)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "${JAVA_HOME}/bin/java" ]; then
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    export JAVA_HOME
fi
groovy_version="$(groovy --version 2>&1 | head -n1)"
case "$groovy_version" in
    *"Groovy Version: 2.4"*) ;;
    *) echo "error: the tests need Groovy 2.4 (as in Jenkins); found: $groovy_version" >&2; exit 1 ;;
esac

if [ ! -x .venv/bin/kubernetes-validate ] || ! cmp -s scripts/oracle-requirements.txt .venv/.requirements; then
    log "creating .venv with the pinned oracles"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check --no-deps -r scripts/oracle-requirements.txt
    cp scripts/oracle-requirements.txt .venv/.requirements
fi
export DIND_ORACLE_VENV="$PWD/.venv"
# The SARIF 2.1.0 schema, from the npm registry (pinned), for the SARIF output test.
sarif_pkg="@microsoft/jest-sarif@1.0.0-beta.0"
if [ ! -f .oracles/sarif-2.1.0.json ] || [ "$(cat .oracles/.sarif-pkg 2>/dev/null)" != "$sarif_pkg" ]; then
    log "fetching the SARIF schema ($sarif_pkg)"
    command -v npm >/dev/null 2>&1 || { echo "error: npm is needed to fetch the SARIF schema" >&2; exit 1; }
    rm -rf .oracles/pkg && mkdir -p .oracles/pkg
    (cd .oracles/pkg && npm pack --silent "$sarif_pkg" >/dev/null && tar xzf ./*.tgz)
    cp .oracles/pkg/package/lib/schemas/sarif-2.1.0-rtm.5.json .oracles/sarif-2.1.0.json
    rm -rf .oracles/pkg
    echo "$sarif_pkg" > .oracles/.sarif-pkg
fi
export DIND_SARIF_SCHEMA="$PWD/.oracles/sarif-2.1.0.json"
# Mermaid's parser (pinned in scripts/mermaid/package-lock.json), for `dind explain --format mermaid`.
if ! cmp -s scripts/mermaid/package-lock.json .oracles/mermaid/package-lock.json || [ ! -d .oracles/mermaid/node_modules/mermaid ]; then
    log "installing Mermaid's parser (npm ci, scripts/mermaid)"
    rm -rf .oracles/mermaid && mkdir -p .oracles/mermaid
    cp scripts/mermaid/package.json scripts/mermaid/package-lock.json .oracles/mermaid/
    (cd .oracles/mermaid && npm ci --silent --no-audit --no-fund >/dev/null)
fi
cp scripts/mermaid/check.mjs .oracles/mermaid/check.mjs
export DIND_MERMAID_CHECK="$PWD/.oracles/mermaid/check.mjs"
# Checked-in generated files (examples/jenkins-helper/generated) must be current.
export DIND_CODEGEN_CHECK=1

# `cargo metadata` (the package test) reads every package of the lock file, for every platform;
# a build downloads only this one's.
log "cargo fetch --locked (every crate the lock file names)"
probed cargo fetch --locked --quiet
log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy --all-targets -- -D warnings"
probed cargo clippy --workspace --all-targets --quiet -- -D warnings
log "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" probed cargo doc --workspace --no-deps --quiet
log "cargo test"
probed cargo test --workspace --lib --bins --tests --examples --quiet -- --skip every_rendered_transport_connects_to_a_real_daemon
log "fuzzing the readers and --fix for a bounded time (DIND_FUZZ_CASES=5000)"
DIND_FUZZ_CASES=5000 probed cargo test --quiet -p dind-core --test fuzz_readers --test fuzz_fix
log "benchmarks, once each as tests"
probed cargo test --workspace --benches --quiet
log "real daemon (one line per case)"
probed cargo test --quiet --test real_daemon -- --nocapture
log "doctests"
probed cargo test --workspace --doc --quiet
log "cargo package: every crate in publish order, each verified against the others as packaged"
# Cargo verifies each package against the others through a local registry, and unpacks them
# under $CARGO_HOME/registry/src/-HASH/NAME-VERSION. An unpacked copy left by an earlier run (the
# same version, older sources) is reused as it is, so a crate would be verified against stale
# code. Remove every unpacked copy of this workspace's crates first (never crates.io's).
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
cargo metadata --format-version 1 --no-deps --offline \
    | python3 -c 'import json,sys; [print(p["name"] + "-" + p["version"]) for p in json.load(sys.stdin)["packages"]]' \
    | while read -r unpacked; do rm -rf "$cargo_home"/registry/src/-*/"$unpacked"; done
probed cargo package --workspace --exclude jenkins-helper --allow-dirty --features k8s-openapi/latest --quiet
log "cargo install --path dind-cli (as the README says), then run the installed dind"
install_root="$(mktemp -d)"
probed cargo install --path dind-cli --root "$install_root" --debug --locked --quiet
"$install_root/bin/dind" --version
"$install_root/bin/dind" render > /dev/null
"$install_root/bin/dind" completions bash > /dev/null
rm -rf "$install_root"
log "all tests passed"
