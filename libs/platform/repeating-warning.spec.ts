import { RepeatingWarning } from './repeating-warning';

describe('RepeatingWarning', () => {
  it('logs the first at once, then at most once per interval with how many it left out', () => {
    const lines: string[] = [];
    let now = 0;
    const warning = new RepeatingWarning({ warn: (message: string) => void lines.push(message) }, 30_000, () => now);
    for (; now <= 61_000; now += 1_000) warning.warn('relay failed');
    expect(lines).toEqual(['relay failed', 'relay failed (29 more since the last such line)', 'relay failed (29 more since the last such line)']);
  });

  it('logs a warning that comes back after a quiet interval without a count', () => {
    const lines: string[] = [];
    let now = 0;
    const warning = new RepeatingWarning({ warn: (message: string) => void lines.push(message) }, 30_000, () => now);
    warning.warn('relay failed');
    now = 45_000;
    warning.warn('relay failed');
    expect(lines).toEqual(['relay failed', 'relay failed']);
  });

  it("adds the error's message", () => {
    const lines: string[] = [];
    new RepeatingWarning({ warn: (message: string) => void lines.push(message) }).warn('relay failed', new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    expect(lines).toEqual(['relay failed: connect ECONNREFUSED 127.0.0.1:5432']);
  });
});
