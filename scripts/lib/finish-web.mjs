// Finishes what scripts/build-web.sh built, as a CDN would serve it:
//   1. each locale's copy (core/locales/<tag>.json) into dist/locales/, hashed;
//   2. embed.js told the hashed names of the widget's glue, the modules the glue
//      imports, the wasm and the locale files (it refuses to leave a name unset);
//   3. every JS file minified (terser; Trunk minifies HTML and CSS but not the
//      wasm-bindgen glue), the pages' integrity hashes (SRI) updated to match;
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
console.error(`[build] embed.js → ${glue}, ${wasm}, ${modules.length} module(s), ${Object.keys(locales).length} locale(s); ${minified} JS file(s) minified; ${streamed} page(s) compile while downloading; ${count} file(s) precompressed`);
