#!/usr/bin/env bash
# Builds the widget (Trunk, release) and the companion server, then starts the server
# with the embedded 0Pools sandbox and the SQLite database. Prints the URL.
# Every setting is an environment variable: see docs/configuration.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh

echo "[run] building the widget, the designer gallery and the partner console (scripts/build-web.sh)" >&2
scripts/build-web.sh
echo "[run] building the companion server" >&2
cargo build --release --locked -q -p quote-server

export WIDGET_DIR="${WIDGET_DIR:-$ROOT/dist}"
export CONSOLE_DIR="${CONSOLE_DIR:-$ROOT/dist-console}"
# The partner console's demo credential: a random password made once, kept in
# data/ (git-ignored) and hashed by the server at start. Production sets
# CONSOLE_PASSWORD_HASH instead (see docs/configuration.md).
if [ -z "${CONSOLE_PASSWORD_HASH:-}" ] && [ -z "${CONSOLE_PASSWORD_FILE:-}" ]; then
  mkdir -p "$ROOT/data"
  export CONSOLE_PASSWORD_FILE="$ROOT/data/console-password"
  if [ ! -s "$CONSOLE_PASSWORD_FILE" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$CONSOLE_PASSWORD_FILE")
  fi
  export CONSOLE_USER="${CONSOLE_USER:-partner}"
  echo "[run] partner console: user '$CONSOLE_USER', password in $CONSOLE_PASSWORD_FILE: $(cat "$CONSOLE_PASSWORD_FILE")" >&2
fi
# The demo run: anonymous sessions, the demo checkout and gallery, the embedded sandbox.
exec "$ROOT/target/release/quote-server" run --demo
