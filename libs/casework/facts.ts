import { DateTime } from 'luxon';
import { TOKYO } from '@koryu/calendar';
import { APPROVED_CONFERENCE_STATES, DEFAULT_VISIT_LEAD_TIME_DAYS, type JicaCallFact } from '@koryu/workflow';

/** A query on the pool, or inside the caller's transaction. */
export type Query = <T = Record<string, unknown>>(text: string, params: unknown[]) => Promise<T[]>;

/** What a fact loader knows of the case (the action's data already merged in). */
export interface FactCase {
  id: string;
  organisationId: string;
  program: string;
  data: Record<string, unknown>;
  fiscalYear: number | null;
  stateEnteredAt: Date;
}

/** Loads a fact a rule or deadline declares it needs (e.g. conferences approved this fiscal year). */
export type FactLoader = (caseRow: FactCase, query: Query) => Promise<unknown>;

/** Loads the named facts for a case; a name without a loader is a programming error. */
export async function loadFacts(names: readonly string[], caseRow: FactCase, query: Query, loaders: ReadonlyMap<string, FactLoader> = FACT_MAP): Promise<Record<string, unknown>> {
  const facts: Record<string, unknown> = {};
  for (const name of names) {
    const loader = loaders.get(name);
    if (!loader) throw new Error(`no loader for fact "${name}"`);
    facts[name] = await loader(caseRow, query);
  }
  return facts;
}

/**
 * The facts the programs' rules and deadlines read from PostgreSQL, by name. Each gets the case
 * (with the action's data merged in) and a query on the pool, or on the transaction when the rule
 * holds a lock; the API refuses to start when a definition needs a fact missing here.
 */
export const FACTS: Record<string, FactLoader> = {
  /** The JICA call the case references (`callId`), or null. */
  jicaCall: async (row, query): Promise<JicaCallFact | null> => {
    const callId = row.data.callId;
    if (typeof callId !== 'string' || !/^[0-9a-f-]{36}$/i.test(callId)) return null;
    const [call] = await query<JicaCallFact>(
      `SELECT id, scheme, to_json(opens_at)#>>'{}' AS "opensAt", to_json(closes_at)#>>'{}' AS "closesAt" FROM jica_call WHERE id = $1`,
      [callId],
    );
    return call ?? null;
  },

  /** The owning organisation's policy: days between today and the preferred start of a visit request. */
  visitLeadTimeDays: async (row, query) => {
    const [policy] = await query<{ days: number }>('SELECT visit_lead_time_days AS days FROM organisation WHERE id = $1', [row.organisationId]);
    return policy?.days ?? DEFAULT_VISIT_LEAD_TIME_DAYS;
  },

  /** Other conferences of the organisation approved for the same fiscal year (FISCAL_YEAR_LIMIT). */
  approvedConferencesThisFiscalYear: async (row, query) => {
    const fiscalYear = typeof row.data.fiscalYear === 'number' ? row.data.fiscalYear : row.fiscalYear;
    const [count] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM workflow_case
        WHERE organisation_id = $1 AND program = 'governor-conference' AND fiscal_year = $2 AND state = ANY ($3) AND id <> $4`,
      [row.organisationId, fiscalYear, APPROVED_CONFERENCE_STATES, row.id],
    );
    return count?.n ?? 0;
  },

  /** The Tokyo day the case entered its current state (deadlines counted from a transition). */
  stateEnteredOn: async (row) => DateTime.fromJSDate(new Date(row.stateEnteredAt), { zone: TOKYO }).toISODate(),
};

const FACT_MAP: ReadonlyMap<string, FactLoader> = new Map(Object.entries(FACTS));
