// What a browser receives, counted by Chromium itself (DevTools protocol: bytes on
// the wire per response, cache hits, who asked for what), against the product's own
// server, for two pages:
//   demo    — the demo checkout (Trunk's loader: page, then glue and wasm together);
//   partner — a partner's page on another origin that loads embed.js (the one line
//             hosts write) and mounts the widget, in French (its locale file too).
// For each: a first visit (empty cache) and a repeat visit (same browser, cache warm):
// the bytes of JS, wasm and locale data transferred, the requests and the longest
// chain of requests (round trips one after another) before the Amount field is
// ready, and on the repeat visit, how many hashed assets went to the network at all.
// Prints figures; asserts nothing.
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { startServer } from '../../tests/e2e/harness.mjs';
import { AMOUNT_READY_PROBE } from './amount-ready.mjs';

const HASHED = /-[0-9a-f]{12,16}(_bg)?\.(js|wasm|json|css)$|\/snippets\/[^/]+-[0-9a-f]{12,16}\//;
const kind = (url, type) => {
  const path = new URL(url).pathname;
  if (path.endsWith('.wasm')) return 'wasm';
  if (path.endsWith('.js') || type === 'Script') return 'js';
  if (path.includes('/locales/')) return 'locale';
  if (path.startsWith('/api/') || path.startsWith('/demo/')) return 'api';
  return 'other';
};

/** One visit: every request with its bytes on the wire, cache use and chain depth. */
async function visit(context, url) {
  const page = await context.newPage();
  await page.addInitScript(AMOUNT_READY_PROBE);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    // Who asked: the document's parser, or a script (its URL is on the stack).
    const stack = e.initiator?.stack?.callFrames ?? [];
    const parent = e.initiator?.url ?? stack.find((f) => f.url)?.url ?? (e.type === 'Document' ? null : e.documentURL);
    requests.set(e.requestId, { url: e.request.url, type: e.type, parent, start: e.wallTime * 1000, bytes: 0, cached: false });
  });
  cdp.on('Network.requestServedFromCache', (e) => { const r = requests.get(e.requestId); if (r) r.cached = true; });
  cdp.on('Network.responseReceived', (e) => {
    const r = requests.get(e.requestId);
    if (r && (e.response.fromDiskCache || e.response.fromPrefetchCache || e.response.fromServiceWorker)) r.cached = true;
  });
  cdp.on('Network.loadingFinished', (e) => { const r = requests.get(e.requestId); if (r) r.bytes = e.encodedDataLength; });
  await page.goto(url);
  await page.waitForFunction(() => window.__amountReadyEpoch !== undefined, null, { timeout: 60_000 });
  const ready = await page.evaluate(() => window.__amountReadyEpoch);
  await page.waitForTimeout(300); // let the counters of finished loads arrive
  await page.close();
  const all = [...requests.values()].filter((r) => !r.url.startsWith('data:'));
  const before = all.filter((r) => r.start <= ready);
  const byUrl = new Map(all.map((r) => [r.url, r]));
  const depth = (r, seen = new Set()) => {
    if (!r.parent || seen.has(r.url)) return 1;
    seen.add(r.url);
    const parent = byUrl.get(r.parent);
    return parent ? 1 + depth(parent, seen) : 1;
  };
  const bytes = (k) => all.filter((r) => kind(r.url, r.type) === k && !r.cached).reduce((n, r) => n + r.bytes, 0);
  return {
    js: bytes('js'),
    wasm: bytes('wasm'),
    locale: bytes('locale'),
    requests: before.length,
    chain: Math.max(...before.filter((r) => kind(r.url, r.type) !== 'api').map((r) => depth(r))),
    hashedFromNetwork: all.filter((r) => HASHED.test(new URL(r.url).pathname) && !r.cached).length,
  };
}

// A partner's page on its own origin, loading embed.js from the companion server
// (which allows that origin: CORS_ALLOWED_ORIGINS).
let companion;
const partner = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="fr"><head><meta charset="utf-8">
    <title>Partner checkout</title><link rel="icon" href="data:,">
    <script type="module">
      import { QuoteWidget } from '${companion.url}/embed.js';
      QuoteWidget.mount(document.getElementById('slot'), { locale: 'fr' });
    </script></head><body><main><h1>Payer votre commande</h1><div id="slot"></div><p>Après le widget.</p></main></body></html>`);
});
await new Promise((resolve) => partner.listen(0, '127.0.0.1', resolve));
companion = await startServer({ RUST_LOG: 'warn', CORS_ALLOWED_ORIGINS: `http://127.0.0.1:${partner.address().port}` });
const pages = { demo: `${companion.url}/`, partner: `http://127.0.0.1:${partner.address().port}/` };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const rows = [];
try {
  for (const [name, url] of Object.entries(pages)) {
    const context = await browser.newContext();
    rows.push([`${name}, first visit`, await visit(context, url)]);
    rows.push([`${name}, repeat visit`, await visit(context, url)]);
    await context.close();
  }
} finally {
  await browser.close();
  partner.close();
  await companion.stop();
}
const kb = (n) => (n / 1000).toFixed(1);
console.log('== what a browser receives: bytes on the wire (headers included) by Chromium\'s own count, KB');
console.log(`${'visit'.padEnd(24)}${'js'.padStart(8)}${'wasm'.padStart(8)}${'locale'.padStart(8)}${'total'.padStart(8)}${'requests'.padStart(10)}${'chain'.padStart(7)}${'hashed from net'.padStart(17)}`);
for (const [label, r] of rows) {
  console.log(`${label.padEnd(24)}${kb(r.js).padStart(8)}${kb(r.wasm).padStart(8)}${kb(r.locale).padStart(8)}${kb(r.js + r.wasm + r.locale).padStart(8)}${String(r.requests).padStart(10)}${String(r.chain).padStart(7)}${String(r.hashedFromNetwork).padStart(17)}`);
}
console.log('(requests and chain: before the Amount field is ready; chain counts requests that waited on another, the page first;');
console.log(' "hashed from net": requests for content-hashed assets that were not answered from the cache.)');
