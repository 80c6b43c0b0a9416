/**
 * A transaction of the API that PostgreSQL aborts as the victim of a deadlock runs again, against
 * a real deadlock: the request it serves succeeds instead of answering 500.
 */
import { Client } from 'pg';
import { CaseRepository } from '@koryu/casework';
import { type ApiUnderTest, startApi } from '@koryu/testing';

let api: ApiUnderTest;
let other: Client;

beforeAll(async () => {
  api = await startApi();
  other = new Client({ connectionString: api.database.url });
  await other.connect();
  await other.query('CREATE TABLE deadlock_probe (id int PRIMARY KEY); INSERT INTO deadlock_probe VALUES (1), (2)');
});

afterAll(async () => {
  await other.end();
  await api.close();
});

it('runs a transaction again when PostgreSQL chose it as a deadlock victim', async () => {
  let holdingFirst!: () => void;
  const heldFirst = new Promise<void>((resolve) => (holdingFirst = resolve));
  const attempts: number[] = [];
  // The other session holds row 2 and, once the transaction holds row 1, asks for it: a deadlock.
  // Its own deadlock check waits 10 s, so the transaction's (1 s) finds the cycle and is aborted.
  await other.query('BEGIN');
  await other.query(`SET LOCAL deadlock_timeout = '10s'`);
  await other.query('SELECT id FROM deadlock_probe WHERE id = 2 FOR UPDATE');
  const result = api.app.get(CaseRepository).transaction([], async (query) => {
    attempts.push(attempts.length + 1);
    await query('SELECT id FROM deadlock_probe WHERE id = 1 FOR UPDATE', []);
    if (attempts.length === 1) holdingFirst();
    await query('SELECT id FROM deadlock_probe WHERE id = 2 FOR UPDATE', []);
    return attempts.length;
  });
  await heldFirst;
  const otherWaits = other.query('SELECT id FROM deadlock_probe WHERE id = 1 FOR UPDATE');
  await otherWaits; // granted once the transaction was aborted
  await other.query('COMMIT');
  expect(await result).toBe(2);
  expect(attempts).toEqual([1, 2]);
});
