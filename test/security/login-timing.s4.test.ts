import { startApi, TEST_ADMIN, type ApiUnderTest } from '@koryu/testing';

/**
 * QUALITY.md S4 / research T25: a login for an unknown e-mail costs the same time as a wrong
 * password for an existing one (a dummy argon2 verification), so timing reveals nothing.
 * Own file: its failures must not count towards the other files' throttling.
 */
let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api.close();
});

async function timeLogin(email: string): Promise<number> {
  const started = performance.now();
  const result = await api.http.post('/api/v1/auth/login', { email, password: 'definitely-wrong' });
  expect(result.status).toBe(401);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

it('takes the same time for an unknown e-mail as for a wrong password (median difference < 50 ms)', async () => {
  await timeLogin('warm-up@nowhere.test');
  const known: number[] = [];
  const unknown: number[] = [];
  // Alternate, so machine noise hits both sides alike; stay under the per-e-mail limit of 10.
  for (let i = 0; i < 9; i++) {
    known.push(await timeLogin(TEST_ADMIN.email));
    unknown.push(await timeLogin(`nobody-${i}@nowhere.test`));
  }
  // The control: argon2 really runs on both paths (a short-circuit would take ~1 ms).
  expect(median(unknown)).toBeGreaterThan(5);
  expect(Math.abs(median(known) - median(unknown))).toBeLessThan(50);
});
