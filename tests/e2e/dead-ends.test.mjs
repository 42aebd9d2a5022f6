// No dead ends on a partner's bound checkout: the widget never offers a pool the
// checkout forbids, an unavailable pool is a product state with its copy and a
// backed-off retry (never "something went wrong"), the pools are read again when
// stale, and a checkout with no pool it can quote in says so. Each against the real
// server (outside demo mode: the partner's backend mints every checkout) and its
// sandbox; one that needs discovery to change mid-test answers /api/pools itself.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { startServer, launchBrowser, axeViolations } from './harness.mjs';

const SHOTS = new URL('./screenshots/dead-ends/', import.meta.url).pathname;
const PARTNER_KEY = 'pk_e2e_dead_ends_0123456789';
const DEST = 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE';
let host;
let hostUrl;
let servers = {};
let browser;

before(async () => {
  // The partner's page, on its own origin: mounts the widget with the token its
  // backend minted (the test, here) for a checkout bound to an order.
  host = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const api = url.searchParams.get('api');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
      <title>Partner checkout</title><link rel="icon" href="data:,">
      <script type="module">
        import { QuoteWidget } from '${api}/embed.js';
        window.handle = QuoteWidget.mount(document.getElementById('slot'), {
          locale: 'en', getSessionToken: async () => ${JSON.stringify(url.searchParams.get('token'))},
        });
      </script></head><body><main><h1>Pay your order</h1><div id="slot"></div></main></body></html>`);
  });
  await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${host.address().port}`;
  const common = { DEMO_MODE: 'false', EMBEDDED_SANDBOX: 'true', PARTNER_API_KEY: PARTNER_KEY, CORS_ALLOWED_ORIGINS: hostUrl };
  servers.plain = await startServer(common);
  // EUR-USDT switched off at 0Pools: discovery says `available: false`.
  servers.off = await startServer({ ...common, SANDBOX_FAULTS: JSON.stringify({ pool_unavailable: { 'EUR-USDT': 'maintenance' } }) });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterEach(async () => { await browser?.closePages(); });
after(async () => {
  await browser?.close();
  for (const server of Object.values(servers)) await server.stop();
  host?.close();
});

/** The partner's backend: a checkout bound to EUR-USDT (and these bindings); its token. */
async function boundCheckout(server, bindings) {
  const r = await fetch(`${server.url}/api/checkouts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PARTNER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pool_id: 'EUR-USDT', side: 'buy', currency: 'EUR', network: 'tron', destination_address: DEST, ...bindings }),
  });
  const created = await r.json();
  assert.equal(r.status, 201, JSON.stringify(created));
  return created.client_token;
}

/** The partner page with the widget on `server`, counting the widget's pool reads. */
async function open(server, token, { clock } = {}) {
  const page = await browser.newPage();
  if (clock) await page.clock.install();
  page.poolReads = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/pools') page.poolReads += 1; });
  await page.goto(`${hostUrl}/?api=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}`);
  return page;
}

test('pool_dry on a checkout bound to its pool offers no other pool: the unavailable copy and a retry later', async () => {
  // 13.01 EUR is the sandbox's magic amount for `pool_dry`; USD-USDC stays available.
  const page = await open(servers.plain, await boundCheckout(servers.plain, { amount: '13.01' }));
  await page.getByTestId('get-firm-quote').click();
  const panel = page.getByTestId('unavailable');
  await panel.waitFor();
  assert.equal(await panel.getAttribute('data-reason'), 'pool_dry');
  assert.match(await panel.textContent(), /This conversion is temporarily unavailable\. Try again shortly\./);
  assert.equal(await page.getByTestId('alternate').count(), 0, 'no pool the checkout forbids is offered');
  const retry = page.getByTestId('retry');
  assert.ok(await retry.isDisabled(), 'the retry waits');
  assert.match(await retry.textContent(), /Try again in \d+ s/);
  // Back on the form, the pool is still the checkout's.
  await page.getByRole('button', { name: 'Change details' }).click();
  assert.equal(await page.getByTestId('pool-select').inputValue(), 'EUR-USDT');
  assert.deepEqual(page.problems, []);
});

test('an unavailable pool is a product state with the unavailable copy and a longer backoff, and the pools are read again', async () => {
  const page = await open(servers.off, await boundCheckout(servers.off, { amount: '100.00' }));
  await page.getByTestId('get-firm-quote').waitFor();
  const readsBefore = page.poolReads;
  const reread = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/pools');
  await page.getByTestId('get-firm-quote').click();
  const panel = page.getByTestId('unavailable');
  await panel.waitFor();
  assert.equal(await panel.getAttribute('data-reason'), 'pool_unavailable');
  assert.match(await panel.textContent(), /This conversion is not available right now\. Try again later\./);
  assert.equal(await page.getByTestId('problem').count(), 0, 'not an error');
  assert.equal(await page.getByTestId('alternate').count(), 0);
  const wait = Number((await page.getByTestId('retry').textContent()).match(/\d+/)[0]);
  assert.ok(wait >= 20, `the first retry waits about 30 s (${wait} s)`);
  await reread;
  assert.ok(page.poolReads > readsBefore, 'the pools were read again after the unavailable answer');
  assert.deepEqual(await axeViolations(page), []);
  await page.locator('#slot').screenshot({ path: `${SHOTS}pool-unavailable.png` });
});

test('the pools are read again when the tab regains focus after 30 s, not before', async () => {
  const page = await open(servers.plain, await boundCheckout(servers.plain, { amount: '100.00' }), { clock: true });
  await page.getByTestId('get-firm-quote').waitFor();
  const first = page.poolReads;
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.clock.runFor(1_000);
  assert.equal(page.poolReads, first, 'fresh pools are not read again');
  await page.clock.fastForward(31_000);
  const read = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/pools');
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await read;
  assert.equal(page.poolReads, first + 1);
});

test('a checkout whose pool is no longer offered says so, instead of an empty form or another pool', async () => {
  const token = await boundCheckout(servers.plain, { amount: '100.00' });
  for (const offered of [[], ['USD-USDC']]) {
    const page = await browser.newPage();
    // The partner's entitlement to EUR-USDT was withdrawn after the checkout was minted.
    await page.route('**/api/pools', async (route) => {
      const answer = await (await route.fetch()).json();
      answer.pools = answer.pools.filter((p) => offered.includes(p.pool_id));
      await route.fulfill({ json: answer });
    });
    await page.goto(`${hostUrl}/?api=${encodeURIComponent(servers.plain.url)}&token=${encodeURIComponent(token)}`);
    const notice = page.getByTestId('no-pools');
    await notice.waitFor();
    assert.match(await notice.textContent(), /No conversions are available for this checkout right now\./);
    assert.equal(await page.getByTestId('get-firm-quote').count(), 0, 'no button that does nothing');
    assert.deepEqual(await axeViolations(page), []);
    if (offered.length === 0) await page.locator('#slot').screenshot({ path: `${SHOTS}no-pools.png` });
    await page.close();
  }
});
