// Embedding, as a product team does it: a partner page on another origin loads
// embed.js with one script tag, then uses <quote-widget> or QuoteWidget.mount().
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { startServer, launchBrowser, axeViolations } from './harness.mjs';

const SHOTS = new URL('./screenshots/embed/', import.meta.url).pathname;
const EVENTS = ['preview', 'quote', 'unavailable', 'expired', 'accepted', 'status', 'terminal', 'error'];
let widget;
let host;
let hostUrl;
let browser;

const pages = {
  '/two.html': (w) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Two widgets</title>
    <link rel="icon" href="data:,">
    <style>#w1 { --qw-accent: rgb(180, 60, 0); --qw-radius: 2px; } body { font-family: serif; }</style>
    <script type="module" src="${w}/embed.js"></script></head>
    <body><main><h1>Partner page</h1>
    <quote-widget id="w1" pool="EUR-USDT" partner-reference="order-1" destination="TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"></quote-widget>
    <quote-widget id="w2" pool="USD-USDC" locale="de" theme="dark"></quote-widget>
    </main>
    <script>
      window.events = [];
      for (const n of ${JSON.stringify(EVENTS)}) {
        document.addEventListener('quote-widget:' + n, (e) => window.events.push({ name: n, target: e.target.id, detail: e.detail }));
      }
    </script></body></html>`,
  '/hostile.html': (w) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hostile host</title>
    <link rel="icon" href="data:,">
    <style>
      * { all: unset; }
      div, p, span { color: red; font-size: 40px; font-family: cursive; }
      button { display: none; }
      input, select { border: 0; background: black; }
      h2, h3 { font-size: 64px; }
    </style>
    <script type="module" src="${w}/embed.js"></script></head>
    <body><main><h1>Hostile page</h1><quote-widget id="h1w"></quote-widget></main></body></html>`,
  '/mount.html': (w) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mount API</title>
    <link rel="icon" href="data:,">
    <script>
      // Count live timers, to prove destroy() leaves none behind.
      window.liveIntervals = new Set();
      const si = window.setInterval.bind(window), ci = window.clearInterval.bind(window);
      window.setInterval = (...a) => { const id = si(...a); window.liveIntervals.add(id); return id; };
      window.clearInterval = (id) => { window.liveIntervals.delete(id); return ci(id); };
      // Timeouts still to fire (a debounce, an expiry timer, a backoff).
      window.liveTimeouts = new Set();
      const st = window.setTimeout.bind(window), ct = window.clearTimeout.bind(window);
      window.setTimeout = (f, ms, ...a) => {
        const id = st((...x) => { window.liveTimeouts.delete(id); return typeof f === 'function' ? f(...x) : undefined; }, ms, ...a);
        window.liveTimeouts.add(id);
        return id;
      };
      window.clearTimeout = (id) => { window.liveTimeouts.delete(id); return ct(id); };
    </script>
    <script type="module">
      import { QuoteWidget } from '${w}/embed.js';
      window.tokenCalls = 0;
      // The partner's backend mints sessions (here: the companion server's endpoint, standing in).
      const getSessionToken = async () => {
        window.tokenCalls += 1;
        const r = await fetch('${w}/api/sessions', { method: 'POST' });
        return (await r.json()).session_token;
      };
      window.getSessionToken = getSessionToken;
      window.handle = QuoteWidget.mount(document.getElementById('slot'), {
        pool: 'EUR-USDT', amount: '100.00', locale: 'en', getSessionToken, id: 'mounted',
      });
      window.mounted = true;
    </script></head>
    <body><main><h1>Mount API</h1><div id="slot"></div></main></body></html>`,
};

before(async () => {
  host = createServer((req, res) => {
    const page = pages[new URL(req.url, 'http://x').pathname];
    if (!page) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(widget.url));
  });
  await new Promise((r) => host.listen(0, '127.0.0.1', r));
  hostUrl = `http://127.0.0.1:${host.address().port}`;
  widget = await startServer({ CORS_ALLOWED_ORIGINS: hostUrl, SANDBOX_QUOTE_WINDOW_MS: '3000', SANDBOX_SETTLE_DELAY_MS: '1000' });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterEach(async () => { await browser?.closePages(); });
after(async () => { await browser?.close(); await widget?.stop(); host?.close(); });

const events = (page, name, target) => page.evaluate(([n, t]) => window.events.filter((e) => e.name === n && (!t || e.target === t)), [name, target]);
const waitEvent = (page, name, target, count = 1) => page.waitForFunction(([n, t, c]) =>
  window.events.filter((e) => e.name === n && e.target === t).length >= c, [name, target, count], { timeout: 15_000 });

test('two widgets on one page, each with its own state, events, theme and locale', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1100, height: 1500 });
  await page.goto(`${hostUrl}/two.html`);
  const w1 = page.locator('#w1');
  const w2 = page.locator('#w2');
  await w1.getByTestId('amount').waitFor();
  await w2.getByTestId('amount').waitFor();

  // Independent state.
  await w1.getByTestId('amount').fill('100');
  await waitEvent(page, 'preview', 'w1');
  assert.equal(await w2.getByTestId('amount').inputValue(), '');
  assert.equal(await w2.getByTestId('preview-amount').count(), 0);
  const preview = (await events(page, 'preview', 'w1'))[0].detail;
  assert.equal(preview.pool_id, 'EUR-USDT');
  assert.equal(preview.amount, '100');
  assert.match(preview.terms.target_amount, /^\d+\.\d\d$/, 'money stays a decimal string');
  assert.equal(preview.terms.executable, false);

  // German, with German separators (digits untouched) and German copy.
  assert.equal(await w2.locator('label', { hasText: 'Sie zahlen' }).textContent(), 'Sie zahlen (USD)');
  await w2.getByTestId('amount').fill('1234.5');
  await w2.getByTestId('preview-amount').waitFor();
  assert.match(await w2.getByTestId('preview-amount').textContent(), /^1\.2\d\d,\d\d\u00a0USDC$/);
  assert.match(await w2.getByTestId('preview').textContent(), /Nur eine Schätzung/);

  // The host's theme reaches inside; dark is forced on w2 only.
  const bg = (loc) => loc.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(await bg(w1.getByTestId('get-firm-quote')), 'rgb(180, 60, 0)');
  assert.equal(await w1.getByTestId('get-firm-quote').evaluate((el) => getComputedStyle(el).borderTopLeftRadius), '1px');
  assert.equal(await bg(w2.locator('.qw')), 'rgb(21, 23, 28)');
  assert.equal(await bg(w2.getByTestId('get-firm-quote')), 'rgb(142, 165, 255)');
  await page.screenshot({ path: `${SHOTS}two-widgets-themed.png`, fullPage: true });

  // The full flow on w1, through the host's eyes.
  await w1.getByTestId('get-firm-quote').click();
  await waitEvent(page, 'quote', 'w1');
  const quote = (await events(page, 'quote', 'w1'))[0].detail;
  assert.match(quote.quote_id, /^pq_test_/);
  assert.ok(Date.parse(quote.expires_at) > 0);
  for (const k of ['rate', 'spread_bps', 'fee_bps', 'source_amount', 'target_amount', 'network', 'destination_address']) {
    assert.ok(k in quote.terms, `quote event carries ${k}`);
  }
  await waitEvent(page, 'expired', 'w1');
  assert.equal((await events(page, 'expired', 'w1'))[0].detail.quote_id, quote.quote_id);
  await w1.getByTestId('refresh').click();
  await waitEvent(page, 'quote', 'w1', 2);
  const fresh = (await events(page, 'quote', 'w1'))[1].detail;
  await w1.getByTestId('accept').click();
  await waitEvent(page, 'terminal', 'w1');
  const accepted = (await events(page, 'accepted', 'w1'))[0].detail;
  assert.equal(accepted.quote_id, fresh.quote_id);
  assert.match(accepted.trade_id, /^pt_test_/);
  const statuses = (await events(page, 'status', 'w1')).map((e) => e.detail.status);
  assert.deepEqual(statuses, ['reserved', 'settled']);
  assert.deepEqual((await events(page, 'terminal', 'w1'))[0].detail, { trade_id: accepted.trade_id, quote_id: fresh.quote_id, status: 'settled' });

  // Errors reach the host with a code and a message. A new conversion starts a new demo
  // checkout: nothing is asked of the converted one (it used to answer 409 checkout_converted).
  const refusedAfterNew = [];
  page.on('response', (r) => { if (new URL(r.url()).pathname.startsWith('/api/') && r.status() === 409) refusedAfterNew.push(r.url()); });
  await w1.getByTestId('new-conversion').click();
  // The form comes back with its amount, and its estimate is asked of a new checkout.
  await w1.getByTestId('preview-amount').waitFor({ timeout: 5_000 });
  assert.deepEqual(refusedAfterNew, []);
  await w1.getByTestId('amount').fill('1');
  await waitEvent(page, 'error', 'w1');
  const error = (await events(page, 'error', 'w1'))[0].detail;
  assert.equal(error.code, 'amount_out_of_limits');
  assert.match(error.message, /10\.00 and 5,000\.00/);
  assert.deepEqual(refusedAfterNew, []);

  // Nothing of w1 leaked into w2.
  assert.deepEqual(await events(page, 'quote', 'w2'), []);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.problems, []);
});

