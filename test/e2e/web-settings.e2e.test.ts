/**
 * The web UI's custom deadlines and personal settings in a real browser (Debian's Chromium through
 * playwright-core) against the built API as its own process, with the demo data: a deadline added
 * on the case page (all day with two reminders, and one with a time), the messages of an invalid
 * one at their fields with nothing written, the private calendar feed's URL on the settings page
 * and its rotation (the old feed stops answering), and axe-core on both pages in both languages.
 * The API is asked directly to confirm what the UI wrote.
 */
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '@koryu/persistence';
import { dayFromNow, describedText, HttpClient, seriousAxeViolations, signInAs, waitForCondition, webUiPerTest } from '@koryu/testing';

/** 北九州市 (a municipality): ambassador visits. */
const STAFF = 'staff@kitakyushu.example';

interface DeadlineBody {
  id: string;
  key: string;
  title: string;
  dueAt: string;
  allDay: boolean;
  remindBefore: string[];
}

interface CaseBody {
  id: string;
  deadlines: DeadlineBody[];
}

describe('the web UI custom deadlines and settings in a browser', () => {
  let base: string;
  let http: HttpClient;
  let token: string;
  let page: Page;
  const ui = webUiPerTest('koryu-settings-', (opened) => (page = opened));

  beforeAll(async () => {
    ({ base, http } = ui.web);
    token = await http.login(STAFF, DEMO_PASSWORD);
  });

  const signIn = (next?: string) => signInAs(page, base, STAFF, next);

  async function newCase(): Promise<string> {
    const created = await http.post<CaseBody>('/api/v1/cases', { program: 'ambassador-visit', data: { envoyKind: 'ambassador', postCountry: 'TH', postName: '在タイ日本国大使館', purposes: ['lecture'], preferredStart: dayFromNow(60), preferredEnd: dayFromNow(61) } }, { token });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function deadlinesOf(id: string): Promise<DeadlineBody[]> {
    const answer = await http.get<CaseBody>(`/api/v1/cases/${id}`, { token });
    expect(answer.status).toBe(200);
    return answer.body.deadlines.filter((deadline) => deadline.key.startsWith('custom-'));
  }

  const form = () => page.getByRole('form', { name: '期限を追加' });
  const titleField = () => form().getByRole('textbox', { name: /^件名/ });
  const dateField = () => form().getByLabel(/^期日\s*必須/);

  it('adds an all-day deadline with two reminders and a timed one, each shown at once and kept while typing', async () => {
    const id = await newCase();
    const allDay = dayFromNow(30);
    const timedDay = dayFromNow(45);
    await signIn(`/cases/${id}`);
    await page.getByRole('heading', { level: 2, name: '期限' }).waitFor();
    await page.getByRole('button', { name: '期限を追加', exact: true }).click();
    await titleField().fill('受入れ体制の確定');
    await dateField().fill(allDay);
    // The day-only reminders are offered; hours only for a deadline with a time.
    const picker = form().getByLabel('追加するリマインダー');
    expect(await picker.locator('option', { hasText: '1時間前' }).count()).toBe(0);
    await picker.selectOption({ label: '1週間前' });
    await form().getByRole('button', { name: 'リマインダーを追加' }).click();
    await picker.selectOption({ label: '1日前' });
    await form().getByRole('button', { name: 'リマインダーを追加' }).click();
    const chips = form().getByRole('list', { name: '選んだリマインダー' });
    expect(await chips.getByRole('listitem').allInnerTexts()).toEqual([expect.stringContaining('1日前'), expect.stringContaining('1週間前')]);
    // A chip goes with its button; picked again it comes back.
    await form().getByRole('button', { name: 'リマインダー「1日前」を削除' }).click();
    expect(await chips.getByRole('listitem').count()).toBe(1);
    await picker.selectOption({ label: '1日前' });
    await form().getByRole('button', { name: 'リマインダーを追加' }).click();

    // What was typed survives a reload until it is saved.
    await page.reload();
    await form().getByText('前回入力した内容を復元しました').waitFor();
    expect(await titleField().inputValue()).toBe('受入れ体制の確定');
    expect(await dateField().inputValue()).toBe(allDay);
    expect(await chips.getByRole('listitem').count()).toBe(2);

    // The manager is reminded too: the colleagues of the signed-in user are offered, by name and role.
    const colleagues = (await http.get<{ id: string; name: string }[]>('/api/v1/me/colleagues', { token })).body;
    const manager = colleagues.find((colleague) => colleague.name === '北九州市 課長');
    expect(manager).toBeDefined();
    const remind = form().getByRole('group', { name: 'ほかに知らせる人' });
    expect(await remind.getByRole('checkbox').count()).toBe(colleagues.length);
    await remind.getByRole('checkbox', { name: '北九州市 課長（課長）' }).check();
    const sent = page.waitForRequest((request) => request.url().endsWith(`/cases/${id}/deadlines`) && request.method() === 'POST');
    await form().getByRole('button', { name: '期限を保存' }).click();
    expect((await sent).postDataJSON()).toMatchObject({ title: '受入れ体制の確定', notify: [manager?.id] });
    await page.getByText('期限「受入れ体制の確定」を追加しました。').waitFor();
    expect(await form().count()).toBe(0);
    const row = page.getByRole('row', { name: /受入れ体制の確定/ });
    expect(await row.innerText()).toMatch(/（終日）[\s\S]*1日前、1週間前/);

    const [first] = await deadlinesOf(id);
    expect(first).toMatchObject({ title: '受入れ体制の確定', allDay: true, dueAt: new Date(`${allDay}T23:59:59+09:00`).toISOString() });
    expect([...first.remindBefore].sort()).toEqual(['P1D', 'P7D']);

    // One with a time (JST) and an exact reminder.
    await page.getByRole('button', { name: '期限を追加', exact: true }).click();
    await titleField().fill('在外公館との事前打合せ');
    await form().getByRole('radio', { name: '日付と時刻' }).check();
    await dateField().fill(timedDay);
    await form().getByLabel(/^時刻（日本時間）/).fill('14:30');
    await picker.selectOption({ label: '3時間前' });
    await form().getByRole('button', { name: 'リマインダーを追加' }).click();
    await form().getByRole('button', { name: '期限を保存' }).click();
    await page.getByText('期限「在外公館との事前打合せ」を追加しました。').waitFor();
    expect(await page.getByRole('row', { name: /在外公館との事前打合せ/ }).innerText()).toMatch(/14:30[\s\S]*3時間前/);

    const timed = (await deadlinesOf(id)).find((deadline) => deadline.title === '在外公館との事前打合せ');
    expect(timed).toMatchObject({ allDay: false, dueAt: new Date(`${timedDay}T14:30:00+09:00`).toISOString(), remindBefore: ['PT3H'] });
  });

  it('shows the messages of an invalid deadline at its fields and writes nothing', async () => {
    const id = await newCase();
    await signIn(`/cases/${id}`);
    await page.getByRole('button', { name: '期限を追加', exact: true }).click();
    await dateField().fill(dayFromNow(20));

    // No title: said at the field, focus moves there, nothing is sent.
    await form().getByRole('button', { name: '期限を保存' }).click();
    await form().getByRole('alert').filter({ hasText: '期限を追加できませんでした' }).waitFor();
    expect(await titleField().getAttribute('aria-invalid')).toBe('true');
    expect(await describedText(titleField())).toContain('件名を入力してください。');
    expect(await titleField().evaluate((element) => element.matches(':focus'))).toBe(true);
    expect(await deadlinesOf(id)).toEqual([]);

    // Too long: the server refuses it (400), its violation shown at the title.
    await titleField().fill('期'.repeat(201));
    expect(await titleField().getAttribute('aria-invalid')).toBeNull();
    const answer = page.waitForResponse((response) => response.url().endsWith(`/cases/${id}/deadlines`) && response.request().method() === 'POST');
    await form().getByRole('button', { name: '期限を保存' }).click();
    expect((await answer).status()).toBe(400);
    await waitForCondition(async () => (await titleField().getAttribute('aria-invalid')) === 'true');
    expect(await describedText(titleField())).toContain('件名は200文字以内で入力してください。');
    expect(await titleField().inputValue()).toBe('期'.repeat(201));
    expect(await deadlinesOf(id)).toEqual([]);

    // A time is needed once "date and time" is chosen.
    await titleField().fill('時刻なし');
    await form().getByRole('radio', { name: '日付と時刻' }).check();
    await form().getByRole('button', { name: '期限を保存' }).click();
    const time = form().getByLabel(/^時刻（日本時間）/);
    await waitForCondition(async () => (await time.getAttribute('aria-invalid')) === 'true');
    expect(await describedText(time)).toContain('時刻を「14:30」の形で入力してください。');
    expect(await deadlinesOf(id)).toEqual([]);
  });

  it('shows the private calendar URL of the API on the settings page and issues a new one, after which only the new feed answers', async () => {
    const mine = await http.get<{ url: string; token: string }>('/api/v1/me/calendar', { token });
    expect(mine.status).toBe(200);
    await signIn();
    await page.getByRole('link', { name: '個人設定' }).click();
    await page.getByRole('heading', { level: 1, name: '個人設定' }).waitFor();
    // The account, read-only.
    const account = page.getByRole('region', { name: 'アカウント' });
    expect(await account.innerText()).toContain(STAFF);
    expect(await account.innerText()).toContain('担当者');

    const url = page.getByRole('textbox', { name: 'カレンダーのURL' });
    await waitForCondition(async () => (await url.inputValue()) !== '');
    expect(await url.inputValue()).toBe(mine.body.url);
    expect(await url.getAttribute('readonly')).not.toBeNull();
    await page.getByRole('button', { name: 'コピー', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /コピーしました|コピーできませんでした/ }).waitFor();

    // Issuing a new URL asks first; cancelling changes nothing.
    await page.getByRole('button', { name: 'URLを再発行' }).click();
    await page.getByText('今のURLはすぐに使えなくなります').waitFor();
    await page.getByRole('button', { name: 'やめる' }).click();
    expect((await http.get('/api/v1/me/calendar', { token })).body.url).toBe(mine.body.url);
    await page.getByRole('button', { name: 'URLを再発行' }).click();
    await page.getByRole('button', { name: '再発行する（今のURLは使えなくなります）' }).click();
    await page.getByText('新しいURLを発行しました。以前のURLは使えなくなりました。').waitFor();
    const renewed = await url.inputValue();
    expect(renewed).not.toBe(mine.body.url);
    const now = await http.get<{ url: string; token: string }>('/api/v1/me/calendar', { token });
    expect(renewed).toBe(now.body.url);

    const old = await fetch(`${base}/api/v1/calendar.ics?token=${encodeURIComponent(mine.body.token)}`);
    expect(old.status).not.toBe(200);
    const fresh = await fetch(`${base}/api/v1/calendar.ics?token=${encodeURIComponent(now.body.token)}`);
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toContain('BEGIN:VCALENDAR');
  });

  it('has no serious or critical axe-core violations on the settings page and the open deadline form, in Japanese and English', async () => {
    const id = await newCase();
    await signIn();
    const found: Record<string, unknown> = {};
    for (const [language, add, save, settingsHeading] of [
      ['日本語', '期限を追加', '期限を保存', '個人設定'],
      ['English', 'Add a deadline', 'Save the deadline', 'Settings'],
    ] as const) {
      await page.getByRole('button', { name: language }).click();
      await page.goto(`${base}/settings`);
      await page.getByRole('heading', { level: 1, name: settingsHeading }).waitFor();
      await page.locator('#calendar-url').waitFor();
      found[`${language} settings`] = await seriousAxeViolations(page);

      await page.goto(`${base}/cases/${id}`);
      await page.getByRole('button', { name: add, exact: true }).click();
      await page.locator('#deadline-form select').selectOption({ index: 1 });
      await page.locator('#deadline-form .reminder-picker button').click();
      await page.getByRole('button', { name: save }).click();
      await page.locator('#deadline-form [aria-invalid="true"]').first().waitFor();
      found[`${language} deadline form with errors`] = await seriousAxeViolations(page);
      await page.locator('#deadline-form').getByRole('button', { name: language === 'English' ? 'Cancel' : 'やめる' }).click();
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));
  });
});

