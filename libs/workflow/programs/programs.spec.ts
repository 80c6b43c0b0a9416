import fc from 'fast-check';
import { getMetadataStorage } from 'class-validator';
import { VIOLATION_MESSAGES } from '@koryu/i18n';
import { assertDefinitions } from '../check-definition';
import type { ActorRole, OrganisationKind, ProgramDefinition } from '../definition';
import { allowedActions, decide, ruleMessage } from '../engine';
import { validateForm } from '../form';
import { PROGRAMS } from '../registry';
import { AMBASSADOR_VISIT, GOVERNOR_CONFERENCE, JICA_APPLICATION, TRAINEE_SECONDMENT } from '.';

const NOW = new Date('2026-11-24T03:00:00Z'); // 12:00 JST
const ROLES: ActorRole[] = ['staff', 'manager', 'admin', 'system'];

describe('the four programs, as DOMAIN.md specifies them', () => {
  it('pass the definition checks', () => {
    expect(() => assertDefinitions(PROGRAMS)).not.toThrow();
    expect(PROGRAMS.map((p) => p.key)).toEqual(['jica-application', 'ambassador-visit', 'trainee-secondment', 'governor-conference']);
  });

  // State and action keys are API (DOMAIN.md): spelled exactly.
  it.each([
    [JICA_APPLICATION, 'draft internal-review ready-to-submit submitted conditionally-adopted adopted rejected contracted in-progress completion-review completed withdrawn', 'submit approve return submit-to-jica record-conditional-adoption complete-preparatory-survey record-adoption record-rejection sign-contract start-implementation submit-completion-report approve-completion withdraw'],
    [AMBASSADOR_VISIT, 'draft internal-review approved requested arranging declined scheduled visited report-review closed cancelled', 'submit approve return send-request record-acceptance record-decline confirm-schedule visit-ended submit-report approve-report cancel'],
    [TRAINEE_SECONDMENT, 'draft internal-review approved applied accepted not-accepted at-headquarters overseas-posting returned report-review closed withdrawn', 'submit approve return apply record-acceptance record-non-acceptance begin-secondment begin-overseas-posting end-secondment submit-report approve-report withdraw'],
    [GOVERNOR_CONFERENCE, 'draft policy-review on-hold planning survey-open preparing held outcome-report closed cancelled', 'submit approve return defer resume open-survey close-survey mark-held start-outcome-report close cancel'],
  ])('%s has exactly the states and actions of DOMAIN.md', (def, states, actions) => {
    expect(def.states.map((s) => s.key)).toEqual(states.split(' '));
    expect(def.actions.map((a) => a.key)).toEqual(actions.split(' '));
  });

  it('lists system among the roles of every timer action', () => {
    const timerActions = PROGRAMS.flatMap((def) => (def.timers ?? []).map((timer) => `${def.key}:${timer.action}`));
    expect(timerActions.sort()).toEqual(
      ['ambassador-visit:visit-ended', 'trainee-secondment:begin-secondment', 'trainee-secondment:begin-overseas-posting', 'trainee-secondment:end-secondment', 'governor-conference:close-survey', 'governor-conference:mark-held'].sort(),
    );
  });

  it('has a Japanese and an English message for every rule code of DOMAIN.md, with every placeholder filled', () => {
    const domainCodes: Record<string, string[]> = {
      'jica-application': ['BUDGET_OVER_CAP', 'DURATION_OUT_OF_RANGE', 'APPLICANT_NOT_ELIGIBLE', 'CALL_REQUIRED', 'CALL_CLOSED', 'SCHEME_MISMATCH'],
      'ambassador-visit': ['LEAD_TIME_TOO_SHORT', 'ITINERARY_REQUIRED'],
      'trainee-secondment': ['START_NOT_APRIL_FIRST', 'HQ_PHASE_OUT_OF_RANGE'],
      'governor-conference': ['THEME_REQUIRED', 'FISCAL_YEAR_LIMIT', 'OUTCOMES_REQUIRED'],
    };
    for (const def of PROGRAMS) {
      const codes = def.rules.map((r) => r.code);
      expect(codes).toEqual(expect.arrayContaining(domainCodes[def.key]));
      for (const rule of def.rules) {
        for (const locale of ['ja', 'en'] as const) {
          expect(rule.messages[locale].trim()).not.toBe('');
          const placeholders = [...rule.messages[locale].matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
          const filled = ruleMessage(def, rule.code, locale, Object.fromEntries(placeholders.map((p) => [p, 'x'])));
          expect(filled).not.toMatch(/\{\w+\}/);
        }
      }
    }
  });

  it('has a message in both languages for every validation constraint the program forms use', () => {
    const dtos = PROGRAMS.flatMap((def) => [def.form.dto, ...Object.values(def.form.variants?.dtos ?? {})]);
    const seen = new Set<Function>();
    const names = new Set<string>();
    const walk = (dto: Function) => {
      if (seen.has(dto)) return;
      seen.add(dto);
      for (const meta of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
        if (meta.type === 'conditionalValidation') continue; // @IsOptional, @ValidateIf: not a constraint
        if (meta.name) names.add(meta.name);
        else if (meta.type === 'nestedValidation') names.add('nestedValidation');
      }
    };
    dtos.forEach(walk);
    const missing = [...names].filter((name) => !VIOLATION_MESSAGES[name]?.ja || !VIOLATION_MESSAGES[name]?.en);
    expect(missing).toEqual([]);
  });
});

describe('S2 at the engine: only the listed roles get past the role check, from every reachable state', () => {
  it.each(PROGRAMS.map((def) => [def.key, def] as const))('%s', (_key, def: ProgramDefinition) => {
    const states = def.states.map((s) => s.key);
    const actionKeys = [...new Set(def.actions.map((a) => a.key))];
    fc.assert(
      fc.property(fc.constantFrom(...states), fc.constantFrom(...actionKeys), fc.constantFrom(...ROLES), (state, key, role) => {
        const result = decide(def, { state, data: {} }, [role], key, { comment: 'c' }, {}, NOW);
        const listed = def.actions.some((a) => a.key === key && a.from.includes(state) && a.roles.includes(role));
        // Listed: allowed, or stopped by a rule (422) on this empty case. Not listed: 403 or 409.
        expect(result.ok || result.status === 422).toBe(listed);
        if (def.states.find((s) => s.key === state)?.terminal) expect(allowedActions(def, state, ROLES)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

/** The code of the decision (undefined when the action succeeds). */
function codeOf(def: ProgramDefinition, state: string, role: ActorRole, action: string, data: Record<string, unknown>, facts: Record<string, unknown> = {}, extra: { comment?: string; override?: { reason: string } } = {}, ownerKind: OrganisationKind = 'prefecture') {
  const result = decide(def, { state, data }, [role], action, { comment: 'ok', ...extra }, facts, NOW, ownerKind);
  return result.ok ? undefined : result.code;
}

describe('jica-application rules', () => {
  const call = { id: '00000000-0000-4000-8000-000000000001', scheme: 'grassroots-regional', opensAt: '2026-10-01T00:00:00Z', closesAt: '2026-12-01T08:00:00Z' };
  const complete = {
    scheme: 'grassroots-regional',
    title: 'ルワンダ・キガリ市における上下水道技術協力',
    counterpartCountry: 'RW',
    counterpartOrganisation: 'City of Kigali',
    sector: 'water',
    requestedBudgetYen: 60_000_000,
    durationMonths: 36,
    plannedStart: '2027-04-01',
    summary: '北九州市の上下水道技術を活かした研修と現地指導',
    expectedOutcomes: '無収水率の低減',
    callId: call.id,
  };
  const submit = (data: Record<string, unknown>, facts: Record<string, unknown> = { jicaCall: call }, ownerKind: OrganisationKind = 'municipality') => codeOf(JICA_APPLICATION, 'draft', 'staff', 'submit', data, facts, {}, ownerKind);

  it('BUDGET_OVER_CAP: ¥60,000,000 passes and ¥60,000,001 fails for grassroots-regional', () => {
    expect(submit(complete)).toBeUndefined();
    expect(submit({ ...complete, requestedBudgetYen: 60_000_001 })).toBe('BUDGET_OVER_CAP');
    const grant = { ...complete, scheme: 'grant-aid-municipal', durationMonths: 12, callId: undefined };
    expect(submit({ ...grant, requestedBudgetYen: 10_000_000 }, { jicaCall: null })).toBeUndefined();
    expect(submit({ ...grant, requestedBudgetYen: 10_000_001 }, { jicaCall: null })).toBe('BUDGET_OVER_CAP');
  });

  it('DURATION_OUT_OF_RANGE at both ends (sme-verification: 12–36 months)', () => {
    const sme = { ...complete, scheme: 'sme-verification', requestedBudgetYen: 100_000_000, partners: [{ name: '株式会社北九州水技研', kind: 'company' }] };
    const facts = { jicaCall: { ...call, scheme: 'sme-verification' } };
    expect(submit({ ...sme, durationMonths: 12 }, facts)).toBeUndefined();
    expect(submit({ ...sme, durationMonths: 36 }, facts)).toBeUndefined();
    expect(submit({ ...sme, durationMonths: 11 }, facts)).toBe('DURATION_OUT_OF_RANGE');
    expect(submit({ ...sme, durationMonths: 37 }, facts)).toBe('DURATION_OUT_OF_RANGE');
    expect(submit({ ...complete, durationMonths: 37 })).toBe('DURATION_OUT_OF_RANGE');
  });

  it('APPLICANT_NOT_ELIGIBLE: an SME scheme needs a company among the partners; an association cannot apply', () => {
    const facts = { jicaCall: { ...call, scheme: 'sme-basic-survey' } };
    const sme = { ...complete, scheme: 'sme-basic-survey', requestedBudgetYen: 8_500_000, durationMonths: 12 };
    expect(submit({ ...sme, partners: [{ name: '株式会社八幡平ソーラー', kind: 'company' }] }, facts)).toBeUndefined();
    expect(submit({ ...sme, partners: [{ name: '岩手大学', kind: 'university' }] }, facts)).toBe('APPLICANT_NOT_ELIGIBLE');
    expect(submit(complete, { jicaCall: call }, 'association')).toBe('APPLICANT_NOT_ELIGIBLE');
  });

  it('CALL_REQUIRED for call-based schemes only; SCHEME_MISMATCH when the call is of another scheme', () => {
    expect(submit({ ...complete, callId: undefined }, { jicaCall: null })).toBe('CALL_REQUIRED');
    expect(submit({ ...complete, scheme: 'grant-aid-municipal', durationMonths: 12, requestedBudgetYen: 1, callId: undefined }, { jicaCall: null })).toBeUndefined();
    expect(submit(complete, { jicaCall: { ...call, scheme: 'sme-basic-survey' } })).toBe('SCHEME_MISMATCH');
  });

  it('CALL_CLOSED on submit-to-jica outside the call window', () => {
    const submitToJica = (jicaCall: unknown) => codeOf(JICA_APPLICATION, 'ready-to-submit', 'staff', 'submit-to-jica', complete, { jicaCall });
    expect(submitToJica(call)).toBeUndefined();
    expect(submitToJica({ ...call, closesAt: '2026-11-24T02:59:59Z' })).toBe('CALL_CLOSED');
    expect(submitToJica({ ...call, opensAt: '2026-11-24T03:00:01Z' })).toBe('CALL_CLOSED');
  });

  it('allows conditional adoption for grant-aid-municipal only', () => {
    expect(codeOf(JICA_APPLICATION, 'submitted', 'staff', 'record-conditional-adoption', complete, { jicaCall: call })).toBe('SCHEME_MISMATCH');
    const grant = { ...complete, scheme: 'grant-aid-municipal', callId: undefined };
    expect(codeOf(JICA_APPLICATION, 'submitted', 'staff', 'record-conditional-adoption', grant, { jicaCall: null })).toBeUndefined();
  });

  it('takes the form of the scheme: grant aid has no call, SME schemes need partners to submit', () => {
    expect(validateForm(JICA_APPLICATION, { scheme: 'grant-aid-municipal', callId: call.id }, 'save').shape).toEqual([{ field: 'callId', code: 'unknownField', params: {} }]);
    expect(validateForm(JICA_APPLICATION, { ...complete, scheme: 'sme-basic-survey' }, 'submit').incomplete).toEqual([{ field: 'partners', code: 'FORM_INCOMPLETE' }]);
    expect(validateForm(JICA_APPLICATION, { scheme: 'space-program' }, 'save').shape[0]).toMatchObject({ field: 'scheme', code: 'isIn' });
  });
});

describe('ambassador-visit rules', () => {
  const base = {
    envoyKind: 'ambassador',
    postCountry: 'RW',
    postName: '在ルワンダ日本国大使館',
    purposes: ['lecture', 'site-visit'],
    preferredStart: '2026-12-24',
    preferredEnd: '2026-12-25',
    hostContact: { name: '八幡 花子', department: '八幡平市 企画財政課', phone: '0195-74-2111', email: 'kokusai@city.hachimantai.example' },
  };

  it('LEAD_TIME_TOO_SHORT: exactly the lead time ahead passes, a day less fails, with the policy of the organisation', () => {
    const send = (preferredStart: string, days = 30) => codeOf(AMBASSADOR_VISIT, 'approved', 'staff', 'send-request', { ...base, preferredStart }, { visitLeadTimeDays: days });
    expect(send('2026-12-24')).toBeUndefined(); // today (2026-11-24 JST) + 30 days
    expect(send('2026-12-23')).toBe('LEAD_TIME_TOO_SHORT');
    expect(send('2026-12-04', 10)).toBeUndefined();
    expect(send('2026-12-03', 10)).toBe('LEAD_TIME_TOO_SHORT');
  });

  it('ITINERARY_REQUIRED to confirm: fixed dates and at least one itinerary item', () => {
    const confirm = (extra: Record<string, unknown>) => codeOf(AMBASSADOR_VISIT, 'arranging', 'manager', 'confirm-schedule', { ...base, ...extra });
    expect(confirm({ visitStart: '2027-01-20', visitEnd: '2027-01-21' })).toBe('ITINERARY_REQUIRED');
    expect(confirm({ visitStart: '2027-01-20', itinerary: [{ date: '2027-01-20', place: '八幡平市役所', activity: '市長表敬' }] })).toBe('ITINERARY_REQUIRED');
    expect(confirm({ visitStart: '2027-01-20', visitEnd: '2027-01-21', itinerary: [{ date: '2027-01-20', time: '10:00', place: '八幡平市役所', activity: '市長表敬' }] })).toBeUndefined();
  });

  it('declares the visit-ended timer at 09:00 JST the day after the last day', () => {
    expect(AMBASSADOR_VISIT.timers?.[0].due({ visitEnd: '2027-01-21' })).toEqual({ date: '2027-01-22', time: '09:00' });
  });
});

describe('trainee-secondment rules', () => {
  const base = {
    track: 'diplomatic-practice',
    trainee: { name: '沖縄 太郎', employeeNumber: 'P-10234', department: '文化観光スポーツ部 交流推進課', position: '主任', languages: [{ language: 'en', level: 'business' }] },
    startDate: '2027-04-01',
    hqMonths: 24,
    preferredRegions: ['asia'],
    motivation: 'アジア地域との経済交流を担う人材として外交実務を学ぶ',
  };
  const submit = (data: Record<string, unknown>) => codeOf(TRAINEE_SECONDMENT, 'draft', 'staff', 'submit', data);

  it('START_NOT_APRIL_FIRST for diplomatic-practice only', () => {
    expect(submit(base)).toBeUndefined();
    expect(submit({ ...base, startDate: '2027-04-02' })).toBe('START_NOT_APRIL_FIRST');
    expect(submit({ ...base, track: 'overseas-admin-service', startDate: '2027-07-15', hqMonths: 3 })).toBeUndefined();
  });

  it('HQ_PHASE_OUT_OF_RANGE: 3–6 months for overseas-admin-service', () => {
    const oas = { ...base, track: 'overseas-admin-service', startDate: '2027-07-15' };
    expect(submit({ ...oas, hqMonths: 3 })).toBeUndefined();
    expect(submit({ ...oas, hqMonths: 6 })).toBeUndefined();
    expect(submit({ ...oas, hqMonths: 2 })).toBe('HQ_PHASE_OUT_OF_RANGE');
    expect(submit({ ...oas, hqMonths: 7 })).toBe('HQ_PHASE_OUT_OF_RANGE');
  });

  it('needs postName to begin the posting, and a comment only when a manager ends early', () => {
    expect(codeOf(TRAINEE_SECONDMENT, 'at-headquarters', 'manager', 'begin-overseas-posting', base)).toBe('POST_NAME_REQUIRED');
    expect(codeOf(TRAINEE_SECONDMENT, 'at-headquarters', 'system', 'begin-overseas-posting', { ...base, postName: '在ベトナム日本国大使館' })).toBeUndefined();
    expect(decide(TRAINEE_SECONDMENT, { state: 'overseas-posting', data: base }, ['manager'], 'end-secondment', {}, {}, NOW)).toMatchObject({ ok: false, code: 'COMMENT_REQUIRED' });
    expect(decide(TRAINEE_SECONDMENT, { state: 'overseas-posting', data: base }, ['system'], 'end-secondment', {}, {}, NOW)).toMatchObject({ ok: true, to: 'returned' });
  });

  it('declares the phase timers from the start date', () => {
    const timers = Object.fromEntries((TRAINEE_SECONDMENT.timers ?? []).map((t) => [t.action, t.due(base)]));
    expect(timers).toEqual({
      'begin-secondment': { date: '2027-04-01', time: '00:00' },
      'begin-overseas-posting': { date: '2029-04-01', time: '00:00' },
      'end-secondment': { date: '2031-04-01', time: '00:00' },
    });
  });
});

describe('governor-conference rules', () => {
  const base = {
    counterpartCountry: 'VN',
    counterpartBody: 'ベトナム地方省長',
    fiscalYear: 2026,
    format: 'in-person',
    hostSide: 'japan',
    hostPrefecture: '岡山県',
    startDate: '2027-02-10',
    endDate: '2027-02-11',
    themes: ['観光交流', '技能実習生の受入れ'],
    purpose: '地方同士の具体的な協力分野を定める',
    expectedOutcomes: '共同声明と交流事業の合意',
  };

  it('THEME_REQUIRED on submit: themes, purpose and expected outcomes', () => {
    expect(codeOf(GOVERNOR_CONFERENCE, 'draft', 'staff', 'submit', base)).toBeUndefined();
    expect(codeOf(GOVERNOR_CONFERENCE, 'draft', 'staff', 'submit', { ...base, themes: [] })).toBe('THEME_REQUIRED');
    expect(codeOf(GOVERNOR_CONFERENCE, 'draft', 'staff', 'submit', { ...base, purpose: ' ' })).toBe('THEME_REQUIRED');
  });

  it('FISCAL_YEAR_LIMIT: a second approval passes, a third needs an override with a reason', () => {
    const approve = (count: number, extra = {}) => codeOf(GOVERNOR_CONFERENCE, 'policy-review', 'manager', 'approve', base, { approvedConferencesThisFiscalYear: count }, extra);
    expect(approve(1)).toBeUndefined();
    expect(approve(2)).toBe('FISCAL_YEAR_LIMIT');
    expect(approve(2, { override: { reason: '日越外交関係樹立記念の年のため' } })).toBeUndefined();
    expect(GOVERNOR_CONFERENCE.rules.find((r) => r.code === 'FISCAL_YEAR_LIMIT')?.lockKey?.({ data: base, organisationId: 'org' })).toBe('governor-conference:org:2026');
  });

  it('OUTCOMES_REQUIRED to close; the survey deadline must be in the future to open', () => {
    expect(codeOf(GOVERNOR_CONFERENCE, 'outcome-report', 'manager', 'close', base)).toBe('OUTCOMES_REQUIRED');
    expect(codeOf(GOVERNOR_CONFERENCE, 'outcome-report', 'manager', 'close', { ...base, outcomes: [{ title: '共同声明', description: '観光と人材の交流で合意' }] })).toBeUndefined();
    expect(codeOf(GOVERNOR_CONFERENCE, 'planning', 'staff', 'open-survey', { ...base, surveyDeadline: '2026-11-24T02:59:59Z' })).toBe('SURVEY_DEADLINE_NOT_FUTURE');
    expect(codeOf(GOVERNOR_CONFERENCE, 'planning', 'staff', 'open-survey', { ...base, surveyDeadline: '2026-12-15T08:00:00Z' })).toBeUndefined();
  });
});
