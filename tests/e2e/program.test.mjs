// The partner program, as its people and its users see it: the console's go-live
// checklist (each item's evidence and what to do), an alert acknowledged and then
// resolved with a note in the console; in the widget, a first order capped before
// the user types (and refused in the deck's words when over), and an order beyond
// the partner's balance answered as the headroom state before anyone confirms.
// Against the real server and its sandbox; screenshots looked at; axe-clean.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, axeViolations } from './harness.mjs';

const SHOTS = new URL('./screenshots/program/', import.meta.url).pathname;
const PARTNER_KEY = 'pk_e2e_program_0123456789';
const PASSWORD = 'program-console-password';
const DEST = 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE';
let host;
let hostUrl;
let server;
let browser;
let secrets;

before(async () => {
  // The partner's page on its own origin: mounts the widget with the token its backend minted.
  host = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
      <title>Partner checkout</title><link rel="icon" href="data:,">
      <script type="module">
        import { QuoteWidget } from '${url.searchParams.get('api')}/embed.js';
        QuoteWidget.mount(document.getElementById('slot'), {
          locale: ${JSON.stringify(url.searchParams.get('locale') ?? 'en')}, getSessionToken: async () => ${JSON.stringify(url.searchParams.get('token'))},
        });
      </script></head><body><main><h1>Pay your order</h1><div id="slot"></div></main></body></html>`);
  });
  await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${host.address().port}`;
  secrets = mkdtempSync(join(tmpdir(), 'qw-program-'));
  writeFileSync(join(secrets, 'password'), `${PASSWORD}\n`);
  server = await startServer({
    DEMO_MODE: 'false',
    EMBEDDED_SANDBOX: 'true',
    PARTNER_API_KEY: PARTNER_KEY,
    CORS_ALLOWED_ORIGINS: hostUrl,
    CONSOLE_USER: 'support',
    CONSOLE_PASSWORD_FILE: join(secrets, 'password'),
    CONSOLE_DIR: process.env.QW_CONSOLE_DIR ?? 'dist-console',
    CONSOLE_COOKIE_SECURE: 'false',
    PROGRAM_ID: 'lp_partner_01',
    PROGRAM_PRODUCT: 'neobank_stablecoin_buy',
    PROGRAM_APPROVED_POOLS: 'EUR-USDT',
    PROGRAM_FIRST_ORDER_LIMIT: '500.00',
    // A small balance: 1,200 USDT, below the alert threshold (an incident to handle)
    // and less than a 2,000 USDT order (the headroom state).
    SANDBOX_STARTING_BALANCES: 'USDT=1200.00,USDC=25000.00',
    ALERT_BALANCE_BELOW: '1500',
  });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterEach(async () => { await browser?.closePages(); });
after(async () => {
  await browser?.close();
  await server?.stop();
  host?.close();
  rmSync(secrets, { recursive: true, force: true });
});

/** The partner's backend mints a checkout for its user; the widget's token. */
async function checkoutFor(user) {
  const r = await fetch(`${server.url}/api/checkouts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PARTNER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ partner_user_id: user, pool_id: 'EUR-USDT', network: 'tron', destination_address: DEST }),
  });
  const created = await r.json();
  assert.equal(r.status, 201, JSON.stringify(created));
  return created.client_token;
}

/** The user's order, placed through the API as the widget would (quote, accept). */
async function convert(token) {
  const call = async (path, body) => {
    const r = await fetch(`${server.url}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  };
  const firm = await call('/api/quotes', { pool_id: 'EUR-USDT', side: 'buy', amount: '100.00', currency: 'EUR', quote_type: 'firm', network: 'tron', destination_address: DEST });
  assert.equal(firm.status, 200, JSON.stringify(firm.body));
  const accepted = await call(`/api/quotes/${firm.body.quote_id}/accept`, {});
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
}

async function widget(token, locale = 'en') {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 520, height: 900 });
  await page.goto(`${hostUrl}/?api=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&locale=${locale}`);
  await page.getByTestId('amount').waitFor();
  return page;
}

