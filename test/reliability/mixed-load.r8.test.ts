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
import { answered, type ApiUnderTest, backlogReader, isQuiet, runMixedLoad, sparseTimersSent, staffAndManager, startApi, testRedisUrl, transitionDelivery, waitUntil } from '@koryu/testing';
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
  expect(answered(load, 'submit', 'return', 'approve')).toBeGreaterThan(SECONDS * 2);
  expect(answered(load, 'csv')).toBeGreaterThanOrEqual(Math.floor(SECONDS / 10));
  expect(load.timers.length).toBeGreaterThanOrEqual(Math.floor((SECONDS - 22) / 20));

  const backlog = backlogReader(sql, testRedisUrl());
  try {
    await waitUntil(async () => isQuiet(await backlog.read()), 30_000, 'the backlog to come back to zero');
    expect(await backlog.read()).toEqual({ unsent: 0, events: 0, timersDue: 0, remindersDue: 0, failed: 0 });
  } finally {
    await backlog.close();
  }

  // Every transition's event was handled by the notifications consumer, once.
  const delivery = await transitionDelivery(sql);
  expect(delivery.handled).toBe(delivery.transitions);

  // Each sparse timer's reminder was sent once, within seconds of its time.
  const reminders = await sparseTimersSent(sql);
  expect(reminders.map((r) => r.title).sort()).toEqual([...load.timers].sort());
  for (const reminder of reminders) {
    expect(reminder.sent).toBe(1);
    expect(reminder.lateMs).toBeLessThan(5_000);
  }
}, (SECONDS + 90) * 1000);
