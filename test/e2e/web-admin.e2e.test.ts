/**
 * The web UI's administration pages in a real browser (Debian's Chromium through playwright-core)
 * against the built API as its own process, with the demo data: the system operator registers an
 * organisation and its first admin; an organisation's admin creates a staff user and disables one;
 * an organisation's admin resets a user's password (the old one then fails, the new one works);
 * a duplicate organisation code is shown at its field; the operator registers a JICA call in Japan
 * time; staff get no Administration link and a clear "not allowed" page; axe-core on every page in
 * both languages. The API is asked directly to confirm what the UI wrote.
 */
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '@koryu/persistence';
import { describedText, HttpClient, seriousAxeViolations, signInAs, waitForCondition, webUiPerTest } from '@koryu/testing';

const OPERATOR = 'operator@koryu.example';
/** 沖縄県's admin and staff. */
const ADMIN = 'admin@okinawa.example';
const STAFF = 'staff@okinawa.example';
/** 沖縄県's 全国地方公共団体コード, registered by the demo data. */
const TAKEN_CODE = '470007';

interface OrganisationBody {
  id: string;
  name: string;
  kind: string;
  code: string;
}

interface UserBody {
  id: string;
  email: string;
  name: string;
  organisationId: string;
  roles: string[];
  locale: string;
  disabled: boolean;
}

