import fc from 'fast-check';
import { assertDefinitions, checkDefinition } from './check-definition';
import type { ActorRole, ProgramDefinition } from './definition';
import { allowedActions, decide, editableFields, replay, ruleMessage } from './engine';
import { validateForm } from './form';
import { PETITION } from './testing/petition.definition';

const NOW = new Date('2026-11-24T00:00:00Z');
const ROLES: ActorRole[] = ['staff', 'manager', 'admin', 'system'];

describe('decide', () => {
  const draft = { state: 'draft', data: { title: 'x', amountYen: 1000 } };

  it('moves a case and reports the changes and the event', () => {
    const result = decide(PETITION, draft, ['staff'], 'submit', { data: { amountYen: 2000 } }, {}, NOW);
    expect(result).toEqual({
      ok: true,
      action: 'submit',
      from: 'draft',
      to: 'internal-review',
      data: { title: 'x', amountYen: 2000 },
      changes: [{ field: 'amountYen', before: 1000, after: 2000 }],
      overriddenRules: [],
      events: [{ type: 'case.transitioned', action: 'submit', from: 'draft', to: 'internal-review' }],
    });
  });

  it('answers 404 for an action the program does not have', () => {
    expect(decide(PETITION, draft, ['staff'], 'launch', {}, {}, NOW)).toMatchObject({ ok: false, status: 404 });
  });

  it('answers 403 to a role that may not take the action, before looking at the state', () => {
    expect(decide(PETITION, draft, ['manager'], 'submit', {}, {}, NOW)).toMatchObject({ ok: false, status: 403, code: 'FORBIDDEN' });
    expect(decide(PETITION, draft, ['staff'], 'approve', {}, {}, NOW)).toMatchObject({ ok: false, status: 403 });
  });

  it('answers 409 INVALID_TRANSITION for an action not available in this state', () => {
    expect(decide(PETITION, draft, ['manager'], 'approve', {}, {}, NOW)).toMatchObject({ ok: false, status: 409, code: 'INVALID_TRANSITION' });
  });

  it('requires a comment where the action says so, blank counting as missing', () => {
    const review = { state: 'internal-review', data: {} };
    expect(decide(PETITION, review, ['manager'], 'return', { comment: '  ' }, {}, NOW)).toEqual({
      ok: false,
      status: 422,
      code: 'COMMENT_REQUIRED',
      violations: [{ field: 'comment', code: 'COMMENT_REQUIRED' }],
    });
    expect(decide(PETITION, review, ['manager'], 'return', { comment: '予算欄を修正してください' }, {}, NOW)).toMatchObject({ ok: true, to: 'draft' });
  });

  it('runs every field rule on submit, on the data merged with the action data', () => {
    expect(decide(PETITION, draft, ['staff'], 'submit', { data: { amountYen: 1_000_001 } }, {}, NOW)).toEqual({
      ok: false,
      status: 422,
      code: 'AMOUNT_OVER_CAP',
      violations: [{ field: 'amountYen', code: 'AMOUNT_OVER_CAP', params: { cap: 1_000_000 } }],
    });
    expect(decide(PETITION, draft, ['staff'], 'submit', { data: { amountYen: 1_000_000 } }, {}, NOW)).toMatchObject({ ok: true });
  });

  it('names every field submit needs and the draft lacks, after the rule violations', () => {
    const empty = { state: 'draft', data: { amountYen: 1_000_001 } };
    expect(decide(PETITION, empty, ['staff'], 'submit', {}, {}, NOW)).toEqual({
      ok: false,
      status: 422,
      code: 'AMOUNT_OVER_CAP',
      violations: [
        { field: 'amountYen', code: 'AMOUNT_OVER_CAP', params: { cap: 1_000_000 } },
        { field: 'title', code: 'FORM_INCOMPLETE' },
      ],
    });
    expect(decide(PETITION, { state: 'draft', data: {} }, ['staff'], 'submit', {}, {}, NOW)).toMatchObject({ code: 'FORM_INCOMPLETE' });
  });

  it('skips the comment on a dry run only', () => {
    const review = { state: 'internal-review', data: { title: 'x' } };
    expect(decide(PETITION, review, ['manager'], 'return', { dryRun: true }, {}, NOW)).toMatchObject({ ok: true });
    expect(decide(PETITION, review, ['manager'], 'return', {}, {}, NOW)).toMatchObject({ ok: false, code: 'COMMENT_REQUIRED' });
  });

  it('lets an overridable rule pass with a reason only, and reports the override', () => {
    const review = { state: 'internal-review', data: {} };
    expect(decide(PETITION, review, ['manager'], 'approve', {}, { approvedThisYear: 2 }, NOW)).toMatchObject({ ok: false, status: 422, code: 'YEARLY_LIMIT' });
    expect(decide(PETITION, review, ['manager'], 'approve', { override: { reason: ' ' } }, { approvedThisYear: 2 }, NOW)).toMatchObject({ ok: false, code: 'YEARLY_LIMIT' });
    expect(decide(PETITION, review, ['manager'], 'approve', { override: { reason: '知事の要請' } }, { approvedThisYear: 2 }, NOW)).toMatchObject({ ok: true, overriddenRules: ['YEARLY_LIMIT'] });
    expect(decide(PETITION, review, ['manager'], 'approve', {}, { approvedThisYear: 1 }, NOW)).toMatchObject({ ok: true, overriddenRules: [] });
  });

  it('never lets an override pass a rule that is not overridable', () => {
    const result = decide(PETITION, draft, ['staff'], 'submit', { data: { amountYen: 5_000_000 }, override: { reason: 'please' } }, {}, NOW);
    expect(result).toMatchObject({ ok: false, code: 'AMOUNT_OVER_CAP' });
  });
});

