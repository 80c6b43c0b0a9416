/**
 * Deadlines on cases (issue 6, first part): the worker keeps each case's program deadlines in step
 * with its state and data (opened, moved with a new generation, done or cancelled), GET /cases/:id
 * shows them with their status, and POST /cases/:id/deadlines adds custom milestones.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { tokyoDay } from '@koryu/calendar';
import { answerWithin, type ApiUnderTest, startApi, TEST_ADMIN, waitUntil, whileRowsHeld } from '@koryu/testing';
import { DeadlinesConsumer } from '../../apps/worker/events/consumers/deadlines.consumer';
import { startWorker } from '../support/worker';

let api: ApiUnderTest;
let worker: INestApplicationContext;
let sql: Client;
const token: Record<string, string> = {};
const users: Record<string, string> = {};
const DAY = 86_400_000;
/** The Tokyo calendar date of an instant. */
const isoDate = (ms: number) => tokyoDay(new Date(ms)).toISODate() as string;

beforeAll(async () => {
  api = await startApi();
  worker = await startWorker(api.database.url);
  sql = new Client({ connectionString: api.database.url });
  await sql.connect();
  const operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  for (const [key, name, kind, code] of [
    ['hachimantai', '八幡平市', 'municipality', '032140'],
    ['kitakyushu', '北九州市', 'municipality', '401005'],
  ]) {
    const organisation = (await api.http.post('/api/v1/organisations', { name, kind, code }, { token: operator })).body.id;
    for (const role of ['staff', 'manager', 'admin']) {
      const created = await api.http.post('/api/v1/users', { email: `${role}@${key}.test`, name: `${name} ${role}`, password: 'password-of-twelve', organisationId: organisation, roles: [role] }, { token: operator });
      users[`${key}.${role}`] = created.body.id;
      token[`${key}.${role}`] = await api.http.login(`${role}@${key}.test`, 'password-of-twelve');
    }
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
  return result.body;
}

type Deadline = { key: string; status: string; dueAt: string; allDay: boolean; title: string };

/** Waits until the worker has brought the case's deadlines to what `ready` expects. */
async function deadlinesWhen(id: string, ready: (deadlines: Deadline[]) => boolean): Promise<Deadline[]> {
  let deadlines: Deadline[] = [];
  await waitUntil(
    async () => {
      deadlines = (await api.http.get(`/api/v1/cases/${id}`, { token: token['hachimantai.staff'] })).body.deadlines;
      return ready(deadlines);
    },
    10_000,
    'the deadlines consumer',
  );
  return deadlines;
}

const visit = {
  envoyKind: 'ambassador',
  postCountry: 'RW',
  postName: '在ルワンダ日本国大使館',
  purposes: ['lecture'],
  preferredStart: isoDate(Date.now() + 45 * DAY),
  preferredEnd: isoDate(Date.now() + 46 * DAY),
  hostContact: { name: '八幡 花子', department: '企画財政課', phone: '0195-74-2111', email: 'kokusai@hachimantai.test' },
};

it('opens a program deadline when its state and date exist, moves it with the date, and closes it as done when the case moves on', async () => {
  const created = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
  const id = created.body.id;
  expect(created.body.deadlines).toEqual([]);
  await act('hachimantai.staff', id, 'submit');
  await act('hachimantai.manager', id, 'approve');
  await act('hachimantai.staff', id, 'send-request');
  await act('hachimantai.staff', id, 'record-acceptance');
  const start = isoDate(Date.now() + 50 * DAY);
  const current = (await api.http.get(`/api/v1/cases/${id}`, { token: token['hachimantai.staff'] })).body;
  await api.http.patch(`/api/v1/cases/${id}`, { version: current.version, data: { visitStart: start, visitEnd: start } }, { token: token['hachimantai.staff'] });

  const opened = (await deadlinesWhen(id, (d) => d.some((x) => x.key === 'itinerary-final'))).find((d) => d.key === 'itinerary-final') as Deadline;
  const due = new Date(`${isoDate(new Date(`${start}T00:00:00+09:00`).getTime() - 7 * DAY)}T23:59:59+09:00`);
  expect(opened).toMatchObject({ key: 'itinerary-final', title: '行程確定', status: 'upcoming', allDay: true });
  expect(new Date(opened.dueAt)).toEqual(due);
  const generation = async () => (await sql.query(`SELECT generation FROM case_deadline WHERE case_id = $1 AND key = 'itinerary-final'`, [id])).rows[0].generation as number;
  const first = await generation();

  const later = isoDate(Date.now() + 60 * DAY);
  const again = (await api.http.get(`/api/v1/cases/${id}`, { token: token['hachimantai.staff'] })).body;
  await api.http.patch(`/api/v1/cases/${id}`, { version: again.version, data: { visitStart: later, visitEnd: later } }, { token: token['hachimantai.staff'] });
  const moved = new Date(`${isoDate(new Date(`${later}T00:00:00+09:00`).getTime() - 7 * DAY)}T23:59:59+09:00`).getTime();
  await deadlinesWhen(id, (d) => d.some((x) => x.key === 'itinerary-final' && new Date(x.dueAt).getTime() === moved));
  expect(await generation()).toBe(first + 1);

  await act('hachimantai.manager', id, 'confirm-schedule', { data: { itinerary: [{ date: later, place: '八幡平市役所', activity: '市長表敬' }] } });
  const closed = await deadlinesWhen(id, (d) => d.some((x) => x.key === 'itinerary-final' && x.status === 'done'));
  expect(closed.filter((d) => !d.key.startsWith('approval-sla'))).toHaveLength(1);
});

it('cancels the deadlines of a case that is given up, custom ones included', async () => {
  const created = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: { ...visit, visitStart: isoDate(Date.now() + 40 * DAY), visitEnd: isoDate(Date.now() + 40 * DAY) } }, { token: token['hachimantai.staff'] });
  const id = created.body.id;
  const custom = await api.http.post(`/api/v1/cases/${id}/deadlines`, { title: '歓迎レセプション会場の仮押さえ', dueAt: isoDate(Date.now() + 20 * DAY), remindBefore: ['P3D', 'PT10S'] }, { token: token['hachimantai.staff'] });
  expect(custom.status).toBe(201);
  await act('hachimantai.staff', id, 'submit');
  await act('hachimantai.manager', id, 'approve');
  await act('hachimantai.staff', id, 'send-request');
  await act('hachimantai.staff', id, 'record-acceptance');
  await deadlinesWhen(id, (d) => d.some((x) => x.key === 'itinerary-final' && x.status === 'upcoming'));
  await act('hachimantai.staff', id, 'cancel', { comment: '大使の一時帰国が中止になったため' });
  const cancelled = await deadlinesWhen(id, (d) => d.filter((x) => x.status === 'cancelled').length === 2);
  expect(cancelled.filter((d) => d.status === 'cancelled').map((d) => d.title).sort()).toEqual(['歓迎レセプション会場の仮押さえ', '行程確定']);
  // The approval SLA (if the worker saw the case in review at all) ended when it was approved.
  expect(cancelled.filter((d) => d.key.startsWith('approval-sla') && d.status !== 'done')).toEqual([]);
});

