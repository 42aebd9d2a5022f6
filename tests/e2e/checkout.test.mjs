// Checkouts as a partner runs them: the demo page's backend binds the order (amount,
// the user's wallet) and the widget locks what it was given; a paid checkout shows
// its one conversion after a reload; and a client token that expires while an accept's
// outcome is unknown is renewed on the same checkout, ending in exactly one trade; and a
// checkout already over when the widget loads says so, with nothing to retry.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer, launchBrowser, axeViolations } from './harness.mjs';

const SHOTS = new URL('./screenshots/checkout/', import.meta.url).pathname;
let server;
let browser;

before(async () => {
  server = await startServer({ SESSION_TTL_SECS: '10', SANDBOX_QUOTE_WINDOW_MS: '8000', SANDBOX_SETTLE_DELAY_MS: '1000' });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterEach(async () => { await browser?.closePages(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('the demo checkout binds the order: the user confirms, never types what the shop knows', async () => {
  const page = await browser.newPage();
  const quoteBodies = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/quotes') quoteBodies.push(JSON.parse(r.postData())); });
  await page.setViewportSize({ width: 1200, height: 1000 });
  await page.goto(server.url);
  const widget = page.locator('#checkout-widget');
  await widget.getByTestId('amount').waitFor();
  await page.waitForFunction(() => /^LUM-\d{5}$/.test(document.getElementById('order-ref').textContent));
  const order = await page.locator('#order-ref').textContent();
  assert.equal(await widget.getByTestId('amount').inputValue(), '100.00');
  for (const field of ['amount', 'destination']) {
    assert.equal(await widget.getByTestId(field).getAttribute('readonly'), '', `${field} is bound by the checkout`);
  }
  assert.equal(await widget.getByTestId('destination').inputValue(), 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE');
  assert.equal(await widget.getByTestId('pool-select').isDisabled(), true);
  // The side the shop bound: chosen, and neither side can be picked instead.
  assert.equal(await widget.getByTestId('side-buy').isChecked(), true);
  for (const side of ['buy', 'sell']) {
    assert.equal(await widget.getByTestId(`side-${side}`).isDisabled(), true, `side ${side} is bound by the checkout`);
  }
  await widget.getByTestId('preview-amount').waitFor();
  await page.screenshot({ path: `${SHOTS}bound-form.png` });
  assert.deepEqual(await axeViolations(page), []);

  await widget.getByTestId('get-firm-quote').click();
  await widget.getByTestId('firm-quote').waitFor();
  assert.equal(await widget.getByTestId('destination-value').textContent(), 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE');
  await widget.getByTestId('accept').click();
  await widget.locator('[data-testid=trade][data-state=settled]').waitFor({ timeout: 15_000 });
  const tradeId = await widget.getByTestId('trade-id').textContent();
  assert.equal(await widget.getByTestId('new-conversion').count(), 0, 'only the shop can start another checkout');
  assert.ok(quoteBodies.every((b) => b.amount === '100.00' && !('partner_reference' in b)), JSON.stringify(quoteBodies));

  // A reload of the paid order shows its conversion, not a new quote.
  await page.reload();
  await widget.locator('[data-testid=trade][data-state=settled]').waitFor({ timeout: 15_000 });
  assert.equal(await widget.getByTestId('trade-id').textContent(), tradeId);
  assert.equal(await page.locator('#order-ref').textContent(), order);
  await page.screenshot({ path: `${SHOTS}paid-order.png` });
  assert.deepEqual(page.problems, []);
});

test('on a 360 px phone the demo page fits the screen, and a firm quote shows with its Accept button in view', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(server.url);
  const widget = page.locator('#checkout-widget');
  await widget.getByTestId('preview-amount').waitFor();
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(sideways, 0, 'nothing wider than the screen (the header once was)');
  await page.screenshot({ path: `${SHOTS}phone-form.png` });

  await widget.getByTestId('get-firm-quote').click();
  await widget.getByTestId('firm-quote').waitFor();
  // The timer runs from the moment the quote shows: the button to act on it must be on screen.
  const accept = await widget.getByTestId('accept').elementHandle();
  await page.waitForFunction((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }, accept, { timeout: 2_000 });
  await page.screenshot({ path: `${SHOTS}phone-firm.png` });
  assert.deepEqual(page.problems, []);
});

test('two tabs of one order: an accept in one shows its trade in the other within a second, and Accept is gone there', async () => {
  const first = await browser.newPage();
  await first.goto(server.url);
  await first.waitForFunction(() => /^LUM-\d{5}$/.test(document.getElementById('order-ref').textContent));
  const order = await first.locator('#order-ref').textContent();
  // The same order in a second tab (window.open copies the tab's order: the same checkout).
  const [second] = await Promise.all([browser.context.waitForEvent('page'), first.evaluate(() => { window.open(location.href); })]);
  const secondProblems = [];
  second.on('pageerror', (e) => secondProblems.push(e.message));
  await second.waitForFunction(() => /^LUM-\d{5}$/.test(document.getElementById('order-ref').textContent));
  assert.equal(await second.locator('#order-ref').textContent(), order, 'the same order, so the same checkout');
  const [w1, w2] = [first.locator('#checkout-widget'), second.locator('#checkout-widget')];
  // Both tabs hold a live firm quote.
  for (const w of [w2, w1]) {
    await w.getByTestId('preview-amount').waitFor();
    await w.getByTestId('get-firm-quote').click();
    await w.getByTestId('firm-quote').waitFor();
  }
  assert.equal(await w2.getByTestId('accept').isEnabled(), true);
  await w1.getByTestId('accept').click();
  await w1.getByTestId('trade').waitFor();
  const tradeId = await w1.getByTestId('trade-id').textContent();
  const shownAt = Date.now();
  await w2.getByTestId('trade').waitFor({ timeout: 1_000 });
  assert.ok(Date.now() - shownAt <= 1_000, 'the other tab shows the trade within a second');
  assert.equal(await w2.getByTestId('trade-id').textContent(), tradeId, 'the one conversion of the checkout');
  assert.equal(await w2.getByTestId('accept').count(), 0, 'no Accept left in the other tab');
  // It follows the trade to its end like the first tab, and a reload still shows it.
  await w2.locator('[data-testid=trade][data-state=settled]').waitFor({ timeout: 15_000 });
  await second.reload();
  await w2.locator('[data-testid=trade][data-state=settled]').waitFor({ timeout: 15_000 });
  assert.equal(await w2.getByTestId('trade-id').textContent(), tradeId);
  assert.deepEqual(first.problems, []);
  assert.deepEqual(secondProblems, []);
});

test('a token that expires while an accept is unknown is renewed on its checkout: one trade, shown', async () => {
  const page = await browser.newPage();
  const firmAsks = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/quotes' && JSON.parse(r.postData()).quote_type === 'firm') firmAsks.push(r.url());
  });
  let madeTrade;
  let attempts = 0;
  const started = Date.now();
  // Every answer to an accept is lost until the 10 s client token has expired.
  await page.route('**/api/quotes/*/accept', async (route) => {
    attempts += 1;
    if (Date.now() - started < 11_000) {
      const response = await route.fetch();
      if (response.status() === 200) madeTrade = (await response.json()).trade_id;
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.goto(`${server.url}/playground.html`);
  await page.getByTestId('amount').fill('100.00');
  await page.getByTestId('destination').fill('TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE');
  await page.getByTestId('get-firm-quote').click();
  await page.getByTestId('firm-quote').waitFor();
  await page.getByTestId('accept').click();
  await page.getByText('We could not confirm your conversion yet.').waitFor();
  await page.locator('[data-testid=trade]').waitFor({ timeout: 40_000 });
  assert.match(madeTrade, /^pt_test_/);
  assert.equal(await page.getByTestId('trade-id').textContent(), madeTrade, 'the trade that was made, not a second one');
  assert.equal(firmAsks.length, 1, 'no new firm quote was asked for meanwhile');
  assert.ok(attempts >= 3, `the same quote was retried (${attempts} attempts)`);
  assert.match(server.logs(), /client token minted/);
  // The resets are the answers this test cut off; nothing else went wrong.
  assert.deepEqual(page.problems.filter((p) => !p.includes('ERR_CONNECTION_RESET')), []);
});

test('a checkout that is over by the time the widget loads says so, with no way to quote on it', async () => {
  // A session never outlives its checkout, so the server answers `expired` here
  // only when the checkout ends between the token and this read: the answer is
  // the server's own, with its status set to what that moment would say.
  const page = await browser.newPage();
  await page.route('**/api/checkout', async (route) => {
    const response = await route.fetch();
    const checkout = await response.json();
    assert.equal(checkout.status, 'open', 'the real answer, before it is aged');
    await route.fulfill({ response, json: { ...checkout, status: 'expired' } });
  });
  const quoteAsks = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/quotes') quoteAsks.push(r.url()); });
  await page.setViewportSize({ width: 1200, height: 1000 });
  await page.goto(server.url);
  const widget = page.locator('#checkout-widget');
  const problem = widget.getByTestId('problem');
  await problem.waitFor();
  assert.match(await problem.textContent(), /This checkout has expired\. Return to the shop and start the payment again\./);
  assert.equal(await widget.getByTestId('retry').count(), 0, 'nothing to retry: only the shop can start again');
  assert.equal(await widget.getByTestId('get-firm-quote').count(), 0, 'no firm quote can be asked for');
  await page.screenshot({ path: `${SHOTS}expired-checkout.png` });
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(quoteAsks, [], 'no quote was asked for on an expired checkout');
  assert.deepEqual(page.problems, []);
});
