#!/usr/bin/env bash
# The performance record. Prints figures; asserts nothing.
#   1. the widget's shipped bytes: .wasm and .js, raw and gzip -9 (release build);
#   2. the companion server under a bounded loopback load: latency percentiles per
#      endpoint, requests/s, and 0Pools calls per checkout; then 1,000 widgets
#      previewing at once: 0Pools indicative calls per checkout and per second.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
trunk build --release --offline >/dev/null

echo "== widget bundle (dist/, release, wasm-opt -Oz)"
printf '%-44s %12s %12s\n' file raw gzip-9
total_raw=0; total_gz=0
for f in dist/*.wasm dist/*.js; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-44s %12d %12d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-44s %12d %12d\n' total "$total_raw" "$total_gz"

echo
cargo run --release --locked -q -p quote-server --example load -- "${BENCH_USERS:-200}" "${BENCH_CONCURRENCY:-16}" "${BENCH_WIDGETS:-1000}"