it('adds custom milestones with reminders, due at the end of a day or at an instant, for the case’s organisation only', async () => {
  const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
  const day = await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: '講演資料の提出', dueAt: '2027-01-15', remindBefore: ['P7D', 'P1D'], notify: [users['hachimantai.manager']] }, { token: token['hachimantai.staff'] });
  expect([day.status, day.body.allDay, day.body.status, new Date(day.body.dueAt).toISOString()]).toEqual([201, true, 'upcoming', '2027-01-15T14:59:59.000Z']);
  const instant = await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: '通訳との打合せ', dueAt: new Date(Date.now() + 60_000).toISOString(), remindBefore: ['PT10S'] }, { token: token['hachimantai.staff'] });
  expect([instant.status, instant.body.allDay, instant.body.status]).toEqual([201, false, 'due']);
  const listed = (await api.http.get(`/api/v1/cases/${created.id}`, { token: token['hachimantai.staff'] })).body.deadlines;
  expect(listed.map((d: Deadline) => d.title)).toEqual(['通訳との打合せ', '講演資料の提出']);

  const badDuration = await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: 'x', dueAt: '2027-01-15', remindBefore: ['7 days'] }, { token: token['hachimantai.staff'] });
  expect([badDuration.status, badDuration.body.violations[0].field]).toEqual([400, 'remindBefore']);
  const outsider = await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: 'x', dueAt: '2027-01-15', notify: [users['kitakyushu.staff']] }, { token: token['hachimantai.staff'] });
  expect([outsider.status, outsider.body.violations[0].field]).toEqual([400, 'notify.0']);
  expect((await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: 'x', dueAt: '2027-01-15' }, { token: token['kitakyushu.staff'] })).status).toBe(404);
});

