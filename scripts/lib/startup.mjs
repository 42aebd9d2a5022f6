// Start-up figures for the bench: time from navigation to an enabled Amount field, in
// headless Chromium, for three pages loaded side by side in the same run (interleaved,
// each load in a fresh browser context, so nothing is cached between loads):
//   static  — a static HTML page with the field (the floor),
//   counter — a bare Leptos counter built exactly like the widget (bench/counter/),
//   demo    — the demo checkout page with the widget, served by the companion server.
// Prints median, min and max per page and the ratios of the medians; then, for the two
// wasm pages, the wasm code each ran before its field was ready (scripts/lib/wasm-work.mjs),
// a figure this machine's load does not move. Asserts nothing.
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../tests/e2e/harness.mjs';
import { AMOUNT_READY_PROBE, amountReadyAt } from './amount-ready.mjs';
import { wasmWorkBeforeReady } from './wasm-work.mjs';

const LOADS = Number(process.env.STARTUP_LOADS ?? 11);
const ROOT = new URL('../..', import.meta.url).pathname;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Serves the static page and the counter's Trunk output on a free loopback port. */
function startStatic() {
  const routes = [['/counter/', join(ROOT, 'bench/out/counter')], ['/', join(ROOT, 'bench/startup')]];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    for (const [prefix, dir] of routes) {
      if (!path.startsWith(prefix)) continue;
      const rel = normalize(path.slice(prefix.length) || 'index.html');
      const file = join(dir, rel.endsWith('/') ? `${rel}index.html` : rel);
      if (!file.startsWith(dir) || !existsSync(file)) break;
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}


// The counter is built by bench.sh; run alone, this builds it the same way first.
if (!existsSync(join(ROOT, 'bench/out/counter/index.html'))) {
  console.error('[startup] building the bare Leptos counter (bench/counter/)');
  const built = spawnSync('trunk', ['build', '--release', '--offline', '--config', 'bench/counter/Trunk.toml'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) throw new Error('the counter did not build (scripts/setup.sh puts trunk on PATH)');
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const companion = await startServer({ RUST_LOG: 'warn' });
const statics = await startStatic();
const base = `http://127.0.0.1:${statics.address().port}`;
const pages = { static: `${base}/static.html`, counter: `${base}/counter/`, demo: `${companion.url}/` };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const times = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
const work = {};
const WORK_LOADS = 3;
try {
  // One warm-up round (Chromium's own first-start costs), then the measured rounds.
  for (let round = -1; round < LOADS; round++) {
    for (const [name, url] of Object.entries(pages)) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.addInitScript(AMOUNT_READY_PROBE);
      const { at: t } = await amountReadyAt(page, url, 30_000);
      if (round >= 0) times[name].push(t);
      await context.close();
    }
  }
  // The same start-ups by the work they ran, which this machine's load does not change:
  // the wasm functions V8 compiled (on first call) before the field was ready.
  const wasmOf = (dir) => join(dir, readdirSync(dir).find((f) => f.endsWith('_bg.wasm')));
  const wasms = { counter: wasmOf(join(ROOT, 'bench/out/counter')), demo: wasmOf(join(ROOT, process.env.QW_WIDGET_DIR ?? 'dist')) };
  for (const [name, path] of Object.entries(wasms)) {
    const runs = [];
    for (let i = 0; i < WORK_LOADS; i++) runs.push(await wasmWorkBeforeReady(browser, pages[name], path));
    work[name] = { ...runs[0], functions: median(runs.map((r) => r.functions)), bytes: median(runs.map((r) => r.bytes)) };
  }
} finally {
  await browser.close();
  statics.close();
  await companion.stop();
}

console.log(`== start-up: navigation → enabled Amount field, headless Chromium, ${LOADS} cold loads each (ms)`);
console.log(`${'page'.padEnd(10)}${'median'.padStart(10)}${'min'.padStart(10)}${'max'.padStart(10)}`);
const med = {};
for (const [name, xs] of Object.entries(times)) {
  med[name] = median(xs);
  console.log(`${name.padEnd(10)}${med[name].toFixed(1).padStart(10)}${Math.min(...xs).toFixed(1).padStart(10)}${Math.max(...xs).toFixed(1).padStart(10)}`);
}
console.log(`ratios of medians: demo/static ${(med.demo / med.static).toFixed(2)}×, demo/counter ${(med.demo / med.counter).toFixed(2)}×, counter/static ${(med.counter / med.static).toFixed(2)}×`);
console.log(`== wasm run before the Amount field is ready: functions V8 compiled on first call (median of ${WORK_LOADS} traced loads)`);
for (const [name, w] of Object.entries(work)) {
  console.log(`${name.padEnd(10)}${String(w.functions).padStart(6)} of ${w.totalFunctions} functions, ${(w.bytes / 1000).toFixed(1)} of ${(w.totalBytes / 1000).toFixed(1)} KB of code`);
}
