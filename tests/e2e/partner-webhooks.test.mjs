// The webhooks the partner's backend receives, verified as a partner verifies them:
// with the maintained `standardwebhooks` library (npm, version-locked), against real
// deliveries of the real server. A tampered body, a delivery replayed past the
// library's five-minute tolerance and a wrong secret all fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { startServer } from './harness.mjs';

const PARTNER_KEY = 'pk_e2e_partner_webhooks_0123456789';
const SECRET = 'whsec_cXVvdGUtd2lkZ2V0LWUyZS1wYXJ0bmVyLXNlY3JldC0zMmI=';
const OTHER_SECRET = 'whsec_c29tZW9uZS1lbHNlcy1zZWNyZXQtb2YtMzItYnl0ZXM=';

/** A partner backend on a free port that keeps every delivery as received. */
async function receiver() {
  const deliveries = [];
  const waiting = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', () => {
      deliveries.push({ raw, headers: req.headers });
      waiting.splice(0).forEach((wake) => wake());
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    deliveries,
    /** Resolves once `n` deliveries arrived (or fails the test after 20 s). */
    async atLeast(n) {
      const deadline = Date.now() + 20_000;
      while (deliveries.length < n) {
        assert.ok(Date.now() < deadline, `only ${deliveries.length} of ${n} deliveries arrived`);
        await new Promise((wake) => { waiting.push(wake); setTimeout(wake, 250); });
      }
      return deliveries;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function call(base, path, token, body) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

test('partner webhooks verify with the standardwebhooks library, and nothing forged or stale does', async () => {
  const partner = await receiver();
  const server = await startServer({
    DEMO_MODE: 'false',
    EMBEDDED_SANDBOX: 'true',
    PARTNER_API_KEY: PARTNER_KEY,
    PARTNER_WEBHOOK_URL: partner.url,
    PARTNER_WEBHOOK_SECRET: SECRET,
    SANDBOX_SETTLE_DELAY_MS: '200',
  });
  try {
    const created = await call(server.url, '/api/checkouts', PARTNER_KEY, { partner_reference: 'order_e2e_webhooks' });
    const quote = await call(server.url, '/api/quotes', created.client_token, {
      pool_id: 'EUR-USDT', side: 'buy', amount: '100.00', currency: 'EUR', quote_type: 'firm',
      network: 'tron', destination_address: 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE',
    });
    const trade = await call(server.url, `/api/quotes/${quote.quote_id}/accept`, created.client_token, {});
    const deliveries = await partner.atLeast(2);

    const wh = new Webhook(SECRET);
    const types = deliveries.map(({ raw, headers }) => {
      const event = wh.verify(raw, headers);
      assert.equal(headers['webhook-id'], event.event_id, 'webhook-id is the event id to de-duplicate by');
      assert.equal(event.data.trade.trade_id, trade.trade_id);
      assert.equal(event.data.trade.partner_reference, 'order_e2e_webhooks');
      return event.type;
    });
    assert.deepEqual(types, ['trade.reserved', 'trade.settled']);

    const { raw, headers } = deliveries[1];
    assert.throws(() => wh.verify(raw.replace('"settled"', '"failed"'), headers), /signature/i, 'a tampered body fails');
    assert.throws(() => new Webhook(OTHER_SECRET).verify(raw, headers), /signature/i, 'another secret fails');
    const realNow = Date.now;
    Date.now = () => realNow() + 6 * 60 * 1000;
    try {
      assert.throws(() => wh.verify(raw, headers), /timestamp/i, 'replayed six minutes later, it is too old');
    } finally {
      Date.now = realNow;
    }
  } finally {
    await server.stop();
    await partner.close();
  }
});
