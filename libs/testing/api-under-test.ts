import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@koryu/config';
import type { ApiOptions } from '../../apps/api/api.module';
import { createApi } from '../../apps/api/bootstrap';
import { HttpClient } from './http-client';
import { createTestDatabase, type TestDatabase, testRedisUrl } from './test-database';

export interface ApiUnderTest {
  app: NestFastifyApplication;
  http: HttpClient;
  database: TestDatabase;
  close(): Promise<void>;
}

export const TEST_ADMIN = { email: 'operator@koryu.test', password: 'operator-password-2026' };

/**
 * The real API (same module and HTTP setup as `node dist/apps/api/main.js`) in this process on a
 * free port, with its own fresh database (or `database`, e.g. on a server of the test's own),
 * migrated at start.
 */
export async function startApi(env: Record<string, string> = {}, { database: given, ...options }: ApiOptions & { database?: TestDatabase } = {}): Promise<ApiUnderTest> {
  const database = given ?? (await createTestDatabase());
  const config = loadConfig('api', {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    KORYU_DATA_DIR: mkdtempSync(join(tmpdir(), 'koryu-api-')),
    KORYU_ADMIN_EMAIL: TEST_ADMIN.email,
    KORYU_ADMIN_PASSWORD: TEST_ADMIN.password,
    // Errors only: an unexpected one (a 500) prints its stack beside the failing test; expected
    // refusals (4xx, a 503 while the database is away) log below that level.
    LOG_LEVEL: process.env.KORYU_TEST_LOG_LEVEL ?? 'error',
    ...env,
  });
  // Port 0: the kernel picks a free one, so test files can run side by side.
  const app = await createApi({ ...config, port: 0 }, options);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    http: new HttpClient(`http://127.0.0.1:${port}`),
    database,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** The password of the users `staffAndManager` creates. */
export const TEST_PASSWORD = 'password-of-twelve';

/** A staff member and a manager of a new organisation, signed in, with their user ids. */
export interface StaffAndManager {
  organisationId: string;
  staff: string;
  manager: string;
  userIds: { staff: string; manager: string };
}

/**
 * An organisation (a municipality unless `kind` says otherwise) with one staff member and one
 * manager (`staff@<domain>`, `manager@<domain>`), created through the API by the operator (the
 * tests' bootstrap admin unless another is given), both signed in.
 */
export async function staffAndManager(
  http: HttpClient,
  organisation: { name: string; code: string; domain: string; kind?: 'municipality' | 'prefecture' },
  operator: { email: string; password: string } = TEST_ADMIN,
): Promise<StaffAndManager> {
  const operatorToken = await http.login(operator.email, operator.password);
  const created = await http.post('/api/v1/organisations', { name: organisation.name, kind: organisation.kind ?? 'municipality', code: organisation.code }, { token: operatorToken });
  if (created.status !== 201) throw new Error(`creating ${organisation.name} failed: ${created.status} ${created.text}`);
  const tokens = { staff: '', manager: '' };
  const userIds = { staff: '', manager: '' };
  for (const role of ['staff', 'manager'] as const) {
    const email = `${role}@${organisation.domain}`;
    const user = await http.post('/api/v1/users', { email, name: `${organisation.name} ${role}`, password: TEST_PASSWORD, organisationId: created.body.id, roles: [role] }, { token: operatorToken });
    if (user.status !== 201) throw new Error(`creating ${email} failed: ${user.status} ${user.text}`);
    userIds[role] = user.body.id;
    tokens[role] = await http.login(email, TEST_PASSWORD);
  }
  return { organisationId: created.body.id, ...tokens, userIds };
}
