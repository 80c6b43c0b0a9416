import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '@koryu/devstack';
import { DEMO_PASSWORD } from '@koryu/persistence';
import { HttpClient } from './http-client';
import { freePort, spawnService, waitForStatus } from './processes';
import { createTestDatabase, testRedisUrl } from './test-database';


export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now (QUALITY.md, Usability). */
export async function seriousAxeViolations(page: Page): Promise<{ id: string; help: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol: a script tag would be refused by the UI's CSP (script-src 'self').
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run({ resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, help: violation.help, targets: violation.nodes.map((node) => node.target.join(' ')) }));
}

/** The text of the element once it shows (assertions stay jest's, not Playwright's own `expect`). */
export async function textOf(locator: Locator): Promise<string> {
  await locator.waitFor();
  return (await locator.innerText()).trim();
}

/** The text of the elements a control's aria-describedby names (its hint and its messages). */
export async function describedText(control: Locator): Promise<string> {
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  const texts: string[] = [];
  for (const id of ids) texts.push(await control.page().locator(`[id="${id}"]`).innerText());
  return texts.join('\n');
}

/** Polls `condition` every 100 ms; fails after `timeoutMs`. */
export async function waitForCondition(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A demo user signs in on the login page (sent on to `next` when given); waits until the app has left it. */
export async function signInAs(page: Page, base: string, email: string, next?: string): Promise<void> {
  await page.goto(`${base}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('メールアドレス').fill(email);
  await page.getByLabel('パスワード').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** The day `days` from now, as YYYY-MM-DD. */
export function dayFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export interface WebUi {
  base: string;
  http: HttpClient;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * What a web UI test file drives: the built API (`dist/apps/api/main.js`, which serves dist/web)
 * as its own process with the demo data on a fresh database, and one headless Chromium.
 */
export async function startWebUi(dataDirPrefix: string): Promise<WebUi> {
  const database = await createTestDatabase();
  const port = await freePort();
  const api = spawnService('api', { NODE_ENV: 'test', DATABASE_URL: database.url, REDIS_URL: testRedisUrl(), KORYU_DATA_DIR: mkdtempSync(join(tmpdir(), dataDirPrefix)), KORYU_DEMO: '1', LOG_LEVEL: 'warn' }, port);
  const base = `http://127.0.0.1:${port}`;
  await waitForStatus(`${base}/api/v1/health/ready`, 60_000);
  const browser = await launchChromium();
  return {
    base,
    http: new HttpClient(base),
    browser,
    stop: async () => {
      await browser.close();
      await api.stop();
      await database.drop();
    },
  };
}

/**
 * The Jest hooks of a web UI test file: the web UI started once for the file (startWebUi), a fresh
 * browser context (its own cookies and storage) and page before each test, handed to `onPage`,
 * closed after it, and everything stopped at the end. Call it inside the file's describe, before
 * the file's own beforeAll (which then finds `web` started).
 */
export function webUiPerTest(dataDirPrefix: string, onPage: (page: Page) => void, viewport = { width: 1280, height: 900 }): { readonly web: WebUi } {
  let web: WebUi | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    web = await startWebUi(dataDirPrefix);
  });
  beforeEach(async () => {
    context = await (web as WebUi).browser.newContext({ viewport });
    onPage(await context.newPage());
  });
  afterEach(async () => {
    await context?.close();
  });
  afterAll(async () => {
    await web?.stop();
  });
  return {
    get web(): WebUi {
      if (!web) throw new Error('the web UI is not started yet: read `web` in a hook or a test');
      return web;
    },
  };
}
