// The bench's one definition of "ready": a script that runs in a page before its own
// scripts and notes the first frame at which an enabled Amount field exists, looking
// inside shadow roots, where the widget renders. It sets `window.__amountReadyAt` to
// milliseconds since navigation and `window.__amountReadyEpoch` to the wall clock, and
// resolves `window.__amountReady` with the former; a trace sees the moment as the
// user-timing mark `amount-ready`.
//
// Read it with `amountReadyAt`, not Playwright's `waitForFunction`: that injects
// Playwright's selector engine into the page while it is still starting (a trace of the
// demo checkout showed a 14 ms script on its main thread before the widget's first
// render), which a page that is ready before its load event (the static one) never pays.
export const AMOUNT_READY_PROBE = `(() => {
  let resolve;
  window.__amountReady = new Promise((r) => { resolve = r; });
  const find = (root) => {
    const el = root.querySelector('[data-testid=amount]');
    if (el) return el;
    for (const host of root.querySelectorAll('*')) {
      const found = host.shadowRoot && find(host.shadowRoot);
      if (found) return found;
    }
    return null;
  };
  const check = () => {
    const el = document.documentElement && find(document);
    if (el && !el.disabled) {
      window.__amountReadyAt = performance.now();
      window.__amountReadyEpoch = performance.timeOrigin + window.__amountReadyAt;
      performance.mark('amount-ready');
      resolve(window.__amountReadyAt);
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;

/**
 * Navigates `page` (with the probe installed) to `url` and resolves with the probe's
 * figures once the Amount field is ready, through a bare CDP `Runtime.evaluate`: nothing
 * of the harness runs in the page while it starts.
 */
export async function amountReadyAt(page, url, timeoutMs) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await page.goto(url, { waitUntil: 'commit' });
    const expression = `Promise.race([window.__amountReady.then(() => [window.__amountReadyAt, window.__amountReadyEpoch]),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no enabled Amount field within ${timeoutMs} ms')), ${timeoutMs}))])`;
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(`${url}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    const [at, epoch] = result.value;
    return { at, epoch };
  } finally {
    await cdp.detach();
  }
}
