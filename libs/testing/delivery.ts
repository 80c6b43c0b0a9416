import type { Client } from 'pg';

export interface TransitionDelivery {
  /** Transitions (their `case.transitioned` outbox rows). */
  transitions: number;
  /** Those the notifications consumer handled (each recorded once, by its event id). */
  handled: number;
  /** The notifications transitions caused ("action needed" and "decision"). */
  notified: number;
}

/** How far the transitions of these cases (every case when none are given) got towards their notifications. */
export async function transitionDelivery(sql: Client, caseIds?: readonly string[]): Promise<TransitionDelivery> {
  const { rows } = await sql.query<TransitionDelivery>(
    `SELECT (SELECT count(*)::int FROM outbox WHERE type = 'case.transitioned' AND ($1::uuid[] IS NULL OR case_id = ANY ($1))) AS transitions,
            (SELECT count(*)::int FROM processed_event p JOIN outbox o ON o.event_id = p.event_id
              WHERE p.consumer = 'notifications' AND o.type = 'case.transitioned' AND ($1::uuid[] IS NULL OR o.case_id = ANY ($1))) AS handled,
            (SELECT count(*)::int FROM notification WHERE kind IN ('action-needed', 'decision') AND ($1::uuid[] IS NULL OR case_id = ANY ($1))) AS notified`,
    [caseIds ?? null],
  );
  return rows[0];
}
