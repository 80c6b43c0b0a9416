/**
 * QUALITY.md R8 (research T18), shortened for `npm test`: mixed load on the API and the worker
 * (transitions, reads, edits, CSV exports, sparse timers) for KORYU_R8_SECONDS (60 by default).
 * Every answer is 2xx, the outbox, the event and timer queues and the due reminders come back to
 * zero after the load, every transition's event is handled once, and every sparse timer fires
 * once, on time. The ten-minute run, with the services' resident memory sampled, is
 * `npm run bench -- r8`.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { type ApiUnderTest, backlog, isQuiet, runMixedLoad, staffAndManager, startApi, testRedisUrl, waitUntil } from '@koryu/testing';
import { startWorker } from '../support/worker';

const SECONDS = Number(process.env.KORYU_R8_SECONDS ?? 60);

let api: ApiUnderTest;
let worker: INestApplicationContext;
let sql: Client;
let tokens: { staff: string; manager: string };

beforeAll(async () => {
  api = await startApi();
  worker = await startWorker(api.database.url);
  sql = new Client({ connectionString: api.database.url });
  await sql.connect();
  const { staff, manager } = await staffAndManager(api.http, { name: '松江市', code: '322016', domain: 'matsue.test' });
  tokens = { staff, manager };
});

afterAll(async () => {
  await sql?.end();
  await worker?.close();
  await api?.close();
});

it(`R8: ${SECONDS} s of mixed load: every answer 2xx, the backlog back to zero, every event handled once, every sparse timer on time`, async () => {
  const load = await runMixedLoad({ base: api.http.baseUrl, tokens, seconds: SECONDS });

  expect(load.unexpected).toEqual([]);
  expect(load.unexpectedCount).toBe(0);
  // The load ran: about five transitions and ten reads a second.
  const count = (kind: string) => Object.values(load.answers[kind] ?? {}).reduce((sum, n) => sum + n, 0);
  expect(count('submit') + count('return') + count('approve')).toBeGreaterThan(SECONDS * 2);
  expect(count('csv')).toBeGreaterThanOrEqual(Math.floor(SECONDS / 10));
  expect(load.timers.length).toBeGreaterThanOrEqual(Math.floor((SECONDS - 22) / 20));

  await waitUntil(async () => isQuiet(await backlog(sql, testRedisUrl())), 30_000, 'the backlog to come back to zero');
  expect(await backlog(sql, testRedisUrl())).toEqual({ unsent: 0, events: 0, timersDue: 0, remindersDue: 0, failed: 0 });

  // Every transition's event was handled by the notifications consumer, once.
  const { rows: events } = await sql.query<{ transitions: number; handled: number }>(
    `SELECT (SELECT count(*)::int FROM outbox WHERE type = 'case.transitioned') AS transitions,
            (SELECT count(*)::int FROM processed_event p JOIN outbox o ON o.event_id = p.event_id WHERE p.consumer = 'notifications' AND o.type = 'case.transitioned') AS handled`,
  );
  expect(events[0].handled).toBe(events[0].transitions);

  // Each sparse timer's reminder was sent once, within seconds of its time.
  const { rows: reminders } = await sql.query<{ title: string; sent: number; lateMs: number }>(
    `SELECT d.title->>'ja' AS title, count(n.id)::int AS sent, max(extract(epoch FROM n.created_at - r.fire_at) * 1000)::int AS "lateMs"
       FROM case_deadline d JOIN deadline_reminder r ON r.deadline_id = d.id
       LEFT JOIN notification n ON n.idempotency_key LIKE 'reminder:' || r.id || ':%'
      WHERE d.kind = 'custom' GROUP BY d.title->>'ja', r.id ORDER BY 1`,
  );
  expect(reminders.map((r) => r.title).sort()).toEqual(load.timers.map((t) => t.title).sort());
  for (const reminder of reminders) {
    expect(reminder.sent).toBe(1);
    expect(reminder.lateMs).toBeLessThan(5_000);
  }
}, (SECONDS + 90) * 1000);
