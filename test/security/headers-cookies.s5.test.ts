import { startApi, TEST_ADMIN, type ApiUnderTest } from '@koryu/testing';

/** QUALITY.md S5: security headers (helmet), cookies httpOnly + Secure in production + SameSite, CSRF. */
function cookiesOf(headers: Headers): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const line of headers.getSetCookie()) cookies.set(line.split('=')[0], line);
  return cookies;
}

describe('S5 in development', () => {
  let api: ApiUnderTest;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it('sends the security headers on API answers, errors and unknown routes alike', async () => {
    for (const path of ['/api/v1/health/live', '/api/v1/me', '/api/v1/no-such-route']) {
      const { headers } = await api.http.get(path);
      const csp = headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(headers.get('cache-control')).toBe('no-store');
      expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(headers.get('x-powered-by')).toBeNull();
      // No HSTS over plain http://localhost: it would pin the browser to HTTPS.
      expect(headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('sets an httpOnly, SameSite=Strict session cookie and a readable CSRF cookie at login', async () => {
    const login = await api.http.post('/api/v1/auth/login', TEST_ADMIN);
    const cookies = cookiesOf(login.headers);
    const session = cookies.get('koryu_session')!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).toMatch(/Path=\//);
    expect(session).not.toMatch(/Secure/);
    const csrf = cookies.get('koryu_csrf')!;
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(csrf).toMatch(/SameSite=Strict/);
  });

  it('authenticates reads by cookie, and refuses cookie-authenticated writes without the CSRF header', async () => {
    const login = await api.http.post('/api/v1/auth/login', TEST_ADMIN);
    const cookies = cookiesOf(login.headers);
    const value = (name: string) => cookies.get(name)!.split(';')[0];
    const cookie = `${value('koryu_session')}; ${value('koryu_csrf')}`;
    const csrfToken = value('koryu_csrf').split('=')[1];

    expect((await api.http.get('/api/v1/me', { headers: { cookie } })).status).toBe(200);
    const forged = await api.http.post('/api/v1/auth/logout', undefined, { headers: { cookie } });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('CSRF_FAILED');
    const wrong = await api.http.post('/api/v1/auth/logout', undefined, { headers: { cookie, 'x-csrf-token': `${csrfToken}x` } });
    expect(wrong.status).toBe(403);
    const ok = await api.http.post('/api/v1/auth/logout', undefined, { headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(ok.status).toBe(204);
    // Logging out clears both cookies and ends the session.
    expect(ok.headers.getSetCookie().join('\n')).toMatch(/koryu_session=;/);
    expect((await api.http.get('/api/v1/me', { headers: { cookie } })).status).toBe(401);
  });
});

describe('S5 in production', () => {
  let api: ApiUnderTest;

  beforeAll(async () => {
    api = await startApi({ NODE_ENV: 'production', JWT_SECRET: 'production-secret-0123456789abcdefghijklmnopqrstuvwxyz' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('adds HSTS and marks cookies Secure with the __Host- prefix', async () => {
    const login = await api.http.post('/api/v1/auth/login', TEST_ADMIN);
    expect(login.status).toBe(200);
    expect(login.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
    const cookies = cookiesOf(login.headers);
    for (const name of ['__Host-koryu_session', '__Host-koryu_csrf']) {
      const cookie = cookies.get(name)!;
      expect(cookie).toMatch(/Secure/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Domain=/);
    }
    expect(cookies.get('__Host-koryu_session')).toMatch(/HttpOnly/);
  });
});
