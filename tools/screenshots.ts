/**
 * `npm run screenshots`: the README's screenshots of the web UI, taken from the real system with
 * the demo data (a throwaway embedded PostgreSQL and redis-server, the built API and worker) in
 * Debian's Chromium, into docs/screenshots/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { delay, ensureRedis, findFreePort, launchChromium, startEmbeddedPostgres } from '@koryu/devstack';
import { DEMO_PASSWORD } from '@koryu/persistence';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'docs', 'screenshots');

function service(name: 'api' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'dist', 'apps', name, 'main.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function ready(base: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (await fetch(`${base}/api/v1/health/ready`).then((r) => r.ok, () => false)) return;
    await delay(100);
  }
  throw new Error(`${base} did not become ready`);
}

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
  process.stdout.write(`docs/screenshots/${name}.png\n`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'koryu-screenshots-'));
  const postgres = await startEmbeddedPostgres({ dataDir: join(work, 'pg'), persistent: false, database: 'koryu' });
  const redis = await ensureRedis({ url: `redis://127.0.0.1:${await findFreePort()}`, dataDir: join(work, 'redis'), persistent: false });
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, APP_BASE_URL: base, KORYU_DATA_DIR: join(work, 'data'), LOG_LEVEL: 'warn' };
  const api = service('api', { ...env, PORT: String(port), KORYU_DEMO: '1' });
  const children = [api];
  const browser = await launchChromium();
  try {
    await ready(base);
    // The worker derives the demo cases' deadlines from their events.
    const workerPort = await findFreePort();
    children.push(service('worker', { ...env, PORT: String(workerPort) }));
    await ready(`http://127.0.0.1:${workerPort}`);
    await delay(3000);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/login`);
    await shoot(page, 'login');
    await page.getByLabel('メールアドレス').fill('manager@kitakyushu.example');
    await page.getByLabel('パスワード').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('heading', { level: 1, name: '受信箱' }).waitFor();
    await shoot(page, 'inbox');

    await page.goto(`${base}/cases?program=jica-application`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await shoot(page, 'cases');

    const review = await page.request.get(`${base}/api/v1/cases?program=jica-application&state=internal-review`);
    const [jica] = ((await review.json()) as { items: { id: string }[] }).items;
    await page.goto(`${base}/cases/${jica.id}`);
    await page.getByRole('heading', { level: 2, name: '履歴' }).waitFor();
    await shoot(page, 'case', true);
    await page.getByRole('button', { name: '差戻し', exact: true }).click();
    await page.getByLabel('コメント（必須）').fill('予算の内訳（旅費）を見直してください。');
    await page.getByRole('heading', { level: 2, name: '実行できる操作' }).scrollIntoViewIfNeeded();
    await shoot(page, 'case-action');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 2, name: 'History' }).waitFor();
    await page.mouse.wheel(0, -100_000);
    await shoot(page, 'case-en');
    await page.getByRole('button', { name: '日本語' }).click();

    // A custom deadline with a reminder, reminding a colleague too.
    await page.getByRole('heading', { level: 2, name: '履歴' }).waitFor();
    await page.getByRole('button', { name: '期限を追加', exact: true }).click();
    const deadline = page.getByRole('form', { name: '期限を追加' });
    await deadline.getByRole('textbox', { name: /^件名/ }).fill('JICA国内機関との事前協議');
    await deadline.getByLabel(/^期日\s*必須/).fill(new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10));
    await deadline.getByLabel('追加するリマインダー').selectOption({ label: '3日前' });
    await deadline.getByRole('button', { name: 'リマインダーを追加' }).click();
    await deadline.getByRole('group', { name: 'ほかに知らせる人' }).getByRole('checkbox').first().check();
    await page.waitForLoadState('networkidle');
    await deadline.screenshot({ path: join(OUT, 'deadline-form.png') });
    process.stdout.write('docs/screenshots/deadline-form.png\n');
    await deadline.getByRole('button', { name: 'やめる' }).click();

    // A new JICA application: the program, its scheme, then the scheme's form.
    await page.goto(`${base}/cases/new`);
    await page.getByRole('radio', { name: 'JICA事業応募' }).check();
    await page.getByRole('radio', { name: /草の根技術協力（地域活性化特別枠）/ }).check();
    await page.getByRole('button', { name: '下書きを保存' }).waitFor();
    await page.getByRole('radio', { name: /草の根技術協力（地域活性化特別枠）/ }).evaluate((radio) => radio.scrollIntoView({ block: 'start' }));
    await shoot(page, 'case-new');

    // The secretariat's view of an open participation survey.
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.getByLabel('メールアドレス').fill('manager@nga.example');
    await page.getByLabel('パスワード').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('heading', { level: 1, name: '受信箱' }).waitFor();
    const open = await page.request.get(`${base}/api/v1/cases?program=governor-conference&state=survey-open`);
    const [conference] = ((await open.json()) as { items: { id: string }[] }).items;
    await page.goto(`${base}/cases/${conference.id}`);
    const survey = page.getByRole('heading', { level: 2, name: '参加意向調査' });
    await survey.waitFor();
    await page.waitForLoadState('networkidle');
    await survey.evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    await shoot(page, 'survey');
  } finally {
    await browser.close();
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((done) => (child.exitCode !== null ? done(undefined) : child.once('exit', done)))));
    await redis.stop();
    await postgres.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
