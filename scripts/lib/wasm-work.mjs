// The work a page's wasm makes its main thread do before the Amount field is ready, as
// V8 counts it: V8 compiles a wasm function only when it is first called (lazily, with
// Liftoff, on the main thread), so the functions compiled before the field is ready
// are the code the start-up ran. Unlike a time, this figure does not depend on how busy
// the machine is, so it shows a change to the start-up's work that the noisy timings
// cannot. Read from one Chromium trace per load (`v8.wasm` events, the probe's
// `amount-ready` mark), function sizes from the wasm's code section.
import { readFileSync } from 'node:fs';
import { AMOUNT_READY_PROBE, amountReadyAt } from './amount-ready.mjs';

/** The size in bytes of each function body in a wasm file, by function index. */
export function functionSizes(path) {
  const b = readFileSync(path);
  let i = 8;
  const leb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const x = b[i++];
      result += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (x < 0x80) return result;
    }
  };
  const name = () => { const n = leb(); i += n; };
  let imported = 0;
  const sizes = [];
  while (i < b.length) {
    const section = b[i++];
    const length = leb();
    const end = i + length;
    if (section === 2) {
      // Imported functions come first in the index space.
      for (let n = leb(); n > 0; n--) {
        name(); name();
        const kind = b[i++];
        if (kind === 0) { leb(); imported++; }
        else if (kind === 1) { i++; const flags = leb(); leb(); if (flags & 1) leb(); }
        else if (kind === 2) { const flags = leb(); leb(); if (flags & 1) leb(); }
        else if (kind === 3) { i += 2; }
        else if (kind === 4) { i++; leb(); }
        else throw new Error(`${path}: import kind ${kind} not understood`);
      }
    } else if (section === 10) {
      for (let n = leb(); n > 0; n--) { const size = leb(); sizes.push(size); i += size; }
    }
    i = end;
  }
  return { imported, sizes };
}

/**
 * Loads `url` once in a fresh context of `browser`, traced, and returns the wasm functions
 * compiled on the page's main thread before the Amount field was ready: their count and
 * the bytes of their bodies in `wasmPath` (the wasm file the page loads).
 */
export async function wasmWorkBeforeReady(browser, url, wasmPath) {
  const { imported, sizes } = functionSizes(wasmPath);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(AMOUNT_READY_PROBE);
    await browser.startTracing(page, { categories: ['v8.wasm', 'blink.user_timing', '__metadata'] });
    await amountReadyAt(page, url, 30_000);
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
    const events = trace.traceEvents ?? trace;
    const mark = events.find((e) => e.name === 'amount-ready');
    if (!mark) throw new Error(`${url}: the trace has no amount-ready mark`);
    // The compiles on the thread that set the mark (the page's main thread) before it.
    const compiled = events.filter((e) => e.name === 'wasm.CompileLazy' && e.pid === mark.pid && e.tid === mark.tid && e.ts < mark.ts);
    const indices = new Set(compiled.map((e) => e.args.func_index));
    let bytes = 0;
    for (const index of indices) bytes += sizes[index - imported] ?? 0;
    return { functions: indices.size, bytes, totalFunctions: sizes.length, totalBytes: sizes.reduce((a, b) => a + b, 0) };
  } finally {
    await context.close();
  }
}
