// Lighthouse (pinned: .tools/lighthouse, installed by scripts/bench.sh on first use)
// with its mobile preset and simulated throttling, in Debian's Chromium, on the demo
// checkout and the sandbox playground beside a static page, all served locally.
// Prints performance and accessibility scores, LCP, TBT and CLS. Asserts nothing.
import { createServer } from 'node:http';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer } from '../../tests/e2e/harness.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const LIGHTHOUSE = join(ROOT, '.tools/lighthouse/node_modules/.bin/lighthouse');
if (!existsSync(LIGHTHOUSE)) throw new Error('lighthouse is not installed: run scripts/bench.sh');

const staticPage = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(join(ROOT, 'bench/startup/static.html')));
});
await new Promise((resolve) => staticPage.listen(0, '127.0.0.1', resolve));
const companion = await startServer({ RUST_LOG: 'warn' });
const pages = {
  static: `http://127.0.0.1:${staticPage.address().port}/`,
  'demo checkout': `${companion.url}/`,
  playground: `${companion.url}/playground.html`,
};
const out = mkdtempSync(join(tmpdir(), 'qw-lighthouse-'));
const rows = [];
try {
  for (const [name, url] of Object.entries(pages)) {
    const report = join(out, 'report.json');
    // Asynchronously: the static page is served from this very process.
    await promisify(execFile)(LIGHTHOUSE, [url, '--quiet', '--only-categories=performance,accessibility', '--output=json', `--output-path=${report}`,
      '--chrome-flags=--headless=new --no-sandbox --disable-gpu'], { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium' }, maxBuffer: 64 << 20 });
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const audit = (id) => r.audits[id].numericValue;
    rows.push([name, Math.round(r.categories.performance.score * 100), Math.round(r.categories.accessibility.score * 100),
      audit('largest-contentful-paint'), audit('total-blocking-time'), audit('cumulative-layout-shift'), r.lighthouseVersion]);
  }
} finally {
  staticPage.close();
  await companion.stop();
  rmSync(out, { recursive: true, force: true });
}
console.log(`== Lighthouse ${rows[0]?.[6]} (mobile preset, simulated throttling, Debian's Chromium)`);
console.log(`${'page'.padEnd(16)}${'perf'.padStart(6)}${'a11y'.padStart(6)}${'LCP ms'.padStart(9)}${'TBT ms'.padStart(9)}${'CLS'.padStart(8)}`);
for (const [name, perf, a11y, lcp, tbt, cls] of rows) {
  console.log(`${name.padEnd(16)}${String(perf).padStart(6)}${String(a11y).padStart(6)}${lcp.toFixed(0).padStart(9)}${tbt.toFixed(0).padStart(9)}${cls.toFixed(3).padStart(8)}`);
}
