/**
 * The four programs of DOMAIN.md over HTTP against real PostgreSQL: each happy path with its
 * history and allowed actions, the rules that read the database (calls, lead-time policy, the
 * fiscal-year limit under concurrency), the governor-conference survey with its special visibility
 * (QUALITY.md S1), the inbox, and QUALITY.md S2 generated from the definitions.
 */
import { Client } from 'pg';
import { tokyoDay } from '@koryu/calendar';
import { type ApiUnderTest, roleMatrix, startApi, TEST_ADMIN, USER_ROLES } from '@koryu/testing';
import { PROGRAMS, type ProgramDefinition } from '@koryu/workflow';
import { CasesService } from '@koryu/casework';

let api: ApiUnderTest;
let sql: Client;
const org: Record<string, string> = {};
const token: Record<string, string> = {};

const DAY = 86_400_000;
/** The Tokyo calendar date of an instant. */
const isoDate = (ms: number) => tokyoDay(new Date(ms)).toISODate() as string;

beforeAll(async () => {
  api = await startApi();
  sql = new Client({ connectionString: api.database.url });
  await sql.connect();
  const operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  const organisations: [string, string, string, string][] = [
    ['kitakyushu', '北九州市', 'municipality', '401005'],
    ['hachimantai', '八幡平市', 'municipality', '032140'],
    ['okinawa', '沖縄県', 'prefecture', '470007'],
    ['hokkaido', '北海道', 'prefecture', '010006'],
    ['shizuoka', '静岡県', 'prefecture', '220001'],
    ['secretariat', '全国知事会事務局', 'association', 'NGA'],
  ];
  for (const [key, name, kind, code] of organisations) {
    const created = await api.http.post('/api/v1/organisations', { name, kind, code }, { token: operator });
    expect(created.status).toBe(201);
    org[key] = created.body.id;
    for (const role of USER_ROLES) {
      const email = `${role}@${key}.test`;
      const user = await api.http.post('/api/v1/users', { email, name: `${name} ${role}`, password: 'password-of-twelve', organisationId: org[key], roles: [role] }, { token: operator });
      expect(user.status).toBe(201);
      token[`${key}.${role}`] = await api.http.login(email, 'password-of-twelve');
    }
  }
});

afterAll(async () => {
  await sql.end();
  await api.close();
});

async function create(who: string, program: string, data: Record<string, unknown>) {
  const created = await api.http.post('/api/v1/cases', { program, data }, { token: token[who] });
  expect([created.status, created.body.code]).toEqual([201, undefined]);
  return created.body as { id: string; version: number; state: string; allowedActions: string[] };
}

/** Takes an action and checks where it leads and what the actor may do next. */
async function step(who: string, id: string, action: string, expected: { state: string; allowed?: string[] }, body: Record<string, unknown> = {}) {
  const current = await api.http.get(`/api/v1/cases/${id}`, { token: token[who] });
  const result = await api.http.post(`/api/v1/cases/${id}/actions/${action}`, { version: current.body.version, ...body }, { token: token[who] });
  expect([action, result.status, result.body.code]).toEqual([action, 200, undefined]);
  expect(result.body.state).toBe(expected.state);
  if (expected.allowed) expect(result.body.allowedActions).toEqual(expected.allowed);
  return result.body;
}

async function attempt(who: string, id: string, action: string, body: Record<string, unknown> = {}) {
  const current = await api.http.get(`/api/v1/cases/${id}`, { token: token[who] });
  return api.http.post(`/api/v1/cases/${id}/actions/${action}`, { version: current.body.version, ...body }, { token: token[who], lang: 'en' });
}

async function historyOf(who: string, id: string) {
  const history = await api.http.get(`/api/v1/cases/${id}/history`, { token: token[who] });
  return history.body as { action: string; from: string; to: string; actor: { kind: string }; comment: string | null; override: { reason: string; rules: string[] } | null }[];
}

