import { startApi, TEST_ADMIN, type ApiUnderTest } from '@koryu/testing';

/**
 * QUALITY.md S3 for the foundation: unknown fields, wrong types, prototype keys, unstorable text
 * and oversized bodies get API.md's error body (400 / 413 / 415), never a 500, in ja or en.
 */
let api: ApiUnderTest;
let token: string;
let organisationId: string;

beforeAll(async () => {
  api = await startApi();
  token = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  organisationId = (await api.http.get('/api/v1/me', { token })).body.organisationId;
});

afterAll(async () => {
  await api.close();
});

const validUser = () => ({ email: `u${Math.random().toString(36).slice(2)}@s3.test`, name: '山田 太郎', password: 'long-enough-password', organisationId, roles: ['staff'] });

it('refuses an unknown top-level field, naming it, in Japanese by default and in English on request', async () => {
  const ja = await api.http.post('/api/v1/users', { ...validUser(), isAdmin: true }, { token });
  expect(ja.status).toBe(400);
  expect(ja.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', violations: [{ field: 'isAdmin', code: 'unknownField' }] });
  expect(ja.body.violations[0].message).toBe('isAdmin は受け付けられない項目です。');
  const en = await api.http.post('/api/v1/users', { ...validUser(), isAdmin: true }, { token, lang: 'en-GB,en;q=0.9' });
  expect(en.body.violations[0].message).toBe('isAdmin is not an accepted field.');
});

it('names each wrong field with its rule and limit', async () => {
  const result = await api.http.post('/api/v1/users', { ...validUser(), email: 'not-an-email', password: 'short', roles: ['staff', 'king'], locale: 'fr' }, { token, lang: 'en' });
  expect(result.status).toBe(400);
  const byField = Object.fromEntries(result.body.violations.map((v: { field: string; code: string; message: string }) => [`${v.field}:${v.code}`, v.message]));
  expect(byField['email:isEmail']).toBe('email must be an e-mail address.');
  expect(byField['password:minLength']).toBe('password must be at least 12 characters long.');
  expect(byField['roles:isIn']).toBe('roles must be one of: staff, manager, admin');
  expect(byField['locale:isIn']).toBeDefined();
});

it('does not coerce types: a string is not a boolean', async () => {
  const me = (await api.http.get('/api/v1/me', { token })).body;
  const result = await api.http.patch(`/api/v1/users/${me.id}`, { disabled: 'false' }, { token });
  expect(result.status).toBe(400);
  expect(result.body.violations).toEqual([expect.objectContaining({ field: 'disabled', code: 'isBoolean' })]);
});

it.each([
  ['__proto__ at the top', '{"__proto__":{"isAdmin":true},"email":"a@b.test","password":"x"}', 'forbiddenKey'],
  ['constructor.prototype nested', '{"email":"a@b.test","password":"x","x":{"constructor":{"prototype":{"isAdmin":true}}}}', 'forbiddenKey'],
  ['__proto__ in an array element', '{"email":"a@b.test","password":"x","list":[{"__proto__":{"isAdmin":true}}]}', 'forbiddenKey'],
  ['constructor alone', '{"email":"a@b.test","password":"x","constructor":{"name":"x"}}', 'forbiddenKey'],
  ['malformed JSON', '{"email":', 'invalidJson'],
])('refuses %s with 400 and leaves Object.prototype clean', async (_name, raw, code) => {
  const result = await api.http.post('/api/v1/auth/login', undefined, { raw });
  expect(result.status).toBe(400);
  expect(result.body.code).toBe('VALIDATION_FAILED');
  expect(result.body.violations[0].code).toBe(code);
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
});

it.each([
  ['a NUL character', 'a\u0000b'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', 'a\udc00b'],
])('refuses text with %s as 400 naming the field, not a database 500', async (_name, name) => {
  const result = await api.http.post('/api/v1/users', { ...validUser(), name }, { token });
  expect(result.status).toBe(400);
  expect(result.body.violations[0]).toMatchObject({ field: 'name', code: 'isSafeText' });
});

it('stores SQL and HTML in free text verbatim', async () => {
  const name = `'; DROP TABLE app_user;-- <img src=x onerror=alert(1)> {{7*7}}`;
  const created = await api.http.post('/api/v1/users', { ...validUser(), name }, { token });
  expect(created.status).toBe(201);
  const listed = await api.http.get('/api/v1/users', { token });
  expect(listed.body.map((u: { name: string }) => u.name)).toContain(name);
});

it('answers a 2 MB body with 413 PAYLOAD_TOO_LARGE in the JSON error format', async () => {
  const raw = JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(2 * 1024 * 1024) });
  const result = await api.http.post('/api/v1/auth/login', undefined, { raw, lang: 'en' });
  expect(result.status).toBe(413);
  expect(result.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', violations: [] });
  expect(result.body.message).toContain('1 MiB');
});

it('accepts a body just under 1 MiB (the limit is the documented one, not smaller)', async () => {
  const raw = JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(1024 * 1024 - 100) });
  const result = await api.http.post('/api/v1/auth/login', undefined, { raw });
  expect(result.status).toBe(400); // too long a password for the DTO, but parsed: not 413
  expect(result.body.violations[0]).toMatchObject({ field: 'password', code: 'maxLength' });
});

it('refuses a body that is not JSON with 415', async () => {
  const result = await api.http.post('/api/v1/auth/login', undefined, { raw: 'email=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(result.status).toBe(415);
  expect(result.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
});

it('refuses absurd nesting quickly', async () => {
  const raw = `{"email":"a@b.test","password":"x","deep":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const started = performance.now();
  const result = await api.http.post('/api/v1/auth/login', undefined, { raw });
  expect(result.status).toBe(400);
  expect(performance.now() - started).toBeLessThan(1000);
});