test('hostile host CSS leaves the widget intact', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 700, height: 1000 });
  await page.goto(`${hostUrl}/hostile.html`);
  const w = page.locator('#h1w');
  await w.getByTestId('amount').waitFor();
  const style = (loc, prop) => loc.evaluate((el, p) => getComputedStyle(el)[p], prop);
  assert.notEqual(await style(w.getByTestId('get-firm-quote'), 'display'), 'none');
  assert.equal(await style(w.getByTestId('get-firm-quote'), 'backgroundColor'), 'rgb(31, 63, 204)');
  assert.equal(await style(w.getByTestId('amount'), 'borderTopWidth'), '1px');
  assert.equal(await style(w.locator('.qw-title'), 'fontSize'), '20px');
  assert.notEqual(await style(w.locator('.qw-hint').first(), 'color'), 'rgb(255, 0, 0)');
  await w.getByTestId('amount').fill('100');
  await w.getByTestId('preview-amount').waitFor();
  await page.screenshot({ path: `${SHOTS}hostile-host.png`, fullPage: true });
  assert.deepEqual(page.problems, []);
});

test('mount(), update() and destroy() with a host-provided session', async () => {
  const page = await browser.newPage();
  await page.goto(`${hostUrl}/mount.html`);
  await page.waitForFunction(() => window.mounted);
  const slot = page.locator('#slot');
  // The default amount is applied and previewed; the session came from the host.
  await slot.getByTestId('preview-amount').waitFor();
  assert.equal(await slot.getByTestId('amount').inputValue(), '100.00');
  assert.ok(await page.evaluate(() => window.tokenCalls) >= 1);

  await page.evaluate(() => window.handle.update({ pool: 'EUR-USDT', locale: 'de', amount: '250.00', lock: ['amount'], getSessionToken: undefined }));
  await slot.locator('label', { hasText: 'Sie zahlen (EUR)' }).waitFor();
  assert.equal(await slot.getByTestId('amount').inputValue(), '250.00');
  assert.equal(await slot.getByTestId('amount').getAttribute('readonly'), '');
  // Only what update() is given changes: the amount and its lock stay.
  await page.evaluate(() => window.handle.update({ locale: 'en' }));
  await slot.locator('label', { hasText: 'You pay (EUR)' }).waitFor();
  assert.equal(await slot.getByTestId('amount').inputValue(), '250.00');
  assert.equal(await slot.getByTestId('amount').getAttribute('readonly'), '');
  await page.evaluate(() => window.handle.update({ locale: 'de' }));
  await slot.locator('label', { hasText: 'Sie zahlen (EUR)' }).waitFor();

  const liveBefore = await page.evaluate(() => window.liveIntervals.size);
  assert.ok(liveBefore >= 1, 'the widget ticks while mounted');
  const after = [];
  // A new amount starts the preview's debounce; destroy() comes while it is pending.
  const pendingAtDestroy = await page.evaluate(() => {
    window.handle.update({ pool: 'EUR-USDT', locale: 'de', amount: '300.00', lock: ['amount'] });
    const pending = window.liveTimeouts.size;
    window.handle.destroy();
    return pending;
  });
  page.on('request', (r) => after.push(r.url()));
  assert.ok(pendingAtDestroy >= 1, 'a debounce was pending when the widget was destroyed');
  assert.equal(await page.evaluate(() => window.liveIntervals.size), 0, 'no interval left behind');
  assert.equal(await page.evaluate(() => window.liveTimeouts.size), 0, 'no timeout left behind');
  assert.equal(await slot.evaluate((el) => el.childElementCount), 0, 'the widget removed itself');
  // A second destroy, and an update after destroy, are harmless.
  await page.evaluate(() => { window.handle.destroy(); window.handle.update({ amount: '1' }); });
  // Watch past a debounce, several ticks and a poll interval: nothing more goes out.
  await page.waitForTimeout(2500);
  assert.deepEqual(after, []);
  assert.deepEqual(page.problems, []);
});

