// The one script a host page loads:
//   <script type="module" src="https://YOUR-COMPANION-SERVER/embed.js"></script>
// It loads the widget (WebAssembly) from the same place, defines <quote-widget>
// and window.QuoteWidget, and points widgets at this server unless told otherwise.
const here = new URL('./', import.meta.url);
window.QuoteWidget = window.QuoteWidget || {};
window.QuoteWidget.defaultApiBase = window.QuoteWidget.defaultApiBase || here.href.replace(/\/$/, '');
if (typeof window.QuoteWidget.mount !== 'function') {
  const glue = await import(new URL('quote-widget.js', here).href);
  await glue.default({ module_or_path: new URL('quote-widget_bg.wasm', here) });
}
export const QuoteWidget = window.QuoteWidget;
export default QuoteWidget;
