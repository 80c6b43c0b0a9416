import { DelayedError, type Job } from 'bullmq';
import { waitingOutDatabaseOutages } from './database-outage';

/** The parts of a BullMQ job the helper reads and calls, recording where it was moved to. */
function fakeJob(attemptsStarted: number, attemptsMade = 0) {
  const moves: number[] = [];
  const job = { attemptsStarted, attemptsMade, moveToDelayed: async (timestamp: number) => void moves.push(timestamp - Date.now()) };
  return { job: job as unknown as Job, moves };
}

const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));

describe('waitingOutDatabaseOutages', () => {
  it('answers what the work answers', async () => {
    const { job, moves } = fakeJob(1);
    await expect(waitingOutDatabaseOutages(job, 'token', async () => 42)).resolves.toBe(42);
    expect(moves).toEqual([]);
  });

  it('puts a job that found the database unreachable back in the delayed set, without failing it, waiting longer each time up to 30 s', async () => {
    const waits: number[] = [];
    for (const started of [1, 2, 3, 6, 7, 20]) {
      const { job, moves } = fakeJob(started);
      await expect(waitingOutDatabaseOutages(job, 'token', refused)).rejects.toBeInstanceOf(DelayedError);
      waits.push(Math.round(moves[0] / 1000));
    }
    expect(waits).toEqual([1, 2, 4, 30, 30, 30]);
  });

  it('counts the waits since the last failure of the work itself', async () => {
    const { job, moves } = fakeJob(4, 2);
    await expect(waitingOutDatabaseOutages(job, 'token', refused)).rejects.toBeInstanceOf(DelayedError);
    expect(Math.round(moves[0] / 1000)).toBe(2);
  });

  it('lets every other error fail the attempt, as BullMQ counts it', async () => {
    const { job, moves } = fakeJob(1);
    await expect(waitingOutDatabaseOutages(job, 'token', () => Promise.reject(new TypeError('a bug')))).rejects.toThrow('a bug');
    expect(moves).toEqual([]);
  });
});
