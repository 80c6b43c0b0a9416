/**
 * KORYU_DEMO=1 seeds demo cases of every program through the real engine: spread over states,
 * with history, JICA calls for this fiscal year, and a survey that invites every prefecture.
 */
import { Client } from 'pg';
import { DEMO_PASSWORD } from '@koryu/persistence';
import { type ApiUnderTest, startApi } from '@koryu/testing';

let api: ApiUnderTest;
let sql: Client;

beforeAll(async () => {
  api = await startApi({ KORYU_DEMO: '1' });
  sql = new Client({ connectionString: api.database.url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
  await api.close();
});

it('seeds cases of all four programs in several states each, with their history', async () => {
  const { rows } = await sql.query<{ program: string; states: string[] }>(`SELECT program, array_agg(DISTINCT state) AS states FROM workflow_case GROUP BY program ORDER BY program`);
  expect(rows.map((r) => r.program)).toEqual(['ambassador-visit', 'governor-conference', 'jica-application', 'trainee-secondment']);
  for (const row of rows) expect(row.states.length).toBeGreaterThanOrEqual(3);
  const { rows: history } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM case_history WHERE actor_kind = 'system'`);
  expect(history[0].n).toBeGreaterThanOrEqual(2);
  const { rows: prefectures } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM organisation WHERE kind = 'prefecture'`);
  expect(prefectures[0].n).toBe(47);
});

it('shows each demo login its organisation’s cases, inbox and the open survey', async () => {
  const manager = await api.http.login('manager@kitakyushu.example', DEMO_PASSWORD);
  const cases = await api.http.get('/api/v1/cases?program=jica-application', { token: manager });
  expect(cases.body.total).toBeGreaterThanOrEqual(3);
  expect(cases.body.items.every((c: { organisationId: string }) => c.organisationId === cases.body.items[0].organisationId)).toBe(true);
  expect((await api.http.get('/api/v1/inbox', { token: manager })).body.items.length).toBeGreaterThan(0);

  const prefecture = await api.http.login('staff@okinawa.example', DEMO_PASSWORD);
  const inbox = await api.http.get('/api/v1/inbox', { token: prefecture });
  expect(inbox.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'survey-response', title: '全米知事会との知事会議' })]));
  const calls = await api.http.get('/api/v1/calls?open=true', { token: prefecture });
  expect(calls.body.length).toBeGreaterThanOrEqual(4);
});

it('does not seed twice', async () => {
  const before = (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM workflow_case')).rows[0].n;
  await api.app.get((await import('../../apps/api/demo/demo-cases')).DemoCasesSeeder).onApplicationBootstrap();
  expect((await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM workflow_case')).rows[0].n).toBe(before);
});
