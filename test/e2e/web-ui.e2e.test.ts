/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against the built API
 * as its own process, with the demo data: signing in from a mail's case link, a manager's action
 * with its required comment, the language switch, user text shown as text (S3), and axe-core on
 * the main pages (QUALITY.md, Usability). The API is asked directly to confirm what the UI showed.
 */
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '@koryu/persistence';
import { HttpClient, seriousAxeViolations, textOf, waitForCondition, webUiPerTest } from '@koryu/testing';

const STAFF = 'staff@okinawa.example';
const MANAGER = 'manager@okinawa.example';

describe('the web UI in a browser', () => {
  let base: string;
  let http: HttpClient;
  let page: Page;
  const ui = webUiPerTest('koryu-web-', (opened) => (page = opened), { width: 1280, height: 800 });

  /** The demo's consul-general visit of 沖縄県, waiting in internal review for the manager. */
  let visit: { id: string; title: string };

  beforeAll(async () => {
    ({ base, http } = ui.web);
    const token = await http.login(MANAGER, DEMO_PASSWORD);
    const cases = await http.get<{ items: { id: string; title: string; program: string; state: string }[] }>('/api/v1/cases?program=ambassador-visit&state=internal-review', { token });
    visit = cases.body.items[0];
    expect(visit).toBeDefined();
  });

  async function signIn(email: string, password = DEMO_PASSWORD): Promise<void> {
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(password);
    await page.getByRole('button', { name: 'ログイン' }).click();
  }

  it('opens a case link (as in a mail) after signing in, and a manager returns the case with the comment it requires', async () => {
    await page.goto(`${base}/cases/${visit.id}`);
    await page.waitForURL(/\/login\?next=/);
    await signIn(MANAGER, 'not-the-password');
    expect(await textOf(page.getByRole('alert'))).toMatch(/メールアドレスまたはパスワード/);
    expect(await page.getByLabel('メールアドレス').inputValue()).toBe(MANAGER);
    await page.getByLabel('パスワード').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();

    await page.waitForURL(`${base}/cases/${visit.id}`);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(visit.title);
    for (const section of ['実行できる操作', '状態遷移図', '期限', '案件の内容', '履歴']) await page.getByRole('heading', { level: 2, name: section }).waitFor();
    expect(await page.getByRole('img', { name: /課内確認/ }).count()).toBe(1);

    await page.getByRole('button', { name: '差戻し', exact: true }).click();
    const comment = page.getByLabel('コメント（必須）');
    await page.getByRole('button', { name: '「差戻し」を実行' }).click();
    // Refused before anything is written: the field says why and has the focus; the case is still in review.
    expect(await comment.getAttribute('aria-invalid')).toBe('true');
    expect(await textOf(page.locator(`#${await comment.getAttribute('aria-describedby').then((ids) => ids?.split(' ').at(-1))}`))).toMatch(/コメント/);
    expect(await comment.evaluate((field) => field.ownerDocument.activeElement === field)).toBe(true);
    expect((await caseAsManager()).state).toBe('internal-review');

    await comment.fill('訪問先の候補をもう一つ挙げてください。<script>');
    await page.getByRole('button', { name: '「差戻し」を実行' }).click();
    await page.getByText('下書き').first().waitFor();
    await waitForCondition(async () => (await caseAsManager()).state === 'draft');
    const history = (await http.get<{ action: string; comment: string | null; actor: { name: string } }[]>(`/api/v1/cases/${visit.id}/history`, { token: await http.login(MANAGER, DEMO_PASSWORD) })).body;
    expect(history.at(-1)).toMatchObject({ action: 'return', comment: '訪問先の候補をもう一つ挙げてください。<script>' });
    // The history on the page shows the comment as text.
    await page.getByRole('heading', { level: 2, name: '履歴' }).waitFor();
    await page.getByText('訪問先の候補をもう一つ挙げてください。<script>').waitFor();
  });

  it('says a case is not found, on its page and its edit page, for an id that does not exist, and a page likewise', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const notFound = async (heading = '案件が見つかりません') => {
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      expect(await page.getByRole('link', { name: '受信箱に戻る' }).count()).toBe(1);
    };
    await page.goto(`${base}/cases/${missing}`);
    await page.waitForURL(/\/login\?next=/);
    await signIn(MANAGER);
    // Signed in (the next page is only asked for once the login has answered), back at the link.
    await page.waitForURL(`${base}/cases/${missing}`);
    await notFound();
    await page.goto(`${base}/cases/${missing}/edit`);
    await notFound();
    await page.goto(`${base}/no-such-page`);
    await notFound('ページが見つかりません');
  });

  it('switches to English and keeps the choice on the next visit', async () => {
    await page.goto(`${base}/login`);
    await signIn(STAFF);
    await page.getByRole('heading', { level: 1, name: '受信箱' }).waitFor();
    // The header names the user's organisation (GET /me).
    expect(await textOf(page.locator('.user-organisation'))).toBe('沖縄県');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.goto(`${base}/cases/${visit.id}`);
    for (const section of ['State diagram', 'Deadlines', 'Case details', 'History']) await page.getByRole('heading', { level: 2, name: section }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'History' }).waitFor();
  });

  it('shows HTML typed into a case as text and runs none of it (S3)', async () => {
    const token = await http.login(STAFF, DEMO_PASSWORD);
    const postName = '<img src=x onerror="window.__koryuXss=1">在<b>テスト</b>総領事館';
    const created = await http.post<{ id: string; title: string }>('/api/v1/cases', { program: 'ambassador-visit', data: { postName, envoyKind: 'consul-general' } }, { token });
    expect(created.status).toBe(201);
    await page.goto(`${base}/login?next=${encodeURIComponent(`/cases/${created.body.id}`)}`);
    await signIn(STAFF);
    await page.waitForURL(`${base}/cases/${created.body.id}`);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(created.body.title);
    expect(created.body.title).toContain('<img src=x');
    await page.getByText(postName, { exact: true }).waitFor();
    expect(await page.evaluate(() => (globalThis as { __koryuXss?: number }).__koryuXss)).toBeUndefined();
    expect(await page.locator('main img[src="x"], main b').count()).toBe(0);
  });

  it('has no serious or critical axe-core violations on the main pages, in Japanese and English', async () => {
    await page.goto(`${base}/login`);
    const found: Record<string, unknown> = { login: await seriousAxeViolations(page) };
    await signIn(STAFF);
    await page.getByRole('heading', { level: 1, name: '受信箱' }).waitFor();
    for (const language of ['日本語', 'English']) {
      await page.getByRole('button', { name: language }).click();
      for (const path of ['/', '/cases', `/cases/${visit.id}`, '/notifications']) {
        await page.goto(`${base}${path}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        found[`${language} ${path}`] = await seriousAxeViolations(page);
      }
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));

    // The check does find what it looks for: a button without a name is a critical violation.
    await page.locator('main').evaluate((main) => main.append(main.ownerDocument.createElement('button')));
    expect((await seriousAxeViolations(page)).map((violation) => violation.id)).toContain('button-name');
  });

  async function caseAsManager(): Promise<{ state: string; version: number }> {
    const token = await http.login(MANAGER, DEMO_PASSWORD);
    return (await http.get<{ state: string; version: number }>(`/api/v1/cases/${visit.id}`, { token })).body;
  }
});