describe('allowedActions and editableFields', () => {
  it('lists what the roles may do now', () => {
    expect(allowedActions(PETITION, 'draft', ['staff'])).toEqual(['submit', 'withdraw']);
    expect(allowedActions(PETITION, 'internal-review', ['manager'])).toEqual(['approve', 'return', 'withdraw']);
    expect(allowedActions(PETITION, 'done', ROLES)).toEqual([]);
  });

  it('says which fields each role may edit in each state', () => {
    expect(editableFields(PETITION, 'draft', ['staff'])).toBe('*');
    expect(editableFields(PETITION, 'internal-review', ['staff'])).toEqual([]);
    expect(editableFields(PETITION, 'approved', ['staff'])).toEqual(['note']);
  });

  it('fills rule messages in both languages', () => {
    expect(ruleMessage(PETITION, 'AMOUNT_OVER_CAP', 'ja', { cap: 1_000_000 })).toBe('金額は1000000円以下にしてください。');
    expect(ruleMessage(PETITION, 'YEARLY_LIMIT', 'en', { limit: 2 })).toBe('At most 2 approvals per year.');
  });
});

describe('properties over every reachable state', () => {
  const reachable = (def: ProgramDefinition) => {
    const seen = new Set([def.initialState]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const a of def.actions) if (a.from.some((f) => seen.has(f)) && !seen.has(a.to)) grew = seen.add(a.to).size > 0;
    }
    return [...seen];
  };
  const states = reachable(PETITION);
  const actionKeys = [...new Set(PETITION.actions.map((a) => a.key))];

  it('only the listed actions succeed, only for the listed roles; terminal states allow nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...states), fc.constantFrom(...actionKeys), fc.constantFrom(...ROLES), (state, key, role) => {
        const result = decide(PETITION, { state, data: { title: 't' } }, [role], key, { comment: 'ok', override: { reason: 'r' } }, {}, NOW);
        const listed = PETITION.actions.some((a) => a.key === key && a.from.includes(state) && a.roles.includes(role));
        expect(result.ok).toBe(listed);
        if (PETITION.states.find((s) => s.key === state)?.terminal) expect(result.ok).toBe(false);
        if (!PETITION.actions.some((a) => a.key === key && a.roles.includes(role))) expect(result).toMatchObject({ status: 403 });
      }),
    );
  });

  it('replaying the history of any walk reproduces the state it reached', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (choices) => {
        let state = PETITION.initialState;
        const history: string[] = [];
        for (const choice of choices) {
          const options = allowedActions(PETITION, state, ROLES);
          if (options.length === 0) break;
          const key = options[choice % options.length];
          const result = decide(PETITION, { state, data: { title: 't' } }, ROLES, key, { comment: 'c', override: { reason: 'r' } }, {}, NOW);
          if (!result.ok) throw new Error(`${key} from ${state}: ${result.code}`);
          state = result.to;
          history.push(key);
        }
        expect(replay(PETITION, history)).toBe(state);
      }),
    );
  });
});

