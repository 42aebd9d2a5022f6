#!/usr/bin/env bash
# Fuzzes the running server against its own OpenAPI document with schemathesis
# (pinned in requirements.txt, installed by scripts/setup.sh) and every check it
# has: undocumented statuses, schema-valid requests refused, invalid ones accepted,
# answers that break their schema, 5xx, ignored auth. Any finding fails.
#
#   tests/openapi-fuzz/run.sh [path/to/quote-server]    (default: target/debug/quote-server)
#
# The server runs in demo mode (so the demo routes are fuzzed too) with a partner key,
# a metrics token and a console credential, on a free port and a throwaway database.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/openapi-fuzz"
SERVER_BIN="${1:-$ROOT/target/debug/quote-server}"
ST="$ROOT/.tools/schemathesis/bin/st"
[ -x "$ST" ] || { echo "[fuzz] $ST is missing: run scripts/setup.sh" >&2; exit 1; }

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

export QW_FUZZ_PARTNER_KEY="pk_fuzz_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export QW_FUZZ_WEBHOOK_SECRET="whs_fuzz_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export QW_FUZZ_METRICS_TOKEN="mt_fuzz_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf 'fuzz-%s' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$WORK/console-password"

# Rate limits wide open: the fuzz asks for quotes, and mints sessions and checkouts
# from one address, far faster than a person would. (With the default 30 mints a
# minute, the client-token fetch was sometimes refused 429 three times in a row and
# schemathesis reported an authentication error: a red run decided by timing.)
LISTEN_ADDR=127.0.0.1:0 DEMO_MODE=true DATABASE_URL="sqlite://$WORK/fuzz.db" RUST_LOG=warn \
  QUOTE_RATE_PER_MINUTE=6000 MINT_RATE_PER_MINUTE=6000 UPSTREAM_QUOTES_PER_SECOND=10000 \
  PARTNER_API_KEY="$QW_FUZZ_PARTNER_KEY" METRICS_TOKEN="$QW_FUZZ_METRICS_TOKEN" ZEROPOOLS_WEBHOOK_SECRET="$QW_FUZZ_WEBHOOK_SECRET" \
  CONSOLE_USER=fuzz CONSOLE_PASSWORD_FILE="$WORK/console-password" \
  "$SERVER_BIN" run > "$WORK/server.out" 2> "$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 1 300); do
  QW_FUZZ_URL="$(grep -o 'http://[^ ]*' "$WORK/server.out" | head -n1 || true)"
  [ -n "$QW_FUZZ_URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.err" >&2; exit 1; }
  sleep 0.1 # polling the server's own "ready at" line; nothing else to wait on
done
[ -n "$QW_FUZZ_URL" ] || { echo "[fuzz] the server never said it was ready" >&2; exit 1; }
export QW_FUZZ_URL

# A console sign-in, for the operations that also take the console's cookie.
curl -fsS -c "$WORK/cookies" -H 'content-type: application/json' \
  -d "{\"user\":\"fuzz\",\"password\":\"$(cat "$WORK/console-password")\"}" "$QW_FUZZ_URL/console/api/session" >/dev/null
QW_FUZZ_CONSOLE_COOKIE="$(awk '$6 == "qw_console" {print $7}' "$WORK/cookies")"
[ -n "$QW_FUZZ_CONSOLE_COOKIE" ] || { echo "[fuzz] console sign-in gave no cookie" >&2; exit 1; }
export QW_FUZZ_CONSOLE_COOKIE

# A checkout for the evidence lookup to find.
QW_FUZZ_LOOKUP_ID="$(curl -fsS -H "authorization: Bearer $QW_FUZZ_PARTNER_KEY" -H 'content-type: application/json' \
  -d '{"partner_reference":"fuzz-order-1"}' "$QW_FUZZ_URL/api/checkouts" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["checkout"]["checkout_id"])')"
export QW_FUZZ_LOOKUP_ID

cd "$WORK"
SCHEMATHESIS_HOOKS="$HERE/hooks.py" "$ST" --config-file "$HERE/schemathesis.toml" run "$QW_FUZZ_URL/api/openapi.json" \
  "${@:2}" || {
  echo "[fuzz] schemathesis found the findings above (server log: last lines)" >&2
  tail -n 20 "$WORK/server.err" >&2
  exit 1
}
