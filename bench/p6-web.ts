/**
 * P6: the web UI's first page ships ≤ 300 KB of compressed JavaScript and becomes interactive in
 * ≤ 1.5 s in headless Chromium on localhost.
 *
 * The API (`node dist/apps/api/main.js`, the production build with the demo data) serves the UI.
 * Each load runs in a fresh browser context (empty cache, no cookies), as a first visit does:
 * - the sign-in page (`/login`, the first page a signed-out user sees; mails link to `/cases/:id`,
 *   which sends a signed-out user there too): the JavaScript it loads, gzip-compressed as a server
 *   or proxy would send it, and the time from navigation start until its form can be used;
 * - the inbox (`/`, the first page after signing in): the same, until its heading and content show.
 * For scale, the same browser opens a blank static page from the same server in the same run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext } from 'playwright-core';
import { findFreePort, launchChromium } from '@koryu/devstack';
import { DEMO_PASSWORD } from '../libs/persistence/demo-accounts';
import { median, percentile } from './lib/environment';
import { type BenchOptions, freshDatabase, serviceNodeArgs, startService, stopService, waitUntilReady } from './lib/services';

const ROOT = resolve(__dirname, '..', '..');
const JS_BUDGET_BYTES = 300 * 1024;
const INTERACTIVE_BUDGET_MS = 1500;
const LOADS = 15;

interface PageLoad {
  /** ms from navigation start until the page can be used. */
  interactiveMs: number;
  /** Each JavaScript file the page loaded: path, bytes as built, bytes gzip-compressed. */
  scripts: { path: string; bytes: number; gzip: number }[];
}

async function load(context: BrowserContext, url: string, ready: string): Promise<PageLoad> {
  const page = await context.newPage();
  const scripts: PageLoad['scripts'] = [];
  page.on('response', (response) => {
    if (!/javascript/.test(response.headers()['content-type'] ?? '')) return;
    void response.body().then((body) => scripts.push({ path: new URL(response.url()).pathname, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length }));
  });
  await page.goto(url);
  await page.waitForSelector(ready, { state: 'visible' });
  const interactiveMs = await page.evaluate(() => performance.now());
  await page.waitForLoadState('networkidle');
  await page.close();
  return { interactiveMs, scripts };
}

