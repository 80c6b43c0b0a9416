/**
 * The cases API over HTTP on a test definition (the real programs come with issue 5), including
 * QUALITY.md R4: 20 simultaneous approvals of one case → one 200, the rest 409, one history entry,
 * one event.
 */
import { Client } from 'pg';
import { type ApiUnderTest, roleMatrix, startApi, TEST_ADMIN } from '@koryu/testing';
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
  tokens.admin = await user(a, 'admin@a.test', ['admin'], operator);
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
      ownerKinds: ['prefecture', 'municipality'],
      states: expect.arrayContaining([{ key: 'done', title: { ja: '完了', en: 'Done' }, terminal: true }]),
      actions: expect.arrayContaining([expect.objectContaining({ key: 'finish', from: ['approved'], to: 'done', roles: ['system', 'staff'] })]),
    }),
  ]);
});

it("serves each program's form as JSON Schema for web forms, from the classes the API validates with", async () => {
  const form = await api.http.get('/api/v1/programs/test-petition/form', { token: tokens.staff });
  expect(form.status).toBe(200);
  expect(form.body).toEqual({
    key: 'test-petition',
    version: 1,
    variants: null,
    schemas: {
      default: {
        type: 'object',
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 200 },
          amountYen: { type: 'integer', minimum: 0 },
          endDate: { type: 'string', format: 'date' },
          note: { type: 'string', maxLength: 4000 },
        },
        required: ['title'],
      },
    },
    editable: expect.any(Array),
  });
  // What the schema requires is what submitting reports missing.
  const created = await newCase({});
  const check = await api.http.post(`/api/v1/cases/${created.id}/actions/submit/check`, {}, { token: tokens.staff });
  expect(check.body.violations.map((v: { field: string }) => v.field)).toEqual(['data.title']);
  expect((await api.http.get('/api/v1/programs/no-such-program/form', { token: tokens.staff })).status).toBe(404);
  expect((await api.http.get('/api/v1/programs/test-petition/form')).status).toBe(401);
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
  expect(list.body).toEqual({ items: [], total: 0, nextCursor: null });
  const csv = await api.http.get('/api/v1/cases.csv', { token: tokens.otherStaff, lang: 'en' });
  expect(csv.text.trim().split('\r\n')).toHaveLength(1);
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

it('decides on the version the caller saw even when another process changed the case meanwhile: the stale version gets 409, the current one moves it', async () => {
  const created = await newCase();
  // This process remembers version 1 (it served it); another process (here: SQL) takes the case to
  // version 2 in another state behind its back.
  expect((await api.http.get(`/api/v1/cases/${created.id}`, { token: tokens.staff })).body.version).toBe(1);
  await sql.query(`UPDATE workflow_case SET state = 'internal-review', version = 2 WHERE id = $1`, [created.id]);
  const stale = await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: 1 }, { token: tokens.staff });
  // Answered as without any memory: on the case as it is now, where submit is not available.
  expect([stale.status, stale.body.code]).toEqual([409, 'INVALID_TRANSITION']);
  // Nor is the remembered draft taken for version 2: submit is not available in review.
  const wrongRow = await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: 2 }, { token: tokens.staff });
  expect([wrongRow.status, wrongRow.body.code]).toEqual([409, 'INVALID_TRANSITION']);
  const current = await api.http.post(`/api/v1/cases/${created.id}/actions/approve`, { version: 2 }, { token: tokens.manager });
  expect([current.status, current.body.state, current.body.version]).toEqual([200, 'approved', 3]);
  const { rows } = await sql.query(`SELECT action FROM case_history WHERE case_id = $1 ORDER BY at`, [created.id]);
  expect(rows.map((r) => r.action)).toEqual(['create', 'approve']);
});

it('keeps history append-only at the database', async () => {
  const created = await newCase();
  await expect(sql.query('UPDATE case_history SET comment = $1 WHERE case_id = $2', ['改ざん', created.id])).rejects.toThrow(/append-only/);
  await expect(sql.query('DELETE FROM case_history WHERE case_id = $1', [created.id])).rejects.toThrow(/append-only/);
});