it('derives the JICA call deadline from the call while the application is being prepared', async () => {
  const admin = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  const closesAt = new Date(Date.now() + 20 * DAY).toISOString();
  const call = await api.http.post('/api/v1/calls', { scheme: 'grassroots-regional', fiscalYear: 2026, round: 1, opensAt: new Date(Date.now() - DAY).toISOString(), closesAt }, { token: admin });
  expect(call.status).toBe(201);
  const { body: created } = await api.http.post(
    '/api/v1/cases',
    { program: 'jica-application', data: { scheme: 'grassroots-regional', title: '地熱ハウス技術協力', callId: call.body.id } },
    { token: token['hachimantai.staff'] },
  );
  const [deadline] = await deadlinesWhen(created.id, (d) => d.length === 1);
  expect(deadline).toMatchObject({ key: 'call-deadline', title: '公募締切', allDay: false, status: 'upcoming' });
  expect(new Date(deadline.dueAt).toISOString()).toBe(closesAt);
});

it('brings several cases in line in one batch, each with its own deadlines and reminders', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const { body } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
    await act('hachimantai.staff', body.id, 'submit');
    ids.push(body.id);
  }
  for (const id of ids) await deadlinesWhen(id, (d) => d.filter((x) => x.key.startsWith('approval-sla') && x.status === 'upcoming').length === 2);
  // As if their deadlines had gone out of step (closed, reminders dropped): one batch of their events puts them back.
  await sql.query('BEGIN');
  await sql.query(`DELETE FROM deadline_reminder r USING case_deadline d WHERE d.id = r.deadline_id AND d.case_id = ANY ($1) AND r.sent_at IS NULL`, [ids]);
  await sql.query(`UPDATE case_deadline SET state = 'done', generation = generation + 1 WHERE case_id = ANY ($1)`, [ids]);
  const tx = { query: async (text: string, params: unknown[]) => (await sql.query(text, params)).rows };
  const events = ids.map((caseId) => ({ eventId: crypto.randomUUID(), type: 'case.transitioned' as const, caseId, occurredAt: new Date().toISOString(), payload: {} }));
  await worker.get(DeadlinesConsumer).handleBatch(events, tx as never);
  await sql.query('COMMIT');
  const { rows } = await sql.query(
    `SELECT d.case_id AS "caseId", d.key, d.state, d.generation, count(r.id)::int AS reminders, count(r.id) FILTER (WHERE r.generation = d.generation)::int AS current
       FROM case_deadline d LEFT JOIN deadline_reminder r ON r.deadline_id = d.id
      WHERE d.case_id = ANY ($1) GROUP BY d.id ORDER BY d.case_id, d.key`,
    [ids],
  );
  expect(rows).toHaveLength(6);
  for (const row of rows) expect(row).toMatchObject({ state: 'open', reminders: 1, current: 1 });
  expect(new Set(rows.map((row) => row.caseId))).toEqual(new Set(ids));
});

