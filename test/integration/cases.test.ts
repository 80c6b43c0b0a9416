/**
 * The cases API over HTTP on a test definition (the real programs come with issue 5), including
 * QUALITY.md R4: 20 simultaneous approvals of one case → one 200, the rest 409, one history entry,
 * one event.
 */
import { Client } from 'pg';
import { type ApiUnderTest, startApi, TEST_ADMIN } from '@koryu/testing';
import { PETITION } from '../../libs/workflow/testing/petition.definition';

let api: ApiUnderTest;
let sql: Client;
const tokens: Record<string, string> = {};

async function user(organisationId: string, email: string, roles: string[], operator: string): Promise<string> {
  const created = await api.http.post('/api/v1/users', { email, name: email, password: 'password-of-twelve', organisationId, roles }, { token: operator });
  expect(created.status).toBe(201);
  return api.http.login(email, 'password-of-twelve');
}

beforeAll(async () => {
  api = await startApi(
    {},
    {
      programs: [PETITION],
      factLoaders: {
        approvedThisYear: async (row, query) =>
          (await query<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_case WHERE organisation_id = $1 AND program = $2 AND state = 'approved'`, [row.organisationId, row.program]))[0].n,
      },
    },
  );
  sql = new Client({ connectionString: api.database.url });
  await sql.connect();
  const operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  const organisation = async (code: string) => (await api.http.post('/api/v1/organisations', { name: `県 ${code}`, kind: 'prefecture', code }, { token: operator })).body.id as string;
  const a = await organisation('470007');
  const b = await organisation('010006');
  tokens.staff = await user(a, 'staff@a.test', ['staff'], operator);
  tokens.manager = await user(a, 'manager@a.test', ['manager'], operator);
  tokens.otherStaff = await user(b, 'staff@b.test', ['staff'], operator);
});

afterAll(async () => {
  await sql.end();
  await api.close();
});

async function newCase(data: Record<string, unknown> = { title: '友好交流', amountYen: 500_000 }) {
  const created = await api.http.post('/api/v1/cases', { program: PETITION.key, data }, { token: tokens.staff });
  expect(created.status).toBe(201);
  return created.body as { id: string; version: number; state: string; allowedActions: string[] };
}

it('lists the programs with states and actions', async () => {
  const programs = await api.http.get('/api/v1/programs', { token: tokens.staff });
  expect(programs.status).toBe(200);
  expect(programs.body).toEqual([
    expect.objectContaining({
      key: 'test-petition',
      version: 1,
      title: { ja: 'テスト申請', en: 'Test petition' },
      states: expect.arrayContaining([{ key: 'done', title: { ja: '完了', en: 'Done' }, terminal: true }]),
      actions: expect.arrayContaining([expect.objectContaining({ key: 'finish', from: ['approved'], to: 'done', roles: ['system', 'staff'] })]),
    }),
  ]);
});

it('walks a case through its workflow with allowed actions and history at each step', async () => {
  const created = await newCase();
  expect(created).toMatchObject({ state: 'draft', version: 1, allowedActions: ['submit', 'withdraw'] });

  const submitted = await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: 1 }, { token: tokens.staff });
  expect(submitted.status).toBe(200);
  expect(submitted.body).toMatchObject({ state: 'internal-review', version: 2, allowedActions: ['withdraw'] });
  expect((await api.http.get(`/api/v1/cases/${created.id}`, { token: tokens.manager })).body.allowedActions).toEqual(['approve', 'return', 'withdraw']);

  const returned = await api.http.post(`/api/v1/cases/${created.id}/actions/return`, { version: 2, comment: '金額の根拠を添付してください' }, { token: tokens.manager });
  expect(returned.body).toMatchObject({ state: 'draft', version: 3 });

  const history = await api.http.get(`/api/v1/cases/${created.id}/history`, { token: tokens.staff });
  expect(history.body.map((h: { action: string; from: string; to: string }) => [h.action, h.from, h.to])).toEqual([
    ['create', null, 'draft'],
    ['submit', 'draft', 'internal-review'],
    ['return', 'internal-review', 'draft'],
  ]);
  expect(history.body[2]).toMatchObject({ comment: '金額の根拠を添付してください', actor: { kind: 'user', name: 'manager@a.test' } });
});

it('answers 403 for a role, 409 for a state or a stale version, 422 with the rule code in the caller’s language', async () => {
  const created = await newCase();
  expect((await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: 1 }, { token: tokens.manager })).status).toBe(403);
  const wrongState = await api.http.post(`/api/v1/cases/${created.id}/actions/approve`, { version: 1 }, { token: tokens.manager });
  expect([wrongState.status, wrongState.body.code]).toEqual([409, 'INVALID_TRANSITION']);
  const stale = await api.http.patch(`/api/v1/cases/${created.id}`, { data: { amountYen: 1 }, version: 7 }, { token: tokens.staff });
  expect([stale.status, stale.body.code]).toEqual([409, 'VERSION_CONFLICT']);

  const over = await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: 1, data: { amountYen: 1_000_001 } }, { token: tokens.staff, lang: 'en' });
  expect(over.status).toBe(422);
  expect(over.body).toMatchObject({ code: 'AMOUNT_OVER_CAP', message: 'The amount must be at most ¥1000000.', violations: [{ field: 'data.amountYen', code: 'AMOUNT_OVER_CAP' }] });
  const overJa = await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: 1, data: { amountYen: 1_000_001 } }, { token: tokens.staff });
  expect(overJa.body.message).toBe('金額は1000000円以下にしてください。');
  // Nothing was written by the refused actions.
  expect((await api.http.get(`/api/v1/cases/${created.id}`, { token: tokens.staff })).body).toMatchObject({ version: 1, state: 'draft' });

  const noComment = await api.http.post(`/api/v1/cases/${created.id}/actions/withdraw`, { version: 1, comment: ' ' }, { token: tokens.staff });
  expect([noComment.status, noComment.body.code, noComment.body.violations[0].field]).toEqual([422, 'COMMENT_REQUIRED', 'comment']);
});

it("answers 404 for another organisation's case, and never lists it", async () => {
  const created = await newCase();
  for (const [method, path] of [
    ['GET', `/api/v1/cases/${created.id}`],
    ['GET', `/api/v1/cases/${created.id}/history`],
    ['POST', `/api/v1/cases/${created.id}/actions/submit`],
    ['PATCH', `/api/v1/cases/${created.id}`],
  ]) {
    const result = await api.http.request(method, path, method === 'GET' ? undefined : { version: 1, data: {} }, { token: tokens.otherStaff });
    expect([method, path, result.status]).toEqual([method, path, 404]);
  }
  const list = await api.http.get('/api/v1/cases', { token: tokens.otherStaff });
  expect(list.body).toEqual({ items: [], total: 0 });
});

it('stores SQL and HTML in free text verbatim', async () => {
  const text = `'); DROP TABLE workflow_case; -- <script>alert(1)</script> 交流`;
  const created = await newCase({ title: text });
  expect((await api.http.get(`/api/v1/cases/${created.id}`, { token: tokens.staff })).body).toMatchObject({ title: text, data: { title: text } });
});

it('R4: 20 simultaneous approvals of one case: one 200, nineteen 409, one history entry, one event', async () => {
  const created = await newCase();
  await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: 1 }, { token: tokens.staff });
  const results = await Promise.all(
    Array.from({ length: 20 }, () => api.http.post(`/api/v1/cases/${created.id}/actions/approve`, { version: 2 }, { token: tokens.manager })),
  );
  const statuses = results.map((r) => r.status).sort();
  expect(statuses).toEqual([200, ...Array(19).fill(409)]);
  const { rows: history } = await sql.query(`SELECT count(*)::int AS n FROM case_history WHERE case_id = $1 AND action = 'approve'`, [created.id]);
  const { rows: events } = await sql.query(`SELECT count(*)::int AS n FROM outbox WHERE case_id = $1 AND payload->>'action' = 'approve'`, [created.id]);
  expect([history[0].n, events[0].n]).toEqual([1, 1]);
});

it('keeps history append-only at the database', async () => {
  const created = await newCase();
  await expect(sql.query('UPDATE case_history SET comment = $1 WHERE case_id = $2', ['改ざん', created.id])).rejects.toThrow(/append-only/);
  await expect(sql.query('DELETE FROM case_history WHERE case_id = $1', [created.id])).rejects.toThrow(/append-only/);
});
