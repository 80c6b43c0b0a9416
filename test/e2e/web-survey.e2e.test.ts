/**
 * The governor conference's participation survey in the web UI (DOMAIN.md §4), in a real browser
 * (Debian's Chromium through playwright-core) against the built API as its own process, with the
 * demo data: 沖縄県 opens the survey from its inbox, is stopped at a missing field, answers, changes
 * its answer; the secretariat reads every answer and the counts; the survey closes under an
 * answer; axe-core on both views in both languages. The API is asked directly to confirm.
 */
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '@koryu/persistence';
import { describedText, HttpClient, seriousAxeViolations, signInAs, textOf, waitForCondition, webUiPerTest } from '@koryu/testing';

/** 沖縄県, invited to the demo's conference with the 全米知事会, whose survey is open. */
const INVITEE = 'staff@okinawa.example';
const OTHER_INVITEE = 'staff@hokkaido.example';
/** The governors' association secretariat, which owns the conference. */
const SECRETARIAT = 'staff@nga.example';

interface SurveyResponse {
  organisationName: string;
  status: string;
  attendeeLevel: string | null;
  delegationSize: number | null;
  joinsPromotion: boolean | null;
  answeredAt: string | null;
}

interface SurveyBody {
  open: boolean;
  deadline: string | null;
  responses: SurveyResponse[];
  summary?: { invited: number; attending: number; declining: number; pending: number; noResponse: number; delegates: number };
}

