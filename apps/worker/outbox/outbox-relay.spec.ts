import { setTimeout as delay } from 'node:timers/promises';
import { drainSpaced } from './outbox-relay';

/** A batch function that finds `found[i]` rows on its i-th call, taking `takesMs` each, and records when each call began. */
function batches(found: number[], takesMs = 0) {
  const began: number[] = [];
  const batch = async () => {
    began.push(performance.now());
    if (takesMs > 0) await delay(takesMs);
    return found[began.length - 1] ?? 0;
  };
  return { batch, began, gaps: () => began.slice(1).map((at, i) => at - began[i]) };
}

describe('drainSpaced (the outbox relay under steady load)', () => {
  it('starts each batch at least the spacing after the one before it began, until a batch finds nothing', async () => {
    const { batch, began, gaps } = batches([5, 3, 7, 0, 9]);
    await drainSpaced(batch, 20, () => true);
    expect(began).toHaveLength(4);
    // Timers count from the event loop's clock, read once per turn: one may end a little early against performance.now().
    for (const gap of gaps()) expect(gap).toBeGreaterThanOrEqual(17);
  });

  it('goes at once when there was nothing to publish, and when a batch took longer than the spacing', async () => {
    const first = batches([0]);
    const started = performance.now();
    await drainSpaced(first.batch, 1_000, () => true);
    expect(performance.now() - started).toBeLessThan(100);

    const slow = batches([5, 5, 0], 30);
    await drainSpaced(slow.batch, 20, () => true);
    for (const gap of slow.gaps()) expect(gap).toBeLessThan(30 + 20);
  });

  it('does not wait once the relay is stopping', async () => {
    const { batch, began } = batches([5, 5, 0]);
    const started = performance.now();
    await drainSpaced(batch, 1_000, () => false);
    expect(began).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
