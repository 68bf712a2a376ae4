#!/usr/bin/env bash
# Runs every test of Heisessie: formatting, lints, and the whole test suite (unit,
# property, store contract, and integration tests against the real server).
# Idempotent: whatever a test needs and is missing is installed first.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# cargo-nextest runs all test binaries in one go; install it when a machine lacks it.
if ! cargo nextest --version >/dev/null 2>&1; then
  step "installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

step "formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "lints (cargo clippy -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests (cargo nextest)"
cargo nextest run --workspace --locked --no-fail-fast
