#!/usr/bin/env bash
# The performance record. Prints figures; asserts nothing.
#   1. the widget's shipped bytes: embed.js + JS glue + .wasm, raw and with the Brotli
#      and gzip copies the build made (release build), and each crate's and each
#      project module's share of the wasm (twiggy);
#   1a. what a browser receives, by Chromium's own count against the product's server:
#      bytes of JS, wasm and locale data on a first and a repeat visit, requests and the
#      longest chain before the Amount field is ready, hashed assets not from cache;
#   1c. Lighthouse (pinned, installed on first use) on the demo checkout and the
#      playground beside a static page;
#   1b. start-up: navigation to an enabled Amount field, demo page vs a static page vs a
#      bare Leptos counter built the same way (median of cold loads, ratios);
#   2. the companion server under a bounded loopback load: latency percentiles per
#      endpoint, requests/s, and 0Pools calls per checkout; then 1,000 widgets
#      previewing at once: 0Pools indicative calls per checkout and per second;
#   3. open loop at fixed rates, side by side: a minimal axum handler, the sandbox alone,
#      the server on SQLite and on Postgres (one and three replicas): p50/p99/max per
#      endpoint, the server's added latency; then the top rate in interleaved rounds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
scripts/build-web.sh

echo "== widget bundle: what a host downloads (dist/, release, wasm-opt -Oz; JS minified)"
printf '%-44s %10s %10s %10s\n' file raw brotli gzip
total_raw=0; total_br=0; total_gz=0
for f in dist/*.wasm dist/*.js; do
  raw=$(stat -c %s "$f"); br=$(stat -c %s "$f.br" 2>/dev/null || echo "$raw"); gz=$(stat -c %s "$f.gz" 2>/dev/null || echo "$raw")
  total_raw=$((total_raw + raw)); total_br=$((total_br + br)); total_gz=$((total_gz + gz))
  printf '%-44s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$br" "$gz"
done
printf '%-44s %10d %10d %10d\n' total "$total_raw" "$total_br" "$total_gz"

# Who the wasm's bytes belong to: the same build, optimised the same way but keeping
# its name section, read by twiggy (installed on first use).
command -v twiggy >/dev/null || cargo install --locked --version 0.8.0 twiggy
mkdir -p bench/out/wasm
wasm-bindgen --target web --out-dir bench/out/wasm target/wasm32-unknown-unknown/release/quote-widget.wasm
wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int \
  bench/out/wasm/quote-widget_bg.wasm -o bench/out/wasm/named.wasm
echo
echo "== the widget's wasm by crate and by project module (code + data, before gzip)"
twiggy top -n 1000000 --format csv bench/out/wasm/named.wasm > bench/out/wasm/top.csv
python3 scripts/lib/wasm_shares.py < bench/out/wasm/top.csv

# Start-up: the demo page against a static page and a bare Leptos counter built the
# same way (bench/counter/), side by side in one run.
echo
trunk build --release --offline --config bench/counter/Trunk.toml >/dev/null
counter_gz=0
for f in bench/out/counter/*.wasm bench/out/counter/*.js; do counter_gz=$((counter_gz + $(gzip -9 -c "$f" | wc -c))); done
echo "the bare Leptos counter ships $counter_gz B gzip -9 (wasm + JS glue), built the same way"
cargo build --release --locked -q -p quote-server
QW_SERVER_BIN=target/release/quote-server node scripts/lib/startup.mjs
echo
QW_SERVER_BIN=target/release/quote-server node scripts/lib/wire.mjs
echo
if [ ! -x .tools/lighthouse/node_modules/.bin/lighthouse ]; then
  echo "[bench] installing lighthouse 12.2.3 into .tools/lighthouse (once)" >&2
  npm install --prefix .tools/lighthouse --no-audit --no-fund --loglevel=error lighthouse@12.2.3
fi
QW_SERVER_BIN=target/release/quote-server node scripts/lib/lighthouse.mjs

echo
cargo run --release --locked -q -p quote-server --example load -- "${BENCH_USERS:-200}" "${BENCH_CONCURRENCY:-16}" "${BENCH_WIDGETS:-1000}"

# Open loop at fixed rates: a minimal axum handler, the sandbox alone and the server
# in front of it, side by side (`BENCH_RATES` checkouts/s, `BENCH_SECONDS` each); then
# the top rate again in `BENCH_ROUNDS` rounds, the targets interleaved.
echo
cargo run --release --locked -q -p quote-server --example open_loop -- "${BENCH_RATES:-25,50,100,200}" "${BENCH_SECONDS:-4}" all "${BENCH_ROUNDS:-5}"
