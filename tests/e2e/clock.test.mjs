// The countdown against server truth when the device's clock is wrong or the tab was
// hidden: Playwright's clock emulation skews the page's time (Date, performance and
// timers), and a hidden tab is one whose timers stopped. Server truth is the quote's
// `expires_at` against this machine's clock, which is the server's clock.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as letTimePass } from 'node:timers/promises';
import { startServer, launchBrowser, lockFirmQuote } from './harness.mjs';

// Long enough to outlive a 20 s hidden spell with room to spare.
const WINDOW_MS = 45_000;
const MINUTES = 60_000;
let server;
let browser;

before(async () => {
  server = await startServer({ SANDBOX_QUOTE_WINDOW_MS: String(WINDOW_MS) });
});
// A browser per test: the emulated clock belongs to the whole browser context.
beforeEach(async () => { browser = await launchBrowser(); });
afterEach(async () => { await browser?.close(); browser = undefined; });
after(async () => { await server?.stop(); });

/** Opens the playground with the page's clock `skewMs` off the real one, and locks a
 *  firm quote; resolves with the quote's expiry (server clock, ms since the epoch). */
async function quoteWithSkew(skewMs) {
  const page = await browser.newPage();
  await page.clock.install({ time: Date.now() + skewMs });
  await page.goto(`${server.url}/playground.html`);
  await page.getByTestId('amount').waitFor();
  const pageSkew = await page.evaluate(() => Date.now()) - Date.now();
  assert.ok(Math.abs(pageSkew - skewMs) < 5_000, `the page's clock is skewed as asked: ${pageSkew} ms`);
  const quoted = page.evaluate(() => new Promise((resolve) => {
    document.addEventListener('quote-widget:quote', (e) => resolve(e.detail.expires_at), { once: true });
  }));
  await lockFirmQuote(page);
  const expiresAt = Date.parse(await quoted);
  await page.getByTestId('firm-quote').waitFor();
  return { page, expiresAt };
}

/** Seconds the widget shows, and the server's truth at the same moment. */
async function shownAndTruth(page, expiresAt) {
  const text = await page.getByTestId('seconds-left').textContent();
  const truth = (expiresAt - Date.now()) / 1000;
  return { shown: Number(text.match(/\d+/)[0]), truth };
}

/** Polls until the countdown is within 1 s of server truth (it ticks every 250 ms); fails
 *  with the last reading after `withinMs`. */
async function assertCountdownTracksServer(page, expiresAt, withinMs = 1_500) {
  const deadline = Date.now() + withinMs;
  let reading;
  do {
    reading = await shownAndTruth(page, expiresAt);
    if (Math.abs(reading.shown - reading.truth) <= 1) return reading;
    await page.waitForTimeout(100);
  } while (Date.now() < deadline);
  assert.fail(`countdown ${reading.shown} s is not within 1 s of the server's ${reading.truth.toFixed(2)} s`);
}

for (const [label, skew] of [['+5 min', 5 * MINUTES], ['−5 min', -5 * MINUTES]]) {
  test(`with the device clock ${label} off, the countdown is within 1 s of the server's`, async () => {
    const { page, expiresAt } = await quoteWithSkew(skew);
    const { shown, truth } = await assertCountdownTracksServer(page, expiresAt);
    assert.ok(truth > WINDOW_MS / 1000 - 10, `the quote is fresh (${truth} s left, ${shown} shown)`);
    assert.equal(await page.getByTestId('accept').isEnabled(), true, 'a live quote can be accepted');
  });
}

test('after the tab was hidden for 20 s the countdown is server truth at once', async () => {
  const { page, expiresAt } = await quoteWithSkew(5 * MINUTES);
  await assertCountdownTracksServer(page, expiresAt);
  // Hidden: the page says so, and its timers stop (as a backgrounded tab's freeze).
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.clock.pauseAt(await page.evaluate(() => Date.now()) + 50);
  const frozen = await page.getByTestId('seconds-left').textContent();
  // The scenario itself: 20 s pass while the tab is away.
  await letTimePass(20_000);
  assert.equal(await page.getByTestId('seconds-left').textContent(), frozen, 'no timer ran while hidden');
  // Back: the device clock has moved on 20 s (with its skew) and timers run again.
  await page.clock.setSystemTime(Date.now() + 5 * MINUTES);
  await page.clock.resume();
  await page.evaluate(() => {
    delete document.visibilityState;
    delete document.hidden;
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const { truth } = await assertCountdownTracksServer(page, expiresAt);
  assert.ok(truth < WINDOW_MS / 1000 - 19, `20 s went by (${truth.toFixed(1)} s left)`);
  assert.equal(await page.getByTestId('accept').isEnabled(), true, 'still live: Accept stays enabled');
});

test('a hidden page asks for no preview; shown again, it asks once', async () => {
  const page = await browser.newPage();
  // Counts the widget's indicative quote requests as the page makes them.
  await page.addInitScript(() => {
    window.__previews = 0;
    const realFetch = window.fetch;
    window.fetch = function (input, init) {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/api/quotes') && String(init?.body ?? '').includes('"indicative"')) window.__previews += 1;
      return realFetch.call(this, input, init);
    };
  });
  await page.clock.install();
  await page.goto(`${server.url}/playground.html`);
  await page.getByTestId('amount').waitFor();
  // From here the page's timers run only when the test moves its clock.
  await page.clock.pauseAt(await page.evaluate(() => Date.now()) + 1_000);
  const previews = () => page.evaluate(() => window.__previews);
  const before = await previews();
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.getByTestId('amount').fill('125.50');
  await page.clock.runFor(2_000); // well past the debounce, and several clock ticks
  assert.equal(await previews(), before, 'no preview while hidden');
  await page.evaluate(() => {
    delete document.visibilityState;
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.clock.runFor(300); // the next tick
  assert.equal(await previews(), before + 1, 'one preview once shown');
  await page.clock.resume();
  await page.getByTestId('preview-amount').waitFor();
});