describe('reminders', () => {
  const inbox = async (who: string) => (await api.http.get('/api/v1/notifications', { token: token[who] })).body as { items: { id: string; title: string; body: string; kind: string; caseId: string; readAt: string | null }[]; unread: number };

  it('delivers a custom PT10S reminder once, in-app, to the case’s creator, to whoever set it and to the users it names', async () => {
    const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
    const dueAt = new Date(Date.now() + 14_000).toISOString();
    // Set by the manager on the staff member's case, naming the admin.
    const added = await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: '空港での出迎え', dueAt, remindBefore: ['PT10S'], notify: [users['hachimantai.admin']] }, { token: token['hachimantai.manager'] });
    expect(added.status).toBe(201);
    const reminderAt = new Date(dueAt).getTime() - 10_000;
    await waitUntil(async () => (await inbox('hachimantai.admin')).items.some((n) => n.caseId === created.id), 15_000, 'the reminder');
    expect(Date.now()).toBeGreaterThanOrEqual(reminderAt);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const who of ['hachimantai.staff', 'hachimantai.manager', 'hachimantai.admin']) {
      const mine = (await inbox(who)).items.filter((n) => n.caseId === created.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ kind: 'reminder', title: '期限のお知らせ：空港での出迎え' });
    }
    expect((await inbox('kitakyushu.staff')).items).toHaveLength(0);
    const [notification] = (await inbox('hachimantai.manager')).items.filter((n) => n.caseId === created.id);
    expect((await api.http.post(`/api/v1/notifications/${notification.id}/read`, {}, { token: token['hachimantai.manager'] })).status).toBe(204);
    expect((await api.http.post(`/api/v1/notifications/${notification.id}/read`, {}, { token: token['kitakyushu.staff'] })).status).toBe(404);
    expect((await inbox('hachimantai.manager')).items.find((n) => n.id === notification.id)?.readAt).toEqual(expect.any(String));
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM notification WHERE case_id = $1`, [created.id]);
    expect(rows[0].n).toBe(3);
  });

  it('adds a milestone without waiting on the case’s other reminders, which a worker may hold while it sends them', async () => {
    const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
    const first = await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: '会場下見', dueAt: '2027-03-01', remindBefore: ['P7D', 'P1D'] }, { token: token['hachimantai.staff'] });
    expect(first.status).toBe(201);
    // Another transaction holds the first milestone's reminders, as a replica sending them does.
    const heldReminders = `SELECT r.id FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1 FOR UPDATE OF r`;
    await whileRowsHeld(api.database.url, heldReminders, [created.id], async (held) => {
      expect(held).toBe(2);
      const added = api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: '通訳との打合せ', dueAt: '2027-03-02', remindBefore: ['P1D'] }, { token: token['hachimantai.staff'] });
      expect(await answerWithin(added.then((r) => r.status), 5_000)).toBe(201);
    });
    const { rows } = await sql.query(`SELECT d.title->>'ja' AS title, r.before FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1 ORDER BY d.due_at, r.before`, [created.id]);
    expect(rows).toEqual([
      { title: '会場下見', before: 'P1D' },
      { title: '会場下見', before: 'P7D' },
      { title: '通訳との打合せ', before: 'P1D' },
    ]);
  });

  it('R6: never fires a reminder whose deadline was cancelled before its time', async () => {
    const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
    await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: '会場下見', dueAt: new Date(Date.now() + 16_000).toISOString(), remindBefore: ['PT10S'] }, { token: token['hachimantai.staff'] });
    // The job is in Redis within the scheduler's interval; then the case is withdrawn.
    await waitUntil(async () => (await sql.query(`SELECT count(*)::int AS n FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1`, [created.id])).rows[0].n === 1, 5_000, 'the reminder row');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await act('hachimantai.staff', created.id, 'cancel', { comment: '日程が合わず中止' });
    await deadlinesWhen(created.id, (d) => d.every((x) => x.status === 'cancelled'));
    // Its job was due 6 s after creation; wait past it.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const { rows: jobs } = await sql.query(`SELECT r.sent_at, d.state FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1`, [created.id]);
    expect(jobs).toEqual([]);
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM notification WHERE case_id = $1`, [created.id]);
    expect(rows[0].n).toBe(0);
  });
});

