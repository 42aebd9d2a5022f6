// The one script a host page loads:
//   <script type="module" src="https://YOUR-COMPANION-SERVER/embed.js"></script>
// It loads the widget (WebAssembly) from the same place, defines <quote-widget>
// and window.QuoteWidget, and points widgets at this server unless told otherwise.
//
// This file is short-lived in caches (its URL is the one hosts write); everything it
// loads has a content hash in its name and is cached for good. The build writes those
// names below (scripts/lib/finish-web.mjs). The glue, the modules it imports and the
// wasm are all asked for at once: no request waits for another but this one.
const here = new URL('./', import.meta.url);
const files = {
  glue: '__QW_GLUE__',
  wasm: '__QW_WASM__',
  modules: __QW_MODULES__,
  locales: __QW_LOCALES__,
};
window.QuoteWidget = window.QuoteWidget || {};
window.QuoteWidget.defaultApiBase = window.QuoteWidget.defaultApiBase || here.href.replace(/\/$/, '');
window.QuoteWidget.locales = Object.fromEntries(Object.entries(files.locales).map(([tag, path]) => [tag, new URL(path, here).href]));
// Where a widget will sit, its first size is held before the wasm arrives, so the
// host's page does not move when it appears (the widget's own styles match it).
if (!document.getElementById('qw-reserve')) {
  const reserve = document.createElement('style');
  reserve.id = 'qw-reserve';
  reserve.textContent = 'quote-widget{display:block;min-height:var(--qw-min-height,41rem)}';
  document.head.append(reserve);
}
if (typeof window.QuoteWidget.mount !== 'function') {
  for (const module of [files.glue, ...files.modules]) {
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = new URL(module, here).href;
    document.head.append(link);
  }
  // Compiled as it downloads (and while the glue arrives), not after both are here. A
  // CDN that serves the wasm without `application/wasm` makes streaming refuse it: then
  // the glue gets a plain download and compiles it the slow way.
  const url = new URL(files.wasm, here);
  const wasm = WebAssembly.compileStreaming ? WebAssembly.compileStreaming(fetch(url)).catch(() => fetch(url)) : fetch(url);
  const glue = await import(new URL(files.glue, here).href);
  await glue.default({ module_or_path: wasm });
}
export const QuoteWidget = window.QuoteWidget;
export default QuoteWidget;
