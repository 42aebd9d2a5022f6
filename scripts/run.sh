#!/usr/bin/env bash
# Builds the widget (Trunk, release) and the companion server, then starts the server
# with the embedded 0Pools sandbox and the SQLite database. Prints the URL.
# Every setting is an environment variable: see the README's configuration table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh

echo "[run] building the widget (trunk build --release)" >&2
trunk build --release --offline >/dev/null
echo "[run] building the companion server" >&2
cargo build --release --locked -q -p quote-server

export WIDGET_DIR="${WIDGET_DIR:-$ROOT/dist}"
# The demo run: anonymous sessions, the demo checkout and gallery, the embedded sandbox.
exec "$ROOT/target/release/quote-server" run --demo
