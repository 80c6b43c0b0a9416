import { isRetryableConflict, retryOnConflict } from './retry';

const failure = (code: string) => Object.assign(new Error(`SQLSTATE ${code}`), { code });

/** retryOnConflict (3 attempts, no pause) over a transaction that fails with `failures` in turn, then commits. */
function attempt(failures: Error[]): { outcome: Promise<string>; runs: () => number } {
  let runs = 0;
  const outcome = retryOnConflict(
    async () => {
      const failed = failures[runs];
      runs += 1;
      if (failed) throw failed;
      return 'committed';
    },
    3,
    () => Promise.resolve(),
  );
  return { outcome, runs: () => runs };
}

describe('retryOnConflict', () => {
  it('runs the transaction again after a deadlock or a serialization failure, and answers its result', async () => {
    const { outcome, runs } = attempt([failure('40P01'), failure('40001')]);
    expect([await outcome, runs()]).toEqual(['committed', 3]);
  });

  it('gives up after the last attempt with the database error', async () => {
    const { outcome, runs } = attempt([failure('40P01'), failure('40P01'), failure('40P01')]);
    await expect(outcome).rejects.toMatchObject({ code: '40P01' });
    expect(runs()).toBe(3);
  });

  it('never runs again after any other error', async () => {
    const { outcome, runs } = attempt([failure('23505')]);
    await expect(outcome).rejects.toMatchObject({ code: '23505' });
    expect(runs()).toBe(1);
  });

  it('recognises the code on TypeORM’s wrapper as well', () => {
    expect(isRetryableConflict({ driverError: { code: '40001' } })).toBe(true);
    expect(isRetryableConflict(new Error('x'))).toBe(false);
    expect(isRetryableConflict(undefined)).toBe(false);
  });
});
