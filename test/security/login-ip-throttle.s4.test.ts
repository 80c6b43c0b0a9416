import { startApi, TEST_ADMIN, type ApiUnderTest } from '@koryu/testing';

/** API.md "Login throttling": a client IP with more than 50 failures in 15 minutes is throttled. */
let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api.close();
});

it('throttles one IP after more than 50 failures over many e-mails, whatever X-Forwarded-For says', async () => {
  for (let i = 0; i < 51; i++) {
    // A spoofed header must not give each attempt a fresh identity (TRUST_PROXY_HOPS is 0).
    const result = await api.http.post('/api/v1/auth/login', { email: `spray-${i}@nowhere.test`, password: 'wrong-password' }, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
    expect(result.status).toBe(401);
  }
  const next = await api.http.post('/api/v1/auth/login', { email: 'fresh@nowhere.test', password: 'wrong-password' });
  expect(next.status).toBe(429);
  expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0);
  const rightPassword = await api.http.post('/api/v1/auth/login', TEST_ADMIN);
  expect(rightPassword.status).toBe(429);
});
