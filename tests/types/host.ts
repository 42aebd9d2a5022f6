// A host page's code, type-checked against embed/embed.d.ts by the test suite
// (tests/e2e/types.test.mjs runs tsc): a field renamed or removed in the
// declarations, or a wrongly typed option, fails the suite.
import QuoteWidget, { type MountOptions, type QuoteTerms, type WidgetHandle } from '../../embed/embed.js';

const options: MountOptions = {
  apiBase: 'https://pay.example.com',
  getSessionToken: async () => (await (await fetch('/checkout/session', { method: 'POST' })).json()).token,
  pool: 'EUR-USDT',
  side: 'buy',
  amount: '100.00',
  lock: ['amount', 'destination'],
  partnerReference: 'order_1042',
  locale: 'de',
  copy: { submit: 'Pay now' },
  theme: 'dark',
};
const handle: WidgetHandle = QuoteWidget.mount(document.getElementById('pay')!, options);
handle.update({ ...options, amount: '250.00', lock: 'amount, network' });
window.QuoteWidget.mount(document.body, { sessionToken: 'cs_test' }).destroy();

const receive = (terms: QuoteTerms): string => `${terms.target_amount} ${terms.target_asset} at ${terms.rate}`;

const el = document.querySelector('quote-widget')!;
el.copy = { submit: 'Pay' };
el.getSessionToken = () => 'cs_test';
el.addEventListener('quote-widget:preview', (e) => receive(e.detail.terms) + e.detail.amount + e.detail.pool_id + e.detail.side);
el.addEventListener('quote-widget:quote', (e) => e.detail.quote_id + e.detail.expires_at + receive(e.detail.terms));
el.addEventListener('quote-widget:unavailable', (e) => e.detail.reason + e.detail.retry_after_ms.toFixed(0));
el.addEventListener('quote-widget:expired', (e) => e.detail.quote_id + e.detail.expires_at);
el.addEventListener('quote-widget:accepted', (e) => e.detail.quote_id + e.detail.trade_id + e.detail.status);
el.addEventListener('quote-widget:status', (e) => e.detail.trade_id + e.detail.quote_id + e.detail.status);
el.addEventListener('quote-widget:error', (e) => e.detail.code + e.detail.message);
document.addEventListener('quote-widget:terminal', (e) => {
  const ended: 'settled' | 'failed' | 'released' = e.detail.status;
  return e.detail.trade_id + e.detail.quote_id + ended;
});

// What must not compile: each line below is an error tsc is expected to report.
// @ts-expect-error amounts are decimal strings, never numbers
QuoteWidget.mount(document.body, { amount: 100 });
// @ts-expect-error a field that cannot be locked
QuoteWidget.mount(document.body, { lock: ['wallet'] });
// @ts-expect-error an unknown option
QuoteWidget.mount(document.body, { amonut: '1' });
// @ts-expect-error events carry no such field
el.addEventListener('quote-widget:accepted', (e) => e.detail.tradeId);
