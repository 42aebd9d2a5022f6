// The bench's one definition of "ready": a script that runs in a page before its own
// scripts and notes the first frame at which an enabled Amount field exists, looking
// inside shadow roots, where the widget renders. It sets `window.__amountReadyAt` to
// milliseconds since navigation and `window.__amountReadyEpoch` to the wall clock.
export const AMOUNT_READY_PROBE = `(() => {
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
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;
