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

# The browser tests drive a real headless Chromium (crates/cli/tests/it/browser.rs). Install
# Debian's `chromium` when it is missing; never let those tests be skipped.
if [ -n "${HEISESSIE_CHROMIUM:-}" ]; then
  if [ ! -x "$HEISESSIE_CHROMIUM" ]; then
    echo "error: HEISESSIE_CHROMIUM=$HEISESSIE_CHROMIUM is not an executable file" >&2
    exit 1
  fi
  echo "chromium: using $HEISESSIE_CHROMIUM (HEISESSIE_CHROMIUM)"
elif [ -x /usr/bin/chromium ]; then
  echo "chromium: /usr/bin/chromium is installed"
elif [ "$(id -u)" -eq 0 ]; then
  step "installing chromium for the browser tests (apt-get update; apt-get install -y --no-install-recommends chromium)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
  if [ ! -x /usr/bin/chromium ]; then
    echo "error: apt-get installed chromium, but /usr/bin/chromium is still missing" >&2
    exit 1
  fi
else
  echo "error: the browser tests need Chromium at /usr/bin/chromium, and this script can only install it as root." >&2
  echo "       Run it as root, or: sudo apt-get install -y --no-install-recommends chromium" >&2
  echo "       (or point HEISESSIE_CHROMIUM at a Chromium binary)." >&2
  exit 1
fi

step "formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "lints (cargo clippy -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests (cargo nextest)"
cargo nextest run --workspace --locked --no-fail-fast