test('mount options are checked: a wrong name or type throws, naming the option', async () => {
  const page = await browser.newPage();
  await page.goto(`${hostUrl}/mount.html`);
  await page.waitForFunction(() => window.mounted);
  const errors = await page.evaluate(() => {
    const el = document.createElement('div');
    document.body.append(el);
    const cases = [{ amonut: '10' }, { amount: 10 }, { lock: ['amount', 'wallet'] }, { theme: 'pink' },
      { getSessionToken: 'token' }, { copy: { submit: 3 } }, 'EUR-USDT', { lock: ['amount', 2] }, { lock: true },
      { copy: ['a'] }, { pool: null, side: undefined, lock: 'amount, pool', copy: { b: 'B', a: 'A' } }];
    const out = cases.map((options) => {
      try { QuoteWidget.mount(el, options); return 'mounted'; } catch (e) { return String(e.message ?? e); }
    });
    out.push(el.childElementCount);
    return out;
  });
  assert.match(errors[0], /^QuoteWidget: options: unknown field `amonut`/);
  assert.equal(errors[1], 'QuoteWidget: option `amount`: invalid type: number `10`, expected a string');
  assert.match(errors[2], /^QuoteWidget: option `lock`: unknown field "wallet"/);
  assert.match(errors[3], /^QuoteWidget: option `theme`: "pink" is not one of/);
  assert.match(errors[4], /^QuoteWidget: option `getSessionToken`: must be a function/);
  assert.equal(errors[5], 'QuoteWidget: option `copy.submit`: invalid type: number `3`, expected a string');
  assert.match(errors[6], /^QuoteWidget: options: must be an object/);
  assert.equal(errors[7], 'QuoteWidget: option `lock[1]`: invalid type: number `2`, expected a string');
  assert.equal(errors[8], 'QuoteWidget: option `lock`: invalid type: boolean `true`, expected an array of field names or a string');
  assert.equal(errors[9], 'QuoteWidget: option `copy`: invalid type: an array, expected an object of texts by copy key');
  // null and undefined are absent options; a lock string and copy overrides are read.
  assert.equal(errors[10], 'mounted');
  assert.equal(errors[11], 1, 'only the valid call mounted');
  assert.deepEqual(page.problems, []);
});

