// The quote flow in Chromium against the real server and sandbox, with a short quote
// window and a fast settle. axe-core runs in every state it reaches.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, axeViolations, lockFirmQuote } from './harness.mjs';

const WINDOW_MS = 8000;
let server;
let browser;

before(async () => {
  server = await startServer({ SANDBOX_QUOTE_WINDOW_MS: String(WINDOW_MS), SANDBOX_SETTLE_DELAY_MS: '1500' });
  browser = await launchBrowser();
});
afterEach(async () => { await browser?.closePages(); });
after(async () => { await browser?.close(); await server?.stop(); });

// The sandbox playground: an unbound demo checkout, so every magic value can be typed.
async function open() {
  const page = await browser.newPage();
  await page.goto(`${server.url}/playground.html`);
  await page.getByTestId('amount').waitFor();
  return page;
}

async function assertAccessible(page, state) {
  assert.deepEqual(await axeViolations(page), [], `axe violations in state "${state}"`);
}

const status = (page) => page.getByTestId('quote-status');
// The focused element, looking inside shadow roots (the widget renders in one).
const deepFocus = () => {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el?.hasAttribute('data-focus-target') ? 'focus-target' : el?.dataset?.testid;
};
const secondsLeft = async (page) => Number((await page.getByTestId('seconds-left').textContent()).match(/\d+/)[0]);

test('preview → confirm → expiring → expired → refresh → accept → pending → settled', async () => {
  const page = await open();
  await assertAccessible(page, 'form');

  // Preview: labelled as an estimate, never executable, refreshed as the amount changes.
  await page.getByTestId('amount').fill('100');
  await page.getByTestId('preview-amount').waitFor();
  assert.match(await page.getByTestId('preview').textContent(), /Estimate only\. This price is not locked and cannot be accepted\./);
  assert.match(await page.getByTestId('preview-amount').textContent(), /^USDT\u00a010\d\.\d\d$/);
  await page.getByTestId('amount').fill('200');
  // The estimate follows the amount (an older answer never overwrites a newer one).
  await page.getByTestId('preview-amount').getByText(/^USDT\u00a021\d\.\d\d$/).waitFor();
  await assertAccessible(page, 'preview');

  // Confirm: a firm quote with every term and a countdown from expires_at.
  await lockFirmQuote(page, { amount: '100.00' });
  await page.getByTestId('firm-quote').waitFor();
  assert.equal(await page.getByTestId('source-amount').textContent(), 'EUR\u00a0100.00');
  assert.match(await page.getByTestId('target-amount').textContent(), /^USDT\u00a010\d\.\d\d$/);
  assert.match(await page.getByTestId('rate').textContent(), /^1 EUR = 1\.\d{6} USDT$/);
  assert.equal(await page.getByTestId('spread-bps').textContent(), '35 bps');
  assert.equal(await page.getByTestId('fee-bps').textContent(), '20 bps');
  assert.equal(await page.getByTestId('network-value').textContent(), 'ethereum');
  assert.equal(await page.getByTestId('destination-value').textContent(), 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE');
  const shown = await secondsLeft(page);
  assert.ok(shown <= WINDOW_MS / 1000 && shown >= WINDOW_MS / 1000 - 2, `countdown starts near the window: ${shown}`);
  assert.equal(await status(page).textContent(), '●This quote is valid until the timer expires.');
  // A quote that appears with less than 30 s left crossed no mark: the live region says nothing
  // of seconds (it used to announce "30 seconds" on every new quote).
  assert.doesNotMatch(await page.getByTestId('announcer').textContent(), /second/);
  // Focus moved to the quote, for keyboard and screen-reader users.
  assert.equal(await page.evaluate(deepFocus) , 'focus-target');
  await assertAccessible(page, 'firm-active');

  // Expiring soon, then expired: Accept disabled in the DOM.
  await page.locator('[data-testid=firm-quote][data-state=expiring-soon]').waitFor({ timeout: WINDOW_MS });
  assert.match(await status(page).textContent(), /Quote expiring soon\. Refresh if you need more time\./);
  assert.equal(await page.getByTestId('accept').isEnabled(), true);
  await assertAccessible(page, 'firm-expiring-soon');
  await page.locator('[data-testid=firm-quote][data-state=expired]').waitFor({ timeout: WINDOW_MS });
  assert.equal(await page.getByTestId('accept').isDisabled(), true);
  assert.match(await status(page).textContent(), /This quote expired\. Refresh to continue\./);
  assert.match(await page.getByTestId('announcer').textContent(), /This quote expired/);
  await assertAccessible(page, 'firm-expired');

  // Refresh: a fresh firm quote that needs confirming again, showing what changed.
  await page.getByTestId('refresh').click();
  await page.locator('[data-testid=firm-quote][data-state=active]').waitFor();
  assert.ok((await page.getByTestId('what-changed').textContent()).startsWith('The new quote'));
  assert.equal(await page.getByTestId('accept').isEnabled(), true);

  // Accept → pending → settled, pushed by the event stream.
  await page.getByTestId('accept').click();
  await page.locator('[data-testid=trade][data-state=reserved]').waitFor();
  assert.match(await page.getByTestId('trade-status').textContent(), /^Your conversion is pending settlement\.$/);
  await assertAccessible(page, 'pending');
  await page.locator('[data-testid=trade][data-state=settled]').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('trade-status').textContent(), 'Your conversion completed.');
  assert.match(await page.getByTestId('trade-id').textContent(), /^pt_test_/);
  await assertAccessible(page, 'settled');
  assert.deepEqual(page.problems, []);
});

