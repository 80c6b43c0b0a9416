import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';

/** Kernel clock ticks per second (`getconf CLK_TCK`; 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** utime, stime, cutime, cstime of one process, in seconds; undefined once it is gone. */
function times(pid: number): { own: number; children: number; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = (i: number) => Number(fields[i]) / TICKS_PER_SECOND;
    return { ppid: Number(fields[1]), own: tick(11) + tick(12), children: tick(13) + tick(14) };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) one process has used so far. */
export function processCpu(pid: number): number {
  return times(pid)?.own ?? NaN;
}

/**
 * CPU seconds the whole PostgreSQL server (postmaster, its background processes and every backend,
 * ended ones included) has used so far. Backends that ended were reaped by the postmaster, which
 * adds their time to its own children's time, so the sum only grows.
 */
export function postgresCpu(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  // A backend reaped while its siblings are being read would be missed (or counted twice): read
  // again until the postmaster's reaped time did not change meanwhile.
  for (;;) {
    const before = times(postmaster);
    if (!before) return NaN;
    let total = before.own + before.children;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const child = times(Number(entry));
      if (child?.ppid === postmaster) total += child.own;
    }
    if (times(postmaster)?.children === before.children) return total;
  }
}

/** CPU seconds this process and its reaped children (pgbench runs) have used so far. */
export function selfCpu(): { own: number; children: number } {
  const t = times(process.pid);
  return { own: t?.own ?? NaN, children: t?.children ?? NaN };
}

/** CPU seconds used so far by each PostgreSQL backend (by pid), with its client. */
export type BackendCpu = Map<number, { client: string; seconds: number }>;

/**
 * CPU seconds used so far by each PostgreSQL backend, by the client's `application_name` (the
 * services name their pools: koryu-api, koryu-worker, koryu-outbox-relay…). Compare two readings
 * over backends present in both: pooled connections live through a run; one that came and went
 * in between is left out.
 */
export async function postgresCpuByBackend(sql: Client): Promise<BackendCpu> {
  const { rows } = await sql.query<{ pid: number; client: string }>(`SELECT pid, coalesce(nullif(application_name, ''), backend_type) AS client FROM pg_stat_activity`);
  return new Map(rows.map((row) => [row.pid, { client: row.client, seconds: processCpu(row.pid) }]));
}

/** Per client, the CPU its backends used between two readings of postgresCpuByBackend. */
export function postgresCpuByClient(before: BackendCpu, after: BackendCpu): Map<string, number> {
  const used = new Map<string, number>();
  for (const [pid, end] of after) {
    const start = before.get(pid);
    if (!start || start.client !== end.client || !Number.isFinite(end.seconds - start.seconds)) continue;
    used.set(end.client, (used.get(end.client) ?? 0) + end.seconds - start.seconds);
  }
  return new Map([...used].sort((a, b) => b[1] - a[1]));
}

/**
 * WAL flushes (fsync/fdatasync of the WAL) so far, by the kind of process that did them
 * (PostgreSQL 18's pg_stat_io; `client backend` is the connections' own commits, `walwriter`
 * the background writer of asynchronous commits). Undefined before PostgreSQL 18.
 */
export async function walFlushes(sql: Client): Promise<Map<string, number> | undefined> {
  try {
    const { rows } = await sql.query<{ kind: string; fsyncs: string }>(`SELECT backend_type AS kind, sum(fsyncs) AS fsyncs FROM pg_stat_io WHERE object = 'wal' GROUP BY 1`);
    return new Map(rows.map((row) => [row.kind, Number(row.fsyncs ?? 0)]));
  } catch {
    return undefined;
  }
}

/** WAL flushes so far by every kind of process together; NaN before PostgreSQL 18. */
export async function totalWalFlushes(sql: Client): Promise<number> {
  const byKind = await walFlushes(sql);
  return byKind ? [...byKind.values()].reduce((sum, n) => sum + n, 0) : NaN;
}
