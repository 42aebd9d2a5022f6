#!/usr/bin/env bash
# Installs only what is missing, at pinned versions, from the package registries:
# the wasm target, rustfmt and clippy, Trunk, wasm-bindgen-cli (== Cargo.lock), wasm-opt (npm binaryen),
# Debian's chromium + chromium-driver and postgresql, the locked npm tooling and
# schemathesis (pinned, in a virtualenv). Quick when all
# is already there. Sourced by run.sh and test.sh; safe to run on its own.
set -euo pipefail

TRUNK_VERSION=0.21.14
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

say() { printf '[setup] %s\n' "$*" >&2; }

# wasm-bindgen-cli must equal the wasm-bindgen that Cargo.lock resolved.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$ROOT/Cargo.lock"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# rustfmt and clippy run at the start of the test command.
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (a few minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

WB_VERSION="$(wasm_bindgen_version)"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (a couple of minutes, once)"
  # Not --locked: its own lockfile names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi
grep -q "wasm_bindgen = \"$WB_VERSION\"" "$ROOT/Trunk.toml" || {
  say "Trunk.toml must pin wasm_bindgen = \"$WB_VERSION\" (Cargo.lock's)"; exit 1; }

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing Debian's chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Debian's PostgreSQL server: the tests run the API suite and the multi-replica tests
# against a throwaway cluster (initdb + pg_ctl in a temporary directory).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  say "installing Debian's postgresql server"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

# npm tooling (binaryen's wasm-opt, playwright-core, axe-core), exactly as locked.
LOCK_STAMP="$ROOT/node_modules/.installed-lock.sha256"
if [ "$(cat "$LOCK_STAMP" 2>/dev/null)" != "$(sha256sum < "$ROOT/package-lock.json")" ]; then
  say "installing locked npm tooling"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  sha256sum < "$ROOT/package-lock.json" > "$LOCK_STAMP"
fi
[ "$(wasm-opt --version)" = "wasm-opt version 123 (version_123)" ] || {
  say "wasm-opt on PATH is not binaryen 123: $(command -v wasm-opt)"; exit 1; }

# schemathesis (the OpenAPI fuzz in the test command), pinned with everything it
# installs, in its own virtualenv under .tools/ (git-ignored).
ST_VENV="$ROOT/.tools/schemathesis"
ST_REQ="$ROOT/tests/openapi-fuzz/requirements.txt"
if [ "$(cat "$ST_VENV/.installed-requirements.sha256" 2>/dev/null)" != "$(sha256sum < "$ST_REQ")" ]; then
  say "installing schemathesis into $ST_VENV"
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$ST_VENV"
  python3 -m venv "$ST_VENV"
  "$ST_VENV/bin/pip" install -q --disable-pip-version-check --no-deps -r "$ST_REQ"
  sha256sum < "$ST_REQ" > "$ST_VENV/.installed-requirements.sha256"
fi

# Trunk builds offline, so every crate must already be here.
(cd "$ROOT" && cargo fetch --locked -q)
