#!/usr/bin/env bash
# Runs every test there is, failing on the first red step:
#   0. the habits: rustfmt, clippy -D warnings, no import cycles between modules;
#   1. native unit and integration tests (core, wire, sandbox, server: the HTTP API,
#      the 0Pools contract, replicas), the API's again on Postgres;
#   2. in-browser component tests (wasm-bindgen-test in headless Chromium);
#   3. the OpenAPI document against the real server: schemathesis, every check;
#   4. end-to-end tests driving Chromium against the real server and sandbox.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
started=$SECONDS
step() { printf '\n[test] == %s (%ss elapsed)\n' "$*" "$((SECONDS - started))"; }

step "rustfmt, clippy, import cycles"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -- -D warnings
python3 scripts/lib/cycles.py --self-test >/dev/null
python3 scripts/lib/cycles.py server/src src console/src core/src sandbox/src wire/src testkit/src

step "native tests"
# The widget and the console are wasm apps (their logic lives in core, tested here);
# the widget's components are tested in Chromium below, the console end to end.
# (replicas always runs on Postgres; contract and the sandbox touch no database.)
cargo test --locked --workspace --exclude quote-widget --exclude quote-console

step "the server's API suite again, on Postgres (a throwaway cluster, removed afterwards)"
QW_TEST_STORE=postgres cargo test --locked -p quote-server --test api

step "in-browser component tests (headless Chromium)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --locked -p quote-widget --features gallery --target wasm32-unknown-unknown

step "building the widget, the gallery, the partner console and the server for end-to-end tests"
scripts/build-web.sh
cargo build --locked -p quote-server

step "the OpenAPI document against the server (schemathesis, every check)"
tests/openapi-fuzz/run.sh "$ROOT/target/debug/quote-server"

step "end-to-end tests (Chromium against the real server)"
QW_SERVER_BIN="$ROOT/target/debug/quote-server" QW_WIDGET_DIR="$ROOT/dist" QW_CONSOLE_DIR="$ROOT/dist-console" \
  node --test --test-concurrency=1 tests/e2e/

step "all green"
