// Finishes what scripts/build-web.sh built, as a CDN would serve it:
//   1. each locale's copy (core/locales/<tag>.json) into dist/locales/, hashed;
//   2. embed.js told the hashed names of the widget's glue, the modules the glue
//      imports, the wasm and the locale files (it refuses to leave a name unset);
//   3. every JS file minified (terser; Trunk minifies HTML and CSS but not the
//      wasm-bindgen glue), the pages' integrity hashes (SRI) updated to match;
//   3a. the wasm's imports from its glue renamed to short names, in both files;
//   3b. Trunk's pages start compiling their wasm as it downloads;
//   4. every asset precompressed next to itself: Brotli at its highest quality
//      (.br) and gzip -9 (.gz), kept only when smaller.
//   node scripts/lib/finish-web.mjs dist dist-console
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, statSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { join, extname, basename } from 'node:path';
import { minify } from 'terser';

const [widgetDir, ...others] = process.argv.slice(2);
if (!widgetDir) throw new Error('usage: finish-web.mjs <widget dist> [other dist…]');
const root = new URL('../../', import.meta.url).pathname;
const hash = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

// 1. Locale files, hashed.
const localesOut = join(widgetDir, 'locales');
rmSync(localesOut, { recursive: true, force: true });
mkdirSync(localesOut, { recursive: true });
const locales = {};
for (const file of readdirSync(join(root, 'core/locales')).filter((f) => f.endsWith('.json')).sort()) {
  const bytes = readFileSync(join(root, 'core/locales', file));
  JSON.parse(bytes); // a broken file stops the build
  const tag = basename(file, '.json');
  const name = `${tag}-${hash(bytes)}.json`;
  writeFileSync(join(localesOut, name), bytes);
  locales[tag] = `locales/${name}`;
}
// The same addresses for a page that did not load embed.js (revalidated, not hashed).
writeFileSync(join(localesOut, 'index.json'), `${JSON.stringify(locales)}\n`);