export async function runP6(options: BenchOptions): Promise<{ lines: string[]; passed: boolean }> {
  for (const built of ['dist/apps/api/main.js', 'dist/web/index.html']) {
    if (!existsSync(join(ROOT, built))) throw new Error(`P6 needs the production build (${built} is missing): run npm run build`);
  }
  const databaseUrl = await freshDatabase(options.serverUrl, 'koryu_bench_p6');
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const api = startService(
    'p6-api',
    join(ROOT, 'dist', 'apps', 'api', 'main.js'),
    // Not NODE_ENV=production: its CSP asks browsers to upgrade requests to HTTPS, which plain http://127.0.0.1 cannot serve. The UI's files are the same production build either way.
    { DATABASE_URL: databaseUrl, REDIS_URL: options.redisUrl, PORT: String(port), APP_BASE_URL: base, KORYU_DEMO: '1', LOG_LEVEL: 'warn', KORYU_DATA_DIR: join(options.workDir, 'p6-api') },
    options.workDir,
    serviceNodeArgs('api', options.workDir),
  );
  let browser: Browser | undefined;
  try {
    await waitUntilReady('p6-api', base, api, options.workDir);
    browser = await launchChromium();
    const fresh = () => (browser as Browser).newContext({ viewport: { width: 1280, height: 800 } });

    const blank: number[] = [];
    const signIn: PageLoad[] = [];
    const inbox: PageLoad[] = [];
    for (let i = 0; i < LOADS; i += 1) {
      const context = await fresh();
      const page = await context.newPage();
      // A missing asset answers a tiny static 404 from the same server: the browser's floor for one request and a paint.
      await page.goto(`${base}/assets/p6-blank.txt`);
      blank.push(await page.evaluate(() => performance.now()));
      await page.close();
      signIn.push(await load(context, `${base}/login`, 'form button[type=submit]'));
      const signedIn = await context.request.post(`${base}/api/v1/auth/login`, { data: { email: 'staff@okinawa.example', password: DEMO_PASSWORD } });
      if (!signedIn.ok()) throw new Error(`P6: sign-in failed with ${signedIn.status()}`);
      inbox.push(await load(context, `${base}/`, 'main h1'));
      await context.close();
    }

    const firstLoad = (loads: PageLoad[]) => loads[0].scripts;
    const total = (scripts: PageLoad['scripts']) => scripts.reduce((sum, s) => ({ bytes: sum.bytes + s.bytes, gzip: sum.gzip + s.gzip }), { bytes: 0, gzip: 0 });
    const sorted = (loads: PageLoad[]) => loads.map((l) => l.interactiveMs).sort((a, b) => a - b);
    const loginJs = total(firstLoad(signIn));
    const inboxJs = total(firstLoad(inbox));
    const worstJs = Math.max(loginJs.gzip, inboxJs.gzip);
    const loginTimes = sorted(signIn);
    const inboxTimes = sorted(inbox);
    const worstP95 = Math.max(percentile(loginTimes, 95), percentile(inboxTimes, 95));
    const passed = worstJs <= JS_BUDGET_BYTES && worstP95 <= INTERACTIVE_BUDGET_MS;
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const chromiumVersion = browser.version();
    const scriptRows = (name: string, scripts: PageLoad['scripts']) => scripts.map((s) => `| ${name} | \`${s.path}\` | ${kb(s.bytes)} | ${kb(s.gzip)} |`);
    return {
      passed,
      lines: [
        '## P6: the web UI\'s first page',
        '',
        `Bar: ≤ 300 KB of compressed JavaScript, interactive in ≤ 1.5 s in headless Chromium on localhost. **${passed ? 'Met' : 'Missed'}: at most ${kb(worstJs)} of JavaScript (gzip), interactive p95 at most ${ms(worstP95)}.**`,
        '',
        `Chromium ${chromiumVersion} (headless, Debian's), ${LOADS} first visits, each in a fresh browser context (empty cache, no cookies), 1280×800, against the production build (\`npm run build\`) served by the API (\`node dist/apps/api/main.js\`, demo data).`,
        '',
        '| page | ready when | JavaScript as built | gzip | interactive p50 | p95 | max |',
        '|---|---|---|---|---|---|---|',
        `| sign-in \`/login\` | its form's submit button shows | ${kb(loginJs.bytes)} | ${kb(loginJs.gzip)} | ${ms(median(loginTimes))} | ${ms(percentile(loginTimes, 95))} | ${ms(loginTimes.at(-1) ?? NaN)} |`,
        `| inbox \`/\`, signed in | its heading shows | ${kb(inboxJs.bytes)} | ${kb(inboxJs.gzip)} | ${ms(median(inboxTimes))} | ${ms(percentile(inboxTimes, 95))} | ${ms(inboxTimes.at(-1) ?? NaN)} |`,
        `| a static 404 from the same server (the floor, for scale) | loaded | | | ${ms(median(blank))} | ${ms(percentile(blank.sort((a, b) => a - b), 95))} | |`,
        '',
        'Scripts of the first visit (the same on every visit: the names carry content hashes):',
        '',
        '| page | script | as built | gzip (level 9) |',
        '|---|---|---|---|',
        ...scriptRows('sign-in', firstLoad(signIn)),
        ...scriptRows('inbox', firstLoad(inbox)),
        '',
        '- "Interactive": `performance.now()` in the page (ms since navigation start) once the element shows; the UI renders its controls with their handlers in one pass, so they work from that moment.',
        '- The API compresses nothing itself (a reverse proxy does in production); the gzip column is what such a proxy sends.',
        `- Build: \`npm run build\` (Vite ${packageVersion('vite')}, Preact ${packageVersion('preact')}).`,
      ],
    };
  } finally {
    await browser?.close();
    await stopService(api);
  }
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}
