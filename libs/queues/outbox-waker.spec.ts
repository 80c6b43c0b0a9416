import { OutboxWaker } from './outbox-waker';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('OutboxWaker', () => {
  it('folds the wakes of one window into one NOTIFY', async () => {
    const sent: string[] = [];
    const waker = new OutboxWaker(async (sql) => sent.push(sql), undefined, 5);
    for (let i = 0; i < 100; i += 1) waker.wake();
    await tick(30);
    expect(sent).toEqual(["SELECT set_config('synchronous_commit', 'off', true), pg_notify('koryu_outbox', '')"]);
  });

  it('sends the first wake at once, and wakes within the window after a NOTIFY at its end', async () => {
    let clock = 1000;
    const sentAt: number[] = [];
    const waker = new OutboxWaker(async () => sentAt.push(clock), undefined, 50, () => clock);
    waker.wake();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sentAt).toEqual([1000]);
    clock = 1010;
    waker.wake();
    waker.wake();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sentAt).toEqual([1000]);
    // The second is due 40 ms later (the window's end), not at once.
    await tick(25);
    expect(sentAt).toEqual([1000]);
    await tick(40);
    expect(sentAt).toHaveLength(2);
  });

  it('sends one more NOTIFY after the one in flight when commits arrived meanwhile, so none goes unheard', async () => {
    let release: () => void = () => undefined;
    const calls: number[] = [];
    const waker = new OutboxWaker(
      () => {
        calls.push(Date.now());
        return new Promise<void>((resolve) => (release = resolve));
      },
      undefined,
      1,
    );
    waker.wake();
    await tick(10);
    expect(calls).toHaveLength(1);
    waker.wake();
    waker.wake();
    await tick(10);
    expect(calls).toHaveLength(1);
    release();
    await tick(10);
    expect(calls).toHaveLength(2);
    release();
    await tick(10);
    expect(calls).toHaveLength(2);
  });

  it('reports a failed NOTIFY and keeps working', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const sent: number[] = [];
    const waker = new OutboxWaker(
      async () => {
        if (fail) throw new Error('connection lost');
        sent.push(1);
      },
      (error) => errors.push(error),
      1,
    );
    waker.wake();
    await tick(10);
    fail = false;
    waker.wake();
    await tick(10);
    expect([errors.length, sent.length]).toEqual([1, 1]);
  });
});
