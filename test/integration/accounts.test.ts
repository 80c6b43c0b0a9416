import { Client } from 'pg';
import { startApi, TEST_ADMIN, type ApiUnderTest } from '@koryu/testing';

/** Organisations and users (API.md admin endpoints) and the audit log of QUALITY.md S6. */
let api: ApiUnderTest;
let operator: string;
let db: Client;

beforeAll(async () => {
  api = await startApi();
  operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  db = new Client({ connectionString: api.database.url });
  await db.connect();
});

afterAll(async () => {
  await db.end();
  await api.close();
});

async function createOrganisation(code: string, name = `組織 ${code}`) {
  const result = await api.http.post('/api/v1/organisations', { name, kind: 'prefecture', code }, { token: operator });
  expect(result.status).toBe(201);
  return result.body as { id: string; code: string };
}

async function createUser(organisationId: string, email: string, roles: string[], token = operator) {
  return api.http.post('/api/v1/users', { email, name: email, password: 'password-of-twelve', organisationId, roles }, { token });
}

it('lets the operator create organisations with a unique code, and answers 409 for a duplicate', async () => {
  const okinawa = await createOrganisation('470007', '沖縄県');
  expect(okinawa).toMatchObject({ code: '470007', name: '沖縄県', kind: 'prefecture' });
  const duplicate = await api.http.post('/api/v1/organisations', { name: '別', kind: 'prefecture', code: '470007' }, { token: operator });
  expect(duplicate.status).toBe(409);
  expect(duplicate.body.violations[0]).toMatchObject({ field: 'code', code: 'unique' });
  const badCode = await api.http.post('/api/v1/organisations', { name: '別', kind: 'prefecture', code: 'way-too-long-code' }, { token: operator });
  expect(badCode.status).toBe(400);
  const operatorKind = await api.http.post('/api/v1/organisations', { name: '別', kind: 'operator', code: 'OPS2' }, { token: operator });
  expect(operatorKind.status).toBe(400);
});

it('lets an organisation admin manage only its own users, and refuses staff', async () => {
  const a = await createOrganisation('AORG');
  const b = await createOrganisation('BORG');
  expect((await createUser(a.id, 'admin@a.test', ['admin'])).status).toBe(201);
  expect((await createUser(a.id, 'staff@a.test', ['staff'])).status).toBe(201);
  expect((await createUser(b.id, 'staff@b.test', ['staff'])).status).toBe(201);
  const adminA = await api.http.login('admin@a.test', 'password-of-twelve');
  const staffA = await api.http.login('staff@a.test', 'password-of-twelve');

  expect((await createUser(a.id, 'manager@a.test', ['manager'], adminA)).status).toBe(201);
  const intoB = await createUser(b.id, 'intruder@b.test', ['admin'], adminA);
  expect(intoB.status).toBe(400);
  expect(intoB.body.violations[0].field).toBe('organisationId');

  const listed = await api.http.get('/api/v1/users', { token: adminA });
  expect(listed.body.map((u: { email: string }) => u.email).sort()).toEqual(['admin@a.test', 'manager@a.test', 'staff@a.test']);
  expect((await api.http.get(`/api/v1/users?organisationId=${b.id}`, { token: adminA })).body).toEqual([]);

  const userB = (await api.http.get(`/api/v1/users?organisationId=${b.id}`, { token: operator })).body[0];
  const patchB = await api.http.patch(`/api/v1/users/${userB.id}`, { name: 'x' }, { token: adminA });
  expect(patchB.status).toBe(404);

  expect((await api.http.get('/api/v1/users', { token: staffA })).status).toBe(403);
  expect((await createUser(a.id, 'x@a.test', ['staff'], staffA)).status).toBe(403);
  expect((await api.http.post('/api/v1/organisations', { name: 'x', kind: 'prefecture', code: 'XORG' }, { token: adminA })).status).toBe(403);

  const me = await api.http.get('/api/v1/me', { token: staffA });
  expect(me.body).toEqual({
    id: expect.any(String),
    email: 'staff@a.test',
    name: 'staff@a.test',
    organisationId: a.id,
    roles: ['staff'],
    locale: 'ja',
    disabled: false,
    createdAt: expect.any(String),
    organisation: { id: a.id, name: '組織 AORG', kind: 'prefecture' },
  });
});

