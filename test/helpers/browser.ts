import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { WEB_ASSETS_DIR } from '../../src/http/web';

/** Debian's Chromium (.ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests write their screenshots, for a person to look at (git-ignored). */
export const RESULTS_DIR = path.resolve(__dirname, '../../test-results');

/**
 * Browser tests need Chromium and the built pages. Without Chromium they are skipped with a
 * message, except on CI (CI=true), where that is a failure.
 */
export function browserTestsAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') return true; // the tests run, and fail on the missing browser
  console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it).`);
  return false;
}

export function assertBuilt(): void {
  for (const page of ['graphiql', 'dashboard']) {
    if (!existsSync(path.join(WEB_ASSETS_DIR, page, 'index.html'))) {
      throw new Error(`dist/web/${page} is not built: run npm run build (npm test builds it first)`);
    }
  }
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Every request the pages made to anything but this machine's loopback. */
  external: string[];
  /** Errors the pages threw or logged. */
  errors: string[];
  close(): Promise<void>;
}

const LOCAL = /^(https?|wss?):\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;
const INLINE = /^(data|blob|about):/;

/**
 * Headless Chromium with a fresh profile, as on a machine with no other network: any request
 * for a non-loopback address is recorded and refused.
 */
export async function launchBrowser(options: { timezoneId?: string } = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install it with apt-get install -y chromium (.ci/run does)`);
  const profile = await mkdtemp(path.join(os.tmpdir(), 'meterql-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    locale: 'en-US',
    timezoneId: options.timezoneId ?? 'UTC',
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
  const external: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (LOCAL.test(url) || INLINE.test(url)) return route.continue();
    external.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (request) => {
    const url = request.url();
    if (!LOCAL.test(url) && !INLINE.test(url) && !external.includes(url)) external.push(url);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  return {
    context,
    page,
    external,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