describe('the participation survey in the web UI', () => {
  let base: string;
  let http: HttpClient;
  let page: Page;
  const ui = webUiPerTest('koryu-survey-', (opened) => (page = opened));
  let conference: { id: string; title: string; version: number };

  beforeAll(async () => {
    ({ base, http } = ui.web);
    const cases = await http.get<{ items: { id: string; title: string; version: number }[] }>('/api/v1/cases?program=governor-conference&state=survey-open', { token: await token(SECRETARIAT) });
    conference = cases.body.items[0];
    expect(conference).toBeDefined();
  });

  function token(email: string): Promise<string> {
    return http.login(email, DEMO_PASSWORD);
  }

  async function surveyOf(email: string): Promise<SurveyBody> {
    const answer = await http.get<SurveyBody>(`/api/v1/cases/${conference.id}/survey`, { token: await token(email) });
    expect(answer.status).toBe(200);
    return answer.body;
  }

  async function okinawa(): Promise<SurveyResponse> {
    const survey = await surveyOf(INVITEE);
    expect(survey.responses).toHaveLength(1);
    return survey.responses[0];
  }

  const signIn = (email: string, next?: string) => signInAs(page, base, email, next);

  const surveySection = (name = '参加意向調査') => page.locator('section', { has: page.getByRole('heading', { level: 2, name }) });

  it('lets 沖縄県 answer from its inbox: a missing level is stopped at its field, then attending, then declining', async () => {
    await signIn(INVITEE);
    const entry = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: conference.title }) });
    expect(await textOf(entry)).toContain('参加意向を回答');
    // What is due, by name, beside its date.
    expect(await textOf(entry)).toContain('参加意向調査の回答期限');
    await entry.getByRole('link', { name: conference.title }).click();
    await page.waitForURL(`${base}/cases/${conference.id}`);
    const section = surveySection();
    await section.waitFor();
    const before = await surveyOf(INVITEE);
    expect(await section.locator('time').first().getAttribute('datetime')).toBe(before.deadline);
    expect(await textOf(section.getByRole('heading', { level: 3, name: '沖縄県の回答' }))).toBe('沖縄県の回答');
    expect(await textOf(section.locator('.survey-own'))).toContain('未回答');
    // An invitee sees no other organisation's answers.
    expect(await section.getByRole('table').count()).toBe(0);

    // Attending without the level: stopped before sending, the message at the field, nothing saved.
    await page.getByRole('radio', { name: '出席' }).check();
    await page.getByLabel('参加人数').fill('5');
    await page.getByRole('button', { name: '回答を送信' }).click();
    const level = page.getByLabel('出席者');
    await waitForCondition(async () => (await level.getAttribute('aria-invalid')) === 'true');
    expect(await describedText(level)).toContain('選択してください。');
    expect(await textOf(page.locator('.error-summary'))).toContain('出席者：選択してください。');
    expect(await okinawa()).toMatchObject({ status: 'pending', answeredAt: null });

    // Nothing typed is lost on a reload.
    await page.reload();
    await page.getByText('前回入力した回答を復元しました').waitFor();
    expect(await page.getByRole('radio', { name: '出席' }).isChecked()).toBe(true);
    expect(await page.getByLabel('参加人数').inputValue()).toBe('5');

    await page.getByLabel('出席者').selectOption({ label: '知事' });
    await page.getByRole('checkbox', { name: '知事団によるプロモーションに参加する' }).check();
    await page.getByRole('button', { name: '回答を送信' }).click();
    await section.getByRole('status').filter({ hasText: '参加意向を回答しました（出席）。' }).waitFor();
    expect(await okinawa()).toMatchObject({ status: 'attending', attendeeLevel: 'governor', delegationSize: 5, joinsPromotion: true });
    const own = await textOf(section.locator('.survey-own'));
    for (const shown of ['出席', '知事', '5人', 'はい']) expect(own).toContain(shown);
    expect(await page.getByLabel('出席者').getAttribute('aria-invalid')).toBeNull();

    // Changed to declining: the attending fields go, and so do their values on the server.
    await page.getByRole('heading', { level: 3, name: '回答を変更する' }).waitFor();
    await page.getByRole('radio', { name: '欠席' }).check();
    expect(await page.getByLabel('出席者').count()).toBe(0);
    await page.getByRole('button', { name: '回答を送信' }).click();
    await section.getByRole('status').filter({ hasText: '参加意向を回答しました（欠席）。' }).waitFor();
    expect(await okinawa()).toMatchObject({ status: 'declining', attendeeLevel: null, delegationSize: null, joinsPromotion: null });
    await page.reload();
    await section.waitFor();
    expect(await textOf(section.locator('.survey-own'))).toContain('欠席');
    expect(await page.getByRole('radio', { name: '欠席' }).isChecked()).toBe(true);
    expect(await page.getByText('前回入力した回答を復元しました').count()).toBe(0);
  });

  it('answers the API’s way: attending needs the details (400), the secretariat may not answer (403)', async () => {
    const put = async (email: string, body: unknown) => http.request<{ code: string; violations: { field: string }[] }>('PUT', `/api/v1/cases/${conference.id}/survey/response`, body, { token: await token(email) });
    const incomplete = await put(INVITEE, { attendance: 'attending', delegationSize: 5, joinsPromotion: true });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.code).toBe('VALIDATION_FAILED');
    expect(incomplete.body.violations.map((violation) => violation.field)).toEqual(['attendeeLevel']);
    expect((await put(SECRETARIAT, { attendance: 'declining' })).status).toBe(403);
    expect((await okinawa()).status).toBe('declining');
  });

  it('shows the secretariat every answer (沖縄県 declining), the counts as the API has them, and sorts the table', async () => {
    const hokkaido = await http.request('PUT', `/api/v1/cases/${conference.id}/survey/response`, { attendance: 'attending', attendeeLevel: 'vice-governor', delegationSize: 3, joinsPromotion: false }, { token: await token(OTHER_INVITEE) });
    expect(hokkaido.status).toBe(200);
    const survey = await surveyOf(SECRETARIAT);
    expect(survey.summary).toMatchObject({ invited: survey.responses.length, attending: 1, declining: 1, delegates: 3 });

    await signIn(SECRETARIAT, `/cases/${conference.id}`);
    const section = surveySection();
    const table = section.getByRole('table', { name: `招待団体の回答（${survey.responses.length}団体）` });
    await table.waitFor();
    // The secretariat reads the answers; it has no form to answer.
    expect(await page.getByRole('radio', { name: '出席' }).count()).toBe(0);

    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '沖縄県' }) });
    expect(await textOf(row.getByRole('cell').first())).toBe('✕ 欠席');
    const summary = survey.summary as NonNullable<SurveyBody['summary']>;
    const counts: Record<string, string> = {};
    for (const item of await section.locator('.survey-summary > div').all()) counts[await textOf(item.locator('dt'))] = await textOf(item.locator('dd'));
    expect(counts).toEqual({
      招待: `${summary.invited}団体`,
      出席: `${summary.attending}団体`,
      欠席: `${summary.declining}団体`,
      未回答: `${summary.pending}団体`,
      回答なし: `${summary.noResponse}団体`,
      参加人数の合計: `${summary.delegates}人`,
    });

    // In the API's order (the organisation codes) first; then by answer, attending first.
    const names = () => table.getByRole('rowheader').allInnerTexts();
    expect(await names()).toEqual(survey.responses.map((response) => response.organisationName));
    await table.getByRole('button', { name: '回答', exact: true }).click();
    await waitForCondition(async () => (await table.getByRole('columnheader', { name: '回答', exact: true }).getAttribute('aria-sort')) === 'ascending');
    expect((await names()).slice(0, 2)).toEqual(['北海道', '沖縄県']);
    const hokkaidoRow = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '北海道' }) });
    expect(await hokkaidoRow.innerText()).toMatch(/出席\s+副知事\s+3人\s+いいえ/);
  });

  it('has no serious or critical axe-core violations on the invitee’s and the secretariat’s views, in Japanese and English', async () => {
    const found: Record<string, unknown> = {};
    for (const [email, view] of [
      [INVITEE, 'invitee'],
      [SECRETARIAT, 'secretariat'],
    ] as const) {
      await signIn(email, `/cases/${conference.id}`);
      for (const [language, heading, send] of [
        ['日本語', '参加意向調査', '回答を送信'],
        ['English', 'Participation survey', 'Send the answer'],
      ] as const) {
        await page.getByRole('button', { name: language }).click();
        await surveySection(heading).waitFor();
        await page.waitForLoadState('networkidle');
        found[`${language} ${view}`] = await seriousAxeViolations(page);
        if (view === 'invitee') {
          // With the form open on attending and its messages showing.
          await page.getByRole('radio', { name: language === 'English' ? 'Attending' : '出席' }).check();
          await page.getByRole('button', { name: send }).click();
          await page.locator('.error-summary').waitFor();
          found[`${language} invitee with messages`] = await seriousAxeViolations(page);
        }
      }
      await page.getByRole('button', { name: '日本語' }).click();
      await page.getByRole('button', { name: 'ログアウト' }).click();
      await page.waitForURL(`${base}/login`);
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));
  });

  it('keeps the answer and says so when the survey closes before it is sent (409)', async () => {
    await signIn(INVITEE, `/cases/${conference.id}`);
    const section = surveySection();
    await page.getByRole('radio', { name: '出席' }).check();
    await page.getByLabel('出席者').selectOption({ label: '職員' });
    await page.getByLabel('参加人数').fill('2');

    const secretariat = await token(SECRETARIAT);
    const current = await http.get<{ version: number }>(`/api/v1/cases/${conference.id}`, { token: secretariat });
    const closed = await http.post(`/api/v1/cases/${conference.id}/actions/close-survey`, { version: current.body.version }, { token: secretariat });
    expect(closed.status).toBe(200);

    await page.getByRole('button', { name: '回答を送信' }).click();
    expect(await textOf(section.getByRole('alert').filter({ hasText: '回答を受け付けていません' }))).toContain('入力した内容は送信されていません。');
    await section.getByText('調査は締め切られたため、回答は変更できません。').waitFor();
    expect(await page.getByRole('button', { name: '回答を送信' }).count()).toBe(0);
    expect(await okinawa()).toMatchObject({ status: 'declining' });
    const late = await http.request<{ code: string }>('PUT', `/api/v1/cases/${conference.id}/survey/response`, { attendance: 'declining' }, { token: await token(INVITEE) });
    expect([late.status, late.body.code]).toEqual([409, 'SURVEY_CLOSED']);
    const after = await surveyOf(SECRETARIAT);
    expect(after.open).toBe(false);
    expect(after.summary).toMatchObject({ attending: 1, declining: 1, pending: 0, noResponse: after.responses.length - 2 });
  });
});