describe('timer transitions', () => {
  it('takes a system action when its date has come, through the engine, with actor system in the history', async () => {
    const yesterday = isoDate(Date.now() - 2 * DAY); // the day before yesterday, in Tokyo
    const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
    await act('hachimantai.staff', created.id, 'submit');
    await act('hachimantai.manager', created.id, 'approve');
    await act('hachimantai.staff', created.id, 'send-request');
    await act('hachimantai.staff', created.id, 'record-acceptance');
    await act('hachimantai.manager', created.id, 'confirm-schedule', { data: { visitStart: yesterday, visitEnd: yesterday, itinerary: [{ date: yesterday, place: '八幡平市役所', activity: '市長表敬' }] } });
    // visit-ended was due at 09:00 JST the day after the visit, yesterday: the worker takes it at once.
    await waitUntil(async () => (await api.http.get(`/api/v1/cases/${created.id}`, { token: token['hachimantai.staff'] })).body.state === 'visited', 10_000, 'visit-ended');
    const history = (await api.http.get(`/api/v1/cases/${created.id}/history`, { token: token['hachimantai.staff'] })).body;
    expect(history.at(-1)).toMatchObject({ action: 'visit-ended', from: 'scheduled', to: 'visited', actor: { kind: 'system', id: null } });
    const { rows } = await sql.query(`SELECT action, state FROM case_timer WHERE case_id = $1`, [created.id]);
    expect(rows).toEqual([{ action: 'visit-ended', state: 'done' }]);
    // The visit report deadline of the new state follows.
    await deadlinesWhen(created.id, (d) => d.some((x) => x.key === 'visit-report' && x.status === 'upcoming'));
  });

  it('a consumer that read the case just before its timer moved it does not bring the timer back; one that saw a later version does', async () => {
    const yesterday = isoDate(Date.now() - 2 * DAY);
    const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
    for (const [who, action] of [['hachimantai.staff', 'submit'], ['hachimantai.manager', 'approve'], ['hachimantai.staff', 'send-request'], ['hachimantai.staff', 'record-acceptance']]) await act(who, created.id, action);
    await act('hachimantai.manager', created.id, 'confirm-schedule', { data: { visitStart: yesterday, visitEnd: yesterday, itinerary: [{ date: yesterday, place: '八幡平市役所', activity: '市長表敬' }] } });
    const timer = async () => (await sql.query(`SELECT state, ended_version AS "endedVersion" FROM case_timer WHERE case_id = $1 AND action = 'visit-ended'`, [created.id])).rows[0];
    await waitUntil(async () => (await timer())?.state === 'done', 10_000, 'visit-ended done');
    const [now] = (await sql.query(`SELECT version FROM workflow_case WHERE id = $1`, [created.id])).rows;
    expect((await timer()).endedVersion).toBe(now.version);
    // The deadlines consumer handling an older event, as if its read of the case had come just
    // before the timer's move: the case still 'scheduled', one version back. Its writes are real.
    const handleWithRead = async (version: number) => {
      await sql.query('BEGIN');
      let first = true;
      const tx = {
        query: async (text: string, params: unknown[]) => {
          const { rows } = await sql.query(text, params);
          if (!first) return rows;
          first = false;
          return rows.map((row) => ({ ...row, state: 'scheduled', version }));
        },
      };
      await worker.get(DeadlinesConsumer).handle({ eventId: crypto.randomUUID(), type: 'case.transitioned', caseId: created.id, occurredAt: new Date().toISOString(), payload: {} }, tx as never);
      const after = await timer();
      await sql.query('ROLLBACK');
      return after.state;
    };
    expect(await handleWithRead(now.version - 1)).toBe('done');
    // The control: a read of a later version in that state (the case went back to it) arms the timer again.
    expect(await handleWithRead(now.version + 1)).toBe('pending');
  });

  it('waits for a person when a rule refuses the timer (no overseas post named yet)', async () => {
    const { body: created } = await api.http.post(
      '/api/v1/cases',
      {
        program: 'trainee-secondment',
        data: {
          track: 'overseas-admin-service',
          trainee: { name: '八幡 太郎', employeeNumber: 'H-001', department: '企画財政課', position: '主事', languages: [{ language: 'en', level: 'basic' }] },
          startDate: isoDate(Date.now() - 100 * DAY),
          hqMonths: 3,
          preferredRegions: ['africa'],
          motivation: 'ルワンダとの交流を深めるため',
        },
      },
      { token: token['hachimantai.staff'] },
    );
    await act('hachimantai.staff', created.id, 'submit');
    await act('hachimantai.manager', created.id, 'approve');
    await act('hachimantai.staff', created.id, 'apply');
    await act('hachimantai.staff', created.id, 'record-acceptance');
    // begin-secondment (start date passed) runs; begin-overseas-posting (start + 3 months, passed too) is refused: no postName.
    await waitUntil(async () => (await sql.query(`SELECT state FROM case_timer WHERE case_id = $1 AND action = 'begin-overseas-posting'`, [created.id])).rows[0]?.state === 'blocked', 10_000, 'the blocked timer');
    expect((await api.http.get(`/api/v1/cases/${created.id}`, { token: token['hachimantai.staff'] })).body.state).toBe('at-headquarters');
  });
});

