import { setTimeout as delay } from 'node:timers/promises';
import { PeriodicTask } from './periodic-task';

const quiet = { warn: () => undefined };

describe('PeriodicTask', () => {
  it('runs at once, then again the interval after each run ends, never two at once', async () => {
    let running = 0;
    let overlapped = false;
    const starts: number[] = [];
    const periodic = new PeriodicTask(
      async () => {
        starts.push(performance.now());
        running += 1;
        overlapped ||= running > 1;
        await delay(15);
        running -= 1;
      },
      { everyMs: 10, logger: quiet, failure: 'failed' },
    );
    const began = performance.now();
    periodic.start();
    expect(starts).toHaveLength(1);
    expect(starts[0] - began).toBeLessThan(5);
    await delay(120);
    await periodic.stop();
    expect(overlapped).toBe(false);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    // Each run starts the interval after the last one ended (15 ms of work + 10 ms), less a timer's early millisecond.
    for (let i = 1; i < starts.length; i += 1) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(23);
  });

  it('waits the first delay when given one', async () => {
    let runs = 0;
    const periodic = new PeriodicTask(async () => void (runs += 1), { everyMs: 1_000, logger: quiet, failure: 'failed' });
    periodic.start(40);
    await delay(20);
    expect(runs).toBe(0);
    await delay(40);
    expect(runs).toBe(1);
    await periodic.stop();
  });

  it('logs a failed run and tries again', async () => {
    const lines: string[] = [];
    let runs = 0;
    const periodic = new PeriodicTask(
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('PostgreSQL is away');
      },
      { everyMs: 5, logger: { warn: (line: string) => void lines.push(line) }, failure: 'pruning failed' },
    );
    periodic.start();
    await delay(40);
    await periodic.stop();
    expect(lines).toEqual(['pruning failed: PostgreSQL is away']);
    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it('stop waits for the run in progress, which sees it stopping, and nothing runs after', async () => {
    let runs = 0;
    let sawStopping = false;
    const periodic: PeriodicTask = new PeriodicTask(
      async () => {
        runs += 1;
        await delay(30);
        sawStopping = periodic.stopping;
      },
      { everyMs: 1, logger: quiet, failure: 'failed' },
    );
    periodic.start();
    await delay(5);
    await periodic.stop();
    expect(sawStopping).toBe(true);
    await delay(20);
    expect(runs).toBe(1);
  });
});