async function signIn() {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.url}/console/`);
  await page.getByTestId('console-user').fill('support');
  await page.getByTestId('console-password').fill(PASSWORD);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('signed-in-as').waitFor();
  return page;
}

test('a first order is capped before the user types, and an amount over the cap says so in the deck\'s words', async () => {
  const page = await widget(await checkoutFor('user_first'));
  await page.getByText('Your first order: 10.00 to 500.00 USDT').waitFor();
  // Paying in USDT, the widget knows at once.
  await page.getByText('Sell USDT for EUR').click();
  await page.getByTestId('amount').fill('800.00');
  await page.getByText('Your first order can be worth up to 500.00 USDT. Enter a smaller amount.').waitFor();
  assert.equal(await page.getByTestId('amount').getAttribute('aria-invalid'), 'true');
  await page.screenshot({ path: `${SHOTS}first-order-cap.png` });
  assert.deepEqual(await axeViolations(page), []);
  // Paying in EUR, the server's answer says it (480 EUR is over 500 USDT), same words.
  await page.getByText('Buy USDT with EUR').click();
  await page.getByTestId('amount').fill('480.00');
  await page.getByTestId('get-firm-quote').click();
  await page.getByText('Your first order can be worth up to 500.00 USDT. Enter a smaller amount.').waitFor();
  assert.equal(await page.getByTestId('firm-quote').count(), 0, 'no quote offered over the cap');
  assert.deepEqual(page.problems, []);

  // In German, the same state in the team's German.
  const de = await widget(await checkoutFor('user_first_de'), 'de');
  await de.getByText('Ihr erster Auftrag: 10,00 bis 500,00 USDT').waitFor();
  await de.screenshot({ path: `${SHOTS}first-order-cap-de.png` });
});

test('an order beyond the partner\'s balance is the headroom state while the user types, never pool_dry after confirming', async () => {
  // A second order of the same user: no first-order cap, the balance decides.
  await convert(await checkoutFor('user_second'));
  const page = await widget(await checkoutFor('user_second'));
  await page.getByText('Orders worth 10.00 to 5,000.00 USDT').waitFor();
  await page.getByText('Sell USDT for EUR').click();
  await page.getByTestId('amount').fill('2000.00');
  await page.getByText('We cannot convert this much right now. Try a smaller amount, or try again later.').waitFor();
  await page.screenshot({ path: `${SHOTS}headroom-preview.png` });
  assert.deepEqual(await axeViolations(page), []);
  // Asked for anyway: the same state, with its retry, and no quote to accept.
  await page.getByTestId('get-firm-quote').click();
  const panel = page.getByTestId('unavailable');
  await panel.waitFor();
  assert.equal(await panel.getAttribute('data-reason'), 'headroom');
  await page.screenshot({ path: `${SHOTS}headroom-unavailable.png` });
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.problems, []);
});

test('the console shows the go-live checklist with its evidence, and an alert is acknowledged then resolved with a note', async () => {
  const page = await signIn();
  const checklist = page.getByTestId('checklist');
  await checklist.waitFor();
  // The record's own fields, from the configuration.
  await page.getByTestId('program-records').getByText('lp_partner_01').waitFor();
  assert.equal(await page.getByTestId('first-order-limit').textContent(), '500.00 USDT');
  // Funding: 1,200 USDT is below the 1,500 alert threshold: not ready, and what to do.
  const funding = checklist.locator('[data-item=funding]');
  assert.equal(await funding.getAttribute('data-state'), 'not_ready');
  assert.match(await funding.textContent(), /USDT available 1,200\.00 \(alert below 1,500\.00\)/);
  assert.match(await funding.textContent(), /Top up the balance/);
  assert.equal(await checklist.locator('[data-item=support]').getAttribute('data-state'), 'ready', 'a console sign-in and the runbook answering');
  assert.equal(await checklist.locator('[data-item=approved_messaging]').getAttribute('data-state'), 'to_review');
  await page.locator('#readiness').screenshot({ path: `${SHOTS}readiness.png` });
  assert.deepEqual(await axeViolations(page), []);

  // The honest label on utilization.
  await page.getByTestId('utilization-scope').waitFor();
  assert.match(await page.getByTestId('utilization-scope').textContent(), /not 0Pools' capacity or inventory, and not a promise/);

  // The low balance opened an incident: acknowledge it, then resolve it with a note.
  const incident = page.locator('[data-testid=incidents] [data-kind=balance_low]').first();
  await incident.waitFor();
  assert.equal(await incident.getAttribute('data-state'), 'open');
  await page.locator('#alerts').screenshot({ path: `${SHOTS}incident-open.png` });
  await incident.getByTestId('acknowledge').click();
  await page.locator('[data-testid=incidents] [data-kind=balance_low][data-state=acknowledged]').waitFor();
  const acknowledged = page.locator('[data-testid=incidents] [data-kind=balance_low][data-state=acknowledged]').first();
  assert.match(await acknowledged.textContent(), /Acknowledged by support/);
  // A note being written survives the console's refresh (the 15 s clock and the Refresh
  // button read the alerts again): the person writing it keeps the text, in the same field.
  const draft = acknowledged.getByTestId('incident-note');
  await draft.fill('Looking into it');
  await draft.evaluate((el) => { el.dataset.probe = 'before-refresh'; });
  // The next alerts answer carries a mark, so the test sees when it has been rendered.
  await page.route('**/api/partner/alerts', async (route) => {
    const response = await route.fetch();
    const report = await response.json();
    assert.ok(report.active.length > 0, 'the low balance is an active alert');
    report.active[0].message += ' (read again)';
    await route.fulfill({ response, json: report });
  });
  await page.getByTestId('refresh').click();
  await page.getByTestId('active-alerts').getByText('(read again)').waitFor();
  await page.unroute('**/api/partner/alerts');
  assert.equal(await draft.inputValue(), 'Looking into it');
  assert.equal(await draft.getAttribute('data-probe'), 'before-refresh', 'the same field, not a new one');
  // Resolving without a note is refused in place.
  await acknowledged.getByTestId('incident-note').fill('');
  await acknowledged.getByTestId('resolve').click();
  await acknowledged.getByText('Write what was found or done before resolving.').waitFor();
  await acknowledged.getByTestId('incident-note').fill('Topped up 5,000 USDT, ticket 4512.');
  // Its id is read before resolving: once resolved, nothing matches `acknowledged` any more, so
  // reading it afterwards raced the console's refresh (CI timed out there once).
  const resolvedId = await acknowledged.getAttribute('data-incident');
  await acknowledged.getByTestId('resolve').click();
  // Resolved: it leaves the open list (the balance is still low, so a new one opens).
  await page.locator(`[data-testid=incidents] [data-incident="${resolvedId}"]`).waitFor({ state: 'detached' });
  const review = page.getByTestId('review-incidents');
  await review.getByText('Note: Topped up 5,000 USDT, ticket 4512.').waitFor({ timeout: 20_000 });
  await page.locator('#review').screenshot({ path: `${SHOTS}review.png` });
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.problems, []);
});