it('lists the caller’s active colleagues, names and roles only, for any role, never another organisation’s', async () => {
  const c = await createOrganisation('CORG');
  const d = await createOrganisation('DORG');
  for (const [email, roles] of [['staff@c.test', ['staff']], ['manager@c.test', ['manager']], ['gone@c.test', ['staff']]] as const) {
    expect((await createUser(c.id, email, [...roles])).status).toBe(201);
  }
  expect((await createUser(d.id, 'staff@d.test', ['staff'])).status).toBe(201);
  const gone = (await api.http.get(`/api/v1/users?organisationId=${c.id}`, { token: operator })).body.find((u: { email: string }) => u.email === 'gone@c.test');
  expect((await api.http.patch(`/api/v1/users/${gone.id}`, { disabled: true }, { token: operator })).status).toBe(200);

  const staffC = await api.http.login('staff@c.test', 'password-of-twelve');
  const colleagues = await api.http.get('/api/v1/me/colleagues', { token: staffC });
  expect(colleagues.status).toBe(200);
  expect(colleagues.body).toEqual([{ id: expect.any(String), name: 'manager@c.test', roles: ['manager'] }]);
  const staffD = await api.http.login('staff@d.test', 'password-of-twelve');
  expect((await api.http.get('/api/v1/me/colleagues', { token: staffD })).body).toEqual([]);
  expect((await api.http.get('/api/v1/me/colleagues')).status).toBe(401);
});

it('applies a role change at once (roles are read per request, not trusted from the token)', async () => {
  const org = await createOrganisation('RORG');
  const created = (await createUser(org.id, 'admin@r.test', ['admin'])).body;
  const token = await api.http.login('admin@r.test', 'password-of-twelve');
  expect((await api.http.get('/api/v1/users', { token })).status).toBe(200);
  const patched = await api.http.patch(`/api/v1/users/${created.id}`, { roles: ['staff'] }, { token: operator });
  // The user as changed, not wrapped in a list.
  expect(patched.body).toMatchObject({ id: created.id, email: 'admin@r.test', roles: ['staff'], disabled: false });
  const fresh = await api.http.login('admin@r.test', 'password-of-twelve');
  expect((await api.http.get('/api/v1/users', { token: fresh })).status).toBe(403);
});

describe('S6 audit log', () => {
  it('records login failures, forbidden attempts and admin changes with actor, IP and time', async () => {
    await api.http.post('/api/v1/auth/login', { email: 'ghost@audit.test', password: 'nope-nope-nope' }, { headers: { 'user-agent': 'audit-test-agent' } });
    const org = await createOrganisation('AUDIT');
    await createUser(org.id, 'staff@audit.test', ['staff']);
    const staff = await api.http.login('staff@audit.test', 'password-of-twelve');
    await api.http.get('/api/v1/users', { token: staff });

    const { rows } = await db.query(`SELECT action, outcome, subject, actor_user_id, ip, user_agent, request_id, at, detail FROM audit_log ORDER BY id`);
    const failure = rows.find((r) => r.action === 'auth.login' && r.subject === 'ghost@audit.test');
    expect(failure).toMatchObject({ outcome: 'failure', actor_user_id: null, user_agent: 'audit-test-agent' });
    expect(failure.ip).toMatch(/127\.0\.0\.1/);
    expect(failure.request_id).toBeTruthy();
    expect(failure.at).toBeInstanceOf(Date);

    const orgChange = rows.find((r) => r.action === 'organisation.create' && r.subject === org.id);
    expect(orgChange.outcome).toBe('success');
    expect(orgChange.actor_user_id).toBeTruthy();
    const userChange = rows.find((r) => r.action === 'user.create' && r.detail.email === 'staff@audit.test');
    expect(userChange).toBeDefined();
    expect(JSON.stringify(rows)).not.toContain('password-of-twelve');

    // The forbidden attempt is written after the answer; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { rows: denied } = await db.query(`SELECT * FROM audit_log WHERE action = 'access.forbidden'`);
    expect(denied.some((r) => r.subject === 'GET /api/v1/users' && r.outcome === 'denied' && r.actor_user_id)).toBe(true);
  });

  it('refuses to change or delete audit entries, even with direct SQL', async () => {
    await expect(db.query(`UPDATE audit_log SET outcome = 'success'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });
});
