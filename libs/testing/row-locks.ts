import { Client } from 'pg';

/**
 * Runs `during` while another session holds the rows that `lockSql` selects `FOR UPDATE` (as a
 * replica sending them would), then rolls that session back. `during` gets how many rows are held.
 */
export async function whileRowsHeld<T>(databaseUrl: string, lockSql: string, params: unknown[], during: (held: number) => Promise<T>): Promise<T> {
  const holder = new Client({ connectionString: databaseUrl });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    const { rowCount } = await holder.query(lockSql, params);
    return await during(rowCount ?? 0);
  } finally {
    await holder.query('ROLLBACK');
    await holder.end();
  }
}

/** What `work` answers, or 'still waiting' once `ms` have passed: for an operation that must not wait on a lock. */
export function answerWithin<T>(work: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  const waiting = new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref());
  return Promise.race([work, waiting]);
}
