/**
 * The notifications a transition causes (DOMAIN.md Notifications, issue 6): "action needed" to
 * whoever must move the case on next, "decision" to the author when someone else moved it, each
 * once, in both languages, and listed by GET /notifications.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { type ApiUnderTest, completeVisit, startApi, TEST_ADMIN, waitUntil } from '@koryu/testing';
import { EventDispatcher } from '../../apps/worker/events/event-dispatcher';
import { startWorker } from '../support/worker';

let api: ApiUnderTest;
let worker: INestApplicationContext;
let sql: Client;
const token: Record<string, string> = {};
const users: Record<string, string> = {};

beforeAll(async () => {
  api = await startApi();
  worker = await startWorker(api.database.url);
  sql = new Client({ connectionString: api.database.url });
  await sql.connect();
  const operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  const organisation = (await api.http.post('/api/v1/organisations', { name: '松江市', kind: 'municipality', code: '322016' }, { token: operator })).body.id;
  const other = (await api.http.post('/api/v1/organisations', { name: '出雲市', kind: 'municipality', code: '322032' }, { token: operator })).body.id;
  for (const [key, roles, org, locale] of [
    ['author', ['staff'], organisation, 'ja'],
    ['colleague', ['staff'], organisation, 'ja'],
    ['manager1', ['manager'], organisation, 'ja'],
    ['manager2', ['manager'], organisation, 'en'],
    ['admin', ['admin'], organisation, 'ja'],
    ['elsewhere', ['manager'], other, 'ja'],
  ] as const) {
    const created = await api.http.post('/api/v1/users', { email: `${key}@matsue.test`, name: `${key}さん`, password: 'password-of-twelve', organisationId: org, roles, locale }, { token: operator });
    expect(created.status).toBe(201);
    users[key] = created.body.id;
    token[key] = await api.http.login(`${key}@matsue.test`, 'password-of-twelve');
  }
});

afterAll(async () => {
  await sql.end();
  await worker.close();
  await api.close();
});

async function act(who: string, id: string, action: string, body: Record<string, unknown> = {}) {
  const current = await api.http.get(`/api/v1/cases/${id}`, { token: token[who] });
  const result = await api.http.post(`/api/v1/cases/${id}/actions/${action}`, { version: current.body.version, ...body }, { token: token[who] });
  expect([action, result.status, result.body.code]).toEqual([action, 200, undefined]);
}

type Row = { user: string; kind: string; title: { ja: string; en: string }; body: { ja: string; en: string } };

async function notificationsOf(caseId: string): Promise<Row[]> {
  const { rows } = await sql.query(`SELECT user_id AS "user", kind, title, body FROM notification WHERE case_id = $1 ORDER BY created_at, kind`, [caseId]);
  const names = Object.fromEntries(Object.entries(users).map(([k, v]) => [v, k]));
  return rows.map((r) => ({ ...r, user: names[r.user] ?? r.user }));
}

/** Waits until the worker has handled every event of the case (the outbox is drained and consumed). */
async function settled(caseId: string): Promise<void> {
  await waitUntil(
    async () => {
      const { rows } = await sql.query(
        `SELECT count(*)::int AS n FROM outbox o
          WHERE o.case_id = $1 AND NOT EXISTS (SELECT 1 FROM processed_event p WHERE p.event_id = o.event_id AND p.consumer = 'notifications')
            AND o.type = 'case.transitioned'`,
        [caseId],
      );
      return rows[0].n === 0;
    },
    10_000,
    'the notifications consumer',
  );
}

const visit = completeVisit({ envoyKind: 'consul-general', postCountry: 'KR', postName: '在釜山日本国総領事館' });