describe('validateForm', () => {
  it('checks shapes on save and leaves missing fields alone', () => {
    expect(validateForm(PETITION, { amountYen: 5 }, 'save')).toEqual({ shape: [], incomplete: [] });
    const wrong = validateForm(PETITION, { title: 42, amountYen: '5', colour: 'red' }, 'save');
    expect(wrong.shape.map((v) => `${v.field}:${v.code}`).sort()).toEqual(['amountYen:isInt', 'colour:unknownField', 'title:isString']);
    expect(wrong.incomplete).toEqual([]);
  });

  it('reports each missing required field on submit', () => {
    expect(validateForm(PETITION, { amountYen: 5 }, 'submit')).toEqual({ shape: [], incomplete: [{ field: 'title', code: 'FORM_INCOMPLETE' }] });
    expect(validateForm(PETITION, { title: 't' }, 'submit')).toEqual({ shape: [], incomplete: [] });
  });
});

describe('checkDefinition', () => {
  const broken = (change: Partial<ProgramDefinition>) => checkDefinition({ ...PETITION, ...change });

  it('accepts the test program', () => {
    expect(checkDefinition(PETITION)).toEqual([]);
    expect(() => assertDefinitions([PETITION])).not.toThrow();
  });

  it.each([
    ['an action to an unknown state', { actions: [...PETITION.actions, { key: 'x', title: { ja: 'x', en: 'x' }, from: ['draft'], to: 'nowhere', roles: ['staff'] as ActorRole[] }] }, /unknown state "nowhere"/],
    ['a terminal state with an action', { actions: [...PETITION.actions, { key: 'revive', title: { ja: 'x', en: 'x' }, from: ['done'], to: 'draft', roles: ['staff'] as ActorRole[] }] }, /terminal state "done" has action "revive"/],
    ['an action with no role', { actions: PETITION.actions.map((a) => (a.key === 'finish' ? { ...a, roles: [] } : a)) }, /"finish" has no role/],
    ['an unreachable state', { states: [...PETITION.states, { key: 'limbo', title: { ja: 'x', en: 'x' }, terminal: true }] }, /"limbo" is unreachable/],
    ['a timer on an unknown action', { timers: [{ action: 'explode', whileIn: 'approved', due: () => undefined }] }, /unknown action "explode"/],
    ['a rule that is not defined', { actions: PETITION.actions.map((a) => (a.key === 'approve' ? { ...a, rules: ['NOPE'] } : a)) }, /undefined rule NOPE/],
    ['a reminder offset that is not a duration', { deadlines: [{ ...PETITION.deadlines![0], remindBefore: ['7 days'] }] }, /reminds "7 days" before/],
    ['a message missing in English', { rules: PETITION.rules.map((r) => ({ ...r, messages: { ja: r.messages.ja, en: '' } })) }, /needs a ja and an en message/],
  ])('reports %s', (_name, change, expected) => {
    expect(broken(change as Partial<ProgramDefinition>).join('\n')).toMatch(expected);
  });

  it('stops with every problem listed when a registered definition is broken', () => {
    expect(() => assertDefinitions([PETITION, PETITION])).toThrow(/registered twice/);
  });
});