async function call(scheme: string, opensAt: number, closesAt: number, round: number) {
  const created = await api.http.post('/api/v1/calls', { scheme, fiscalYear: 2026, round, opensAt: new Date(opensAt).toISOString(), closesAt: new Date(closesAt).toISOString() }, { token: token['kitakyushu.admin'] });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

const jica = (callId: string | undefined, extra: Record<string, unknown> = {}) => ({
  scheme: 'grassroots-regional',
  title: 'キガリ市上下水道技術協力',
  counterpartCountry: 'RW',
  counterpartOrganisation: 'City of Kigali',
  sector: 'water',
  partners: [{ name: '北九州市上下水道局', kind: 'other' }],
  requestedBudgetYen: 60_000_000,
  durationMonths: 36,
  plannedStart: '2027-04-01',
  summary: '北九州市の上下水道技術による人材育成',
  expectedOutcomes: '無収水率の低減と運営能力の向上',
  ...(callId ? { callId } : {}),
  ...extra,
});

const visit = (extra: Record<string, unknown> = {}) => ({
  envoyKind: 'ambassador',
  postCountry: 'RW',
  postName: '在ルワンダ日本国大使館',
  envoyName: '宮下 孝之',
  purposes: ['lecture', 'site-visit'],
  preferredStart: isoDate(Date.now() + 45 * DAY),
  preferredEnd: isoDate(Date.now() + 46 * DAY),
  hostContact: { name: '八幡 花子', department: '企画財政課', phone: '0195-74-2111', email: 'kokusai@hachimantai.test' },
  expectedParticipants: 120,
  ...extra,
});

const secondment = (extra: Record<string, unknown> = {}) => ({
  track: 'diplomatic-practice',
  trainee: { name: '沖縄 太郎', employeeNumber: 'P-10234', department: '交流推進課', position: '主任', languages: [{ language: 'en', level: 'business' }] },
  startDate: '2027-04-01',
  hqMonths: 24,
  preferredRegions: ['asia', 'oceania'],
  motivation: 'アジア地域との交流を担う人材として外交実務を学ぶ',
  ...extra,
});

const conference = (extra: Record<string, unknown> = {}) => ({
  counterpartCountry: 'VN',
  counterpartBody: 'ベトナム地方省長',
  fiscalYear: 2026,
  format: 'in-person',
  hostSide: 'japan',
  hostPrefecture: '岡山県',
  city: '岡山市',
  startDate: '2027-02-10',
  endDate: '2027-02-11',
  themes: ['観光交流', '人材交流'],
  purpose: '地方同士の具体的な協力分野を定める',
  expectedOutcomes: '共同声明',
  promotionPlan: '知事団による県産品プロモーション',
  ...extra,
});

describe('jica-application', () => {
  it('walks grassroots-regional from draft to completed, with a call, history and allowed actions at each step', async () => {
    const callId = await call('grassroots-regional', Date.now() - DAY, Date.now() + 30 * DAY, 1);
    const calls = await api.http.get('/api/v1/calls?scheme=grassroots-regional&open=true', { token: token['kitakyushu.staff'] });
    expect(calls.body.map((c: { id: string }) => c.id)).toContain(callId);
    expect(calls.body[0]).toMatchObject({ schemeTitle: '草の根技術協力（地域活性化特別枠）', fiscalYearLabel: '令和8年度（2026年度）', open: true });

    const created = await create('kitakyushu.staff', 'jica-application', jica(callId));
    expect(created).toMatchObject({ state: 'draft', allowedActions: ['submit', 'withdraw'], fiscalYear: 2027, fiscalYearLabel: '令和9年度（2027年度）' });
    const id = created.id;
    await step('kitakyushu.staff', id, 'submit', { state: 'internal-review', allowed: ['withdraw'] });
    expect((await api.http.get(`/api/v1/cases/${id}`, { token: token['kitakyushu.manager'] })).body.allowedActions).toEqual(['approve', 'return', 'withdraw']);
    await step('kitakyushu.manager', id, 'approve', { state: 'ready-to-submit', allowed: ['withdraw'] });
    await step('kitakyushu.staff', id, 'submit-to-jica', { state: 'submitted', allowed: ['record-conditional-adoption', 'record-adoption', 'record-rejection', 'withdraw'] });
    await step('kitakyushu.staff', id, 'record-adoption', { state: 'adopted', allowed: [] });
    await step('kitakyushu.manager', id, 'sign-contract', { state: 'contracted', allowed: [] });
    await step('kitakyushu.staff', id, 'start-implementation', { state: 'in-progress', allowed: ['submit-completion-report'] });
    await step('kitakyushu.staff', id, 'submit-completion-report', { state: 'completion-review', allowed: [] });
    await step('kitakyushu.manager', id, 'approve-completion', { state: 'completed', allowed: [] });
    expect((await historyOf('kitakyushu.staff', id)).map((h) => h.action)).toEqual([
      'create', 'submit', 'approve', 'submit-to-jica', 'record-adoption', 'sign-contract', 'start-implementation', 'submit-completion-report', 'approve-completion',
    ]);
  });

  it('takes grant-aid-municipal through conditional adoption and the preparatory survey, without a call', async () => {
    const { id } = await create('hachimantai.staff', 'jica-application', jica(undefined, { scheme: 'grant-aid-municipal', requestedBudgetYen: 10_000_000, durationMonths: 12 }));
    await step('hachimantai.staff', id, 'submit', { state: 'internal-review' });
    await step('hachimantai.manager', id, 'approve', { state: 'ready-to-submit' });
    await step('hachimantai.staff', id, 'submit-to-jica', { state: 'submitted' });
    await step('hachimantai.staff', id, 'record-conditional-adoption', { state: 'conditionally-adopted', allowed: ['complete-preparatory-survey', 'record-rejection'] });
    await step('hachimantai.manager', id, 'complete-preparatory-survey', { state: 'adopted' });
  });

  it('enforces the cap at the boundary, CALL_REQUIRED, and CALL_CLOSED on submit-to-jica, in the caller’s language', async () => {
    const callId = await call('grassroots-regional', Date.now() - DAY, Date.now() + 30 * DAY, 2);
    const over = await create('kitakyushu.staff', 'jica-application', jica(callId, { requestedBudgetYen: 60_000_001 }));
    const refused = await attempt('kitakyushu.staff', over.id, 'submit');
    expect([refused.status, refused.body.code, refused.body.violations[0].field]).toEqual([422, 'BUDGET_OVER_CAP', 'data.requestedBudgetYen']);
    expect(refused.body.message).toBe('The requested budget for JICA Partnership Program (regional revitalisation) must be at most ¥60,000,000.');
    // The scheme is named by its title in each language, never by its key.
    const inJapanese = await api.http.post(`/api/v1/cases/${over.id}/actions/submit/check`, {}, { token: token['kitakyushu.staff'], lang: 'ja' });
    expect(inJapanese.body.violations[0].message).toBe('草の根技術協力（地域活性化特別枠）の申請額は60,000,000円以下です。');

    const noCall = await create('kitakyushu.staff', 'jica-application', jica(undefined));
    expect((await attempt('kitakyushu.staff', noCall.id, 'submit')).body.code).toBe('CALL_REQUIRED');

    const closedCall = await call('grassroots-regional', Date.now() - 60 * DAY, Date.now() - DAY, 3);
    const late = await create('kitakyushu.staff', 'jica-application', jica(closedCall));
    await step('kitakyushu.staff', late.id, 'submit', { state: 'internal-review' });
    await step('kitakyushu.manager', late.id, 'approve', { state: 'ready-to-submit' });
    const closed = await attempt('kitakyushu.staff', late.id, 'submit-to-jica');
    expect([closed.status, closed.body.code]).toEqual([422, 'CALL_CLOSED']);
  });

  it('lets admins register calls, refuses duplicates and rolling schemes, and lets everyone read them', async () => {
    const body = { scheme: 'sme-basic-survey', fiscalYear: 2026, round: 1, opensAt: '2026-10-01T00:00:00+09:00', closesAt: '2026-11-30T17:00:00+09:00' };
    expect((await api.http.post('/api/v1/calls', body, { token: token['kitakyushu.admin'] })).status).toBe(201);
    expect((await api.http.post('/api/v1/calls', body, { token: token['kitakyushu.admin'] })).status).toBe(409);
    expect((await api.http.post('/api/v1/calls', { ...body, scheme: 'grant-aid-municipal' }, { token: token['kitakyushu.admin'] })).status).toBe(400);
    expect((await api.http.post('/api/v1/calls', { ...body, round: 2 }, { token: token['kitakyushu.staff'] })).status).toBe(403);
    expect((await api.http.get('/api/v1/calls?scheme=sme-basic-survey', { token: token['okinawa.staff'] })).body).toHaveLength(1);
  });
});

describe('ambassador-visit', () => {
  it('walks a visit from draft to closed, with the system ending the visit and fixed dates edited while arranging', async () => {
    const { id } = await create('hachimantai.staff', 'ambassador-visit', visit());
    await step('hachimantai.staff', id, 'submit', { state: 'internal-review' });
    await step('hachimantai.manager', id, 'approve', { state: 'approved', allowed: ['cancel'] });
    await step('hachimantai.staff', id, 'send-request', { state: 'requested', allowed: ['record-acceptance', 'record-decline', 'cancel'] });
    await step('hachimantai.staff', id, 'record-acceptance', { state: 'arranging', allowed: ['cancel'] });
    const current = (await api.http.get(`/api/v1/cases/${id}`, { token: token['hachimantai.staff'] })).body;
    const start = isoDate(Date.now() + 50 * DAY);
    const patched = await api.http.patch(`/api/v1/cases/${id}`, { version: current.version, data: { visitStart: start, visitEnd: start } }, { token: token['hachimantai.staff'] });
    expect(patched.status).toBe(200);
    const notEditable = await api.http.patch(`/api/v1/cases/${id}`, { version: patched.body.version, data: { postName: '在ケニア日本国大使館' } }, { token: token['hachimantai.staff'] });
    expect([notEditable.status, notEditable.body.violations?.[0]?.code]).toEqual([400, 'notEditable']);
    const noItinerary = await attempt('hachimantai.manager', id, 'confirm-schedule');
    expect([noItinerary.status, noItinerary.body.code]).toEqual([422, 'ITINERARY_REQUIRED']);
    await step('hachimantai.manager', id, 'confirm-schedule', { state: 'scheduled', allowed: ['cancel'] }, { data: { itinerary: [{ date: start, time: '10:00', place: '八幡平市役所', activity: '市長表敬・講演' }] } });

    // The visit-ended timer performs this through the same engine (its scheduling is the deadlines issue).
    const ended = await api.app.get(CasesService).actAsSystem(id, 'visit-ended');
    expect(ended?.state).toBe('visited');
    expect(await api.app.get(CasesService).actAsSystem(id, 'visit-ended')).toBeUndefined();
    await step('hachimantai.staff', id, 'submit-report', { state: 'report-review' });
    await step('hachimantai.manager', id, 'approve-report', { state: 'closed', allowed: [] });
    const history = await historyOf('hachimantai.staff', id);
    expect(history.map((h) => `${h.action}:${h.actor.kind}`)).toEqual([
      'create:user', 'submit:user', 'approve:user', 'send-request:user', 'record-acceptance:user', 'update:user', 'confirm-schedule:user', 'visit-ended:system', 'submit-report:user', 'approve-report:user',
    ]);
  });

  it('applies the lead-time policy its admin sets (LEAD_TIME_TOO_SHORT), and keeps other organisations’ policies out of reach', async () => {
    const { id } = await create('hachimantai.staff', 'ambassador-visit', visit());
    await step('hachimantai.staff', id, 'submit', { state: 'internal-review' });
    await step('hachimantai.manager', id, 'approve', { state: 'approved' });
    const policy = await api.http.request('PUT', `/api/v1/organisations/${org.hachimantai}/policy`, { visitLeadTimeDays: 60 }, { token: token['hachimantai.admin'] });
    expect([policy.status, policy.body.visitLeadTimeDays]).toEqual([200, 60]);
    expect((await api.http.request('PUT', `/api/v1/organisations/${org.okinawa}/policy`, { visitLeadTimeDays: 1 }, { token: token['hachimantai.admin'] })).status).toBe(404);
    const tooSoon = await attempt('hachimantai.staff', id, 'send-request');
    expect([tooSoon.status, tooSoon.body.code]).toEqual([422, 'LEAD_TIME_TOO_SHORT']);
    await api.http.request('PUT', `/api/v1/organisations/${org.hachimantai}/policy`, { visitLeadTimeDays: 30 }, { token: token['hachimantai.admin'] });
    await step('hachimantai.staff', id, 'send-request', { state: 'requested' });
  });
});

describe('trainee-secondment', () => {
  it('walks a diplomatic-practice secondment through both phases, the system moving it on its dates', async () => {
    const refused = await create('okinawa.staff', 'trainee-secondment', secondment({ startDate: '2027-05-01' }));
    expect((await attempt('okinawa.staff', refused.id, 'submit')).body.code).toBe('START_NOT_APRIL_FIRST');

    const { id } = await create('okinawa.staff', 'trainee-secondment', secondment());
    await step('okinawa.staff', id, 'submit', { state: 'internal-review' });
    await step('okinawa.manager', id, 'approve', { state: 'approved' });
    await step('okinawa.staff', id, 'apply', { state: 'applied', allowed: ['record-acceptance', 'record-non-acceptance', 'withdraw'] });
    await step('okinawa.staff', id, 'record-acceptance', { state: 'accepted', allowed: ['withdraw'] });
    const service = api.app.get(CasesService);
    expect((await service.actAsSystem(id, 'begin-secondment'))?.state).toBe('at-headquarters');
    expect((await attempt('okinawa.manager', id, 'begin-overseas-posting')).body.code).toBe('POST_NAME_REQUIRED');
    const current = (await api.http.get(`/api/v1/cases/${id}`, { token: token['okinawa.staff'] })).body;
    expect((await api.http.patch(`/api/v1/cases/${id}`, { version: current.version, data: { postName: '在ベトナム日本国大使館' } }, { token: token['okinawa.staff'] })).status).toBe(200);
    expect((await service.actAsSystem(id, 'begin-overseas-posting'))?.state).toBe('overseas-posting');
    const noComment = await attempt('okinawa.manager', id, 'end-secondment');
    expect([noComment.status, noComment.body.code]).toEqual([422, 'COMMENT_REQUIRED']);
    await step('okinawa.manager', id, 'end-secondment', { state: 'returned' }, { comment: '家庭の事情により早期帰任' });
    await step('okinawa.staff', id, 'submit-report', { state: 'report-review' });
    await step('okinawa.manager', id, 'approve-report', { state: 'closed', allowed: [] });
    expect((await historyOf('okinawa.staff', id)).filter((h) => h.actor.kind === 'system').map((h) => h.action)).toEqual(['begin-secondment', 'begin-overseas-posting']);
  });

  it('keeps an overseas-admin-service HQ phase within 3–6 months', async () => {
    const { id } = await create('okinawa.staff', 'trainee-secondment', secondment({ track: 'overseas-admin-service', startDate: '2027-07-15', hqMonths: 7 }));
    expect((await attempt('okinawa.staff', id, 'submit')).body.code).toBe('HQ_PHASE_OUT_OF_RANGE');
  });
});

describe('governor-conference and its participation survey', () => {
  it('belongs to the association: a prefecture cannot start one', async () => {
    expect((await api.http.post('/api/v1/cases', { program: 'governor-conference', data: conference() }, { token: token['okinawa.staff'] })).status).toBe(403);
  });

  it('runs a conference through the survey to closing; invitees see public fields and their own response only (S1)', async () => {
    const { id } = await create('secretariat.staff', 'governor-conference', conference({ invitedOrganisations: [org.okinawa, org.hokkaido], fiscalYear: 2025 }));
    expect((await attempt('secretariat.staff', (await create('secretariat.staff', 'governor-conference', conference({ themes: [] }))).id, 'submit')).body.code).toBe('THEME_REQUIRED');
    await step('secretariat.staff', id, 'submit', { state: 'policy-review' });
    await step('secretariat.manager', id, 'approve', { state: 'planning' });
    const current = (await api.http.get(`/api/v1/cases/${id}`, { token: token['secretariat.staff'] })).body;
    const deadline = new Date(Date.now() + 14 * DAY).toISOString();
    expect((await api.http.patch(`/api/v1/cases/${id}`, { version: current.version, data: { surveyDeadline: deadline } }, { token: token['secretariat.staff'] })).status).toBe(200);
    await step('secretariat.staff', id, 'open-survey', { state: 'survey-open', allowed: ['close-survey', 'cancel'] });
    // The organiser's inbox: the open survey, due at its deadline.
    const organiserInbox = await api.http.get('/api/v1/inbox', { token: token['secretariat.staff'] });
    expect(organiserInbox.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'case', caseId: id, state: 'survey-open', dueAt: deadline, dueTitle: '参加意向調査の回答期限' })]));

    // The invitee: public fields, no actions, its own response in its inbox.
    const seen = await api.http.get(`/api/v1/cases/${id}`, { token: token['okinawa.staff'] });
    expect(seen.status).toBe(200);
    expect(seen.body.allowedActions).toEqual([]);
    expect(Object.keys(seen.body.data).sort()).toEqual(['city', 'counterpartBody', 'counterpartCountry', 'endDate', 'fiscalYear', 'format', 'hostPrefecture', 'hostSide', 'purpose', 'startDate', 'surveyDeadline', 'themes']);
    expect((await attempt('okinawa.staff', id, 'close-survey')).status).toBe(403);
    // Its case list holds the conference too (the invited half of a list), with the public fields only, and counts it.
    const listed = await api.http.get('/api/v1/cases?program=governor-conference', { token: token['okinawa.staff'] });
    const item = listed.body.items.find((c: { id: string }) => c.id === id);
    expect(Object.keys(item?.data ?? {}).sort()).toEqual(Object.keys(seen.body.data).sort());
    expect(item.allowedActions).toEqual([]);
    expect(listed.body.total).toBe(listed.body.items.length);
    expect((await api.http.get(`/api/v1/cases/${id}/history`, { token: token['okinawa.staff'] })).status).toBe(404);
    // Two drafts of its own wait in its inbox too, undated.
    for (let i = 0; i < 2; i += 1) await create('okinawa.staff', 'ambassador-visit', visit());
    const inbox = await api.http.get('/api/v1/inbox', { token: token['okinawa.staff'] });
    expect(inbox.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'survey-response', caseId: id, actions: ['answer-survey'], dueAt: deadline, dueTitle: '参加意向調査の回答期限' })]));
    // Dated items first, the nearest first; then the most recently changed.
    type Item = { dueAt: string | null; updatedAt: string };
    const items = inbox.body.items as Item[];
    // Every field of an item, as the serializer compiled from the route's schema writes it.
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['actions', 'caseId', 'dueAt', 'dueTitle', 'kind', 'program', 'programTitle', 'state', 'stateTitle', 'title', 'updatedAt']);
      expect(item.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    const rank = (item: Item) => (item.dueAt ? [0, Date.parse(item.dueAt)] : [1, -Date.parse(item.updatedAt)]);
    const inOrder = [...items].sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1]);
    expect(items).toEqual(inOrder);
    expect([items.some((item) => item.dueAt), items.some((item) => !item.dueAt)]).toEqual([true, true]);
    const wrong = await api.http.request('PUT', `/api/v1/cases/${id}/survey/response`, { attendance: 'attending' }, { token: token['okinawa.staff'] });
    expect(wrong.status).toBe(400);
    const answer = await api.http.request('PUT', `/api/v1/cases/${id}/survey/response`, { attendance: 'attending', attendeeLevel: 'governor', delegationSize: 6, joinsPromotion: true }, { token: token['okinawa.staff'] });
    expect([answer.status, answer.body.status, answer.body.organisationName]).toEqual([200, 'attending', '沖縄県']);
    const own = await api.http.get(`/api/v1/cases/${id}/survey`, { token: token['okinawa.staff'] });
    expect(own.body.responses.map((r: { organisationId: string }) => r.organisationId)).toEqual([org.okinawa]);
    expect(own.body.summary).toBeUndefined();

    // Not invited: nothing exists (404), not even the survey.
    expect((await api.http.get(`/api/v1/cases/${id}`, { token: token['shizuoka.staff'] })).status).toBe(404);
    expect((await api.http.get(`/api/v1/cases/${id}/survey`, { token: token['shizuoka.staff'] })).status).toBe(404);
    expect((await api.http.request('PUT', `/api/v1/cases/${id}/survey/response`, { attendance: 'declining' }, { token: token['shizuoka.staff'] })).status).toBe(404);
    expect((await api.http.get('/api/v1/cases', { token: token['shizuoka.staff'] })).body.total).toBe(0);

    // The secretariat sees every response and closes the survey: the silent become no-response.
    const all = await api.http.get(`/api/v1/cases/${id}/survey`, { token: token['secretariat.staff'] });
    expect(all.body.summary).toMatchObject({ invited: 2, attending: 1, pending: 1, delegates: 6 });
    await step('secretariat.staff', id, 'close-survey', { state: 'preparing' });
    const closed = await api.http.get(`/api/v1/cases/${id}/survey`, { token: token['secretariat.staff'] });
    expect(closed.body.responses.find((r: { organisationId: string }) => r.organisationId === org.hokkaido).status).toBe('no-response');
    const late = await api.http.request('PUT', `/api/v1/cases/${id}/survey/response`, { attendance: 'declining' }, { token: token['hokkaido.staff'] });
    expect([late.status, late.body.code]).toEqual([409, 'SURVEY_CLOSED']);

    expect((await api.app.get(CasesService).actAsSystem(id, 'mark-held'))?.state).toBe('held');
    await step('secretariat.staff', id, 'start-outcome-report', { state: 'outcome-report' });
    expect((await attempt('secretariat.manager', id, 'close')).body.code).toBe('OUTCOMES_REQUIRED');
    await step('secretariat.manager', id, 'close', { state: 'closed', allowed: [] }, { data: { outcomes: [{ title: '共同声明', description: '観光・人材交流の推進で合意' }] } });
  });

  it('invites every prefecture when none are chosen', async () => {
    const { id } = await create('secretariat.staff', 'governor-conference', conference({ fiscalYear: 2024, surveyDeadline: new Date(Date.now() + 7 * DAY).toISOString() }));
    await step('secretariat.staff', id, 'submit', { state: 'policy-review' });
    await step('secretariat.manager', id, 'approve', { state: 'planning' });
    await step('secretariat.staff', id, 'open-survey', { state: 'survey-open' });
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM organisation WHERE kind = 'prefecture'`);
    expect((await api.http.get(`/api/v1/cases/${id}/survey`, { token: token['secretariat.staff'] })).body.summary.invited).toBe(rows[0].n);
    expect((await api.http.get(`/api/v1/cases/${id}`, { token: token['shizuoka.staff'] })).status).toBe(200);
  });

  it('FISCAL_YEAR_LIMIT: of two simultaneous approvals after one, exactly one slips under the limit; a third needs a reason, kept in history', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { id } = await create('secretariat.staff', 'governor-conference', conference({ fiscalYear: 2027, counterpartBody: `相手方 ${i}` }));
      await step('secretariat.staff', id, 'submit', { state: 'policy-review' });
      ids.push(id);
    }
    await step('secretariat.manager', ids[0], 'approve', { state: 'planning' });
    const [b, c] = await Promise.all([attempt('secretariat.manager', ids[1], 'approve'), attempt('secretariat.manager', ids[2], 'approve')]);
    expect([b.status, c.status].sort()).toEqual([200, 422]);
    const refused = b.status === 422 ? b : c;
    expect(refused.body.code).toBe('FISCAL_YEAR_LIMIT');
    const ja = await api.http.post(`/api/v1/cases/${b.status === 422 ? ids[1] : ids[2]}/actions/approve/check`, {}, { token: token['secretariat.manager'] });
    expect(ja.body.message).toBe('令和9年度の知事会議は既に2件承認されています（上限2件）。3件目は理由を添えて承認してください。');
    const third = b.status === 422 ? ids[1] : ids[2];
    await step('secretariat.manager', third, 'approve', { state: 'planning' }, { override: { reason: '日越外交関係樹立の記念行事のため' } });
    const history = await historyOf('secretariat.staff', third);
    expect(history.at(-1)?.override).toEqual({ reason: '日越外交関係樹立の記念行事のため', rules: ['FISCAL_YEAR_LIMIT'] });
  });
});

describe('inbox', () => {
  it('lists what waits for the caller’s roles in their organisation only', async () => {
    const { id } = await create('kitakyushu.staff', 'ambassador-visit', visit({ postName: '在タイ日本国大使館' }));
    await step('kitakyushu.staff', id, 'submit', { state: 'internal-review' });
    const manager = await api.http.get('/api/v1/inbox', { token: token['kitakyushu.manager'] });
    expect(manager.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'case', caseId: id, stateTitle: '課内確認', actions: ['approve', 'return', 'cancel'] })]));
    const staff = await api.http.get('/api/v1/inbox', { token: token['kitakyushu.staff'] });
    expect(staff.body.items.find((i: { caseId: string }) => i.caseId === id)).toMatchObject({ actions: ['cancel'] });
    const other = await api.http.get('/api/v1/inbox', { token: token['hachimantai.manager'] });
    expect(other.body.items.some((i: { caseId: string }) => i.caseId === id)).toBe(false);
  });

  it('shows each case’s nearest open deadline, overdue ones first, in the caller’s language, and puts dated cases first', async () => {
    const { id } = await create('kitakyushu.staff', 'ambassador-visit', visit({ postName: '在ベトナム日本国大使館' }));
    await step('kitakyushu.staff', id, 'submit', { state: 'internal-review' });
    const undated = await create('kitakyushu.staff', 'ambassador-visit', visit({ postName: '在ラオス日本国大使館' }));
    await step('kitakyushu.staff', undated.id, 'submit', { state: 'internal-review' });
    const due = (days: number) => new Date(Date.now() + days * DAY).toISOString();
    const add = (key: string, ja: string, en: string, at: string, state = 'open') =>
      sql.query(`INSERT INTO case_deadline (case_id, key, kind, title, due_at, all_day, state) VALUES ($1, $2, 'custom', $3, $4, false, $5)`, [id, key, { ja, en }, at, state]);
    const [laterAt, overdueAt] = [due(5), due(-1)];
    await add('later', '日程の確定', 'Schedule fixed', laterAt);
    await add('done', '事前協議', 'Consultation', due(-3), 'done');
    await add('overdue', '決裁の滞留（3営業日）', 'Approval pending 3 business days', overdueAt);
    const itemOf = async (lang?: string) => {
      const items = (await api.http.get('/api/v1/inbox', { token: token['kitakyushu.manager'], lang })).body.items as { caseId: string; dueAt: string | null; dueTitle: string | null }[];
      return { item: items.find((i) => i.caseId === id), position: items.findIndex((i) => i.caseId === id), undated: items.findIndex((i) => i.caseId === undated.id), items };
    };
    const ja = await itemOf();
    expect(ja.item).toMatchObject({ dueAt: overdueAt, dueTitle: '決裁の滞留（3営業日）' });
    expect(ja.position).toBeLessThan(ja.undated);
    expect(ja.items[ja.undated]).toMatchObject({ dueAt: null, dueTitle: null });
    expect((await itemOf('en')).item?.dueTitle).toBe('Approval pending 3 business days');
    // Once the overdue one is done, the next open one is shown.
    await sql.query(`UPDATE case_deadline SET state = 'done' WHERE case_id = $1 AND key = 'overdue'`, [id]);
    const next = await itemOf();
    expect(next.item).toMatchObject({ dueAt: laterAt, dueTitle: '日程の確定' });
  });
});

describe('S2: every action of every program tried by every role (generated from the definitions)', () => {
  const owner = (def: ProgramDefinition) => (def.ownerKinds.includes('association') ? 'secretariat' : def.key === 'trainee-secondment' ? 'okinawa' : 'kitakyushu');
  const fixture = (def: ProgramDefinition) =>
    ({ 'jica-application': jica(undefined), 'ambassador-visit': visit(), 'trainee-secondment': secondment(), 'governor-conference': conference() })[def.key] as Record<string, unknown>;
  const cells = PROGRAMS.flatMap((def) => roleMatrix(def).map((cell) => [def.key, cell.action, cell.from, cell.role, cell.listed] as const));

  it.each(cells)('%s: %s from %s by %s (listed: %s)', async (program, action, from, role, listed) => {
    const def = PROGRAMS.find((p) => p.key === program) as ProgramDefinition;
    const who = owner(def);
    const { id } = await create(`${who}.staff`, program, fixture(def));
    await sql.query('UPDATE workflow_case SET state = $1 WHERE id = $2', [from, id]);
    const result = await api.http.post(`/api/v1/cases/${id}/actions/${action}`, { version: 1, comment: 'S2', override: { reason: 'S2' } }, { token: token[`${who}.${role}`] });
    // Listed roles get past the role check: 200, or a 422 from a rule this action declares (its
    // own rules, the form's on submit) that this fixture does not meet; the others get 403.
    if (!listed) return expect(result.status).toBe(403);
    const declared = [...(def.actions.find((a) => a.key === action)?.rules ?? []), ...(action === 'submit' ? def.rules.filter((r) => r.fieldRule).map((r) => r.code) : [])];
    if (result.status === 200) return;
    expect([result.status, declared]).toEqual([422, expect.arrayContaining([result.body.code])]);
  });
});