describe('approval SLA', () => {
  it('reminds the managers after 3 business days in review and escalates to the admins after 5, and stops when the case leaves review', async () => {
    const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
    await act('hachimantai.staff', created.id, 'submit');
    const sla = await deadlinesWhen(created.id, (d) => d.filter((x) => x.key.startsWith('approval-sla')).length === 2);
    expect(sla.map((d) => [d.key, d.status])).toEqual([
      ['approval-sla-reminder', 'upcoming'],
      ['approval-sla-escalation', 'upcoming'],
    ]);
    // Five business days pass (the dates are PostgreSQL rows; the scheduler reads them).
    await sql.query(
      `UPDATE deadline_reminder r SET fire_at = now() - interval '1 minute' FROM case_deadline d WHERE d.id = r.deadline_id AND d.case_id = $1 AND d.kind = 'sla'`,
      [created.id],
    );
    const notified = async () => (await sql.query(`SELECT u.email, n.kind FROM notification n JOIN app_user u ON u.id = n.user_id WHERE n.case_id = $1 AND n.kind IN ('reminder', 'escalation') ORDER BY u.email`, [created.id])).rows;
    await waitUntil(async () => (await notified()).length === 2, 10_000, 'the SLA notifications');
    expect(await notified()).toEqual([
      { email: 'admin@hachimantai.test', kind: 'escalation' },
      { email: 'manager@hachimantai.test', kind: 'reminder' },
    ]);
    const [escalation] = (await api.http.get('/api/v1/notifications', { token: token['hachimantai.admin'] })).body.items;
    expect(escalation.title).toBe('【エスカレーション】決裁待ち：在ルワンダ日本国大使館 大使の訪問');

    await act('hachimantai.manager', created.id, 'approve');
    await deadlinesWhen(created.id, (d) => d.filter((x) => x.key.startsWith('approval-sla')).every((x) => x.status === 'done'));
  });
});

describe('governor-conference survey notifications', () => {
  it('invites the invited organisations’ staff, and reminds only those that have not answered', async () => {
    const operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
    const orgs: Record<string, string> = {};
    for (const [key, name, kind, code] of [
      ['nga', '全国知事会事務局', 'association', 'NGA'],
      ['okinawa', '沖縄県', 'prefecture', '470007'],
      ['hokkaido', '北海道', 'prefecture', '010006'],
    ]) {
      orgs[key] = (await api.http.post('/api/v1/organisations', { name, kind, code }, { token: operator })).body.id;
      for (const role of key === 'nga' ? ['staff', 'manager'] : ['staff']) {
        await api.http.post('/api/v1/users', { email: `${role}@${key}.test`, name: `${name} ${role}`, password: 'password-of-twelve', organisationId: orgs[key], roles: [role] }, { token: operator });
        token[`${key}.${role}`] = await api.http.login(`${role}@${key}.test`, 'password-of-twelve');
      }
    }
    const data = {
      counterpartCountry: 'US', counterpartBody: '全米知事会', fiscalYear: 2026, format: 'in-person', hostSide: 'japan', startDate: '2027-03-01', endDate: '2027-03-02',
      themes: ['観光'], purpose: '交流の拡大', expectedOutcomes: '共同声明', invitedOrganisations: [orgs.okinawa, orgs.hokkaido], surveyDeadline: new Date(Date.now() + 10 * DAY).toISOString(),
    };
    const { body: created } = await api.http.post('/api/v1/cases', { program: 'governor-conference', data }, { token: token['nga.staff'] });
    await act('nga.staff', created.id, 'submit');
    await act('nga.manager', created.id, 'approve');
    await act('nga.staff', created.id, 'open-survey');
    const kinds = async (who: string) => ((await api.http.get('/api/v1/notifications', { token: token[who] })).body.items as { kind: string; caseId: string; title: string }[]).filter((n) => n.caseId === created.id);
    expect((await kinds('okinawa.staff')).map((n) => [n.kind, n.title])).toEqual([['survey-invitation', '【参加意向調査】全米知事会との知事会議']]);

    await waitUntil(async () => (await sql.query(`SELECT count(*)::int AS n FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1 AND d.key = 'survey-deadline'`, [created.id])).rows[0].n === 2, 10_000, 'the survey reminders');
    const answered = await api.http.request('PUT', `/api/v1/cases/${created.id}/survey/response`, { attendance: 'declining' }, { token: token['okinawa.staff'] });
    expect(answered.status).toBe(200);
    // P7D and P1D before the deadline come.
    await sql.query(`UPDATE deadline_reminder r SET fire_at = now() - interval '1 minute' FROM case_deadline d WHERE d.id = r.deadline_id AND d.case_id = $1 AND d.key = 'survey-deadline'`, [created.id]);
    await waitUntil(async () => (await kinds('hokkaido.staff')).filter((n) => n.kind === 'reminder').length === 2, 10_000, 'two reminders to the non-responder');
    expect((await kinds('hokkaido.staff')).find((n) => n.kind === 'reminder')?.title).toBe('【回答のお願い】参加意向調査の回答期限：全米知事会との知事会議');
    expect((await kinds('okinawa.staff')).filter((n) => n.kind === 'reminder')).toEqual([]);

    // The invited organisations' calendar feeds hold the survey's deadline, and no other of the conference's.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ICAL = require('ical.js');
    const feedEvents = async (who: string) => {
      const { url } = (await api.http.get('/api/v1/me/calendar', { token: token[who] })).body as { url: string };
      const text = (await api.http.get(new URL(url).pathname + new URL(url).search)).text;
      const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((e: unknown) => new ICAL.Event(e)) as { uid: string; description: string }[];
      return events.filter((e) => e.description.includes(created.id)).map((e) => e.uid);
    };
    const own = await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: '会場の下見', dueAt: '2027-02-01' }, { token: token['nga.staff'] });
    expect(own.status).toBe(201);
    const surveyDeadline = (await sql.query(`SELECT id FROM case_deadline WHERE case_id = $1 AND key = 'survey-deadline'`, [created.id])).rows[0].id as string;
    const organiser = await feedEvents('nga.staff');
    expect(organiser.some((uid) => uid.startsWith(own.body.id))).toBe(true);
    const invited = await feedEvents('hokkaido.staff');
    expect(invited).toHaveLength(1);
    expect(invited[0]).toContain(surveyDeadline);
    expect(organiser).toContain(invited[0]);
  });
});

