#!/usr/bin/env bash
# Runs every test there is, failing on the first red step:
#   1. native unit and integration tests (core, server, sandbox contract, API), the
#      server's on SQLite and again on Postgres;
#   2. in-browser component tests (wasm-bindgen-test in headless Chromium);
#   3. end-to-end tests driving Chromium against the real server and sandbox.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
started=$SECONDS
step() { printf '\n[test] == %s (%ss elapsed)\n' "$*" "$((SECONDS - started))"; }

step "native tests"
# The widget and the console are wasm apps (their logic lives in core, tested here);
# the widget's components are tested in Chromium below, the console end to end.
cargo test --locked --workspace --exclude quote-widget --exclude quote-console

step "the server's suites again, on Postgres (a throwaway cluster, removed afterwards)"
QW_TEST_STORE=postgres cargo test --locked -p quote-server --tests

step "in-browser component tests (headless Chromium)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --locked -p quote-widget --features gallery --target wasm32-unknown-unknown

step "building the widget, the gallery, the partner console and the server for end-to-end tests"
scripts/build-web.sh
cargo build --locked -p quote-server

step "end-to-end tests (Chromium against the real server)"
QW_SERVER_BIN="$ROOT/target/debug/quote-server" QW_WIDGET_DIR="$ROOT/dist" QW_CONSOLE_DIR="$ROOT/dist-console" \
  node --test --test-concurrency=1 tests/e2e/

step "all green"
