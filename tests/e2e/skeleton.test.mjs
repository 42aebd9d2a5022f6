// The walking skeleton: the page served by the server loads the wasm widget, the
// widget asks the server for pools, the server gets them from the sandbox over HTTP
// with the secret key, and the widget renders them. A blank page fails here.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launchBrowser } from './harness.mjs';

const SECRET_KEY = 'sk_test_e2eSkeletonSecret0001';
const WEBHOOK_SECRET = 'whsec_e2eSkeletonSecret0001';
let server;
let browser;

before(async () => {
  server = await startServer({ ZEROPOOLS_SECRET_KEY: SECRET_KEY, ZEROPOOLS_WEBHOOK_SECRET: WEBHOOK_SECRET });
  browser = await launchBrowser();
});

afterEach(async () => { await browser?.closePages(); });
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the widget starts and renders the pools discovered from the sandbox', async () => {
  const page = await browser.newPage();
  const apiCalls = [];
  page.on('response', (r) => { if (r.url().includes('/api/')) apiCalls.push(`${r.status()} ${new URL(r.url()).pathname}`); });
  await page.goto(server.url);
  const select = page.getByTestId('pool-select');
  await select.waitFor({ timeout: 20_000 });
  const ids = await select.locator('option').evaluateAll((els) => els.map((e) => e.value));
  // Exactly the entitled pools of the sandbox's default set, in discovery order.
  assert.deepEqual(ids, ['EUR-USDT', 'USD-USDC']);
  assert.deepEqual(await select.locator('option').allTextContents(), ['EUR → USDT', 'USD → USDC']);
  assert.ok(apiCalls.includes('200 /api/pools'), `pools fetched from the server: ${apiCalls}`);
  assert.deepEqual(page.problems, []);
});

test('the stylesheet in the wasm is style/widget.css minified: Chromium reads both as the same rules', async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.getByTestId('pool-select').waitFor({ timeout: 20_000 });
  const source = readFileSync(new URL('../../style/widget.css', import.meta.url), 'utf8');
  const { shipped, ours, theirs } = await page.evaluate((source) => {
    const host = [...document.querySelectorAll('*')].find((e) => e.shadowRoot?.querySelector('style'));
    const shipped = host.shadowRoot.querySelector('style').textContent;
    // A custom property keeps its value's text as written, spaces after commas too;
    // every other declaration Chromium prints in its own normal form.
    const rules = (text) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      return [...sheet.cssRules].map((r) => r.cssText.replace(/,\s+/g, ','));
    };
    return { shipped: shipped.length, ours: rules(shipped), theirs: rules(source) };
  }, source);
  assert.ok(theirs.length > 40, `the source has its rules (${theirs.length})`);
  assert.deepEqual(ours, theirs);
  assert.ok(shipped < source.length * 0.85, `minified: ${shipped} of ${source.length} characters`);
});

test('no secret reaches the page, the wasm, an API answer or a log line', async () => {
  const page = await browser.newPage();
  const bodies = [];
  page.on('response', async (r) => { try { bodies.push(await r.text()); } catch { /* redirects have no body */ } });
  await page.goto(server.url);
  await page.getByTestId('pool-select').waitFor({ timeout: 20_000 });
  await page.waitForLoadState('networkidle');
  assert.ok(bodies.length >= 4, `page, js, wasm and API were all loaded (${bodies.length})`);
  for (const secret of [SECRET_KEY, WEBHOOK_SECRET]) {
    for (const body of bodies) assert.ok(!body.includes(secret), 'a response carried a secret');
    assert.ok(!server.logs().includes(secret), 'the server logged a secret');
  }
});

test('sandbox faults can be set from configuration', async () => {
  // Every discovery answered 503 (retries included): the widget shows its error state.
  const faulty = await startServer({ SANDBOX_FAULTS: '{"error_rate": 1.0}' });
  try {
    const page = await browser.newPage();
    await page.goto(faulty.url);
    await page.getByTestId('pools-error').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('pools-error').textContent(), /could not load the available conversions/);
  } finally {
    await faulty.stop();
  }
});

test('failed discovery: one error event for the host, and Retry brings the form', async () => {
  // The server's own answers are refused in the browser until the user retries: the
  // widget must show its error state, tell the host once, and recover in place.
  const page = await browser.newPage();
  let failing = true;
  await page.route('**/api/pools', (route) => (failing
    ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"upstream_unavailable","message":"down"}}' })
    : route.continue()));
  await page.addInitScript(() => {
    window.__errors = [];
    document.addEventListener('quote-widget:error', (e) => window.__errors.push(e.detail));
  });
  await page.goto(server.url);
  await page.getByTestId('pools-error').waitFor({ timeout: 20_000 });
  const errors = await page.evaluate(() => window.__errors);
  assert.deepEqual(errors.map((e) => e.code), ['pools_unavailable']);
  assert.match(errors[0].message, /could not be loaded/);
  failing = false;
  await page.getByTestId('pools-error').getByRole('button').click();
  await page.getByTestId('pool-select').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByTestId('pools-error').count(), 0);
  assert.equal((await page.evaluate(() => window.__errors)).length, 1, 'a recovery is not another error');
});

test('a locale file that is not an object of strings: English, and the console says why', async () => {
  const page = await browser.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.route(/\/$/, async (route) => {
    const r = await route.fetch();
    return route.fulfill({ response: r, body: (await r.text()).replace(/locale="?en"?/, 'locale="fr"') });
  });
  // The French file answers with a number where a text belongs.
  await page.route(/\/locales\/fr-[0-9a-f]+\.json$/, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"accept": 1}' }));
  await page.goto(server.url);
  await page.locator('label', { hasText: 'You pay (EUR)' }).waitFor({ timeout: 20_000 });
  assert.ok(warnings.some((w) => /the fr copy could not be loaded \(not an object of strings\); showing English/.test(w)), `warned: ${warnings}`);
  assert.deepEqual(page.problems, []);
});

test('a malformed SANDBOX_FAULTS stops start-up with a clear message', async () => {
  await assert.rejects(startServer({ SANDBOX_FAULTS: '{"error_rat": 1}' }), /SANDBOX_FAULTS: is not a valid fault set/);
});
