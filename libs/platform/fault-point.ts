/**
 * Named crash points for the reliability tests (QUALITY.md R1, R5): with
 * `KORYU_FAULT=after-smtp-accept-before-commit:3` the process kills itself with SIGKILL the third
 * time it passes that point, so a test proves what survives a crash in exactly that window.
 * Inert unless NODE_ENV is `test`; several points are separated by commas.
 */
const counts = new Map<string, number>();
let armed: Map<string, number> | undefined;

function parse(): Map<string, number> {
  if (process.env.NODE_ENV !== 'test' || !process.env.KORYU_FAULT) return new Map();
  return new Map(
    process.env.KORYU_FAULT.split(',').map((entry) => {
      const [name, nth] = entry.trim().split(':');
      return [name, Number(nth ?? 1)] as const;
    }),
  );
}

export function faultPoint(name: string): void {
  armed ??= parse();
  const nth = armed.get(name);
  if (nth === undefined) return;
  const seen = (counts.get(name) ?? 0) + 1;
  counts.set(name, seen);
  if (seen === nth) process.kill(process.pid, 'SIGKILL');
}
