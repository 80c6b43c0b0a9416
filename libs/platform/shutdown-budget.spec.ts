import { ShutdownBudget } from './shutdown-budget';

describe('ShutdownBudget', () => {
  it('exits with status 1 when a stop by a signal outlasts the budget', async () => {
    const exits: number[] = [];
    new ShutdownBudget(20, (code) => exits.push(code)).beforeApplicationShutdown('SIGTERM');
    expect(exits).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(exits).toEqual([1]);
  });

  it('sets no limit on a close without a signal', async () => {
    const exits: number[] = [];
    new ShutdownBudget(20, (code) => exits.push(code)).beforeApplicationShutdown(undefined);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(exits).toEqual([]);
  });
});
