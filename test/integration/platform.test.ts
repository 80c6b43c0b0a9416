import { startApi, TEST_ADMIN, type ApiUnderTest } from '@koryu/testing';

/** Health, OpenAPI, metrics and the queue dashboard of the API service. */
let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api.close();
});

it('reports liveness, and readiness with the state of PostgreSQL and Redis', async () => {
  expect((await api.http.get('/api/v1/health/live')).body).toEqual({ status: 'ok' });
  const ready = await api.http.get('/api/v1/health/ready');
  expect(ready.status).toBe(200);
  expect(ready.body.details).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });
});

it('publishes OpenAPI 3 generated from the code at /api/docs-json, and its UI at /api/docs', async () => {
  const document = await api.http.get('/api/docs-json');
  expect(document.status).toBe(200);
  expect(document.body.openapi).toMatch(/^3\./);
  for (const path of ['/api/v1/auth/login', '/api/v1/me', '/api/v1/users', '/api/v1/organisations', '/api/v1/health/ready']) {
    expect(Object.keys(document.body.paths)).toContain(path);
  }
  expect(document.body.components.schemas.CreateUserDto.required).toEqual(expect.arrayContaining(['email', 'password', 'organisationId', 'roles']));
  // The inbox's answer, from the same schema its serializer is compiled from.
  const inbox = document.body.paths['/api/v1/inbox'].get.responses['200'].content['application/json'].schema;
  expect(inbox.properties.items.items.properties.dueTitle).toEqual({ type: 'string', nullable: true });
  const ui = await api.http.get('/api/docs');
  expect(ui.status).toBe(200);
  expect(ui.text).toMatch(/swagger/i);
});

it('serves Prometheus metrics at /metrics, outside /api/v1', async () => {
  await api.http.get('/api/v1/health/live');
  const metrics = await api.http.get('/metrics');
  expect(metrics.status).toBe(200);
  expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
  expect(metrics.text).toMatch(/^process_resident_memory_bytes \d+/m);
  // Node.js's default metrics, the event-loop lag included, are still exported (its sampling interval, EVENT_LOOP_SAMPLE_MS, is not visible here).
  expect(metrics.text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  expect(metrics.text).toMatch(/koryu_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/health\/live"/);
});

it('shows the queue dashboard to system operators only', async () => {
  expect((await api.http.get('/admin/queues')).status).toBe(401);
  const operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  const org = (await api.http.post('/api/v1/organisations', { name: '北海道', kind: 'prefecture', code: '010006' }, { token: operator })).body;
  await api.http.post('/api/v1/users', { email: 'admin@hokkaido.test', name: '管理者', password: 'password-of-twelve', organisationId: org.id, roles: ['admin'] }, { token: operator });
  const orgAdmin = await api.http.login('admin@hokkaido.test', 'password-of-twelve');
  expect((await api.http.get('/admin/queues', { token: orgAdmin })).status).toBe(403);
  const page = await api.http.get('/admin/queues', { token: operator });
  expect(page.status).toBe(200);
  expect(page.text).toMatch(/<html/i);
  const queues = await api.http.get('/admin/queues/api/queues', { token: operator });
  expect(queues.status).toBe(200);
  expect(queues.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['events', 'notifications', 'system', 'timers']);
});

describe('the web UI on the API port (API.md)', () => {
  it('answers its client-side routes with the built page, so links in mails open directly', async () => {
    for (const path of ['/', '/login', '/cases', '/cases/0b5e8a1c-1f7e-4a55-9d55-7a5b1a7e2c11', '/notifications']) {
      const page = await api.http.get(path);
      expect([path, page.status, page.headers.get('content-type')]).toEqual([path, 200, expect.stringMatching(/^text\/html/)]);
      expect(page.text).toMatch(/<div id="app">/);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    }
  });

  it('serves the built assets with a long cache, and 404 for a missing one instead of the page', async () => {
    const index = (await api.http.get('/')).text;
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
    expect(script).toBeDefined();
    const asset = await api.http.get(script as string);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await api.http.get('/assets/missing-0000.js')).status).toBe(404);
  });

  it('leaves unknown API paths to the API: JSON 404, never the page', async () => {
    const missing = await api.http.get('/api/v1/no-such-thing');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });
});
