// The designer gallery: every state rendered from fixtures (no API calls), each
// written to tests/e2e/screenshots/gallery/<state>.png, and axe-clean.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer, launchBrowser, axeViolations } from './harness.mjs';

const OUT = new URL('./screenshots/gallery/', import.meta.url).pathname;
const EXPECTED = [
  'pools-loading', 'pools-error', 'form-empty', 'form-preview', 'form-preview-updating', 'form-preview-unavailable',
  'form-out-of-limits', 'form-first-order-cap', 'form-preview-headroom', 'form-missing-destination', 'form-bound', 'firm-active', 'firm-expiring-soon', 'firm-expired', 'firm-refreshed',
  'accepting', 'accept-unconfirmed', 'trade-pending', 'trade-settled', 'trade-failed', 'trade-released',
  'trade-terms-mismatch', 'trade-settled-partner',
  'unavailable-pool-dry', 'unavailable-rate', 'unavailable-network', 'unavailable-maintenance', 'unavailable-headroom', 'unavailable-busy',
  'unavailable-pool-unavailable', 'no-pools', 'unavailable-retry-ready', 'error-network', 'error-server', 'error-quote-gone', 'error-accept-failed',
  'error-still-confirming', 'error-checkout-expired', 'preview-panel',
];
let server;
let browser;

before(async () => { server = await startServer(); browser = await launchBrowser(); });
afterEach(async () => { await browser?.closePages(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** A page on the gallery at this viewport, once every state is rendered. */
async function openGallery(width, height) {
  const page = await browser.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(`${server.url}/gallery/`);
  await page.locator('[data-gallery-state=preview-panel]').waitFor();
  return page;
}

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

test('the gallery names each string\'s copy key and source, and switches language, wording, theme and width', async () => {
  const page = await openGallery(1400, 1000);
  const frame = (state) => page.locator(`[data-gallery-state="${state}"]`);
  const source = (state, key) => frame(state).locator(`li[data-copy-key="${key}"]`).getAttribute('data-provenance');

  // 0Pools' documented approved lines are marked as such; the team's strings as the team's.
  await frame('firm-expired').locator('li[data-copy-key=firm_expired]').waitFor({ state: 'attached' });
  assert.equal(await source('firm-expired', 'firm_expired'), 'approved');
  assert.equal(await source('firm-active', 'firm_active'), 'approved');
  assert.equal(await source('trade-settled', 'trade_settled'), 'approved');
  assert.equal(await source('firm-expired', 'accept'), 'team');
  assert.equal(await source('form-out-of-limits', 'error_limits'), 'team');
  assert.equal(await page.locator('li[data-provenance=approved]').evaluateAll((els) => new Set(els.map((e) => e.dataset.copyKey)).size), 6,
    'exactly the six approved lines are marked approved');

  // The documented "Product language" preset.
  await page.getByTestId('gallery-preset').selectOption('product-language');
  await frame('trade-pending').getByTestId('trade-status').getByText('Your accepted quote is processing.').waitFor();
  assert.equal(await source('trade-pending', 'trade_pending'), 'product-language');
  assert.match(await frame('firm-expired').textContent(), /The quote expired\. Get a new quote to continue\./);
  assert.equal(await source('trade-settled', 'trade_settled'), 'approved', 'a line the preset has no alternative for stays approved');

  // German: every string is the team's.
  await page.getByTestId('gallery-locale').selectOption('de');
  await frame('trade-pending').getByTestId('trade-status').getByText('Ihr Umtausch wartet auf die Abwicklung.').waitFor();
  await frame('trade-pending').locator('li[data-copy-key=trade_pending]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('li[data-copy-key]:not([data-provenance=team])').count(), 0, 'no German string claims to be approved copy');
  assert.match(await frame('form-out-of-limits').textContent(), /10,00 bis 5\.000,00 USDT/);

  // Theme and width.
  await page.getByTestId('gallery-theme').selectOption('dark');
  const background = () => page.locator('.qw-gallery').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(await background(), 'rgb(29, 32, 39)');
  await page.getByTestId('gallery-theme').selectOption('partner');
  assert.equal(await frame('firm-active').getByTestId('accept').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(15, 118, 110)');
  await page.getByTestId('gallery-frame').selectOption('phone');
  const width = await frame('firm-active').locator('section.qw').evaluate((el) => el.getBoundingClientRect().width);
  assert.ok(width <= 360 && width > 300, `the phone frame is 360 px wide: ${width}`);
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}_switched-de-partner-phone.png` });
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.problems, []);
});

test('every locale renders every state, each string its own translation, numbers in its own format', async () => {
  const page = await openGallery(1400, 1000);
  const frame = (state) => page.locator(`[data-gallery-state="${state}"]`);
  // The limits line of each locale (CLDR's separators and grouping, as Chromium's Intl has them).
  const limits = {
    en: ['10.00', '5,000.00'], de: ['10,00', '5.000,00'], fr: ['10,00', '5\u202f000,00'], es: ['10,00', '5000,00'],
    it: ['10,00', '5000,00'], nl: ['10,00', '5.000,00'], 'pt-BR': ['10,00', '5.000,00'], pl: ['10,00', '5000,00'],
  };
  const tags = await page.getByTestId('gallery-locale').locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(tags, ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt-BR', 'pl']);
  mkdirSync(OUT, { recursive: true });
  for (const tag of tags) {
    await page.getByTestId('gallery-locale').selectOption(tag);
    const states = await page.locator('[data-gallery-state]').evaluateAll((els) => els.map((e) => e.dataset.galleryState));
    assert.deepEqual(states, EXPECTED, `${tag}: every state`);
    await frame('trade-pending').locator('li[data-copy-key=trade_pending]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('li[data-provenance=english-fallback]').count(), 0, `${tag}: no key shows in English`);
    const out = await frame('form-out-of-limits').locator('[data-testid=amount-error]').textContent();
    for (const figure of limits[tag]) assert.ok(out.includes(figure), `${tag}: ${JSON.stringify(out)} has ${JSON.stringify(figure)}`);
    if (tag !== 'en') {
      assert.equal(await page.locator('li[data-copy-key]:not([data-provenance=team])').count(), 0, `${tag}: every string is the team's`);
    }
    await frame('firm-active').screenshot({ path: `${OUT}_locale-${tag}-firm-active.png` });
  }
  assert.deepEqual(page.problems, []);
});

test('on a 375 px phone the gallery itself fits the screen', async () => {
  const page = await openGallery(375, 812);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
  await page.getByTestId('gallery-frame').selectOption('desktop');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the desktop frame narrows to the phone');
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}_phone-375.png` });
  assert.deepEqual(await axeViolations(page), []);
});
