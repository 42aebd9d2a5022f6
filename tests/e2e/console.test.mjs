// The partner console as finance and support use it: refused without sign-in, a
// wrong password said plainly, then the dashboard, whose rows and graph move after a
// scripted run of checkouts (minted by the partner backend over HTTP), a lookup by
// partner reference, a ledger exception highlighted and a low balance prompted.
// Screenshots in light and dark; axe-clean in each.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, axeViolations } from './harness.mjs';

const SHOTS = new URL('./screenshots/console/', import.meta.url).pathname;
const PASSWORD = 'finance-console-password';
const PARTNER_KEY = 'pk_test_console_e2e_0123456789';
const DEST = 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE';
let server;
let browser;
let secrets;

before(async () => {
  secrets = mkdtempSync(join(tmpdir(), 'qw-console-'));
  writeFileSync(join(secrets, 'password'), `${PASSWORD}\n`);
  server = await startServer({
    DEMO_MODE: 'false',
    EMBEDDED_SANDBOX: 'true',
    PARTNER_API_KEY: PARTNER_KEY,
    CONSOLE_USER: 'finance',
    CONSOLE_PASSWORD_FILE: join(secrets, 'password'),
    CONSOLE_DIR: process.env.QW_CONSOLE_DIR ?? 'dist-console',
    // Plain HTTP on loopback: the cookie cannot be Secure here.
    CONSOLE_COOKIE_SECURE: 'false',
    // The sandbox starts with 25,000 USDT: below this, the console prompts a top-up.
    ALERT_BALANCE_BELOW: '30000',
    SANDBOX_SETTLE_DELAY_MS: '200',
    RECONCILE_INTERVAL_MS: '300',
    // A partner endpoint nothing listens on: every event fails, and the console lists them.
    PARTNER_WEBHOOK_URL: 'http://127.0.0.1:9/never',
    PARTNER_WEBHOOK_SECRET: 'whsec_cXVvdGUtd2lkZ2V0LWUyZS1jb25zb2xlLXNlY3JldC0zMmI=',
  });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterEach(async () => { await browser?.closePages(); });
after(async () => { await browser?.close(); await server?.stop(); rmSync(secrets, { recursive: true, force: true }); });

async function call(method, path, token, body) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

/** The partner backend mints a checkout; the widget's calls follow with its token. */
async function convert(reference, amount) {
  const minted = await call('POST', '/api/checkouts', PARTNER_KEY, { partner_reference: reference });
  assert.equal(minted.status, 201, JSON.stringify(minted.body));
  const token = minted.body.client_token;
  const intent = { pool_id: 'EUR-USDT', side: 'buy', amount, currency: 'EUR', network: 'tron', destination_address: DEST };
  for (let i = 0; i < 2; i++) {
    assert.equal((await call('POST', '/api/quotes', token, { ...intent, quote_type: 'indicative' })).status, 200);
  }
  const firm = await call('POST', '/api/quotes', token, { ...intent, quote_type: 'firm' });
  assert.equal(firm.status, 200, JSON.stringify(firm.body));
  if (firm.body.unavailable_reason) return null;
  const accepted = await call('POST', `/api/quotes/${firm.body.quote_id}/accept`, token, {});
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  return accepted.body.trade_id;
}

/** Polls the partner API until `check` holds (the server reconciles on its own clock). */
async function until(path, check, what) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await call('GET', path, PARTNER_KEY);
    if (r.status === 200 && check(r.body)) return r.body;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(r.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const cell = (page, testid) => page.locator(`[data-testid=utilization-rows] tr[data-pool="EUR-USDT"] [data-testid=${testid}]`);

test('the console refuses without sign-in, then shows what a scripted run of checkouts did', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  // Refused without sign-in: the API and the page's own reads.
  assert.equal((await page.request.get(`${server.url}/api/partner/utilization`)).status(), 401);
  await page.goto(`${server.url}/console/`);
  await page.getByTestId('console-user').waitFor();
  await page.screenshot({ path: `${SHOTS}sign-in.png` });
  assert.deepEqual(await axeViolations(page), []);

  await page.getByTestId('console-user').fill('finance');
  await page.getByTestId('console-password').fill('not-the-password');
  await page.getByTestId('sign-in').click();
  await page.getByText('The user name or password is wrong.').waitFor();
  assert.equal(await page.getByTestId('console-password').inputValue(), '', 'a refused password is cleared');

  await page.getByTestId('console-password').fill(PASSWORD);
  await page.getByTestId('console-password').press('Enter');
  await page.getByTestId('signed-in-as').waitFor();
  const cookies = await page.context().cookies(server.url);
  const session = cookies.find((c) => c.name === 'qw_console');
  assert.ok(session?.httpOnly && session.sameSite === 'Strict', JSON.stringify(cookies));
  assert.equal(await page.evaluate(() => document.cookie.includes('qw_console')), false, 'scripts cannot read the session');

  await cell(page, 'quote-requests').waitFor();
  const before = Number(await cell(page, 'quote-requests').textContent());
  const acceptedBefore = Number(await cell(page, 'accepted').textContent());

  // The scripted run: two conversions (one spoils its ledger settle row) and an unavailable quote.
  const tradeId = await convert('order-console-1', '100.00');
  const spoiled = await convert('order-console-2', '14.05');
  assert.equal(await convert('order-console-3', '13.01'), null, '13.01 is answered pool_dry');
  await until('/api/partner/ledger?limit=500', (l) => l.entries.some((r) => r.match?.trade_id === spoiled && r.match.reconciliation_state === 'exception'), 'the ledger exception');
  await until(`/api/partner/lookup/${tradeId}`, (p) => p.record.status === 'settled', 'the first trade to settle');
  await until('/api/partner/alerts', (a) => a.recorded.some((r) => r.kind === 'ledger_exception' && r.subject === spoiled), 'the recorded ledger exception');

  await page.getByTestId('refresh').click();
  await page.waitForFunction(
    ([expected]) => Number(document.querySelector('[data-testid=utilization-rows] tr[data-pool="EUR-USDT"] [data-testid=quote-requests]')?.textContent) === expected,
    [before + 9],
  );
  assert.equal(Number(await cell(page, 'accepted').textContent()), acceptedBefore + 2);
  assert.ok(Number((await cell(page, 'settled').textContent()).replaceAll(',', '')) > 0, 'settled notional shown');
  const bars = page.locator('[data-testid="chart-counts-EUR-USDT"] rect.bar');
  const heights = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
  assert.ok(heights.some((h) => h > 0), `the graph shows the run: ${heights}`);
  // One of three answers was unavailable (pool_dry): the rate graph shows it against 100 %.
  const rates = await page.locator('[data-testid="chart-rate-EUR-USDT"] rect.bar').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
  assert.ok(rates.some((h) => h > 0) && rates.every((h) => h <= 120), `the rate graph: ${rates}`);

  // A low balance is prompted; the ledger exception is highlighted with its reason.
  const usdt = page.getByTestId('balance-USDT');
  assert.match(await usdt.getAttribute('class'), /\blow\b/);
  assert.match(await usdt.textContent(), /Top up USDT/);
  assert.match(await usdt.locator('.big').textContent(), /^\d{1,3}(,\d{3})+\.\d{2,}$/, 'the balance grouped, with cents');
  await page.locator('[data-testid=active-alerts] li[data-kind=ledger_exception]').waitFor();
  const exceptionRows = page.locator('[data-testid=ledger-rows] tr.exception');
  assert.ok((await exceptionRows.count()) >= 1);
  assert.match(await exceptionRows.first().textContent(), new RegExp(`Exception.*|${spoiled}`));
  assert.match(await exceptionRows.first().textContent(), new RegExp(spoiled));
  assert.equal(await page.locator('[data-testid=ledger-rows] td[data-type=top_up]').first().textContent(), 'Top-up', 'types read as words');
  const topUp = page.locator('[data-testid=ledger-rows] tr', { has: page.locator('td[data-type=top_up]') }).first();
  assert.match(await topUp.locator('td.num').first().textContent(), /^\d{1,3}(,\d{3})+\.\d{2} US/, 'ledger amounts grouped, every digit kept');
  // Webhooks the partner's backend has not received are listed, with the last answer.
  await until('/api/partner/alerts', (a) => a.undelivered_events.length > 0, 'an undelivered partner webhook');
  await page.reload();
  const undelivered = page.getByTestId('undelivered-events');
  await undelivered.waitFor();
  assert.match(await undelivered.locator('tbody tr').first().textContent(), /trade\.(reserved|settled).*not delivered: connection failed/);
  await page.locator('#alerts').screenshot({ path: `${SHOTS}undelivered-webhooks.png` });
  // What was recorded reads as words, its stored kind kept for tools.
  await page.locator('details:has(ul.recorded) summary').click();
  const recorded = page.locator('ul.recorded li', { hasText: spoiled }).first();
  assert.equal(await recorded.locator('strong').getAttribute('data-kind'), 'ledger_exception');
  assert.equal(await recorded.locator('strong').textContent(), 'Ledger exception');
  // From the top: a full-page shot taken scrolled draws the sticky header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}dashboard-light.png`, fullPage: true });
  // At a laptop's width the utilization table shows every column without scrolling sideways.
  const table = page.locator('[role=region][aria-label="Utilization per pool"]');
  assert.ok(await table.evaluate((el) => el.scrollWidth <= el.clientWidth), 'the utilization table fits 1280 px');
  await table.screenshot({ path: `${SHOTS}utilization-table.png` });
  // One pool's graphs up close: their labels must be readable at the card's width.
  await page.locator('article.pool-graphs[data-pool="EUR-USDT"]').screenshot({ path: `${SHOTS}graphs-24h.png` });
  assert.deepEqual(await axeViolations(page), []);

  // Support looks up the order by the partner's own reference.
  await page.getByTestId('lookup-id').fill('order-console-1');
  await page.getByTestId('lookup-submit').click();
  const evidence = page.getByTestId('evidence');
  await evidence.locator('[data-section=trades]').waitFor();
  const packet = await evidence.textContent();
  assert.match(packet, /order-console-1/);
  assert.match(packet, new RegExp(tradeId));
  assert.match(packet, /settled/);
  assert.doesNotMatch(packet, /sk_test_|whsec_|pk_test_/, 'no secret in evidence');
  // A checkout that bound nothing says so instead of showing an empty label.
  assert.equal(await evidence.locator('dt', { hasText: /^Bindings$/ }).locator('xpath=following-sibling::dd[1]').textContent(), 'None.');
  // Each record reads from what it is and its status, not alphabetically ("Accept failure" first).
  const quoteColumns = await evidence.locator('[data-section=quotes] th').allTextContents();
  assert.deepEqual(quoteColumns.slice(0, 3), ['Quote id', 'Status', 'Source amount'], quoteColumns.join(' | '));
  await page.evaluate(() => window.scrollTo(0, 0)); // see the dashboard's shot
  await page.screenshot({ path: `${SHOTS}evidence.png`, fullPage: true });
  await page.getByTestId('lookup-id').fill('no-such-id');
  await page.getByTestId('lookup-submit').click();
  await page.getByText('Nothing has this id.').waitFor();
  // A blank lookup asks nothing, and the last answer does not stay to read as its answer.
  await page.getByTestId('lookup-id').fill('  ');
  await page.getByTestId('lookup-submit').click();
  await page.getByText('Nothing has this id.').waitFor({ state: 'detached' });

  // Dark, by the theme picker (remembered), axe-clean too.
  await page.getByLabel('Theme').selectOption('dark');
  await page.reload();
  await page.getByTestId('signed-in-as').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await cell(page, 'quote-requests').waitFor();
  await page.locator('[data-testid=ledger-rows] tr.exception').first().waitFor();
  await page.screenshot({ path: `${SHOTS}dashboard-dark.png`, fullPage: true });
  assert.deepEqual(await axeViolations(page), []);

  // Keyboard: the period buttons are reachable and work with Enter.
  await page.getByTestId('window-1h').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=window-1h]').getAttribute('aria-pressed') === 'true');

  // Signing out ends the session on the server, not only in this tab.
  await page.getByTestId('sign-out').click();
  await page.getByTestId('console-user').waitFor();
  assert.equal((await page.request.get(`${server.url}/api/partner/alerts`)).status(), 401);
  assert.deepEqual(page.problems.filter((p) => !/status of 401/.test(p)), []);
});

test('a phone-sized screen gets the same console, readable', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/console/`);
  await page.getByTestId('console-user').fill('finance');
  await page.getByTestId('console-password').fill(PASSWORD);
  await page.getByTestId('sign-in').click();
  await cell(page, 'quote-requests').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px (tables scroll inside their own region)`);
  await page.screenshot({ path: `${SHOTS}phone.png`, fullPage: true });
  // The ledger's rows stack: every row's amount on screen, not behind a sideways scroll.
  const amounts = page.locator('[data-testid=ledger-rows] tr[data-ledger-id] td[data-label=Amount]');
  await amounts.first().waitFor();
  for (const box of await Promise.all((await amounts.all()).map((a) => a.boundingBox()))) {
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `a ledger amount is on screen: ${JSON.stringify(box)}`);
  }
  await page.locator('[data-testid=ledger-rows]').screenshot({ path: `${SHOTS}phone-ledger.png` });
  assert.deepEqual(await axeViolations(page), []);
});