test('update() with the same copy overrides in another order keeps the view; other texts rebuild it', async () => {
  const page = await browser.newPage();
  await page.goto(`${hostUrl}/mount.html`);
  await page.waitForFunction(() => window.mounted);
  const slot = page.locator('#slot');
  await page.evaluate(() => window.handle.update({ copy: { get_firm_quote: 'Lock my price', title: 'Pay' } }));
  await slot.getByTestId('get-firm-quote').filter({ hasText: 'Lock my price' }).waitFor();
  const button = await slot.getByTestId('get-firm-quote').elementHandle();
  // The same texts, keys in another order: the same options, so nothing is rebuilt
  // (two frames: whatever update() renders is on screen by then).
  await page.evaluate(() => new Promise((done) => {
    window.handle.update({ copy: { title: 'Pay', get_firm_quote: 'Lock my price' } });
    requestAnimationFrame(() => requestAnimationFrame(done));
  }));
  assert.equal(await button.evaluate((b) => b.isConnected), true, 'the same overrides did not rebuild the widget');
  // Another text does rebuild it: the button above is replaced.
  await page.evaluate(() => window.handle.update({ copy: { title: 'Pay', get_firm_quote: 'Pay now' } }));
  await slot.getByTestId('get-firm-quote').filter({ hasText: 'Pay now' }).waitFor();
  assert.equal(await button.evaluate((b) => b.isConnected), false);
  assert.deepEqual(page.problems, []);
});