it('tells the managers a submitted case waits for them, the author of a decision with its comment, and nobody of their own action', async () => {
  const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token.author });
  await act('author', created.id, 'submit');
  await settled(created.id);
  const submitted = await notificationsOf(created.id);
  expect(submitted.map((n) => [n.user, n.kind]).sort()).toEqual([
    ['manager1', 'action-needed'],
    ['manager2', 'action-needed'],
  ]);
  expect(submitted[0].title.ja).toContain('【対応依頼】');
  expect(submitted[0].body.ja).toContain('承認');
  expect(submitted[0].body.en).toContain('Approve');

  await act('manager1', created.id, 'return', { comment: '日程案を二つ添えてください。<b>至急</b>' });
  await settled(created.id);
  const returned = (await notificationsOf(created.id)).slice(submitted.length);
  // The author hears of the return once, as a decision (not also as "action needed" for the draft).
  expect(returned.map((n) => [n.user, n.kind])).toEqual([['author', 'decision']]);
  expect(returned[0].title).toEqual({ ja: `【差戻し】${created.title}`, en: `[Return] ${created.title}` });
  expect(returned[0].body.ja).toContain('manager1さん');
  expect(returned[0].body.ja).toContain('日程案を二つ添えてください。<b>至急</b>');

  await act('author', created.id, 'submit');
  await act('manager2', created.id, 'approve');
  await settled(created.id);
  const all = await notificationsOf(created.id);
  const approved = all.filter((n) => n.kind === 'decision' && n.title.ja.startsWith('【承認】'));
  expect(approved.map((n) => n.user)).toEqual(['author']);
  // Nobody outside the organisation, no colleague, no admin (their steps are not next), never the actor.
  expect(all.map((n) => n.user)).not.toEqual(expect.arrayContaining(['elsewhere']));
  expect(all.map((n) => n.user)).not.toEqual(expect.arrayContaining(['colleague']));
  expect(all.filter((n) => n.kind === 'action-needed' && n.user === 'manager1')).toHaveLength(2);
});

it('writes each notification once even when the event is delivered again', async () => {
  const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token.author });
  await act('author', created.id, 'submit');
  await settled(created.id);
  const before = (await notificationsOf(created.id)).length;
  // Deliver every event of the case again, as the relay does after a crash before marking it sent.
  const { rows: eventIds } = await sql.query(`SELECT event_id AS id FROM outbox WHERE case_id = $1`, [created.id]);
  const handledBefore = (await sql.query(`SELECT count(*)::int AS n FROM processed_event p JOIN outbox o ON o.event_id = p.event_id WHERE o.case_id = $1`, [created.id])).rows[0].n;
  const dispatcher = worker.get(EventDispatcher);
  const deliver = dispatcher.deliver.bind(dispatcher);
  const delivered = new Set<string>();
  const spy = jest.spyOn(dispatcher, 'deliver').mockImplementation(async (events, options) => {
    const undelivered = await deliver(events, options);
    for (const event of events) if (!undelivered.events.includes(event)) delivered.add(event.eventId);
    return undelivered;
  });
  try {
    await sql.query(`UPDATE outbox SET sent_at = NULL WHERE case_id = $1`, [created.id]);
    await sql.query(`NOTIFY koryu_outbox`);
    await waitUntil(async () => eventIds.every((row) => delivered.has(row.id)), 10_000, 'the events handled a second time');
  } finally {
    spy.mockRestore();
  }
  const redelivered = await sql.query(`SELECT count(*)::int AS n FROM processed_event p JOIN outbox o ON o.event_id = p.event_id WHERE o.case_id = $1`, [created.id]);
  expect(redelivered.rows[0].n).toBe(handledBefore);
  expect(before).toBe(2);
  expect(await notificationsOf(created.id)).toHaveLength(before);
});

it('lists the notifications in the recipient’s inbox in their language fields', async () => {
  const listed = await api.http.get('/api/v1/notifications', { token: token.manager2 });
  expect(listed.status).toBe(200);
  const items = listed.body.items as { kind: string; title: string }[];
  expect(items.some((n) => n.kind === 'action-needed')).toBe(true);
});
