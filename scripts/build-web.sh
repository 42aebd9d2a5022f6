#!/usr/bin/env bash
# Builds what browsers load, release mode, with the pinned tools (run after
# scripts/setup.sh has put them on PATH):
#   dist/          the widget a host downloads (embed.js, JS glue, .wasm) and the demo pages;
#   dist/gallery/  the designer gallery, its own build (after the widget's: that one replaces dist/);
#   dist-console/  the partner console, its own build;
# then finishes them as a CDN would serve them (scripts/lib/finish-web.mjs): hashed
# locale files, embed.js told every hashed name, Brotli and gzip copies of each asset.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
trunk build --release --offline >/dev/null
trunk build --release --offline --config gallery/Trunk.toml >/dev/null
trunk build --release --offline --config console/Trunk.toml >/dev/null
node scripts/lib/finish-web.mjs dist dist-console