test('update() of a bound input while a firm quote is live declines that quote and returns to the form', async () => {
  const page = await browser.newPage();
  const rejected = new Promise((resolve) => {
    page.on('request', (r) => { if (/\/api\/quotes\/[^/]+\/reject$/.test(new URL(r.url()).pathname)) resolve(r.url()); });
  });
  await page.goto(`${hostUrl}/mount.html`);
  await page.waitForFunction(() => window.mounted);
  const slot = page.locator('#slot');
  await slot.getByTestId('preview-amount').waitFor();
  await slot.getByTestId('destination').fill('TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE');
  await slot.getByTestId('get-firm-quote').click();
  await slot.getByTestId('firm-quote').waitFor();
  // The host's cart changed (same session, same language: no re-render): the live
  // quote is for the old amount.
  await page.evaluate(() => window.handle.update({
    pool: 'EUR-USDT', amount: '250.00', locale: 'en', id: 'mounted', getSessionToken: window.getSessionToken,
  }));
  await slot.getByTestId('amount').waitFor();
  assert.equal(await slot.getByTestId('amount').inputValue(), '250.00');
  assert.equal(await slot.getByTestId('firm-quote').count(), 0, 'the old quote cannot be accepted any more');
  assert.match(await rejected, /\/api\/quotes\/pq_test_\w+\/reject$/, 'the old quote was declined upstream');
  assert.deepEqual(page.problems, []);
});

test('properties set on a <quote-widget> already on the page apply at once, and a removed attribute is cleared', async () => {
  const page = await browser.newPage();
  await page.goto(`${hostUrl}/two.html`);
  const w1 = page.locator('#w1');
  await w1.getByTestId('get-firm-quote').waitFor();
  // The documented way (a React effect runs after insertion): the element's copy property.
  await page.evaluate(() => { document.getElementById('w1').copy = { get_firm_quote: 'Lock my price' }; });
  await w1.getByTestId('get-firm-quote').getByText('Lock my price').waitFor({ timeout: 5_000 });
  // Other options stay as they were (update() merges); a removed attribute goes back to its default.
  await page.evaluate(() => document.getElementById('w1').setAttribute('locale', 'de'));
  await w1.locator('label', { hasText: /^Sie zahlen/ }).waitFor();
  assert.match(await w1.getByTestId('get-firm-quote').textContent(), /Lock my price/, 'the copy override stays');
  await page.evaluate(() => document.getElementById('w1').removeAttribute('locale'));
  await w1.locator('label', { hasText: /^You pay/ }).waitFor();
  assert.deepEqual(page.problems, []);
});

test('removing <quote-widget> from the page cleans it up', async () => {
  const page = await browser.newPage();
  await page.goto(`${hostUrl}/two.html`);
  await page.locator('#w1').getByTestId('amount').fill('100');
  await page.locator('#w1').getByTestId('preview-amount').waitFor();
  const after = [];
  await page.evaluate(() => { document.getElementById('w1').remove(); document.getElementById('w2').remove(); });
  page.on('request', (r) => after.push(r.url()));
  await page.waitForTimeout(2500);
  assert.deepEqual(after, []);
  assert.deepEqual(page.problems, []);
});
