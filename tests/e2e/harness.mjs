// Shared end-to-end plumbing: start the real server (with its embedded sandbox) on a
// free port and a temporary database, and drive Debian's Chromium with Playwright.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const SERVER_BIN = process.env.QW_SERVER_BIN ?? 'target/debug/quote-server';
const WIDGET_DIR = process.env.QW_WIDGET_DIR ?? 'dist';

/** Starts the server; resolves once it printed its URL. */
export async function startServer(env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'qw-e2e-'));
  const child = spawn(SERVER_BIN, ['run'], {
    env: {
      ...process.env,
      LISTEN_ADDR: '127.0.0.1:0',
      DEMO_MODE: 'true',
      DATABASE_URL: `sqlite://${join(dir, 'e2e.db')}`,
      WIDGET_DIR,
      RUST_LOG: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      output += d;
      const m = stdout.match(/Quote widget ready at (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before it was ready:\n${output}`)));
  });
  return {
    url,
    logs: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium with the flags this machine needs (root, no network). */
export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'qw-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    // Colour transitions would make axe's contrast checks depend on timing; reduced
    // motion turns them off (and exercises that path of the stylesheet).
    reducedMotion: 'reduce',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const problems = [];
      page.on('console', (m) => {
        // A 4xx answer (limits, expiry, an unavailable session) is a product state the
        // widget handles; Chromium still logs it. Anything else is a problem.
        if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
          problems.push(`console: ${m.text()}`);
        }
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.problems = problems;
      return page;
    },
    /** Closes every page, so no widget of one test lives on into the next. */
    async closePages() {
      for (const page of context.pages()) await page.close();
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = new URL('../../node_modules/axe-core/axe.min.js', import.meta.url).pathname;

/** Runs axe-core (WCAG 2.1 A/AA and best practices) on the page; returns readable violations. */
export async function axeViolations(page, context = 'body') {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE_SOURCE });
  }
  const result = await page.evaluate(async (ctx) => window.axe.run(ctx, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }), context);
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Types an amount and waits for its estimate. */
export async function previewFor(page, amount) {
  await page.getByTestId('amount').fill(amount);
}

/** Fills the form for a firm quote and asks for it. */
export async function lockFirmQuote(page, { amount = '100.00', destination = 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE' } = {}) {
  await page.getByTestId('amount').fill(amount);
  await page.getByTestId('destination').fill(destination);
  await page.getByTestId('get-firm-quote').click();
}