for (const [destination, status] of [['TQn9-will-fail', 'failed'], ['TQn9-will-release', 'released']]) {
  test(`a ${status} trade says no final credit was posted`, async () => {
    const page = await open();
    await lockFirmQuote(page, { destination });
    await page.getByTestId('accept').click();
    await page.locator(`[data-testid=trade][data-state=${status}]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('trade-status').textContent(), 'We could not complete this conversion. No final credit was posted.');
    await assertAccessible(page, status);
  });
}

const REASONS = {
  '13.01': ['pool_dry', 'This conversion is temporarily unavailable. Try again shortly.'],
  '13.02': ['rate_unavailable', 'We cannot get a price for this conversion right now. Try again shortly.'],
  '13.03': ['network_unavailable', 'This network is temporarily unavailable. Try another network or try again shortly.'],
  '13.04': ['maintenance', 'This conversion is paused for maintenance. Try again later.'],
};

test('each unavailable reason has its copy, a backed-off retry and an alternate pool', async () => {
  const page = await open();
  for (const [amount, [reason, copy]] of Object.entries(REASONS)) {
    await lockFirmQuote(page, { amount });
    const panel = page.locator(`[data-testid=unavailable][data-reason=${reason}]`);
    await panel.waitFor();
    assert.match(await panel.textContent(), new RegExp(copy.replace(/\./g, '\\.')));
    assert.doesNotMatch(await panel.textContent(), /[a-z]+_[a-z]+/, 'no internal reason codes are shown');
    // The retry waits (never a tight loop).
    assert.equal(await page.getByTestId('retry').isDisabled(), true);
    assert.match(await page.getByTestId('retry').textContent(), /Try again in \d+ s/);
    assert.match(await page.getByTestId('alternate').textContent(), /Try USD → USDC instead/);
    await assertAccessible(page, `unavailable ${reason}`);
    await page.getByRole('button', { name: 'Change details' }).click();
    await page.getByTestId('amount').waitFor();
  }
  // The alternate pool switches the form to it.
  await lockFirmQuote(page, { amount: '13.01' });
  await page.getByTestId('alternate').click();
  await page.getByTestId('amount').waitFor();
  assert.equal(await page.getByTestId('pool-select').inputValue(), 'USD-USDC');
});

test('out of limits shows the minimum and maximum next to the amount', async () => {
  const page = await open();
  await page.getByTestId('amount').fill('1');
  await page.getByTestId('amount-error').getByText('Enter an amount worth between 10.00 and 5,000.00 USDT.').waitFor();
  assert.equal(await page.getByTestId('amount').getAttribute('aria-invalid'), 'true');
  await assertAccessible(page, 'out of limits');
  // Validation before any request: a malformed amount never reaches the server.
  const quoteCalls = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/quotes')) quoteCalls.push(r.url()); });
  await page.getByTestId('amount').fill('12,50');
  await page.getByTestId('amount-error').getByText(/Enter the amount as digits/).waitFor();
  await page.getByTestId('get-firm-quote').click();
  await page.getByTestId('destination-error').getByText('Enter the destination address.').waitFor();
  assert.deepEqual(quoteCalls, []);
});

test('a double click on Accept sends one request', async () => {
  const page = await open();
  const accepts = [];
  page.on('request', (r) => { if (r.url().includes('/accept')) accepts.push(r.url()); });
  await lockFirmQuote(page);
  await page.getByTestId('accept').dblclick();
  await page.getByTestId('trade').waitFor();
  await page.locator('[data-testid=trade][data-state=settled]').waitFor({ timeout: 10_000 });
  assert.equal(accepts.length, 1);
});

test('a reload while pending resumes the same trade', async () => {
  const page = await open();
  await lockFirmQuote(page, { destination: 'TQn9-settles-slow' });
  await page.getByTestId('accept').click();
  await page.locator('[data-testid=trade][data-state=reserved]').waitFor();
  const tradeId = await page.getByTestId('trade-id').textContent();
  await page.reload();
  await page.locator('[data-testid=trade][data-state=reserved]').waitFor();
  assert.equal(await page.getByTestId('trade-id').textContent(), tradeId);
  await page.locator('[data-testid=trade][data-state=settled]').waitFor({ timeout: 25_000 });
  assert.equal(await page.getByTestId('trade-id').textContent(), tradeId);
  // Once terminal it is not resumed again.
  await page.reload();
  await page.getByTestId('amount').waitFor();
});

test('a device clock minutes wrong still counts down from the server clock', async () => {
  const page = await browser.newPage();
  // Seven minutes slow: a naive countdown would show 7 minutes too many.
  await page.addInitScript(() => {
    const skew = -7 * 60 * 1000;
    const RealDate = Date;
    class SkewedDate extends RealDate {
      constructor(...args) { super(...(args.length ? args : [RealDate.now() + skew])); }
      static now() { return RealDate.now() + skew; }
    }
    window.Date = SkewedDate;
  });
  await page.goto(`${server.url}/playground.html`);
  await page.getByTestId('amount').waitFor();
  await lockFirmQuote(page);
  await page.getByTestId('firm-quote').waitFor();
  const shown = await secondsLeft(page);
  assert.ok(shown <= WINDOW_MS / 1000 && shown >= WINDOW_MS / 1000 - 2, `countdown from the server clock: ${shown}`);
  await page.locator('[data-testid=firm-quote][data-state=expired]').waitFor({ timeout: WINDOW_MS + 2000 });
  assert.equal(await page.getByTestId('accept').isDisabled(), true);
});

test('an expired session is renewed without losing what was typed', async () => {
  const page = await open();
  await page.getByTestId('destination').fill('TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE');
  await page.evaluate(() => {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith('quote-widget:session')) {
        localStorage.setItem(key, JSON.stringify({ session_token: 'qws_revoked', expires_at: '2099-01-01T00:00:00Z' }));
      }
    }
  });
  await page.getByTestId('amount').fill('100.00');
  await page.getByTestId('get-firm-quote').click();
  await page.getByTestId('firm-quote').waitFor();
  assert.equal(await page.getByTestId('destination-value').textContent(), 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE');
});

test('the whole flow works from the keyboard alone', async () => {
  const page = await open();
  await page.getByTestId('pool-select').focus();
  await page.keyboard.press('Tab'); // direction
  await page.keyboard.press('Tab'); // amount
  await page.keyboard.type('100');
  await page.keyboard.press('Tab'); // network
  await page.keyboard.press('Tab'); // destination
  await page.keyboard.type('TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE');
  await page.keyboard.press('Enter');
  await page.getByTestId('firm-quote').waitFor();
  // Focus moves to the new panel's heading (on the next frame): wait for it to land there.
  await page.waitForFunction(`(${deepFocus})() === 'focus-target'`);
  await page.keyboard.press('Tab'); // from the focused heading to Accept
  assert.equal(await page.evaluate(deepFocus), 'accept');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=trade][data-state=settled]').waitFor({ timeout: 10_000 });
});

test('an accept whose answer is lost is retried on the same quote, never a new one', async () => {
  const page = await open();
  let attempts = 0;
  let madeTrade;
  await page.route('**/api/quotes/*/accept', async (route) => {
    attempts += 1;
    if (attempts === 1) {
      const response = await route.fetch(); // it reaches the server: the trade is made…
      madeTrade = (await response.json()).trade_id;
      await route.abort('connectionreset'); // …but the answer never arrives
    } else {
      await route.continue();
    }
  });
  await lockFirmQuote(page);
  await page.getByTestId('accept').click();
  await page.getByText('We could not confirm your conversion yet.').waitFor();
  assert.equal(await page.getByTestId('refresh').isDisabled(), true, 'no new quote while the outcome is unknown');
  await page.locator('[data-testid=trade]').waitFor({ timeout: 15_000 });
  assert.match(madeTrade, /^pt_test_/);
  assert.equal(await page.getByTestId('trade-id').textContent(), madeTrade, 'the trade that was made, not a second one');
  assert.ok(attempts >= 2);
  await page.locator('[data-testid=trade][data-state=settled]').waitFor({ timeout: 10_000 });
});
