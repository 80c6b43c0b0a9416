/**
 * QUALITY.md R1: the notifier is killed with SIGKILL in the middle of sending notifications; after
 * a restart every notification is delivered, in-app exactly once and by mail exactly once per
 * Message-ID at the SMTP server. SMTP cannot promise more: a crash after the server accepted a mail
 * and before the notifier committed "mailed" sends that one again, with the same Message-ID
 * (research/anchors-reliability.md §5, T1). The notifier runs as its own process, as in
 * production, against a real SMTP server in this test process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { type ApiUnderTest, completeVisit, freePort, type MailSink, type ServiceProcess, spawnService, startApi, startMailSink, TEST_ADMIN, testRedisUrl, waitUntil } from '@koryu/testing';
import { startWorker } from '../support/worker';

const MANAGERS = 3;
/** The notifier's concurrent sends (MailDispatcher LANES): the most copies one kill can leave. */
const LANES = 4;

let api: ApiUnderTest;
let worker: INestApplicationContext;
let sql: Client;
let mail: MailSink;
let staff: string;
const notifiers: ServiceProcess[] = [];

beforeAll(async () => {
  mail = await startMailSink();

  api = await startApi();
  worker = await startWorker(api.database.url);
  sql = new Client({ connectionString: api.database.url });
  await sql.connect();

  const operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  const organisation = (await api.http.post('/api/v1/organisations', { name: '鳥取市', kind: 'municipality', code: '312011' }, { token: operator })).body.id;
  const users = [['staff', ['staff']], ...Array.from({ length: MANAGERS }, (_, i) => [`manager${i + 1}`, ['manager']])] as [string, string[]][];
  for (const [key, roles] of users) {
    const created = await api.http.post('/api/v1/users', { email: `${key}@r1.test`, name: `鳥取 ${key}`, password: 'password-of-twelve', organisationId: organisation, roles }, { token: operator });
    expect(created.status).toBe(201);
  }
  staff = await api.http.login('staff@r1.test', 'password-of-twelve');
});

afterAll(async () => {
  await Promise.all(notifiers.map((n) => n.stop('SIGKILL')));
  await sql.end();
  await worker.close();
  await api.close();
  await mail.close();
});

async function startNotifier(extra: Record<string, string> = {}): Promise<ServiceProcess> {
  const notifier = spawnService(
    'notifier',
    {
      NODE_ENV: 'test',
      DATABASE_URL: api.database.url,
      REDIS_URL: testRedisUrl(),
      SMTP_URL: mail.url,
      KORYU_DATA_DIR: mkdtempSync(join(tmpdir(), 'koryu-notifier-')),
      LOG_LEVEL: 'warn',
      ...extra,
    },
    await freePort(),
  );
  notifiers.push(notifier);
  return notifier;
}

/** `count` cases submitted for review: each tells the organisation's three managers (action needed). */
async function submitCases(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { body } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: completeVisit() }, { token: staff });
    const submitted = await api.http.post(`/api/v1/cases/${body.id}/actions/submit`, { version: body.version }, { token: staff });
    expect(submitted.status).toBe(200);
    ids.push(body.id);
  }
  return ids;
}

async function notificationIds(caseIds: string[]): Promise<string[]> {
  const { rows } = await sql.query(`SELECT id FROM notification WHERE case_id = ANY ($1) ORDER BY id`, [caseIds]);
  return rows.map((r) => r.id as string);
}

async function unmailed(caseIds: string[]): Promise<number> {
  return (await sql.query(`SELECT count(*)::int AS n FROM notification WHERE case_id = ANY ($1) AND mailed_at IS NULL`, [caseIds])).rows[0].n;
}

/** Mails per notification id at the SMTP server. */
function copies(ids: string[]): number[] {
  return ids.map((id) => mail.copiesOf(id));
}

it('R1 (named point): killed after the SMTP server accepted the 20th mail and before recording it, the restarted notifier sends every mail, at most the ones in that window twice', async () => {
  const first = await startNotifier({ KORYU_FAULT: 'after-smtp-accept-before-commit:20' });
  const caseIds = await submitCases(50);
  await waitUntil(async () => (await notificationIds(caseIds)).length === 50 * MANAGERS, 30_000, 'the action-needed notifications');
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
  expect(await unmailed(caseIds)).toBeGreaterThan(0);

  await startNotifier();
  await waitUntil(async () => (await unmailed(caseIds)) === 0, 30_000, 'every notification mailed after the restart');
  const ids = await notificationIds(caseIds);
  // In-app: exactly one per manager and case. Mail: every one arrived; the mails in the window
  // (accepted, not yet recorded) came twice under their one Message-ID: the 20th for sure, and
  // those the other lanes had in the same window when the process died, never more than the lanes.
  expect(ids).toHaveLength(50 * MANAGERS);
  const perId = copies(ids);
  expect(perId.filter((n) => n === 0)).toHaveLength(0);
  expect(perId.filter((n) => n === 2).length).toBeGreaterThanOrEqual(1);
  expect(perId.filter((n) => n === 2).length).toBeLessThanOrEqual(LANES);
  expect(Math.max(...perId)).toBe(2);
});

it('R1 (random point): SIGKILL while mails are going out loses none and repeats at most one per concurrent send', async () => {
  const before = mail.messageIds.length;
  const notifier = await startNotifier();
  const caseIds = await submitCases(50);
  // Kill it mid-burst: once some of this burst's mails arrived but not all.
  await waitUntil(() => mail.messageIds.length - before >= 30, 30_000, 'the burst under way');
  notifier.child.kill('SIGKILL');
  await notifier.exited;
  expect(await unmailed(caseIds)).toBeGreaterThan(0);

  await startNotifier();
  await waitUntil(async () => (await notificationIds(caseIds)).length === 50 * MANAGERS && (await unmailed(caseIds)) === 0, 30_000, 'every notification mailed after the restart');
  const perId = copies(await notificationIds(caseIds));
  expect(perId.filter((n) => n === 0)).toHaveLength(0);
  expect(perId.reduce((sum, n) => sum + n - 1, 0)).toBeLessThanOrEqual(LANES);
});

it('retries a mail the SMTP server turned away, with backoff, and sends it once', async () => {
  mail.refuseNext(2);
  const [caseId] = await submitCases(1);
  await waitUntil(async () => (await notificationIds([caseId])).length === MANAGERS && (await unmailed([caseId])) === 0, 30_000, 'the mails after the refusals');
  const { rows } = await sql.query(`SELECT mail_attempts AS attempts, mail_error AS error FROM notification WHERE case_id = $1`, [caseId]);
  expect(rows.map((r) => r.attempts).sort()).toEqual([1, 2, 2]);
  expect(rows.every((r) => r.error === null)).toBe(true);
  expect(copies(await notificationIds([caseId]))).toEqual([1, 1, 1]);
});
