#!/usr/bin/env bash
# Runs the lint benchmarks with their anchors: kubernetes-validate (the test venv, created by
# ./scripts/test.sh) and checkov (a bench venv created here, pinned in bench-requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/kubernetes-validate ] || ! cmp -s scripts/oracle-requirements.txt .venv/.requirements; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check --no-deps -r scripts/oracle-requirements.txt
    cp scripts/oracle-requirements.txt .venv/.requirements
fi
if [ ! -x .venv-bench/bin/checkov ] || ! cmp -s scripts/bench-requirements.txt .venv-bench/.requirements; then
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet --disable-pip-version-check -r scripts/bench-requirements.txt
    cp scripts/bench-requirements.txt .venv-bench/.requirements
fi
export DIND_ORACLE_VENV="$PWD/.venv" DIND_BENCH_VENV="$PWD/.venv-bench"
cargo bench -p dind-cli --bench lint_200
cargo bench -p dind-cli --bench lint_tree