describe('S2: every action of the test program tried by every role', () => {
  // Generated from the definition: a listed role succeeds (200), every other role gets 403.
  it.each(roleMatrix(PETITION).map((cell) => [cell.action, cell.from, cell.role, cell.listed] as const))(
    '%s from %s by %s (listed: %s)',
    async (action, from, role, listed) => {
      const created = await newCase({ title: 'S2', amountYen: 1000, endDate: '2027-03-31' });
      await sql.query('UPDATE workflow_case SET state = $1 WHERE id = $2', [from, created.id]);
      const result = await api.http.post(
        `/api/v1/cases/${created.id}/actions/${action}`,
        { version: 1, comment: 'S2 の確認', override: { reason: 'S2 の確認' } },
        { token: tokens[role] },
      );
      expect(result.status).toBe(listed ? 200 : 403);
    },
  );
});

describe('saving checks shapes and types against the program form (400), submitting checks completeness (422)', () => {
  it('names unknown fields, wrong types and out-of-range values under data.', async () => {
    const result = await api.http.post('/api/v1/cases', { program: PETITION.key, data: { title: 7, amountYen: -1, colour: 'red' } }, { token: tokens.staff, lang: 'en' });
    expect(result.status).toBe(400);
    const found = result.body.violations.map((v: { field: string; code: string }) => `${v.field}:${v.code}`);
    expect(found).toEqual(expect.arrayContaining(['data.title:isString', 'data.amountYen:min', 'data.colour:unknownField']));
    expect(result.body.violations.find((v: { code: string }) => v.code === 'unknownField').message).toBe('data.colour is not an accepted field.');
  });

  it('lets a draft be incomplete and refuses to submit it with FORM_INCOMPLETE per missing field', async () => {
    const created = await newCase({ amountYen: 10 });
    const submit = await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: 1 }, { token: tokens.staff });
    expect(submit.status).toBe(422);
    expect(submit.body).toMatchObject({ code: 'FORM_INCOMPLETE', violations: [{ field: 'data.title', code: 'FORM_INCOMPLETE', message: '提出するにはこの項目を入力してください。' }] });
  });

  it('checks PATCH and action data the same way, and only the fields editable in the state', async () => {
    const created = await newCase();
    const wrongType = await api.http.patch(`/api/v1/cases/${created.id}`, { data: { amountYen: '100' }, version: 1 }, { token: tokens.staff });
    expect([wrongType.status, wrongType.body.violations[0]?.field]).toEqual([400, 'data.amountYen']);
    const actionData = await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: 1, data: { endDate: '31/03/2027' } }, { token: tokens.staff });
    expect([actionData.status, actionData.body.violations[0]?.code]).toEqual([400, 'isDateString']);
    await sql.query(`UPDATE workflow_case SET state = 'approved' WHERE id = $1`, [created.id]);
    const notEditable = await api.http.patch(`/api/v1/cases/${created.id}`, { data: { note: '備考', amountYen: 5 }, version: 1 }, { token: tokens.staff, lang: 'en' });
    expect([notEditable.status, notEditable.body.violations]).toEqual([400, [{ field: 'data.amountYen', code: 'notEditable', message: 'data.amountYen cannot be changed at this stage.' }]]);
    const editable = await api.http.patch(`/api/v1/cases/${created.id}`, { data: { note: '備考' }, version: 1 }, { token: tokens.staff });
    expect([editable.status, editable.body.data.note]).toEqual([200, '備考']);
  });

  it('S3: refuses prototype keys, NUL characters and lone surrogates inside data, and 2 MB bodies', async () => {
    const proto = await api.http.post('/api/v1/cases', {}, { token: tokens.staff, raw: `{"program":"${PETITION.key}","data":{"title":"x","__proto__":{"admin":true}}}` });
    expect([proto.status, proto.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const nul = await api.http.post('/api/v1/cases', { program: PETITION.key, data: { title: 'a\u0000b' } }, { token: tokens.staff });
    expect([nul.status, nul.body.violations[0].code]).toEqual([400, 'isSafeText']);
    const surrogate = await api.http.post('/api/v1/cases', {}, { token: tokens.staff, raw: `{"program":"${PETITION.key}","data":{"title":"\\ud800"}}` });
    expect(surrogate.status).toBe(400);
    const huge = await api.http.post('/api/v1/cases', { program: PETITION.key, data: { title: 'x', note: 'あ'.repeat(700_000) } }, { token: tokens.staff });
    expect([huge.status, huge.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});

describe('POST /cases/:id/actions/:action/check', () => {
  it('answers what the action would answer, in the caller’s language, and writes nothing', async () => {
    const created = await newCase();
    const over = await api.http.post(`/api/v1/cases/${created.id}/actions/submit/check`, { data: { amountYen: 1_000_001 } }, { token: tokens.staff, lang: 'en' });
    expect(over.status).toBe(200);
    expect(over.body).toEqual({
      allowed: false,
      code: 'AMOUNT_OVER_CAP',
      message: 'The amount must be at most ¥1000000.',
      violations: [{ field: 'data.amountYen', code: 'AMOUNT_OVER_CAP', message: 'The amount must be at most ¥1000000.' }],
    });
    const fine = await api.http.post(`/api/v1/cases/${created.id}/actions/submit/check`, { data: { amountYen: 1_000_000 } }, { token: tokens.staff });
    expect(fine.body).toEqual({ allowed: true, code: null, message: null, violations: [] });
    const wrongType = await api.http.post(`/api/v1/cases/${created.id}/actions/submit/check`, { data: { amountYen: 'many' } }, { token: tokens.staff });
    expect(wrongType.body).toMatchObject({ allowed: false, code: 'VALIDATION_FAILED', violations: [{ field: 'data.amountYen', code: 'isInt' }] });
    const role = await api.http.post(`/api/v1/cases/${created.id}/actions/approve/check`, {}, { token: tokens.staff });
    expect(role.body).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
    const state = await api.http.post(`/api/v1/cases/${created.id}/actions/approve/check`, {}, { token: tokens.manager });
    expect(state.body).toMatchObject({ allowed: false, code: 'INVALID_TRANSITION' });
    const unknown = await api.http.post(`/api/v1/cases/${created.id}/actions/launch/check`, {}, { token: tokens.staff });
    expect(unknown.status).toBe(404);
    const other = await api.http.post(`/api/v1/cases/${created.id}/actions/submit/check`, {}, { token: tokens.otherStaff });
    expect(other.status).toBe(404);
    expect((await api.http.get(`/api/v1/cases/${created.id}`, { token: tokens.staff })).body).toMatchObject({ version: 1, state: 'draft', data: { amountYen: 500_000 } });
  });

  it('does not ask for the comment the action will need', async () => {
    const created = await newCase();
    expect((await api.http.post(`/api/v1/cases/${created.id}/actions/withdraw/check`, {}, { token: tokens.staff })).body).toMatchObject({ allowed: true });
  });
});

describe('lists and CSV', () => {
  const marker = `頁送り-${Date.now()}`;
  beforeAll(async () => {
    for (let i = 0; i < 7; i += 1) await newCase({ title: `${marker} ${i}`, amountYen: i });
  });

  it('pages by cursor through every match once, in the same order as page numbers', async () => {
    const byPage: string[] = [];
    for (let page = 1; page <= 3; page += 1) {
      const result = await api.http.get(`/api/v1/cases?q=${encodeURIComponent(marker)}&pageSize=3&page=${page}`, { token: tokens.staff });
      expect(result.body.total).toBe(7);
      byPage.push(...result.body.items.map((c: { id: string }) => c.id));
    }
    const byCursor: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/cases?q=${encodeURIComponent(marker)}&pageSize=3${cursor ? `&cursor=${cursor}` : ''}`;
      const result = await api.http.get(query, { token: tokens.staff });
      expect(result.body.total).toBe(7);
      byCursor.push(...result.body.items.map((c: { id: string }) => c.id));
      cursor = result.body.nextCursor;
    } while (cursor);
    expect(byCursor).toHaveLength(7);
    expect(byCursor).toEqual(byPage);
    const bad = await api.http.get('/api/v1/cases?cursor=bm9wZQ', { token: tokens.staff });
    expect([bad.status, bad.body.violations[0].field]).toEqual([400, 'cursor']);
  });

  it('exports the same filter as UTF-8 CSV with a BOM and CRLF, headers in the caller’s language, formulas defused', async () => {
    await newCase({ title: `=HYPERLINK("http://evil.test") ${marker}` });
    const response = await fetch(`${api.http.baseUrl}/api/v1/cases.csv?q=${encodeURIComponent(marker)}`, { headers: { authorization: `Bearer ${tokens.staff}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('ID,事業,件名,状態,年度,作成日時,更新日時,版');
    expect(lines).toHaveLength(9);
    expect(lines.slice(1).every((line) => line.includes('テスト申請') && line.includes('下書き'))).toBe(true);
    expect(lines.some((line) => line.includes(`"'=HYPERLINK(""http://evil.test"") ${marker}"`))).toBe(true);
    const en = await api.http.get(`/api/v1/cases.csv?q=${encodeURIComponent(marker)}`, { token: tokens.staff, lang: 'en' });
    expect(en.text.split('\r\n')[0]).toBe('ID,Program,Title,State,Fiscal year,Created (JST),Updated (JST),Version');
  });
});
