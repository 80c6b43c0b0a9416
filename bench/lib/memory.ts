import { readFileSync } from 'node:fs';

/**
 * A "<field>: <n> kB" line of a /proc file (`/proc/<pid>/status`'s VmRSS, `smaps_rollup`'s Pss),
 * in kB; undefined when the process is gone or the file has no such line.
 */
export function procKb(path: string, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(path, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
