// The designer gallery: every state rendered from fixtures (no API calls), each
// written to tests/e2e/screenshots/gallery/<state>.png, and axe-clean.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer, launchBrowser, axeViolations } from './harness.mjs';

const OUT = new URL('./screenshots/gallery/', import.meta.url).pathname;
const EXPECTED = [
  'pools-loading', 'pools-error', 'form-empty', 'form-preview', 'form-preview-updating', 'form-preview-unavailable',
  'form-out-of-limits', 'form-missing-destination', 'form-bound', 'firm-active', 'firm-expiring-soon', 'firm-expired', 'firm-refreshed',
  'accepting', 'accept-unconfirmed', 'trade-pending', 'trade-settled', 'trade-failed', 'trade-released',
  'trade-terms-mismatch', 'trade-settled-partner',
  'unavailable-pool-dry', 'unavailable-rate', 'unavailable-network', 'unavailable-maintenance', 'unavailable-busy',
  'unavailable-retry-ready', 'error-network', 'error-server', 'error-quote-gone', 'error-accept-failed',
  'error-still-confirming', 'error-checkout-expired', 'preview-panel',
];
let server;
let browser;

before(async () => { server = await startServer(); browser = await launchBrowser(); });
afterEach(async () => { await browser?.closePages(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('every state is in the gallery, screenshotted and accessible', async () => {
  const page = await browser.newPage();
  const apiCalls = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) apiCalls.push(r.url()); });
  await page.setViewportSize({ width: 1500, height: 1000 });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`${server.url}/gallery/`);
  await page.locator('[data-gallery-state=preview-panel]').waitFor();
  const states = await page.locator('.qw-gallery-item').evaluateAll((els) => els.map((e) => e.dataset.galleryState));
  assert.deepEqual(states, EXPECTED);
  mkdirSync(OUT, { recursive: true });
  for (const state of states) {
    await page.locator(`[data-gallery-state="${state}"]`).screenshot({ path: `${OUT}${state}.png` });
  }
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(apiCalls, [], 'the gallery needs no server');
  assert.deepEqual(page.problems, []);

  // The states say what they must.
  const text = async (state) => page.locator(`[data-gallery-state="${state}"]`).textContent();
  assert.match(await text('firm-expiring-soon'), /Quote expiring soon\. Refresh if you need more time\./);
  assert.match(await text('firm-expired'), /This quote expired\. Refresh to continue\./);
  assert.equal(await page.locator('[data-gallery-state=firm-expired] [data-testid=accept]').isDisabled(), true);
  assert.equal(await page.locator('[data-gallery-state=firm-active] [data-testid=accept]').isEnabled(), true);
  assert.match(await text('trade-pending'), /Your conversion is pending settlement\./);
  assert.match(await text('trade-settled'), /Your conversion completed\./);
  assert.match(await text('trade-released'), /We could not complete this conversion\. No final credit was posted\./);
  assert.match(await text('error-accept-failed'), /Contact support with this reference: pq_test_01J4Q7ZK\./);
  assert.match(await text('trade-terms-mismatch'), /differs from your quote \(target amount\)/);
  assert.match(await text('unavailable-busy'), /We are handling many requests right now\./);
  assert.equal(await page.locator('[data-gallery-state=trade-settled-partner] [data-testid=new-conversion]').count(), 0);
  assert.equal(await page.locator('[data-gallery-state=error-checkout-expired] [data-testid=retry]').count(), 0);
  for (const field of ['amount', 'destination']) {
    assert.equal(await page.locator(`[data-gallery-state=form-bound] [data-testid=${field}]`).getAttribute('readonly'), '');
  }
});