describe('calendar feed', () => {
  // ical.js ships CommonJS under `require`.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ICAL = require('ical.js');

  it('serves the user’s deadlines as iCalendar with stable UIDs, all-day deadlines on their Tokyo date, behind a revocable token', async () => {
    const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: visit }, { token: token['hachimantai.staff'] });
    await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: '講演資料の提出', dueAt: '2027-01-15' }, { token: token['hachimantai.staff'] });
    await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: '通訳との打合せ', dueAt: '2027-01-20T10:00:00+09:00' }, { token: token['hachimantai.staff'] });
    const feed = (await api.http.get('/api/v1/me/calendar', { token: token['hachimantai.manager'] })).body;
    expect(feed.url).toMatch(/\/api\/v1\/calendar\.ics\?token=/);
    const path = new URL(feed.url).pathname + new URL(feed.url).search;

    const parse = async () => {
      const response = await api.http.get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/calendar');
      const events = new ICAL.Component(ICAL.parse(response.text)).getAllSubcomponents('vevent').map((e: unknown) => new ICAL.Event(e));
      return events.filter((e: { description: string }) => e.description.includes(created.id)) as { uid: string; summary: string; startDate: { isDate: boolean; toString(): string; toJSDate(): Date } }[];
    };
    const first = await parse();
    const second = await parse();
    expect(first.map((e) => e.uid).sort()).toEqual(second.map((e) => e.uid).sort());
    expect(first).toHaveLength(2);
    const allDay = first.find((e) => e.summary.startsWith('講演資料の提出'));
    expect([allDay?.startDate.isDate, allDay?.startDate.toString()]).toEqual([true, '2027-01-15']);
    const timed = first.find((e) => e.summary.startsWith('通訳との打合せ'));
    expect(timed?.startDate.toJSDate().toISOString()).toBe('2027-01-20T01:00:00.000Z');

    // Another organisation's feed does not show them; a rotated token revokes the old URL.
    const other = (await api.http.get('/api/v1/me/calendar', { token: token['kitakyushu.staff'] })).body;
    const otherText = (await api.http.get(new URL(other.url).pathname + new URL(other.url).search)).text;
    expect(otherText).not.toContain(created.id);
    const rotated = (await api.http.post('/api/v1/me/calendar/rotate', {}, { token: token['hachimantai.manager'] })).body;
    expect(rotated.token).not.toBe(feed.token);
    const revoked = await api.http.get(path);
    expect([revoked.status, revoked.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await api.http.get(new URL(rotated.url).pathname + new URL(rotated.url).search)).status).toBe(200);
    expect((await api.http.get('/api/v1/calendar.ics?token=forged')).status).toBe(401);
  });
});
