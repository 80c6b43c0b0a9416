/**
 * The web UI's case forms in a real browser (Debian's Chromium through playwright-core) against
 * the built API as its own process, with the demo data: a new case through the form generated
 * from the program's JSON Schema, the server's rule message at its field while typing (the
 * `submit/check` dry run), an edit that meets a stale version (409) without losing what was
 * typed, and axe-core on the forms (QUALITY.md, Usability). The API is asked directly to confirm
 * what the UI wrote.
 */
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '@koryu/persistence';
import { dayFromNow, describedText, HttpClient, seriousAxeViolations, signInAs, waitForCondition, webUiPerTest } from '@koryu/testing';

/** 北九州市 (a municipality): JICA applications and ambassador visits. */
const STAFF = 'staff@kitakyushu.example';

interface CaseBody {
  id: string;
  state: string;
  version: number;
  data: Record<string, unknown>;
}

describe('the web UI case forms in a browser', () => {
  let base: string;
  let http: HttpClient;
  let token: string;
  let page: Page;
  const ui = webUiPerTest('koryu-forms-', (opened) => (page = opened));

  beforeAll(async () => {
    ({ base, http } = ui.web);
    token = await http.login(STAFF, DEMO_PASSWORD);
  });

  const signIn = (next?: string) => signInAs(page, base, STAFF, next);

  async function caseViaApi(id: string): Promise<CaseBody> {
    const answer = await http.get<CaseBody>(`/api/v1/cases/${id}`, { token });
    expect(answer.status).toBe(200);
    return answer.body;
  }

  const hostContact = () => page.getByRole('group', { name: '受入担当者' });

  it('creates an ambassador visit through the form, shows the server’s rule message at its field while typing, saves the fix and submits', async () => {
    const start = dayFromNow(90);
    const end = dayFromNow(92);
    const tooEarly = dayFromNow(85);
    await signIn();
    await page.getByRole('heading', { level: 1, name: '受信箱' }).waitFor();
    await page.getByRole('link', { name: '新しい案件' }).click();
    await page.getByRole('heading', { level: 1, name: '新しい案件' }).waitFor();
    // 北九州市 is a municipality: the association's governors' conferences are not offered.
    expect(await page.getByRole('radio', { name: '知事会議' }).count()).toBe(0);
    await page.getByRole('radio', { name: '大使・総領事の地方訪問' }).check();

    await page.getByLabel('訪問者の種別').selectOption({ label: '総領事' });
    await page.getByLabel('任国').selectOption('US');
    await page.getByLabel('在外公館').fill('在シアトル日本国総領事館');
    await page.getByRole('checkbox', { name: '意見交換' }).check();
    await page.getByRole('checkbox', { name: '講演' }).check();
    await page.getByLabel('希望開始日').fill(start);
    // Typed as fill types, and sessionStorage read before the page may paint: the draft is written
    // in the input's own render, so a reload (or a closed tab) straight after keeps the last field.
    const storedAtOnce = await page.getByLabel('希望終了日').evaluate(async (input, value) => {
      (input as unknown as { value: string }).value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      for (let turn = 0; turn < 3; turn += 1) await Promise.resolve();
      return input.ownerDocument.defaultView?.sessionStorage.getItem('koryu.draft.form:new:ambassador-visit');
    }, end);
    expect(JSON.parse(storedAtOnce ?? '{}').raw).toMatchObject({ preferredStart: start, preferredEnd: end });

    // What was typed survives a reload (sessionStorage), and says so.
    await page.reload();
    await page.getByText('前回入力した内容を復元しました').waitFor();
    expect(await page.getByLabel('在外公館').inputValue()).toBe('在シアトル日本国総領事館');
    expect(await page.getByRole('checkbox', { name: '講演' }).isChecked()).toBe(true);

    await page.getByRole('button', { name: '訪問先を追加' }).click();
    await page.getByRole('textbox', { name: '訪問先 1' }).fill('小倉城');
    // A row added and left empty is not sent.
    await page.getByRole('button', { name: '行程を追加' }).click();
    await page.getByRole('group', { name: '行程 1' }).waitFor();
    await hostContact().getByLabel('名前').fill('北九州 花子');
    await hostContact().getByLabel('所属').fill('国際政策課');
    await hostContact().getByLabel('電話番号').fill('093-582-0000');
    // The schema's own check, as a hint, once the field is left.
    const email = hostContact().getByLabel('メールアドレス');
    await email.fill('hanako@');
    await email.blur();
    await waitForCondition(async () => (await email.getAttribute('aria-invalid')) === 'true');
    expect(await describedText(email)).toMatch(/メールアドレスの形式/);
    await email.fill('hanako@city.kitakyushu.example');
    await waitForCondition(async () => (await email.getAttribute('aria-invalid')) === null);
    await page.getByLabel('参加予定人数').fill('120');

    await page.getByRole('button', { name: '下書きを保存' }).click();
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/').at(-1) as string;
    await page.getByText('下書きを保存しました。').waitFor();

    const created = await caseViaApi(id);
    expect(created.state).toBe('draft');
    // As typed: numbers as numbers, the empty fields (envoyName, visit dates, the empty itinerary row) absent.
    expect(created.data).toEqual({
      envoyKind: 'consul-general',
      postCountry: 'US',
      postName: '在シアトル日本国総領事館',
      purposes: ['exchange-of-views', 'lecture'],
      preferredStart: start,
      preferredEnd: end,
      placesToVisit: ['小倉城'],
      hostContact: { name: '北九州 花子', department: '国際政策課', phone: '093-582-0000', email: 'hanako@city.kitakyushu.example' },
      expectedParticipants: 120,
    });

    // Editing: the submit rules run on the server as the user types (nothing is written).
    await page.getByRole('link', { name: '編集', exact: true }).click();
    await page.waitForURL(`${base}/cases/${id}/edit`);
    const status = page.locator('.check-summary [role="status"]');
    await waitForCondition(async () => (await status.innerText()) === '提出に必要な内容はそろっています。');
    const preferredEnd = page.getByLabel('希望終了日');
    expect(await preferredEnd.inputValue()).toBe(end);
    await preferredEnd.fill(tooEarly);
    await waitForCondition(async () => (await preferredEnd.getAttribute('aria-invalid')) === 'true');
    expect(await describedText(preferredEnd)).toContain('終了日は開始日以降にしてください。');
    expect(await status.innerText()).toBe('提出前に直す点が 1 件あります。');
    expect((await caseViaApi(id)).data.preferredEnd).toBe(end);

    await preferredEnd.fill(end);
    await waitForCondition(async () => (await preferredEnd.getAttribute('aria-invalid')) === null);
    expect(await status.innerText()).toBe('提出に必要な内容はそろっています。');
    await page.getByLabel('大使・総領事の氏名').fill('ジョン・スミス');
    await page.getByRole('button', { name: '変更を保存' }).click();
    await page.waitForURL(`${base}/cases/${id}`);
    await page.getByText('変更を保存しました。').waitFor();
    const edited = await caseViaApi(id);
    expect(edited).toMatchObject({ state: 'draft', version: 2 });
    expect(edited.data).toMatchObject({ envoyName: 'ジョン・スミス', preferredEnd: end, expectedParticipants: 120 });

    // Submitted from the case page.
    await page.getByRole('button', { name: '提出', exact: true }).click();
    await page.getByRole('button', { name: '「提出」を実行' }).click();
    await page.getByText('「提出」を実行しました。現在の状態は「課内確認」です。').waitFor();
    expect((await caseViaApi(id)).state).toBe('internal-review');
    // A staff member edits nothing in internal review.
    expect(await page.getByRole('link', { name: '編集', exact: true }).count()).toBe(0);
  });

  it('keeps what was typed when someone else changed the case meanwhile (409), also across a reload, and re-applies it to the latest version', async () => {
    const created = await http.post<CaseBody>('/api/v1/cases', { program: 'ambassador-visit', data: { envoyKind: 'ambassador', postCountry: 'RW', postName: '在ルワンダ日本国大使館', purposes: ['lecture'], preferredStart: dayFromNow(60), preferredEnd: dayFromNow(61) } }, { token });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await signIn(`/cases/${id}/edit`);
    await page.waitForURL(`${base}/cases/${id}/edit`);
    await page.getByLabel('在外公館').fill('在ルワンダ日本国大使館（キガリ）');
    await page.getByLabel('参加予定人数').fill('45');

    // Someone else saves first.
    const other = await http.patch<CaseBody>(`/api/v1/cases/${id}`, { data: { envoyName: '宮下 孝之' }, version: created.body.version }, { token });
    expect(other.status).toBe(200);

    await page.getByRole('button', { name: '変更を保存' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: '他の方が更新しました' });
    await conflict.waitFor();
    expect(await conflict.innerText()).toContain('他の方が変更した項目：大使・総領事の氏名');
    expect(await page.getByLabel('在外公館').inputValue()).toBe('在ルワンダ日本国大使館（キガリ）');
    expect((await caseViaApi(id)).data.postName).toBe('在ルワンダ日本国大使館');

    // Nothing typed is lost on a reload either: the draft knows the version it was typed on.
    await page.reload();
    await conflict.waitFor();
    expect(await page.getByLabel('在外公館').inputValue()).toBe('在ルワンダ日本国大使館（キガリ）');
    expect(await page.getByLabel('参加予定人数').inputValue()).toBe('45');

    await page.getByRole('button', { name: '入力した変更を最新の内容に反映' }).click();
    expect(await page.getByLabel('在外公館').inputValue()).toBe('在ルワンダ日本国大使館（キガリ）');
    expect(await page.getByLabel('大使・総領事の氏名').inputValue()).toBe('宮下 孝之');
    await page.getByRole('button', { name: '変更を保存' }).click();
    await page.waitForURL(`${base}/cases/${id}`);
    const saved = await caseViaApi(id);
    expect(saved.version).toBe(3);
    expect(saved.data).toMatchObject({ postName: '在ルワンダ日本国大使館（キガリ）', envoyName: '宮下 孝之', expectedParticipants: 45 });
  });

  it('has no serious or critical axe-core violations on the new-case and edit forms, in Japanese and English', async () => {
    const created = await http.post<CaseBody>('/api/v1/cases', { program: 'ambassador-visit', data: { envoyKind: 'ambassador', postCountry: 'VN', postName: '在ベトナム日本国大使館', purposes: ['lecture'], preferredStart: dayFromNow(60), preferredEnd: dayFromNow(50) } }, { token });
    expect(created.status).toBe(201);
    await signIn();
    const found: Record<string, unknown> = {};
    for (const [language, fixCount, saveDraft] of [
      ['日本語', '提出前に直す点が', '下書きを保存'],
      ['English', 'before submitting', 'Save draft'],
    ] as const) {
      await page.getByRole('button', { name: language }).click();
      await page.goto(`${base}/cases/new?program=jica-application&variant=grassroots-regional`);
      await page.locator('#f-title').waitFor();
      await page.waitForLoadState('networkidle');
      found[`${language} new JICA application`] = await seriousAxeViolations(page);

      await page.goto(`${base}/cases/new?program=ambassador-visit`);
      await page.locator('#f-hostContact-email').fill('not-an-address');
      await page.getByRole('button', { name: saveDraft }).click();
      await page.locator('.error-summary').waitFor();
      found[`${language} new visit with a save error`] = await seriousAxeViolations(page);

      await page.goto(`${base}/cases/${created.body.id}/edit`);
      await page.locator('.check-summary [role="status"]').filter({ hasText: fixCount }).waitFor();
      expect(await page.locator('#f-preferredEnd').getAttribute('aria-invalid')).toBe('true');
      found[`${language} edit with a rule message`] = await seriousAxeViolations(page);
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));
  });
});

