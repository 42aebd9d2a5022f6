// The TypeScript declarations product teams get (embed/embed.d.ts): a host snippet
// (tests/types/host.ts) must type-check against them with tsc, and the same snippet
// must fail once a field is renamed in them, so the check can catch a drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = new URL('../../', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules/.bin/tsc');
const run = promisify(execFile);

/** tsc on a copy of tests/types with the given declarations: { ok, output }. */
async function typeCheck(declarations) {
  const dir = mkdtempSync(join(tmpdir(), 'qw-types-'));
  try {
    mkdirSync(join(dir, 'embed'));
    mkdirSync(join(dir, 'tests'));
    cpSync(join(ROOT, 'tests/types'), join(dir, 'tests/types'), { recursive: true });
    writeFileSync(join(dir, 'embed/embed.d.ts'), declarations);
    try {
      const { stdout } = await run(TSC, ['-p', join(dir, 'tests/types')]);
      return { ok: true, output: stdout };
    } catch (e) {
      return { ok: false, output: `${e.stdout}${e.stderr}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const declarations = readFileSync(join(ROOT, 'embed/embed.d.ts'), 'utf8');

test('a host snippet type-checks against embed.d.ts (and its @ts-expect-error lines are errors)', async () => {
  const { ok, output } = await typeCheck(declarations);
  assert.ok(ok, output);
});

test('renaming an event field in embed.d.ts fails the host snippet', async () => {
  const renamed = declarations.replace(/(export interface TerminalDetail \{\s*)trade_id:/, '$1tradeId:');
  assert.notEqual(renamed, declarations);
  const { ok, output } = await typeCheck(renamed);
  assert.equal(ok, false);
  assert.match(output, /trade_id/);
});

test('renaming a mount option in embed.d.ts fails the host snippet', async () => {
  const renamed = declarations.replace('  partnerReference?: string;', '  orderReference?: string;');
  assert.notEqual(renamed, declarations);
  const { ok, output } = await typeCheck(renamed);
  assert.equal(ok, false);
  assert.match(output, /partnerReference/);
});