describe('the administration pages of the web UI', () => {
  let base: string;
  let http: HttpClient;
  let operatorToken: string;
  let page: Page;
  const ui = webUiPerTest('koryu-admin-', (opened) => (page = opened));

  beforeAll(async () => {
    ({ base, http } = ui.web);
    operatorToken = await http.login(OPERATOR, DEMO_PASSWORD);
  });

  const signIn = (email: string, next?: string) => signInAs(page, base, email, next);

  async function usersOf(organisationId: string): Promise<UserBody[]> {
    const answer = await http.get<UserBody[]>(`/api/v1/users?organisationId=${organisationId}`, { token: operatorToken });
    expect(answer.status).toBe(200);
    return answer.body;
  }

  async function loginStatus(email: string, password: string): Promise<number> {
    return (await http.post('/api/v1/auth/login', { email, password })).status;
  }

  const status = () => page.locator('main > [role="status"]');

  it('lets the operator register an organisation and then its first admin, who can sign in', async () => {
    await signIn(OPERATOR);
    await page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '管理' }).click();
    await page.getByRole('heading', { level: 1, name: '管理' }).waitFor();
    await page.getByRole('link', { name: '団体管理' }).click();
    await page.getByRole('heading', { level: 1, name: '団体管理' }).waitFor();

    const form = page.getByRole('form', { name: '団体を登録' });
    await form.getByLabel('団体名').fill('宇検村');
    await form.getByRole('radio', { name: '市区町村' }).check();
    await form.getByLabel('団体コード').fill('465275');
    await form.getByRole('button', { name: 'この団体を登録' }).click();
    await status().filter({ hasText: '宇検村を登録しました。' }).waitFor();
    // Registered, and the form is empty again.
    expect(await form.getByLabel('団体名').inputValue()).toBe('');
    const organisations = await http.get<OrganisationBody[]>('/api/v1/organisations', { token: operatorToken });
    const created = organisations.body.find((organisation) => organisation.code === '465275');
    expect(created).toMatchObject({ name: '宇検村', kind: 'municipality' });
    await page.getByRole('row').filter({ hasText: '465275' }).waitFor();

    // Straight on to its users: the new organisation is already chosen.
    await page.getByRole('link', { name: '宇検村のユーザーを登録する' }).click();
    await page.getByRole('heading', { level: 1, name: 'ユーザー管理' }).waitFor();
    expect(await page.locator('table caption').innerText()).toBe('ユーザー一覧（0人）');
    const userForm = page.getByRole('form', { name: 'ユーザーを登録' });
    expect(await userForm.getByLabel('団体').inputValue()).toBe(created?.id);
    await userForm.getByLabel('メールアドレス').fill('admin@uken.example');
    await userForm.getByLabel('氏名').fill('宇検村 管理者');
    // Too short a password is stopped at its field before anything is sent.
    await userForm.getByLabel('初期パスワード').fill('short');
    await userForm.getByRole('checkbox', { name: '担当者' }).uncheck();
    await userForm.getByRole('checkbox', { name: '管理者' }).check();
    await userForm.getByRole('button', { name: 'このユーザーを登録' }).click();
    const password = userForm.getByLabel('初期パスワード');
    await waitForCondition(async () => (await password.getAttribute('aria-invalid')) === 'true');
    expect(await describedText(password)).toContain('12文字以上で入力してください。');
    expect(await usersOf(created!.id)).toEqual([]);

    await password.fill('uken-initial-2026');
    await userForm.getByRole('radio', { name: '英語' }).check();
    await userForm.getByRole('button', { name: 'このユーザーを登録' }).click();
    await status().filter({ hasText: '宇検村 管理者（admin@uken.example）を登録しました。' }).waitFor();
    // The password is gone from the page and never comes back.
    expect(await password.inputValue()).toBe('');
    expect(await page.content()).not.toContain('uken-initial-2026');
    await page.getByRole('row').filter({ hasText: 'admin@uken.example' }).waitFor();

    const users = await usersOf(created!.id);
    expect(users).toEqual([expect.objectContaining({ email: 'admin@uken.example', name: '宇検村 管理者', roles: ['admin'], locale: 'en', disabled: false })]);
    const token = await http.login('admin@uken.example', 'uken-initial-2026');
    const me = await http.get<{ organisation: { id: string } }>('/api/v1/me', { token });
    expect(me.body.organisation.id).toBe(created?.id);
  });

  it('lets an organisation admin create a staff user and disable one, whose login then fails', async () => {
    await signIn(ADMIN, '/administration/users');
    await page.getByRole('heading', { level: 1, name: 'ユーザー管理' }).waitFor();
    await page.getByText('沖縄県のユーザーです。').waitFor();
    // An organisation's own admin picks no organisation, and sees no organisation page.
    const userForm = page.getByRole('form', { name: 'ユーザーを登録' });
    expect(await userForm.getByLabel('団体').count()).toBe(0);
    expect(await page.getByRole('link', { name: '団体管理' }).count()).toBe(0);

    await userForm.getByLabel('メールアドレス').fill('shinjin@okinawa.example');
    await userForm.getByLabel('氏名').fill('沖縄県 新人');
    await userForm.getByLabel('初期パスワード').fill('okinawa-shinjin-2026');
    expect(await userForm.getByRole('checkbox', { name: '担当者' }).isChecked()).toBe(true);
    await userForm.getByRole('button', { name: 'このユーザーを登録' }).click();
    await status().filter({ hasText: '沖縄県 新人（shinjin@okinawa.example）を登録しました。' }).waitFor();

    const me = await http.get<{ organisationId: string }>('/api/v1/me', { token: await http.login(ADMIN, DEMO_PASSWORD) });
    const created = (await usersOf(me.body.organisationId)).find((user) => user.email === 'shinjin@okinawa.example');
    expect(created).toMatchObject({ name: '沖縄県 新人', roles: ['staff'], locale: 'ja', disabled: false });
    expect(await loginStatus('shinjin@okinawa.example', 'okinawa-shinjin-2026')).toBe(200);

    // Disabling asks first.
    const row = page.getByRole('row').filter({ hasText: 'shinjin@okinawa.example' });
    await row.getByRole('button', { name: '編集：沖縄県 新人' }).click();
    const editor = page.getByRole('region', { name: 'ユーザーの編集：沖縄県 新人' });
    await editor.getByRole('button', { name: 'このユーザーを無効にする' }).click();
    await editor.getByText('沖縄県 新人を無効にしますか？').waitFor();
    await editor.getByRole('button', { name: '無効にする', exact: true }).click();
    await status().filter({ hasText: '沖縄県 新人を無効にしました。' }).waitFor();
    expect(await row.innerText()).toContain('無効');
    await editor.getByRole('button', { name: 'このユーザーを有効にする' }).waitFor();

    expect((await usersOf(me.body.organisationId)).find((user) => user.email === 'shinjin@okinawa.example')?.disabled).toBe(true);
    expect(await loginStatus('shinjin@okinawa.example', 'okinawa-shinjin-2026')).toBe(401);

    // The admin's own account cannot be disabled here.
    await page.getByRole('button', { name: '編集：沖縄県 管理者' }).click();
    const own = page.getByRole('region', { name: 'ユーザーの編集：沖縄県 管理者' });
    await own.getByText('ご自身のアカウントは、ここでは無効にできません。').waitFor();
    expect(await own.getByRole('button', { name: 'このユーザーを無効にする' }).count()).toBe(0);
  });

  it('lets an organisation admin reset a user’s password, which ends their sessions; too short a one changes nothing', async () => {
    const email = 'manager@okinawa.example';
    const newPassword = 'okinawa-kacho-reset-2026';
    // The server's own rule, as the UI's check mirrors it.
    const me = await http.get<{ organisationId: string }>('/api/v1/me', { token: await http.login(ADMIN, DEMO_PASSWORD) });
    const manager = (await usersOf(me.body.organisationId)).find((user) => user.email === email);
    expect(manager).toBeDefined();
    const tooShort = await http.patch(`/api/v1/users/${manager!.id}`, { password: 'short' }, { token: operatorToken });
    expect(tooShort.status).toBe(400);
    const managerToken = await http.login(email, DEMO_PASSWORD);

    await signIn(ADMIN, '/administration/users');
    await page.getByRole('row').filter({ hasText: email }).getByRole('button', { name: '編集：沖縄県 課長' }).click();
    const editor = page.getByRole('region', { name: 'ユーザーの編集：沖縄県 課長' });
    const reset = editor.getByRole('form', { name: 'パスワードの再設定' });
    const password = reset.getByLabel('新しいパスワード');
    expect(await password.getAttribute('type')).toBe('password');
    expect(await password.getAttribute('autocomplete')).toBe('new-password');
    expect(await describedText(password)).toContain('12文字以上');

    // Too short: stopped at its field, nothing asked or sent.
    await password.fill('short');
    await reset.getByRole('button', { name: 'パスワードを再設定' }).click();
    await waitForCondition(async () => (await password.getAttribute('aria-invalid')) === 'true');
    expect(await describedText(password)).toContain('12文字以上で入力してください。');
    expect(await reset.getByRole('button', { name: '再設定する（このユーザーはサインアウトされます）' }).count()).toBe(0);
    expect(await loginStatus(email, DEMO_PASSWORD)).toBe(200);

    // A new one, after a confirmation.
    await password.fill(newPassword);
    await waitForCondition(async () => (await password.getAttribute('aria-invalid')) === null);
    await reset.getByRole('button', { name: 'パスワードを再設定' }).click();
    await reset.getByText('沖縄県 課長のパスワードを再設定しますか？').waitFor();
    await reset.getByRole('button', { name: '再設定する（このユーザーはサインアウトされます）' }).click();
    await status().filter({ hasText: '沖縄県 課長のパスワードを再設定しました。' }).waitFor();
    // The password is gone from the page and never comes back.
    expect(await password.inputValue()).toBe('');
    expect(await page.content()).not.toContain(newPassword);
    await reset.getByRole('button', { name: 'パスワードを再設定' }).waitFor();

    // The old password fails, the new one works, and the user's open session has ended.
    expect(await loginStatus(email, DEMO_PASSWORD)).toBe(401);
    const token = await http.login(email, newPassword);
    expect((await http.get('/api/v1/me', { token })).status).toBe(200);
    expect((await http.get('/api/v1/me', { token: managerToken })).status).toBe(401);
  });

  it('shows the server’s message at the code field for an organisation code that is taken', async () => {
    const duplicate = await http.post<{ violations: { field: string; message: string }[] }>('/api/v1/organisations', { name: '重複', kind: 'prefecture', code: TAKEN_CODE }, { token: operatorToken, lang: 'ja' });
    expect(duplicate.status).toBe(409);
    const serverMessage = duplicate.body.violations.find((violation) => violation.field === 'code')?.message ?? '';
    expect(serverMessage).toMatch(/^code /);

    await signIn(OPERATOR, '/administration/organisations');
    const form = page.getByRole('form', { name: '団体を登録' });
    await form.getByLabel('団体名').fill('沖縄県（重複）');
    await form.getByRole('radio', { name: '都道府県' }).check();
    const code = form.getByLabel('団体コード');
    await code.fill(TAKEN_CODE);
    await form.getByRole('button', { name: 'この団体を登録' }).click();
    await waitForCondition(async () => (await code.getAttribute('aria-invalid')) === 'true');
    // The server's words, naming the field by its label.
    expect(await describedText(code)).toContain(`「団体コード」${serverMessage.slice('code '.length)}`);
    const summary = form.locator('.error-summary');
    expect(await summary.innerText()).toContain('団体コード');
    // Typed input stays; changing the code clears the message.
    expect(await form.getByLabel('団体名').inputValue()).toBe('沖縄県（重複）');
    await code.fill('479999');
    await waitForCondition(async () => (await code.getAttribute('aria-invalid')) === null);
  });

  it('lets the operator register a JICA call in Japan time', async () => {
    await signIn(OPERATOR, '/administration/calls');
    const form = page.getByRole('form', { name: '公募を登録' });
    await form.getByLabel('事業スキーム').selectOption({ label: '普及・実証事業' });
    await form.getByLabel('年度').fill('2027');
    await form.getByLabel('回').fill('2');
    await form.getByLabel('受付開始').fill('2027-06-01T09:00');
    await form.getByLabel('締切').fill('2027-05-31T17:00');
    await form.getByRole('button', { name: 'この公募を登録' }).click();
    // Closing before opening is stopped at the field.
    await form.getByText('締切は受付開始より後の日時にしてください。').first().waitFor();
    await form.getByLabel('受付開始').fill('2027-04-01T09:00');
    await form.getByRole('button', { name: 'この公募を登録' }).click();
    await status().filter({ hasText: '公募を登録しました。' }).waitFor();

    const calls = await http.get<{ scheme: string; fiscalYear: number; round: number; opensAt: string; closesAt: string }[]>('/api/v1/calls?scheme=sme-verification', { token: operatorToken });
    const call = calls.body.find((item) => item.fiscalYear === 2027 && item.round === 2);
    expect(call).toMatchObject({ opensAt: '2027-04-01T00:00:00.000Z', closesAt: '2027-05-31T08:00:00.000Z' });
    await page.getByRole('row').filter({ hasText: '第2回' }).filter({ hasText: '普及・実証事業' }).waitFor();
  });

  it('gives staff no Administration link and a clear "not allowed" page', async () => {
    await signIn(STAFF);
    const nav = page.getByRole('navigation', { name: 'メインメニュー' });
    await nav.getByRole('link', { name: '受信箱' }).waitFor();
    expect(await nav.getByRole('link', { name: '管理' }).count()).toBe(0);
    await page.goto(`${base}/administration/users`);
    await page.getByRole('heading', { level: 1, name: 'この画面を利用する権限がありません' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('管理者のみが利用できます');
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByRole('form').count()).toBe(0);

    // An organisation's admin is not a system operator.
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(`${base}/login`);
    await signIn(ADMIN, '/administration/organisations');
    await page.getByRole('heading', { level: 1, name: 'この画面を利用する権限がありません' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('システム運用者');
  });

  it('has no serious or critical axe-core violations on the administration pages, in Japanese and English', async () => {
    const found: Record<string, unknown> = {};
    await signIn(OPERATOR);
    for (const [language, saveUser] of [
      ['日本語', 'このユーザーを登録'],
      ['English', 'Create the user'],
    ] as const) {
      await page.getByRole('button', { name: language }).click();
      for (const path of ['/administration', '/administration/organisations', '/administration/calls', '/administration/policy', '/administration/users']) {
        await page.goto(`${base}${path}`);
        await page.locator('main h1').waitFor();
        await page.waitForLoadState('networkidle');
        found[`${language} operator ${path}`] = await seriousAxeViolations(page);
      }
      // The user form with its error summary, and a user's editor open.
      await page.getByRole('button', { name: saveUser }).click();
      await page.locator('.error-summary').waitFor();
      await page.getByRole('table').getByRole('button').first().click();
      await page.locator('#user-editor').waitFor();
      found[`${language} operator users with errors and the editor`] = await seriousAxeViolations(page);
    }
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(`${base}/login`);

    await signIn(ADMIN);
    for (const language of ['日本語', 'English'] as const) {
      await page.getByRole('button', { name: language }).click();
      for (const path of ['/administration/policy', '/administration/users']) {
        await page.goto(`${base}${path}`);
        await page.locator('main h1').waitFor();
        await page.waitForLoadState('networkidle');
        found[`${language} organisation admin ${path}`] = await seriousAxeViolations(page);
      }
      await page.getByRole('table').getByRole('button').last().click();
      await page.locator('#user-editor').waitFor();
      await page.getByRole('button', { name: language === '日本語' ? 'このユーザーを無効にする' : 'Disable this user' }).click();
      found[`${language} organisation admin disabling a user`] = await seriousAxeViolations(page);
      // The password reset: its error at the field, then its confirmation (not confirmed).
      const reset = page.getByRole('form', { name: language === '日本語' ? 'パスワードの再設定' : 'Reset the password' });
      const resetButton = reset.getByRole('button', { name: language === '日本語' ? 'パスワードを再設定' : 'Reset the password' });
      await resetButton.click();
      await reset.locator('.error-summary').waitFor();
      found[`${language} organisation admin resetting a password with errors`] = await seriousAxeViolations(page);
      await reset.getByLabel(language === '日本語' ? '新しいパスワード' : 'New password').fill('axe-check-password-2026');
      await resetButton.click();
      await reset.getByRole('button', { name: language === '日本語' ? '再設定する（このユーザーはサインアウトされます）' : 'Reset it (the user is signed out)' }).waitFor();
      found[`${language} organisation admin confirming a password reset`] = await seriousAxeViolations(page);
    }
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(`${base}/login`);

    await signIn(STAFF, '/administration/users');
    for (const language of ['日本語', 'English'] as const) {
      await page.getByRole('button', { name: language }).click();
      await page.locator('main h1').waitFor();
      found[`${language} staff not allowed`] = await seriousAxeViolations(page);
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));
  });
});

