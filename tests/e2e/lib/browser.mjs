// The browser of the end-to-end tests: Debian's chromium driven by playwright-core (a
// devDependency of web/, which never downloads a browser of its own), and the helpers every
// browser test uses.
//
// Env: SB_CHROMIUM (default /usr/bin/chromium). Screenshots go to build/e2e/.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository's root. */
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where screenshot() writes. */
export const shotDir = path.join(repo, 'build', 'e2e');
/** The chromium binary the tests drive. */
export const CHROMIUM = process.env.SB_CHROMIUM || '/usr/bin/chromium';

let chromium = null;
try {
  ({ chromium } = createRequire(path.join(repo, 'web', 'package.json'))('playwright-core'));
} catch {
  /* reported by browserMissing() */
}

/** Why no browser can be launched here (a sentence), or null when one can. */
export function browserMissing() {
  if (!fs.existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM}`;
  if (!chromium) return 'playwright-core is not installed (cd web && npm ci)';
  return null;
}

/** Launches headless chromium; launch() gives each run a fresh temporary profile. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Retries `fn` until it returns without throwing, or throws its last error after `timeout` ms. */
export async function eventually(fn, { timeout = 8000, interval = 100, what = 'condition' } = {}) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) {
      if (last) last.message = `${what} not met within ${timeout} ms: ${last.message}`;
      throw last ?? new Error(`${what} not met within ${timeout} ms`);
    }
    await sleep(interval);
  }
}

/** Saves a screenshot of `page` as build/e2e/<name>.png. */
export async function screenshot(page, name) {
  await fs.promises.mkdir(shotDir, { recursive: true });
  await page.screenshot({ path: path.join(shotDir, `${name}.png`) });
}
