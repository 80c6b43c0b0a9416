import { isRetryableConflict, retryOnConflict } from './retry';

const failure = (code: string) => Object.assign(new Error(`SQLSTATE ${code}`), { code });
const noPause = () => Promise.resolve();

describe('retryOnConflict', () => {
  it('runs the transaction again after a deadlock or a serialization failure, and answers its result', async () => {
    const outcomes = [failure('40P01'), failure('40001')];
    let runs = 0;
    const result = await retryOnConflict(
      async () => {
        runs += 1;
        const next = outcomes.shift();
        if (next) throw next;
        return 'committed';
      },
      3,
      noPause,
    );
    expect([result, runs]).toEqual(['committed', 3]);
  });

  it('gives up after the last attempt with the database error', async () => {
    let runs = 0;
    const attempt = retryOnConflict(
      async () => {
        runs += 1;
        throw failure('40P01');
      },
      3,
      noPause,
    );
    await expect(attempt).rejects.toMatchObject({ code: '40P01' });
    expect(runs).toBe(3);
  });

  it('never runs again after any other error', async () => {
    let runs = 0;
    const attempt = retryOnConflict(
      async () => {
        runs += 1;
        throw failure('23505');
      },
      3,
      noPause,
    );
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
    expect(runs).toBe(1);
  });

  it('recognises the code on TypeORM’s wrapper as well', () => {
    expect(isRetryableConflict({ driverError: { code: '40001' } })).toBe(true);
    expect(isRetryableConflict(new Error('x'))).toBe(false);
    expect(isRetryableConflict(undefined)).toBe(false);
  });
});
