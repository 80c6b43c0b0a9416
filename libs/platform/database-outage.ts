import { DelayedError, type Job } from 'bullmq';
import { isDatabaseUnreachable } from './error-classifier';

/** The first wait of a job that found the database unreachable; each further wait doubles, up to the longest. */
const FIRST_WAIT_MS = 1_000;
const LONGEST_WAIT_MS = 30_000;

/**
 * Runs a job's work. Should the database be unreachable (stopped, restarting, refusing
 * connections), the job goes back to the delayed set and runs again later, without using up one
 * of its attempts: attempts count failures of the work itself, so an outage of any length loses
 * no job (QUALITY.md R3). Without this, ten attempts with exponential backoff last about eight
 * minutes, and a job that ran into a longer outage would end as failed, its reminder or event
 * never handled. Other errors are thrown as they are (retried with backoff, then kept as failed
 * for inspection in /admin/queues).
 */
export async function waitingOutDatabaseOutages<T>(job: Job, token: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (token === undefined || !isDatabaseUnreachable(error)) throw error;
    // Each start that was neither a success nor a counted failure was such a wait.
    const waits = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
    await job.moveToDelayed(Date.now() + Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(waits, 5)), token);
    throw new DelayedError();
  }
}
