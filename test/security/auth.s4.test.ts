import { SignJWT } from 'jose';
import { Client } from 'pg';
import { startApi, TEST_ADMIN, type ApiUnderTest } from '@koryu/testing';

/** QUALITY.md S4: no token, expired, forged, alg none → 401; repeated failures → 429; argon2id. */
const JWT_SECRET = 'test-secret-for-s4-0123456789abcdefghijklmnop';
const secret = new TextEncoder().encode(JWT_SECRET);

let api: ApiUnderTest;
let me: { id: string; organisationId: string };
let operatorToken: string;

async function sign(claims: Record<string, unknown>, options: { key?: Uint8Array; exp?: number; iss?: string; aud?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ typ: 'access', gen: 0, org: me.organisationId, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(me.id)
    .setIssuedAt(now)
    .setExpirationTime(options.exp ?? now + 600)
    .setIssuer(options.iss ?? 'koryu')
    .setAudience(options.aud ?? 'koryu-api')
    .sign(options.key ?? secret);
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

beforeAll(async () => {
  api = await startApi({ JWT_SECRET });
  operatorToken = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  me = (await api.http.get('/api/v1/me', { token: operatorToken })).body;
});

afterAll(async () => {
  await api.close();
});

describe('S4 tokens', () => {
  it('accepts a token it signed itself (the control for every refusal below)', async () => {
    expect((await api.http.get('/api/v1/me', { token: await sign({}) })).status).toBe(200);
  });

  it('answers 401 UNAUTHENTICATED without a token, in the caller’s language', async () => {
    const ja = await api.http.get('/api/v1/me');
    expect(ja.status).toBe(401);
    expect(ja.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED', violations: [] });
    expect(ja.body.message).toMatch(/ログイン/);
    const en = await api.http.get('/api/v1/me', { lang: 'en' });
    expect(en.body.message).toMatch(/sign in/i);
  });

  it.each([
    ['expired', () => sign({}, { exp: Math.floor(Date.now() / 1000) - 5 })],
    ['signed with another secret', () => sign({}, { key: new TextEncoder().encode('another-secret-another-secret-another-secret') })],
    ['with a wrong issuer', () => sign({}, { iss: 'someone-else' })],
    ['with a wrong audience', () => sign({}, { aud: 'another-api' })],
    ['of another type', () => sign({ typ: 'refresh' })],
    ['with alg none', async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${(await sign({})).split('.')[1]}.`],
    [
      'with a tampered payload',
      async () => {
        const [header, , signature] = (await sign({})).split('.');
        const payload = base64url({ sub: me.id, org: me.organisationId, gen: 0, typ: 'access', iss: 'koryu', aud: 'koryu-api', exp: Math.floor(Date.now() / 1000) + 9999 });
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['that is not a JWT', async () => 'not-a-token'],
  ])('refuses a token %s with 401', async (_name, makeToken) => {
    const result = await api.http.get('/api/v1/me', { token: await makeToken() });
    expect(result.status).toBe(401);
    expect(result.body.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token it accepted before once the token has expired', async () => {
    const token = await sign({}, { exp: Math.floor(Date.now() / 1000) + 2 });
    expect((await api.http.get('/api/v1/me', { token })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const later = await api.http.get('/api/v1/me', { token });
    expect(later.status).toBe(401);
    expect(later.body.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token passed in the query string', async () => {
    const result = await api.http.get(`/api/v1/me?access_token=${await sign({})}`);
    expect(result.status).toBe(401);
  });

  it('ends every token of a user who is disabled, and of one who signs out', async () => {
    const org = (await api.http.post('/api/v1/organisations', { name: '試験県', kind: 'prefecture', code: 'S4ORG' }, { token: operatorToken })).body;
    const created = await api.http.post(
      '/api/v1/users',
      { email: 'disable-me@s4.test', name: '無効 太郎', password: 'a-long-password-1', organisationId: org.id, roles: ['staff'] },
      { token: operatorToken },
    );
    expect(created.status).toBe(201);
    const token = await api.http.login('disable-me@s4.test', 'a-long-password-1');
    expect((await api.http.get('/api/v1/me', { token })).status).toBe(200);
    expect((await api.http.patch(`/api/v1/users/${created.body.id}`, { disabled: true }, { token: operatorToken })).status).toBe(200);
    expect((await api.http.get('/api/v1/me', { token })).status).toBe(401);
    // A disabled account cannot sign in either, and the answer is the ordinary wrong-password one.
    const again = await api.http.post('/api/v1/auth/login', { email: 'disable-me@s4.test', password: 'a-long-password-1' });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('INVALID_CREDENTIALS');

    expect((await api.http.patch(`/api/v1/users/${created.body.id}`, { disabled: false }, { token: operatorToken })).status).toBe(200);
    const fresh = await api.http.login('disable-me@s4.test', 'a-long-password-1');
    expect((await api.http.post('/api/v1/auth/logout', undefined, { token: fresh })).status).toBe(204);
    expect((await api.http.get('/api/v1/me', { token: fresh })).status).toBe(401);
  });
});

describe('S4 passwords', () => {
  it('stores passwords as argon2id, never in clear', async () => {
    const client = new Client({ connectionString: api.database.url });
    await client.connect();
    const { rows } = await client.query('SELECT password_hash FROM app_user WHERE email = $1', [TEST_ADMIN.email]);
    await client.end();
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(rows[0].password_hash).not.toContain(TEST_ADMIN.password);
  });

  it('answers 20 wrong passwords with 401 ten times, then 429 with Retry-After, the same for an unknown e-mail', async () => {
    const known: { status: number; body: Record<string, unknown>; retryAfter: string | null }[] = [];
    const unknown: typeof known = [];
    for (let i = 0; i < 20; i++) {
      for (const [email, into] of [[TEST_ADMIN.email, known], ['nobody@nowhere.test', unknown]] as const) {
        const result = await api.http.post('/api/v1/auth/login', { email, password: `wrong-${i}` });
        into.push({ status: result.status, body: result.body, retryAfter: result.headers.get('retry-after') });
      }
    }
    for (const attempts of [known, unknown]) {
      expect(attempts.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(401));
      expect(attempts.slice(10).map((a) => a.status)).toEqual(Array(10).fill(429));
      expect(attempts[10].body.code).toBe('RATE_LIMITED');
      expect(Number(attempts[10].retryAfter)).toBeGreaterThan(800);
      expect(Number(attempts[10].retryAfter)).toBeLessThanOrEqual(900);
    }
    // Nothing in the answers tells an existing account from a missing one.
    // (The seconds to wait may differ by one between the two, asked a moment apart.)
    const strip = (a: (typeof known)[number]) => ({ status: a.status, code: a.body.code, message: String(a.body.message).replace(/\d+/g, 'N') });
    expect(known.map(strip)).toEqual(unknown.map(strip));
    // Even the right password is refused while the e-mail is throttled.
    const right = await api.http.post('/api/v1/auth/login', TEST_ADMIN);
    expect(right.status).toBe(429);
  });
});