// 2. embed.js: the hashed names.
const top = readdirSync(widgetDir);
const one = (pattern, what) => {
  const found = top.filter((f) => pattern.test(f));
  if (found.length !== 1) throw new Error(`expected one ${what} in ${widgetDir}, found ${JSON.stringify(found)}`);
  return found[0];
};
const glue = one(/^quote-widget-[0-9a-f]{8,16}\.js$/, 'hashed JS glue');
const wasm = one(/^quote-widget-[0-9a-f]{8,16}_bg\.wasm$/, 'hashed wasm');
const glueText = readFileSync(join(widgetDir, glue), 'utf8');
const modules = [...glueText.matchAll(/from\s*["'](\.\/snippets\/[^"']+)["']/g)].map((m) => m[1].replace(/^\.\//, ''));
for (const m of modules) if (!existsSync(join(widgetDir, m))) throw new Error(`the glue imports ${m}, which is not in ${widgetDir}`);
const embedPath = join(widgetDir, 'embed.js');
let embed = readFileSync(embedPath, 'utf8');
const names = {
  "'__QW_GLUE__'": JSON.stringify(glue),
  "'__QW_WASM__'": JSON.stringify(wasm),
  __QW_MODULES__: JSON.stringify(modules),
  __QW_LOCALES__: JSON.stringify(locales),
};
for (const [token, value] of Object.entries(names)) {
  if (!embed.includes(token)) throw new Error(`embed.js has no ${token} to fill`);
  embed = embed.replace(token, value);
}
if (/__QW_/.test(embed)) throw new Error('embed.js still has a name the build did not fill');
writeFileSync(embedPath, embed);

// 3. Minified JS, and the pages' SRI hashes of what changed.
const walk = (dir) => readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const replaced = new Map();
let minified = 0;
for (const dir of [widgetDir, ...others]) {
  for (const path of walk(dir).filter((p) => p.endsWith('.js'))) {
    const before = readFileSync(path);
    // Modules, kept working: names a page or the glue imports stay, nothing is inlined across files.
    const out = await minify(before.toString('utf8'), { module: true, ecma: 2020, compress: { passes: 2 }, mangle: true, format: { comments: false } });
    const after = Buffer.from(out.code, 'utf8');
    if (after.length >= before.length) continue;
    writeFileSync(path, after);
    replaced.set(sri(before), sri(after));
    minified += 1;
  }
}

// 3a. Short import names. wasm-bindgen names each function the wasm imports from its
// glue `__wbg_<what>_<16 hex digits>`, and both files carry every name: 156 names and
// 5.5 KB in the widget's wasm, the same in its glue, and the hex digits are what Brotli
// cannot shrink (measured 2026-12-07: 2.1 KB of the wasm and 1.6 KB of the glue, Brotli; docs/performance.md).
// Each name becomes the shortest one free, in the wasm's import section and as the key
// of the glue's import object, where each must occur exactly once (else the build stops
// rather than guess). Nothing else in either file changes; the pages' SRI hashes follow.
let renamed = 0;
const IDENT = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const shortName = (n) => { let out = ''; do { out += IDENT[n % 52]; n = Math.floor(n / 52); } while (n > 0); return out; };
for (const dir of [widgetDir, ...others]) {
  for (const wasmPath of walk(dir).filter((p) => p.endsWith('_bg.wasm'))) {
    const gluePath = wasmPath.replace(/_bg\.wasm$/, '.js');
    if (!existsSync(gluePath)) throw new Error(`${wasmPath} has no glue next to it`);
    const module = `./${basename(gluePath).replace(/-[0-9a-f]{8,16}\.js$/, '')}_bg.js`;
    const wasmBytes = readFileSync(wasmPath);
    let glueCode = readFileSync(gluePath, 'utf8');
    let next = 0;
    const rename = (field) => {
      const key = new RegExp(`([{,])${field}:`, 'g');
      const found = glueCode.match(key)?.length ?? 0;
      if (found !== 1 || glueCode.split(field).length !== 2) throw new Error(`${gluePath}: ${field} is not one key of the import object`);
      let name;
      do name = shortName(next++); while (new RegExp(`[{,]${name}:`).test(glueCode));
      glueCode = glueCode.replace(key, `$1${name}:`);
      return name;
    };
    const after = renameImports(wasmBytes, module, rename);
    writeFileSync(wasmPath, after);
    replaced.set(sri(wasmBytes), sri(after));
    const glueBefore = readFileSync(gluePath);
    writeFileSync(gluePath, glueCode);
    // The page holds Trunk's hash of the glue, which step 3 may already map to the minified one.
    const glueAfter = sri(Buffer.from(glueCode, 'utf8'));
    for (const [from, to] of replaced) if (to === sri(glueBefore)) replaced.set(from, glueAfter);
    replaced.set(sri(glueBefore), glueAfter);
    renamed += 1;
  }
}

/** The wasm with each function imported from `module` renamed by `rename(field)`. */
function renameImports(bytes, module, rename) {
  let at = 8;
  const u32 = () => { let r = 0, s = 0, b; do { b = bytes[at++]; r += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80); return r; };
  const leb = (n) => { const out = []; do { let b = n & 0x7f; n = Math.floor(n / 128); if (n > 0) b |= 0x80; out.push(b); } while (n > 0); return Buffer.from(out); };
  const text = () => { const n = u32(); const t = bytes.subarray(at, at + n).toString('utf8'); at += n; return t; };
  const str = (t) => { const b = Buffer.from(t, 'utf8'); return Buffer.concat([leb(b.length), b]); };
  const parts = [bytes.subarray(0, 8)];
  let imports = 0;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = u32();
    const end = at + size;
    if (id !== 2) { parts.push(bytes.subarray(start, end)); at = end; continue; }
    const count = u32();
    const entries = [leb(count)];
    for (let k = 0; k < count; k += 1) {
      const from = text();
      let field = text();
      const descStart = at;
      const kind = bytes[at++];
      // Functions only: a table, memory or global import would need its own decoding.
      if (kind !== 0) throw new Error(`import ${from}.${field} is not a function`);
      u32();
      if (from === module) { field = rename(field); imports += 1; }
      entries.push(str(from), str(field), bytes.subarray(descStart, at));
    }
    if (at !== end) throw new Error('import section not read to its end');
    const body = Buffer.concat(entries);
    parts.push(Buffer.from([2]), leb(body.length), body);
  }
  if (imports === 0) throw new Error(`no imports from ${module}`);
  return Buffer.concat(parts);
}

// 3b. Each page, read and written once: the SRI hashes of what step 3 minified, and, on
// Trunk's pages, the wasm compiled as it downloads. Trunk's loader hands `init` the
// wasm's address only once the glue module has run, so compiling waited for the glue and
// the page's parse (measured 2026-12-07: 10–23 ms of main thread after the download,
// while the thread sat idle during it). A classic script after the wasm's preload starts
// `compileStreaming` on that same response (same integrity, so the preload is used,
// not fetched twice) and the loader passes the compiling module to `init` instead.
let streamed = 0;
for (const dir of [widgetDir, ...others]) {
  for (const page of walk(dir).filter((p) => p.endsWith('.html'))) {
    let html = readFileSync(page, 'utf8');
    for (const [from, to] of replaced) html = html.split(from).join(to);
    const loader = html.match(/init\(\{ module_or_path: '([^']+_bg\.wasm)' \}\)/);
    if (!loader) {
      writeFileSync(page, html);
      continue;
    }
    const url = loader[1];
    const preload = html.match(new RegExp(`<link[^>]*href=${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^>]*>`));
    const integrity = preload?.[0].match(/integrity=(sha384-[A-Za-z0-9+/=]+)/)?.[1];
    if (!preload || !/rel=preload/.test(preload[0]) || !integrity) throw new Error(`${page}: no preload with integrity for ${url}`);
    const u = JSON.stringify(url);
    const start = `<script>window.__qwWasm=WebAssembly.compileStreaming?WebAssembly.compileStreaming(fetch(${u},{integrity:${JSON.stringify(integrity)}})).catch(()=>fetch(${u})):fetch(${u})</script>`;
    html = html.replace(preload[0], preload[0] + start).replace(loader[0], `init({ module_or_path: window.__qwWasm })`);
    writeFileSync(page, html);
    streamed += 1;
  }
}

// 4. Precompressed copies of everything a browser loads.
const COMPRESSIBLE = new Set(['.js', '.mjs', '.wasm', '.css', '.html', '.json', '.svg', '.ts', '.txt', '.md']);
let count = 0;
function precompress(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) { precompress(path); continue; }
    if (!COMPRESSIBLE.has(extname(entry))) continue;
    const bytes = readFileSync(path);
    const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
    const gz = gzipSync(bytes, { level: 9 });
    for (const [ext, out] of [['.br', br], ['.gz', gz]]) {
      if (out.length < bytes.length) writeFileSync(path + ext, out);
      else rmSync(path + ext, { force: true });
    }
    count += 1;
  }
}
for (const dir of [widgetDir, ...others]) precompress(dir);
console.error(`[build] embed.js → ${glue}, ${wasm}, ${modules.length} module(s), ${Object.keys(locales).length} locale(s); ${minified} JS file(s) minified; ${renamed} wasm file(s) with short import names; ${streamed} page(s) compile while downloading; ${count} file(s) precompressed`);
